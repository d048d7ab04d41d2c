//! One series' points, decimated as they come: bounded memory whatever the capture's size.
//!
//! The x axis is cut into columns of equal width; each column keeps its lowest and its highest
//! point, which is all a line chart shows of it once a column is a pixel or less wide. When
//! there are more columns than the limit, the width doubles and neighbouring columns merge, so
//! a series never holds more than `limit` columns (two points each), and a short capture keeps
//! every point (a column per value).

/// A point of a series: `(x, y)`.
pub type Point = (f64, f64);

/// The points of one series, at most two per column.
///
/// ```
/// use ph_tap::plot::Columns;
/// let mut columns = Columns::new(1.0, 4);
/// for i in 0..100 {
///     columns.push(i as f64, (i % 10) as f64);
/// }
/// assert!(columns.points().len() <= 8);
/// assert_eq!(columns.y_range(), Some((0.0, 9.0)));
/// ```
#[derive(Clone, Debug)]
pub struct Columns {
    /// The width of a column, in x units.
    width: f64,
    /// The x of the first point: column 0 starts there.
    origin: Option<f64>,
    columns: Vec<Column>,
    limit: usize,
}

#[derive(Clone, Copy, Debug)]
struct Column {
    index: u64,
    low: Point,
    high: Point,
}

impl Column {
    fn merge(&mut self, other: &Column) {
        if other.low.1 < self.low.1 {
            self.low = other.low;
        }
        if other.high.1 > self.high.1 {
            self.high = other.high;
        }
    }
}

impl Columns {
    /// No point yet; columns `width` wide to begin with (the resolution a short series keeps),
    /// at most `limit` of them (at least 2).
    pub fn new(width: f64, limit: usize) -> Self {
        Self {
            width: if width > 0.0 { width } else { 1.0 },
            origin: None,
            columns: Vec::new(),
            limit: limit.max(2),
        }
    }

    /// Adds a point. The points come in order of x; one before the latest column's is counted in
    /// that column.
    pub fn push(&mut self, x: f64, y: f64) {
        if !x.is_finite() || !y.is_finite() {
            return;
        }
        let origin = *self.origin.get_or_insert(x);
        let index = self.index(x, origin);
        let point = Column {
            index,
            low: (x, y),
            high: (x, y),
        };
        match self.columns.last_mut() {
            Some(last) if last.index >= index => last.merge(&point),
            _ => {
                self.columns.push(point);
                if self.columns.len() > self.limit {
                    self.coarsen();
                }
            }
        }
    }

    fn index(&self, x: f64, origin: f64) -> u64 {
        let at = ((x - origin) / self.width).floor();
        // `as` saturates: a huge x lands in the last column there is.
        if at > 0.0 { at as u64 } else { 0 }
    }

    /// Doubles the width, merging each pair of neighbouring columns.
    fn coarsen(&mut self) {
        self.width *= 2.0;
        let mut merged: Vec<Column> = Vec::with_capacity(self.limit / 2 + 1);
        for column in &self.columns {
            let index = column.index / 2;
            match merged.last_mut() {
                Some(last) if last.index == index => last.merge(column),
                _ => merged.push(Column { index, ..*column }),
            }
        }
        self.columns = merged;
    }

    /// The points to draw, in order of x: each column's lowest and highest point.
    pub fn points(&self) -> Vec<Point> {
        let mut points = Vec::with_capacity(self.columns.len() * 2);
        for c in &self.columns {
            let (first, second) = if c.low.0 <= c.high.0 {
                (c.low, c.high)
            } else {
                (c.high, c.low)
            };
            points.push(first);
            if second != first {
                points.push(second);
            }
        }
        points
    }

    /// The lowest and highest y, if any point came.
    pub fn y_range(&self) -> Option<(f64, f64)> {
        self.columns.iter().fold(None, |range, c| {
            let (low, high) = range.unwrap_or((c.low.1, c.high.1));
            Some((low.min(c.low.1), high.max(c.high.1)))
        })
    }

    /// The first and last x, if any point came.
    pub fn x_range(&self) -> Option<(f64, f64)> {
        let first = self.columns.first()?;
        let last = self.columns.last()?;
        let x = |c: &Column| (c.low.0.min(c.high.0), c.low.0.max(c.high.0));
        Some((x(first).0, x(last).1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_series_keeps_every_point() {
        let mut columns = Columns::new(1.0, 100);
        for i in 0..50 {
            columns.push(i as f64, (i * i) as f64);
        }
        let points = columns.points();
        assert_eq!(points.len(), 50);
        assert_eq!(points[7], (7.0, 49.0));
    }

    #[test]
    fn a_long_series_stays_bounded_and_keeps_its_extremes() {
        let mut columns = Columns::new(1.0, 64);
        for i in 0..1_000_000u32 {
            // A spike that a plain subsample would miss.
            let y = if i == 777_777 { 1e6 } else { f64::from(i % 7) };
            columns.push(f64::from(i), y);
        }
        assert!(columns.columns.len() <= 64);
        assert!(columns.points().len() <= 128);
        assert_eq!(columns.y_range(), Some((0.0, 1e6)));
        assert!(columns.points().contains(&(777_777.0, 1e6)));
        assert_eq!(columns.x_range().map(|r| r.0), Some(0.0));
        let points = columns.points();
        assert!(points.windows(2).all(|w| w[0].0 <= w[1].0), "in order of x");
    }

    #[test]
    fn points_that_are_not_numbers_are_left_out() {
        let mut columns = Columns::new(1.0, 8);
        columns.push(f64::NAN, 1.0);
        columns.push(1.0, f64::INFINITY);
        assert!(columns.points().is_empty());
        assert_eq!(columns.y_range(), None);
    }
}

//! One field's history, bounded whatever the run's length: the last [`RECENT`] points as they
//! came, and before them [`COARSE`] buckets of [`BUCKET`] points each kept as their minimum and
//! maximum, so a zoomed-out window still shows every peak.

use std::collections::VecDeque;

/// Points kept as they came.
pub const RECENT: usize = 1024;
/// Points summarised by one coarse bucket.
pub const BUCKET: usize = 32;
/// Coarse buckets kept (older ones are forgotten).
pub const COARSE: usize = 1024;

/// A coarse bucket: the extremes of [`BUCKET`] consecutive points.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Bucket {
    /// Time of its first and last point.
    from: f64,
    to: f64,
    min: f64,
    max: f64,
}

impl Bucket {
    fn of(t: f64, v: f64) -> Self {
        Self {
            from: t,
            to: t,
            min: v,
            max: v,
        }
    }

    fn add(&mut self, t: f64, v: f64) {
        self.to = t;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }
}

/// The history of one numeric field: `(time in s, value)` points, oldest first.
///
/// ```
/// use ph_tap::sink::tui::Series;
/// let mut s = Series::default();
/// for i in 0..10_000 {
///     s.push(i as f64 * 0.001, (i % 100) as f64);
/// }
/// assert_eq!(s.latest(), Some(99.0));
/// // 20 columns over the last second: at most a minimum and a maximum per column.
/// let points = s.decimated(9.0, 10.0, 20);
/// assert!(points.len() <= 40);
/// assert_eq!(s.range(9.0, 10.0), Some((0.0, 99.0)));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Series {
    recent: VecDeque<(f64, f64)>,
    coarse: VecDeque<Bucket>,
    /// The bucket being filled from points leaving `recent`, and how many it has.
    filling: Option<(Bucket, usize)>,
}

impl Series {
    /// Adds a point; the oldest go into the coarse buckets, the oldest buckets are forgotten.
    pub fn push(&mut self, t: f64, v: f64) {
        if !v.is_finite() {
            return;
        }
        if self.recent.len() == RECENT
            && let Some((ot, ov)) = self.recent.pop_front()
        {
            self.retire(ot, ov);
        }
        self.recent.push_back((t, v));
    }

    fn retire(&mut self, t: f64, v: f64) {
        match &mut self.filling {
            Some((bucket, n)) => {
                bucket.add(t, v);
                *n += 1;
                if *n == BUCKET {
                    let full = *bucket;
                    self.filling = None;
                    if self.coarse.len() == COARSE {
                        self.coarse.pop_front();
                    }
                    self.coarse.push_back(full);
                }
            }
            None => self.filling = Some((Bucket::of(t, v), 1)),
        }
    }

    /// The newest value.
    pub fn latest(&self) -> Option<f64> {
        self.recent.back().map(|&(_, v)| v)
    }

    /// Every kept extreme as `(time, value)`: each bucket as its minimum and maximum (at its
    /// first and last time), then the recent points.
    fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        let buckets = self
            .coarse
            .iter()
            .chain(self.filling.iter().map(|(b, _)| b));
        buckets
            .flat_map(|b| [(b.from, b.min), (b.to, b.max)])
            .chain(self.recent.iter().copied())
    }

    /// The smallest and largest value between `from` and `to` (seconds).
    pub fn range(&self, from: f64, to: f64) -> Option<(f64, f64)> {
        self.points()
            .filter(|&(t, _)| t >= from && t <= to)
            .fold(None, |acc, (_, v)| match acc {
                None => Some((v, v)),
                Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
            })
    }

    /// The points between `from` and `to` for a chart `columns` wide: per column its minimum
    /// and maximum (in time order), so at most two points a column, whatever was received.
    pub fn decimated(&self, from: f64, to: f64, columns: usize) -> Vec<(f64, f64)> {
        let columns = columns.max(1);
        let span = (to - from).max(f64::MIN_POSITIVE);
        let mut cells: Vec<Option<[(f64, f64); 2]>> = vec![None; columns];
        for (t, v) in self.points().filter(|&(t, _)| t >= from && t <= to) {
            let col = (((t - from) / span) * columns as f64) as usize;
            let cell = &mut cells[col.min(columns - 1)];
            match cell {
                None => *cell = Some([(t, v), (t, v)]),
                Some([lo, hi]) => {
                    if v < lo.1 {
                        *lo = (t, v);
                    }
                    if v > hi.1 {
                        *hi = (t, v);
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(columns * 2);
        for [lo, hi] in cells.into_iter().flatten() {
            if lo == hi {
                out.push(lo);
            } else if lo.0 <= hi.0 {
                out.extend([lo, hi]);
            } else {
                out.extend([hi, lo]);
            }
        }
        out
    }

    /// Points kept, counting a coarse bucket as two (for the bound's test).
    pub fn kept(&self) -> usize {
        self.recent.len() + 2 * (self.coarse.len() + usize::from(self.filling.is_some()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_stays_bounded_and_old_peaks_survive_in_the_buckets() {
        let mut s = Series::default();
        let n = RECENT + BUCKET * COARSE * 2;
        for i in 0..n {
            let v = if i == RECENT + BUCKET * COARSE + 5 {
                1e6
            } else {
                1.0
            };
            s.push(i as f64, v);
        }
        assert!(s.kept() <= RECENT + 2 * (COARSE + 1), "{}", s.kept());
        // The peak left the recent points long ago, yet a zoomed-out window shows it.
        assert_eq!(s.range(0.0, n as f64), Some((1.0, 1e6)));
        let points = s.decimated(0.0, n as f64, 50);
        assert!(points.len() <= 100);
        assert!(points.iter().any(|&(_, v)| v == 1e6));
    }

    #[test]
    fn not_finite_values_are_not_charted() {
        let mut s = Series::default();
        s.push(0.0, f64::NAN);
        s.push(1.0, f64::INFINITY);
        assert_eq!(s.latest(), None);
        assert!(s.decimated(0.0, 1.0, 10).is_empty());
    }
}

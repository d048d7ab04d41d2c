//! One field's history, bounded whatever the run's length: the last [`RECENT`] points as they
//! came, and before them the whole run as at most [`COARSE`] buckets kept as their minimum and
//! maximum, so a zoomed-out window still shows every peak. A bucket holds [`BUCKET`] points at
//! first; when the buckets are all used, each two neighbours become one, twice as wide.

use std::collections::VecDeque;

/// Points kept as they came.
pub const RECENT: usize = 1024;
/// Points summarised by one coarse bucket at first.
pub const BUCKET: usize = 32;
/// Coarse buckets kept at most.
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

    /// This bucket and the next one as one.
    fn merge(self, next: Self) -> Self {
        Self {
            from: self.from,
            to: next.to,
            min: self.min.min(next.min),
            max: self.max.max(next.max),
        }
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
#[derive(Clone, Debug)]
pub struct Series {
    recent: VecDeque<(f64, f64)>,
    coarse: Vec<Bucket>,
    /// The bucket being filled from points leaving `recent`, and how many it has.
    filling: Option<(Bucket, usize)>,
    /// Points a bucket holds now ([`BUCKET`], doubled at each merge).
    per_bucket: usize,
}

impl Default for Series {
    fn default() -> Self {
        Self {
            recent: VecDeque::new(),
            coarse: Vec::new(),
            filling: None,
            per_bucket: BUCKET,
        }
    }
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
                if *n >= self.per_bucket {
                    let full = *bucket;
                    self.filling = None;
                    if self.coarse.len() == COARSE {
                        self.halve();
                    }
                    self.coarse.push(full);
                }
            }
            None => self.filling = Some((Bucket::of(t, v), 1)),
        }
    }

    /// Each two neighbouring buckets become one: half as many, twice as wide.
    fn halve(&mut self) {
        self.coarse = self
            .coarse
            .chunks(2)
            .map(|pair| match *pair {
                [a, b] => a.merge(b),
                [a] => a,
                _ => unreachable!("chunks(2) gives one or two"),
            })
            .collect();
        self.per_bucket *= 2;
    }

    /// The newest value.
    pub fn latest(&self) -> Option<f64> {
        self.recent.back().map(|&(_, v)| v)
    }

    /// Every kept bucket and point that overlaps `from..=to`, oldest first, as `(time, min,
    /// max)`: a bucket at the middle of its part in the window, a point as itself.
    fn within(&self, from: f64, to: f64) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        let buckets = self
            .coarse
            .iter()
            .chain(self.filling.iter().map(|(b, _)| b));
        buckets
            .filter(move |b| b.to >= from && b.from <= to)
            .map(move |b| ((b.from.max(from) + b.to.min(to)) / 2.0, b.min, b.max))
            .chain(
                self.recent
                    .iter()
                    .filter(move |&&(t, _)| t >= from && t <= to)
                    .map(|&(t, v)| (t, v, v)),
            )
    }

    /// The smallest and largest value between `from` and `to` (seconds).
    pub fn range(&self, from: f64, to: f64) -> Option<(f64, f64)> {
        self.within(from, to)
            .fold(None, |acc, (_, lo, hi)| match acc {
                None => Some((lo, hi)),
                Some((a, b)) => Some((f64::min(a, lo), f64::max(b, hi))),
            })
    }

    /// The points between `from` and `to` for a chart `columns` wide: per column its minimum
    /// and maximum (in time order), so at most two points a column, whatever was received.
    pub fn decimated(&self, from: f64, to: f64, columns: usize) -> Vec<(f64, f64)> {
        let columns = columns.max(1);
        let span = (to - from).max(f64::MIN_POSITIVE);
        let mut cells: Vec<Option<[(f64, f64); 2]>> = vec![None; columns];
        for (t, lo, hi) in self.within(from, to) {
            let col = (((t - from) / span) * columns as f64) as usize;
            let cell = &mut cells[col.min(columns - 1)];
            match cell {
                None => *cell = Some([(t, lo), (t, hi)]),
                Some([low, high]) => {
                    if lo < low.1 {
                        *low = (t, lo);
                    }
                    if hi > high.1 {
                        *high = (t, hi);
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
    fn memory_stays_bounded_and_the_whole_run_with_its_peaks_stays_in_the_buckets() {
        let mut s = Series::default();
        let n = RECENT + BUCKET * COARSE * 5;
        for i in 0..n {
            let v = if i == 5 { 1e6 } else { 1.0 };
            s.push(i as f64, v);
        }
        assert!(s.kept() <= RECENT + 2 * (COARSE + 1), "{}", s.kept());
        // The peak is the run's sixth point, yet a zoomed-out window shows it.
        assert_eq!(s.range(0.0, n as f64), Some((1.0, 1e6)));
        assert_eq!(
            s.range(0.0, 1.0),
            Some((1.0, 1e6)),
            "the first bucket starts at 0"
        );
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

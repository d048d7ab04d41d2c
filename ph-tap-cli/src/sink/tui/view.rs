//! What part of the run the dashboard shows: the window (its width, how far back it is
//! scrolled, frozen when paused) and the stream the number keys act on. The window is in
//! seconds, or, for a run without times (a raw capture, `--no-time`), in values received.

/// The window's width at the start, in seconds.
pub const DEFAULT_WINDOW: f64 = 10.0;
/// The narrowest window (zoomed in), in seconds.
pub const MIN_WINDOW: f64 = 0.1;
/// The widest window (zoomed out), in seconds.
pub const MAX_WINDOW: f64 = 3600.0;
/// The window's width at the start, in values, for a run without times.
pub const DEFAULT_VALUES: f64 = 1000.0;
/// The narrowest window in values.
pub const MIN_VALUES: f64 = 10.0;
/// The widest window in values.
pub const MAX_VALUES: f64 = 1e8;

/// What the window's axis counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Axis {
    /// Seconds since the run started (arrival times, or a capture's recorded times).
    #[default]
    Seconds,
    /// Values received, in order (a run whose records carry no time).
    Values,
}

impl Axis {
    /// A position on the axis as the panes write it: `12.5 s`, `1200 values`.
    ///
    /// ```
    /// use ph_tap::sink::tui::view::Axis;
    /// assert_eq!(Axis::Seconds.label(12.5), "12.5 s");
    /// assert_eq!(Axis::Seconds.label(0.25), "0.25 s");
    /// assert_eq!(Axis::Values.label(1200.0), "1200 values");
    /// ```
    pub fn label(self, x: f64) -> String {
        match self {
            Self::Seconds if x != 0.0 && x.abs() < 1.0 => format!("{x:.2} s"),
            Self::Seconds => format!("{x:.1} s"),
            Self::Values => format!("{x:.0} values"),
        }
    }

    fn limits(self) -> (f64, f64) {
        match self {
            Self::Seconds => (MIN_WINDOW, MAX_WINDOW),
            Self::Values => (MIN_VALUES, MAX_VALUES),
        }
    }
}

/// The view's state, changed by the keys.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    /// The window's width, in seconds.
    pub window: f64,
    /// How far the window's end is scrolled back from the newest time, in seconds.
    pub back: f64,
    /// Paused at this time: the window stays where it was while the counters go on.
    pub paused_at: Option<f64>,
    /// The stream the number keys pick fields of (an index into the streams).
    pub focus: usize,
    /// What the window counts.
    pub axis: Axis,
}

impl Default for View {
    fn default() -> Self {
        Self {
            window: DEFAULT_WINDOW,
            back: 0.0,
            paused_at: None,
            focus: 0,
            axis: Axis::Seconds,
        }
    }
}

/// A time window, in seconds: what the charts and the loss timeline show.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// Its start.
    pub from: f64,
    /// Its end.
    pub to: f64,
}

impl Window {
    /// The column of time `t` on a row `width` cells wide showing this window, `None` outside
    /// it: the cell whose span holds `t` (the end belongs to the last cell).
    ///
    /// ```
    /// use ph_tap::sink::tui::Window;
    /// let w = Window { from: 0.0, to: 10.0 };
    /// assert_eq!(w.column(0.0, 50), Some(0));
    /// assert_eq!(w.column(5.0, 50), Some(25));
    /// assert_eq!(w.column(10.0, 50), Some(49));
    /// assert_eq!(w.column(10.5, 50), None);
    /// ```
    pub fn column(&self, t: f64, width: usize) -> Option<usize> {
        if width == 0 || !(self.from..=self.to).contains(&t) {
            return None;
        }
        let span = (self.to - self.from).max(f64::MIN_POSITIVE);
        let col = ((t - self.from) / span * width as f64) as usize;
        Some(col.min(width - 1))
    }
}

impl View {
    /// The view of a run without times: the window counts values.
    pub fn by_values() -> Self {
        Self {
            window: DEFAULT_VALUES,
            axis: Axis::Values,
            ..Self::default()
        }
    }

    /// The window shown when the newest time is `now`: `window` seconds ending `back` seconds
    /// before `now` (or before the pause), never starting before 0.
    ///
    /// ```
    /// use ph_tap::sink::tui::{View, Window};
    /// let view = View::default();
    /// assert_eq!(view.shown(3.0), Window { from: 0.0, to: 10.0 });
    /// assert_eq!(view.shown(25.0), Window { from: 15.0, to: 25.0 });
    /// ```
    pub fn shown(&self, now: f64) -> Window {
        let end = self.paused_at.unwrap_or(now) - self.back;
        let to = end.max(self.window);
        Window {
            from: to - self.window,
            to,
        }
    }

    /// Halves the window (`+`).
    pub fn zoom_in(&mut self) {
        self.window = (self.window / 2.0).max(self.axis.limits().0);
    }

    /// Doubles the window (`-`).
    pub fn zoom_out(&mut self) {
        self.window = (self.window * 2.0).min(self.axis.limits().1);
    }

    /// Scrolls a quarter of a window back in time (left), never before the run started.
    pub fn scroll_back(&mut self, now: f64) {
        let end = self.paused_at.unwrap_or(now);
        self.back = (self.back + self.window / 4.0).min((end - self.window).max(0.0));
    }

    /// Scrolls a quarter of a window forward (right), at most to the newest time.
    pub fn scroll_forward(&mut self) {
        self.back = (self.back - self.window / 4.0).max(0.0);
    }

    /// Pauses at `now`, or goes on following the newest time.
    pub fn toggle_pause(&mut self, now: f64) {
        self.paused_at = match self.paused_at {
            Some(_) => None,
            None => Some(now),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_scroll_and_pause_move_the_window() {
        let mut v = View::default();
        v.zoom_in();
        assert_eq!(
            v.shown(100.0),
            Window {
                from: 95.0,
                to: 100.0
            }
        );
        v.scroll_back(100.0);
        assert_eq!(v.shown(100.0).to, 98.75);
        v.toggle_pause(100.0);
        assert_eq!(v.shown(200.0).to, 98.75, "paused: the window stays");
        v.toggle_pause(200.0);
        v.scroll_forward();
        v.scroll_forward();
        assert_eq!(v.shown(200.0).to, 200.0, "never past the newest time");
        for _ in 0..30 {
            v.zoom_out();
        }
        assert_eq!(v.window, MAX_WINDOW);
        for _ in 0..30 {
            v.zoom_in();
        }
        assert_eq!(v.window, MIN_WINDOW);
        let mut v = View::default();
        v.scroll_back(3.0);
        assert_eq!(v.back, 0.0, "nothing before the start to scroll to");
        let mut v = View::by_values();
        assert_eq!(
            v.shown(50.0),
            Window {
                from: 0.0,
                to: 1000.0
            }
        );
        for _ in 0..30 {
            v.zoom_in();
        }
        assert_eq!(v.window, MIN_VALUES);
    }
}

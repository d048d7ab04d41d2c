//! The dashboard's keys: what each does to the [`Dashboard`].

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::state::Dashboard;

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `q`, `Esc`, `Ctrl-C`: leave.
    Quit,
    /// `p`, space: pause or go on.
    Pause,
    /// `+` (or `=`): a narrower window.
    ZoomIn,
    /// `-`: a wider window.
    ZoomOut,
    /// Left arrow (or `h`): back in time.
    Back,
    /// Right arrow (or `l`): forward in time.
    Forward,
    /// Tab: the next stream's fields for the number keys.
    NextStream,
    /// `1`..`9`: chart or hide that field of the focused stream.
    Field(usize),
    /// `a`: chart every field of the focused stream, or none when all are charted.
    AllFields,
}

impl Action {
    /// The action of a key press; `None` for other keys and for releases.
    ///
    /// ```
    /// use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    /// use ph_tap::sink::tui::Action;
    /// let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    /// assert_eq!(Action::of(key(KeyCode::Char('q'))), Some(Action::Quit));
    /// assert_eq!(Action::of(key(KeyCode::Char('3'))), Some(Action::Field(2)));
    /// assert_eq!(Action::of(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Action::Quit));
    /// assert_eq!(Action::of(key(KeyCode::Char('x'))), None);
    /// ```
    pub fn of(key: KeyEvent) -> Option<Self> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            return matches!(key.code, KeyCode::Char('c' | 'C')).then_some(Self::Quit);
        }
        Some(match key.code {
            KeyCode::Char('q' | 'Q') | KeyCode::Esc => Self::Quit,
            KeyCode::Char('p' | 'P' | ' ') => Self::Pause,
            KeyCode::Char('+' | '=') => Self::ZoomIn,
            KeyCode::Char('-' | '_') => Self::ZoomOut,
            KeyCode::Left | KeyCode::Char('h') => Self::Back,
            KeyCode::Right | KeyCode::Char('l') => Self::Forward,
            KeyCode::Tab => Self::NextStream,
            KeyCode::Char(c @ '1'..='9') => Self::Field(usize::from(c as u8 - b'1')),
            KeyCode::Char('a' | 'A') => Self::AllFields,
            _ => return None,
        })
    }

    /// Does it to `dashboard` (everything but [`Quit`](Self::Quit), which the sink handles).
    pub fn apply(self, dashboard: &mut Dashboard) {
        let now = dashboard.now;
        let view = &mut dashboard.view;
        match self {
            Self::Quit => {}
            Self::Pause => view.toggle_pause(now),
            Self::ZoomIn => view.zoom_in(),
            Self::ZoomOut => view.zoom_out(),
            Self::Back => view.scroll_back(now),
            Self::Forward => view.scroll_forward(),
            Self::NextStream => dashboard.next_stream(),
            Self::Field(n) => dashboard.toggle_field(n),
            Self::AllFields => dashboard.toggle_all_fields(),
        }
    }
}

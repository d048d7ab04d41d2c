//! The real terminal: raw mode and the alternate screen, given back on every way out (the
//! screen dropped, an error, a panic), and the keys read without waiting.

use std::io::{self, IsTerminal, Stdout};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::event::{self, Event};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

use super::keys::Action;
use super::render;
use super::state::Dashboard;

/// The terminal is in raw mode on the alternate screen (what [`restore`] undoes).
static ACTIVE: AtomicBool = AtomicBool::new(false);
static PANIC_HOOK: Once = Once::new();

/// Fails, with the one line that says what to do, unless stdout is a terminal.
pub fn check_terminal() -> Result<()> {
    if !io::stdout().is_terminal() {
        bail!(
            "--tui needs a terminal: stdout is a pipe or a file, use --format json to pipe (or run in a terminal)"
        );
    }
    Ok(())
}

/// Whether the dashboard is on the terminal: false before [`Screen::enter`], after the screen
/// is dropped, and after a panic on any thread gave the terminal back (the dashboard then draws
/// no more, so that the panic's message stays readable).
pub fn active() -> bool {
    ACTIVE.load(Ordering::SeqCst)
}

/// Gives the terminal back: leaves raw mode and the alternate screen, shows the cursor. Does
/// nothing when the dashboard is not shown (it is called from every way out).
fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = disable_raw_mode();
        let _ = execute!(io::stdout(), LeaveAlternateScreen, Show);
    }
}

/// What the keys pressed since the last look asked for.
#[derive(Debug, Default)]
pub struct Input {
    /// The actions, in order.
    pub actions: Vec<Action>,
    /// The terminal was resized: draw again at once.
    pub resized: bool,
}

/// The dashboard's screen, on the terminal from [`enter`](Self::enter) until it is dropped.
pub struct Screen {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Screen {
    /// Takes the terminal: raw mode (the keys come one by one, Ctrl-C as a key), the
    /// alternate screen, no cursor. A panic from here on gives the terminal back before its
    /// message is printed.
    pub fn enter() -> Result<Self> {
        check_terminal()?;
        PANIC_HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                restore();
                previous(info);
            }));
        });
        enable_raw_mode().context(
            "--tui cannot put the terminal in raw mode: run in a terminal, or use --format json",
        )?;
        ACTIVE.store(true, Ordering::SeqCst);
        let mut stdout = io::stdout();
        let screen = execute!(stdout, EnterAlternateScreen, Hide)
            .context("--tui cannot switch to the alternate screen: run in a terminal, or use --format json")
            .and_then(|()| {
                Terminal::new(CrosstermBackend::new(stdout))
                    .context("--tui cannot size the terminal: run in a terminal, or use --format json")
            });
        match screen {
            Ok(terminal) => Ok(Self { terminal }),
            Err(err) => {
                restore();
                Err(err)
            }
        }
    }

    /// Draws `dashboard` (at the terminal's size now: a resize is followed at the next draw);
    /// nothing once a panic gave the terminal back.
    pub fn draw(&mut self, dashboard: &Dashboard) -> Result<()> {
        if !active() {
            return Ok(());
        }
        self.terminal
            .draw(|frame| render::draw(frame, dashboard))
            .context(
                "cannot draw the dashboard (terminal gone?): run again, or use --format json",
            )?;
        Ok(())
    }

    /// The keys pressed, waiting at most `wait` for the first; none once a panic gave the
    /// terminal back.
    pub fn input(&mut self, wait: Duration) -> Result<Input> {
        let mut input = Input::default();
        if !active() {
            return Ok(input);
        }
        let mut wait = wait;
        while event::poll(wait).context("cannot read the keys of the terminal: run again")? {
            wait = Duration::ZERO;
            match event::read().context("cannot read the keys of the terminal: run again")? {
                Event::Key(key) => input.actions.extend(Action::of(key)),
                Event::Resize(..) => input.resized = true,
                _ => {}
            }
        }
        Ok(input)
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore();
    }
}

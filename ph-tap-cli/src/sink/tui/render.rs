//! Draws a [`Dashboard`] into a ratatui frame: nothing here changes it, so what is drawn is
//! tested through ratatui's `TestBackend` without a terminal.
//!
//! ```text
//! ph-tap dashboard  live  window 10.0 s  12.0 KiB             header: state, window, bytes
//! 1200 frames 100/s  ring drops 3  link losses 0 ...          the totals
//! ┌ charts: one per charted field ──────────┐ streams: counters, rates
//! │                                         │ fields of the focused stream: latest values
//! losses 0.0 .. 10.0 s ─────────────────────── one row per kind, a mark at each loss's time
//! log ──────────────────────────────────────── the newest log, loss and warning lines
//! q quit  p pause  +/- zoom  ...               the keys
//! ```

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph};

use super::state::{Dashboard, LossKind, StreamState};
use super::view::Window;

/// The width of the loss timeline's row labels (`corrupt` and a space).
pub const LABEL_WIDTH: u16 = 8;
/// The width of the side panel (streams and fields).
const SIDE_WIDTH: u16 = 30;
/// The fewest rows a chart is drawn in (its title and three rows of plot).
const CHART_ROWS: u16 = 4;
/// The keys, as the footer shows them.
pub const KEYS: &str =
    "q quit  p pause  +/- zoom  \u{2190}/\u{2192} scroll  tab stream  1-9 fields  a all";

/// Where each pane is on a screen of `area`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Panes {
    /// The header: state and totals.
    pub header: Rect,
    /// The charts.
    pub charts: Rect,
    /// The streams and fields.
    pub side: Rect,
    /// The loss timeline (its title row, then one row per [`LossKind`]).
    pub losses: Rect,
    /// The log lines (its title row, then the lines).
    pub log: Rect,
    /// The keys.
    pub footer: Rect,
}

impl Panes {
    /// The layout of a screen: usable from 80×24 up; a larger screen gives the charts and the
    /// log pane more room.
    pub fn of(area: Rect) -> Self {
        let log_rows = 4 + area.height.saturating_sub(24) / 4;
        let [header, main, losses, log, footer] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(CHART_ROWS),
            Constraint::Length(1 + LossKind::ALL.len() as u16),
            Constraint::Length(log_rows),
            Constraint::Length(1),
        ])
        .areas(area);
        let [charts, side] =
            Layout::horizontal([Constraint::Min(20), Constraint::Length(SIDE_WIDTH)]).areas(main);
        Self {
            header,
            charts,
            side,
            losses,
            log,
            footer,
        }
    }
}

/// Draws the whole dashboard.
pub fn draw(frame: &mut Frame<'_>, d: &Dashboard) {
    let panes = Panes::of(frame.area());
    let window = d.view.shown(d.now);
    header(frame, panes.header, d);
    charts(frame, panes.charts, d, window);
    side(frame, panes.side, d);
    losses(frame, panes.losses, d, window);
    log(frame, panes.log, d);
    frame.render_widget(Paragraph::new(KEYS.dim()), panes.footer);
}

fn header(frame: &mut Frame<'_>, area: Rect, d: &Dashboard) {
    let state = match (&d.ended, d.view.paused_at) {
        (Some(note), _) => Span::styled(
            format!("{note}: q to leave"),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ),
        (None, Some(_)) => Span::styled("PAUSED", Style::new().fg(Color::Yellow).bold()),
        (None, None) => Span::styled("live", Style::new().fg(Color::Green)),
    };
    let mut first = vec![
        Span::styled("ph-tap dashboard", Style::new().bold()),
        Span::raw("  "),
        state,
        Span::raw(format!("  window {}", d.view.axis.label(d.view.window))),
    ];
    if d.view.back > 0.0 {
        first.push(Span::raw(format!(
            ", {} back",
            d.view.axis.label(d.view.back)
        )));
    }
    first.push(Span::raw(format!("  {}", bytes(d))));
    let totals = totals(d);
    frame.render_widget(
        Paragraph::new(vec![Line::from(first), Line::from(totals)]),
        area,
    );
}

/// The totals in one line that fits 80 columns: `1519 frames 574/s  ring drops 445  link
/// losses 38  corrupt 14  resets 1` (ring drops with the refusals of a full queue).
pub fn totals(d: &Dashboard) -> String {
    let c = d.counts();
    let secs = d.stats.elapsed.as_secs_f64().max(1e-3);
    format!(
        "{} frames {:.0}/s  ring drops {}  link losses {}  corrupt {}  resets {}",
        c.frames,
        c.frames as f64 / secs,
        c.ring_drops + c.refused,
        c.link_losses,
        c.corrupt_frames,
        c.resets
    )
}

/// The bytes received: `17.1 KiB`.
fn bytes(d: &Dashboard) -> String {
    crate::sink::summary::human_bytes(d.stats.bytes as f64)
}

/// The colours of the charts, one per charted field in turn.
const COLORS: [Color; 6] = [
    Color::Cyan,
    Color::Green,
    Color::Magenta,
    Color::Yellow,
    Color::Blue,
    Color::Red,
];

fn charts(frame: &mut Frame<'_>, area: Rect, d: &Dashboard, window: Window) {
    let shown: Vec<(&StreamState, usize)> = d
        .streams
        .iter()
        .flat_map(|s| {
            s.fields
                .iter()
                .enumerate()
                .filter(|(_, f)| f.shown)
                .map(move |(i, _)| (s, i))
        })
        .collect();
    if shown.is_empty() {
        let text = if d.streams.is_empty() {
            "waiting for values..."
        } else {
            "no field charted: tab picks a stream, 1-9 its fields"
        };
        frame.render_widget(
            Paragraph::new(text.dim()).block(Block::new().borders(Borders::TOP).title("charts")),
            area,
        );
        return;
    }
    let fit = usize::from((area.height / CHART_ROWS).max(1));
    let drawn = shown.len().min(fit);
    let rows = Layout::vertical(vec![Constraint::Ratio(1, drawn as u32); drawn]).split(area);
    for (k, (&(stream, i), row)) in shown.iter().zip(rows.iter()).enumerate() {
        let more = if k + 1 == drawn && shown.len() > drawn {
            format!(" (+{} more)", shown.len() - drawn)
        } else {
            String::new()
        };
        chart(
            frame,
            *row,
            stream,
            i,
            window,
            COLORS[k % COLORS.len()],
            &more,
        );
    }
}

fn chart(
    frame: &mut Frame<'_>,
    area: Rect,
    stream: &StreamState,
    i: usize,
    window: Window,
    color: Color,
    more: &str,
) {
    let field = &stream.fields[i];
    let latest = field.series.latest().map_or(String::new(), number);
    let title = Line::from(vec![
        Span::styled(
            format!("{} {}", stream.label, field.name),
            Style::new().fg(color).bold(),
        ),
        Span::raw(format!(" {latest}{more}")),
    ]);
    let (lo, hi) = field
        .series
        .range(window.from, window.to)
        .map_or((0.0, 1.0), |(lo, hi)| {
            if hi > lo {
                (lo, hi)
            } else {
                (lo - 1.0, hi + 1.0)
            }
        });
    let points = field
        .series
        .decimated(window.from, window.to, usize::from(area.width) * 2);
    let data = Dataset::default()
        .marker(Marker::Braille)
        .graph_type(GraphType::Line)
        .style(Style::new().fg(color))
        .data(&points);
    let widget = Chart::new(vec![data])
        .block(Block::new().borders(Borders::TOP).title(title))
        .x_axis(Axis::default().bounds([window.from, window.to]))
        .y_axis(
            Axis::default()
                .bounds([lo, hi])
                .labels([number(lo), number(hi)])
                .style(Style::new().dim()),
        );
    frame.render_widget(widget, area);
}

/// A value as the panes show it: whole numbers without decimals.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn side(frame: &mut Frame<'_>, area: Rect, d: &Dashboard) {
    let mut lines = vec![Line::from("streams".bold())];
    let focus = d.view.focus % d.streams.len().max(1);
    for (k, s) in d.streams.iter().enumerate() {
        let mark = if k == focus { "\u{25b6}" } else { " " };
        lines.push(Line::from(vec![
            Span::raw(format!("{mark}{} ", s.label)).bold(),
            Span::raw(format!("{} ({:.0}/s)", s.frames, s.rate())),
        ]));
        let mut counters = format!("  drop {} link {}", s.dropped, s.link_lost);
        if let Some(seq) = s.last_seq {
            counters += &format!(" seq {seq}");
        }
        lines.push(Line::from(counters).dim());
    }
    if let Some(s) = d.focused() {
        lines.push(Line::from(format!("fields of {}", s.label).bold()));
        if s.fields.is_empty() && !s.last_text.is_empty() {
            lines.push(Line::from(format!("  {}", s.last_text)));
        }
        for (i, f) in s.fields.iter().enumerate() {
            let key = if i < 9 {
                char::from(b'1' + i as u8)
            } else {
                ' '
            };
            let check = if f.shown { "x" } else { " " };
            let latest = f.series.latest().map_or(String::new(), number);
            lines.push(Line::from(format!("[{check}]{key} {} {latest}", f.name)));
        }
    }
    frame.render_widget(
        Paragraph::new(lines).block(Block::new().borders(Borders::LEFT)),
        area,
    );
}

/// The colour of a kind of loss's marks.
fn loss_color(kind: LossKind) -> Color {
    match kind {
        LossKind::Ring | LossKind::Link => Color::Red,
        LossKind::Corrupt => Color::Yellow,
        LossKind::Reset => Color::Magenta,
    }
}

/// The marks of one row of the timeline, `width` cells: `|` where a loss of `kind` was, `·`
/// elsewhere.
pub fn timeline_row(d: &Dashboard, kind: LossKind, window: Window, width: usize) -> String {
    let mut cells = vec!['\u{b7}'; width];
    for mark in d.marks.iter().filter(|m| m.kind == kind) {
        if let Some(col) = window.column(mark.at, width) {
            cells[col] = '|';
        }
    }
    cells.into_iter().collect()
}

fn losses(frame: &mut Frame<'_>, area: Rect, d: &Dashboard, window: Window) {
    let axis = d.view.axis;
    let title = format!(
        "losses {} .. {}",
        axis.label(window.from),
        axis.label(window.to)
    );
    let width = usize::from(area.width.saturating_sub(LABEL_WIDTH));
    let lines: Vec<Line> = LossKind::ALL
        .iter()
        .map(|&kind| {
            let count: u64 = d
                .marks
                .iter()
                .filter(|m| m.kind == kind)
                .map(|m| m.count)
                .sum();
            let label = format!("{:<w$}", kind.label(), w = usize::from(LABEL_WIDTH));
            let style = if count > 0 {
                Style::new().fg(loss_color(kind))
            } else {
                Style::new().dim()
            };
            Line::from(vec![
                Span::raw(label),
                Span::styled(timeline_row(d, kind, window, width), style),
            ])
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(Block::new().borders(Borders::TOP).title(title)),
        area,
    );
}

fn log(frame: &mut Frame<'_>, area: Rect, d: &Dashboard) {
    let rows = usize::from(area.height.saturating_sub(1));
    let skip = d.logs.len().saturating_sub(rows);
    let lines: Vec<Line> = d
        .logs
        .iter()
        .skip(skip)
        .map(|l| Line::from(l.as_str()))
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(Block::new().borders(Borders::TOP).title("log")),
        area,
    );
}

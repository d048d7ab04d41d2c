//! The `--tui` dashboard drawn through ratatui's `TestBackend`: the panes, the counters and
//! charts, and each loss mark at the column of its time, at 80×24 and larger, and after the
//! keys moved the window.

use std::time::Duration;

use ph_eventing_wire::accounting::Event;
use ph_eventing_wire::frame::parse_frame;
use ph_tap::record::{Body, ChannelId, Origin, Record};
use ph_tap::sink::Stats;
use ph_tap::sink::tui::render::{LABEL_WIDTH, Panes, draw, timeline_row};
use ph_tap::sink::tui::{Action, Dashboard, LossKind};
use ph_tap::stream::StreamTag;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

fn record(secs: f64, channel: ChannelId, stream: Option<StreamTag>, body: Body) -> Record {
    Record {
        origin: Origin {
            channel,
            stream,
            board: None,
        },
        at: Some(Duration::from_secs_f64(secs)),
        body,
    }
}

fn samples() -> Option<StreamTag> {
    Some(StreamTag::new(0, "samples").shared(true))
}

/// 50 values of `samples` over 0..5 s, a second stream, a link loss at 5 s, a corrupt frame at
/// 2.5 s, a reset at 7.5 s; the clock at 8 s.
fn dashboard() -> Dashboard {
    let mut d = Dashboard::default();
    for i in 0..50u32 {
        let value = serde_json::json!({"temp": 20 + i % 7, "pos": {"x": i, "y": -(i as i64)}});
        d.record(&record(
            f64::from(i) * 0.1,
            0,
            samples(),
            Body::Value { seq: i + 1, value },
        ));
    }
    d.record(&record(
        1.0,
        0,
        Some(StreamTag::new(1, "battery").shared(true)),
        Body::Value {
            seq: 1,
            value: serde_json::json!({"millivolts": 4100}),
        },
    ));
    d.record(&record(
        5.0,
        0,
        samples(),
        Body::Event(Event::LinkLoss {
            count: 4,
            first_seq: 51,
            last_seq: 54,
        }),
    ));
    let corrupt = parse_frame(&[0x01, 0x02, 0x03]).expect_err("not a frame");
    d.record(&record(2.5, 0, None, Body::Rejected(corrupt)));
    d.record(&record(
        7.5,
        0,
        samples(),
        Body::Event(Event::TargetReset { boot_id: None }),
    ));
    d.tick(&Stats {
        bytes: 4096,
        elapsed: Duration::from_secs(8),
        ..Stats::default()
    });
    d
}

/// The screen as lines of text.
fn screen(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    let width = usize::from(buffer.area.width);
    buffer
        .content()
        .chunks(width)
        .map(|row| row.iter().map(|cell| cell.symbol()).collect())
        .collect()
}

fn render(terminal: &mut Terminal<TestBackend>, d: &Dashboard) -> Vec<String> {
    terminal.draw(|frame| draw(frame, d)).unwrap();
    screen(terminal)
}

/// The columns (on the screen) of the marks of the timeline row of `kind`.
fn marks(lines: &[String], panes: Panes, kind: LossKind) -> Vec<usize> {
    let row =
        usize::from(panes.losses.y) + 1 + LossKind::ALL.iter().position(|&k| k == kind).unwrap();
    let line = &lines[row];
    assert!(line.starts_with(kind.label()), "row {row}: {line}");
    line.chars()
        .enumerate()
        .filter(|&(_, c)| c == '|')
        .map(|(i, _)| i)
        .collect()
}

/// The screen column of time `t` in the 0..10 s window of a screen `width` wide.
fn column(t: f64, from: f64, to: f64, width: u16) -> usize {
    let cells = f64::from(width - LABEL_WIDTH);
    usize::from(LABEL_WIDTH) + ((t - from) / (to - from) * cells) as usize
}

fn assert_panes(lines: &[String]) {
    let all = lines.join("\n");
    for text in [
        "ph-tap dashboard",
        "live",
        "window 10.0 s",
        "streams",
        "samples temp",
        "losses 0.0 s .. 10.0 s",
        "log",
        "q quit",
        "fields of samples",
        "[x]1 temp 20",
        "[ ]2 pos.x 49",
        "50 (",
        "drop 0 link 4 seq 50",
        "battery",
        "link losses 0",
        "samples: LINK LOSS 4 (seq 51..54)",
        "samples: TARGET RESET",
    ] {
        assert!(all.contains(text), "{text:?} is not on the screen:\n{all}");
    }
}

#[test]
fn the_dashboard_shows_charts_counters_and_each_loss_at_its_time() {
    let d = dashboard();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let lines = render(&mut terminal, &d);
    assert_panes(&lines);
    let panes = Panes::of(Rect::new(0, 0, 80, 24));
    assert_eq!(
        marks(&lines, panes, LossKind::Link),
        [column(5.0, 0.0, 10.0, 80)]
    );
    assert_eq!(
        marks(&lines, panes, LossKind::Link),
        [LABEL_WIDTH as usize + 36]
    );
    assert_eq!(
        marks(&lines, panes, LossKind::Corrupt),
        [column(2.5, 0.0, 10.0, 80)]
    );
    assert_eq!(
        marks(&lines, panes, LossKind::Reset),
        [column(7.5, 0.0, 10.0, 80)]
    );
    assert!(marks(&lines, panes, LossKind::Ring).is_empty());
    // A chart is drawn: braille dots in the chart pane.
    let chart_rows = &lines[usize::from(panes.charts.y)..usize::from(panes.charts.bottom())];
    assert!(
        chart_rows
            .iter()
            .any(|l| l.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c))),
        "no plotted point:\n{}",
        lines.join("\n")
    );
}

#[test]
fn a_resize_lays_the_dashboard_out_again_and_the_marks_follow() {
    let d = dashboard();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let lines = render(&mut terminal, &d);
    assert_panes(&lines);
    let big = Panes::of(Rect::new(0, 0, 120, 40));
    assert_eq!(
        marks(&lines, big, LossKind::Link),
        [column(5.0, 0.0, 10.0, 120)]
    );
    assert!(
        big.log.height > 4,
        "a taller screen gives the log more rows"
    );

    terminal.backend_mut().resize(80, 24);
    let lines = render(&mut terminal, &d);
    assert_eq!(lines.len(), 24);
    assert!(lines.iter().all(|l| l.chars().count() == 80));
    assert_panes(&lines);
    let small = Panes::of(Rect::new(0, 0, 80, 24));
    assert_eq!(
        marks(&lines, small, LossKind::Link),
        [column(5.0, 0.0, 10.0, 80)]
    );
}

#[test]
fn zoom_pause_scroll_and_fields_change_what_is_drawn() {
    let mut d = dashboard();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let panes = Panes::of(Rect::new(0, 0, 80, 24));

    // Zoomed in: 5 s ending at the clock (8 s), so the loss at 5 s is 2/5 of the way.
    Action::ZoomIn.apply(&mut d);
    let lines = render(&mut terminal, &d);
    assert!(lines[0].contains("window 5.0 s"), "{}", lines[0]);
    assert_eq!(
        marks(&lines, panes, LossKind::Link),
        [column(5.0, 3.0, 8.0, 80)]
    );
    assert!(
        marks(&lines, panes, LossKind::Corrupt).is_empty(),
        "2.5 s is out of the window"
    );

    // Scrolled back a quarter window: 1.75 .. 6.75 s; the corrupt frame is back, the reset not.
    Action::Back.apply(&mut d);
    let lines = render(&mut terminal, &d);
    assert_eq!(
        marks(&lines, panes, LossKind::Corrupt),
        [column(2.5, 1.75, 6.75, 80)]
    );
    assert!(marks(&lines, panes, LossKind::Reset).is_empty());

    Action::Pause.apply(&mut d);
    let lines = render(&mut terminal, &d);
    assert!(lines[0].contains("PAUSED"), "{}", lines[0]);

    // Field 2 (pos.x) of the focused stream charted too; tab moves to the next stream.
    Action::Field(1).apply(&mut d);
    let lines = render(&mut terminal, &d).join("\n");
    assert!(lines.contains("samples pos.x 49"), "{lines}");
    assert!(lines.contains("[x]2 pos.x"), "{lines}");
    // All fields of samples charted: three charts do not fit in the 12 rows, so the last one
    // says how many more there are.
    Action::AllFields.apply(&mut d);
    let lines = render(&mut terminal, &d).join("\n");
    assert!(lines.contains("[x]3 pos.y"), "{lines}");
    assert!(lines.contains("more)"), "{lines}");
    Action::AllFields.apply(&mut d);
    let lines = render(&mut terminal, &d).join("\n");
    assert!(lines.contains("[ ]1 temp"), "{lines}");
    assert!(
        lines.contains("battery millivolts"),
        "the other stream's chart stays: {lines}"
    );
    Action::NextStream.apply(&mut d);
    let lines = render(&mut terminal, &d).join("\n");
    assert!(lines.contains("fields of battery"), "{lines}");
    assert!(lines.contains("[x]1 millivolts 4100"), "{lines}");
}

#[test]
fn the_timeline_row_is_the_window_in_cells() {
    let d = dashboard();
    let window = d.view.shown(d.now);
    let row = timeline_row(&d, LossKind::Link, window, 10);
    assert_eq!(
        row,
        "\u{b7}\u{b7}\u{b7}\u{b7}\u{b7}|\u{b7}\u{b7}\u{b7}\u{b7}"
    );
}

#[test]
fn an_empty_dashboard_says_it_waits_and_a_tiny_screen_does_not_panic() {
    let d = Dashboard::default();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let lines = render(&mut terminal, &d).join("\n");
    assert!(lines.contains("waiting for values"), "{lines}");
    for (w, h) in [(1, 1), (10, 3), (30, 8)] {
        terminal.backend_mut().resize(w, h);
        render(&mut terminal, &dashboard());
    }
}

#[test]
fn without_times_the_window_counts_values_and_a_loss_sits_after_its_value() {
    let mut d = Dashboard::by_values();
    let untimed = |body| Record {
        origin: Origin::channel(0),
        at: None,
        body,
    };
    for i in 0..200u32 {
        if i == 100 {
            d.record(&untimed(Body::Event(Event::RingDrop {
                count: 7,
                first_seq: 101,
                last_seq: 107,
            })));
        }
        let value = serde_json::json!({"millivolts": i * 10});
        d.record(&untimed(Body::Value { seq: i + 1, value }));
    }
    d.tick(&Stats {
        elapsed: Duration::from_millis(3),
        ..Stats::default()
    });
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let panes = Panes::of(Rect::new(0, 0, 80, 24));
    let lines = render(&mut terminal, &d);
    let all = lines.join("\n");
    for text in [
        "window 1000 values",
        "losses 0 values .. 1000 values",
        "channel 0 millivolts 1990",
        "drop 7 link 0 seq 200",
    ] {
        assert!(all.contains(text), "{text:?} is not on the screen:\n{all}");
    }
    assert_eq!(
        marks(&lines, panes, LossKind::Ring),
        [column(100.0, 0.0, 1000.0, 80)]
    );
    Action::ZoomIn.apply(&mut d);
    Action::ZoomIn.apply(&mut d);
    let lines = render(&mut terminal, &d);
    assert!(lines[0].contains("window 250 values"), "{}", lines[0]);
    assert_eq!(
        marks(&lines, panes, LossKind::Ring),
        [column(100.0, 0.0, 250.0, 80)]
    );
}

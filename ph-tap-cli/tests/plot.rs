//! `ph-tap plot`: the SVG parsed and checked against what `ph-tap decode --format json` reports
//! for the same capture (a line per numeric field, a shaded range per loss and none
//! elsewhere), the PNG decoded, and the one-line errors.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use ph_tap::capture::CaptureWriter;
use ph_tap::channel::Channel;
use ph_tap::plot::{LossKind, PALETTE, SHADE};
use plotters::style::RGBColor;
use serde_json::Value;

fn ph_tap(args: &[&str]) -> Output {
    Command::cargo_bin("ph-tap")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Runs `ph-tap plot CAPTURE -o OUT extra...`, which must succeed; returns OUT's bytes.
fn plot(capture: &Path, out: &Path, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["plot", path_str(capture), "-o", path_str(out)];
    args.extend_from_slice(extra);
    let run = ph_tap(&args);
    assert!(
        run.status.success(),
        "ph-tap {args:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read(out).unwrap()
}

/// The one line of stderr of a `ph-tap` run that must fail.
fn error_line(args: &[&str]) -> String {
    let run = ph_tap(args);
    assert!(!run.status.success(), "ph-tap {args:?} succeeded");
    let stderr = String::from_utf8(run.stderr).unwrap();
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("warning:"))
        .collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    lines[0].to_owned()
}

/// The records `ph-tap decode --format json` gives for `capture`, its summary left out.
fn decoded(capture: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["decode", path_str(capture), "--format", "json"];
    args.extend_from_slice(extra);
    let run = ph_tap(&args);
    assert!(run.status.success());
    String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["type"] != "summary")
        .collect()
}

fn hex(color: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", color.0, color.1, color.2)
}

/// The numeric fields of a JSON value, named as `ph-tap plot` documents them (written here
/// again, so that the two can disagree).
fn numeric_fields(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Number(_) => {
            let name = if path.is_empty() { "value" } else { path };
            if !out.iter().any(|n| n == name) {
                out.push(name.to_owned());
            }
        }
        Value::Array(items) => {
            let base = if path.is_empty() { "value" } else { path };
            for (i, item) in items.iter().enumerate() {
                numeric_fields(item, &format!("{base}[{i}]"), out);
            }
        }
        Value::Object(entries) => {
            for (key, item) in entries {
                let name = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                numeric_fields(item, &name, out);
            }
        }
        _ => {}
    }
}

/// What one stream's chart should show, from the decoded records.
#[derive(Debug, Default)]
struct Expected {
    stream: Option<String>,
    fields: Vec<String>,
    /// `(kind, first_seq, last_seq, count)`, in stream order.
    losses: Vec<(LossKind, u64, u64, Option<u64>)>,
}

impl Expected {
    /// Adds a loss, its sequence numbers counted on past the wraps before it.
    fn push(&mut self, (kind, first, last, count): (LossKind, u64, u64, Option<u64>)) {
        let wraps = self.losses.last().map_or(0, |l| l.1 / u64::from(u32::MAX));
        let mut shift = wraps * u64::from(u32::MAX);
        if let Some(previous) = self.losses.last()
            && first + shift + (1 << 31) < previous.1
        {
            shift += u64::from(u32::MAX);
        }
        self.losses.push((kind, first + shift, last + shift, count));
    }
}

/// Each stream's chart, in the order the streams first appear.
fn expected(records: &[Value]) -> Vec<Expected> {
    let mut charts: Vec<(Value, Expected)> = Vec::new();
    for record in records {
        let Some(kind) = record["type"].as_str() else {
            continue;
        };
        // A record of no stream: a damaged frame, a warning.
        if matches!(kind, "corrupt_frame" | "unsupported_frame" | "warning") {
            continue;
        }
        let id = record["stream_id"].clone();
        let at = match charts.iter().position(|(i, _)| *i == id) {
            Some(at) => at,
            None => {
                charts.push((id.clone(), Expected::default()));
                charts.len() - 1
            }
        };
        let chart = &mut charts[at].1;
        if let Some(name) = record["stream"].as_str() {
            chart.stream = Some(name.to_owned());
        }
        // Sequence numbers counted on across a wrap, as the plot's x.
        let loss = |kind| {
            let first = record["first_seq"].as_u64().unwrap();
            let mut last = record["last_seq"].as_u64().unwrap();
            if last < first {
                last += u64::from(u32::MAX);
            }
            (kind, first, last, record["count"].as_u64())
        };
        match kind {
            "event" => numeric_fields(&record["value"], "", &mut chart.fields),
            "ring_drop" => chart.push(loss(LossKind::RingDrop)),
            "refused" => chart.push(loss(LossKind::Refused)),
            "link_loss" => chart.push(loss(LossKind::LinkLoss)),
            "target_reset" => chart.losses.push((LossKind::Reset, 0, 0, None)),
            _ => {}
        }
    }
    charts.into_iter().map(|(_, chart)| chart).collect()
}

/// One chart as the SVG draws it.
#[derive(Debug, Default)]
struct Drawn {
    caption: String,
    /// `(stroke, number of points)` of the thick lines: the series.
    lines: Vec<(String, usize)>,
    /// `(fill, x, width)` of the shaded ranges (as tall as the plot, unlike a legend's mark).
    bands: Vec<(String, f64, f64)>,
    texts: Vec<String>,
}

fn attr(node: &roxmltree::Node, name: &str) -> f64 {
    node.attribute(name).unwrap().parse().unwrap()
}

/// The charts of an SVG, top to bottom: each caption starts one (the biggest text).
fn drawn(svg: &[u8]) -> Vec<Drawn> {
    let text = std::str::from_utf8(svg).unwrap();
    let doc = roxmltree::Document::parse(text).expect("ph-tap plot writes well-formed SVG");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    // Shapes above the first caption belong to nobody (the white background).
    let captions: Vec<(f64, String)> = root
        .descendants()
        .filter(|n| n.has_tag_name("text") && attr(n, "font-size") > 19.0)
        .map(|n| {
            (
                attr(&n, "y"),
                n.text().unwrap_or_default().trim().to_owned(),
            )
        })
        .collect();
    let mut charts: Vec<Drawn> = captions
        .iter()
        .map(|(_, caption)| Drawn {
            caption: caption.clone(),
            ..Drawn::default()
        })
        .collect();
    let chart_at = |y: f64| captions.iter().rposition(|(top, _)| *top <= y);
    for node in root.descendants() {
        match node.tag_name().name() {
            "polyline" if node.attribute("stroke-width") == Some("2") => {
                let points = node.attribute("points").unwrap().split_whitespace();
                let points: Vec<(f64, f64)> = points
                    .map(|p| {
                        let (x, y) = p.split_once(',').unwrap();
                        (x.parse().unwrap(), y.parse().unwrap())
                    })
                    .collect();
                let at = chart_at(points[0].1).expect("a line under a caption");
                charts[at]
                    .lines
                    .push((node.attribute("stroke").unwrap().to_owned(), points.len()));
            }
            "rect" if node.attribute("opacity") == Some(&SHADE.to_string()) => {
                let height = attr(&node, "height");
                if height > 40.0 {
                    let at = chart_at(attr(&node, "y")).expect("a band under a caption");
                    charts[at].bands.push((
                        node.attribute("fill").unwrap().to_owned(),
                        attr(&node, "x"),
                        attr(&node, "width"),
                    ));
                }
            }
            "text" => {
                if let Some(at) = chart_at(attr(&node, "y")) {
                    charts[at]
                        .texts
                        .push(node.text().unwrap_or_default().trim().to_owned());
                }
            }
            _ => {}
        }
    }
    charts
}

/// Checks the SVG of `capture` against what `ph-tap decode` says of it.
fn check_svg_against_decode(name: &str) {
    let capture = common::data(name);
    let dir = tempfile::tempdir().unwrap();
    let svg = plot(&capture, &dir.path().join("plot.svg"), &[]);
    let charts = drawn(&svg);
    let expected = expected(&decoded(&capture, &[]));
    assert_eq!(charts.len(), expected.len(), "{name}: a chart per stream");
    for (chart, expected) in charts.iter().zip(&expected) {
        let what = format!("{name}, {}", chart.caption);
        if let Some(stream) = &expected.stream {
            assert_eq!(chart.caption, format!("{name}: {stream}"), "{what}");
        }
        // A line per numeric field, in its own colour, named in the legend.
        let colors: Vec<String> = chart.lines.iter().map(|(c, _)| c.clone()).collect();
        let palette: Vec<String> = PALETTE
            .iter()
            .take(expected.fields.len())
            .map(|c| hex(*c))
            .collect();
        assert_eq!(colors, palette, "{what}: one line per field");
        for field in &expected.fields {
            assert!(chart.texts.contains(field), "{what}: {field} in the legend");
        }
        // A band per loss, of its kind's colour, and none of a kind not lost.
        for kind in LossKind::ALL {
            let bands: Vec<&(String, f64, f64)> = chart
                .bands
                .iter()
                .filter(|(fill, _, _)| *fill == hex(kind.color()))
                .collect();
            let losses: Vec<_> = expected.losses.iter().filter(|l| l.0 == kind).collect();
            assert_eq!(
                bands.len(),
                losses.len(),
                "{what}: a band per {}",
                kind.label()
            );
            // The legend names the kind, and a label each range.
            let named = chart
                .texts
                .iter()
                .filter(|t| *t == kind.label() || t.starts_with(&format!("{} ", kind.label())))
                .count();
            let want = if losses.is_empty() {
                0
            } else {
                losses.len() + 1
            };
            assert_eq!(named, want, "{what}: {} labelled", kind.label());
            // Over sequence numbers, the bands sit where the losses are: one scale for all.
            if let (Some(first), Some(last)) = (losses.first(), losses.last())
                && losses.len() > 1
                && kind != LossKind::Reset
                && !expected.losses.iter().any(|l| l.0 == LossKind::Reset)
            {
                let (x_first, x_last) = (bands[0].1, bands[bands.len() - 1].1);
                let px_per_seq = (x_last - x_first) / (last.1 - first.1) as f64;
                for (loss, band) in losses.iter().zip(&bands) {
                    let x = x_first + (loss.1 - first.1) as f64 * px_per_seq;
                    assert!((band.1 - x).abs() <= 2.0, "{what}: {loss:?} at {band:?}");
                    let width = ((loss.2 - loss.1 + 1) as f64 * px_per_seq).max(3.0);
                    assert!(
                        (band.2 - width).abs() <= 2.5,
                        "{what}: {loss:?} is {band:?}"
                    );
                }
            }
        }
        let kinds: Vec<String> = LossKind::ALL.iter().map(|k| hex(k.color())).collect();
        assert!(
            chart.bands.iter().all(|(fill, _, _)| kinds.contains(fill)),
            "{what}: no other shading"
        );
    }
}

#[test]
fn every_capture_plots_a_line_per_field_and_a_band_per_loss() {
    for name in [
        "clean.bin",
        "ring_drops.bin",
        "link_loss.bin",
        "corruption.bin",
        "reset.bin",
        "wrap.bin",
        "streams.bin",
    ] {
        check_svg_against_decode(name);
    }
}

#[test]
fn a_clean_capture_has_no_band_and_a_lossy_one_has_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let clean = drawn(&plot(
        &common::data("clean.bin"),
        &dir.path().join("c.svg"),
        &[],
    ));
    assert!(clean[0].bands.is_empty());
    let drops = drawn(&plot(
        &common::data("ring_drops.bin"),
        &dir.path().join("r.svg"),
        &[],
    ));
    let ring_drop = hex(LossKind::RingDrop.color());
    assert_eq!(drops[0].bands.len(), 2);
    assert!(drops[0].bands.iter().all(|(fill, _, _)| *fill == ring_drop));
    assert!(drops[0].texts.contains(&"ring drop 32".to_owned()));
    assert!(drops[0].texts.contains(&"ring drop 24".to_owned()));
}

#[test]
fn field_and_stream_choose_what_is_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("f.svg");
    let one = drawn(&plot(
        &common::data("ring_drops.bin"),
        &out,
        &["--field", "raw"],
    ));
    assert_eq!(one[0].lines.len(), 1);
    assert!(one[0].texts.contains(&"raw".to_owned()));
    assert!(!one[0].texts.contains(&"millivolts".to_owned()));
    let two = drawn(&plot(
        &common::data("ring_drops.bin"),
        &out,
        &["--field", "raw", "--field", "channel"],
    ));
    assert_eq!(two[0].lines.len(), 2);
    let streams = drawn(&plot(
        &common::data("streams.bin"),
        &out,
        &["--stream", "samples", "--stream", "2"],
    ));
    let captions: Vec<&str> = streams.iter().map(|c| c.caption.as_str()).collect();
    assert_eq!(captions, ["streams.bin: events", "streams.bin: samples"]);
}

#[test]
fn a_field_or_stream_that_matches_nothing_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.svg");
    let capture = common::data("ring_drops.bin");
    let line = error_line(&[
        "plot",
        path_str(&capture),
        "-o",
        path_str(&out),
        "--field",
        "volts",
    ]);
    assert_eq!(
        line,
        "error: --field volts matches no numeric field; the fields are: channel, raw, millivolts (give one of them, or a prefix such as `a` for `a.b`)"
    );
    let line = error_line(&[
        "plot",
        path_str(&common::data("streams.bin")),
        "-o",
        path_str(&out),
        "--stream",
        "faults",
    ]);
    assert_eq!(
        line,
        "error: --stream faults matches no stream of streams.bin; its streams: events (2), samples (0), housekeeping (1) (give a name or an id of one of them)"
    );
    assert!(!out.exists(), "no plot written");
}

#[test]
fn a_bad_extension_is_a_one_line_error_before_anything_is_read() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["plot.jpg", "plot"] {
        let out = dir.path().join(name);
        let line = error_line(&["plot", "does-not-exist.bin", "-o", path_str(&out)]);
        assert_eq!(
            line,
            format!(
                "error: cannot plot to {}: give -o a file name ending in .svg or .png",
                out.display()
            )
        );
        assert!(!out.exists());
    }
}

#[test]
fn the_png_has_the_size_asked_for_and_its_text() {
    let dir = tempfile::tempdir().unwrap();
    for (extra, size) in [
        (&[][..], (1280, 720)),
        (&["--width", "800", "--height", "500"][..], (800, 500)),
    ] {
        let out = dir.path().join("plot.png");
        let bytes = plot(&common::data("ring_drops.bin"), &out, extra);
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut rgb = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut rgb).unwrap();
        assert_eq!((info.width, info.height), size);
        assert_eq!(info.color_type, png::ColorType::Rgb);
        let pixels: Vec<&[u8]> = rgb[..info.buffer_size()].chunks(3).collect();
        let series = PALETTE[0];
        assert!(
            pixels.contains(&&[series.0, series.1, series.2][..]),
            "the first series is drawn"
        );
        // The caption, in the top rows: text drawn with the embedded font.
        let top = &pixels[..info.width as usize * 30];
        let dark = top.iter().filter(|p| p.iter().all(|&c| c < 100)).count();
        assert!(dark > 50, "caption text drawn ({dark} dark pixels)");
    }
}

/// A capture of one stream of `bool`s, with its schema: values with no numeric field.
fn bool_capture(path: &Path) {
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    let mut encoder = ph_eventing_wire::encode::StreamEncoder::new(0x77);
    let mut sink = |f: &[u8]| {
        out.extend_from_slice(f);
        true
    };
    encoder.hello::<bool>(1, 0, &mut buf, &mut sink).unwrap();
    for seq in 1..=20u32 {
        encoder
            .data(seq, 0, &(seq % 3 == 0), &mut buf, &mut sink)
            .unwrap();
    }
    std::fs::write(path, out).unwrap();
}

#[test]
fn values_with_no_numeric_field_are_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("bools.bin");
    bool_capture(&capture);
    let records = decoded(&capture, &[]);
    assert!(records.iter().any(|r| r["value"] == true), "{records:?}");
    let out = dir.path().join("bools.svg");
    let line = error_line(&["plot", path_str(&capture), "-o", path_str(&out)]);
    assert_eq!(
        line,
        "error: the values of bools.bin have no numeric field to plot (booleans and text are not plotted; a stream without a schema needs --value-as with a number type, such as --value-as u32)"
    );
    assert!(!out.exists());
    // Nothing that is telemetry at all.
    let line = error_line(&[
        "plot",
        path_str(&common::data("not_ph_eventing.bin")),
        "-o",
        path_str(&out),
    ]);
    assert_eq!(
        line,
        "error: not_ph_eventing.bin holds no telemetry values to plot (`ph-tap decode` shows what it holds)"
    );
}

/// `raw` (a raw capture) as a capture of one telemetry channel, a chunk per frame, `step`
/// apart.
fn timed_capture(raw: &[u8], path: &Path, step: Duration) -> PathBuf {
    let mut writer = CaptureWriter::new(Vec::new(), &[Channel::telemetry()]).unwrap();
    let mut at = Duration::ZERO;
    for frame in raw.split_inclusive(|&b| b == 0) {
        at += step;
        writer.chunk(0, at, frame).unwrap();
    }
    writer.end(at + step).unwrap();
    std::fs::write(path, writer.into_inner()).unwrap();
    path.to_owned()
}

#[test]
fn over_arrival_time_losses_and_damaged_frames_are_shaded() {
    let dir = tempfile::tempdir().unwrap();
    let raw = std::fs::read(common::data("corruption.bin")).unwrap();
    let capture = timed_capture(
        &raw,
        &dir.path().join("timed.cap"),
        Duration::from_millis(10),
    );
    let records = decoded(&capture, &[]);
    let count = |kind: &str| records.iter().filter(|r| r["type"] == kind).count();
    assert!(count("corrupt_frame") > 0 && count("link_loss") > 0);
    let out = dir.path().join("timed.svg");
    let charts = drawn(&plot(&capture, &out, &["--x", "time"]));
    assert_eq!(charts.len(), 1);
    let bands = |kind: LossKind| {
        charts[0]
            .bands
            .iter()
            .filter(|(fill, _, _)| *fill == hex(kind.color()))
            .count()
    };
    assert_eq!(bands(LossKind::LinkLoss), count("link_loss"));
    assert_eq!(bands(LossKind::Corrupt), count("corrupt_frame"));
    assert!(charts[0].texts.contains(&"arrival time (s)".to_owned()));
    // Several streams share the clock: the damaged frame is at one x in every chart.
    let raw = std::fs::read(common::data("streams.bin")).unwrap();
    let capture = timed_capture(
        &raw,
        &dir.path().join("streams.cap"),
        Duration::from_millis(3),
    );
    let charts = drawn(&plot(&capture, &out, &["--x", "time"]));
    assert_eq!(charts.len(), 3);
    let corrupt: Vec<f64> = charts
        .iter()
        .flat_map(|c| &c.bands)
        .filter(|(fill, _, _)| *fill == hex(LossKind::Corrupt.color()))
        .map(|(_, x, _)| *x)
        .collect();
    assert_eq!(corrupt.len(), 3, "{charts:?}");
    assert!(corrupt.iter().all(|x| *x == corrupt[0]), "{corrupt:?}");
    // A raw capture records no times.
    let line = error_line(&[
        "plot",
        path_str(&common::data("corruption.bin")),
        "-o",
        path_str(&out),
        "--x",
        "time",
    ]);
    assert_eq!(
        line,
        "error: corruption.bin is a raw capture, which records no arrival times: plot it over sequence numbers (leave out --x time)"
    );
}

#[test]
fn a_long_capture_is_decimated_to_the_pixels() {
    let dir = tempfile::tempdir().unwrap();
    let (raw, _) = common::wire_frames(100_000, |seq| (seq % 1000) * 3);
    let capture = dir.path().join("long.bin");
    std::fs::write(&capture, raw).unwrap();
    let out = dir.path().join("long.svg");
    let charts = drawn(&plot(
        &capture,
        &out,
        &["--value-as", "u32", "--width", "640"],
    ));
    let (_, points) = &charts[0].lines[0];
    assert!(
        (640..=4 * 640).contains(points),
        "{points} points for 640 pixels"
    );
    // Without --value-as, the values are hex text: nothing numeric.
    let line = error_line(&["plot", path_str(&capture), "-o", path_str(&out)]);
    assert!(line.contains("no numeric field"), "{line}");
}

#[test]
fn the_readme_plot_is_the_one_the_quoted_command_makes() {
    // README.md and ph-tap-cli/README.md show docs/images/plot-demo.svg, made by
    // `ph-tap plot ph-tap-cli/tests/data/streams.bin -o docs/images/plot-demo.svg`.
    let dir = tempfile::tempdir().unwrap();
    let svg = plot(
        &common::data("streams.bin"),
        &dir.path().join("demo.svg"),
        &[],
    );
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/images/plot-demo.svg");
    if std::env::var_os("PH_TAP_BLESS").is_some() {
        std::fs::write(&committed, &svg).unwrap();
        return;
    }
    let expected =
        std::fs::read(&committed).expect("docs/images/plot-demo.svg (PH_TAP_BLESS=1 makes it)");
    assert!(
        expected == svg,
        "docs/images/plot-demo.svg is not what the command makes now: PH_TAP_BLESS=1 cargo test -p ph-tap-cli --test plot, then review it"
    );
}

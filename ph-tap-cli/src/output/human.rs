//! The default human format: one line per value, loud lines for every loss.

use std::fmt::Write as _;

use super::color::Style;
use super::record::{Record, Timed};

/// Renders one record as a human line (no trailing newline).
///
/// ```
/// use ph_tap::output::human::line;
/// use ph_tap::output::record::{Record, Timed};
/// let drop = Timed { record: Record::RingDrop { count: 37, first_seq: 1200, last_seq: 1236 }, at: None };
/// assert_eq!(line(&drop, false), "RING DROP 37 (seq 1200..1236)");
/// ```
pub fn line(timed: &Timed, color: bool) -> String {
    let mut out = match &timed.record {
        Record::Event { seq, value } => match value {
            // A bare string (hex fallback, a `&str` value) reads better unquoted.
            serde_json::Value::String(text) => format!("{seq:>10}  {text}"),
            other => format!("{seq:>10}  {}", render_value(other)),
        },
        Record::Hello {
            boot_id,
            version,
            schema,
        } => Style::Info.paint(
            &format!(
                "HELLO boot {boot_id:#010x}, wire v{version}, value {}",
                schema.as_deref().unwrap_or("without schema")
            ),
            color,
        ),
        Record::RingDrop {
            count,
            first_seq,
            last_seq,
        } => Style::Loss.paint(
            &format!("RING DROP {count} ({})", seq_range(*first_seq, *last_seq)),
            color,
        ),
        Record::LinkLoss {
            count,
            first_seq,
            last_seq,
        } => Style::Damage.paint(
            &format!("LINK LOSS {count} ({})", seq_range(*first_seq, *last_seq)),
            color,
        ),
        Record::TargetReset { boot_id } => {
            let text = match boot_id {
                Some(id) => format!("TARGET RESET (new boot {id:#010x})"),
                None => "TARGET RESET".to_owned(),
            };
            Style::Reset.paint(&text, color)
        }
        Record::SeqWrap => Style::Info.paint("SEQ WRAP (u32::MAX -> 1, nothing lost)", color),
        Record::CorruptFrame { reason } => {
            Style::Damage.paint(&format!("CORRUPT FRAME ({reason})"), color)
        }
        Record::Unplaced { count, values } => {
            let shown: Vec<String> = values.iter().map(render_value).collect();
            Style::Damage.paint(
                &format!(
                    "UNPLACED {count} frame{} (seq unknown after link corruption): {}",
                    if *count == 1 { "" } else { "s" },
                    shown.join(", ")
                ),
                color,
            )
        }
    };
    if let Some(at) = timed.at {
        let _ = write!(
            out,
            "  {}",
            Style::Dim.paint(&format!("+{:.3}s", at.as_secs_f64()), color)
        );
    }
    out
}

/// `seq 5` or `seq 5..9`.
fn seq_range(first: u32, last: u32) -> String {
    if first == last {
        format!("seq {first}")
    } else {
        format!("seq {first}..{last}")
    }
}

/// A value as compact, readable text: `{x: 1, y: -2}`, `[1, 2]`, `"text"`, `3.5`.
///
/// ```
/// use ph_tap::output::human::render_value;
/// let v = serde_json::json!({"temp": 21.5, "ok": true, "raw": [1, 2]});
/// assert_eq!(render_value(&v), "{temp: 21.5, ok: true, raw: [1, 2]}");
/// ```
pub fn render_value(value: &serde_json::Value) -> String {
    let mut out = String::new();
    render_into(value, &mut out);
    out
}

fn render_into(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            out.push('{');
            for (i, (key, field)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push_str(": ");
                render_into(field, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_into(item, out);
            }
            out.push(']');
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

//! The summary's rows per stream (a ph-eventing link of several streams): the human table
//! under each channel, and the `streams` array of the JSON summary record.

use serde_json::json;

use crate::decode::{Accounting, StreamAccounting};
use crate::record::ChannelId;
use crate::stream::StreamSelector;

/// Whether the summary has stream rows for `accounting`: more than one stream, or a named one
/// (a link whose only stream has no name, every version 2 capture, shows its totals only).
fn has_rows(accounting: &Accounting) -> bool {
    accounting.streams.len() > 1 || accounting.streams.iter().any(|s| s.stream.name.is_some())
}

/// The table of every channel's streams (empty when no channel [`has_rows`]): one row per
/// stream and the channel's total; the streams `--stream` hid say so.
///
/// ```text
/// --- streams ---
/// stream          id  kind   values  drops/refused  link losses  unplaced  resets
/// samples          0  ring      351        12 drops            3         0       0
/// events           2  queue      20     2 refused            0         0       0
/// total                         371                          3         0       0
/// ```
pub(crate) fn stream_tables(
    channels: &[(ChannelId, Accounting)],
    shown: &[StreamSelector],
) -> String {
    let mut out = String::new();
    for (channel, accounting) in channels.iter().filter(|(_, a)| has_rows(a)) {
        out += &if channels.len() > 1 {
            format!("--- streams of channel {channel} ---\n")
        } else {
            "--- streams ---\n".to_owned()
        };
        out += &format!(
            "{:<15} {:>3}  {:<5} {:>8}  {:>13}  {:>11}  {:>8}  {:>6}\n",
            "stream", "id", "kind", "values", "drops/refused", "link losses", "unplaced", "resets"
        );
        for s in &accounting.streams {
            let t = &s.totals;
            let lost = match s.kind {
                ph_eventing_wire::stream::StreamKind::Queue => format!("{} refused", t.refused),
                ph_eventing_wire::stream::StreamKind::Ring => format!("{} drops", t.ring_dropped),
            };
            let mut row = format!(
                "{:<15} {:>3}  {:<5} {:>8}  {:>13}  {:>11}  {:>8}  {:>6}",
                s.stream.to_string(),
                s.stream.id,
                s.kind.to_string(),
                t.data_frames,
                lost,
                t.link_lost,
                t.unplaced,
                t.resets
            );
            if !StreamSelector::any(shown, &s.stream) {
                row += "  (hidden by --stream)";
            }
            out += row.trim_end();
            out += "\n";
        }
        let t = &accounting.totals;
        out += &format!(
            "{:<15} {:>3}  {:<5} {:>8}  {:>13}  {:>11}  {:>8}  {:>6}\n",
            "total",
            "",
            "",
            t.data_frames,
            format!("{}", t.ring_dropped + t.refused),
            t.link_lost,
            t.unplaced,
            t.resets
        );
    }
    out
}

/// The `streams` array of the JSON summary: one object per stream of every ph-eventing
/// channel, with the same numbers as the table; `channel` only with `show_channel` (as the
/// records have it: a raw `--save` of one channel replays as channel 0).
pub(crate) fn streams_json(
    channels: &[(ChannelId, Accounting)],
    shown: &[StreamSelector],
    show_channel: bool,
) -> serde_json::Value {
    channels
        .iter()
        .flat_map(|(channel, accounting)| {
            accounting.streams.iter().map(move |s| {
                let mut v = stream_json(*channel, s, shown);
                if !show_channel && let Some(object) = v.as_object_mut() {
                    object.remove("channel");
                }
                v
            })
        })
        .collect()
}

fn stream_json(
    channel: ChannelId,
    s: &StreamAccounting,
    shown: &[StreamSelector],
) -> serde_json::Value {
    let t = &s.totals;
    json!({
        "channel": channel,
        "stream": s.stream.name,
        "stream_id": s.stream.id,
        "kind": s.kind.to_string(),
        "announced": s.announced,
        "shown": StreamSelector::any(shown, &s.stream),
        "frames": t.data_frames,
        "ring_drops": t.ring_dropped,
        "ring_drop_events": t.ring_drop_events,
        "refused": t.refused,
        "refused_events": t.refused_events,
        "link_losses": t.link_lost,
        "unplaced": t.unplaced,
        "resets": t.resets,
        "duplicates": t.duplicates,
    })
}

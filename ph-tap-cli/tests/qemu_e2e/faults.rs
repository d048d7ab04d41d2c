//! Damaging a capture on the host side and checking `ph-tap` reports exactly that damage.

use ph_eventing_wire::chain::{Chain, Placed};
use ph_eventing_wire::decoder::decode_one;
use ph_eventing_wire::frame::{Frame, parse_frame};
use serde_json::Value;

use crate::firmware::{Board, capture};
use crate::records::{EVENTS, Report, SAMPLES, decode, field, of_stream};

/// The capture split into frames: `(start, end)` byte ranges, each ending with its `0x00`.
fn frames(capture: &[u8]) -> Vec<(usize, usize)> {
    let mut frames = Vec::new();
    let mut start = 0;
    for (i, &b) in capture.iter().enumerate() {
        if b == 0 {
            if i > start {
                frames.push((start, i + 1));
            }
            start = i + 1;
        }
    }
    frames
}

/// For each frame of a clean capture, its stream and the sequence number of the data frame
/// (`None` for a hello), read with the wire crate's own frame parser and a chain per stream
/// (which places compact frames).
pub(crate) fn frame_seqs(capture: &[u8]) -> Vec<(u8, Option<u64>)> {
    frame_seqs_or_torn(capture)
        .into_iter()
        .map(|frame| frame.unwrap_or_else(|err| panic!("{err}")))
        .collect()
}

/// [`frame_seqs`], with each frame that does not decode or cannot be placed (a frame whose
/// start was lost, which a target reset during the host's read causes) as `Err`, saying what
/// was wrong.
pub(crate) fn frame_seqs_or_torn(capture: &[u8]) -> Vec<Result<(u8, Option<u64>), String>> {
    let mut raw = vec![0u8; 4096];
    let mut chains: Vec<Chain> = (0..64).map(|_| Chain::new()).collect();
    frames(capture)
        .iter()
        .map(|&(start, end)| {
            let len = decode_one(&capture[start..end], &mut raw)
                .map_err(|err| format!("not a clean COBS frame at byte {start}: {err:?}"))?;
            let frame = parse_frame(&raw[..len])
                .map_err(|err| format!("not a clean frame at byte {start}: {err:?}"))?;
            let stream = frame.stream();
            let mut seq = None;
            chains[usize::from(stream)].frame(frame, |placed| {
                if let Placed::Data { frame, .. } = placed {
                    seq = Some(u64::from(frame.seq));
                }
            });
            if seq.is_none() && !matches!(frame, Frame::Hello(_)) {
                return Err(format!(
                    "a data frame at byte {start} that its chain cannot place (a clean capture \
                     places every data frame at once)"
                ));
            }
            Ok((stream, seq))
        })
        .collect()
}

/// For each frame of a clean capture: is it a full data frame (not compact, not a hello)?
fn full_frames(capture: &[u8]) -> Vec<bool> {
    let mut raw = vec![0u8; 4096];
    frames(capture)
        .iter()
        .map(|&(start, end)| {
            let len = decode_one(&capture[start..end], &mut raw).expect("a clean COBS frame");
            matches!(parse_frame(&raw[..len]), Ok(Frame::Data(_)))
        })
        .collect()
}

/// The sequence numbers of the `samples` stream's frames (`None` for its hellos and for every
/// frame of the other streams, which send full frames only: nothing of theirs waits after
/// damage).
fn sample_seqs(seqs: &[(u8, Option<u64>)]) -> Vec<Option<u64>> {
    seqs.iter()
        .map(|&(stream, seq)| seq.filter(|_| u64::from(stream) == SAMPLES))
        .collect()
}

/// After damage to frames up to `last`, the compact frames of the `samples` stream that follow
/// wait for its next full frame: it must come before its next hello (which would leave them
/// unplaced).
fn placed_again_after(seqs: &[(u8, Option<u64>)], full: &[bool], last: usize) -> bool {
    (last + 1..seqs.len())
        .filter(|&j| u64::from(seqs[j].0) == SAMPLES)
        .find(|&j| seqs[j].1.is_none() || full[j])
        .is_some_and(|j| full[j])
}

/// Indexes of `count` data frames of the `samples` stream, spread over the capture, whose
/// neighbours (one before, two after) are data frames of that stream with consecutive sequence
/// numbers (so a loss there is a gap of its own). (With compact frames, also: the frames after
/// them are placed again by a full frame before the next hello, even when frame `i + 1` is
/// damaged too.)
fn isolated_frames(seqs: &[(u8, Option<u64>)], full: &[bool], count: usize) -> Vec<usize> {
    let samples = sample_seqs(seqs);
    let candidates: Vec<usize> = (1..seqs.len() - 3)
        .filter(|&i| {
            let window: Option<Vec<u64>> = samples[i - 1..=i + 2].iter().copied().collect();
            window.is_some_and(|w| w.windows(2).all(|p| p[0] + 1 == p[1]))
                && placed_again_after(seqs, full, i + 1)
        })
        .collect();
    assert!(
        candidates.len() > 10 * count,
        "not enough clean frames to damage"
    );
    (1..=count)
        .map(|k| candidates[k * candidates.len() / (count + 1)])
        .collect()
}

/// Damages the frames at `indexes` with `damage` (which gets the frame without its delimiter).
fn damaged(capture: &[u8], indexes: &[usize], damage: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::with_capacity(capture.len());
    let mut at = 0;
    for (i, &(start, end)) in frames(capture).iter().enumerate() {
        out.extend_from_slice(&capture[at..start]);
        let mut frame = capture[start..end - 1].to_vec();
        if indexes.contains(&i) {
            damage(&mut frame);
        }
        out.extend_from_slice(&frame);
        out.push(0);
        at = end;
    }
    out.extend_from_slice(&capture[at..]);
    out
}

/// Asserts that exactly the frames at `indexes`, of the `samples` stream, were lost: each one a
/// corrupt frame and a link loss of its own sequence number on that stream, and everything else,
/// of every stream, as in the clean run.
fn assert_lost_exactly(clean: &[Value], damaged: &[Value], lost: &[u64], what: &str) {
    for other in [1, EVENTS] {
        let strip = |records: &[Value]| -> Vec<Value> {
            of_stream(records, other)
                .into_iter()
                .filter(|r| r.get("stream_id").is_some())
                .collect()
        };
        assert_eq!(
            strip(damaged),
            strip(clean),
            "{what}: stream {other} is as in the clean run"
        );
    }
    let clean = Report::new(&of_stream(clean, SAMPLES));
    let report = Report::new(&of_stream(damaged, SAMPLES));
    assert_eq!(report.corrupt, lost.len(), "{what}: corrupt frames");
    let expected: Vec<(u64, u64, u64)> = lost.iter().map(|&s| (1, s, s)).collect();
    assert_eq!(report.link_losses, expected, "{what}: link losses");
    assert_eq!(
        report.ring_drops, clean.ring_drops,
        "{what}: ring drops are unchanged"
    );
    let expected_seqs: Vec<u64> = clean
        .seqs()
        .into_iter()
        .filter(|s| !lost.contains(s))
        .collect();
    assert_eq!(report.seqs(), expected_seqs, "{what}: events delivered");
    assert_eq!(report.hellos, clean.hellos, "{what}: hellos");
    let tap = report.summary.as_ref().expect("a summary record");
    assert_eq!(
        field(tap, "corrupt_frames"),
        lost.len() as u64,
        "{what}: ph-tap corrupt frames"
    );
    assert_eq!(
        field(tap, "link_losses"),
        lost.len() as u64,
        "{what}: ph-tap link losses"
    );
}

fn damaged_seqs(seqs: &[(u8, Option<u64>)], indexes: &[usize]) -> Vec<u64> {
    indexes
        .iter()
        .map(|&i| seqs[i].1.expect("a data frame"))
        .collect()
}

/// Injects faults into `board`'s capture and checks each is reported exactly as injected.
pub(crate) fn run(board: Board) {
    let capture = capture(board);
    let clean = decode(&capture);
    let seqs = frame_seqs(&capture);
    let full = full_frames(&capture);
    let targets = isolated_frames(&seqs, &full, 6);
    let (drop_at, flip_at) = targets.split_at(3);

    // Bytes dropped from the middle of three frames.
    let bytes = damaged(&capture, drop_at, |f| {
        let mid = f.len() / 2;
        f.drain(mid..mid + 2);
    });
    let what = format!("{}: dropped bytes", board.feature);
    assert_lost_exactly(
        &clean,
        &decode(&bytes),
        &damaged_seqs(&seqs, drop_at),
        &what,
    );

    // One bit flipped in three other frames (never turning a byte into a delimiter).
    let bytes = damaged(&capture, flip_at, |f| {
        let mid = f.len() / 2;
        f[mid] ^= if f[mid] == 0x04 { 0x08 } else { 0x04 };
    });
    let what = format!("{}: flipped bits", board.feature);
    assert_lost_exactly(
        &clean,
        &decode(&bytes),
        &damaged_seqs(&seqs, flip_at),
        &what,
    );

    // The stream cut mid-frame and resumed one frame later: the end of frame i (with its
    // delimiter) and the start of frame i+1 are gone, so what is left of both reads as one
    // corrupt frame, and both sequence numbers are one link loss of 2.
    let all = frames(&capture);
    let i = targets[0];
    let (cut_from, cut_to) = ((all[i].0 + all[i].1) / 2, (all[i + 1].0 + all[i + 1].1) / 2);
    let bytes = [&capture[..cut_from], &capture[cut_to..]].concat();
    let report = Report::new(&of_stream(&decode(&bytes), SAMPLES));
    let first = seqs[i].1.expect("a data frame");
    let what = board.feature;
    assert_eq!(report.corrupt, 1, "{what}: cut: corrupt frames");
    assert_eq!(
        report.link_losses,
        [(2, first, first + 1)],
        "{what}: cut: link losses"
    );
    assert_eq!(
        report.events.len(),
        Report::new(&of_stream(&clean, SAMPLES)).events.len() - 2,
        "{what}: cut: events"
    );

    // The capture cut short in the middle of its last frame (the summary): everything before it
    // arrives; nothing after the cut can reveal a loss, and the partial frame is not an event.
    let last = *all.last().expect("frames");
    let bytes = &capture[..(last.0 + last.1) / 2];
    let report = Report::new(&decode(bytes));
    let clean_report = Report::new(&clean);
    assert_eq!(
        seqs.last().map(|s| u64::from(s.0)),
        Some(SAMPLES),
        "{what}: the last frame is the summary's"
    );
    assert_eq!(
        report.seqs(),
        clean_report.seqs()[..clean_report.events.len() - 1],
        "{what}: truncated"
    );
    assert_eq!(report.link_losses, [], "{what}: truncated: link losses");
    // A partial frame at the end may be the start of one still on its way: not counted corrupt.
    assert_eq!(report.corrupt, 0, "{what}: truncated: corrupt frames");
    assert_eq!(
        report.ring_drops, clean_report.ring_drops,
        "{what}: truncated: ring drops"
    );

    // A frame of the lossless `events` stream damaged on the link: a LINK LOSS of its one
    // sequence number on that stream (seen at the stream's next frame), never a silent gap;
    // every other stream as in the clean run.
    let events: Vec<usize> = (0..seqs.len())
        .filter(|&j| u64::from(seqs[j].0) == EVENTS && seqs[j].1.is_some())
        .collect();
    let at = events[events.len() / 2];
    let lost = seqs[at].1.expect("a data frame");
    let bytes = damaged(&capture, &[at], |f| {
        let mid = f.len() / 2;
        f[mid] ^= if f[mid] == 0x04 { 0x08 } else { 0x04 };
    });
    let damaged_records = decode(&bytes);
    let report = Report::new(&of_stream(&damaged_records, EVENTS));
    let clean_events = Report::new(&of_stream(&clean, EVENTS));
    let what = format!("{}: an event damaged", board.feature);
    assert_eq!(report.corrupt, 1, "{what}: corrupt frames");
    assert_eq!(report.link_losses, [(1, lost, lost)], "{what}: link losses");
    let expected: Vec<u64> = clean_events
        .seqs()
        .into_iter()
        .filter(|&s| s != lost)
        .collect();
    assert_eq!(report.seqs(), expected, "{what}: events delivered");
    assert_eq!(report.refused, [], "{what}: refusals");
    for other in [SAMPLES, 1] {
        assert_eq!(
            Report::new(&of_stream(&damaged_records, other)).events,
            Report::new(&of_stream(&clean, other)).events,
            "{what}: stream {other} as in the clean run"
        );
    }
}

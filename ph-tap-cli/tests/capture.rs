//! The capture format (`docs/CAPTURE.md`) through its writer, its reader and
//! `CaptureSource`: a round trip keeps every chunk, channel, kind and time; reads split anywhere
//! change nothing; a capture cut at any length gives what is complete and one warning; damage
//! never panics and never loses what came before it; the worked example of CAPTURE.md is what
//! the writer writes; and a replay through the pipeline prints what the live run printed, times
//! and summary included.

mod common;

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use assert_cmd::Command;
use common::{data, scenarios};
use ph_tap::capture::{CaptureReader, CaptureWriter, Entry, MAGIC, MAX_RECORD, is_capture};
use ph_tap::channel::{Channel, ChannelKind};
use ph_tap::decode::{DecoderOptions, for_channel};
use ph_tap::pipeline::{Ending, Pipeline};
use ph_tap::record::ChannelId;
use ph_tap::router::Router;
use ph_tap::sink::{JsonSink, SaveSink, Sink, Stats};
use ph_tap::source::{CaptureSource, Poll, Recording, Source, SourceEvent};
use proptest::prelude::*;

/// One thing a run saves.
#[derive(Clone, Debug)]
enum Item {
    Chunk(ChannelId, Duration, Vec<u8>),
    Event(Duration, SourceEvent),
    End(Duration),
    /// Not saved: a live source waits this long (ms).
    Wait(u64),
}

fn us(n: u64) -> Duration {
    Duration::from_micros(n)
}

fn channel(id: ChannelId, name: Option<&str>, kind: ChannelKind) -> Channel {
    Channel {
        id,
        name: name.map(str::to_owned),
        kind,
    }
}

/// A target with a defmt channel, a telemetry channel and a text channel without a name.
fn channels() -> Vec<Channel> {
    vec![
        channel(0, Some("defmt"), ChannelKind::Defmt),
        channel(1, Some("ph-eventing"), ChannelKind::PhEventing),
        channel(5, None, ChannelKind::Text),
    ]
}

/// A run over [`channels`]: the clean capture's bytes on channel 1 in reads of 1 to 50 bytes,
/// log bytes on channels 0 and 5 between them, times of every size (several chunks at one
/// time, gaps of µs to seconds), the source going away and coming back, and the end.
fn items() -> Vec<Item> {
    let telemetry = scenarios::captures().unwrap()[0].1.clone();
    let mut items = Vec::new();
    let (mut at, mut k) = (0usize, 0u64);
    let mut t = 0u64;
    // Each item a step after the one before it.
    let mut next = |k: u64| {
        t += [0, 1, 127, 128, 5_000, 16_384, 3_000_000, 0][(k % 8) as usize];
        us(t)
    };
    while at < telemetry.len() {
        let len = (1 + (k * 7) % 50) as usize;
        let end = (at + len).min(telemetry.len());
        items.push(Item::Chunk(1, next(k), telemetry[at..end].to_vec()));
        at = end;
        if k % 3 == 0 {
            items.push(Item::Chunk(0, next(k + 1), vec![k as u8, 0x00, 0xFF]));
        }
        if k % 5 == 2 {
            items.push(Item::Chunk(
                5,
                next(k + 2),
                format!("line {k}\n").into_bytes(),
            ));
        }
        if k == 4 {
            let lost = SourceEvent::Lost {
                what: "probe",
                reason: "USB error".into(),
            };
            items.push(Item::Event(next(k), lost));
            let back = SourceEvent::Back {
                what: "probe",
                away: Duration::from_nanos(1_234_567_891),
            };
            items.push(Item::Event(next(6), back));
        }
        if k == 7 {
            let again = SourceEvent::Reattached {
                control_block: 0x2000_0040,
            };
            items.push(Item::Event(next(k), again));
        }
        k += 1;
    }
    items.push(Item::End(next(3)));
    items
}

/// The capture of `items`, and where each record ends (the header first).
fn write(channels: &[Channel], items: &[Item]) -> (Vec<u8>, Vec<usize>) {
    let mut writer = CaptureWriter::new(Vec::new(), channels).unwrap();
    let mut ends = vec![writer.get_ref().len()];
    for item in items {
        match item {
            Item::Chunk(channel, at, data) => writer.chunk(*channel, *at, data).unwrap(),
            Item::Event(at, event) => writer.event(*at, event).unwrap(),
            Item::End(at) => writer.end(*at).unwrap(),
            Item::Wait(_) => continue,
        }
        ends.push(writer.get_ref().len());
    }
    (writer.into_inner(), ends)
}

/// Where the header of `channels` ends.
fn ends_of_all(channels: &[Channel]) -> usize {
    write(channels, &[]).0.len()
}

/// What [`CaptureSource`] gives, poll by poll (`Idle` left out).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Got {
    Time(Duration),
    Data(ChannelId, Vec<u8>),
    Event(SourceEvent),
}

/// Everything a replay of `bytes` gives, through polls into a buffer of `buf` bytes: the
/// channels announced, what came, and the error that ended it, if any.
fn replay_with(bytes: &[u8], buf: usize) -> (Vec<Channel>, Vec<Got>, Option<String>) {
    let mut source = match CaptureSource::open(bytes, "test.cap") {
        Ok(source) => source,
        Err(err) => return (Vec::new(), Vec::new(), Some(ph_tap::one_line(&err))),
    };
    let channels = source.channels();
    let mut got = Vec::new();
    let mut buf = vec![0u8; buf];
    for _ in 0..1_000_000 {
        match source.poll(&mut buf) {
            Ok(Poll::Time(at)) => got.push(Got::Time(at)),
            Ok(Poll::Data { channel, len }) => got.push(Got::Data(channel, buf[..len].to_vec())),
            Ok(Poll::Event(event)) => got.push(Got::Event(event)),
            Ok(Poll::Idle) => {}
            Ok(Poll::End) => return (channels, got, None),
            Err(err) => return (channels, got, Some(ph_tap::one_line(&err))),
        }
    }
    panic!("the replay did not end");
}

fn replay(bytes: &[u8]) -> (Vec<Channel>, Vec<Got>, Option<String>) {
    replay_with(bytes, 16 * 1024)
}

/// What a replay of `items` gives: each time once, before the first thing that has it.
fn expected(items: &[Item]) -> Vec<Got> {
    let mut got = Vec::new();
    let mut said = None;
    let mut time = |at: Duration, got: &mut Vec<Got>| {
        if said != Some(at) {
            said = Some(at);
            got.push(Got::Time(at));
        }
    };
    for item in items {
        match item {
            Item::Chunk(channel, at, data) => {
                time(*at, &mut got);
                got.push(Got::Data(*channel, data.clone()));
            }
            Item::Event(at, event) => {
                time(*at, &mut got);
                got.push(Got::Event(event.clone()));
            }
            Item::End(at) => time(*at, &mut got),
            Item::Wait(_) => {}
        }
    }
    got
}

fn is_skipped(got: &Got) -> bool {
    matches!(got, Got::Event(SourceEvent::Skipped { .. }))
}

#[test]
fn a_round_trip_keeps_chunks_channels_kinds_and_times() {
    let (channels, items) = (channels(), items());
    let (bytes, _) = write(&channels, &items);
    assert!(is_capture(&bytes));

    // Record by record.
    let mut reader = CaptureReader::new(&bytes[..], "test.cap").unwrap();
    let mut entries = Vec::new();
    while let Some(entry) = reader.read_entry().unwrap() {
        entries.push(entry);
    }
    let mut want: Vec<Entry> = channels.iter().cloned().map(Entry::Channel).collect();
    want.extend(items.iter().map(|item| match item.clone() {
        Item::Chunk(channel, at, data) => Entry::Chunk { channel, at, data },
        Item::Event(at, event) => Entry::Event { at, event },
        Item::End(at) => Entry::End { at },
        Item::Wait(_) => unreachable!(),
    }));
    assert_eq!(entries, want);

    // As a source.
    let (announced, got, error) = replay(&bytes);
    assert_eq!(error, None);
    assert_eq!(announced, channels);
    assert_eq!(got, expected(&items));
}

#[test]
fn reads_split_at_every_byte_boundary_change_nothing() {
    /// Gives `bytes[..cut]` in the first read (or one byte a read when `cut` is 0), then the
    /// rest, with an `Interrupted` before every read.
    struct Split<'a> {
        bytes: &'a [u8],
        at: usize,
        cut: usize,
        interrupted: bool,
    }
    impl Read for Split<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.interrupted = !self.interrupted;
            if self.interrupted {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let end = match self.cut {
                0 => self.at + 1,
                cut if self.at < cut => cut,
                _ => self.bytes.len(),
            }
            .min(self.bytes.len())
            .min(self.at + buf.len());
            let n = end - self.at;
            buf[..n].copy_from_slice(&self.bytes[self.at..end]);
            self.at = end;
            Ok(n)
        }
    }
    let (channels, items) = (channels(), items());
    let (bytes, _) = write(&channels, &items);
    let whole = replay(&bytes);
    for cut in 0..bytes.len() {
        let split = Split {
            bytes: &bytes,
            at: 0,
            cut,
            interrupted: false,
        };
        let mut source = CaptureSource::open(split, "split.cap").unwrap();
        assert_eq!(source.channels(), whole.0, "cut at {cut}");
        let mut got = Vec::new();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match source.poll(&mut buf).unwrap() {
                Poll::Time(at) => got.push(Got::Time(at)),
                Poll::Data { channel, len } => got.push(Got::Data(channel, buf[..len].to_vec())),
                Poll::Event(event) => got.push(Got::Event(event)),
                Poll::Idle => {}
                Poll::End => break,
            }
        }
        assert_eq!(got, whole.1, "cut at {cut}");
    }
    // A buffer smaller than the chunks: each comes in pieces, nothing else changes.
    let (_, small, error) = replay_with(&bytes, 3);
    assert_eq!(error, None);
    let joined = |got: &[Got]| -> Vec<(ChannelId, Vec<u8>)> {
        let mut out: Vec<(ChannelId, Vec<u8>)> = Vec::new();
        let mut fresh = true;
        for g in got {
            match g {
                Got::Data(channel, data) => match out.last_mut() {
                    Some((last, bytes)) if !fresh && last == channel => bytes.extend(data),
                    _ => {
                        out.push((*channel, data.clone()));
                        fresh = false;
                    }
                },
                _ => fresh = true,
            }
        }
        out
    };
    assert_eq!(joined(&small), joined(&whole.1));
}

#[test]
fn a_capture_cut_at_any_length_gives_what_is_complete_and_one_warning() {
    let (channels, items) = (channels(), items());
    let (bytes, ends) = write(&channels, &items);
    // The header's own records: magic and version, then one per channel.
    let header_ends: Vec<usize> = {
        let mut ends = vec![MAGIC.len() + 1];
        let one = write(&channels[..1], &[]).0.len();
        let two = write(&channels[..2], &[]).0.len();
        ends.extend([one, two, ends_of_all(&channels)]);
        ends
    };
    for len in 0..=bytes.len() {
        let cut = &bytes[..len];
        if !is_capture(cut) {
            // Nothing of a capture is there (0 bytes, or the lone first 0x00): a raw capture
            // with no frame.
            assert!(len < 2, "{len}");
            continue;
        }
        let (announced, got, error) = replay(cut);
        assert_eq!(error, None, "cut at {len}");
        let complete = ends.iter().filter(|&&end| end <= len).count();
        let boundary = ends.contains(&len) || header_ends.contains(&len);
        let mut want = if complete == 0 {
            Vec::new()
        } else {
            expected(&items[..complete - 1])
        };
        if !boundary {
            want.push(Got::Event(SourceEvent::Skipped {
                reason: String::new(),
            }));
        }
        let warnings = got.iter().filter(|g| is_skipped(g)).count();
        assert_eq!(warnings, usize::from(!boundary), "cut at {len}: {got:?}");
        let without_reason: Vec<Got> = got
            .iter()
            .map(|g| match g {
                Got::Event(SourceEvent::Skipped { reason }) => {
                    assert!(
                        reason
                            .starts_with("capture test.cap ends inside a record, cut short after "),
                        "{reason}"
                    );
                    Got::Event(SourceEvent::Skipped {
                        reason: String::new(),
                    })
                }
                other => other.clone(),
            })
            .collect();
        assert_eq!(without_reason, want, "cut at {len}");
        // The channels the header holds up to the cut.
        let declared = header_ends[1..].iter().filter(|&&end| end <= len).count();
        assert_eq!(announced, channels[..declared], "cut at {len}");
    }
}

#[test]
fn a_tail_of_zeros_is_a_cut_not_damage() {
    let (channels, items) = (channels(), items());
    let (mut bytes, _) = write(&channels, &items[..10]);
    bytes.extend([0u8; 5000]);
    let (_, got, error) = replay(&bytes);
    assert_eq!(error, None);
    let Some(Got::Event(SourceEvent::Skipped { reason })) = got.last() else {
        panic!("{got:?}")
    };
    assert!(reason.contains("ends in 5000 zero bytes"), "{reason}");
    assert_eq!(got[..got.len() - 1], expected(&items[..10]));
    // A zero type followed by something else is damage.
    let at = bytes.len() - 5000;
    bytes.push(1);
    let (_, got, error) = replay(&bytes);
    assert_eq!(got, expected(&items[..10]));
    assert_eq!(
        error.unwrap(),
        format!(
            "capture test.cap is damaged at byte {at} (a record of type 0x00, which is never written): everything before it was read; was it changed after ph-tap wrote it?"
        )
    );
}

#[test]
fn damaged_headers_and_records_are_one_line_errors() {
    let (channels, items) = (channels(), items());
    let (bytes, ends) = write(&channels, &items[..6]);
    let with = |at: usize, byte: u8| {
        let mut bytes = bytes.clone();
        bytes[at] = byte;
        replay(&bytes)
    };
    // A newer version.
    let (_, got, error) = with(MAGIC.len(), 2);
    assert!(got.is_empty());
    assert_eq!(
        error.unwrap(),
        "test.cap is a ph-tap capture of format version 2, and this ph-tap reads version 1: upgrade ph-tap"
    );
    // A record type a reader must know, from a newer ph-tap.
    let third = ends[3];
    let (_, got, error) = with(third, 0x05);
    assert_eq!(got, expected(&items[..3]));
    assert_eq!(
        error.unwrap(),
        format!(
            "capture test.cap is damaged at byte {third} (a record of type 0x05, which this ph-tap does not know: upgrade ph-tap): everything before it was read; was it changed after ph-tap wrote it?"
        )
    );
    // A skippable one is skipped (and its time with it: it never moves the clock).
    let (_, got, error) = with(third, 0x80);
    assert_eq!(error, None);
    let mut want = items[..6].to_vec();
    want.remove(3);
    let data = |got: &[Got]| -> Vec<Got> {
        got.iter()
            .filter(|g| matches!(g, Got::Data(..)))
            .cloned()
            .collect()
    };
    assert_eq!(data(&got), data(&expected(&want)));
    // A chunk of a channel nobody declared.
    let mut bytes = bytes.clone();
    let chunk = ends[0];
    assert_eq!(bytes[chunk], 0x02);
    bytes[chunk + 2] = 9;
    let (_, got, error) = replay(&bytes);
    assert!(got.is_empty());
    assert_eq!(
        error.unwrap(),
        format!(
            "capture test.cap is damaged at byte {chunk} (a chunk of channel 9, which no channel record declares before it): everything before it was read; was it changed after ph-tap wrote it?"
        )
    );
}

/// One record: its type, its length, its body.
fn record(kind: u8, body: &[u8]) -> Vec<u8> {
    assert!(body.len() < 128);
    [&[kind, body.len() as u8][..], body].concat()
}

#[test]
fn kinds_unknown_and_channels_declared_late_are_left_out_with_one_warning() {
    let mut bytes = write(&[Channel::telemetry()], &[]).0;
    // Channel 3 'x' of kind "morse", in the header.
    bytes.extend(record(0x01, b"\x03\x05morse\x01x"));
    // Chunks of channels 0 and 3 (channel, time delta, data).
    bytes.extend(record(0x02, b"\x00\x0a\x00"));
    bytes.extend(record(0x02, b"\x03\x01ab"));
    // Channel 7 'late' (text), and channel 0 again as text, after the first chunk.
    bytes.extend(record(0x01, b"\x07\x04text\x04late"));
    bytes.extend(record(0x01, b"\x00\x04text\x00"));
    bytes.extend(record(0x02, b"\x07\x01not shown"));
    bytes.extend(record(0x02, b"\x00\x01\x01"));

    let (announced, got, error) = replay(&bytes);
    assert_eq!(error, None);
    assert_eq!(announced, [Channel::telemetry()]);
    let reasons: Vec<String> = got
        .iter()
        .filter_map(|g| match g {
            Got::Event(SourceEvent::Skipped { reason }) => Some(reason.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        reasons,
        [
            "capture test.cap has channel 3 'x' of kind 'morse', which this ph-tap does not know: its chunks are left out (upgrade ph-tap to see them)",
            "capture test.cap declares channel 7 'late' (text) only after its first chunk, and ph-tap takes the channels from the header: its chunks are left out",
            "capture test.cap declares channel 0 again as text after its first chunk: it is still decoded as ph-eventing, as its first declaration says",
        ]
    );
    let data: Vec<&Got> = got.iter().filter(|g| matches!(g, Got::Data(..))).collect();
    assert_eq!(
        data,
        [
            &Got::Data(0, b"\x00".to_vec()),
            &Got::Data(0, b"\x01".to_vec())
        ]
    );
    // The times of the chunks left out count.
    assert_eq!(got.last(), Some(&Got::Data(0, b"\x01".to_vec())));
    assert!(got.contains(&Got::Time(us(13))), "{got:?}");
}

#[test]
fn a_chunk_longer_than_a_record_is_split_at_the_same_time() {
    let big: Vec<u8> = (0..MAX_RECORD * 2 + 5).map(|k| k as u8).collect();
    let mut writer = CaptureWriter::new(Vec::new(), &[Channel::telemetry()]).unwrap();
    writer.chunk(0, us(42), &big).unwrap();
    let bytes = writer.into_inner();
    let mut reader = CaptureReader::new(&bytes[..], "big.cap").unwrap();
    reader.read_entry().unwrap();
    let mut joined = Vec::new();
    let mut pieces = 0;
    while let Some(entry) = reader.read_entry().unwrap() {
        let Entry::Chunk {
            channel: 0,
            at,
            data,
        } = entry
        else {
            panic!("{entry:?}")
        };
        assert_eq!(at, us(42));
        joined.extend(data);
        pieces += 1;
    }
    assert_eq!(pieces, 3);
    assert_eq!(joined, big);
}

/// A capture mutated at `edits` (position, byte, what to do), each position taken modulo the
/// length: `0` overwrites, `1` inserts, `2` deletes, `3` cuts there.
fn mutate(bytes: &[u8], edits: &[(usize, u8, u8)]) -> (Vec<u8>, usize) {
    let mut bytes = bytes.to_vec();
    let mut first = usize::MAX;
    for &(at, byte, how) in edits {
        if bytes.is_empty() {
            break;
        }
        let at = at % bytes.len();
        first = first.min(at);
        match how % 4 {
            0 => bytes[at] ^= byte.max(1),
            1 => bytes.insert(at, byte),
            2 => {
                bytes.remove(at);
            }
            _ => bytes.truncate(at),
        }
    }
    (bytes, first)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Whatever the damage: no panic, errors and warnings are one line, and everything whose
    /// record ends before the first damaged byte is given as it was written.
    #[test]
    fn damage_never_panics_nor_loses_what_came_before(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..4)
    ) {
        let (channels, items) = (channels(), items());
        let (bytes, ends) = write(&channels, &items[..20]);
        let (mutated, first) = mutate(&bytes, &edits);
        if !is_capture(&mutated) {
            return Ok(());
        }
        let (announced, got, error) = replay(&mutated);
        if let Some(error) = &error {
            prop_assert!(!error.contains('\n'), "{}", error);
        }
        // What a capture names is shown on one line (messages, line prefixes).
        for g in &got {
            if let Got::Event(SourceEvent::Skipped { reason } | SourceEvent::Lost { reason, .. }) = g {
                prop_assert!(!reason.contains(char::is_control), "{:?}", reason);
            }
        }
        for channel in &announced {
            let name = channel.name.as_deref().unwrap_or_default();
            prop_assert!(!name.contains(char::is_control), "{:?}", name);
        }
        if first >= ends[0] {
            // Damage after the header may read as one more channel, never as fewer or others.
            prop_assert!(announced.len() >= channels.len(), "{:?}", announced);
            prop_assert_eq!(&announced[..channels.len()], &channels[..]);
            let complete = ends.iter().filter(|&&end| end <= first).count();
            let want = expected(&items[..complete - 1]);
            prop_assert!(got.len() >= want.len(), "{:?} < {:?}", got, want);
            prop_assert_eq!(&got[..want.len()], &want[..]);
        }
    }

    /// Random bytes after the magic and the version never panic either.
    #[test]
    fn garbage_after_the_magic_never_panics(tail in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut bytes = MAGIC.to_vec();
        bytes.push(1);
        bytes.extend(tail);
        let (_, _, error) = replay(&bytes);
        if let Some(error) = error {
            prop_assert!(!error.contains('\n'), "{}", error);
        }
    }
}

/// The hex of CAPTURE.md's worked example, a line per record.
fn example_lines() -> Vec<Vec<u8>> {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/CAPTURE.md"),
    )
    .unwrap();
    let block = doc
        .split("```hex\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a ```hex block in CAPTURE.md");
    block
        .lines()
        .map(|line| {
            line.split('#')
                .next()
                .unwrap()
                .split_whitespace()
                .map(|h| u8::from_str_radix(h, 16).unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn the_worked_example_of_capture_md() {
    let lines = example_lines();
    let file: Vec<u8> = lines.concat();
    assert_eq!(file.len(), 91, "CAPTURE.md says 91 bytes");
    // What the writer writes for the run CAPTURE.md describes, record for record.
    let channels = [
        channel(0, Some("defmt"), ChannelKind::Defmt),
        channel(1, Some("ph-eventing"), ChannelKind::PhEventing),
    ];
    let reattached = SourceEvent::Reattached {
        control_block: 0x2000_0040,
    };
    let items = [
        Item::Chunk(1, us(1500), vec![0x03, 0x2a, 0x01, 0x01]),
        Item::Chunk(0, us(1650), vec![0x02, 0x01, 0x00]),
        Item::Chunk(1, us(5000), vec![0x04, 0x07, 0x4a, 0x8b, 0x00]),
        Item::Event(us(5000), reattached.clone()),
        Item::End(us(20_000)),
    ];
    let (written, ends) = write(&channels, &items);
    assert_eq!(written, file);
    let mut line_ends = Vec::new();
    let mut at = 0;
    for line in &lines {
        at += line.len();
        line_ends.push(at);
    }
    // Magic, version, the two channels (the header), then a record a line.
    assert_eq!(line_ends[3..], ends[..]);
    // What a reader reads.
    let mut reader = CaptureReader::new(&file[..], "example.cap").unwrap();
    let entries: Vec<Entry> = std::iter::from_fn(|| reader.read_entry().unwrap()).collect();
    assert_eq!(
        entries,
        [
            Entry::Channel(channels[0].clone()),
            Entry::Channel(channels[1].clone()),
            Entry::Chunk {
                channel: 1,
                at: us(1500),
                data: vec![0x03, 0x2a, 0x01, 0x01]
            },
            Entry::Chunk {
                channel: 0,
                at: us(1650),
                data: vec![0x02, 0x01, 0x00]
            },
            Entry::Chunk {
                channel: 1,
                at: us(5000),
                data: vec![0x04, 0x07, 0x4a, 0x8b, 0x00]
            },
            Entry::Event {
                at: us(5000),
                event: reattached
            },
            Entry::End { at: us(20_000) },
        ]
    );
    // Channel 1's two pieces are WIRE.md's data_u32_small.
    let golden = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../ph-eventing-wire/tests/golden/data_u32_small.hex"),
    )
    .unwrap();
    let golden: Vec<u8> = golden
        .lines()
        .filter(|line| !line.starts_with('#'))
        .flat_map(str::split_whitespace)
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect();
    assert_eq!(
        golden,
        [
            &[0x03, 0x2a, 0x01, 0x01][..],
            &[0x04, 0x07, 0x4a, 0x8b, 0x00]
        ]
        .concat()
    );
    // `ph-tap decode` prints the lines CAPTURE.md shows, in that order.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("example.cap");
    std::fs::write(&path, &file).unwrap();
    let out = Command::cargo_bin("ph-tap")
        .unwrap()
        .args(["decode", "--format", "json", "--color", "never"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/CAPTURE.md"),
    )
    .unwrap();
    let shown = doc
        .split("$ ph-tap decode example.cap --format json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    let mut printed = stdout.lines();
    for line in shown.lines() {
        assert!(
            printed.any(|p| p == line),
            "CAPTURE.md shows {line}, ph-tap printed:\n{stdout}"
        );
    }
}

/// Keeps the stats the pipeline finished with.
struct LastStats<'a>(&'a mut Option<Stats>);

impl Sink for LastStats<'_> {
    fn finish(&mut self, stats: &Stats) -> anyhow::Result<()> {
        *self.0 = Some(stats.clone());
        Ok(())
    }
}

/// A live-looking source: the steps of [`items`] as they come, with real waits between some.
struct Live {
    channels: Vec<Channel>,
    items: std::vec::IntoIter<Item>,
}

impl Source for Live {
    fn channels(&self) -> Vec<Channel> {
        self.channels.clone()
    }

    fn poll(&mut self, buf: &mut [u8]) -> anyhow::Result<Poll> {
        Ok(match self.items.next() {
            Some(Item::Chunk(channel, _, data)) => {
                buf[..data.len()].copy_from_slice(&data);
                Poll::Data {
                    channel,
                    len: data.len(),
                }
            }
            Some(Item::Event(_, event)) => Poll::Event(event),
            Some(Item::Wait(ms)) => {
                std::thread::sleep(Duration::from_millis(ms));
                Poll::Idle
            }
            Some(Item::End(_)) => Poll::Idle,
            None => Poll::End,
        })
    }
}

/// Runs `source` as `ph-tap` does (a decoder per channel by its kind, JSON with channels and
/// times), saving to `save` when given; returns stdout and the final stats.
fn run(source: Box<dyn Source>, save: Option<&std::path::Path>) -> (String, Stats) {
    let channels = source.channels();
    let factory_channels = channels.clone();
    let router = Router::new(Box::new(move |id| {
        let channel = factory_channels
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .unwrap_or_else(Channel::telemetry);
        for_channel(&channel, &DecoderOptions::default())
    }));
    let mut out = Vec::new();
    let mut stats = None;
    let mut pipeline = Pipeline::new(router)
        .arrival_times(true)
        .sink(JsonSink::new(&mut out, true, true))
        .sink(LastStats(&mut stats));
    if let Some(path) = save {
        pipeline = pipeline.sink(SaveSink::create(path, &channels).unwrap());
    }
    let ending = pipeline
        .run(source, &Arc::new(AtomicBool::new(false)))
        .unwrap();
    assert!(matches!(ending, Ending::Finished));
    (String::from_utf8(out).unwrap(), stats.unwrap())
}

/// The live run and the replay of what it saved print the same JSON, times included, and
/// finish with the same stats: the same records in the same order, the same `t`s, the same
/// source events, reconnects, time away and duration.
#[test]
fn a_replay_prints_what_the_live_run_printed_times_included() {
    let channels = vec![
        channel(0, Some("ph-eventing"), ChannelKind::PhEventing),
        channel(1, Some("Terminal"), ChannelKind::Text),
        channel(3, Some("ph-eventing-2"), ChannelKind::PhEventing),
    ];
    let captures = scenarios::captures().unwrap();
    let mut items = Vec::new();
    let (clean, drops) = (&captures[0].1, &captures[1].1);
    for k in 0..clean.len().max(drops.len()).div_ceil(29) {
        for (channel, bytes) in [(0, clean), (3, drops)] {
            let piece = &bytes[(k * 29).min(bytes.len())..((k + 1) * 29).min(bytes.len())];
            if !piece.is_empty() {
                items.push(Item::Chunk(channel, Duration::ZERO, piece.to_vec()));
            }
        }
        if k % 4 == 0 {
            items.push(Item::Chunk(
                1,
                Duration::ZERO,
                format!("tick {k}\r\n").into(),
            ));
        }
        if k == 10 {
            items.push(Item::Wait(3));
            items.push(Item::Event(
                Duration::ZERO,
                SourceEvent::Lost {
                    what: "probe",
                    reason: "unplugged".into(),
                },
            ));
            items.push(Item::Wait(3));
            items.push(Item::Event(
                Duration::ZERO,
                SourceEvent::Back {
                    what: "probe",
                    away: Duration::from_nanos(6_543_210),
                },
            ));
            items.push(Item::Event(
                Duration::ZERO,
                SourceEvent::Reattached {
                    control_block: 0x2000_0040,
                },
            ));
        }
        if k % 7 == 3 {
            items.push(Item::Wait(3));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("live.cap");
    let live = Live {
        channels: channels.clone(),
        items: items.into_iter(),
    };
    let (live_out, live_stats) = run(Box::new(live), Some(&saved));
    assert!(live_out.contains(r#""type":"source_back""#), "{live_out}");
    assert!(live_stats.elapsed > Duration::ZERO);
    assert_eq!(live_stats.reconnects, 1);

    let file = std::fs::File::open(&saved).unwrap();
    let Recording::Capture(replay) = Recording::open(file, "live.cap").unwrap() else {
        panic!("a capture");
    };
    assert_eq!(replay.channels(), channels);
    let resaved = dir.path().join("again.cap");
    let (replay_out, replay_stats) = run(replay, Some(&resaved));
    assert_eq!(replay_out, live_out);
    assert_eq!(replay_stats, live_stats);
    // Saving the replay writes the same capture again.
    assert_eq!(
        std::fs::read(&resaved).unwrap(),
        std::fs::read(&saved).unwrap()
    );
}

/// Today's raw captures are still raw: `decode` reads them exactly as before (their snapshots
/// are checked by decode_captures.rs).
#[test]
fn raw_captures_are_not_taken_for_captures() {
    for (name, bytes) in scenarios::captures().unwrap() {
        assert!(!is_capture(&bytes), "{name}");
        let committed = std::fs::read(data(&format!("{name}.bin"))).unwrap();
        let Recording::Raw(mut source) = Recording::open(&committed[..], name).unwrap() else {
            panic!("{name} taken for a capture");
        };
        let mut buf = vec![0u8; 64 * 1024];
        let mut read = Vec::new();
        loop {
            match source.poll(&mut buf).unwrap() {
                Poll::Data { channel: 0, len } => read.extend_from_slice(&buf[..len]),
                Poll::End => break,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(read, committed, "{name}");
    }
    let wire_example = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ph-eventing-wire/examples/data/capture.bin");
    assert!(!is_capture(&std::fs::read(wire_example).unwrap()));
}

//! defmt log channels beside telemetry, decoded with a real defmt 1.x firmware's ELF
//! (`tests/data/defmt/`, see the README there): the log lines, resynchronising after damage,
//! frames that must never reach defmt-decoder, ELFs without a usable table, and garbage on the
//! log channel never costing the telemetry channel a record.

mod common;

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use common::defmt::{self as fixture, Chunks, route, router};
use common::{check_snapshot, data};
use ph_tap::channel::{Channel, ChannelKind};
use ph_tap::decode::{DecoderOptions, DefmtTable, NO_ELF};
use ph_tap::pipeline::Pipeline;
use ph_tap::record::{Body, ChannelId, Record, Warning};
use ph_tap::sink::{HumanSink, JsonSink};
use proptest::prelude::*;

/// The fixture's frames through the pipeline with `options`: stdout of `--format json`.
fn json_of(
    chunks: Vec<(ChannelId, Vec<u8>)>,
    channels: Vec<Channel>,
    options: DecoderOptions,
) -> String {
    let mut out = Vec::new();
    let show_channel = channels.len() > 1;
    let source = Chunks {
        channels: channels.clone(),
        chunks: VecDeque::from(chunks),
    };
    Pipeline::new(router(channels, options))
        .sink(JsonSink::new(&mut out, show_channel, false))
        .run(Box::new(source), &Arc::new(AtomicBool::new(false)))
        .unwrap();
    String::from_utf8(out).unwrap()
}

fn defmt_only() -> Vec<Channel> {
    vec![fixture::channels().remove(0)]
}

fn bodies(records: &[Record], channel: ChannelId) -> Vec<Body> {
    records
        .iter()
        .filter(|r| r.origin.channel == channel)
        .map(|r| r.body.clone())
        .collect()
}

fn warnings(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .filter_map(|r| match &r.body {
            Body::Warning(w) => Some(w.to_string()),
            _ => None,
        })
        .collect()
}

fn logs(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .filter_map(|r| match &r.body {
            Body::Log(log) => Some(log.message.clone()),
            _ => None,
        })
        .collect()
}

/// The fixture's frames decode to the levels, messages, timestamps and locations the firmware
/// logged (a golden file: `PH_TAP_BLESS=1` rewrites it), and the summary counts them.
#[test]
fn fixture_decodes_to_the_golden_json_lines() {
    let json = json_of(
        vec![(0, fixture::frames())],
        defmt_only(),
        fixture::options(),
    );
    check_snapshot("defmt/fixture.json.out", &json);
    let lines: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(
        summary["lines"],
        serde_json::json!([{"channel": 0, "kind": "defmt", "lines": 19, "undecodable": 0,
            "bytes": fixture::frames().len(), "decoded": true}])
    );
    // Spot checks of what the golden file holds.
    assert_eq!(lines[0]["level"], "INFO");
    assert_eq!(lines[0]["data"], "boot: defmt-fixture v0.3");
    assert_eq!(lines[0]["target_timestamp"], "0.001000");
    assert_eq!(lines[0]["location"]["file"], "fixture/src/main.rs");
    assert_eq!(
        lines[5]["level"],
        serde_json::Value::Null,
        "println! has no level"
    );
}

/// The human format with `-v`: timestamp, level, message and `file:line`, as defmt-print shows
/// them.
#[test]
fn fixture_human_verbose() {
    let mut out = Vec::new();
    let source = Chunks {
        channels: defmt_only(),
        chunks: VecDeque::from([(0, fixture::frames())]),
    };
    Pipeline::new(router(defmt_only(), fixture::options()))
        .sink(HumanSink::new(&mut out, false, false).verbose(true))
        .run(Box::new(source), &Arc::new(AtomicBool::new(false)))
        .unwrap();
    check_snapshot("defmt/fixture.out", &String::from_utf8(out).unwrap());
}

/// Split at every byte boundary (and fed a byte at a time), the frames give the same records.
#[test]
fn split_anywhere_gives_the_same_records() {
    let frames = fixture::frames();
    let whole = route(
        &mut router(defmt_only(), fixture::options()),
        &[(0, &frames)],
    );
    assert_eq!(logs(&whole).len(), 19);
    assert!(warnings(&whole).is_empty(), "{:?}", warnings(&whole));
    for at in 0..=frames.len() {
        let split = route(
            &mut router(defmt_only(), fixture::options()),
            &[(0, &frames[..at]), (0, &frames[at..])],
        );
        assert_eq!(split, whole, "split at {at}");
    }
    let bytes: Vec<(ChannelId, &[u8])> = frames.chunks(1).map(|b| (0, b)).collect();
    assert_eq!(
        route(&mut router(defmt_only(), fixture::options()), &bytes),
        whole
    );
}

/// A frame cut short (bytes lost on the way) is one warning, and the next frame decodes again.
#[test]
fn a_truncated_frame_is_one_warning_and_decoding_goes_on() {
    let frames = fixture::encoded_frames();
    let mut stream = vec![0u8];
    for (i, frame) in frames.iter().enumerate() {
        let keep = if i == 3 { frame.len() / 2 } else { frame.len() };
        stream.extend_from_slice(&frame[..keep]);
        stream.push(0);
    }
    let records = route(
        &mut router(defmt_only(), fixture::options()),
        &[(0, &stream)],
    );
    let shown = logs(&records);
    assert_eq!(shown.len(), 18, "{shown:?}");
    assert!(
        shown[3].starts_with("state Busy(7)"),
        "frame 3 is gone: {shown:?}"
    );
    let said = warnings(&records);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].starts_with("channel 0 'defmt': defmt frame could not be decoded: "),
        "{said:?}"
    );
    assert!(said[0].ends_with("; resynchronising"), "{said:?}");
}

/// A stream that ends inside a frame says so, once.
#[test]
fn a_stream_ending_inside_a_frame_says_so() {
    let frames = fixture::frames();
    let records = route(
        &mut router(defmt_only(), fixture::options()),
        &[(0, &frames[..frames.len() - 3])],
    );
    assert_eq!(logs(&records).len(), 18);
    assert_eq!(
        warnings(&records),
        [
            "channel 0 'defmt': defmt frame could not be decoded: the stream ended inside it; resynchronising"
        ]
    );
}

/// Frames that would abort defmt-decoder (a damaged slice length, formats nested without end,
/// slices of slices of data-less elements) and one that makes it panic (a wall-clock timestamp
/// out of range) are each one warning; the frames after them decode.
#[test]
fn frames_that_would_abort_or_panic_defmt_decoder_are_refused() {
    let raw = fixture::raw_frames();
    // In the order fixture/src/main.rs logs them.
    let (slice, maybe, wall, batches) = (&raw[8], &raw[10], &raw[11], &raw[12]);

    let mut huge = slice.clone();
    huge[10..14].copy_from_slice(&u32::MAX.to_le_bytes());

    // maybe: [index, timestamp, Option's index, 1 (Some), Option's index, 1, u8's index, 5].
    let (option, some, byte) = (&maybe[10..12], maybe[12], &maybe[16..19]);
    let mut deep = maybe[..10].to_vec();
    for _ in 0..20_000 {
        deep.extend_from_slice(option);
        deep.push(some);
    }
    deep.extend_from_slice(byte);
    let mut nested_ok = maybe[..10].to_vec();
    for _ in 0..40 {
        nested_ok.extend_from_slice(option);
        nested_ok.push(some);
    }
    nested_ok.extend_from_slice(byte);

    // batches: [index, timestamp, 2 (elements), Batch's index, then each Batch: the index of
    // `{=[?]}` (its `ticks`), 2 or 0 (elements), Tick's index].
    let (batch, slice_of, tick) = (&batches[14..16], &batches[16..18], &batches[22..24]);
    let mut product = batches[..10].to_vec();
    product.extend_from_slice(&5000u32.to_le_bytes());
    product.extend_from_slice(batch);
    for _ in 0..5000 {
        product.extend_from_slice(slice_of);
        product.extend_from_slice(&30_000u32.to_le_bytes());
        product.extend_from_slice(tick);
    }

    let mut late = wall.clone();
    late[10..18].copy_from_slice(&u64::MAX.to_le_bytes());

    let mut stream = fixture::frames();
    for frame in [&huge, &deep, &product, &late, &nested_ok] {
        stream.extend(fixture::rzcobs_encode(frame));
    }
    stream.extend(fixture::rzcobs_encode(&raw[0]));
    let records = route(
        &mut router(defmt_only(), fixture::options()),
        &[(0, &stream)],
    );
    let said = warnings(&records);
    assert_eq!(said.len(), 4, "{said:?}");
    assert!(
        said[0].contains("a slice of 4294967295 elements in a frame of"),
        "{said:?}"
    );
    assert!(
        said[1].contains("formats nested more than 64 deep"),
        "{said:?}"
    );
    assert!(said[2].contains("slice elements in a frame of"), "{said:?}");
    assert!(said[3].contains("defmt-decoder failed on it"), "{said:?}");
    let shown = logs(&records);
    assert_eq!(shown.len(), 19 + 2, "{shown:?}");
    assert_eq!(
        shown[12],
        "batches [Batch { ticks: [Tick, Tick] }, Batch { ticks: [] }]"
    );
    assert_eq!(
        shown[19],
        format!("maybe {}5{}", "Some(".repeat(40), ")".repeat(40))
    );
    assert_eq!(shown[20], "boot: defmt-fixture v0.3", "decoding went on");
}

/// `channel 0 'defmt' is not decoded: ...`, once, with the bytes counted; the telemetry beside
/// it as if alone.
fn check_not_decoded(options: DecoderOptions, reason: &str) {
    let telemetry = std::fs::read(data("clean.bin")).unwrap();
    let alone = route(
        &mut router(
            vec![fixture::channels().remove(1)],
            DecoderOptions::default(),
        ),
        &[(1, &telemetry)],
    );
    let frames = fixture::frames();
    let (a, b) = frames.split_at(frames.len() / 2);
    let mixed = route(
        &mut router(fixture::channels(), options),
        &[(0, a), (1, &telemetry), (0, b)],
    );
    assert_eq!(bodies(&mixed, 1), bodies(&alone, 1));
    assert_eq!(
        bodies(&mixed, 0),
        [Body::Warning(Box::new(Warning::NotDecoded {
            channel: "0 'defmt'".into(),
            reason: reason.into()
        }))]
    );
}

#[test]
fn without_elf_the_defmt_channel_is_reported_once() {
    check_not_decoded(DecoderOptions::default(), NO_ELF);
    assert_eq!(
        Warning::NotDecoded {
            channel: "0 'defmt'".into(),
            reason: NO_ELF.into()
        }
        .to_string(),
        "channel 0 'defmt' is not decoded: pass --elf FIRMWARE.elf to decode the defmt channel"
    );
}

fn with_elf(bytes: &[u8], name: &str) -> DecoderOptions {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    DecoderOptions::default().with_elf(&path).unwrap()
}

#[test]
fn an_elf_without_a_defmt_table_is_reported_once() {
    let elf = common::rtt_elf::build(&common::rtt_elf::Image {
        with_control_block: true,
        up0: Vec::new(),
        with_symbol: true,
    });
    check_not_decoded(
        with_elf(&elf, "app.elf"),
        "app.elf has no .defmt table: is it the firmware that runs, and does it log with defmt?",
    );
}

#[test]
fn a_file_that_is_not_an_elf_is_reported_once() {
    check_not_decoded(
        with_elf(b"#!/bin/sh\necho hi\n", "app.elf"),
        "app.elf is not an ELF file: pass the firmware's ELF (as the build wrote it) with --elf",
    );
}

#[test]
fn a_table_of_another_defmt_version_is_reported_once() {
    let mut elf = fixture::elf();
    let symbol = b"_defmt_version_ = 4";
    let at: Vec<usize> = (0..elf.len() - symbol.len())
        .filter(|&i| &elf[i..i + symbol.len()] == symbol)
        .collect();
    assert!(!at.is_empty(), "the fixture names its defmt version");
    for at in at {
        elf[at + symbol.len() - 1] = b'9';
    }
    check_not_decoded(
        with_elf(&elf, "fw.elf"),
        "the defmt table of fw.elf is version 9, this ph-tap reads 3, 4: build the firmware with a defmt this ph-tap reads, or use a ph-tap that reads version 9",
    );
}

#[test]
fn a_damaged_elf_is_reported_once() {
    // Cut inside the section headers: the ELF header promises what is not there.
    let elf = fixture::elf();
    let options = with_elf(&elf[..elf.len() - 200], "fw.elf");
    let reason = options.defmt.clone().unwrap_err();
    assert!(
        reason.starts_with("the defmt table of fw.elf cannot be read ("),
        "{reason}"
    );
    check_not_decoded(options, &reason);
}

/// Whatever arrives on the defmt channel (random bytes, damaged and cut fixture frames, in any
/// chunks, interleaved with the telemetry in any way), nothing panics and the telemetry channel's
/// records are exactly those of the telemetry alone.
mod garbage {
    use super::*;

    fn garbage() -> impl Strategy<Value = Vec<u8>> {
        let frames = fixture::frames();
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..3000),
            // Mostly zeros and small bytes: many short rzcobs frames.
            proptest::collection::vec(prop_oneof![Just(0u8), 1u8..8, any::<u8>()], 0..3000),
            // The real frames, damaged.
            (
                proptest::collection::vec((0..frames.len(), any::<u8>()), 0..20),
                0..=frames.len()
            )
                .prop_map(move |(flips, keep)| {
                    let mut bytes = frames.clone();
                    for (at, xor) in flips {
                        bytes[at] ^= xor;
                    }
                    bytes.truncate(keep);
                    bytes
                }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn never_costs_a_telemetry_record(
            garbage in garbage(),
            telemetry_chunk in 1usize..200,
            garbage_chunk in 1usize..500,
        ) {
            let telemetry = std::fs::read(data("clean.bin")).unwrap();
            let alone = route(
                &mut router(vec![fixture::channels().remove(1)], DecoderOptions::default()),
                &[(1, &telemetry)],
            );
            let mut chunks: Vec<(ChannelId, &[u8])> = Vec::new();
            let mut t = telemetry.chunks(telemetry_chunk);
            let mut g = garbage.chunks(garbage_chunk);
            loop {
                let (a, b) = (g.next(), t.next());
                if a.is_none() && b.is_none() {
                    break;
                }
                chunks.extend(a.map(|a| (0, a)));
                chunks.extend(b.map(|b| (1, b)));
            }
            let mixed = route(&mut router(fixture::channels(), fixture::options()), &chunks);
            prop_assert_eq!(bodies(&mixed, 1), bodies(&alone, 1));
            for record in bodies(&mixed, 0) {
                prop_assert!(matches!(record, Body::Log(_) | Body::Warning(_)), "{:?}", record);
            }
        }
    }
}

/// `--format json` of telemetry and logs interleaved: every stdout line is one JSON object
/// (warnings go to stderr), each with its channel, and the summary counts both.
#[test]
fn json_of_a_mixed_stream_is_pure_json_lines() {
    let telemetry = std::fs::read(data("clean.bin")).unwrap();
    // Each frame whole, then garbage (a warning, never on stdout), then the next.
    let mut logs = Vec::new();
    for frame in fixture::encoded_frames() {
        logs.push([&frame[..], &[0]].concat());
        logs.push(vec![0x55, 0x00]);
    }
    let mut chunks = Vec::new();
    let (mut t, mut f) = (telemetry.chunks(25), logs.into_iter());
    loop {
        let (a, b) = (t.next(), f.next());
        if a.is_none() && b.is_none() {
            break;
        }
        chunks.extend(a.map(|a| (1, a.to_vec())));
        chunks.extend(b.map(|b| (0, b)));
    }
    let json = json_of(chunks, fixture::channels(), fixture::options());
    let lines: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let of = |kind: &str| lines.iter().filter(|l| l["type"] == kind).count();
    assert_eq!(of("log"), 19);
    assert_eq!(of("event"), 40);
    assert!(
        lines
            .iter()
            .all(|l| l["type"] == "summary" || l["channel"].is_u64())
    );
    let summary = lines.last().unwrap();
    assert_eq!(summary["frames"], 40);
    assert_eq!(summary["lines"][0]["lines"], 19);
    assert!(summary["lines"][0]["undecodable"].as_u64().unwrap() > 0);
}

/// Text channels beside telemetry: lines as they came, in arrival order.
#[test]
fn a_text_channel_shows_lines() {
    let channels = vec![
        Channel {
            id: 2,
            name: Some("Terminal".into()),
            kind: ChannelKind::Text,
        },
        fixture::channels().remove(1),
    ];
    let telemetry = std::fs::read(data("clean.bin")).unwrap();
    let records = route(
        &mut router(channels, DecoderOptions::default()),
        &[(2, b"boot\r\nsens"), (1, &telemetry), (2, b"or ok\ntail")],
    );
    let text: Vec<&str> = records
        .iter()
        .filter_map(|r| match &r.body {
            Body::Text(line) => Some(line.text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(text, ["boot", "sensor ok", "tail"]);
    let values = records
        .iter()
        .filter(|r| matches!(r.body, Body::Value { .. }))
        .count();
    assert_eq!(values, 40);
}

/// The table's description, for `--elf` users reading a `Debug`.
#[test]
fn the_fixture_table_has_timestamps_and_locations() {
    let table = DefmtTable::parse(&fixture::elf(), "fixture.elf").unwrap();
    assert!(table.has_timestamp());
    assert_eq!(table.name(), "fixture.elf");
    assert!(table.locations() >= 14, "{table:?}");
}

/// Telemetry and logs in one human stream: each line names its channel, padded so that the
/// lines line up.
#[test]
fn mixed_human_output() {
    let telemetry = std::fs::read(data("clean.bin")).unwrap();
    let mut chunks = Vec::new();
    let frames = fixture::encoded_frames();
    // The hello and a few values, then a log frame, more values, another frame...
    for (frame, values) in frames[..4].iter().zip(telemetry[..240].chunks(80)) {
        chunks.push((1, values.to_vec()));
        chunks.push((0, [&frame[..], &[0]].concat()));
    }
    let mut out = Vec::new();
    let source = Chunks {
        channels: fixture::channels(),
        chunks: VecDeque::from(chunks),
    };
    Pipeline::new(router(fixture::channels(), fixture::options()))
        .sink(HumanSink::new(&mut out, false, true).channels(&fixture::channels()))
        .run(Box::new(source), &Arc::new(AtomicBool::new(false)))
        .unwrap();
    check_snapshot("defmt/mixed.out", &String::from_utf8(out).unwrap());
}

/// `ph-tap decode --elf`: an ELF given for a capture without a defmt channel changes nothing.
#[test]
fn decode_takes_elf_and_verbose() {
    let plain = assert_cmd::Command::cargo_bin("ph-tap")
        .unwrap()
        .args(["decode", "--color", "never"])
        .arg(data("clean.bin"))
        .output()
        .unwrap();
    let with_elf = assert_cmd::Command::cargo_bin("ph-tap")
        .unwrap()
        .args(["decode", "--color", "never", "-v", "--elf"])
        .arg(data("defmt/fixture.elf"))
        .arg(data("clean.bin"))
        .output()
        .unwrap();
    assert!(with_elf.status.success(), "{with_elf:?}");
    assert_eq!(with_elf.stdout, plain.stdout);
    assert_eq!(with_elf.stderr, plain.stderr);
}

/// A `--elf` that cannot be read is an error that says what to do (a file that is not an ELF is
/// not: see the NotDecoded tests).
#[test]
fn decode_with_a_missing_elf_is_one_error_line() {
    let out = assert_cmd::Command::cargo_bin("ph-tap")
        .unwrap()
        .args(["decode", "--elf", "no-such-firmware.elf"])
        .arg(data("clean.bin"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: cannot read --elf no-such-firmware.elf: check the path"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

//! Golden vectors (`tests/golden/*.hex`), checked in both directions: the encoder must produce
//! exactly the committed bytes, and decoding the committed bytes must give the stated fields.
//! Regenerate after an intentional format change with `UPDATE_GOLDEN=1 cargo test --test golden`
//! (and bump the format version, see WIRE.md).

mod common;

use std::path::PathBuf;

use common::{Owned, SAMPLE, Sample16, check_golden, decode_all};
use ph_eventing_wire::encode::{
    DataFields, HelloFields, encode_compact, encode_data, encode_hello, encode_stream_compact,
    encode_stream_data, encode_stream_hello,
};
use ph_eventing_wire::frame::FORMAT_VERSION;
use ph_eventing_wire::schema::parse_schema;
use ph_eventing_wire::stream::{StreamDesc, StreamKind};
use ph_eventing_wire::value::decode_value;

struct Vector {
    name: &'static str,
    about: &'static str,
    bytes: Vec<u8>,
    expect: Owned,
}

fn vectors() -> Vec<Vector> {
    let mut buf = [0u8; 256];
    let mut v = Vec::new();
    let mut stream_data = |name,
                           about,
                           stream,
                           boot: u32,
                           f: DataFields,
                           value: &dyn Fn(&mut [u8]) -> Vec<u8>,
                           raw| {
        v.push(Vector {
            name,
            about,
            bytes: value(&mut buf),
            expect: Owned::Data {
                stream,
                boot_tag: (boot & 0x3F) as u8,
                seq: f.seq,
                ring_drops: f.ring_drops,
                skipped: f.skipped,
                dropped: if f.skipped == 0 { 0 } else { f.dropped },
                value: raw,
            },
        });
    };
    let mut data = |name, about, boot, f, value: &dyn Fn(&mut [u8]) -> Vec<u8>, raw| {
        stream_data(name, about, 0, boot, f, value, raw)
    };
    let f = DataFields::contiguous(1, 0);
    data(
        "data_u32_small",
        "full data frame: boot id 0x0000002A, seq 1, ring_drops 0, skipped 0, value 7u32",
        0x2A,
        f,
        &|b| encode_data(0x2A, &f, &7u32, b).unwrap().to_vec(),
        vec![7],
    );
    let f = DataFields::contiguous(128, 0);
    data(
        "data_u32_zeros",
        "full data frame: boot id 0x00000080 (tag 0), seq 128, ring_drops 0, skipped 0, value 0u32 (COBS at work)",
        0x80,
        f,
        &|b| encode_data(0x80, &f, &0u32, b).unwrap().to_vec(),
        vec![0],
    );
    let f = DataFields {
        seq: u32::MAX,
        ring_drops: 300,
        skipped: u32::MAX - 1,
        dropped: 300,
    };
    data(
        "data_u32_max",
        "full data frame: boot id 0xDEADBEEF, seq u32::MAX, ring_drops 300, skipped u32::MAX - 1, dropped 300, value u32::MAX",
        0xDEAD_BEEF,
        f,
        &|b| encode_data(0xDEAD_BEEF, &f, &u32::MAX, b).unwrap().to_vec(),
        vec![0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
    );
    let f = DataFields::after(990, 0, 1000, 2);
    data(
        "data_u32_gap",
        "full data frame after a gap: boot id 0x0000002A, seq 1000, ring_drops 2, skipped 10 (990..=999), dropped 2, value 300u32",
        0x2A,
        f,
        &|b| encode_data(0x2A, &f, &300u32, b).unwrap().to_vec(),
        vec![0xAC, 0x02],
    );
    let f = DataFields::contiguous(1000, 2);
    data(
        "data_sample16",
        "full data frame: boot id 0x0000002A, seq 1000, ring_drops 2, skipped 0, value Sample16 (see tests/common)",
        0x2A,
        f,
        &|b| encode_data(0x2A, &f, &SAMPLE, b).unwrap().to_vec(),
        postcard::to_allocvec(&SAMPLE).unwrap(),
    );
    let f = DataFields::contiguous(1, 0);
    stream_data(
        "data_stream2_u32",
        "full data frame of stream 2: prefix 0xC2, boot id 0x0000002A, seq 1, ring_drops 0, skipped 0, value 7u32",
        2,
        0x2A,
        f,
        &|b| encode_stream_data(2, 0x2A, &f, &7u32, b).unwrap().to_vec(),
        vec![7],
    );
    let compact = |name, about, stream, seq: u32, value: Vec<u8>, bytes| Vector {
        name,
        about,
        bytes,
        expect: Owned::Compact {
            stream,
            seq_bits: (seq & 0x3F) as u8,
            value,
        },
    };
    v.push(compact(
        "compact_u32",
        "compact data frame: seq 2 (seq bits 0x02), value 7u32 (seq = previous + 1)",
        0,
        2,
        vec![7],
        encode_compact(2, &7u32, &mut [0u8; 32]).unwrap().to_vec(),
    ));
    v.push(compact(
        "compact_sample16",
        "compact data frame: seq 1001 (seq bits 0x29), value Sample16 (seq = previous + 1)",
        0,
        1001,
        postcard::to_allocvec(&SAMPLE).unwrap(),
        encode_compact(1001, &SAMPLE, &mut [0u8; 64])
            .unwrap()
            .to_vec(),
    ));
    v.push(compact(
        "compact_stream2_u32",
        "compact data frame of stream 2: prefix 0xC2, seq 2 (seq bits 0x02), value 7u32 (seq = previous of stream 2 + 1)",
        2,
        2,
        vec![7],
        encode_stream_compact(2, 2, &7u32, &mut [0u8; 32])
            .unwrap()
            .to_vec(),
    ));
    let hello =
        |name, about, next_seq, drops, schema: Vec<u8>, max, desc: StreamDesc, bytes| Vector {
            name,
            about,
            bytes,
            expect: Owned::Hello {
                version: FORMAT_VERSION,
                boot_id: 0xB007_0001,
                next_seq,
                ring_drops: drops,
                value_max_size: max,
                schema,
                stream: desc.id,
                streams: desc.streams,
                kind: desc.kind,
                name: desc.name.into(),
            },
        };
    let f = |next_seq, ring_drops| HelloFields {
        boot_id: 0xB007_0001,
        next_seq,
        ring_drops,
    };
    v.push(hello(
        "hello_u32",
        "hello: boot id 0xB0070001, next_seq 1, ring_drops 0, value type u32",
        1,
        0,
        postcard::to_allocvec(<u32 as postcard_schema::Schema>::SCHEMA).unwrap(),
        5,
        StreamDesc::SINGLE,
        encode_hello::<u32>(&f(1, 0), &mut [0u8; 64])
            .unwrap()
            .to_vec(),
    ));
    let faults = StreamDesc::new(2, "faults")
        .with_kind(StreamKind::Queue)
        .of(3);
    v.push(hello(
        "hello_stream2_queue",
        "hello of stream 2 of 3, a queue named \"faults\": boot id 0xB0070001, next_seq 1, ring_drops 0 (refusals), value type u32",
        1,
        0,
        postcard::to_allocvec(<u32 as postcard_schema::Schema>::SCHEMA).unwrap(),
        5,
        faults,
        encode_stream_hello::<u32>(&f(1, 0), &faults, &mut [0u8; 64])
            .unwrap()
            .to_vec(),
    ));
    v.push(hello(
        "hello_sample16",
        "hello: boot id 0xB0070001, next_seq 1000, ring_drops 2, value type Sample16",
        1000,
        2,
        postcard::to_allocvec(<Sample16 as postcard_schema::Schema>::SCHEMA).unwrap(),
        20,
        StreamDesc::SINGLE,
        encode_hello::<Sample16>(&f(1000, 2), &mut [0u8; 256])
            .unwrap()
            .to_vec(),
    ));
    v
}

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.hex"))
}

fn to_hex_file(v: &Vector) -> String {
    let hex: Vec<String> = v.bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "# {}\n# {} bytes on the wire, delimiter included\n{}\n",
        v.about,
        v.bytes.len(),
        hex.join(" ")
    )
}

fn from_hex_file(text: &str) -> Vec<u8> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(str::split_whitespace)
        .map(|h| u8::from_str_radix(h, 16).unwrap_or_else(|_| panic!("bad hex byte {h:?}")))
        .collect()
}

#[test]
fn encoder_matches_golden_files() {
    for v in vectors() {
        // The whole file: the bytes and the comments describing them.
        check_golden(&path(v.name), to_hex_file(&v).as_bytes());
        let text = std::fs::read_to_string(path(v.name)).unwrap();
        assert_eq!(
            from_hex_file(&text),
            v.bytes,
            "{} differs from what the encoder writes",
            v.name
        );
    }
}

#[test]
fn golden_files_decode_to_their_fields() {
    for v in vectors() {
        let bytes = from_hex_file(&std::fs::read_to_string(path(v.name)).unwrap());
        assert_eq!(
            decode_all(&bytes),
            std::slice::from_ref(&v.expect),
            "{}",
            v.name
        );
    }
}

/// Version 2 hellos (the previous format, kept as `v2_*.hex`) still decode: as the hello of
/// stream 0, the only stream, a ring, without a name. Version 2 data frames are version 3
/// frames of stream 0 byte for byte (the `data_*` and `compact_*` vectors without a prefix).
#[test]
fn version_2_hellos_still_decode_as_stream_0() {
    for (name, next_seq, drops, max, schema) in [
        (
            "v2_hello_u32",
            1,
            0,
            5,
            postcard::to_allocvec(<u32 as postcard_schema::Schema>::SCHEMA).unwrap(),
        ),
        (
            "v2_hello_sample16",
            1000,
            2,
            20,
            postcard::to_allocvec(<Sample16 as postcard_schema::Schema>::SCHEMA).unwrap(),
        ),
    ] {
        let bytes = from_hex_file(&std::fs::read_to_string(path(name)).unwrap());
        assert_eq!(
            decode_all(&bytes),
            [Owned::Hello {
                version: 2,
                boot_id: 0xB007_0001,
                next_seq,
                ring_drops: drops,
                value_max_size: max,
                schema,
                stream: 0,
                streams: 1,
                kind: StreamKind::Ring,
                name: String::new(),
            }],
            "{name}"
        );
    }
}

#[test]
fn golden_struct_value_decodes_through_its_golden_schema() {
    let hello = from_hex_file(&std::fs::read_to_string(path("hello_sample16")).unwrap());
    let data = from_hex_file(&std::fs::read_to_string(path("data_sample16")).unwrap());
    let [Owned::Hello { schema, .. }] = &decode_all(&hello)[..] else {
        panic!()
    };
    let [Owned::Data { value, .. }] = &decode_all(&data)[..] else {
        panic!()
    };
    let schema = parse_schema(schema).unwrap();
    let json = decode_value(&schema, value).unwrap();
    assert_eq!(
        json.to_string(),
        r#"{"t_us":1234567,"channel":3,"flags":5,"x":-120,"y":45,"z":1000,"volts":3.3}"#
    );
}

/// The worked examples of `WIRE.md` show the golden bytes: a spec that drifted from the code would
/// mislead whoever writes a reader from it. Every `wire:` line under a "### `name`" heading must be
/// the bytes of `tests/golden/name.hex`.
#[test]
fn wire_md_examples_are_the_golden_bytes() {
    let spec = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("WIRE.md"))
        .expect("WIRE.md next to Cargo.toml");
    let mut heading: Option<String> = None;
    let mut checked = 0;
    for line in spec.lines() {
        if let Some(rest) = line.strip_prefix("### `") {
            heading = rest.split('`').next().map(str::to_owned);
        } else if let Some(hex) = line.strip_prefix("wire: ") {
            let name = heading
                .take()
                .expect("a `wire:` line belongs under a ### `name` heading, once");
            let golden = from_hex_file(&std::fs::read_to_string(path(&name)).unwrap());
            assert_eq!(from_hex_file(hex), golden, "WIRE.md example `{name}`");
            checked += 1;
        }
    }
    assert!(
        checked >= 6,
        "only {checked} worked examples found in WIRE.md"
    );
}

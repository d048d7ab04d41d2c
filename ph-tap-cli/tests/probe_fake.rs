//! The probe path against probe-rs's own `FakeProbe` (a mocked Cortex-M core whose memory is
//! an ELF image): attaching to an nRF52840, finding the RTT control block from `--elf` and by
//! scanning, channel checks, and reading wrapped-around up-channel data into the real decoder.
//!
//! probe-rs's mock core ignores memory writes, so only the first read of a channel can be
//! tested here (the RTT read pointer written back is not kept).

mod common;

use common::rtt_elf::{self, Image};
use ph_tap::channel::{Channel, ChannelKind};
use ph_tap::decode::value::ValueAs;
use ph_tap::decode::{Decoder, PhEventingDecoder};
use ph_tap::probe::{
    ChannelSelector, RttOptions, attach_probe, resolve_chip, rtt_address_from_elf, scan_region,
};
use ph_tap::record::Body;
use ph_tap::source::{Poll, ProbeSource, Source};
use probe_rs::architecture::arm::FullyQualifiedApAddress;
use probe_rs::integration::{FakeProbe, Operation};
use probe_rs::rtt::ScanRegion;

/// Four data frames of `u32` values 10, 20, 30, 40 (seq 1..4), as the firmware's encoder writes them.
fn frames() -> Vec<u8> {
    let mut out = vec![0u8];
    let mut buf = [0u8; 32];
    let mut encoder = ph_eventing_wire::encode::StreamEncoder::new(0x42);
    for seq in 1..=4u32 {
        encoder
            .data(seq, 0, &(seq * 10), &mut buf, &mut |f: &[u8]| {
                out.extend_from_slice(f);
                true
            })
            .unwrap();
    }
    out
}

fn elf_file(image: &Image) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), rtt_elf::build(image)).unwrap();
    file
}

fn attach(image: &Image, opts: &RttOptions) -> anyhow::Result<ProbeSource> {
    let elf = elf_file(image);
    let opts = RttOptions {
        elf: opts.elf.as_ref().map(|_| elf.path().to_owned()),
        ..opts.clone()
    };
    let region = scan_region(&opts)?;
    let fake = FakeProbe::with_mocked_core_and_binary(elf.path());
    // The nRF52 attach sequence first asks the CTRL-AP whether the core is protected: unlocked.
    fake.expect_operation(Operation::ReadRawApRegister {
        ap: FullyQualifiedApAddress::v1_with_default_dp(1),
        address: 0x0C, // APPROTECTSTATUS
        result: 1,
    });
    let probe = fake.into_probe();
    attach_probe(probe, resolve_chip("nRF52840")?, &region, false, &opts)
}

fn image() -> Image {
    Image {
        with_control_block: true,
        up0: frames(),
        with_symbol: true,
    }
}

#[test]
fn elf_symbol_gives_the_control_block_address() {
    let elf = elf_file(&image());
    assert_eq!(
        rtt_address_from_elf(elf.path()).unwrap(),
        u64::from(rtt_elf::CONTROL_BLOCK)
    );
}

#[test]
fn elf_without_symbol_says_so() {
    let elf = elf_file(&Image {
        with_symbol: false,
        ..image()
    });
    let err = rtt_address_from_elf(elf.path()).unwrap_err().to_string();
    assert!(err.contains("has no _SEGGER_RTT symbol"), "{err}");
}

#[test]
fn not_an_elf_says_so() {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), b"just some bytes").unwrap();
    let err = rtt_address_from_elf(file.path()).unwrap_err().to_string();
    assert!(err.contains("is not an ELF file"), "{err}");
}

/// Reads once and decodes what came out, which must be channel 0's frames.
fn read_and_decode(mut source: ProbeSource) -> Vec<Body> {
    let mut buf = [0u8; 256];
    let Poll::Data { channel: 0, len } = source.poll(&mut buf).unwrap() else {
        panic!("expected data from RTT up channel 0");
    };
    assert_eq!(
        &buf[..len],
        &frames()[..],
        "bytes read through probe-rs RTT"
    );
    let mut bodies = Vec::new();
    PhEventingDecoder::new(ValueAs::U32).feed(&buf[..len], &mut |b| bodies.push(b));
    bodies
}

#[test]
fn reads_wrapped_frames_through_probe_rs_rtt_at_the_elf_address() {
    let opts = RttOptions {
        elf: Some("set by attach()".into()),
        ..RttOptions::default()
    };
    let source = attach(&image(), &opts).unwrap();
    assert_eq!(source.control_block(), u64::from(rtt_elf::CONTROL_BLOCK));
    let records = read_and_decode(source);
    let values: Vec<_> = records
        .iter()
        .map(|r| match r {
            Body::Value { seq, value } => (*seq, value.clone()),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        values,
        (1..=4u32)
            .map(|s| (s, serde_json::json!(s * 10)))
            .collect::<Vec<_>>()
    );
}

#[test]
fn finds_the_control_block_by_scanning_ram() {
    let source = attach(&image(), &RttOptions::default()).unwrap();
    // probe-rs scans the nRF52840's RAM through its code-bus alias.
    let offset = rtt_elf::CONTROL_BLOCK - rtt_elf::RAM;
    assert_eq!(
        source.control_block(),
        u64::from(rtt_elf::RAM_CODE_ALIAS + offset)
    );
    assert_eq!(read_and_decode(source).len(), 4);
}

#[test]
fn channel_out_of_range_names_the_channels() {
    let opts = RttOptions {
        channels: vec![ChannelSelector::Number(0), ChannelSelector::Number(5)],
        ..RttOptions::default()
    };
    let err = ph_tap::one_line(&attach(&image(), &opts).err().unwrap());
    assert_eq!(
        err,
        "no RTT up channel 5: the target has 0 'ph-eventing', 1 'defmt'; pick with --channel N|NAME"
    );
}

fn ids(channels: &[Channel]) -> Vec<usize> {
    channels.iter().map(|c| c.id).collect()
}

/// Without `--channel`, the telemetry channel is found by its name; `--channel NAME` finds any.
#[test]
fn channels_are_found_by_name() {
    // The telemetry channel, and the defmt channel beside it.
    let source = attach(&image(), &RttOptions::default()).unwrap();
    assert_eq!(ids(source.channels()), [0, 1]);
    assert_eq!(source.channels()[1].kind, ChannelKind::Defmt);
    let opts = RttOptions {
        channels: vec!["defmt".parse().unwrap()],
        ..RttOptions::default()
    };
    assert_eq!(ids(attach(&image(), &opts).unwrap().channels()), [1]);
    let opts = RttOptions {
        show_channels: vec!["defmt".parse().unwrap()],
        ..RttOptions::default()
    };
    let source = attach(&image(), &opts).unwrap();
    assert_eq!(source.channels()[1].kind, ChannelKind::Text);
    let opts = RttOptions {
        channels: vec!["logs".parse().unwrap()],
        ..RttOptions::default()
    };
    let err = ph_tap::one_line(&attach(&image(), &opts).err().unwrap());
    assert_eq!(
        err,
        "no RTT up channel 'logs': the target has 0 'ph-eventing', 1 'defmt'; pick with --channel N|NAME"
    );
}

/// One probe session reads every channel asked for (each once, in order), taking turns.
#[test]
fn several_channels_share_one_session() {
    let opts = RttOptions {
        channels: ["1", "0", "ph-eventing"]
            .iter()
            .map(|c| c.parse::<ChannelSelector>().unwrap())
            .collect(),
        ..RttOptions::default()
    };
    let source = attach(&image(), &opts).unwrap();
    assert_eq!(ids(source.channels()), [0, 1]);
    // Channel 1 is empty, so the first read with data is channel 0's.
    assert_eq!(read_and_decode(source).len(), 4);
}

#[test]
fn missing_control_block_hints_at_elf() {
    let image = Image {
        with_control_block: false,
        ..image()
    };
    let err = ph_tap::one_line(&attach(&image, &RttOptions::default()).err().unwrap());
    assert!(
        err.starts_with("RTT control block not found in target RAM: pass --elf FIRMWARE.elf"),
        "{err}"
    );
    assert!(!err.contains('\n'));
}

#[test]
fn scan_region_defaults_to_ram() {
    assert!(matches!(
        scan_region(&RttOptions::default()).unwrap(),
        ScanRegion::Ram
    ));
}

/// probe-rs's mock core never reports the reset as done, so `--reset` times out inside
/// probe-rs: the real error path of a target that does not come back from reset.
#[test]
fn reset_that_times_out_is_one_clear_line() {
    let opts = RttOptions {
        elf: Some("set by attach()".into()),
        reset: true,
        ..RttOptions::default()
    };
    let err = ph_tap::one_line(&attach(&image(), &opts).err().unwrap());
    assert_eq!(
        err,
        "resetting the target failed: try without --reset or with --connect-under-reset \
         (cause: An ARM specific error occurred: A timeout occurred during an operation)"
    );
}

#[test]
fn elf_address_without_a_block_names_the_elf() {
    let image = Image {
        with_control_block: false,
        ..image()
    };
    let opts = RttOptions {
        elf: Some("set by attach()".into()),
        ..RttOptions::default()
    };
    let err = ph_tap::one_line(&attach(&image, &opts).err().unwrap());
    assert!(err.starts_with("no RTT control block at "), "{err}");
    assert!(
        err.contains("'s _SEGGER_RTT: is this the ELF running on the target"),
        "{err}"
    );
}

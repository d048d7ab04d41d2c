//! `ph-tap run`'s watch over the firmware (`ProbeSource::watch_halts`), against the small GDB
//! server of `common::gdb_server`: when the firmware faults (the HardFault catch `run` arms) or
//! exits through semihosting, the source first hands out every byte still in the RTT channel,
//! then ends with the [`FirmwareStop`] that `ph-tap run` turns into its one line and exit
//! status; a reconnecting source does not wait for such a target.

mod common;

use std::time::{Duration, Instant};

use common::gdb_server::GdbServer;
use common::rtt_elf;
use common::wire_frames;
use ph_tap::probe::{
    FirmwareStop, ProbeOptions, RttOptions, arm_fault_catch, attach_rtt, open_session, resolve_chip,
};
use ph_tap::source::{Poll, ProbeSource, Reconnecting, Source};
use probe_rs::rtt::ScanRegion;

/// The vector table, in the server's RAM (VTOR points at it).
const TABLE: u32 = 0x2003_F000;
/// The HardFault handler (its first instruction: `b .`).
const HANDLER: u32 = 0x2003_F100;

/// A server with `count` frames to deliver, a vector table, and a source watching it as
/// `ph-tap run` does (the HardFault catch armed, RTT at the ELF's control block).
fn watched(count: u32) -> (GdbServer, ProbeSource, Vec<u8>) {
    let (stream, ends) = wire_frames(count, |seq| seq);
    // Every frame that fits is in the ring from the first resume on.
    let server = GdbServer::start(stream.clone(), ends, count as usize);
    server.set_vector_table(TABLE, 0x2003_F081, HANDLER | 1);
    server.write_ram(HANDLER, &0xE7FE_u16.to_le_bytes());
    let opts = ProbeOptions {
        gdb: Some(server.addr.clone()),
        ..ProbeOptions::default()
    };
    let mut session = open_session(resolve_chip("nRF52840").unwrap(), &opts, false).unwrap();
    arm_fault_catch(&mut session).unwrap();
    let region = ScanRegion::Exact(u64::from(rtt_elf::CONTROL_BLOCK));
    let elf = rtt_elf::elf_file();
    let rtt = RttOptions {
        elf: Some(elf.path().to_owned()),
        ..RttOptions::default()
    };
    let source = attach_rtt(session, &region, &rtt)
        .unwrap()
        .watch_halts(None);
    (server, source, stream)
}

/// Polls until the source fails; returns the bytes it gave first and its error.
fn until_it_ends(source: &mut dyn Source) -> (Vec<u8>, anyhow::Error) {
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    let start = Instant::now();
    loop {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the source did not end"
        );
        match source.poll(&mut buf) {
            Ok(Poll::Data { len, .. }) => got.extend_from_slice(&buf[..len]),
            Ok(Poll::Idle) => {}
            Ok(other) => panic!("unexpected {other:?}"),
            Err(err) => return (got, err),
        }
    }
}

#[test]
fn a_fault_ends_the_source_after_what_was_still_in_the_channel() {
    // Ten frames fill the server's 64-byte RTT buffer.
    let (server, mut source, stream) = watched(10);
    // The firmware faults before the host read a byte: its frames are still in the buffer.
    assert!(server.jump(HANDLER), "the catch stops the target");
    let (got, err) = until_it_ends(&mut source);
    assert_eq!(got, stream, "every byte written before the fault");
    let stop = FirmwareStop::find(&err).expect("a firmware stop");
    let FirmwareStop::Fault { pc, .. } = stop else {
        panic!("{stop:?}")
    };
    assert_eq!(*pc, u64::from(HANDLER));
    assert_eq!(stop.exit_code(), 101);
    assert_eq!(
        ph_tap::one_line(&err),
        format!(
            "the firmware halted on a fault (a panic or a HardFault) at PC {:#010x}",
            HANDLER
        )
    );
}

#[test]
fn a_semihosting_exit_is_the_exit_code() {
    let (server, mut source, _) = watched(5);
    server.exit(42);
    let (_, err) = until_it_ends(&mut source);
    assert_eq!(
        FirmwareStop::find(&err),
        Some(&FirmwareStop::Exited { code: 42 })
    );
    assert_eq!(FirmwareStop::find(&err).unwrap().exit_code(), 42);
}

#[test]
fn a_reconnecting_source_does_not_wait_for_a_stopped_firmware() {
    let (server, source, stream) = watched(10);
    assert!(server.jump(HANDLER));
    let connect = Box::new(|| -> anyhow::Result<Box<dyn Source>> {
        panic!("a stopped firmware is not waited for")
    });
    let mut source = Reconnecting::new("GDB server", Box::new(source), connect);
    let (got, err) = until_it_ends(&mut source);
    assert_eq!(got, stream);
    assert!(matches!(
        FirmwareStop::find(&err),
        Some(FirmwareStop::Fault { .. })
    ));
}

//! The RSP client against scripted servers on 127.0.0.1: framing, checksums, acks, no-ack
//! mode, retransmissions, run-length encoding, `E NN`, timeouts and servers that close or
//! send garbage. Every failure must be one line.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::error::GdbError;
use super::packet::{checksum, decode_body, frame};
use super::rsp::{BreakpointType, RspClient, Stop};

const TIMEOUT: Duration = Duration::from_millis(300);

/// The server side of one scripted connection.
struct Script {
    s: TcpStream,
    ack: bool,
}

impl Script {
    fn byte(&mut self) -> u8 {
        let mut b = [0u8];
        self.s.read_exact(&mut b).expect("the client closed early");
        b[0]
    }

    /// The next packet from the client (acked in ack mode).
    fn packet(&mut self) -> Vec<u8> {
        let mut b = self.byte();
        while b == b'+' {
            b = self.byte();
        }
        assert_eq!(
            b, b'$',
            "the client sent {b:#04x} where a packet should start"
        );
        let mut raw = Vec::new();
        loop {
            match self.byte() {
                b'#' => break,
                b => raw.push(b),
            }
        }
        let sum = [self.byte(), self.byte()];
        assert_eq!(
            format!("{:02x}", checksum(&raw)).as_bytes(),
            sum,
            "client checksum"
        );
        if self.ack {
            self.s.write_all(b"+").unwrap();
        }
        decode_body(&raw).unwrap()
    }

    fn expect(&mut self, payload: &str) {
        assert_eq!(String::from_utf8(self.packet()).unwrap(), payload);
    }

    /// Sends a reply; in ack mode, checks the client acks it.
    fn send(&mut self, payload: &[u8]) {
        self.raw(&frame(payload));
        if self.ack {
            assert_eq!(self.byte(), b'+', "the client did not ack");
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.s.write_all(bytes).unwrap();
    }

    /// Answers `qSupported` with `features` (and `QStartNoAckMode` if offered).
    fn handshake(&mut self, features: &str) {
        let first = self.packet();
        assert!(first.starts_with(b"qSupported"), "{first:?}");
        self.send(features.as_bytes());
        if features.contains("QStartNoAckMode+") {
            self.expect("QStartNoAckMode");
            self.send(b"OK");
            self.ack = false;
        }
    }
}

/// A one-connection server running `script`; its panics fail the test at `join`.
fn serve(script: impl FnOnce(Script) + Send + 'static) -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let handle = std::thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        script(Script { s, ack: true });
    });
    (addr, handle)
}

/// `$body#cs` with `body` as it is (no escaping).
fn framed_raw(body: &[u8]) -> Vec<u8> {
    let mut out = vec![b'$'];
    out.extend_from_slice(body);
    out.extend_from_slice(format!("#{:02x}", checksum(body)).as_bytes());
    out
}

fn one_line(err: &GdbError) -> String {
    let text = err.to_string();
    assert_eq!(text.lines().count(), 1, "{text}");
    text
}

/// QEMU, when a debugger connects to a running guest, stops it and sends a stop reply at once,
/// before its ack and reply to `qSupported`: the handshake takes the reply that follows.
#[test]
fn a_stop_reply_sent_before_the_qsupported_reply_is_not_taken_for_it() {
    let (addr, server) = serve(|mut s| {
        let first = s.packet();
        assert!(first.starts_with(b"qSupported"), "{first:?}");
        // As QEMU 7.2 sends it: `$T02thread:01;#04+$PacketSize=1000;...`.
        s.raw(&frame(b"T02thread:01;"));
        assert_eq!(s.byte(), b'+', "the client acks the stop reply");
        s.send(b"PacketSize=1000;qXfer:features:read+;QStartNoAckMode+");
        s.expect("QStartNoAckMode");
        s.send(b"OK");
        s.ack = false;
        s.expect("?");
        s.send(b"T05thread:01;");
    });
    let mut client = RspClient::connect(&addr, TIMEOUT).unwrap();
    assert_eq!(client.packet_size(), 0x1000);
    assert!(client.supports("qXfer:features:read"));
    assert!(!client.ack_mode());
    assert_eq!(client.halt_reason().unwrap(), Stop { signal: 5 });
    server.join().unwrap();
}

#[test]
fn ack_mode_frames_checksums_and_acks_every_packet() {
    let (addr, server) = serve(|mut s| {
        s.handshake("PacketSize=100;qXfer:features:read+");
        s.expect("m20000000,4");
        s.send(b"01020304");
        s.expect("M20000010,2:abcd");
        s.send(b"OK");
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    assert!(gdb.ack_mode());
    assert_eq!(gdb.packet_size(), 0x100);
    assert!(gdb.supports("qXfer:features:read"));
    assert!(!gdb.supports("QStartNoAckMode"));
    let mut buf = [0u8; 4];
    gdb.read_memory(0x2000_0000, &mut buf).unwrap();
    assert_eq!(buf, [1, 2, 3, 4]);
    gdb.write_memory(0x2000_0010, &[0xab, 0xcd]).unwrap();
    server.join().unwrap();
}

#[test]
fn no_ack_mode_is_used_when_offered() {
    let (addr, server) = serve(|mut s| {
        s.handshake("PacketSize=1000;QStartNoAckMode+");
        // No ack from the client from here on: the next byte starts its packet.
        assert_eq!(s.byte(), b'$');
        let mut rest = Vec::new();
        loop {
            let b = s.byte();
            rest.push(b);
            if rest.len() >= 3 && rest[rest.len() - 3] == b'#' {
                break;
            }
        }
        assert_eq!(&rest[..rest.len() - 3], b"m0,2");
        s.send(b"beef");
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    assert!(!gdb.ack_mode());
    let mut buf = [0u8; 2];
    gdb.read_memory(0, &mut buf).unwrap();
    assert_eq!(buf, [0xbe, 0xef]);
    server.join().unwrap();
}

#[test]
fn long_reads_are_split_to_the_packet_size_and_short_replies_continued() {
    let (addr, server) = serve(|mut s| {
        s.handshake("PacketSize=48");
        // (0x48 - 8) / 2 = 32 bytes a request.
        s.expect("m1000,20");
        s.send("11".repeat(32).as_bytes());
        s.expect("m1020,8");
        // A server may answer fewer bytes than asked for.
        s.send(b"2222");
        s.expect("m1022,6");
        s.send("33".repeat(6).as_bytes());
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    let mut buf = [0u8; 40];
    gdb.read_memory(0x1000, &mut buf).unwrap();
    assert_eq!(&buf[..32], &[0x11; 32]);
    assert_eq!(&buf[32..34], &[0x22; 2]);
    assert_eq!(&buf[34..], &[0x33; 6]);
    server.join().unwrap();
}

#[test]
fn run_length_encoded_replies_are_expanded() {
    let (addr, server) = serve(|mut s| {
        s.handshake("");
        s.expect("m0,10");
        // '1' and 31 more copies: 32 hex digits, 16 bytes of 0x11 (framed by hand: `frame`
        // would escape the '*').
        s.raw(&framed_raw(b"1*<"));
        assert_eq!(s.byte(), b'+');
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    let mut buf = [0u8; 16];
    gdb.read_memory(0, &mut buf).unwrap();
    assert_eq!(buf, [0x11; 16]);
    server.join().unwrap();
}

#[test]
fn a_bad_checksum_is_asked_for_again_in_ack_mode() {
    let (addr, server) = serve(|mut s| {
        s.handshake("");
        s.expect("m0,1");
        s.raw(b"$7f#00");
        assert_eq!(s.byte(), b'-', "the client must ask for the packet again");
        s.send(b"7f");
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    let mut buf = [0u8; 1];
    gdb.read_memory(0, &mut buf).unwrap();
    assert_eq!(buf, [0x7f]);
    server.join().unwrap();
}

#[test]
fn bad_checksums_in_a_row_are_one_line() {
    let (addr, server) = serve(|mut s| {
        s.handshake("");
        s.expect("m0,1");
        // Three asked for again, the fourth given up on.
        for _ in 0..3 {
            s.raw(b"$7f#00");
            assert_eq!(s.byte(), b'-');
        }
        s.raw(b"$7f#00");
        assert_eq!(
            s.s.read(&mut [0u8; 1]).unwrap(),
            0,
            "the client must give up"
        );
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    let err = gdb.read_memory(0, &mut [0u8; 1]).unwrap_err();
    assert!(
        matches!(err, GdbError::BadChecksum { tries: 4, .. }),
        "{err:?}"
    );
    assert!(one_line(&err).contains("bad checksums"));
    drop(gdb);
    server.join().unwrap();
}

#[test]
fn a_bad_checksum_without_acks_cannot_be_repaired() {
    let (addr, server) = serve(|mut s| {
        s.handshake("QStartNoAckMode+");
        s.expect("m0,1");
        s.raw(b"$7f#01");
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    let err = gdb.read_memory(0, &mut [0u8; 1]).unwrap_err();
    assert!(
        matches!(err, GdbError::BadChecksum { tries: 1, .. }),
        "{err:?}"
    );
    server.join().unwrap();
}

#[test]
fn a_rejected_packet_is_sent_again_then_given_up() {
    let (addr, server) = serve(|mut s| {
        s.handshake("");
        // Reject "m0,1" four times: the client sends it four times, then gives up.
        for _ in 0..4 {
            s.ack = false;
            s.expect("m0,1");
            s.raw(b"-");
        }
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    let err = gdb.read_memory(0, &mut [0u8; 1]).unwrap_err();
    assert!(
        matches!(err, GdbError::Rejected { tries: 4, .. }),
        "{err:?}"
    );
    assert!(one_line(&err).contains("rejected"));
    server.join().unwrap();
}

#[test]
fn error_replies_name_the_request_and_the_code() {
    let (addr, server) = serve(|mut s| {
        s.handshake("");
        s.expect("m40000000,4");
        s.send(b"E01");
        s.expect("p19");
        s.send(b"");
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    let err = gdb.read_memory(0x4000_0000, &mut [0u8; 4]).unwrap_err();
    assert!(matches!(err, GdbError::Server { code: 1, .. }), "{err:?}");
    assert_eq!(
        one_line(&err),
        format!(
            "the GDB server at {addr} answered error E01 to m 0x40000000,4: check that --chip (or --chip-description) matches the target's memory map"
        )
    );
    let err = gdb.read_register(25).unwrap_err();
    assert!(matches!(err, GdbError::Unsupported { .. }), "{err:?}");
    one_line(&err);
    server.join().unwrap();
}

#[test]
fn garbage_where_a_packet_should_start() {
    let (addr, server) = serve(|mut s| {
        // A telnet banner, say.
        s.raw(b"Welcome\r\n");
        let _ = s.packet();
    });
    let err = RspClient::connect(&addr, TIMEOUT).unwrap_err();
    assert!(
        matches!(err, GdbError::Garbage { byte: b'W', .. }),
        "{err:?}"
    );
    assert!(one_line(&err).contains("where a packet should start"));
    drop(server);
}

#[test]
fn malformed_packets_are_one_line() {
    for (reply, expected) in [
        (b"$01#zz".to_vec(), "checksum 'zz' is not hex"),
        (b"$01$02#00".to_vec(), "a packet started inside another"),
        (framed_raw(b"0}"), "it ends in the middle of an escape"),
        (framed_raw(b"*3"), "a run-length mark has nothing to repeat"),
        (
            framed_raw(b"0102030"),
            "the reply to m 0x00000000,4 is not hex",
        ),
        (
            framed_raw(b"0102030405"),
            "5 bytes in the reply to m 0x00000000,4",
        ),
    ] {
        let (addr, server) = serve(move |mut s| {
            s.handshake("QStartNoAckMode+");
            s.expect("m0,4");
            s.raw(&reply);
            // Wait for the client to give up.
            let _ = s.s.read(&mut [0u8; 1]);
        });
        let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
        let err = gdb.read_memory(0, &mut [0u8; 4]).unwrap_err();
        assert!(matches!(err, GdbError::Malformed { .. }), "{err:?}");
        let text = one_line(&err);
        assert!(text.contains(expected), "{text}");
        drop(gdb);
        server.join().unwrap();
    }
}

#[test]
fn a_server_that_stalls_times_out() {
    let (addr, server) = serve(|mut s| {
        s.handshake("");
        s.expect("m0,4");
        // Half a reply, then nothing.
        s.raw(b"$0102");
        let _ = s.s.read(&mut [0u8; 1]);
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    let start = Instant::now();
    let err = gdb.read_memory(0, &mut [0u8; 4]).unwrap_err();
    let took = start.elapsed();
    assert!(matches!(err, GdbError::Timeout { .. }), "{err:?}");
    assert!(took >= TIMEOUT && took < TIMEOUT * 4, "{took:?}");
    assert!(one_line(&err).contains("did not answer m 0x00000000,4 within 300ms"));
    drop(gdb);
    server.join().unwrap();
}

#[test]
fn a_server_that_closes_mid_reply() {
    let (addr, server) = serve(|mut s| {
        s.handshake("");
        s.expect("m0,4");
        s.raw(b"$0102");
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    let err = gdb.read_memory(0, &mut [0u8; 4]).unwrap_err();
    assert!(matches!(err, GdbError::Closed { .. }), "{err:?}");
    assert!(
        one_line(&err).contains("closed the connection while ph-tap waited for m 0x00000000,4")
    );
    server.join().unwrap();
}

#[test]
fn a_server_that_closes_at_once() {
    let (addr, server) = serve(drop);
    let err = RspClient::connect(&addr, TIMEOUT).unwrap_err();
    assert!(
        matches!(err, GdbError::Closed { .. } | GdbError::Io { .. }),
        "{err:?}"
    );
    one_line(&err);
    server.join().unwrap();
}

#[test]
fn nobody_listening_is_a_connect_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = RspClient::connect(&format!("127.0.0.1:{port}"), TIMEOUT).unwrap_err();
    assert!(matches!(err, GdbError::Connect { .. }), "{err:?}");
    assert!(one_line(&err).starts_with(&format!(
        "cannot connect to the GDB server at 127.0.0.1:{port} ("
    )));
}

#[test]
fn interrupt_skips_console_output_and_poll_sees_a_stop() {
    let (addr, server) = serve(|mut s| {
        s.handshake("QStartNoAckMode+");
        s.expect("c");
        assert_eq!(s.byte(), 0x03);
        s.send(b"O48690a");
        s.send(b"T02thread:01;");
        s.expect("c");
        // The target stops on its own (a breakpoint).
        s.send(b"S05");
        s.expect("c");
        s.send(b"W00");
        let _ = s.s.read(&mut [0u8; 1]);
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    gdb.resume().unwrap();
    assert_eq!(gdb.interrupt().unwrap(), Stop { signal: 2 });
    gdb.resume().unwrap();
    let start = Instant::now();
    let stop = loop {
        if let Some(stop) = gdb.poll_stop().unwrap() {
            break stop;
        }
        assert!(start.elapsed() < Duration::from_secs(2), "no stop seen");
        std::thread::sleep(Duration::from_millis(1));
    };
    assert_eq!(stop, Stop { signal: 5 });
    gdb.resume().unwrap();
    let err = gdb.wait_stop("a stop").unwrap_err();
    assert!(matches!(err, GdbError::Exited { .. }), "{err:?}");
    assert!(one_line(&err).contains("has exited with code 0 (W00)"));
    drop(gdb);
    server.join().unwrap();
}

#[test]
fn an_exit_carries_its_code_and_every_later_request_fails_with_it() {
    let (addr, server) = serve(|mut s| {
        s.handshake("QStartNoAckMode+");
        s.expect("c");
        // QEMU after a semihosting exit: the reply, then it is gone.
        s.send(b"W2a;process:1");
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    gdb.resume().unwrap();
    let err = gdb.wait_stop("a stop").unwrap_err();
    assert!(
        matches!(err, GdbError::Exited { code: Some(42), .. }),
        "{err:?}"
    );
    assert_eq!(
        one_line(&err),
        format!(
            "the target behind the GDB server at {addr} has exited with code 42 (W2a;process:1): restart it and ph-tap"
        )
    );
    server.join().unwrap();
    assert_eq!(gdb.exited(), Some("W2a;process:1"));
    // Not "closed": the exit, again, for a request, a poll and an interrupt.
    let again = gdb.read_memory(0, &mut [0u8; 4]).unwrap_err();
    assert!(matches!(again, GdbError::Exited { code: Some(42), .. }));
    let again = gdb.poll_stop().unwrap_err();
    assert!(matches!(again, GdbError::Exited { code: Some(42), .. }));
    let again = gdb.interrupt().unwrap_err();
    assert!(matches!(again, GdbError::Exited { code: Some(42), .. }));
}

#[test]
fn a_terminated_target_has_no_exit_code() {
    let (addr, server) = serve(|mut s| {
        s.handshake("QStartNoAckMode+");
        s.expect("c");
        s.send(b"X09");
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    gdb.resume().unwrap();
    let err = gdb.wait_stop("a stop").unwrap_err();
    assert!(
        matches!(err, GdbError::Exited { code: None, .. }),
        "{err:?}"
    );
    assert!(one_line(&err).contains("was terminated (X09)"));
    server.join().unwrap();
}

#[test]
fn breakpoints_are_z_packets_and_an_empty_reply_means_unsupported() {
    let (addr, server) = serve(|mut s| {
        s.handshake("QStartNoAckMode+");
        s.expect("Z1,312a,2");
        s.send(b"");
        s.expect("Z0,312a,2");
        s.send(b"OK");
        s.expect("z0,312a,2");
        s.send(b"OK");
        s.expect("Z1,20000100,3");
        s.send(b"E0E");
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    assert!(
        !gdb.insert_breakpoint(BreakpointType::Hardware, 0x312a, 2)
            .unwrap()
    );
    assert!(
        gdb.insert_breakpoint(BreakpointType::Software, 0x312a, 2)
            .unwrap()
    );
    assert!(
        gdb.remove_breakpoint(BreakpointType::Software, 0x312a, 2)
            .unwrap()
    );
    let err = gdb
        .insert_breakpoint(BreakpointType::Hardware, 0x2000_0100, 3)
        .unwrap_err();
    assert!(
        matches!(err, GdbError::Server { code: 0x0e, .. }),
        "{err:?}"
    );
    assert!(one_line(&err).contains("to Z1 0x20000100,3 (breakpoint)"));
    server.join().unwrap();
}

#[test]
fn target_description_is_read_in_parts() {
    let (addr, server) = serve(|mut s| {
        s.handshake("qXfer:features:read+");
        s.expect("qXfer:features:read:target.xml:0,1000");
        s.send(b"m<target>");
        s.expect("qXfer:features:read:target.xml:8,1000");
        s.send(b"l</target>");
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    assert_eq!(
        gdb.read_features("target.xml").unwrap(),
        "<target></target>"
    );
    server.join().unwrap();
}

#[test]
fn monitor_commands_collect_their_output() {
    let (addr, server) = serve(|mut s| {
        s.handshake("QStartNoAckMode+");
        s.expect("qRcmd,73797374656d5f7265736574");
        s.send(b"OK");
        s.expect("qRcmd,626f677573");
        s.send(b"O756e6b6e6f776e0a");
        s.send(b"OK");
        s.expect("qRcmd,78");
        s.send(b"E02");
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    assert_eq!(gdb.monitor("system_reset").unwrap(), "");
    assert_eq!(gdb.monitor("bogus").unwrap(), "unknown\n");
    let err = gdb.monitor("x").unwrap_err();
    assert!(matches!(err, GdbError::Server { code: 2, .. }), "{err:?}");
    server.join().unwrap();
}

/// A step the server never answers (a core asleep in `WFI`, which QEMU under `-icount` does not
/// wake while stepping) is ended with an interrupt, and its stop reply is the step's.
#[test]
fn a_step_without_a_reply_is_ended_with_an_interrupt() {
    let (addr, server) = serve(|mut s| {
        s.handshake("PacketSize=1000");
        s.expect("s");
        // No stop reply: the next thing from the client is the interrupt byte.
        assert_eq!(s.byte(), 0x03, "the client interrupts the step");
        s.send(b"T02thread:01;");
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    let started = Instant::now();
    assert_eq!(gdb.step().unwrap(), Stop { signal: 2 });
    assert!(started.elapsed() >= super::rsp::STEP_WAIT);
    server.join().unwrap();
}

/// A step that is answered is not interrupted.
#[test]
fn a_step_answered_in_time_is_its_stop_reply() {
    let (addr, server) = serve(|mut s| {
        s.handshake("PacketSize=1000");
        s.expect("s");
        s.send(b"T05thread:01;");
        s.expect("m20000000,4");
        s.send(b"01020304");
    });
    let mut gdb = RspClient::connect(&addr, TIMEOUT).unwrap();
    assert_eq!(gdb.step().unwrap(), Stop { signal: 5 });
    let mut buf = [0u8; 4];
    gdb.read_memory(0x2000_0000, &mut buf).unwrap();
    assert_eq!(buf, [1, 2, 3, 4]);
    server.join().unwrap();
}

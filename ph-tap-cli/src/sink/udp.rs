//! `--udp HOST:PORT`: every value and loss as one JSON object per UDP datagram
//! ([`feed_object`](super::feed_object)), for PlotJuggler's UDP server (JSON), beside the
//! chosen stdout format.
//!
//! Sending never holds the pipeline up: the socket does not block, and a datagram that cannot
//! be sent (nobody listening, a full send buffer) is counted, not retried. What was not sent
//! is one warning at the end, never an error.

use std::io::ErrorKind;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs, UdpSocket};

use anyhow::{Context, Result};

use super::{Sink, Stats, feed_object};
use crate::record::Record;
use crate::stream::StreamSelector;

/// Where `--udp` alone sends: PlotJuggler's UDP server's default address.
pub const DEFAULT_ADDR: &str = "127.0.0.1:9870";

/// The largest datagram sent, in bytes: one Ethernet frame with its IP and UDP headers, and
/// within the 2048 bytes PlotJuggler's UDP server reads of a datagram (it cannot parse one cut
/// short, and stops).
pub const MAX_DATAGRAM: usize = 1400;

/// `addr` (`HOST:PORT`, as `--udp` takes it) resolved, once: its first address.
///
/// ```
/// use ph_tap::sink::udp_address;
/// assert_eq!(udp_address("127.0.0.1:9870").unwrap().port(), 9870);
/// let err = udp_address("localhost").unwrap_err();
/// assert!(ph_tap::one_line(&err).starts_with("cannot resolve --udp 'localhost': give HOST:PORT"));
/// ```
pub fn udp_address(addr: &str) -> Result<SocketAddr> {
    let what_to_give = || {
        format!(
            "cannot resolve --udp '{addr}': give HOST:PORT, e.g. --udp {DEFAULT_ADDR} (PlotJuggler's UDP server; --udp alone sends there)"
        )
    };
    addr.to_socket_addrs()
        .with_context(what_to_give)?
        .next()
        .with_context(what_to_give)
}

/// Sends each value and loss to one UDP address, and says at the end what could not be sent.
///
/// ```
/// use std::net::UdpSocket;
/// use ph_tap::record::{Body, Origin, Record};
/// use ph_tap::sink::{Sink, UdpSink};
/// let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
/// let mut sink = UdpSink::connect(receiver.local_addr().unwrap()).unwrap();
/// let value = Record { origin: Origin::default(), at: None, body: Body::Value { seq: 7, value: 42.into() } };
/// sink.record(&value).unwrap();
/// let mut buf = [0u8; 2048];
/// let n = receiver.recv(&mut buf).unwrap();
/// assert_eq!(&buf[..n], br#"{"timestamp":0.0,"stream":null,"seq":7,"value":42}"#);
/// ```
pub struct UdpSink {
    socket: UdpSocket,
    target: SocketAddr,
    shown: Vec<StreamSelector>,
    /// Objects made so far: the timestamp of a record without a time.
    made: u64,
    sent: u64,
    /// Sends the system refused (nobody listening, no route), and the first one's error.
    failed: u64,
    first_failure: Option<String>,
    /// Datagrams dropped because the socket's send buffer was full.
    full: u64,
    too_large: u64,
    largest: usize,
    /// The datagram being written, kept for its capacity.
    buf: Vec<u8>,
}

impl UdpSink {
    /// A sink sending to `target` from a socket of its own (any local port).
    pub fn connect(target: SocketAddr) -> Result<Self> {
        let local: SocketAddr = if target.is_ipv4() {
            (Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let socket = UdpSocket::bind(local).with_context(|| {
            format!("cannot open a UDP socket to send --udp {target}: check that this machine allows UDP")
        })?;
        socket.connect(target).with_context(|| {
            format!("cannot send to --udp {target}: give an address this machine can reach")
        })?;
        socket
            .set_nonblocking(true)
            .context("cannot make the --udp socket non-blocking: leave out --udp")?;
        Ok(Self {
            socket,
            target,
            shown: Vec::new(),
            made: 0,
            sent: 0,
            failed: 0,
            first_failure: None,
            full: 0,
            too_large: 0,
            largest: 0,
            buf: Vec::with_capacity(MAX_DATAGRAM),
        })
    }

    /// Sends only the streams `selectors` choose (`--stream`; every stream when empty), and
    /// what belongs to no stream (damaged frames), as the stdout format shows them.
    pub fn shown(mut self, selectors: Vec<StreamSelector>) -> Self {
        self.shown = selectors;
        self
    }

    /// Datagrams sent so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// The warning for what was not sent, if anything was not.
    fn warning(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.failed > 0 {
            parts.push(format!(
                "{} of {} datagrams could not be sent (first: {}): is PlotJuggler's UDP server (or another receiver) listening there?",
                self.failed,
                self.failed + self.full + self.sent,
                self.first_failure.as_deref().unwrap_or("unknown error")
            ));
        }
        if self.full > 0 {
            parts.push(format!(
                "{} datagrams were dropped: the send buffer was full (more values a second than the network takes)",
                self.full
            ));
        }
        if self.too_large > 0 {
            parts.push(format!(
                "{} records were not sent: over {MAX_DATAGRAM} bytes as JSON (the largest {} bytes); PlotJuggler reads 2048 bytes of a datagram at most",
                self.too_large, self.largest
            ));
        }
        (!parts.is_empty()).then(|| format!("--udp {}: {}", self.target, parts.join("; ")))
    }
}

impl Sink for UdpSink {
    fn record(&mut self, record: &Record) -> Result<()> {
        if let Some(stream) = &record.origin.stream
            && !StreamSelector::any(&self.shown, stream)
        {
            return Ok(());
        }
        let timestamp = record.at.map_or(self.made as f64, |at| at.as_secs_f64());
        let Some(object) = feed_object(record, timestamp) else {
            return Ok(());
        };
        self.made += 1;
        self.buf.clear();
        // Writing into a `Vec` cannot fail.
        let _ = serde_json::to_writer(&mut self.buf, &object);
        if self.buf.len() > MAX_DATAGRAM {
            self.too_large += 1;
            self.largest = self.largest.max(self.buf.len());
            return Ok(());
        }
        match self.socket.send(&self.buf) {
            Ok(_) => self.sent += 1,
            Err(err) if err.kind() == ErrorKind::WouldBlock => self.full += 1,
            Err(err) => {
                self.failed += 1;
                self.first_failure.get_or_insert_with(|| err.to_string());
            }
        }
        Ok(())
    }

    fn finish(&mut self, _stats: &Stats) -> Result<()> {
        if let Some(warning) = self.warning() {
            eprintln!("warning: {warning}");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Body, Origin};
    use std::time::Duration;

    fn value(seq: u32, value: serde_json::Value, at: Option<Duration>) -> Record {
        Record {
            origin: Origin::default(),
            at,
            body: Body::Value { seq, value },
        }
    }

    #[test]
    fn timestamps_are_arrival_times_or_else_the_count_of_objects_before() {
        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        receiver
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut sink = UdpSink::connect(receiver.local_addr().unwrap()).unwrap();
        let next = || {
            let mut buf = [0u8; 2048];
            let n = receiver.recv(&mut buf).unwrap();
            serde_json::from_slice::<serde_json::Value>(&buf[..n]).unwrap()["timestamp"].clone()
        };
        sink.record(&value(1, 1.into(), None)).unwrap();
        sink.record(&value(2, 2.into(), None)).unwrap();
        assert_eq!((next(), next()), (0.0.into(), 1.0.into()));
        sink.record(&value(3, 3.into(), Some(Duration::from_millis(1500))))
            .unwrap();
        assert_eq!(next(), 1.5);
        assert_eq!(sink.sent(), 3);
    }

    #[test]
    fn a_record_too_large_is_counted_not_sent() {
        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        let mut sink = UdpSink::connect(receiver.local_addr().unwrap()).unwrap();
        let big = "ab".repeat(MAX_DATAGRAM);
        sink.record(&value(1, big.into(), None)).unwrap();
        assert_eq!(sink.sent(), 0);
        let warning = sink.warning().unwrap();
        assert!(
            warning.contains("1 records were not sent: over 1400 bytes"),
            "{warning}"
        );
    }

    #[test]
    fn a_full_send_buffer_is_told_apart_from_a_refused_send() {
        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        let mut sink = UdpSink::connect(receiver.local_addr().unwrap()).unwrap();
        sink.full = 3;
        assert_eq!(
            sink.warning().unwrap(),
            format!(
                "--udp {}: 3 datagrams were dropped: the send buffer was full (more values a second than the network takes)",
                receiver.local_addr().unwrap()
            )
        );
    }

    #[test]
    fn nobody_listening_is_counted_and_never_an_error() {
        let port = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        // The receiver is gone: Linux answers the first datagram with ICMP port unreachable,
        // which the next send on the connected socket reports as "connection refused".
        let mut sink = UdpSink::connect(port).unwrap();
        for seq in 0..20 {
            sink.record(&value(seq, seq.into(), None)).unwrap();
            std::thread::sleep(Duration::from_millis(1));
        }
        if cfg!(target_os = "linux") {
            let warning = sink.warning().unwrap();
            assert!(warning.contains("datagrams could not be sent"), "{warning}");
        }
        sink.finish(&Stats::default()).unwrap();
    }
}

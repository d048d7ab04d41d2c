//! `--publish URL`: a [`Sink`] that publishes the telemetry channel's raw bytes, whole frames
//! per message and in order, to `PREFIX/<board>/wire` (QoS 2, or 1), and with
//! `--publish-records` each record's JSON line to `PREFIX/<board>/records`.
//!
//! The pipeline never waits for the broker: messages are handed to the MQTT client with
//! `try_publish`, and the bytes handed and not yet acknowledged (PUBCOMP, or PUBACK at QoS 1)
//! are bounded by `--publish-buffer`. While the broker is away nothing is acknowledged, so that
//! bound is what is kept for it; a message that does not fit is dropped whole, counted, and
//! said in one warning at the end. Dropped messages are whole frames, which the far end
//! accounts as a LINK LOSS of exactly their items.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rumqttc::{Client, Connection, Event, Outgoing, Packet, QoS};

use super::send_order::SendOrder;
use super::{FrameBatcher, MAX_MESSAGE, Message, MqttUrl};
use crate::channel::{Channel, ChannelKind};
use crate::record::{Body, ChannelId, Record};
use crate::sink::{JsonSink, Sink, Stats};

/// How long the end of a run waits for the broker's next acknowledgement of what was
/// published (it waits as long as they keep coming).
pub const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

/// What `--publish` was given.
#[derive(Clone, Debug)]
pub struct PublishOptions {
    /// The broker and the prefix (`--publish URL`).
    pub url: MqttUrl,
    /// The CA to trust for `mqtts://` (`--ca FILE`).
    pub ca: Option<PathBuf>,
    /// The board's name: the topic level after the prefix.
    pub board: String,
    /// Also publish the records as JSON (`--publish-records`).
    pub records: bool,
    /// Bytes handed to the client and not yet acknowledged, at most (`--publish-buffer`).
    pub buffer: u64,
    /// The QoS of every message (`--publish-qos`).
    pub qos: PublishQos,
}

/// The QoS of the published messages.
///
/// ```
/// use ph_tap::mqtt::PublishQos;
/// assert_eq!(PublishQos::default(), PublishQos::ExactlyOnce);
/// assert_eq!("1".parse::<PublishQos>().unwrap(), PublishQos::AtLeastOnce);
/// assert!("0".parse::<PublishQos>().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PublishQos {
    /// QoS 1: one round trip per message. A publisher that connects again while the broker
    /// stays up sends again what was not acknowledged, and the broker delivers it again.
    AtLeastOnce,
    /// QoS 2: two round trips per message; a message sent again after a reconnect is
    /// delivered once.
    #[default]
    ExactlyOnce,
}

impl PublishQos {
    fn qos(self) -> QoS {
        match self {
            Self::AtLeastOnce => QoS::AtLeastOnce,
            Self::ExactlyOnce => QoS::ExactlyOnce,
        }
    }
}

impl std::str::FromStr for PublishQos {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "1" => Ok(Self::AtLeastOnce),
            "2" => Ok(Self::ExactlyOnce),
            _ => anyhow::bail!(
                "{s:?} is not a QoS ph-tap publishes with: give 2 (each message once, the default) or 1 (at least once)"
            ),
        }
    }
}

/// What is in flight, shared with the connection's thread.
#[derive(Debug, Default)]
struct InFlight {
    /// Bytes handed to the client and not yet acknowledged.
    bytes: u64,
    /// Each message not yet acknowledged, in the order handed: its bytes and frames.
    messages: VecDeque<(u64, u64)>,
    /// Frames, bytes and values the broker forgot (it came back without this client's
    /// session, and the client dropped what it would have sent again).
    forgotten: (u64, u64, u64),
}

impl InFlight {
    fn acked(&mut self) {
        if let Some((bytes, _)) = self.messages.pop_front() {
            self.bytes -= bytes;
        }
    }
}

/// The state of the connection, shared with its thread.
#[derive(Debug, Default)]
struct Shared {
    in_flight: Mutex<InFlight>,
    /// The run is ending: stop connecting again, leave on DISCONNECT.
    closing: AtomicBool,
    /// The broker is away now.
    away: AtomicBool,
}

impl Shared {
    fn in_flight(&self) -> MutexGuard<'_, InFlight> {
        self.in_flight.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Publishes one board's telemetry to an MQTT broker (see the module).
pub struct MqttPublisher {
    options: PublishOptions,
    client: Client,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    wire_topic: String,
    records_topic: String,
    /// The channel whose bytes are published: the ph-eventing one.
    telemetry: Option<ChannelId>,
    batcher: FrameBatcher,
    /// Frames and bytes published (handed to the client).
    published: (u64, u64),
    /// Frames, bytes and values dropped: the buffer was full.
    dropped: (u64, u64, u64),
    /// Records dropped: the buffer was full.
    dropped_records: u64,
    line: Vec<u8>,
}

impl MqttPublisher {
    /// Connects to the broker (waiting for its CONNACK: a broker not reachable, a refused login
    /// or an untrusted certificate is the error, as one line) and starts the connection's
    /// thread. It publishes channel 0 until [`set_channels`](Self::set_channels) says which
    /// channel is the telemetry; a command connects before it opens its source, so that a
    /// broker's refusal comes before a probe is touched or a firmware flashed.
    pub fn connect(options: PublishOptions) -> Result<Self> {
        let prefix = options.url.publish_prefix()?;
        crate::mqtt::check_board(&options.board)?;
        // Room in the client's queue for the smallest messages the buffer can hold.
        let requests = usize::try_from(options.buffer / 8)
            .unwrap_or(usize::MAX)
            .clamp(1024, 1 << 20);
        let (client, connection, _) =
            super::open(&options.url, options.ca.as_deref(), "pub", requests)
                .with_context(|| format!("cannot publish to --publish {}", options.url))?;
        let shared = Arc::new(Shared::default());
        let thread = {
            let shared = Arc::clone(&shared);
            let url = options.url.clone();
            let ca_given = options.ca.is_some();
            let buffer = options.buffer;
            std::thread::Builder::new()
                .name("mqtt-publish".into())
                .spawn(move || drive(connection, &shared, &url, ca_given, buffer))
                .context("cannot start the MQTT client's thread")?
        };
        Ok(Self {
            wire_topic: format!("{prefix}/{}/wire", options.board),
            records_topic: format!("{prefix}/{}/records", options.board),
            options,
            client,
            shared,
            thread: Some(thread),
            telemetry: Some(0),
            batcher: FrameBatcher::new(MAX_MESSAGE),
            published: (0, 0),
            dropped: (0, 0, 0),
            dropped_records: 0,
            line: Vec::new(),
        })
    }

    /// The source's channels: the first ph-eventing one is published (none, if it has none).
    pub fn set_channels(&mut self, channels: &[Channel]) {
        self.telemetry = channels
            .iter()
            .find(|c| c.kind == ChannelKind::PhEventing)
            .map(|c| c.id);
    }

    /// Frames and bytes handed to the client so far.
    pub fn published(&self) -> (u64, u64) {
        self.published
    }

    /// Frames, bytes and values (data frames) dropped so far because the buffer was full.
    pub fn dropped(&self) -> (u64, u64, u64) {
        self.dropped
    }

    /// Hands `payload` to the client when the buffer has room for it; gives it back when it
    /// has not (or the client's queue is full).
    fn offer(&mut self, topic: Topic, payload: Vec<u8>, frames: u64) -> Result<(), Vec<u8>> {
        let bytes = payload.len() as u64;
        let mut in_flight = self.shared.in_flight();
        if in_flight.bytes + bytes > self.options.buffer {
            return Err(payload);
        }
        let topic = match topic {
            Topic::Wire => &self.wire_topic,
            Topic::Records => &self.records_topic,
        };
        match self
            .client
            .try_publish(topic.as_str(), self.options.qos.qos(), false, payload)
        {
            Ok(()) => {
                in_flight.bytes += bytes;
                in_flight.messages.push_back((bytes, frames));
                Ok(())
            }
            Err(rumqttc::ClientError::TryRequest(rumqttc::Request::Publish(publish))) => {
                Err(publish.payload.to_vec())
            }
            Err(_) => Err(Vec::new()),
        }
    }

    fn publish_wire(&mut self, message: Message) {
        let (frames, bytes) = (message.frames, message.payload.len() as u64);
        match self.offer(Topic::Wire, message.payload, frames) {
            Ok(()) => {
                self.published.0 += frames;
                self.published.1 += bytes;
            }
            Err(payload) => {
                // Counted whole, with the values the far end will miss.
                self.dropped.0 += frames;
                self.dropped.1 += bytes;
                self.dropped.2 += super::values_in(&payload);
            }
        }
    }

    /// The warning for what was not published, if anything was not.
    pub fn warning(&self) -> Option<String> {
        let board = &self.options.board;
        let mut parts = Vec::new();
        if self.dropped.1 > 0 {
            parts.push(format!(
                "{} frames ({} bytes, {} values) of board {board} not published: the broker was away and the buffer (--publish-buffer) full",
                self.dropped.0, self.dropped.1, self.dropped.2
            ));
        }
        if self.dropped_records > 0 {
            parts.push(format!(
                "{} records of board {board} not published to {}: the buffer (--publish-buffer) was full",
                self.dropped_records, self.records_topic
            ));
        }
        let forgotten = self.shared.in_flight().forgotten;
        if forgotten.1 > 0 {
            parts.push(format!(
                "{} frames ({} bytes, {} values) of board {board} lost: the broker came back without this client's session (give it persistence)",
                forgotten.0, forgotten.1, forgotten.2
            ));
        }
        (!parts.is_empty()).then(|| format!("--publish {}: {}", self.options.url, parts.join("; ")))
    }
}

/// Which of the board's topics.
#[derive(Clone, Copy)]
enum Topic {
    Wire,
    Records,
}

impl Sink for MqttPublisher {
    fn bytes(&mut self, channel: ChannelId, _at: Duration, bytes: &[u8]) -> Result<()> {
        if Some(channel) != self.telemetry {
            return Ok(());
        }
        for message in self.batcher.push(bytes) {
            self.publish_wire(message);
        }
        Ok(())
    }

    fn record(&mut self, record: &Record) -> Result<()> {
        if !self.options.records || matches!(record.body, Body::Warning(_)) {
            return Ok(());
        }
        self.line.clear();
        JsonSink::<std::io::Sink>::write_line(record, false, &mut self.line);
        if self.line.last() == Some(&b'\n') {
            self.line.pop();
        }
        let payload = self.line.clone();
        if self.offer(Topic::Records, payload, 0).is_err() {
            self.dropped_records += 1;
        }
        Ok(())
    }

    fn finish(&mut self, _stats: &Stats) -> Result<()> {
        if let Some(rest) = self.batcher.rest() {
            self.publish_wire(rest);
        }
        // What the broker has not acknowledged yet: wait for it while it is connected and
        // acknowledging, however long the backlog; give up when it is away or stalled.
        let mut last_progress = Instant::now();
        let mut left = usize::MAX;
        loop {
            let now_left = self.shared.in_flight().messages.len();
            if now_left == 0 || self.shared.away.load(Ordering::Relaxed) {
                break;
            }
            if now_left < left {
                left = now_left;
                last_progress = Instant::now();
            } else if last_progress.elapsed() > FLUSH_TIMEOUT {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        self.close();
        let unconfirmed = {
            let in_flight = self.shared.in_flight();
            let frames: u64 = in_flight.messages.iter().map(|m| m.1).sum();
            (in_flight.messages.len(), frames, in_flight.bytes)
        };
        if let Some(warning) = self.warning() {
            eprintln!("warning: {warning}");
        }
        if unconfirmed.0 > 0 {
            eprintln!(
                "warning: --publish {}: {} messages ({} frames, {} bytes) of board {} not confirmed by the broker when the run ended: {}",
                self.options.url,
                unconfirmed.0,
                unconfirmed.1,
                unconfirmed.2,
                self.options.board,
                if self.shared.away.load(Ordering::Relaxed) {
                    "it was away"
                } else {
                    "it was slow to acknowledge"
                }
            );
        }
        Ok(())
    }
}

impl MqttPublisher {
    /// Says goodbye to the broker and stops the connection's thread.
    fn close(&mut self) {
        self.shared.closing.store(true, Ordering::Relaxed);
        let Some(thread) = self.thread.take() else {
            return;
        };
        // A full request queue (the broker away) has no room for the DISCONNECT: the thread
        // then ends at its next failed connection, or with the process.
        if self.client.try_disconnect().is_ok() || self.shared.away.load(Ordering::Relaxed) {
            let _ = thread.join();
        }
    }
}

impl Drop for MqttPublisher {
    fn drop(&mut self) {
        self.close();
    }
}

/// The connection's thread: keeps the connection going (connecting again after the broker went
/// away, said once each way on stderr), and releases the buffer as the broker acknowledges.
fn drive(mut connection: Connection, shared: &Shared, url: &MqttUrl, ca_given: bool, buffer: u64) {
    let mut lost_at: Option<Instant> = None;
    // What the client keeps to send again, as it was after the connection went: lost if the
    // broker comes back without the session (the client then drops it).
    let mut kept: Vec<(u64, u64, u64)> = Vec::new();
    // The order to send again in after a reconnect.
    let mut order = SendOrder::new(super::INFLIGHT);
    loop {
        match connection.recv() {
            Ok(Ok(Event::Outgoing(Outgoing::Publish(pkid)))) => order.sent(pkid),
            Ok(Ok(Event::Incoming(Packet::PubRec(rec)))) => order.received(rec.pkid),
            // The end of a message's exchange: PUBACK at QoS 1, PUBCOMP at QoS 2 (the broker
            // answers in the order it was sent).
            Ok(Ok(Event::Incoming(Packet::PubAck(ack)))) => {
                order.acknowledged(ack.pkid);
                shared.in_flight().acked();
            }
            Ok(Ok(Event::Incoming(Packet::PubComp(comp)))) => {
                order.completed(comp.pkid);
                shared.in_flight().acked();
            }
            Ok(Ok(Event::Incoming(Packet::ConnAck(connack)))) => {
                if !connack.session_present {
                    order.forget();
                }
                if let Some(at) = lost_at.take() {
                    shared.away.store(false, Ordering::Relaxed);
                    eprintln!(
                        "MQTT broker {} back after {:.1} s: publishing again",
                        url.address(),
                        at.elapsed().as_secs_f64()
                    );
                }
                if !connack.session_present && !kept.is_empty() {
                    // The broker forgot what it had not acknowledged, and the client dropped
                    // it: the oldest messages handed over, never to be acknowledged.
                    let mut in_flight = shared.in_flight();
                    for (frames, bytes, values) in kept.drain(..) {
                        in_flight.forgotten.0 += frames;
                        in_flight.forgotten.1 += bytes;
                        in_flight.forgotten.2 += values;
                        if let Some((size, _)) = in_flight.messages.pop_front() {
                            in_flight.bytes -= size;
                        }
                    }
                }
                kept.clear();
            }
            Ok(Ok(Event::Outgoing(Outgoing::Disconnect))) => break,
            Ok(Ok(_)) => {}
            Ok(Err(err)) => {
                if shared.closing.load(Ordering::Relaxed) {
                    break;
                }
                order.sort(&mut connection.eventloop.pending);
                kept = connection
                    .eventloop
                    .pending
                    .iter()
                    .filter_map(|request| match request {
                        rumqttc::Request::Publish(publish) => {
                            let wire = publish.topic.ends_with("/wire");
                            let frames = if wire {
                                publish.payload.iter().filter(|&&b| b == 0).count() as u64
                            } else {
                                0
                            };
                            let values = if wire {
                                super::values_in(&publish.payload)
                            } else {
                                0
                            };
                            Some((frames, publish.payload.len() as u64, values))
                        }
                        _ => None,
                    })
                    .collect();
                if lost_at.is_none() {
                    lost_at = Some(Instant::now());
                    shared.away.store(true, Ordering::Relaxed);
                    eprintln!(
                        "MQTT broker {} gone: keeping up to {} for it and connecting again (cause: {})",
                        url.address(),
                        super::show_size(buffer),
                        super::explain(&err, url, ca_given)
                    );
                }
                std::thread::sleep(super::RETRY);
            }
            Err(_) => break,
        }
    }
}

//! `attach --mqtt URL/PREFIX/+`: the boards publishing to a broker, each read as its own
//! [`Source`] ([`BoardSource`]), fed from the one MQTT connection's thread through a bounded
//! queue; a board appears when its first message on `PREFIX/<board>/wire` arrives.
//!
//! The broker going away and coming back reaches every board's pipeline as its source's
//! [`SourceEvent::Lost`] and [`SourceEvent::Back`], as a probe's does: each board's line says
//! it, and each board's summary counts the reconnect and the time away.
//!
//! Nothing is dropped here: a board's queue full makes the connection's thread wait for that
//! board's pipeline (and the broker wait for the connection), rather than lose a message. A
//! payload that is not ph-eventing frames goes to the board's decoder all the same, which
//! counts it as corrupt frames.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rumqttc::{Client, Connection, Event, Outgoing, Packet, QoS};

use super::MqttUrl;
use crate::source::{Poll, Source, SourceEvent};

/// Messages queued for one board's pipeline before the connection's thread waits for it.
pub const BOARD_QUEUE: usize = 1024;
/// The most boards one subscriber takes (more topics are ignored, and said once).
pub const MAX_BOARDS: usize = 256;
/// After a reconnect or a redelivered message, how many messages of a board are checked for
/// being an exact repeat of one just before (the broker sends a message again when its
/// acknowledgement was lost with the connection).
const REPEAT_WINDOW: usize = 256;
/// How many earlier messages of a board a repeat is looked for among.
const REPEAT_HISTORY: usize = 128;
/// How long [`BoardSource::poll`] waits for a message before it says [`Poll::Idle`].
const POLL_WAIT: Duration = Duration::from_millis(100);

/// What is called with each new board: its name and its source.
pub type NewBoard = Box<dyn FnMut(&str, BoardSource) + Send>;

/// The subscription and the connection's thread; dropping it disconnects.
pub struct Subscriber {
    client: Client,
    closing: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Subscriber {
    /// Connects to the broker of `url` (`PREFIX/+` or `PREFIX/NAME`; the first connection's
    /// failure is the error, as one line), subscribes to `PREFIX/+/wire` (or
    /// `PREFIX/NAME/wire`) at QoS 2 (each message is delivered at the QoS it was published
    /// with) and calls `new_board` from the connection's thread with
    /// each board as its first message arrives.
    pub fn start(url: &MqttUrl, ca: Option<&Path>, new_board: NewBoard) -> Result<Self> {
        let (prefix, board) = url.subscription()?;
        let filter = format!("{prefix}/{}/wire", board.as_deref().unwrap_or("+"));
        let (client, connection, _) = super::open(url, ca, "sub", 64)
            .with_context(|| format!("cannot subscribe to attach --mqtt {url}"))?;
        client
            .try_subscribe(filter.as_str(), QoS::ExactlyOnce)
            .context("cannot subscribe: the MQTT client stopped")?;
        let closing = Arc::new(AtomicBool::new(false));
        let thread = {
            let client = client.clone();
            let closing = Arc::clone(&closing);
            let url = url.clone();
            let ca_given = ca.is_some();
            let mut router = Boards::new(prefix, new_board);
            std::thread::Builder::new()
                .name("mqtt-subscribe".into())
                .spawn(move || {
                    drive(
                        connection,
                        &client,
                        &filter,
                        &closing,
                        &url,
                        ca_given,
                        &mut router,
                    );
                })
                .context("cannot start the MQTT client's thread")?
        };
        Ok(Self {
            client,
            closing,
            thread: Some(thread),
        })
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.closing.store(true, Ordering::Relaxed);
        if self.client.try_disconnect().is_ok()
            && let Some(thread) = self.thread.take()
        {
            let _ = thread.join();
        }
    }
}

/// What the connection's thread hands a board: a message's bytes, or what happened to the
/// broker.
pub enum Delivery {
    /// A message's payload.
    Bytes(Vec<u8>),
    /// The broker went away or came back.
    Event(SourceEvent),
}

/// What the broker is called in a board's lines.
const WHAT: &str = "MQTT broker";

/// One board's queue, and what is checked for repeats.
struct BoardQueue {
    sender: SyncSender<Delivery>,
    /// Hashes of its latest messages.
    recent: VecDeque<u64>,
    /// Messages still to be checked for being a repeat (after a reconnect or a redelivery).
    check: usize,
    repeats: u64,
}

/// The boards heard from, by name.
struct Boards {
    prefix: String,
    new_board: NewBoard,
    boards: HashMap<String, BoardQueue>,
    refused: bool,
}

impl Boards {
    fn new(prefix: String, new_board: NewBoard) -> Self {
        Self {
            prefix,
            new_board,
            boards: HashMap::new(),
            refused: false,
        }
    }

    /// The board of `topic` (`PREFIX/<board>/wire`), if it is one.
    fn board_of<'t>(&self, topic: &'t str) -> Option<&'t str> {
        let board = topic
            .strip_prefix(self.prefix.as_str())?
            .strip_prefix('/')?
            .strip_suffix("/wire")?;
        (!board.is_empty() && !board.contains('/')).then_some(board)
    }

    /// A reconnect: the next messages of every board may repeat earlier ones.
    fn reconnected(&mut self) {
        for queue in self.boards.values_mut() {
            queue.check = REPEAT_WINDOW;
        }
    }

    /// Tells every board's pipeline that the broker went away (`reason`) or came back (after
    /// `away`): `false` when there is no board yet to tell.
    fn tell(&mut self, event: &SourceEvent) -> bool {
        for queue in self.boards.values() {
            // The board's pipeline gone (the run ending): nobody to tell.
            let _ = queue.sender.send(Delivery::Event(event.clone()));
        }
        !self.boards.is_empty()
    }

    /// Hands one message to its board's pipeline, making the board first if it is new.
    fn deliver(&mut self, topic: &str, payload: Vec<u8>, redelivered: bool) {
        let Some(board) = self.board_of(topic) else {
            return;
        };
        if !self.boards.contains_key(board) {
            if self.boards.len() >= MAX_BOARDS {
                if !self.refused {
                    self.refused = true;
                    eprintln!(
                        "warning: more than {MAX_BOARDS} boards under {}: ignoring {board} and any more",
                        self.prefix
                    );
                }
                return;
            }
            let (sender, receiver) = sync_channel(BOARD_QUEUE);
            (self.new_board)(board, BoardSource::new(receiver));
            self.boards.insert(
                board.to_owned(),
                BoardQueue {
                    sender,
                    recent: VecDeque::new(),
                    check: 0,
                    repeats: 0,
                },
            );
        }
        let Some(queue) = self.boards.get_mut(board) else {
            return;
        };
        let hash = {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            payload.hash(&mut hasher);
            hasher.finish()
        };
        if redelivered {
            queue.check = queue.check.max(REPEAT_WINDOW);
        }
        if queue.check > 0 {
            queue.check -= 1;
            if queue.recent.contains(&hash) {
                queue.repeats += 1;
                return;
            }
        }
        if queue.recent.len() == REPEAT_HISTORY {
            queue.recent.pop_front();
        }
        queue.recent.push_back(hash);
        // The board's pipeline gone (the run ending): nothing more to do for it.
        let _ = queue.sender.send(Delivery::Bytes(payload));
    }
}

/// The connection's thread: hands messages to the boards, subscribes again when the broker
/// comes back without the session, and says once each way when it went away and came back.
fn drive(
    mut connection: Connection,
    client: &Client,
    filter: &str,
    closing: &AtomicBool,
    url: &MqttUrl,
    ca_given: bool,
    boards: &mut Boards,
) {
    let mut lost_at: Option<Instant> = None;
    loop {
        match connection.recv() {
            Ok(Ok(Event::Incoming(Packet::Publish(publish)))) => {
                boards.deliver(&publish.topic, publish.payload.to_vec(), publish.dup);
            }
            Ok(Ok(Event::Incoming(Packet::ConnAck(connack)))) => {
                if let Some(at) = lost_at.take() {
                    let back = SourceEvent::Back {
                        what: WHAT,
                        away: at.elapsed(),
                    };
                    if !boards.tell(&back) {
                        eprintln!(
                            "MQTT broker {} back after {:.1} s: reading again",
                            url.address(),
                            at.elapsed().as_secs_f64()
                        );
                    }
                }
                boards.reconnected();
                if !connack.session_present {
                    let _ = client.try_subscribe(filter, QoS::ExactlyOnce);
                }
            }
            Ok(Ok(Event::Outgoing(Outgoing::Disconnect))) => break,
            Ok(Ok(_)) => {}
            Ok(Err(err)) => {
                if closing.load(Ordering::Relaxed) {
                    break;
                }
                if lost_at.is_none() {
                    lost_at = Some(Instant::now());
                    let reason =
                        format!("{}: {}", url.address(), super::explain(&err, url, ca_given));
                    let lost = SourceEvent::Lost { what: WHAT, reason };
                    if !boards.tell(&lost) {
                        eprintln!(
                            "MQTT broker {} gone: connecting again (Ctrl-C to stop) (cause: {})",
                            url.address(),
                            super::explain(&err, url, ca_given)
                        );
                    }
                }
                std::thread::sleep(super::RETRY);
            }
            Err(_) => break,
        }
    }
    let repeats: u64 = boards.boards.values().map(|q| q.repeats).sum();
    if repeats > 0 {
        eprintln!(
            "note: {repeats} messages delivered twice by the broker (after a reconnect) were read once"
        );
    }
}

/// One board's wire bytes, as the connection's thread receives them.
pub struct BoardSource {
    queue: Receiver<Delivery>,
    message: Vec<u8>,
    at: usize,
    /// What happened to the broker, received while gathering messages into one chunk: said
    /// at the next poll, after those bytes.
    event: Option<SourceEvent>,
}

impl BoardSource {
    /// The source of what `queue` brings.
    pub fn new(queue: Receiver<Delivery>) -> Self {
        Self {
            queue,
            message: Vec::new(),
            at: 0,
            event: None,
        }
    }
}

impl Source for BoardSource {
    /// The next message's bytes, and those of the messages queued behind it while `buf` has
    /// room: one chunk for the pipeline instead of one per message (a board's messages are
    /// often a few frames each).
    fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
        if let Some(event) = self.event.take() {
            return Ok(Poll::Event(event));
        }
        if self.at == self.message.len() {
            match self.queue.recv_timeout(POLL_WAIT) {
                Ok(Delivery::Bytes(message)) => {
                    self.message = message;
                    self.at = 0;
                }
                Ok(Delivery::Event(event)) => return Ok(Poll::Event(event)),
                Err(RecvTimeoutError::Timeout) => return Ok(Poll::Idle),
                Err(RecvTimeoutError::Disconnected) => return Ok(Poll::End),
            }
        }
        let mut len = 0;
        loop {
            let n = (self.message.len() - self.at).min(buf.len() - len);
            buf[len..len + n].copy_from_slice(&self.message[self.at..self.at + n]);
            self.at += n;
            len += n;
            if len == buf.len() {
                break;
            }
            match self.queue.try_recv() {
                Ok(Delivery::Bytes(message)) => {
                    self.message = message;
                    self.at = 0;
                }
                Ok(Delivery::Event(event)) => {
                    self.event = Some(event);
                    break;
                }
                // Nothing more now, or the queue closed (said at the next poll).
                Err(_) => break,
            }
        }
        Ok(Poll::data(len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn boards_appear_by_topic_and_repeats_after_a_reconnect_are_dropped() {
        let made: Arc<Mutex<Vec<(String, BoardSource)>>> = Arc::default();
        let sink = Arc::clone(&made);
        let mut boards = Boards::new(
            "lab/farm".into(),
            Box::new(move |name, source| sink.lock().unwrap().push((name.into(), source))),
        );
        boards.deliver("lab/farm/a/wire", vec![1, 0], false);
        boards.deliver("lab/farm/a/records", vec![9], false);
        boards.deliver("lab/other/b/wire", vec![9], false);
        boards.deliver("lab/farm/b/wire", vec![2, 0], false);
        // A repeat in normal running is data (a compact frame repeats every 64 items).
        boards.deliver("lab/farm/a/wire", vec![1, 0], false);
        boards.reconnected();
        boards.deliver("lab/farm/a/wire", vec![1, 0], false);
        boards.deliver("lab/farm/a/wire", vec![3, 0], false);
        let mut made = made.lock().unwrap();
        let names: Vec<&str> = made.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        let (_, a) = &mut made[0];
        let mut got = Vec::new();
        let mut buf = [0u8; 1];
        while let Ok(Poll::Data { len, .. }) = a.poll(&mut buf) {
            got.extend_from_slice(&buf[..len]);
        }
        assert_eq!(got, [1, 0, 1, 0, 3, 0]);
        assert_eq!(boards.boards["a"].repeats, 1);
    }

    #[test]
    fn the_broker_going_and_coming_back_reaches_each_board_in_order() {
        let made: Arc<Mutex<Vec<(String, BoardSource)>>> = Arc::default();
        let sink = Arc::clone(&made);
        let mut boards = Boards::new(
            "lab".into(),
            Box::new(move |name, source| sink.lock().unwrap().push((name.into(), source))),
        );
        let lost = SourceEvent::Lost {
            what: WHAT,
            reason: "refused".into(),
        };
        assert!(!boards.tell(&lost), "no board yet to tell");
        boards.deliver("lab/a/wire", vec![1, 0], false);
        boards.deliver("lab/b/wire", vec![2, 0], false);
        assert!(boards.tell(&lost));
        boards.deliver("lab/a/wire", vec![3, 0], false);
        let back = SourceEvent::Back {
            what: WHAT,
            away: Duration::from_millis(500),
        };
        assert!(boards.tell(&back));
        boards.deliver("lab/a/wire", vec![4, 0], false);
        let mut made = made.lock().unwrap();
        let (_, a) = &mut made[0];
        let mut seen = Vec::new();
        let mut buf = [0u8; 16];
        loop {
            match a.poll(&mut buf).unwrap() {
                Poll::Data { len, .. } => seen.push(format!("{:?}", &buf[..len])),
                Poll::Event(event) => seen.push(event.to_string()),
                _ => break,
            }
        }
        assert_eq!(
            seen,
            [
                "[1, 0]".to_owned(),
                "MQTT broker gone: waiting for it to come back (Ctrl-C to stop) (cause: refused)"
                    .to_owned(),
                "[3, 0]".to_owned(),
                "MQTT broker back after 0.5 s: reading again".to_owned(),
                "[4, 0]".to_owned(),
            ]
        );
    }
}

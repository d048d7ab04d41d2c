//! A capture file (or a pipe carrying one) replayed as a [`Source`]: its channels as the
//! capture declares them, its chunks in the order and at the times they were recorded.

use std::collections::{BTreeMap, VecDeque};
use std::io::Read;
use std::time::Duration;

use anyhow::{Context, Result};

use super::{Poll, ReaderSource, Source, SourceEvent};
use crate::capture::{CaptureReader, Entry, PutBack, is_capture, read_start};
use crate::channel::Channel;
use crate::record::ChannelId;

/// What `ph-tap decode` reads: a capture or a raw capture, told apart by their first bytes
/// ([`is_capture`]). A raw capture is read exactly as before captures existed: the same
/// bytes, in the same reads.
///
/// ```
/// use ph_tap::source::{Recording, Source};
/// let raw = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/clean.bin"))?;
/// let Recording::Raw(mut source) = Recording::open(&raw[..], "clean.bin")? else { panic!() };
/// let mut buf = vec![0u8; 16 * 1024];
/// assert_eq!(source.poll(&mut buf)?, ph_tap::source::Poll::data(raw.len()));
/// # Ok::<(), anyhow::Error>(())
/// ```
pub enum Recording<R> {
    /// A ph-tap capture: every channel, with its arrival times.
    Capture(Box<CaptureSource<PutBack<R>>>),
    /// A raw capture: one ph-eventing byte stream, without times.
    Raw(ReaderSource<PutBack<R>>),
}

impl<R: Read + Send> Recording<R> {
    /// Reads the first bytes of `reader` (named `name` in messages) and opens what they say.
    pub fn open(mut reader: R, name: impl Into<String>) -> Result<Self> {
        let name = name.into();
        let start = read_start(&mut reader).with_context(|| format!("reading {name} failed"))?;
        let capture = is_capture(&start);
        let reader = PutBack::new(start, reader);
        Ok(if capture {
            Self::Capture(Box::new(CaptureSource::open(reader, name)?))
        } else {
            Self::Raw(ReaderSource::new(reader, name))
        })
    }
}

/// Replays a capture (see [`crate::capture`]): [`channels`](Source::channels) are the ones its
/// header declares, and each poll gives one chunk as it was recorded, after a
/// [`Poll::Time`] with its arrival time, so the router sees the same chunks in the same order
/// as the live run did and the records carry the recorded times.
///
/// What the capture leaves out is said once each, as [`SourceEvent::Skipped`]: a last record
/// cut short (a crash or a full disk while it was written; the stream then ends normally), a
/// channel of a kind this ph-tap does not know, a channel declared only after the first chunk
/// (ph-tap sets up its decoders from the header). A damaged record is an error: everything
/// before it was replayed.
///
/// ```
/// use std::time::Duration;
/// use ph_tap::capture::CaptureWriter;
/// use ph_tap::channel::{Channel, ChannelKind};
/// use ph_tap::source::{CaptureSource, Poll, Source};
///
/// let text = Channel { id: 2, name: Some("Terminal".into()), kind: ChannelKind::Text };
/// let mut writer = CaptureWriter::new(Vec::new(), &[Channel::telemetry(), text.clone()])?;
/// writer.chunk(2, Duration::from_millis(5), b"boot\n")?;
/// let file = writer.into_inner();
///
/// let mut source = CaptureSource::open(&file[..], "example")?;
/// assert_eq!(source.channels(), [Channel::telemetry(), text]);
/// let mut buf = [0u8; 64];
/// assert_eq!(source.poll(&mut buf)?, Poll::Time(Duration::from_millis(5)));
/// assert_eq!(source.poll(&mut buf)?, Poll::Data { channel: 2, len: 5 });
/// assert_eq!(&buf[..5], b"boot\n");
/// assert_eq!(source.poll(&mut buf)?, Poll::End);
/// # Ok::<(), anyhow::Error>(())
/// ```
pub struct CaptureSource<R> {
    reader: CaptureReader<R>,
    name: String,
    /// The channels of the header, as announced.
    announced: Vec<Channel>,
    /// Every channel declared so far: `None` for one whose chunks are left out.
    declared: BTreeMap<ChannelId, Option<Channel>>,
    /// The entry read but not given yet.
    next: Option<Entry>,
    /// The chunk being given, when it is longer than the buffer: channel, bytes, how far.
    giving: Option<(ChannelId, Vec<u8>, usize)>,
    /// The last time said.
    said: Option<Duration>,
    /// What to say before anything else.
    skipped: VecDeque<String>,
    /// The damage found while the header was read, for the first poll.
    damaged: Option<anyhow::Error>,
    ended: bool,
}

impl<R: Read + Send> CaptureSource<R> {
    /// Reads the header of the capture in `reader` (named `name` in messages): the magic, the
    /// version and the channel table. An error says what to do (not a capture, a newer format
    /// version); damage after the magic and the version is the first poll's error.
    pub fn open(reader: R, name: impl Into<String>) -> Result<Self> {
        let name = name.into();
        let reader = CaptureReader::new(reader, name.clone())?;
        let mut source = Self {
            reader,
            name,
            announced: Vec::new(),
            declared: BTreeMap::new(),
            next: None,
            giving: None,
            said: None,
            skipped: VecDeque::new(),
            damaged: None,
            ended: false,
        };
        // The header: the channel records before the first record of another kind. Damage
        // there is said by the first poll, after the channels before it were announced.
        loop {
            let entry = match source.reader.read_entry() {
                Ok(entry) => entry,
                Err(err) => {
                    source.damaged = Some(err);
                    break;
                }
            };
            match entry {
                Some(Entry::Channel(channel)) => source.declare(channel),
                Some(Entry::UnknownKind { id, name, kind }) => {
                    source.unknown_kind(id, name.as_deref(), &kind, "");
                }
                None => {
                    source.ended = true;
                    break;
                }
                other => {
                    source.next = other;
                    break;
                }
            }
        }
        Ok(source)
    }

    /// A channel of the header: announced, unless an earlier record declared its id.
    fn declare(&mut self, channel: Channel) {
        if self.declared_again(channel.id, &format!("as {}", channel.kind), "") {
            return;
        }
        self.announced.push(channel.clone());
        self.declared.insert(channel.id, Some(channel));
    }

    /// A channel of a kind this ph-tap does not know: left out, unless an earlier record
    /// declared its id.
    fn unknown_kind(&mut self, id: ChannelId, name: Option<&str>, kind: &str, late: &str) {
        if self.declared_again(id, &format!("as '{kind}'"), late) {
            return;
        }
        let label = Channel {
            id,
            name: name.map(str::to_owned),
            kind: Default::default(),
        }
        .label();
        self.skipped.push_back(format!(
            "capture {} has channel {label} of kind '{kind}', which this ph-tap does not know: its chunks are left out (upgrade ph-tap to see them)",
            self.name
        ));
        self.declared.insert(id, None);
    }

    /// Whether `id` was declared before (then the record declaring it `again`, after the
    /// header when `late` says so, changes nothing). A channel is decoded as its first
    /// declaration says: ph-tap sets up its decoders from it, and a damaged record that reads
    /// as a declaration cannot take a channel away. A kind changed is said once.
    fn declared_again(&mut self, id: ChannelId, again: &str, late: &str) -> bool {
        match self.declared.get(&id) {
            None => false,
            // Left out already.
            Some(None) => true,
            Some(Some(known)) => {
                if again != format!("as {}", known.kind) {
                    self.skipped.push_back(format!(
                        "capture {} declares channel {} again {again}{late}: it is still decoded as {}, as its first declaration says",
                        self.name,
                        known.label(),
                        known.kind
                    ));
                }
                true
            }
        }
    }

    /// A channel declared after the first chunk. ph-tap set up its decoders from the header:
    /// a channel it did not announce has its chunks left out, and a kind changed later is not
    /// followed.
    fn declare_late(&mut self, channel: Channel) {
        let late = " after its first chunk";
        if self.declared_again(channel.id, &format!("as {}", channel.kind), late) {
            return;
        }
        self.skipped.push_back(format!(
            "capture {} declares channel {} ({}) only after its first chunk, and ph-tap takes the channels from the header: its chunks are left out",
            self.name,
            channel.label(),
            channel.kind
        ));
        self.declared.insert(channel.id, None);
    }

    /// The entry to go on with.
    fn entry(&mut self) -> Result<Option<Entry>> {
        match self.next.take() {
            Some(entry) => Ok(Some(entry)),
            None => self.reader.read_entry(),
        }
    }

    /// Gives what is left of the chunk being given.
    fn give(&mut self, buf: &mut [u8]) -> Option<Poll> {
        let (channel, data, at) = self.giving.as_mut()?;
        let len = (data.len() - *at).min(buf.len());
        buf[..len].copy_from_slice(&data[*at..*at + len]);
        *at += len;
        let channel = *channel;
        if *at == data.len() {
            self.giving = None;
        }
        Some(Poll::Data { channel, len })
    }
}

impl<R: Read + Send> Source for CaptureSource<R> {
    fn channels(&self) -> Vec<Channel> {
        self.announced.clone()
    }

    fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
        if let Some(reason) = self.skipped.pop_front() {
            return Ok(Poll::Event(SourceEvent::Skipped { reason }));
        }
        if let Some(err) = self.damaged.take() {
            self.ended = true;
            return Err(err);
        }
        if let Some(poll) = self.give(buf) {
            return Ok(poll);
        }
        if self.ended {
            return Ok(Poll::End);
        }
        loop {
            let Some(entry) = self.entry()? else {
                self.ended = true;
                return Ok(Poll::End);
            };
            // When it happened is said first (once for entries with the same time).
            if let Some(at) = time_of(&entry)
                && self.said != Some(at)
            {
                self.said = Some(at);
                self.next = Some(entry);
                return Ok(Poll::Time(at));
            }
            match entry {
                Entry::Channel(channel) => self.declare_late(channel),
                Entry::UnknownKind { id, name, kind } => {
                    self.unknown_kind(id, name.as_deref(), &kind, " after its first chunk");
                }
                // The reader checked that the channel was declared.
                Entry::Chunk { channel, data, .. } => match self.declared.get(&channel) {
                    // Left out (its time counted).
                    None | Some(None) => {}
                    Some(Some(_)) if data.is_empty() => {}
                    Some(Some(_)) => {
                        self.giving = Some((channel, data, 0));
                        return Ok(self.give(buf).unwrap_or(Poll::Idle));
                    }
                },
                Entry::Event { event, .. } => return Ok(Poll::Event(event)),
                // Its time was said: the run's duration.
                Entry::End { .. } => {}
                Entry::Cut { bytes, zeros } => {
                    self.ended = true;
                    let reason = if zeros {
                        format!(
                            "capture {} ends in {bytes} zero bytes where a record should be (the end of the file never reached the disk: a crash?): everything before them was read",
                            self.name
                        )
                    } else {
                        format!(
                            "capture {} ends inside a record, cut short after {bytes} bytes (by a crash or a full disk?): that record is left out, everything before it was read",
                            self.name
                        )
                    };
                    return Ok(Poll::Event(SourceEvent::Skipped { reason }));
                }
            }
            if let Some(reason) = self.skipped.pop_front() {
                return Ok(Poll::Event(SourceEvent::Skipped { reason }));
            }
        }
    }
}

/// When `entry` happened, for the entries that have a time.
fn time_of(entry: &Entry) -> Option<Duration> {
    match entry {
        Entry::Chunk { at, .. } | Entry::Event { at, .. } | Entry::End { at } => Some(*at),
        Entry::Channel(_) | Entry::UnknownKind { .. } | Entry::Cut { .. } => None,
    }
}

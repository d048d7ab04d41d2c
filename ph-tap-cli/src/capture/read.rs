//! Reading a capture back, record by record, with fixed rules for a capture that was cut
//! short or damaged (`docs/CAPTURE.md`, "Reading a capture").

use std::collections::BTreeSet;
use std::io::{ErrorKind, Read};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

use super::{MAGIC, MAX_RECORD, VERSION, event, record};
use crate::channel::{Channel, ChannelKind};
use crate::record::ChannelId;
use crate::source::SourceEvent;

/// One record of a capture, as [`CaptureReader::read_entry`] reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A channel is declared: its number, name and kind for the chunks after it. Control
    /// characters in a name (and in a source event's reason) read as `\u{FFFD}`, so that
    /// what a capture names always fits on one line.
    Channel(Channel),
    /// A channel is declared with a kind this ph-tap does not know (written by a newer one).
    UnknownKind {
        /// Its number.
        id: ChannelId,
        /// Its name, if any.
        name: Option<String>,
        /// The kind's name as written (control characters as `\u{FFFD}`).
        kind: String,
    },
    /// Bytes of one channel, exactly as the source delivered them.
    Chunk {
        /// Whose bytes.
        channel: ChannelId,
        /// When they arrived, since the capture started.
        at: Duration,
        /// The bytes.
        data: Vec<u8>,
    },
    /// Something happened to the source.
    Event {
        /// When, since the capture started.
        at: Duration,
        /// What.
        event: SourceEvent,
    },
    /// The run ended.
    End {
        /// When, since the capture started: how long the run lasted.
        at: Duration,
    },
    /// The capture ends inside a record (cut short while it was written: a crash, a full disk):
    /// its last `bytes` bytes are left out. The last entry.
    Cut {
        /// How many bytes are left out.
        bytes: u64,
        /// They are all `0x00` (a file whose end never reached the disk, as a crash can leave
        /// it) rather than the start of a record.
        zeros: bool,
    },
}

/// Reads a capture's records from `R` (see the [module](super) and `docs/CAPTURE.md`).
///
/// Memory is bounded whatever the input: a record is at most [`MAX_RECORD`] bytes, and it is
/// read as its bytes arrive, never sized from its length field.
///
/// ```
/// use ph_tap::capture::{CaptureReader, Entry};
/// let mut file = ph_tap::capture::MAGIC.to_vec();
/// file.extend_from_slice(b"\x01\x01\x0e\x00\x0bph-eventing\x00\x02\x04\x00\xdc\x0b"); // cut in a chunk
/// let mut reader = CaptureReader::new(&file[..], "cut.cap")?;
/// assert!(matches!(reader.read_entry()?, Some(Entry::Channel(_))));
/// assert_eq!(reader.read_entry()?, Some(Entry::Cut { bytes: 5, zeros: false }));
/// assert_eq!(reader.read_entry()?, None);
/// # Ok::<(), anyhow::Error>(())
/// ```
#[derive(Debug)]
pub struct CaptureReader<R> {
    reader: R,
    name: String,
    /// Bytes read so far.
    offset: u64,
    /// The time of the last timed record, in µs.
    clock: u64,
    /// The header was cut short: this many bytes of it are there.
    cut_header: Option<u64>,
    /// The channels declared so far.
    declared: BTreeSet<ChannelId>,
    done: bool,
    body: Vec<u8>,
}

impl<R: Read> CaptureReader<R> {
    /// Reads the magic and the version from `reader`, named `name` in messages. A capture cut
    /// inside them reads as one [`Entry::Cut`].
    pub fn new(mut reader: R, name: impl Into<String>) -> Result<Self> {
        let name = name.into();
        let mut start = Vec::with_capacity(MAGIC.len() + 1);
        (&mut reader)
            .take(MAGIC.len() as u64 + 1)
            .read_to_end(&mut start)
            .with_context(|| format!("reading capture {name} failed"))?;
        let magic = &start[..start.len().min(MAGIC.len())];
        if !MAGIC.starts_with(magic) || start.is_empty() {
            bail!(
                "{name} is not a ph-tap capture (it does not start with the capture magic): decode it as raw bytes"
            );
        }
        let cut_header = match start.get(MAGIC.len()) {
            None => Some(start.len() as u64),
            Some(&VERSION) => None,
            Some(0) => bail!(
                "{name} is damaged: its header says format version 0, which no ph-tap writes; was it changed after ph-tap wrote it?"
            ),
            Some(&version) => bail!(
                "{name} is a ph-tap capture of format version {version}, and this ph-tap reads version {VERSION}: upgrade ph-tap"
            ),
        };
        Ok(Self {
            reader,
            offset: start.len() as u64,
            name,
            clock: 0,
            cut_header,
            declared: BTreeSet::new(),
            done: false,
            body: Vec::new(),
        })
    }

    /// The next entry; `None` at the end of the capture (and after an [`Entry::Cut`]). An
    /// error is a damaged record (or a failed read): everything before it was read, nothing
    /// after it can be. A chunk always belongs to a channel declared before it (else the
    /// capture is damaged). Records a reader may skip (types `0x80..=0xFF`, events of an unknown
    /// kind) are skipped.
    pub fn read_entry(&mut self) -> Result<Option<Entry>> {
        if self.done {
            return Ok(None);
        }
        if let Some(bytes) = self.cut_header.take() {
            self.done = true;
            return Ok(Some(Entry::Cut {
                bytes,
                zeros: false,
            }));
        }
        loop {
            let at = self.offset;
            let Some(kind) = self.byte()? else {
                self.done = true;
                return Ok(None);
            };
            if kind == 0 {
                return self.zeros_to_the_end(at).map(Some);
            }
            let len = match self.length()? {
                Ok(len) => len,
                Err(read) => return Ok(Some(self.cut(1 + read))),
            };
            if len > MAX_RECORD as u64 {
                return Err(self.damaged(
                    at,
                    &format!(
                        "a record of {len} bytes, longer than the {MAX_RECORD} a record may have"
                    ),
                ));
            }
            self.body.clear();
            let got = (&mut self.reader)
                .take(len)
                .read_to_end(&mut self.body)
                .with_context(|| format!("reading capture {} failed", self.name))?;
            self.offset += got as u64;
            if (got as u64) < len {
                return Ok(Some(self.cut(self.offset - at)));
            }
            if let Some(entry) = self.parse(kind, at)? {
                return Ok(Some(entry));
            }
        }
    }

    /// The entry of a whole record of type `kind` at byte `at` (its body in `self.body`);
    /// `None` for a record that is skipped.
    fn parse(&mut self, kind: u8, at: u64) -> Result<Option<Entry>> {
        let body = std::mem::take(&mut self.body);
        let result = self.parse_body(kind, &body);
        self.body = body;
        result.map_err(|problem| self.damaged(at, &problem))
    }

    fn parse_body(&mut self, kind: u8, body: &[u8]) -> Result<Option<Entry>, String> {
        let mut body = Body { bytes: body, at: 0 };
        Ok(Some(match kind {
            record::CHANNEL => {
                let id = body.channel_id()?;
                let kind = body.string("its kind")?;
                let name = body.string("its name")?;
                let name = (!name.is_empty()).then(|| printable(name));
                self.declared.insert(id);
                match ChannelKind::parse(&kind) {
                    Some(kind) => Entry::Channel(Channel { id, name, kind }),
                    None => Entry::UnknownKind {
                        id,
                        name,
                        kind: printable(kind),
                    },
                }
            }
            record::CHUNK => {
                let channel = body.channel_id()?;
                if !self.declared.contains(&channel) {
                    return Err(format!(
                        "a chunk of channel {channel}, which no channel record declares before it"
                    ));
                }
                let at = self.advance(body.varint("its time")?)?;
                Entry::Chunk {
                    channel,
                    at,
                    data: body.rest().to_vec(),
                }
            }
            record::EVENT => {
                let at = self.advance(body.varint("its time")?)?;
                let event = match body.byte("its event kind")? {
                    event::LOST => SourceEvent::Lost {
                        what: what(&body.string("what was lost")?),
                        reason: printable(body.string("the reason")?),
                    },
                    event::BACK => SourceEvent::Back {
                        what: what(&body.string("what came back")?),
                        away: Duration::from_nanos(body.varint("how long it was away")?),
                    },
                    event::REATTACHED => SourceEvent::Reattached {
                        control_block: body.varint("the control block's address")?,
                    },
                    // An event of a later version: its time counts, the rest is skipped.
                    _ => return Ok(None),
                };
                Entry::Event { at, event }
            }
            record::END => Entry::End {
                at: self.advance(body.varint("its time")?)?,
            },
            kind if kind >= record::SKIPPABLE => return Ok(None),
            kind => {
                return Err(format!(
                    "a record of type {kind:#04x}, which this ph-tap does not know: upgrade ph-tap"
                ));
            }
        }))
    }

    /// Moves the clock on by `delta` µs: the time of the record.
    fn advance(&mut self, delta: u64) -> Result<Duration, String> {
        self.clock = self
            .clock
            .checked_add(delta)
            .ok_or("its time is past the largest the format holds")?;
        Ok(Duration::from_micros(self.clock))
    }

    /// A record starting with `0x00` at byte `at`: the rest of the capture is zeros (its end
    /// never reached the disk), or it is damaged.
    fn zeros_to_the_end(&mut self, at: u64) -> Result<Entry> {
        let mut buf = [0u8; 4096];
        loop {
            let n = match self.reader.read(&mut buf) {
                Ok(n) => n,
                Err(err) if err.kind() == ErrorKind::Interrupted => continue,
                Err(err) => {
                    return Err(err)
                        .with_context(|| format!("reading capture {} failed", self.name));
                }
            };
            if n == 0 {
                self.done = true;
                return Ok(Entry::Cut {
                    bytes: self.offset - at,
                    zeros: true,
                });
            }
            if let Some(k) = buf[..n].iter().position(|&b| b != 0) {
                self.offset += k as u64;
                return Err(self.damaged(at, "a record of type 0x00, which is never written"));
            }
            self.offset += n as u64;
        }
    }

    /// A record's length: `Ok(Ok(len))`, or `Ok(Err(bytes read))` when the capture ends inside
    /// it.
    fn length(&mut self) -> Result<Result<u64, u64>> {
        let at = self.offset - 1;
        let mut value = 0u64;
        for k in 0..10u32 {
            let Some(byte) = self.byte()? else {
                return Ok(Err(u64::from(k)));
            };
            if k == 9 && byte > 1 {
                break;
            }
            value |= u64::from(byte & 0x7F) << (7 * k);
            if byte & 0x80 == 0 {
                return Ok(Ok(value));
            }
        }
        Err(self.damaged(at, "a record length that is not a varint"))
    }

    /// One byte, `None` at the end of the input.
    fn byte(&mut self) -> Result<Option<u8>> {
        let mut byte = [0u8; 1];
        loop {
            return match self.reader.read(&mut byte) {
                Ok(0) => Ok(None),
                Ok(_) => {
                    self.offset += 1;
                    Ok(Some(byte[0]))
                }
                Err(err) if err.kind() == ErrorKind::Interrupted => continue,
                Err(err) => {
                    Err(err).with_context(|| format!("reading capture {} failed", self.name))
                }
            };
        }
    }

    /// The capture ends `bytes` bytes into a record.
    fn cut(&mut self, bytes: u64) -> Entry {
        self.done = true;
        Entry::Cut {
            bytes,
            zeros: false,
        }
    }

    fn damaged(&mut self, at: u64, problem: &str) -> anyhow::Error {
        self.done = true;
        anyhow!(
            "capture {} is damaged at byte {at} ({problem}): everything before it was read; was it changed after ph-tap wrote it?",
            self.name
        )
    }
}

/// `text` with its control characters (a line break in a name, say) as `\u{FFFD}`: what a
/// capture names is shown in one-line messages and line prefixes.
fn printable(text: String) -> String {
    if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
            .collect()
    } else {
        text
    }
}

/// The `what` of a lost or back event: the names ph-tap's sources use, `source` for others.
fn what(name: &str) -> &'static str {
    ["probe", "GDB server", "RTT server"]
        .into_iter()
        .find(|known| *known == name)
        .unwrap_or("source")
}

/// A record's body, read field by field; a field that does not fit is a problem (a `String`
/// naming it).
struct Body<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Body<'a> {
    fn byte(&mut self, what: &str) -> Result<u8, String> {
        let byte = *self
            .bytes
            .get(self.at)
            .ok_or_else(|| format!("a record too short for {what}"))?;
        self.at += 1;
        Ok(byte)
    }

    fn varint(&mut self, what: &str) -> Result<u64, String> {
        let mut value = 0u64;
        for k in 0..10u32 {
            let byte = self.byte(what)?;
            if k == 9 && byte > 1 {
                break;
            }
            value |= u64::from(byte & 0x7F) << (7 * k);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(format!("{what} is not a varint"))
    }

    fn channel_id(&mut self) -> Result<ChannelId, String> {
        let id = self.varint("its channel")?;
        u32::try_from(id)
            .map(|id| id as ChannelId)
            .map_err(|_| format!("channel {id}, past the largest channel number (2^32 - 1)"))
    }

    fn string(&mut self, what: &str) -> Result<String, String> {
        let len = self.varint(what)?;
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| self.at.checked_add(len))
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| format!("{what} runs past the record's end"))?;
        let text = std::str::from_utf8(&self.bytes[self.at..end])
            .map_err(|_| format!("{what} is not UTF-8"))?;
        self.at = end;
        Ok(text.to_owned())
    }

    fn rest(&mut self) -> &'a [u8] {
        let rest = &self.bytes[self.at..];
        self.at = self.bytes.len();
        rest
    }
}

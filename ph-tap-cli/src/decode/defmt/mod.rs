//! defmt log channels, decoded by knurling's own `defmt-decoder` (the decoder probe-rs and
//! defmt-print use) with the `.defmt` table of the firmware's ELF.
//!
//! ph-tap frames the stream itself, so that garbage costs at most one frame and never grows
//! memory: with defmt's default rzcobs encoding every frame ends with a `0x00`, so a frame that
//! cannot be decoded is skipped (one [`Warning::BadFrame`]) and decoding resynchronises at the
//! next `0x00` (as `defmt-decoder`'s own stream decoder does); a run of more than [`MAX_FRAME`]
//! bytes without one is dropped as it comes. Each frame is then undone from rzcobs and given to
//! `Table::decode`, after the `guard` module has looked at it.
//!
//! `defmt-decoder` trusts the table and the frames more than a tool reading a live link can:
//!
//! - it panics on some frames (an `iso8601` timestamp out of range, a format that names an
//!   argument it does not have) and on some tables. Every call into it runs under `guarded`,
//!   which turns such a panic into an undecodable frame and keeps the default panic message off
//!   stderr;
//! - some damaged frames abort the process instead, which no `catch_unwind` catches: a slice
//!   with a huge length, formats nested without end, slices of slices multiplying to millions of
//!   elements. The `guard` module refuses those frames before `defmt-decoder` sees them. This is why ph-tap does not hand the bytes to
//!   `Table::new_stream_decoder`: it must see each frame's bytes first.

mod guard;

use std::cell::Cell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Once};

use defmt_decoder::{DecodeError, Encoding, Frame, Locations, Table};
use guard::Formats;

use super::{Decoder, LineCounts};
use crate::channel::{Channel, ChannelKind};
use crate::record::{Body, Level, Location, LogLine, Warning};

/// The longest defmt frame ph-tap waits for (encoded, without its `0x00`). defmt frames are a
/// few bytes to a few hundred; a longer run without a frame end is garbage.
pub const MAX_FRAME: usize = 64 * 1024;

/// A firmware's defmt table: the format strings of its log statements and, from its debug
/// information, where each statement is in the source. Loaded once per run and shared by the
/// defmt channels' decoders.
pub struct DefmtTable {
    table: Table,
    locations: Locations,
    /// The same table's format strings, for [`guard`] (`None`: they could not be read, and
    /// frames go to `defmt-decoder` unchecked).
    formats: Option<Formats>,
    name: String,
}

impl fmt::Debug for DefmtTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefmtTable")
            .field("name", &self.name)
            .field("encoding", &self.table.encoding())
            .field("timestamp", &self.table.has_timestamp())
            .field("locations", &self.locations.len())
            .finish()
    }
}

/// Why an ELF gives no defmt table. The text (`Display`) is what the defmt channel's one
/// warning says after `channel N 'defmt' is not decoded: `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableError {
    /// The file is not an ELF file.
    NotElf {
        /// The file's name.
        name: String,
    },
    /// The ELF has no `.defmt` table: the firmware does not use defmt.
    NoTable {
        /// The file's name.
        name: String,
    },
    /// The table is of a defmt wire format version this ph-tap does not read.
    Version {
        /// The file's name.
        name: String,
        /// The version the firmware's defmt wrote.
        found: String,
        /// The versions `defmt-decoder` reads.
        supported: String,
    },
    /// The ELF or its table is damaged.
    Invalid {
        /// The file's name.
        name: String,
        /// What `defmt-decoder` said, one line.
        reason: String,
    },
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotElf { name } => write!(
                f,
                "{name} is not an ELF file: pass the firmware's ELF (as the build wrote it) with --elf"
            ),
            Self::NoTable { name } => write!(
                f,
                "{name} has no .defmt table: is it the firmware that runs, and does it log with defmt?"
            ),
            Self::Version {
                name,
                found,
                supported,
            } => write!(
                f,
                "the defmt table of {name} is version {found}, this ph-tap reads {supported}: build the firmware with a defmt this ph-tap reads, or use a ph-tap that reads version {found}"
            ),
            Self::Invalid { name, reason } => write!(
                f,
                "the defmt table of {name} cannot be read ({reason}): rebuild the firmware, or pass its ELF as the build wrote it"
            ),
        }
    }
}

impl std::error::Error for TableError {}

impl DefmtTable {
    /// Reads the defmt table out of `elf` (the bytes of a firmware ELF file called `name`, the
    /// name being for messages).
    ///
    /// ```
    /// use ph_tap::decode::defmt::{DefmtTable, TableError};
    /// assert_eq!(
    ///     DefmtTable::parse(b"#!/bin/sh", "fw.elf").unwrap_err(),
    ///     TableError::NotElf { name: "fw.elf".into() }
    /// );
    /// ```
    pub fn parse(elf: &[u8], name: &str) -> Result<Self, TableError> {
        let name = name.to_owned();
        if !elf.starts_with(b"\x7fELF") {
            return Err(TableError::NotElf { name });
        }
        let parsed = guarded(|| Table::parse(elf))
            .unwrap_or_else(|panic| Err(anyhow::anyhow!("defmt-decoder failed on it ({panic})")));
        let table = match parsed {
            Ok(Some(table)) => table,
            Ok(None) => return Err(TableError::NoTable { name }),
            Err(err) => return Err(table_error(name, &err)),
        };
        // Without debug information (a stripped ELF) there are no locations; the log lines are
        // the same.
        let locations = guarded(|| table.get_locations(elf))
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        let formats = guarded(|| Formats::read(elf)).ok().flatten();
        Ok(Self {
            table,
            locations,
            formats,
            name,
        })
    }

    /// The ELF's file name, as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The firmware stamps its log lines (`defmt::timestamp!`).
    pub fn has_timestamp(&self) -> bool {
        self.table.has_timestamp()
    }

    /// How many log statements the debug information placed in the source.
    pub fn locations(&self) -> usize {
        self.locations.len()
    }

    fn log_line(&self, frame: &Frame<'_>) -> LogLine {
        LogLine {
            level: frame.level().and_then(|level| Level::parse(level.as_str())),
            message: frame.display_message().to_string(),
            timestamp: frame.display_timestamp().map(|t| t.to_string()),
            location: self.locations.get(&frame.index()).map(|at| Location {
                file: at.file.display().to_string(),
                line: at.line,
                module_path: at.module.clone(),
            }),
        }
    }

    /// Refuses the frames `defmt-decoder` must not see (see [`guard`]).
    fn check(&self, frame: &[u8]) -> Result<(), String> {
        match &self.formats {
            Some(formats) => formats.check(frame),
            None => Ok(()),
        }
    }

    /// Decodes one rzcobs frame (without its `0x00`).
    fn decode_rzcobs(&self, encoded: &[u8]) -> Result<LogLine, String> {
        let malformed = || format!("{} ({} bytes)", DecodeError::Malformed, encoded.len());
        let frame = rzcobs_decode(encoded).ok_or_else(malformed)?;
        self.check(&frame)?;
        guarded(|| match self.table.decode(&frame) {
            Ok((frame, _)) => Ok(self.log_line(&frame)),
            // A whole frame that is short is malformed (as the stream decoder says too).
            Err(_) => Err(malformed()),
        })
        .unwrap_or_else(|panic| Err(format!("defmt-decoder failed on it ({panic})")))
    }

    /// Decodes the raw frame at the start of `bytes`: the line and the bytes it took, or `None`
    /// when more bytes are needed.
    fn decode_raw(&self, bytes: &[u8]) -> Result<Option<(LogLine, usize)>, String> {
        self.check(bytes)?;
        guarded(|| match self.table.decode(bytes) {
            Ok((frame, consumed)) => Ok(Some((self.log_line(&frame), consumed))),
            Err(DecodeError::UnexpectedEof) => Ok(None),
            Err(err) => Err(err.to_string()),
        })
        .unwrap_or_else(|panic| Err(format!("defmt-decoder failed on it ({panic})")))
    }
}

/// Undoes defmt's rzcobs encoding of one frame (without its `0x00`); `None` if it is not
/// rzcobs. Read from the end: `0xxxxxxx` gives seven bytes, a 1 bit for a `0x00` and a 0 bit
/// for the next byte of the stream (least significant bit first); `1nnnnnnn` (below `0xff`)
/// gives `0x00` and `n + 7` bytes of the stream; `0xff` gives 134 bytes of the stream. The frame
/// may end with `0x00`s of padding, which `Table::decode` does not read.
///
/// ```text
/// [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x00] <- [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x40]
/// ```
fn rzcobs_decode(encoded: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(encoded.len() * 8 / 7 + 8);
    let mut bytes = encoded.iter().rev().copied();
    while let Some(code) = bytes.next() {
        match code {
            0 => return None,
            0x01..=0x7f => {
                for bit in (0..7).rev() {
                    if code & (1 << bit) == 0 {
                        out.push(bytes.next()?);
                    } else {
                        out.push(0);
                    }
                }
            }
            0x80..=0xfe => {
                out.push(0);
                for _ in 0..(code & 0x7f) + 7 {
                    out.push(bytes.next()?);
                }
            }
            0xff => {
                for _ in 0..134 {
                    out.push(bytes.next()?);
                }
            }
        }
    }
    out.reverse();
    Some(out)
}

/// The one-line reason of a table `defmt-decoder` refused.
fn table_error(name: String, err: &anyhow::Error) -> TableError {
    let text = err.to_string();
    let first = text.lines().next().unwrap_or_default().trim().to_owned();
    // "defmt wire format version mismatch: firmware is using 5, this tool supports 3, 4"
    if let Some(rest) = first.strip_prefix("defmt wire format version mismatch: firmware is using ")
        && let Some((found, supported)) = rest.split_once(", this tool supports ")
    {
        return TableError::Version {
            name,
            found: found.to_owned(),
            supported: supported.to_owned(),
        };
    }
    let reason = err
        .chain()
        .map(|e| {
            e.to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join(": ");
    TableError::Invalid { name, reason }
}

/// A defmt channel: bytes in, one [`Body::Log`] per frame out.
///
/// Without a table (`Err(reason)`), the channel is reported once as [`Warning::NotDecoded`] and
/// its bytes are counted. A frame that cannot be decoded is one [`Warning::BadFrame`], and the
/// next frame decodes again; the first frame of the stream failing is taken for joining it
/// mid-frame (normal for a live attach) and not reported.
///
/// ```
/// use ph_tap::channel::{Channel, ChannelKind};
/// use ph_tap::decode::{Decoder, DefmtDecoder, NO_ELF};
/// use ph_tap::record::{Body, Warning};
///
/// let channel = Channel { id: 0, name: Some("defmt".into()), kind: ChannelKind::Defmt };
/// let mut decoder = DefmtDecoder::new(&channel, Err(NO_ELF.to_owned()));
/// let mut bodies = Vec::new();
/// decoder.feed(&[1, 2, 0, 3], &mut |b| bodies.push(b));
/// decoder.feed(&[4, 0], &mut |b| bodies.push(b));
/// let [Body::Warning(warning)] = &bodies[..] else { panic!("{bodies:?}") };
/// assert_eq!(
///     warning.to_string(),
///     "channel 0 'defmt' is not decoded: pass --elf FIRMWARE.elf to decode the defmt channel"
/// );
/// let counts = decoder.lines().unwrap();
/// assert_eq!((counts.bytes, counts.lines, counts.not_decoded), (6, 0, true));
/// ```
pub struct DefmtDecoder {
    label: String,
    state: State,
    counts: LineCounts,
    /// No frame has ended yet: the first one may be the tail of a frame sent before we joined.
    first: bool,
}

enum State {
    /// No table: bytes counted only; `warned` once the channel was reported.
    NotDecoded { reason: String, warned: bool },
    /// rzcobs: the current frame's bytes; `skipping` past an over-long one to its end.
    Rzcobs {
        table: Arc<DefmtTable>,
        frame: Vec<u8>,
        skipping: bool,
    },
    /// Raw (no framing): the bytes not decoded yet.
    Raw {
        table: Arc<DefmtTable>,
        pending: Vec<u8>,
    },
}

impl DefmtDecoder {
    /// A decoder for `channel`, with the firmware's table or the reason there is none.
    pub fn new(channel: &Channel, table: Result<Arc<DefmtTable>, String>) -> Self {
        let state = match table {
            Ok(table) if table.table.encoding() == Encoding::Raw => State::Raw {
                table,
                pending: Vec::new(),
            },
            Ok(table) => State::Rzcobs {
                table,
                frame: Vec::new(),
                skipping: false,
            },
            Err(reason) => State::NotDecoded {
                reason,
                warned: false,
            },
        };
        Self {
            label: channel.label(),
            state,
            counts: LineCounts {
                kind: ChannelKind::Defmt,
                ..LineCounts::default()
            },
            first: true,
        }
    }

    fn bad_frame(&mut self, reason: String, emit: &mut dyn FnMut(Body)) {
        let first = std::mem::replace(&mut self.first, false);
        if first {
            return;
        }
        self.counts.undecodable += 1;
        emit(Body::Warning(Box::new(Warning::BadFrame {
            channel: self.label.clone(),
            format: "defmt",
            reason,
        })));
    }

    fn line(&mut self, line: LogLine, emit: &mut dyn FnMut(Body)) {
        self.first = false;
        self.counts.lines += 1;
        emit(Body::Log(Box::new(line)));
    }

    fn feed_rzcobs(&mut self, mut bytes: &[u8], emit: &mut dyn FnMut(Body)) {
        while !bytes.is_empty() {
            let State::Rzcobs {
                table,
                frame,
                skipping,
            } = &mut self.state
            else {
                return;
            };
            let end = bytes.iter().position(|&b| b == 0);
            let part = &bytes[..end.unwrap_or(bytes.len())];
            bytes = end.map_or(&[][..], |end| &bytes[end + 1..]);
            let outcome = if *skipping {
                // The rest of an over-long frame, up to its end.
                *skipping = end.is_none();
                None
            } else {
                frame.extend_from_slice(part);
                if frame.len() > MAX_FRAME {
                    frame.clear();
                    *skipping = end.is_none();
                    Some(Err(format!("no frame end in {MAX_FRAME} bytes")))
                } else if end.is_none() || frame.is_empty() {
                    // Not ended yet, or a run of 0x00 between frames.
                    None
                } else {
                    let decoded = table.decode_rzcobs(frame);
                    frame.clear();
                    Some(decoded)
                }
            };
            match outcome {
                Some(Ok(line)) => self.line(line, emit),
                Some(Err(reason)) => self.bad_frame(reason, emit),
                None => {}
            }
        }
    }

    fn feed_raw(&mut self, bytes: &[u8], emit: &mut dyn FnMut(Body)) {
        let State::Raw { table, pending } = &mut self.state else {
            return;
        };
        pending.extend_from_slice(bytes);
        let table = Arc::clone(table);
        loop {
            let State::Raw { pending, .. } = &mut self.state else {
                return;
            };
            let failed = match table.decode_raw(pending) {
                Ok(Some((line, consumed))) => {
                    pending.drain(..consumed);
                    self.line(line, emit);
                    continue;
                }
                Ok(None) if pending.len() <= MAX_FRAME => return,
                Ok(None) => format!("no frame end in {MAX_FRAME} bytes"),
                Err(reason) => reason,
            };
            // Raw frames have no end marker: after a bad one there is no telling where the next
            // starts, so the rest of the channel is counted, not decoded.
            self.counts.undecodable += 1;
            self.state = State::NotDecoded {
                reason: format!(
                    "its defmt frames are not framed (the firmware uses defmt's raw encoding), so decoding cannot resynchronise after a frame that could not be decoded ({failed}); use defmt's default rzcobs encoding"
                ),
                warned: false,
            };
            self.not_decoded(emit);
            return;
        }
    }

    fn not_decoded(&mut self, emit: &mut dyn FnMut(Body)) {
        if let State::NotDecoded { reason, warned } = &mut self.state {
            self.counts.not_decoded = true;
            if !std::mem::replace(warned, true) {
                emit(Body::Warning(Box::new(Warning::NotDecoded {
                    channel: self.label.clone(),
                    reason: reason.clone(),
                })));
            }
        }
    }
}

impl Decoder for DefmtDecoder {
    fn feed(&mut self, bytes: &[u8], emit: &mut dyn FnMut(Body)) {
        if bytes.is_empty() {
            return;
        }
        self.counts.bytes += bytes.len() as u64;
        match self.state {
            State::NotDecoded { .. } => self.not_decoded(emit),
            State::Rzcobs { .. } => self.feed_rzcobs(bytes, emit),
            State::Raw { .. } => self.feed_raw(bytes, emit),
        }
    }

    fn finish(&mut self, emit: &mut dyn FnMut(Body)) {
        // A frame without its end is a frame the target had not finished sending: say so, it
        // is the one line that did not make it.
        let unfinished = match &mut self.state {
            State::Rzcobs {
                frame, skipping, ..
            } => {
                let cut = !frame.is_empty() && !*skipping;
                frame.clear();
                cut
            }
            State::Raw { pending, .. } => !std::mem::take(pending).is_empty(),
            State::NotDecoded { .. } => false,
        };
        if unfinished {
            self.first = false;
            self.bad_frame("the stream ended inside it".to_owned(), emit);
        }
    }

    fn lines(&self) -> Option<LineCounts> {
        Some(self.counts)
    }
}

thread_local! {
    /// Set while [`guarded`] runs on this thread: the panic hook then stays quiet.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic into `Err(its message)`.
///
/// `defmt-decoder` panics on some malformed frames and tables (see the module documentation);
/// a log channel must never take the telemetry beside it down, so every call into it goes
/// through here. The first call installs a panic hook that stays quiet while `f` runs on this
/// thread (so a caught panic prints nothing on stderr) and hands every other panic to the hook
/// that was there before.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|quiet| quiet.replace(true));
    // The closures given here only read the table and the frame, and build new values: a
    // panic half-way leaves nothing of ours half-changed.
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|quiet| quiet.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_and_the_hook_is_restored() {
        assert_eq!(guarded(|| 7), Ok(7));
        assert_eq!(
            guarded(|| -> u8 { panic!("table is odd") }),
            Err("table is odd".to_owned())
        );
        assert!(!QUIET.with(Cell::get));
    }

    #[test]
    fn rzcobs_as_defmt_writes_it() {
        // defmt's own encoder's examples.
        let cases: &[(&[u8], &[u8])] = &[
            (&[0x00], &[0x7f]),
            (&[0x01], &[0x01, 0x7e]),
            (&[0x00, 0x01], &[0x01, 0x7d]),
            (
                &[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x00],
                &[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x40],
            ),
            (
                &[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77],
                &[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x80],
            ),
        ];
        for (plain, encoded) in cases {
            let decoded = rzcobs_decode(encoded).unwrap();
            assert!(
                decoded.starts_with(plain),
                "{encoded:02x?} -> {decoded:02x?}"
            );
            assert!(
                decoded[plain.len()..].iter().all(|&b| b == 0),
                "{decoded:02x?}"
            );
        }
        let long: Vec<u8> = (1..=134).collect();
        let mut encoded = long.clone();
        encoded.push(0xff);
        assert_eq!(rzcobs_decode(&encoded).unwrap(), long);
        assert_eq!(rzcobs_decode(&[0x01]), None, "a byte missing");
        assert_eq!(rzcobs_decode(&[0x05, 0x00, 0x7f]), None, "a 0x00 inside");
    }

    #[test]
    fn damaged_elf_is_invalid_not_a_panic() {
        let mut elf = b"\x7fELF".to_vec();
        elf.extend_from_slice(&[0xff; 60]);
        match DefmtTable::parse(&elf, "fw.elf") {
            Err(TableError::Invalid { name, reason }) => {
                assert_eq!(name, "fw.elf");
                assert!(!reason.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn version_mismatch_is_named() {
        let err = anyhow::anyhow!(
            "defmt wire format version mismatch: firmware is using 9, this tool supports 3, 4\nsuggestion: install a newer version"
        );
        assert_eq!(
            table_error("fw.elf".into(), &err).to_string(),
            "the defmt table of fw.elf is version 9, this ph-tap reads 3, 4: build the firmware with a defmt this ph-tap reads, or use a ph-tap that reads version 9"
        );
    }
}

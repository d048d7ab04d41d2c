//! The host side's first stage: a streaming decoder that turns bytes, fed in chunks of any size,
//! into [`Frame`]s, skipping and counting whatever is corrupt.
//!
//! It never allocates: a frame is assembled in a fixed buffer of `MAX` bytes, and a longer one is
//! skipped up to the next delimiter and counted as oversized.

use crate::cobs::{CobsState, Step};
use crate::frame::{Frame, FrameError, parse_frame};

/// The default frame limit of [`FrameDecoder`] (decoded bytes per frame).
pub const DEFAULT_MAX_FRAME: usize = 1024;

/// Counts of what the decoder has seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecoderStats {
    /// Bytes fed in.
    pub bytes: u64,
    /// Frames decoded and handed out.
    pub frames: u64,
    /// Frames whose checksum did not match.
    pub checksum_errors: u64,
    /// Frames with broken COBS, too short, or unparsable fields.
    pub malformed: u64,
    /// Frames longer than the limit (skipped).
    pub oversized: u64,
    /// Control frames of an unknown kind or hellos of an unknown version (skipped).
    pub unsupported: u64,
    /// Bytes skipped before the first frame boundary (the reader joined mid-frame).
    pub leading_garbage_bytes: u64,
}

impl DecoderStats {
    /// All frames rejected as damaged: checksum errors, malformed and oversized frames.
    pub const fn corrupt(&self) -> u64 {
        self.checksum_errors + self.malformed + self.oversized
    }

    fn count(&mut self, err: &FrameError) {
        match err {
            FrameError::LeadingGarbage { len } => self.leading_garbage_bytes += *len as u64,
            FrameError::Checksum => self.checksum_errors += 1,
            FrameError::Cobs
            | FrameError::TooShort
            | FrameError::Malformed
            | FrameError::BadMagic => self.malformed += 1,
            FrameError::Oversized { .. } => self.oversized += 1,
            FrameError::UnsupportedVersion(_) | FrameError::UnknownKind(_) => self.unsupported += 1,
        }
    }
}

/// Streaming frame decoder with a `MAX`-byte frame limit.
///
/// Feed it bytes as they arrive; it calls you back once per complete frame (or per rejected
/// one, so a tool can show it). It resynchronises at every `0x00`, so it can start mid-stream.
///
/// ```
/// use ph_eventing_wire::decoder::FrameDecoder;
/// use ph_eventing_wire::encode::{encode_data, DataFields};
/// use ph_eventing_wire::frame::Frame;
///
/// let mut stream = Vec::new();
/// let mut buf = [0u8; 32];
/// for seq in 1..=3u32 {
///     let fields = DataFields::contiguous(seq, 0);
///     stream.extend_from_slice(encode_data(9, &fields, &(seq * 10), &mut buf).unwrap());
/// }
/// let mut decoder = FrameDecoder::<256>::new();
/// let mut seqs = Vec::new();
/// for byte in stream.chunks(1) {
///     decoder.feed(byte, |frame| {
///         if let Ok(Frame::Data(d)) = frame {
///             seqs.push(d.seq);
///         }
///     });
/// }
/// assert_eq!(seqs, [1, 2, 3]);
/// assert_eq!(decoder.stats().frames, 3);
/// ```
#[derive(Clone, Debug)]
pub struct FrameDecoder<const MAX: usize = DEFAULT_MAX_FRAME> {
    buf: [u8; MAX],
    len: usize,
    /// Encoded bytes of the current frame (for the oversized report).
    seen: usize,
    cobs: CobsState,
    /// The current frame outgrew the buffer: drop bytes up to the delimiter.
    overflowed: bool,
    /// No delimiter seen yet: the first frame may be a fragment.
    synced: bool,
    stats: DecoderStats,
}

impl<const MAX: usize> Default for FrameDecoder<MAX> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const MAX: usize> FrameDecoder<MAX> {
    /// A decoder that has seen nothing yet.
    pub const fn new() -> Self {
        Self {
            buf: [0; MAX],
            len: 0,
            seen: 0,
            cobs: CobsState::new(),
            overflowed: false,
            synced: false,
            stats: DecoderStats {
                bytes: 0,
                frames: 0,
                checksum_errors: 0,
                malformed: 0,
                oversized: 0,
                unsupported: 0,
                leading_garbage_bytes: 0,
            },
        }
    }

    /// What has been decoded and rejected so far.
    pub const fn stats(&self) -> &DecoderStats {
        &self.stats
    }

    /// Decodes `bytes`, calling `on_frame` for every frame completed by them: `Ok` for a good
    /// frame, `Err` for one that was rejected (already counted in [`stats`](Self::stats)).
    ///
    /// A partial frame at the end of `bytes` is kept for the next call.
    pub fn feed<F>(&mut self, bytes: &[u8], mut on_frame: F)
    where
        F: FnMut(Result<Frame<'_>, FrameError>),
    {
        self.stats.bytes += bytes.len() as u64;
        let mut i = 0;
        while i < bytes.len() {
            let run = self.cobs.run_len();
            if run == 0 {
                // A COBS code byte, or the delimiter.
                let byte = bytes[i];
                i += 1;
                if byte == 0 {
                    self.end_frame(&mut on_frame);
                } else {
                    self.seen += 1;
                    if self.cobs.push(byte) == Step::Zero {
                        self.store_zero();
                    }
                }
                continue;
            }
            // Up to `run` data bytes of the current block, copied in a tight loop.
            let chunk = &bytes[i..bytes.len().min(i + run)];
            let room = if self.overflowed { 0 } else { MAX - self.len };
            let limit = chunk.len().min(room);
            let mut k = 0;
            while k < limit {
                let b = chunk[k];
                if b == 0 {
                    break;
                }
                self.buf[self.len + k] = b;
                k += 1;
            }
            self.len += k;
            if k == limit && k < chunk.len() {
                // Out of room: skip the rest of the block up to a delimiter.
                let extra = chunk[k..]
                    .iter()
                    .position(|&b| b == 0)
                    .unwrap_or(chunk.len() - k);
                self.overflowed |= extra > 0;
                k += extra;
            }
            self.seen += k;
            self.cobs.consume_run(k);
            i += k;
            if k < chunk.len() {
                // A 0x00 inside a block: the frame ends early (reported as broken COBS).
                i += 1;
                self.end_frame(&mut on_frame);
            }
        }
    }

    /// Stores the `0x00` a COBS block implies.
    #[inline]
    fn store_zero(&mut self) {
        if self.overflowed || self.len == MAX {
            self.overflowed = true;
            return;
        }
        self.buf[self.len] = 0;
        self.len += 1;
    }

    fn end_frame<F>(&mut self, on_frame: &mut F)
    where
        F: FnMut(Result<Frame<'_>, FrameError>),
    {
        let seen = self.seen;
        let len = self.len;
        let overflowed = self.overflowed;
        let cobs_ok = self.cobs.finish();
        let first = !self.synced;
        self.synced = true;
        self.seen = 0;
        self.len = 0;
        self.overflowed = false;
        if seen == 0 {
            return; // Empty frame: back-to-back delimiters are allowed padding.
        }
        let result = if overflowed {
            Err(FrameError::Oversized { len: seen })
        } else if !cobs_ok {
            Err(FrameError::Cobs)
        } else {
            parse_frame(&self.buf[..len])
        };
        let result = match result {
            Err(_) if first => Err(FrameError::LeadingGarbage { len: seen }),
            other => other,
        };
        match &result {
            Ok(_) => self.stats.frames += 1,
            Err(e) => self.stats.count(e),
        }
        on_frame(result);
    }
}

/// Removes the COBS layer of one encoded frame (with or without its `0x00`) into `out`; returns
/// the decoded length. For tests and one-off tools; streams go through [`FrameDecoder`].
pub fn decode_one(encoded: &[u8], out: &mut [u8]) -> Result<usize, FrameError> {
    let encoded = encoded.strip_suffix(&[0]).unwrap_or(encoded);
    let mut cobs = CobsState::default();
    let mut len = 0;
    for &byte in encoded {
        if byte == 0 {
            return Err(FrameError::Cobs);
        }
        let b = match cobs.push(byte) {
            Step::None => continue,
            Step::One(b) => b,
            Step::Zero => 0,
        };
        *out.get_mut(len)
            .ok_or(FrameError::Oversized { len: encoded.len() })? = b;
        len += 1;
    }
    if cobs.finish() {
        Ok(len)
    } else {
        Err(FrameError::Cobs)
    }
}

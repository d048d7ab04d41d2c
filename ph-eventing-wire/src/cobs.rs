//! COBS (Consistent Overhead Byte Stuffing): removes every `0x00` from a frame so `0x00` can
//! delimit frames, at a cost of one byte per started 254 bytes.
//!
//! The encoder works in place (no second buffer on the firmware); the decoder is a byte-at-a-time
//! state machine so a stream can be fed in chunks of any size.

/// The most bytes COBS adds to a frame of `raw_len` bytes (not counting the `0x00` delimiter).
///
/// ```
/// use ph_eventing_wire::cobs::max_overhead;
/// assert_eq!(max_overhead(0), 1);
/// assert_eq!(max_overhead(253), 1);
/// assert_eq!(max_overhead(254), 2);
/// ```
pub const fn max_overhead(raw_len: usize) -> usize {
    1 + raw_len / 254
}

/// COBS-encodes `buf[src..src + len]` into `buf[0..]`, in place, and returns the encoded length.
///
/// Requires `src >= max_overhead(len)` (then every write lands on a byte already read) and
/// `src + len <= buf.len()`; returns `None` otherwise.
pub(crate) fn encode_in_place(buf: &mut [u8], src: usize, len: usize) -> Option<usize> {
    if src < max_overhead(len) || src.checked_add(len)? > buf.len() {
        return None;
    }
    let mut code_pos = 0;
    let mut out = 1;
    let mut code: u8 = 1;
    for i in src..src + len {
        let b = buf[i];
        if b == 0 {
            buf[code_pos] = code;
            code_pos = out;
            out += 1;
            code = 1;
        } else {
            buf[out] = b;
            out += 1;
            code += 1;
            if code == 0xFF {
                buf[code_pos] = code;
                code_pos = out;
                out += 1;
                code = 1;
            }
        }
    }
    buf[code_pos] = code;
    Some(out)
}

/// What [`CobsState::push`] made of one (non-delimiter) byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Nothing to store (a code byte with no pending zero).
    None,
    /// Store this byte.
    One(u8),
    /// Store a `0x00`, then this code byte produced nothing more.
    Zero,
}

/// Streaming COBS decoder state for one frame.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CobsState {
    /// Data bytes left in the current block (0: the next byte is a code byte).
    remaining: u8,
    /// The previous block ended with an implied `0x00` (its code was below `0xFF`).
    zero_pending: bool,
}

impl CobsState {
    /// State at the start of a frame.
    pub(crate) const fn new() -> Self {
        Self {
            remaining: 0,
            zero_pending: false,
        }
    }

    /// Decodes one non-zero byte of a frame.
    #[inline]
    pub(crate) fn push(&mut self, byte: u8) -> Step {
        if self.remaining == 0 {
            let zero = self.zero_pending;
            self.remaining = byte - 1;
            self.zero_pending = byte != 0xFF;
            if zero { Step::Zero } else { Step::None }
        } else {
            self.remaining -= 1;
            Step::One(byte)
        }
    }

    /// Data bytes left in the current block: that many bytes can be copied as they are (unless a
    /// `0x00` ends the frame early).
    #[inline]
    pub(crate) const fn run_len(&self) -> usize {
        self.remaining as usize
    }

    /// Accounts `n <= run_len()` data bytes copied in bulk.
    #[inline]
    pub(crate) fn consume_run(&mut self, n: usize) {
        debug_assert!(n <= self.remaining as usize);
        self.remaining = self.remaining.wrapping_sub(n as u8);
    }

    /// At the delimiter: `true` if the frame ended on a block boundary (well-formed).
    #[inline]
    pub(crate) fn finish(&mut self) -> bool {
        let ok = self.remaining == 0;
        *self = Self::default();
        ok
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn enc(raw: &[u8]) -> Vec<u8> {
        let off = max_overhead(raw.len());
        let mut buf = std::vec![0u8; off + raw.len()];
        buf[off..].copy_from_slice(raw);
        let n = encode_in_place(&mut buf, off, raw.len()).unwrap();
        buf.truncate(n);
        buf
    }

    fn dec(encoded: &[u8]) -> Option<Vec<u8>> {
        let mut st = CobsState::default();
        let mut out = Vec::new();
        for &b in encoded {
            assert_ne!(b, 0, "encoded data must not contain 0x00");
            match st.push(b) {
                Step::None => {}
                Step::One(x) => out.push(x),
                Step::Zero => out.push(0),
            }
        }
        st.finish().then_some(out)
    }

    #[test]
    fn known_vectors() {
        // Examples from the COBS paper / Wikipedia.
        assert_eq!(enc(&[]), [0x01]);
        assert_eq!(enc(&[0x00]), [0x01, 0x01]);
        assert_eq!(enc(&[0x00, 0x00]), [0x01, 0x01, 0x01]);
        assert_eq!(
            enc(&[0x11, 0x22, 0x00, 0x33]),
            [0x03, 0x11, 0x22, 0x02, 0x33]
        );
        assert_eq!(
            enc(&[0x11, 0x00, 0x00, 0x00]),
            [0x02, 0x11, 0x01, 0x01, 0x01]
        );
        let run: Vec<u8> = (1..=254).collect();
        let mut want = std::vec![0xFF];
        want.extend(&run);
        want.push(0x01);
        assert_eq!(enc(&run), want);
    }

    #[test]
    fn roundtrip_lengths_and_zero_patterns() {
        for len in 0..700usize {
            for pattern in 0..4u8 {
                let raw: Vec<u8> = (0..len)
                    .map(|i| match pattern {
                        0 => 0,
                        1 => (i % 251) as u8 + 1,
                        2 => (i % 7) as u8,
                        _ => (i.wrapping_mul(31) % 256) as u8,
                    })
                    .collect();
                let e = enc(&raw);
                assert!(e.len() <= raw.len() + max_overhead(raw.len()));
                assert_eq!(
                    dec(&e).as_deref(),
                    Some(&raw[..]),
                    "len {len} pattern {pattern}"
                );
            }
        }
    }

    #[test]
    fn rejects_bad_offsets_and_truncation() {
        let mut buf = [0u8; 4];
        assert_eq!(encode_in_place(&mut buf, 0, 2), None);
        assert_eq!(encode_in_place(&mut buf, 1, 4), None);
        assert_eq!(dec(&[0x03, 0x11]), None);
    }
}

//! GDB remote-serial-protocol packets on the wire: `$payload#cs` framing with its modulo-256
//! checksum, `}` escapes, `*` run-length encoding, and the hex the payloads are written in.
//!
//! Pure functions: [`rsp`](super::rsp) moves the bytes, this module says what they mean.

/// Why a packet body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// `}` as the last byte: the escaped byte is missing.
    DanglingEscape,
    /// `*` with no byte before it to repeat.
    RunWithoutByte,
    /// `*` as the last byte: the count is missing.
    RunWithoutCount,
    /// A run count below the smallest the protocol allows (`' '`, 3 repeats).
    BadRunCount(u8),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::DanglingEscape => f.write_str("it ends in the middle of an escape"),
            Self::RunWithoutByte => f.write_str("a run-length mark has nothing to repeat"),
            Self::RunWithoutCount => f.write_str("a run-length mark has no count"),
            Self::BadRunCount(c) => write!(f, "run-length count {c:#04x} is out of range"),
        }
    }
}

/// The checksum of a packet: the sum of its body bytes (as sent, escapes included) modulo 256.
///
/// ```
/// # use ph_tap::probe::gdb::packet::checksum;
/// assert_eq!(checksum(b"OK"), 0x9a);
/// ```
pub fn checksum(body: &[u8]) -> u8 {
    body.iter().fold(0u8, |sum, &b| sum.wrapping_add(b))
}

/// `payload` framed for sending: `$`, the payload with `$ # } *` escaped, `#`, the checksum.
///
/// ```
/// # use ph_tap::probe::gdb::packet::frame;
/// assert_eq!(frame(b"m20000000,4"), b"$m20000000,4#4f");
/// assert_eq!(frame(b"X0,1:#"), b"$X0,1:}\x03#9f");
/// ```
pub fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 4);
    out.push(b'$');
    for &b in payload {
        if matches!(b, b'$' | b'#' | b'}' | b'*') {
            out.extend_from_slice(&[b'}', b ^ 0x20]);
        } else {
            out.push(b);
        }
    }
    let sum = checksum(&out[1..]);
    out.push(b'#');
    out.extend_from_slice(format!("{sum:02x}").as_bytes());
    out
}

/// A received packet body (between `$` and `#`) with its escapes and run-length encoding
/// undone: `X*N` is `X` followed by `N - 29` more copies of `X`.
///
/// ```
/// # use ph_tap::probe::gdb::packet::decode_body;
/// assert_eq!(decode_body(b"0* ").unwrap(), b"0000");
/// assert_eq!(decode_body(b"a}]b").unwrap(), b"a}b");
/// ```
pub fn decode_body(raw: &[u8]) -> Result<Vec<u8>, BodyError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.iter().copied();
    while let Some(b) = bytes.next() {
        match b {
            b'}' => out.push(bytes.next().ok_or(BodyError::DanglingEscape)? ^ 0x20),
            b'*' => {
                let &last = out.last().ok_or(BodyError::RunWithoutByte)?;
                let count = bytes.next().ok_or(BodyError::RunWithoutCount)?;
                if !(b' '..=b'~').contains(&count) {
                    return Err(BodyError::BadRunCount(count));
                }
                out.extend(std::iter::repeat_n(last, usize::from(count - 29)));
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// `bytes` as lower-case hex, two digits a byte, in order.
///
/// ```
/// # use ph_tap::probe::gdb::packet::to_hex;
/// assert_eq!(to_hex(&[0x01, 0xab]), "01ab");
/// ```
pub fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Hex (either case) back to bytes; `None` for an odd length or a non-hex digit.
///
/// ```
/// # use ph_tap::probe::gdb::packet::from_hex;
/// assert_eq!(from_hex(b"01aB"), Some(vec![0x01, 0xab]));
/// assert_eq!(from_hex(b"0"), None);
/// ```
pub fn from_hex(text: &[u8]) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks_exact(2)
        .map(|pair| Some(hex_digit(pair[0])? << 4 | hex_digit(pair[1])?))
        .collect()
}

/// One hex digit's value.
pub fn hex_digit(c: u8) -> Option<u8> {
    char::from(c).to_digit(16).map(|d| d as u8)
}

/// The code of an `E NN` error reply (exactly `E` and two hex digits), else `None`.
///
/// ```
/// # use ph_tap::probe::gdb::packet::error_code;
/// assert_eq!(error_code(b"E14"), Some(0x14));
/// assert_eq!(error_code(b"e1400000"), None);
/// ```
pub fn error_code(reply: &[u8]) -> Option<u8> {
    match reply {
        [b'E', hi, lo] => Some(hex_digit(*hi)? << 4 | hex_digit(*lo)?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_then_decode_round_trips_every_byte() {
        let payload: Vec<u8> = (0..=255u8).collect();
        let framed = frame(&payload);
        let body = &framed[1..framed.len() - 3];
        assert_eq!(framed[framed.len() - 3], b'#');
        let sum = from_hex(&framed[framed.len() - 2..]).unwrap()[0];
        assert_eq!(sum, checksum(body));
        assert!(!body.contains(&b'$') && !body.contains(&b'#'));
        assert_eq!(decode_body(body).unwrap(), payload);
    }

    #[test]
    fn run_length_counts_follow_the_protocol() {
        // ' ' (32) is 3 more copies, '~' (126) is 97 more.
        assert_eq!(decode_body(b"x* ").unwrap(), b"xxxx");
        assert_eq!(decode_body(b"ab*~c").unwrap().len(), 1 + 1 + 97 + 1);
        // An escaped byte can be repeated too.
        assert_eq!(decode_body(b"}]* ").unwrap(), b"}}}}");
    }

    #[test]
    fn broken_bodies_are_errors() {
        assert_eq!(decode_body(b"ab}"), Err(BodyError::DanglingEscape));
        assert_eq!(decode_body(b"* "), Err(BodyError::RunWithoutByte));
        assert_eq!(decode_body(b"a*"), Err(BodyError::RunWithoutCount));
        assert_eq!(decode_body(b"a*\x05"), Err(BodyError::BadRunCount(5)));
    }

    #[test]
    fn hex_rejects_non_hex() {
        assert_eq!(from_hex(b"zz"), None);
        assert_eq!(from_hex(b""), Some(vec![]));
        assert_eq!(error_code(b"E0"), None);
        assert_eq!(error_code(b"Exx"), None);
        assert_eq!(error_code(b"E01"), Some(1));
    }
}

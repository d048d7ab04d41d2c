//! LEB128 varints for `u32` header fields (the same encoding postcard uses).

/// Longest varint for a `u32`.
pub const VARINT_MAX: usize = 5;

/// Writes `v` at the start of `out`; returns the bytes used, or `None` if `out` is too short.
#[inline]
pub(crate) fn write_u32(mut v: u32, out: &mut [u8]) -> Option<usize> {
    let mut i = 0;
    loop {
        let byte = (v & 0x7F) as u8;
        v >>= 7;
        let slot = out.get_mut(i)?;
        i += 1;
        if v == 0 {
            *slot = byte;
            return Some(i);
        }
        *slot = byte | 0x80;
    }
}

/// Reads a `u32` varint from the start of `bytes`; returns it and the rest. `None` if it is
/// truncated, longer than 5 bytes, or does not fit a `u32`.
#[inline]
pub(crate) fn read_u32(bytes: &[u8]) -> Option<(u32, &[u8])> {
    let mut v: u32 = 0;
    for (i, &b) in bytes.iter().enumerate().take(VARINT_MAX) {
        if i == VARINT_MAX - 1 && b > 0x0F {
            return None;
        }
        v |= u32::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, &bytes[i + 1..]));
        }
    }
    None
}

/// Bytes the varint of a `usize` takes (postcard writes lengths as `usize` varints).
pub(crate) const fn len_usize(mut v: usize) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// Bytes the varint of `v` takes.
pub const fn len_u32(v: u32) -> usize {
    match v {
        0..0x80 => 1,
        0x80..0x4000 => 2,
        0x4000..0x20_0000 => 3,
        0x20_0000..0x1000_0000 => 4,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_lengths() {
        for v in [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            2_097_151,
            2_097_152,
            u32::MAX - 1,
            u32::MAX,
        ] {
            let mut buf = [0u8; 5];
            let n = write_u32(v, &mut buf).unwrap();
            assert_eq!(n, len_u32(v));
            assert_eq!(n, len_usize(v as usize));
            assert_eq!(read_u32(&buf[..n]), Some((v, &[][..])));
            assert_eq!(postcard::to_slice(&v, &mut [0u8; 5]).unwrap(), &buf[..n]);
        }
    }

    #[test]
    fn rejects_truncated_and_overlong() {
        assert_eq!(read_u32(&[0x80]), None);
        assert_eq!(read_u32(&[0xFF, 0xFF, 0xFF, 0xFF, 0x1F]), None);
        assert_eq!(read_u32(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), None);
        assert_eq!(write_u32(300, &mut [0u8; 1]), None);
    }
}

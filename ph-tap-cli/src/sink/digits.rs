//! Integers in decimal, written straight into a sink's line buffer: the room taken with one
//! fixed-size copy and the digits stored in place, two at a time. No formatting buffer of its
//! own copied over (a `memmove` call per number, whose wide loads of digits just stored one
//! pair at a time also wait for those stores), for the two or three numbers of every line.

/// The digit pairs `00` to `99`.
const PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// The most digits a `u64` has.
const MAX_DIGITS: usize = 20;

/// `10^i`, for `i` in `0..20`.
const POW10: [u64; 20] = {
    let mut p = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// How many decimal digits `v` has: `log10` from its bit length (`1233 / 4096` is just above
/// `log10(2)`), then one comparison, with no division.
pub(crate) fn decimal_len(v: u64) -> usize {
    let bits = (u64::BITS - (v | 1).leading_zeros()) as usize;
    let guess = (bits * 1233) >> 12;
    (guess + usize::from(v >= POW10[guess])).max(1)
}

/// Appends `v` in decimal to `out`, as `Display` writes it.
#[inline]
pub(crate) fn push_u64(out: &mut Vec<u8>, v: u64) {
    let start = out.len();
    let n = decimal_len(v);
    out.extend_from_slice(&[b'0'; MAX_DIGITS]);
    out.truncate(start + n);
    let digits = &mut out[start..];
    // Most numbers (sequence numbers, a `u32` value) fit in 32 bits, where dividing by 100
    // is a 64-bit multiplication instead of a 128-bit one: a shorter chain for each pair.
    match u32::try_from(v) {
        Ok(small) => write_pairs_u32(digits, small),
        Err(_) => write_pairs_u64(digits, v),
    }
}

/// Writes the digits of `v` into `digits`, exactly as long as `v` has digits.
#[inline]
fn write_pairs_u32(digits: &mut [u8], v: u32) {
    let mut end = digits.len();
    let mut rest = v;
    while rest >= 100 {
        let pair = (rest % 100) as usize * 2;
        rest /= 100;
        digits[end - 2..end].copy_from_slice(&PAIRS[pair..pair + 2]);
        end -= 2;
    }
    write_last(digits, rest as usize);
}

/// [`write_pairs_u32`] for any `u64`.
fn write_pairs_u64(digits: &mut [u8], v: u64) {
    let mut end = digits.len();
    let mut rest = v;
    while rest >= 100 {
        let pair = (rest % 100) as usize * 2;
        rest /= 100;
        digits[end - 2..end].copy_from_slice(&PAIRS[pair..pair + 2]);
        end -= 2;
    }
    write_last(digits, rest as usize);
}

/// The first one or two digits, `rest` being below 100.
#[inline]
fn write_last(digits: &mut [u8], rest: usize) {
    if rest >= 10 {
        let pair = rest * 2;
        digits[..2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        digits[0] = b'0' + rest as u8;
    }
}

/// Appends `v` in decimal to `out`, as `Display` writes it.
pub(crate) fn push_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_u64(out, v.unsigned_abs());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_display_writes() {
        let mut unsigned: Vec<u64> = vec![0, 1, 9, 10, 99, 100, 101, 999, 1000, u64::MAX];
        unsigned.extend((0..=20).map(|p| 10u64.saturating_pow(p)));
        unsigned.extend((1..=20).map(|p| 10u64.saturating_pow(p) - 1));
        for v in unsigned {
            let mut out = b"x".to_vec();
            push_u64(&mut out, v);
            assert_eq!(out, format!("x{v}").into_bytes());
            assert_eq!(decimal_len(v), v.to_string().len());
        }
        // And a spread of others, every length.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for v in [x, x >> (x % 64)] {
                let mut out = Vec::new();
                push_u64(&mut out, v);
                assert_eq!(out, v.to_string().into_bytes());
            }
        }
        for v in [0, -1, -9, -10, 12345, -12345, i64::MIN, i64::MAX] {
            let mut out = Vec::new();
            push_i64(&mut out, v);
            assert_eq!(out, v.to_string().into_bytes());
        }
    }
}

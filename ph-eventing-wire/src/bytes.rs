//! [`ValueBytes`]: a value's postcard bytes, kept without a heap allocation when they are few
//! (as most values' are), in a record that crosses threads.

use alloc::boxed::Box;
use core::fmt;
use core::ops::Deref;

/// How many bytes a [`ValueBytes`] keeps inline (more go on the heap).
pub const INLINE_VALUE_BYTES: usize = 22;

/// A value's postcard bytes, owned: inline up to [`INLINE_VALUE_BYTES`] bytes, on the heap
/// beyond. It derefs to `[u8]`, and is as large as a `Vec<u8>`.
///
/// ```
/// use ph_eventing_wire::bytes::ValueBytes;
/// let small = ValueBytes::from(&[0xAC, 0x02][..]);
/// assert_eq!(&*small, &[0xAC, 0x02]);
/// assert!(small.is_inline());
/// let large = ValueBytes::from(&[7u8; 100][..]);
/// assert_eq!(large.len(), 100);
/// assert!(!large.is_inline());
/// assert_eq!(core::mem::size_of::<ValueBytes>(), core::mem::size_of::<Vec<u8>>());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ValueBytes(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Inline {
        len: u8,
        bytes: [u8; INLINE_VALUE_BYTES],
    },
    Heap(Box<[u8]>),
}

impl ValueBytes {
    /// No bytes.
    pub const fn new() -> Self {
        Self(Repr::Inline {
            len: 0,
            bytes: [0; INLINE_VALUE_BYTES],
        })
    }

    /// The bytes are kept inline (no heap allocation).
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Repr::Heap(bytes) => bytes,
        }
    }
}

impl Default for ValueBytes {
    fn default() -> Self {
        Self::new()
    }
}

impl From<&[u8]> for ValueBytes {
    #[inline]
    fn from(slice: &[u8]) -> Self {
        if slice.len() <= INLINE_VALUE_BYTES {
            Self(Repr::Inline {
                // At most INLINE_VALUE_BYTES, which fits.
                len: slice.len() as u8,
                bytes: inline_bytes(slice),
            })
        } else {
            Self(Repr::Heap(slice.into()))
        }
    }
}

/// `src`, at most [`INLINE_VALUE_BYTES`] long, zero-padded to the inline array: each 8-byte
/// piece gathered in a register from single-byte loads, then stored at a fixed offset. In a
/// decoder's hot loop that keeps the record it ends up in out of memory until its one store
/// (no `memcpy` of a length known only at run time, and no wide load of bytes just stored
/// one by one, which the CPU cannot forward and waits for).
#[inline]
fn inline_bytes(src: &[u8]) -> [u8; INLINE_VALUE_BYTES] {
    let (first, rest) = src.split_at(src.len().min(8));
    let (second, third) = rest.split_at(rest.len().min(8));
    let mut bytes = [0; INLINE_VALUE_BYTES];
    bytes[..8].copy_from_slice(&le_word(first).to_le_bytes());
    bytes[8..16].copy_from_slice(&le_word(second).to_le_bytes());
    bytes[16..].copy_from_slice(&le_word(third).to_le_bytes()[..INLINE_VALUE_BYTES - 16]);
    bytes
}

/// Up to 8 bytes as a little-endian word, zero above them.
#[inline]
fn le_word(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .take(8)
        .enumerate()
        .fold(0, |word, (i, &b)| word | u64::from(b) << (8 * i))
}

impl From<alloc::vec::Vec<u8>> for ValueBytes {
    fn from(vec: alloc::vec::Vec<u8>) -> Self {
        if vec.len() <= INLINE_VALUE_BYTES {
            Self::from(&vec[..])
        } else {
            Self(Repr::Heap(vec.into_boxed_slice()))
        }
    }
}

impl Deref for ValueBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for ValueBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq<[u8]> for ValueBytes {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl<const N: usize> PartialEq<[u8; N]> for ValueBytes {
    fn eq(&self, other: &[u8; N]) -> bool {
        self.as_slice() == other
    }
}

/// As the slice of its bytes.
impl fmt::Debug for ValueBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_slice().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_up_to_the_limit_heap_beyond_same_bytes_either_way() {
        let lengths = (0..=INLINE_VALUE_BYTES + 1).chain([4096]);
        for len in lengths {
            let data: alloc::vec::Vec<u8> = (0..len).map(|i| i as u8).collect();
            let a = ValueBytes::from(&data[..]);
            let b = ValueBytes::from(data.clone());
            assert_eq!(&*a, &data[..]);
            assert_eq!(a, b);
            assert_eq!(a.is_inline(), len <= INLINE_VALUE_BYTES);
            assert_eq!(b.is_inline(), len <= INLINE_VALUE_BYTES);
            assert_eq!(alloc::format!("{a:?}"), alloc::format!("{data:?}"));
        }
    }

    /// A design property the records rely on: the bytes take no more room than a `Vec` did.
    #[test]
    fn as_small_as_a_vec() {
        assert_eq!(
            core::mem::size_of::<ValueBytes>(),
            core::mem::size_of::<alloc::vec::Vec<u8>>()
        );
    }
}

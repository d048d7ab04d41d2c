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
    Inline { len: u8, bytes: Inline },
    Heap(Box<[u8]>),
}

/// The inline bytes, as three fields that are each written with one store when a record is
/// built (a single array is put together on the stack first and then copied, with loads wider
/// than the stores that built it, which wait for them); `repr(C)` and no padding, so they are
/// [`INLINE_VALUE_BYTES`] contiguous bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct Inline {
    head: [u8; 6],
    middle: [u8; 8],
    tail: [u8; 8],
}

const _: () = assert!(core::mem::size_of::<Inline>() == INLINE_VALUE_BYTES);

impl ValueBytes {
    /// No bytes.
    pub const fn new() -> Self {
        Self(Repr::Inline {
            len: 0,
            bytes: Inline {
                head: [0; 6],
                middle: [0; 8],
                tail: [0; 8],
            },
        })
    }

    /// The bytes are kept inline (no heap allocation).
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytemuck::bytes_of(bytes)[..usize::from(*len)],
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

/// `src`, at most [`INLINE_VALUE_BYTES`] long, zero-padded to the inline bytes: each piece
/// gathered in a register from single-byte loads, then stored once, at its place in the record
/// (no `memcpy` of a length known only at run time, and no wide load of bytes just stored in
/// pieces, which the CPU cannot forward and waits for).
#[inline]
fn inline_bytes(src: &[u8]) -> Inline {
    let (head, rest) = src.split_at(src.len().min(6));
    let (middle, tail) = rest.split_at(rest.len().min(8));
    let [h0, h1, h2, h3, h4, h5, ..] = le_word(head).to_le_bytes();
    Inline {
        head: [h0, h1, h2, h3, h4, h5],
        middle: le_word(middle).to_le_bytes(),
        tail: le_word(tail).to_le_bytes(),
    }
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

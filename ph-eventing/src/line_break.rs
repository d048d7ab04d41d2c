//! [`LineBreak`]: keeps the producer's and the consumer's fields on separate cache lines.

/// A zero-sized field whose alignment makes the next field of a `repr(C)` struct start a new
/// cache line on targets whose cores have private caches, so that the producer's fields (written
/// on every push) and the consumer's (written on every read) never share a line. Without it each
/// side's writes keep evicting the other's line (false sharing). 128 bytes where adjacent-line
/// prefetch pairs lines (x86_64, aarch64, powerpc64, as `crossbeam-utils` pads), 64 on other
/// hosted targets, and 1 (no effect) on bare-metal targets (`target_os = "none"`): one core shares
/// nothing with itself, and there the ring and the queue stay as small as they can be.
#[cfg_attr(
    any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "arm64ec",
        target_arch = "powerpc64"
    ),
    repr(align(128))
)]
#[cfg_attr(
    not(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "arm64ec",
        target_arch = "powerpc64",
        target_os = "none"
    )),
    repr(align(64))
)]
pub(crate) struct LineBreak;

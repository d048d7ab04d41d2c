//! The atomics and the interior-mutability cell the ring is built from.
//!
//! Three back ends, chosen at compile time:
//! - `core::sync::atomic` (default; needs compare-and-swap, e.g. `thumbv7em`),
//! - `portable-atomic` (feature `portable-atomic`; for `thumbv6m` and other targets without CAS),
//! - `loom` (`RUSTFLAGS="--cfg loom"`; model checking of the concurrent protocol).
//!
//! [`Cell`] wraps an `UnsafeCell` behind the closure API that `loom` needs, so that `loom` checks
//! every access to the ring's buffers for data races.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU32};

#[cfg(all(not(loom), feature = "portable-atomic"))]
pub(crate) use portable_atomic::{AtomicBool, AtomicU32};

#[cfg(all(not(loom), not(feature = "portable-atomic")))]
pub(crate) use core::sync::atomic::{AtomicBool, AtomicU32};

pub(crate) use core::sync::atomic::Ordering;

/// The word-size atomic a slot's words are accessed through (plain memory viewed as atomics
/// with `from_ptr`; the same on every target, as only its loads and stores are used).
#[cfg(not(loom))]
pub(crate) use core::sync::atomic::AtomicUsize;
#[cfg(loom)]
pub(crate) use loom::sync::atomic::AtomicUsize;

#[cfg(not(loom))]
pub(crate) use core::sync::atomic::fence;
#[cfg(loom)]
pub(crate) use loom::sync::atomic::fence;

/// The fences of the [`SeqRing`](crate::SeqRing)'s stamp protocol: a hardware fence, or only a
/// compiler fence where the user promised a single core (feature `unsafe-assume-single-core`).
///
/// On one core, an interrupt handler and the code it interrupted observe each other's memory
/// accesses in program order (as a signal handler and its thread do), so only the compiler's
/// reordering has to be prevented.
#[inline(always)]
pub(crate) fn stamp_fence(order: Ordering) {
    #[cfg(all(feature = "unsafe-assume-single-core", not(loom)))]
    core::sync::atomic::compiler_fence(order);
    #[cfg(not(all(feature = "unsafe-assume-single-core", not(loom))))]
    fence(order);
}

/// An `UnsafeCell` whose accesses go through closures (so that `loom` can track them).
#[derive(Debug)]
pub(crate) struct Cell<T> {
    #[cfg(loom)]
    inner: loom::cell::UnsafeCell<T>,
    #[cfg(not(loom))]
    inner: core::cell::UnsafeCell<T>,
}

impl<T> Cell<T> {
    #[cfg(not(loom))]
    pub(crate) const fn new(value: T) -> Self {
        Self {
            inner: core::cell::UnsafeCell::new(value),
        }
    }

    #[cfg(loom)]
    pub(crate) fn new(value: T) -> Self {
        Self {
            inner: loom::cell::UnsafeCell::new(value),
        }
    }

    /// A raw pointer to the contents, for state whose exclusivity comes from elsewhere (the
    /// single live handle) and that is used across atomic operations: `loom` does not track
    /// accesses through it (it stops exploring interleavings inside `with_mut`).
    #[inline(always)]
    pub(crate) fn as_ptr(&self) -> *mut T {
        #[cfg(loom)]
        return self.inner.with_mut(|p| p);
        #[cfg(not(loom))]
        return self.inner.get();
    }

    /// Runs `f` with a shared pointer to the contents.
    ///
    /// The caller must not let `f` create a reference that outlives the access it owns.
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        #[cfg(loom)]
        return self.inner.with(f);
        #[cfg(not(loom))]
        return f(self.inner.get());
    }

    /// Runs `f` with an exclusive pointer to the contents.
    #[inline(always)]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        #[cfg(loom)]
        return self.inner.with_mut(f);
        #[cfg(not(loom))]
        return f(self.inner.get());
    }
}

/// An acquire load of a machine word (`head`, or word 0 of a slot with its stamp) made of a
/// relaxed load and [`stamp_fence`]: the same as `load(Acquire)` on a multi-core target, and a
/// plain load behind a compiler fence where the user promised one core.
#[inline(always)]
pub(crate) fn load_word_acquire(atomic: &AtomicUsize) -> usize {
    let value = atomic.load(Ordering::Relaxed);
    stamp_fence(Ordering::Acquire);
    value
}

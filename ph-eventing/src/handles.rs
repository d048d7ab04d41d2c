//! Taking a container's producer or consumer handle: at most one of each is alive at a time.
//! The rings' handle methods are written once here ([`ring_handle_methods`]).

use crate::sync::{AtomicBool, Ordering};

/// Sets a handle flag; `true` if it was clear. `Acquire` pairs with the `Release` in the
/// previous handle's drop, so the new handle sees everything the old one did.
pub(crate) fn take_flag(flag: &AtomicBool) -> bool {
    flag.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_ok()
}

/// The handle methods the two rings share word for word (`capacity`, `producer`, `consumer`,
/// `try_producer`, `try_consumer` and the handles' release), written once: expands inside
/// `impl<T, const N: usize> $ring<T, N>` (or `$ring<T, N, L>`, the layout's parameter named as a
/// fourth argument), for a ring with fields `producer_taken`, `consumer_taken` and
/// `consumer_state.dropped`, and handles with fields `ring` and `_not_sync`.
macro_rules! ring_handle_methods {
    ($ring:ident, $producer:ident, $consumer:ident $(, $layout:ident)?) => {
        /// How many items the ring holds before the producer starts overwriting: `N`.
        ///
        /// ```
        #[doc = concat!(" assert_eq!(ph_eventing::", stringify!($ring), "::<u64, 7>::new().capacity(), 7);")]
        /// ```
        pub const fn capacity(&self) -> usize {
            N
        }

        /// Takes the producer handle.
        ///
        /// # Panics
        ///
        /// If a producer handle of this ring is alive. Use [`try_producer`](Self::try_producer) to
        /// get `None` instead.
        ///
        /// ```
        #[doc = concat!(" let ring = ph_eventing::", stringify!($ring), "::<u32, 8>::new();")]
        /// let producer = ring.producer();
        /// producer.push(7);
        /// drop(producer);
        /// let again = ring.producer(); // fine once the first one is gone
        /// assert_eq!(again.push(8), 2);
        /// ```
        #[track_caller]
        pub fn producer(&self) -> $producer<'_, T, N $(, $layout)?> {
            match self.try_producer() {
                Some(p) => p,
                None => panic!(concat!(stringify!($ring), "::producer: a producer handle is already live")),
            }
        }

        /// Takes the consumer handle.
        ///
        /// # Panics
        ///
        /// If a consumer handle of this ring is alive. Use [`try_consumer`](Self::try_consumer) to
        /// get `None` instead.
        ///
        /// ```
        #[doc = concat!(" let ring = ph_eventing::", stringify!($ring), "::<u32, 8>::new();")]
        /// let consumer = ring.consumer();
        /// assert_eq!(consumer.latest(), None);
        /// ```
        #[track_caller]
        pub fn consumer(&self) -> $consumer<'_, T, N $(, $layout)?> {
            match self.try_consumer() {
                Some(c) => c,
                None => panic!(concat!(stringify!($ring), "::consumer: a consumer handle is already live")),
            }
        }

        /// Takes the producer handle, or returns `None` if one is alive.
        ///
        /// ```
        #[doc = concat!(" let ring = ph_eventing::", stringify!($ring), "::<u32, 8>::new();")]
        /// let first = ring.try_producer();
        /// assert!(first.is_some());
        /// assert!(ring.try_producer().is_none());
        /// ```
        pub fn try_producer(&self) -> Option<$producer<'_, T, N $(, $layout)?>> {
            // The flag was just taken: this is the one live producer handle, and the `Acquire`
            // in `take_flag` ordered it after the previous handle's last access.
            $crate::handles::take_flag(&self.producer_taken).then(|| $producer::taken(self))
        }

        /// Takes the consumer handle, or returns `None` if one is alive.
        ///
        /// ```
        #[doc = concat!(" let ring = ph_eventing::", stringify!($ring), "::<u32, 8>::new();")]
        /// let first = ring.try_consumer();
        /// assert!(ring.try_consumer().is_none());
        /// drop(first);
        /// assert!(ring.try_consumer().is_some());
        /// ```
        pub fn try_consumer(&self) -> Option<$consumer<'_, T, N $(, $layout)?>> {
            $crate::handles::take_flag(&self.consumer_taken).then(|| {
                // SAFETY: the flag was just taken, so no other handle touches the consumer
                // state, and the `Acquire` in `take_flag` ordered this after the previous
                // handle's last access.
                unsafe { (*self.consumer_state.as_ptr()).dropped = 0 };
                $consumer::taken(self)
            })
        }

        pub(crate) fn release_producer(&self) {
            self.producer_taken.store(false, $crate::sync::Ordering::Release);
        }

        pub(crate) fn release_consumer(&self) {
            self.consumer_taken.store(false, $crate::sync::Ordering::Release);
        }
    };
}

pub(crate) use ring_handle_methods;

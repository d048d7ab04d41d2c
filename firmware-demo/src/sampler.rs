//! The producer side: a `static` ring filled from the SysTick interrupt.

use core::sync::atomic::{AtomicU8, AtomicU32, Ordering};

use cortex_m::peripheral::{SCB, SYST, syst::SystClkSource};
use cortex_m_rt::exception;
use ph_eventing::SeqRing;

use crate::config::{RING_CAPACITY, SAMPLE_HZ};
use crate::telemetry::{Event, Sample};

/// The ring between the SysTick handler (producer) and the main loop (consumer).
pub static RING: SeqRing<Event, RING_CAPACITY> = SeqRing::new();

/// SysTick interrupts since boot.
static TICKS: AtomicU32 = AtomicU32::new(0);
/// Samples pushed since boot.
static SAMPLES: AtomicU32 = AtomicU32::new(0);
/// Samples to push per tick (more than 1 during a burst).
static PER_TICK: AtomicU8 = AtomicU8::new(1);

/// Microseconds between two ticks.
pub const TICK_US: u32 = 1_000_000 / SAMPLE_HZ;

/// Starts sampling at [`SAMPLE_HZ`] with SysTick clocked by the core at `core_hz`.
pub fn start(syst: &mut SYST, core_hz: u32) {
    let reload = core_hz / SAMPLE_HZ - 1;
    assert!(
        reload < (1 << 24),
        "SysTick cannot count that slowly: raise SAMPLE_HZ"
    );
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(reload);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

/// Stops sampling; when it returns the SysTick handler is not running and will not run again until
/// [`start`], so the main loop may take the ring's producer.
pub fn stop(syst: &mut SYST) {
    syst.disable_interrupt();
    syst.disable_counter();
    // A tick that fired just before the interrupt was disabled may still be pending.
    SCB::clear_pendst();
}

/// Sets how many samples each tick pushes.
pub fn set_samples_per_tick(n: u8) {
    PER_TICK.store(n, Ordering::Relaxed);
}

/// SysTick interrupts since boot.
pub fn ticks() -> u32 {
    TICKS.load(Ordering::Relaxed)
}

/// Microseconds of sampling since boot: [`ticks`] × [`TICK_US`] (the clock of the samples'
/// `timestamp_us`, without its 32-bit wrap). The log lines' timestamp.
#[cfg_attr(not(feature = "rtt"), allow(dead_code))]
pub fn micros() -> u64 {
    u64::from(ticks()) * u64::from(TICK_US)
}

/// Samples pushed since boot.
pub fn samples() -> u32 {
    SAMPLES.load(Ordering::Relaxed)
}

#[exception]
fn SysTick() {
    // Only this handler writes TICKS and SAMPLES, and it does not preempt itself: a plain
    // load + store is enough (and exists on thumbv6m, which has no atomic read-modify-write).
    let tick = TICKS.load(Ordering::Relaxed).wrapping_add(1);
    TICKS.store(tick, Ordering::Relaxed);
    let producer = RING.producer();
    let mut counter = SAMPLES.load(Ordering::Relaxed);
    for _ in 0..PER_TICK.load(Ordering::Relaxed) {
        counter = counter.wrapping_add(1);
        producer.push(Event::Sample(Sample::new(counter, tick, TICK_US)));
    }
    SAMPLES.store(counter, Ordering::Relaxed);
}

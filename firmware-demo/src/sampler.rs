//! The producer side: three `static` sources filled from the SysTick interrupt — the fast
//! `samples` ring, the slow `housekeeping` ring and the lossless `events` queue.

use core::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, Ordering};

use cortex_m::peripheral::{SCB, SYST, syst::SystClkSource};
use cortex_m_rt::exception;
use ph_eventing::{EventQueue, SwapRing};

use crate::config::{
    EVENTS_CAPACITY, HOUSEKEEPING_CAPACITY, HOUSEKEEPING_EVERY_TICKS, OVERFLOW_EVERY_TICKS,
    RING_CAPACITY, SAMPLE_HZ,
};
use crate::telemetry::{Event, Housekeeping, Sample, StateEvent, fake_supply};

/// The `samples` ring between the SysTick handler (producer) and the main loop (consumer).
///
/// Both rings are `SwapRing`s: [`Event`] is an enum and [`Housekeeping`] has padding, and a
/// `SeqRing` copies its values as machine words, so it takes plain data without padding only.
pub static RING: SwapRing<Event, RING_CAPACITY> = SwapRing::new();

/// The `housekeeping` ring: one value every [`HOUSEKEEPING_EVERY_TICKS`].
pub static HOUSEKEEPING: SwapRing<Housekeeping, HOUSEKEEPING_CAPACITY> = SwapRing::new();

/// The lossless `events` queue: phase changes and overflow warnings.
pub static EVENTS: EventQueue<StateEvent, EVENTS_CAPACITY> = EventQueue::new();

/// SysTick interrupts since boot.
static TICKS: AtomicU32 = AtomicU32::new(0);
/// Samples pushed since boot.
static SAMPLES: AtomicU32 = AtomicU32::new(0);
/// Samples to push per tick (more than 1 during a burst).
static PER_TICK: AtomicU8 = AtomicU8::new(1);
/// Housekeeping values pushed since boot.
static HOUSEKEEPING_PUSHED: AtomicU32 = AtomicU32::new(0);
/// Events raised since boot (queued or refused).
static EVENTS_RAISED: AtomicU32 = AtomicU32::new(0);
/// The phase the main loop is in (1-based; 0 before the first), and the one the handler last
/// raised an event for.
static PHASE: AtomicU8 = AtomicU8::new(0);
static PHASE_RAISED: AtomicU8 = AtomicU8::new(0);
/// The current phase overflows the `samples` ring (slow drain, burst).
static OVERFLOWING: AtomicBool = AtomicBool::new(false);

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

/// Housekeeping values pushed since boot.
pub fn housekeeping_pushed() -> u32 {
    HOUSEKEEPING_PUSHED.load(Ordering::Relaxed)
}

/// Events raised since boot, refused ones included ([`EventQueue::refused`] counts those).
pub fn events_raised() -> u32 {
    EVENTS_RAISED.load(Ordering::Relaxed)
}

/// Tells the handler that the main loop entered phase `index` (1-based), and whether the phase
/// overflows the `samples` ring: the handler raises a `PhaseStarted` event at its next tick,
/// and `Overflow` warnings during such a phase.
pub fn set_phase(index: u8, overflowing: bool) {
    OVERFLOWING.store(overflowing, Ordering::Relaxed);
    PHASE.store(index, Ordering::Relaxed);
}

/// Raises the event `make` builds from its counter on the `events` queue (from the handler
/// only: the queue's one producer).
fn raise(make: impl FnOnce(u32) -> StateEvent) {
    let counter = EVENTS_RAISED.load(Ordering::Relaxed).wrapping_add(1);
    EVENTS_RAISED.store(counter, Ordering::Relaxed);
    // A full queue hands the event back and counts the refusal; the host sees it as REFUSED.
    let _ = EVENTS.producer().push(make(counter));
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
    // Only this handler writes these counters, as above.
    let phase = PHASE.load(Ordering::Relaxed);
    if phase != PHASE_RAISED.load(Ordering::Relaxed) {
        PHASE_RAISED.store(phase, Ordering::Relaxed);
        raise(|counter| StateEvent::PhaseStarted {
            counter,
            index: phase,
        });
    }
    if OVERFLOWING.load(Ordering::Relaxed) && tick.is_multiple_of(OVERFLOW_EVERY_TICKS) {
        let samples = counter;
        raise(|counter| StateEvent::Overflow { counter, samples });
    }
    if tick.is_multiple_of(HOUSEKEEPING_EVERY_TICKS) {
        let n = HOUSEKEEPING_PUSHED.load(Ordering::Relaxed).wrapping_add(1);
        HOUSEKEEPING_PUSHED.store(n, Ordering::Relaxed);
        HOUSEKEEPING.producer().push(Housekeeping {
            counter: n,
            uptime_ms: tick.wrapping_mul(TICK_US) / 1000,
            supply_mv: fake_supply(n),
        });
    }
}

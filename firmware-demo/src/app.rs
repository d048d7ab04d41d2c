//! The shared application: run the demo cycle (see [`config::PHASES`]) on any [`Board`].
//!
//! The SysTick handler pushes samples into [`sampler::RING`], a housekeeping value into
//! [`sampler::HOUSEKEEPING`] every 100 ticks, and raises phase changes and overflow warnings on
//! the lossless [`sampler::EVENTS`] queue. This main loop drains the three as three streams of
//! one link ([`WireLink`]: the queue first, then the rings in turn), each item a frame (and each
//! stream's hello at boot and every [`config::HELLO_EVERY_FRAMES`] of its frames) for the
//! board's link. At the end of each cycle sampling pauses, the streams are drained, and a
//! [`Summary`] with the firmware's own counts, per stream, goes out as the last item of the
//! `samples` stream, so the host can check it saw exactly what the firmware sent.
//!
//! On the RTT builds it also logs (defmt, see [`crate::log`]) its boot, each phase of the cycle,
//! and each summary, with a warning for the drops the firmware counted during the cycle: about
//! eight lines per cycle.

use cortex_m::peripheral::SYST;
use ph_eventing::{QueueConsumer, SwapConsumer};
use ph_eventing_wire::drain::link::{Link as WireLink, Stream};
use ph_eventing_wire::drain::{DrainReport, Drainer};
use ph_eventing_wire::encode::DEFAULT_ANCHOR_EVERY;
use ph_eventing_wire::frame::FORMAT_VERSION;
use ph_eventing_wire::stream::{StreamDesc, StreamKind};

use crate::board::Board;
use crate::config::{
    self, DRAIN_BATCH, EVENTS_CAPACITY, HOUSEKEEPING_CAPACITY, Phase, PhaseKind, RING_CAPACITY,
};
use crate::link::Link;
use crate::log::{info, warn};
use crate::sampler::{self, EVENTS, HOUSEKEEPING, RING};
use crate::telemetry::{Event, Housekeeping, StateEvent, StreamCounts, Summary};

/// The link's streams: ids, names and kinds, as their hellos announce them.
const SAMPLES: StreamDesc = StreamDesc::new(0, "samples").of(3);
const HOUSEKEEPING_STREAM: StreamDesc = StreamDesc::new(1, "housekeeping").of(3);
const EVENTS_STREAM: StreamDesc = StreamDesc::new(2, "events")
    .with_kind(StreamKind::Queue)
    .of(3);

/// Frame buffer size: fits every stream's data frames and hellos.
const FRAME_BUF: usize = {
    let sizes = [
        Drainer::buffer_needed::<Event>(),
        Drainer::buffer_needed::<Housekeeping>(),
        Drainer::buffer_needed::<StateEvent>(),
    ];
    let (mut max, mut k) = (0, 0);
    while k < sizes.len() {
        if sizes[k] > max {
            max = sizes[k];
        }
        k += 1;
    }
    max
};

/// The demo's main-loop state.
pub struct App<B: Board> {
    board: B,
    syst: SYST,
    samples: Stream<SwapConsumer<'static, Event, RING_CAPACITY>>,
    housekeeping: Stream<SwapConsumer<'static, Housekeeping, HOUSEKEEPING_CAPACITY>>,
    events: Stream<QueueConsumer<'static, StateEvent, EVENTS_CAPACITY>>,
    wire: WireLink,
    buf: [u8; FRAME_BUF],
    /// Counts for the next summary (`delivered` counts every item read, summaries included, until
    /// [`push_summary`](Self::push_summary) subtracts them).
    totals: Summary,
    /// Summaries pushed so far.
    summaries: u32,
    /// The last summary pushed (its drops are the baseline for the next cycle's warnings).
    last: Summary,
}

impl<B: Board> App<B> {
    /// Takes the consumers of the three streams; `boot_id` must differ from one boot to the
    /// next.
    pub fn new(board: B, syst: SYST, boot_id: u32) -> Self {
        let drainer = |desc, anchor_every| {
            Drainer::new(boot_id)
                .with_stream(desc)
                .with_hello_every(config::HELLO_EVERY_FRAMES)
                .with_anchor_every(anchor_every)
        };
        info!(
            "firmware-demo {=str} on {=str}: boot id {=u32:#010x}, wire format v{=u8}",
            env!("CARGO_PKG_VERSION"),
            board.name(),
            boot_id,
            FORMAT_VERSION
        );
        Self {
            board,
            syst,
            // The slow streams send full frames only (a few bytes more, a few times a second):
            // a frame damaged on the link, of any stream, then never holds theirs back until
            // their next full frame, seconds later (WIRE.md, section 7.4).
            samples: Stream::new(RING.consumer(), drainer(SAMPLES, DEFAULT_ANCHOR_EVERY)),
            housekeeping: Stream::new(HOUSEKEEPING.consumer(), drainer(HOUSEKEEPING_STREAM, 1)),
            events: Stream::new(EVENTS.consumer(), drainer(EVENTS_STREAM, 1)),
            wire: WireLink::new(),
            buf: [0; FRAME_BUF],
            totals: Summary::default(),
            summaries: 0,
            last: Summary::default(),
        }
    }

    /// Runs demo cycles until the board says stop (the QEMU boards exit after the first).
    pub fn run(mut self) -> ! {
        #[cfg(feature = "panic-after-boot")]
        self.panic_after_boot();
        loop {
            self.cycle();
            self.board.cycle_done();
        }
    }

    /// One demo cycle: every phase, then a pause in sampling for the summary.
    fn cycle(&mut self) {
        let cycle = self.summaries + 1;
        sampler::start(&mut self.syst, B::CORE_HZ);
        for (index, phase) in config::PHASES.into_iter().enumerate() {
            log_phase(cycle, index + 1, phase);
            let overflowing = !matches!(phase.kind, PhaseKind::Normal);
            sampler::set_phase(index as u8 + 1, overflowing);
            self.run_phase(phase);
        }
        sampler::stop(&mut self.syst);
        self.drain_all();
        self.push_summary();
        self.drain_all();
    }

    fn run_phase(&mut self, phase: Phase) {
        let start = sampler::ticks();
        let running = || sampler::ticks().wrapping_sub(start) < phase.ticks;
        match phase.kind {
            PhaseKind::Normal | PhaseKind::Burst { .. } => {
                let per_tick = match phase.kind {
                    PhaseKind::Burst { per_tick } => per_tick,
                    _ => 1,
                };
                sampler::set_samples_per_tick(per_tick);
                while running() {
                    self.drain_all();
                    // Sleep until the next tick (a tick between the check and here only delays
                    // the drain by one tick).
                    cortex_m::asm::wfi();
                }
                sampler::set_samples_per_tick(1);
            }
            PhaseKind::SlowDrain { every_ticks } => {
                while running() {
                    self.drain(1);
                    wait_ticks(every_ticks);
                }
            }
        }
    }

    /// Drains until every stream is empty.
    fn drain_all(&mut self) {
        while self.drain(DRAIN_BATCH).stats.read > 0 {}
    }

    /// Drains up to `max` items of all streams to the link, counting what happened per stream.
    fn drain(&mut self, max: usize) -> DrainReport {
        let link = self.board.link();
        let report = self
            .wire
            // Each call is one whole frame. The drainers need to know whether the link took it:
            // after a frame the link dropped, the stream's next data frame must be a full one
            // (WIRE.md, section 4), so the host sees a link loss on that stream.
            .drain(
                &mut [&mut self.samples, &mut self.housekeeping, &mut self.events],
                max,
                &mut self.buf,
                |frame| link.send_frame(frame),
            )
            .expect("FRAME_BUF fits every stream's frames");
        let t = &mut self.totals;
        let samples = self.samples.last_report();
        t.link_skipped = t.link_skipped.wrapping_add(samples.refused);
        t.hellos_sent = t.hellos_sent.wrapping_add(samples.hellos);
        t.delivered = t.delivered.wrapping_add(samples.stats.read);
        t.ring_dropped = t.ring_dropped.wrapping_add(samples.stats.dropped);
        add(&mut t.housekeeping, self.housekeeping.last_report());
        add(&mut t.events, self.events.last_report());
        report
    }

    /// Pushes the cycle's summary through the ring, behind every sample. Sampling must be
    /// stopped (the interrupt owns the producer otherwise) and the ring drained.
    fn push_summary(&mut self) {
        let summary = Summary {
            samples: sampler::samples(),
            delivered: self.totals.delivered.wrapping_sub(self.summaries),
            housekeeping: StreamCounts {
                pushed: sampler::housekeeping_pushed(),
                ..self.totals.housekeeping
            },
            events: StreamCounts {
                pushed: sampler::events_raised(),
                // The queue's own count of the pushes it turned away (all of them: sampling
                // is stopped, and the drain before this read everything it queued).
                dropped: EVENTS.refused(),
                ..self.totals.events
            },
            ..self.totals
        };
        RING.producer().push(Event::Summary(summary));
        self.summaries += 1;
        let cycle = self.summaries;
        info!("cycle {=u32} summary: {}", cycle, summary);
        let ring_dropped = summary.ring_dropped.wrapping_sub(self.last.ring_dropped);
        if ring_dropped > 0 {
            warn!(
                "cycle {=u32}: the ring overwrote {=u32} samples before the main loop read them",
                cycle, ring_dropped
            );
        }
        let refused = summary
            .events
            .dropped
            .wrapping_sub(self.last.events.dropped);
        if refused > 0 {
            warn!(
                "cycle {=u32}: the events queue was full and refused {=u32} events",
                cycle, refused
            );
        }
        // Frames of all three streams.
        let refused_by_link = |s: &Summary| {
            s.link_skipped
                .wrapping_add(s.housekeeping.link_skipped)
                .wrapping_add(s.events.link_skipped)
        };
        let link_skipped = refused_by_link(&summary).wrapping_sub(refused_by_link(&self.last));
        if link_skipped > 0 {
            warn!(
                "cycle {=u32}: the link refused {=u32} frames (RTT buffer full: the host reads too slowly)",
                cycle, link_skipped
            );
        }
        self.last = summary;
    }

    /// Sends the boot hello, then panics (feature `panic-after-boot`, for the host tests of
    /// `ph-tap run`): the host has learnt the stream and seen the boot log lines when the panic
    /// message and the HardFault come.
    #[cfg(feature = "panic-after-boot")]
    fn panic_after_boot(&mut self) {
        // A drain of nothing sends every stream's boot hello.
        let report = self.drain(0);
        info!(
            "boot hellos sent: {=u32} of {=u32} written whole; now panicking, as feature panic-after-boot asks",
            report.hellos - report.refused,
            report.hellos
        );
        panic!("demo panic requested by the panic-after-boot feature");
    }
}

/// Adds what one drain of a stream read and lost to its counts.
fn add(counts: &mut StreamCounts, report: &DrainReport) {
    counts.delivered = counts.delivered.wrapping_add(report.stats.read);
    counts.dropped = counts.dropped.wrapping_add(report.stats.dropped);
    counts.link_skipped = counts.link_skipped.wrapping_add(report.refused);
    counts.hellos_sent = counts.hellos_sent.wrapping_add(report.hellos);
}

/// Logs the start of phase `index` (1-based) of demo cycle `cycle`.
fn log_phase(cycle: u32, index: usize, phase: Phase) {
    let of = config::PHASES.len();
    match phase.kind {
        PhaseKind::Normal => info!(
            "cycle {=u32} phase {=usize}/{=usize}: normal, {=u32} ticks",
            cycle, index, of, phase.ticks
        ),
        PhaseKind::SlowDrain { every_ticks } => info!(
            "cycle {=u32} phase {=usize}/{=usize}: slow drain (one read every {=u32} ticks), {=u32} ticks",
            cycle, index, of, every_ticks, phase.ticks
        ),
        PhaseKind::Burst { per_tick } => info!(
            "cycle {=u32} phase {=usize}/{=usize}: burst ({=u8} samples per tick), {=u32} ticks",
            cycle, index, of, per_tick, phase.ticks
        ),
    }
}

/// Sleeps through `n` sampler ticks.
fn wait_ticks(n: u32) {
    let start = sampler::ticks();
    while sampler::ticks().wrapping_sub(start) < n {
        cortex_m::asm::wfi();
    }
}

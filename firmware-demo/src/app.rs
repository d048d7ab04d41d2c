//! The shared application: run the demo cycle (see [`config::PHASES`]) on any [`Board`].
//!
//! The SysTick handler pushes samples into [`sampler::RING`]; this main loop drains them with
//! `poll_up_to` through a [`Drainer`], which encodes each item as a frame (and a hello at boot and
//! every [`config::HELLO_EVERY_FRAMES`] frames) for the board's link. At the end of each cycle
//! sampling pauses, the ring is drained, and a [`Summary`] with the firmware's own counts goes out
//! as the last item, so the host can check it saw exactly what the firmware sent.
//!
//! On the RTT builds it also logs (defmt, see [`crate::log`]) its boot, each phase of the cycle,
//! and each summary, with a warning for the drops the firmware counted during the cycle: about
//! eight lines per cycle.

use cortex_m::peripheral::SYST;
use ph_eventing::Consumer;
use ph_eventing_wire::drain::{DrainReport, Drainer};
use ph_eventing_wire::encode::{max_frame_len, max_hello_len};
use ph_eventing_wire::frame::FORMAT_VERSION;

use crate::board::Board;
use crate::config::{self, DRAIN_BATCH, Phase, PhaseKind, RING_CAPACITY};
use crate::link::Link;
use crate::log::{info, warn};
use crate::sampler::{self, RING};
use crate::telemetry::{Event, Summary};

/// Frame buffer size: fits `Event`'s data frames and its hello (checked at start-up).
const FRAME_BUF: usize = 256;

/// The demo's main-loop state.
pub struct App<B: Board> {
    board: B,
    syst: SYST,
    consumer: Consumer<'static, Event, RING_CAPACITY>,
    drainer: Drainer,
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
    /// Takes the ring's consumer; `boot_id` must differ from one boot to the next.
    pub fn new(board: B, syst: SYST, boot_id: u32) -> Self {
        assert!(
            max_frame_len::<Event>() <= FRAME_BUF && max_hello_len::<Event>() <= FRAME_BUF,
            "FRAME_BUF is too small for Event's frames"
        );
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
            consumer: RING.consumer(),
            drainer: Drainer::new(boot_id).with_hello_every(config::HELLO_EVERY_FRAMES),
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

    /// Drains until the ring is empty.
    fn drain_all(&mut self) {
        while self.drain(DRAIN_BATCH).stats.read > 0 {}
    }

    /// Drains up to `max` items to the link, counting what happened.
    fn drain(&mut self, max: usize) -> DrainReport {
        let link = self.board.link();
        let report = self
            .drainer
            // Each call is one whole frame. The drainer needs to know whether the link took it:
            // after a frame the link dropped, the next data frame must be a full one (wire
            // format v2), so the host sees a link loss.
            .drain(&mut self.consumer, max, &mut self.buf, |frame| {
                link.send_frame(frame)
            })
            .expect("FRAME_BUF fits every frame (checked in App::new)");
        self.totals.link_skipped = self.totals.link_skipped.wrapping_add(report.refused);
        self.totals.delivered = self.totals.delivered.wrapping_add(report.stats.read);
        self.totals.ring_dropped = self.totals.ring_dropped.wrapping_add(report.stats.dropped);
        self.totals.hellos_sent = self.totals.hellos_sent.wrapping_add(report.hellos);
        report
    }

    /// Pushes the cycle's summary through the ring, behind every sample. Sampling must be
    /// stopped (the interrupt owns the producer otherwise) and the ring drained.
    fn push_summary(&mut self) {
        let summary = Summary {
            samples: sampler::samples(),
            delivered: self.totals.delivered.wrapping_sub(self.summaries),
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
        let link_skipped = summary.link_skipped.wrapping_sub(self.last.link_skipped);
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
        let link = self.board.link();
        let (_, written) = self
            .drainer
            .hello::<Event, _>(&mut self.buf, |frame| link.send_frame(frame))
            .expect("FRAME_BUF fits the hello (checked in App::new)");
        self.totals.hellos_sent += u32::from(written);
        info!(
            "boot hello sent (written whole: {=bool}); now panicking, as feature panic-after-boot asks",
            written
        );
        panic!("demo panic requested by the panic-after-boot feature");
    }
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

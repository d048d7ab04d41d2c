//! The shared application: run the demo cycle (see [`config::PHASES`]) on any [`Board`].
//!
//! The SysTick handler pushes samples into [`sampler::RING`]; this main loop drains them with
//! `poll_up_to` through a [`Drainer`], which encodes each item as a frame (and a hello at boot and
//! every [`config::HELLO_EVERY_FRAMES`] frames) for the board's link. At the end of each cycle
//! sampling pauses, the ring is drained, and a [`Summary`] with the firmware's own counts goes out
//! as the last item, so the host can check it saw exactly what the firmware sent.

use cortex_m::peripheral::SYST;
use ph_eventing::Consumer;
use ph_eventing_wire::drain::{DrainReport, Drainer};
use ph_eventing_wire::encode::{max_frame_len, max_hello_len};

use crate::board::Board;
use crate::config::{self, DRAIN_BATCH, Phase, PhaseKind, RING_CAPACITY};
use crate::link::Link;
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
}

impl<B: Board> App<B> {
    /// Takes the ring's consumer; `boot_id` must differ from one boot to the next.
    pub fn new(board: B, syst: SYST, boot_id: u32) -> Self {
        assert!(
            max_frame_len::<Event>() <= FRAME_BUF && max_hello_len::<Event>() <= FRAME_BUF,
            "FRAME_BUF is too small for Event's frames"
        );
        Self {
            board,
            syst,
            consumer: RING.consumer(),
            drainer: Drainer::new(boot_id).with_hello_every(config::HELLO_EVERY_FRAMES),
            buf: [0; FRAME_BUF],
            totals: Summary::default(),
            summaries: 0,
        }
    }

    /// Runs demo cycles until the board says stop (the QEMU boards exit after the first).
    pub fn run(mut self) -> ! {
        loop {
            self.cycle();
            self.board.cycle_done();
        }
    }

    /// One demo cycle: every phase, then a pause in sampling for the summary.
    fn cycle(&mut self) {
        sampler::start(&mut self.syst, B::CORE_HZ);
        for phase in config::PHASES {
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
    }
}

/// Sleeps through `n` sampler ticks.
fn wait_ticks(n: u32) {
    let start = sampler::ticks();
    while sampler::ticks().wrapping_sub(start) < n {
        cortex_m::asm::wfi();
    }
}

//! `ph-tap demo`: a simulated target with the real `ph-eventing` ring and the real wire
//! encoder, a fast bursty producer, a lagging consumer and a lossy link, feeding the same
//! decode and display path as a probe. Deterministic for a given `--seed`.
//!
//! The simulation runs producer, consumer and link in one thread on a seeded schedule (one
//! "tick" at a time), so the output is identical on every run and machine; the ring, the
//! drainer and the frames are the real ones a firmware uses.

mod link;
mod rng;
mod sample;
mod threaded;

pub use link::LinkFaults;
pub use threaded::ThreadedDemo;

use std::time::Duration;

use anyhow::{Result, anyhow};
use ph_eventing::{Consumer, Producer, SeqRing};
use ph_eventing_wire::drain::Drainer;
use ph_eventing_wire::encode::{max_frame_len, max_hello_len};

use crate::source::{Poll, Source};
use link::LossyLink;
use rng::Rng;
use sample::Reading;

/// Capacity of the simulated target's ring (small, so bursts overrun it).
pub const RING_CAPACITY: usize = 32;
/// Most items the simulated consumer drains per tick.
const DRAIN_PER_TICK: usize = 3;

/// What the simulation does.
#[derive(Clone, Debug)]
pub struct DemoConfig {
    /// Values the producer pushes in total (over all boots).
    pub count: u32,
    /// Seed of every random choice.
    pub seed: u64,
    /// Producer bursts that overrun the ring (ring drops) now and then.
    pub bursts: bool,
    /// Faults of the link.
    pub link: LinkFaults,
    /// Reset the simulated target after this many values (the new boot starts at seq 1).
    pub reset_after: Option<u32>,
    /// The first boot's first sequence number (near `u32::MAX` to show the wrap).
    pub first_seq: u32,
    /// Real time between ticks (zero: as fast as possible).
    pub tick: Duration,
}

impl Default for DemoConfig {
    /// The newcomer's demo: every kind of event within a few hundred values.
    fn default() -> Self {
        Self {
            count: 400,
            seed: 1,
            bursts: true,
            link: LinkFaults {
                lose_per_mille: 15,
                damage_per_mille: 10,
            },
            reset_after: Some(300),
            first_seq: u32::MAX - 99,
            tick: Duration::from_millis(10),
        }
    }
}

/// One boot of the simulated target: its ring and its sender.
struct Boot {
    producer: Producer<'static, Reading, RING_CAPACITY>,
    consumer: Consumer<'static, Reading, RING_CAPACITY>,
    drainer: Drainer,
}

impl Boot {
    fn new(boot_id: u32, first_seq: u32) -> Self {
        // One small ring per simulated boot, alive for the rest of the process like a
        // firmware's `static` ring (a demo has one or two boots).
        let ring: &'static SeqRing<Reading, RING_CAPACITY> =
            Box::leak(Box::new(SeqRing::starting_at(first_seq)));
        Self {
            producer: ring.producer(),
            consumer: ring.consumer(),
            drainer: Drainer::new(boot_id)
                .with_first_seq(first_seq)
                .with_hello_every(100),
        }
    }
}

/// The simulated target as a [`Source`].
pub struct DemoSource {
    config: DemoConfig,
    rng: Rng,
    link: LossyLink,
    boot: Boot,
    pushed: u32,
    reset_done: bool,
    finished: bool,
    buf: Vec<u8>,
    pending: Vec<u8>,
}

impl DemoSource {
    /// A simulation per `config`.
    pub fn new(config: DemoConfig) -> Self {
        let mut rng = Rng::new(config.seed);
        let boot = Boot::new(rng.next_u64() as u32, config.first_seq);
        let link = LossyLink::new(config.link, config.seed);
        let len = max_frame_len::<Reading>().max(max_hello_len::<Reading>());
        Self {
            config,
            rng,
            link,
            boot,
            pushed: 0,
            reset_done: false,
            finished: false,
            buf: vec![0; len],
            pending: Vec::new(),
        }
    }

    /// Runs the whole simulation and returns every byte that crossed the link.
    pub fn run_to_end(mut self) -> Result<Vec<u8>> {
        let mut all = Vec::new();
        let mut chunk = Vec::new();
        while self.tick(&mut chunk)? {
            all.append(&mut chunk);
        }
        all.append(&mut chunk);
        Ok(all)
    }

    /// One tick: the producer pushes, the consumer drains, frames cross the link into `out`.
    /// Returns `false` once everything has been pushed and drained.
    fn tick(&mut self, out: &mut Vec<u8>) -> Result<bool> {
        if let Some(at) = self.config.reset_after
            && !self.reset_done
            && self.pushed >= at
        {
            // Power glitch: whatever was still in the ring is gone, a new boot starts at seq 1.
            self.reset_done = true;
            self.boot = Boot::new(self.rng.next_u64() as u32, 1);
        }
        let left = self.config.count - self.pushed;
        let burst = self.config.bursts && self.rng.chance(20);
        let want = if burst {
            40 + self.rng.below(40)
        } else {
            self.rng.below(3)
        };
        for _ in 0..want.min(left) {
            self.boot.producer.push(Reading::nth(self.pushed));
            self.pushed += 1;
        }
        // The consumer lags: some ticks it does not get to run at all.
        let drain = if self.rng.chance(200) {
            0
        } else {
            DRAIN_PER_TICK
        };
        let Boot {
            consumer, drainer, ..
        } = &mut self.boot;
        let link = &mut self.link;
        let report = drainer
            .drain(consumer, drain, &mut self.buf, |frame| {
                link.send(frame, out)
            })
            .map_err(|err| anyhow!("demo encoder failed: {err:?}"))?;
        let finished = self.pushed == self.config.count && drain > 0 && report.stats.read == 0;
        Ok(!finished)
    }
}

impl Source for DemoSource {
    fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
        while self.pending.is_empty() {
            if self.finished {
                return Ok(Poll::End);
            }
            if !self.config.tick.is_zero() {
                std::thread::sleep(self.config.tick);
            }
            let mut out = std::mem::take(&mut self.pending);
            self.finished = !self.tick(&mut out)?;
            self.pending = out;
        }
        let n = self.pending.len().min(buf.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(Poll::data(n))
    }
}

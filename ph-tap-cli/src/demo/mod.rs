//! `ph-tap demo`: a simulated target with the real `ph-eventing` ring and the real wire
//! encoder, a fast bursty producer, a lagging consumer and a lossy link, feeding the same
//! decode and display path as a probe. Deterministic for a given `--seed`.
//!
//! With [`DemoConfig::streams`] (the command's default) the link carries three streams, drained
//! by the real `drain::link::Link`: the `readings` ring, a slow `battery` ring, and a lossless
//! `events` queue (each burst, and once a fault storm that the queue of [`EVENTS_CAPACITY`]
//! cannot hold: REFUSED).
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
use ph_eventing::{EventQueue, QueueConsumer, QueueProducer, SwapConsumer, SwapProducer, SwapRing};
use ph_eventing_wire::drain::Drainer;
use ph_eventing_wire::drain::link::{Link, LinkStream, Stream};
use ph_eventing_wire::stream::{StreamDesc, StreamKind};

use crate::source::{Poll, Source};
use link::LossyLink;
use rng::Rng;
use sample::{Battery, DemoEvent, Reading};

/// Capacity of the simulated target's ring (small, so bursts overrun it).
pub const RING_CAPACITY: usize = 32;
/// Most items the simulated consumer drains per tick (all streams together).
const DRAIN_PER_TICK: usize = 3;
/// Capacity of the battery ring.
const BATTERY_CAPACITY: usize = 4;
/// Ticks between two battery values.
pub const BATTERY_EVERY: u32 = 25;
/// Capacity of the events queue (a fault storm raises more at once).
pub const EVENTS_CAPACITY: usize = 4;
/// Faults a fault storm raises in one tick.
const STORM: u8 = 6;

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
    /// Three streams on the link (`readings`, `battery`, `events`) instead of the readings
    /// alone (an unnamed stream 0, as a version 2 firmware sent it).
    pub streams: bool,
}

impl DemoConfig {
    /// `count` values from seed `seed` with nothing going wrong: no bursts, a perfect link, no
    /// reset, sequence numbers from 1, one stream, no pause between ticks. Tests start from it.
    ///
    /// ```
    /// use ph_tap::demo::{DemoConfig, DemoSource};
    /// let bytes = DemoSource::new(DemoConfig::quiet(10, 7)).run_to_end().unwrap();
    /// assert!(!bytes.is_empty());
    /// ```
    pub fn quiet(count: u32, seed: u64) -> Self {
        Self {
            count,
            seed,
            bursts: false,
            link: LinkFaults::NONE,
            reset_after: None,
            first_seq: 1,
            tick: Duration::ZERO,
            streams: false,
        }
    }
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
            streams: true,
        }
    }
}

/// One boot of the simulated target: its ring (and, with streams, its slow ring and its event
/// queue), their producers, and the link's streams that drain them.
///
/// The rings are `SwapRing`s because [`Reading`] and [`Battery`] have padding bytes (a `SeqRing`
/// copies its values as machine words and so takes plain data only).
struct Boot {
    producer: SwapProducer<'static, Reading, RING_CAPACITY>,
    readings: Stream<SwapConsumer<'static, Reading, RING_CAPACITY>>,
    extras: Option<Extras>,
    link: Link,
}

/// The slow ring and the lossless queue of a boot with streams.
struct Extras {
    battery_producer: SwapProducer<'static, Battery, BATTERY_CAPACITY>,
    battery: Stream<SwapConsumer<'static, Battery, BATTERY_CAPACITY>>,
    events_producer: QueueProducer<'static, DemoEvent, EVENTS_CAPACITY>,
    events: Stream<QueueConsumer<'static, DemoEvent, EVENTS_CAPACITY>>,
}

/// A `static` of the simulated firmware: alive for the rest of the process (a demo has one or
/// two boots).
fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

impl Boot {
    fn new(boot_id: u32, first_seq: u32, streams: bool) -> Self {
        let ring = leak(SwapRing::<Reading, RING_CAPACITY>::starting_at(first_seq));
        let drainer = |desc: StreamDesc| Drainer::new(boot_id).with_stream(desc);
        let (readings, extras) = if streams {
            let battery = leak(SwapRing::<Battery, BATTERY_CAPACITY>::new());
            let events = leak(EventQueue::<DemoEvent, EVENTS_CAPACITY>::new());
            // The slow streams send full frames only (`drain::link`'s advice).
            let extras = Extras {
                battery_producer: battery.producer(),
                battery: Stream::new(
                    battery.consumer(),
                    drainer(StreamDesc::new(1, "battery").of(3)).with_anchor_every(1),
                ),
                events_producer: events.producer(),
                events: Stream::new(
                    events.consumer(),
                    drainer(
                        StreamDesc::new(2, "events")
                            .with_kind(StreamKind::Queue)
                            .of(3),
                    )
                    .with_anchor_every(1),
                ),
            };
            (StreamDesc::new(0, "readings").of(3), Some(extras))
        } else {
            (StreamDesc::SINGLE, None)
        };
        Self {
            producer: ring.producer(),
            readings: Stream::new(
                ring.consumer(),
                drainer(readings)
                    .with_first_seq(first_seq)
                    .with_hello_every(100),
            ),
            extras,
            link: Link::new(),
        }
    }

    /// Raises `event` on the lossless queue (if this boot has one); a full queue refuses it,
    /// which the host reports as REFUSED.
    fn raise(&mut self, event: DemoEvent) {
        if let Some(extras) = &mut self.extras {
            let _ = extras.events_producer.push(event);
        }
    }
}

/// The frame buffer every stream of the demo fits.
fn frame_buf_len() -> usize {
    Drainer::buffer_needed::<Reading>()
        .max(Drainer::buffer_needed::<Battery>())
        .max(Drainer::buffer_needed::<DemoEvent>())
}

/// The simulated target as a [`Source`].
pub struct DemoSource {
    config: DemoConfig,
    rng: Rng,
    link: LossyLink,
    boot: Boot,
    pushed: u32,
    ticks: u32,
    storm_done: bool,
    reset_done: bool,
    finished: bool,
    buf: Vec<u8>,
    pending: Vec<u8>,
}

impl DemoSource {
    /// A simulation per `config`.
    pub fn new(config: DemoConfig) -> Self {
        let mut rng = Rng::new(config.seed);
        let boot = Boot::new(rng.next_u64() as u32, config.first_seq, config.streams);
        let link = LossyLink::new(config.link, config.seed);
        let len = frame_buf_len();
        Self {
            config,
            rng,
            link,
            boot,
            pushed: 0,
            ticks: 0,
            storm_done: false,
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
            self.boot = Boot::new(self.rng.next_u64() as u32, 1, self.config.streams);
        }
        self.ticks += 1;
        let left = self.config.count - self.pushed;
        let burst = self.config.bursts && self.rng.chance(20);
        let want = if burst {
            40 + self.rng.below(40)
        } else {
            self.rng.below(3)
        };
        if burst && want.min(left) > 0 {
            self.boot.raise(DemoEvent::Burst {
                values: want.min(left),
            });
        }
        for _ in 0..want.min(left) {
            self.boot.producer.push(Reading::nth(self.pushed));
            self.pushed += 1;
        }
        if let Some(extras) = &mut self.boot.extras
            && self.ticks.is_multiple_of(BATTERY_EVERY)
        {
            extras.battery_producer.push(Battery::at(self.ticks));
        }
        // Once, half-way: more faults at once than the queue holds.
        if !self.storm_done && self.pushed >= self.config.count / 2 {
            self.storm_done = true;
            for code in 1..=STORM {
                self.boot.raise(DemoEvent::Fault { code });
            }
        }
        // The consumer lags: some ticks it does not get to run at all.
        let drain = if self.rng.chance(200) {
            0
        } else {
            DRAIN_PER_TICK
        };
        let Boot {
            readings,
            extras,
            link: wire,
            ..
        } = &mut self.boot;
        let link = &mut self.link;
        let mut streams: Vec<&mut dyn LinkStream> = vec![readings];
        if let Some(extras) = extras {
            streams.push(&mut extras.battery);
            streams.push(&mut extras.events);
        }
        let report = wire
            .drain(&mut streams, drain, &mut self.buf, |frame| {
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

//! `ph-tap demo --threads`: the same simulated target with a REAL producer thread pushing into
//! the ring while the consumer (this source) drains it at its own, slower pace. The interleaving
//! is up to the OS scheduler, so this mode is not reproducible; the single-threaded default is.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Result, anyhow};
use ph_eventing::{SwapConsumer, SwapRing};
use ph_eventing_wire::drain::Drainer;
use ph_eventing_wire::encode::{max_frame_len, max_hello_len};

use super::link::LossyLink;
use super::rng::Rng;
use super::sample::Reading;
use super::{DemoConfig, RING_CAPACITY};
use crate::source::{Poll, Source};

/// Items the consumer drains per poll.
const DRAIN_PER_POLL: usize = 4;

/// A producer thread and a lagging consumer around one real ring.
pub struct ThreadedDemo {
    consumer: SwapConsumer<'static, Reading, RING_CAPACITY>,
    drainer: Drainer,
    link: LossyLink,
    buf: Vec<u8>,
    tick: Duration,
    producer_done: Arc<AtomicBool>,
    producer: Option<JoinHandle<()>>,
}

impl ThreadedDemo {
    /// Starts the producer thread (it pushes `config.count` values in seeded bursts).
    pub fn start(config: &DemoConfig) -> Result<Self> {
        // The ring lives for the rest of the process, like a firmware's `static` ring.
        let ring: &'static SwapRing<Reading, RING_CAPACITY> =
            Box::leak(Box::new(SwapRing::starting_at(config.first_seq)));
        let mut rng = Rng::new(config.seed);
        let boot_id = rng.next_u64() as u32;
        let producer_done = Arc::new(AtomicBool::new(false));
        let done = Arc::clone(&producer_done);
        let (count, bursts, tick) = (config.count, config.bursts, config.tick);
        let producer = ring.producer();
        let handle = std::thread::Builder::new()
            .name("demo-producer".into())
            .spawn(move || {
                let mut n = 0;
                while n < count {
                    // Usually a couple of values per tick; now and then a burst that outruns
                    // the consumer and overruns the ring.
                    let want = if bursts && rng.chance(30) {
                        48
                    } else {
                        1 + rng.below(3)
                    };
                    for _ in 0..want.min(count - n) {
                        producer.push(Reading::nth(n));
                        n += 1;
                    }
                    std::thread::sleep(tick.max(Duration::from_micros(200)));
                }
                done.store(true, Ordering::Release);
            })
            .map_err(|err| anyhow!("cannot start the demo producer thread: {err}"))?;
        Ok(Self {
            consumer: ring.consumer(),
            drainer: Drainer::new(boot_id)
                .with_first_seq(config.first_seq)
                .with_hello_every(100),
            link: LossyLink::new(config.link, config.seed),
            buf: vec![0; max_frame_len::<Reading>().max(max_hello_len::<Reading>())],
            tick: config.tick.max(Duration::from_micros(200)),
            producer_done,
            producer: Some(handle),
        })
    }
}

impl Source for ThreadedDemo {
    fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
        // The consumer lags: it runs once per tick and takes a few items.
        std::thread::sleep(self.tick);
        let done = self.producer_done.load(Ordering::Acquire);
        let mut out = Vec::new();
        let link = &mut self.link;
        let max = DRAIN_PER_POLL.min(buf.len() / self.buf.len().max(1)).max(1);
        let report = self
            .drainer
            .drain(&mut self.consumer, max, &mut self.buf, |frame| {
                link.send(frame, &mut out)
            })
            .map_err(|err| anyhow!("demo encoder failed: {err:?}"))?;
        if out.is_empty() {
            if done && report.stats.read == 0 {
                if let Some(handle) = self.producer.take() {
                    handle
                        .join()
                        .map_err(|_| anyhow!("the demo producer thread panicked"))?;
                }
                return Ok(Poll::End);
            }
            return Ok(Poll::Idle);
        }
        let n = out.len().min(buf.len());
        buf[..n].copy_from_slice(&out[..n]);
        Ok(Poll::data(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::value::ValueAs;
    use crate::decode::{Decoder, PhEventingDecoder};
    use crate::demo::link::LinkFaults;
    use crate::record::Body;
    use ph_eventing_wire::accounting::Event;

    /// Whatever the interleaving, every value is either shown or counted as lost, exactly once.
    #[test]
    fn every_value_is_shown_or_accounted() {
        let config = DemoConfig {
            count: 600,
            link: LinkFaults::NONE,
            reset_after: None,
            first_seq: 1,
            tick: Duration::ZERO,
            ..DemoConfig::default()
        };
        let mut source = ThreadedDemo::start(&config).unwrap();
        let mut decoder = PhEventingDecoder::new(ValueAs::Hex);
        let (mut shown, mut dropped, mut last_seq) = (0u64, 0u64, 0u32);
        let mut buf = [0u8; 4096];
        loop {
            match source.poll(&mut buf).unwrap() {
                Poll::Data { len, .. } => decoder.feed(&buf[..len], &mut |body| match body {
                    Body::Value { seq, .. } => {
                        shown += 1;
                        last_seq = seq;
                    }
                    Body::Event(Event::RingDrop { count, .. }) => dropped += u64::from(count),
                    Body::Hello(_) => {}
                    other => panic!("a perfect link gave {other:?}"),
                }),
                Poll::Idle | Poll::Time(_) => {}
                Poll::End => break,
                Poll::Event(event) => panic!("the demo has no source events: {event:?}"),
            }
        }
        // Items overwritten after the last delivered one are not visible on the wire.
        assert_eq!(shown + dropped, u64::from(last_seq));
        assert!(shown > 0);
    }
}

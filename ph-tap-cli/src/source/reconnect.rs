//! Surviving a source that goes away: the one place ph-tap waits for a probe, a GDB server or an
//! RTT server to come back, for every live source alike.

use std::time::{Duration, Instant};

use anyhow::Result;

use super::{Poll, Source, SourceEvent};
use crate::channel::Channel;
use crate::probe::FirmwareStop;

/// Opens the source again (with the options it was first opened with, less anything that should
/// happen only once, such as resetting the target).
pub type Connect = Box<dyn FnMut() -> Result<Box<dyn Source>> + Send>;

/// The first wait before trying to connect again; it doubles up to [`MAX_BACKOFF`].
const MIN_BACKOFF: Duration = Duration::from_millis(100);
/// The longest wait between two tries.
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// The longest one poll sleeps while waiting, so that Ctrl-C and the status line stay live.
const IDLE_SLICE: Duration = Duration::from_millis(50);

/// A source that, when the inner source fails or ends, says so once ([`SourceEvent::Lost`]), tries to
/// connect again with a growing backoff (100 ms doubling to 2 s) and carries on with the new
/// connection ([`SourceEvent::Back`]). The pipeline, its sinks, its `--save` files and its
/// accounting go on across the gap; what the target produced meanwhile shows up as losses in
/// the stream's own accounting.
///
/// ```
/// use ph_tap::source::{Poll, Reconnecting, Source, SourceEvent};
///
/// /// Fails after one chunk, the way an unplugged probe does.
/// struct Once(bool);
/// impl Source for Once {
///     fn poll(&mut self, buf: &mut [u8]) -> anyhow::Result<Poll> {
///         if std::mem::replace(&mut self.0, true) {
///             anyhow::bail!("unplugged");
///         }
///         buf[0] = 7;
///         Ok(Poll::data(1))
///     }
/// }
///
/// let mut source = Reconnecting::new("probe", Box::new(Once(false)), Box::new(|| Ok(Box::new(Once(false)))));
/// let mut buf = [0u8; 4];
/// assert_eq!(source.poll(&mut buf).unwrap(), Poll::data(1));
/// let Poll::Event(SourceEvent::Lost { reason, .. }) = source.poll(&mut buf).unwrap() else { panic!() };
/// assert_eq!(reason, "unplugged");
/// let back = loop {
///     match source.poll(&mut buf).unwrap() {
///         Poll::Idle => continue,
///         other => break other,
///     }
/// };
/// assert!(matches!(back, Poll::Event(SourceEvent::Back { .. })));
/// assert_eq!(source.poll(&mut buf).unwrap(), Poll::data(1));
/// ```
pub struct Reconnecting {
    what: &'static str,
    current: Option<Box<dyn Source>>,
    /// The first source's channels: what the router was set up for.
    channels: Vec<Channel>,
    connect: Connect,
    backoff: Duration,
    next_try: Instant,
    lost_at: Instant,
}

impl Reconnecting {
    /// Reads `first` (already open), and opens a new one with `connect` whenever it fails;
    /// `what` names it in messages (`probe`, `GDB server`, `RTT server`).
    pub fn new(what: &'static str, first: Box<dyn Source>, connect: Connect) -> Self {
        let now = Instant::now();
        Self {
            what,
            channels: first.channels(),
            current: Some(first),
            connect,
            backoff: MIN_BACKOFF,
            next_try: now,
            lost_at: now,
        }
    }
}

impl Source for Reconnecting {
    fn channels(&self) -> Vec<Channel> {
        self.channels.clone()
    }

    fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
        if let Some(source) = &mut self.current {
            return match source.poll(buf) {
                // A live source does not end by itself: a server that closes the connection
                // has gone away like one that breaks it.
                Ok(Poll::End) => Err(anyhow::anyhow!("it closed the connection")),
                // The firmware itself stopped (`ph-tap run`): nothing to wait for.
                Err(err) if FirmwareStop::find(&err).is_some() => return Err(err),
                other => other,
            }
            .or_else(|err| {
                self.current = None;
                let now = Instant::now();
                self.lost_at = now;
                self.backoff = MIN_BACKOFF;
                self.next_try = now + MIN_BACKOFF;
                Ok(Poll::Event(SourceEvent::Lost {
                    what: self.what,
                    reason: crate::one_line(&err),
                }))
            });
        }
        let now = Instant::now();
        if now < self.next_try {
            std::thread::sleep((self.next_try - now).min(IDLE_SLICE));
            return Ok(Poll::Idle);
        }
        match (self.connect)() {
            Ok(source) => {
                self.current = Some(source);
                Ok(Poll::Event(SourceEvent::Back {
                    what: self.what,
                    away: self.lost_at.elapsed(),
                }))
            }
            Err(_) => {
                // Still gone: the reason was said when it went; try again later.
                self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
                self.next_try = Instant::now() + self.backoff;
                Ok(Poll::Idle)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// Yields `chunks` one by one, then fails.
    struct Chunks(Vec<u8>);

    impl Source for Chunks {
        fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
            match self.0.pop() {
                Some(byte) => {
                    buf[0] = byte;
                    Ok(Poll::data(1))
                }
                None => anyhow::bail!("gone"),
            }
        }
    }

    #[test]
    fn waits_with_backoff_then_goes_on() {
        let tries = Arc::new(AtomicU32::new(0));
        let counted = Arc::clone(&tries);
        let mut source = Reconnecting::new(
            "probe",
            Box::new(Chunks(vec![1])),
            Box::new(move || {
                // Refused twice, then back.
                if counted.fetch_add(1, Ordering::Relaxed) < 2 {
                    anyhow::bail!("still unplugged");
                }
                Ok(Box::new(Chunks(vec![2])))
            }),
        );
        let mut buf = [0u8; 1];
        let mut seen = Vec::new();
        let started = Instant::now();
        let mut events = Vec::new();
        while seen.len() < 2 {
            match source.poll(&mut buf).unwrap() {
                Poll::Data { .. } => seen.push(buf[0]),
                Poll::Event(event) => events.push(event),
                Poll::Idle | Poll::Time(_) => {}
                Poll::End => panic!("a reconnecting source does not end on failure"),
            }
        }
        assert_eq!(seen, [1, 2]);
        assert_eq!(tries.load(Ordering::Relaxed), 3);
        assert!(matches!(&events[0], SourceEvent::Lost { reason, .. } if reason == "gone"));
        let SourceEvent::Back { away, .. } = events[1] else {
            panic!("{events:?}")
        };
        // Three tries after 100 + 200 + 400 ms of backoff at least.
        assert!(away >= Duration::from_millis(700), "{away:?}");
        assert!(started.elapsed() >= away);
        assert_eq!(events.len(), 2, "one Lost, one Back: {events:?}");
    }
}

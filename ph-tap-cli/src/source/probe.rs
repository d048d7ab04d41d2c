//! A probe-rs session's RTT up channels as one [`Source`].

use std::time::Duration;

use anyhow::{Context, Result};
use probe_rs::Session;
use probe_rs::rtt::Rtt;

use super::{Poll, Source};
use crate::record::ChannelId;

/// How long to wait when every channel is empty.
const IDLE_WAIT: Duration = Duration::from_millis(5);

const LOST: &str =
    "lost the probe mid-stream (unplugged or target powered off): replug and run ph-tap again";

/// Reads the chosen RTT up channels through one attached probe-rs session, taking turns so a
/// busy channel cannot starve the others.
pub struct ProbeSource {
    session: Session,
    rtt: Rtt,
    channels: Vec<ChannelId>,
    /// Index into `channels` of the channel read first on the next poll.
    next: usize,
}

impl ProbeSource {
    /// Reads up channels `channels` (at least one, each one that `rtt` has) of `rtt`, found
    /// through `session`.
    pub fn new(session: Session, rtt: Rtt, channels: Vec<ChannelId>) -> Self {
        Self {
            session,
            rtt,
            channels,
            next: 0,
        }
    }

    /// The address of the RTT control block in target memory.
    pub fn control_block(&self) -> u64 {
        self.rtt.ptr()
    }

    /// The up channels read.
    pub fn channels(&self) -> &[ChannelId] {
        &self.channels
    }
}

impl Source for ProbeSource {
    fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
        let mut core = self.session.core(0).context(LOST)?;
        for turn in 0..self.channels.len() {
            let index = (self.next + turn) % self.channels.len();
            let number = self.channels[index];
            let channel = self
                .rtt
                .up_channel(number)
                .context("the RTT up channel vanished: run ph-tap again")?;
            let len = channel.read(&mut core, buf).context(LOST)?;
            if len > 0 {
                self.next = (index + 1) % self.channels.len();
                return Ok(Poll::Data {
                    channel: number,
                    len,
                });
            }
        }
        drop(core);
        std::thread::sleep(IDLE_WAIT);
        Ok(Poll::Idle)
    }
}

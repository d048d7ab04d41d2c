//! A probe-rs RTT up channel as a [`ByteSource`].

use std::time::Duration;

use anyhow::{Context, Result};
use probe_rs::Session;
use probe_rs::rtt::Rtt;

use super::{ByteSource, Poll};

/// How long to wait when the channel is empty.
const IDLE_WAIT: Duration = Duration::from_millis(5);

/// Reads one RTT up channel through an attached probe-rs session.
pub struct ProbeRttSource {
    session: Session,
    rtt: Rtt,
    channel: usize,
}

impl ProbeRttSource {
    /// Reads up channel `channel` of `rtt`, found through `session`.
    pub fn new(session: Session, rtt: Rtt, channel: usize) -> Self {
        Self {
            session,
            rtt,
            channel,
        }
    }

    /// The address of the RTT control block in target memory.
    pub fn control_block(&mut self) -> u64 {
        self.rtt.ptr()
    }
}

impl ByteSource for ProbeRttSource {
    fn describe(&self) -> String {
        format!(
            "RTT up channel {} on {}",
            self.channel,
            self.session.target().name
        )
    }

    fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
        const LOST: &str = "lost the probe mid-stream (unplugged or target powered off): replug and run ph-tap again";
        let mut core = self.session.core(0).context(LOST)?;
        let channel = self
            .rtt
            .up_channel(self.channel)
            .context("the RTT up channel vanished: run ph-tap again")?;
        let n = channel.read(&mut core, buf).context(LOST)?;
        if n == 0 {
            std::thread::sleep(IDLE_WAIT);
            return Ok(Poll::Idle);
        }
        Ok(Poll::Data(n))
    }
}

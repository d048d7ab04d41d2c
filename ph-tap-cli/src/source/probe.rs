//! A probe-rs session's RTT up channels as one [`Source`], following the control block across
//! target resets and re-flashes.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use probe_rs::rtt::{self, Rtt, ScanRegion};
use probe_rs::{CoreStatus, Session};

use super::{Poll, Source, SourceEvent};
use crate::channel::Channel;
use crate::probe::gdb::exit_code_in;
use crate::probe::{FirmwareStop, classify_halt};

/// How long to wait when every channel is empty.
const IDLE_WAIT: Duration = Duration::from_millis(5);
/// How long a control block that vanished (the target reset and has not set up RTT again yet)
/// is looked for before the source gives up.
const REATTACH_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a watched core's status is read (`probe-rs run` reads it every 100 ms too).
const HALT_CHECK: Duration = Duration::from_millis(100);

const LOST: &str =
    "lost the probe mid-stream (unplugged or target powered off): replug and run ph-tap again";

/// Reads the chosen RTT up channels through one attached probe-rs session, taking turns so a
/// busy channel cannot starve the others.
///
/// When the target resets or is re-flashed while attached, probe-rs sees the channel's read
/// pointer move under it or the control block change; the source then finds the control block
/// again (the firmware sets up a fresh one at boot), reports [`SourceEvent::Reattached`] and
/// goes on reading in the same session (once per reset: a target still starting up may move
/// the pointer again before it writes). The stream's own accounting reports the reset.
///
/// A reset inside a read (after probe-rs read the channel's pointers, before it wrote the read
/// pointer back) cannot be seen here: the old read pointer lands in the new block, and the new
/// boot's bytes before it are never read. The stream shows that as a corrupt frame before the
/// new boot and link losses, as it would any bytes lost on a link.
pub struct ProbeSource {
    session: Session,
    /// `None` while the control block is being looked for again.
    rtt: Option<Rtt>,
    region: ScanRegion,
    channels: Vec<Channel>,
    /// Index into `channels` of the channel read first on the next poll.
    next: usize,
    /// Since when the control block has been looked for.
    searching_since: Option<Instant>,
    /// Found again, and no byte read since: a target still booting can move the read pointer
    /// again, and the one reset is then reported once.
    reattached_quietly: bool,
    control_block: u64,
    /// Watching for the firmware stopping on its own (`ph-tap run`).
    watch: Option<HaltWatch>,
}

/// What [`ProbeSource::watch_halts`] keeps.
struct HaltWatch {
    /// The firmware's ELF, for a backtrace.
    elf: Option<PathBuf>,
    next_check: Instant,
    /// The firmware stopped: what the source ends with once the channels are drained.
    ended: Option<FirmwareStop>,
}

impl ProbeSource {
    /// Reads up channels `channels` (at least one, each one that `rtt` has) of `rtt`, found in
    /// `region` through `session`.
    pub fn new(session: Session, rtt: Rtt, region: ScanRegion, channels: Vec<Channel>) -> Self {
        Self {
            session,
            control_block: rtt.ptr(),
            rtt: Some(rtt),
            region,
            channels,
            next: 0,
            searching_since: None,
            reattached_quietly: false,
            watch: None,
        }
    }

    /// Also watches the core: when the firmware halts on a fault (a panic), locks up or exits
    /// through semihosting, the source reads what is left in the channels (a panic message),
    /// then ends with the [`FirmwareStop`] as its error (even an exit with code 0: the caller
    /// decides; [`Reconnecting`](super::Reconnecting) does not wait for a target that
    /// stopped). `elf` gives a fault its backtrace. For a target ph-tap started (`ph-tap run`),
    /// which arms the HardFault vector catch.
    pub fn watch_halts(mut self, elf: Option<PathBuf>) -> Self {
        self.watch = Some(HaltWatch {
            elf,
            next_check: Instant::now(),
            ended: None,
        });
        self
    }

    /// Reads the core's status if it is time to; records the firmware's end when it stopped.
    fn check_halt(&mut self) -> Result<()> {
        let Some(watch) = &mut self.watch else {
            return Ok(());
        };
        let now = Instant::now();
        if watch.ended.is_some() || now < watch.next_check {
            return Ok(());
        }
        watch.next_check = now + HALT_CHECK;
        let mut core = self.session.core(0).context(LOST)?;
        let status = match core.status() {
            Ok(status) => status,
            Err(err) => {
                let err = anyhow::Error::new(err);
                return match exit_code_in(&err) {
                    Some(code) => {
                        watch.ended = Some(FirmwareStop::Exited {
                            code: code.unsigned_abs(),
                        });
                        Ok(())
                    }
                    None => Err(err.context(LOST)),
                };
            }
        };
        match status {
            CoreStatus::Halted(reason) => {
                match classify_halt(&mut core, reason, watch.elf.as_deref()) {
                    Ok(end) => watch.ended = Some(end),
                    // Not the firmware's end (e.g. a semihosting call ph-tap does not serve).
                    Err(_) => core.run().context(LOST)?,
                }
            }
            CoreStatus::LockedUp => watch.ended = Some(FirmwareStop::LockedUp),
            CoreStatus::Running | CoreStatus::Sleeping | CoreStatus::Unknown => {}
        }
        Ok(())
    }

    /// The firmware's end, once it stopped and nothing is left to read.
    fn end_if_stopped(&mut self) -> Option<anyhow::Error> {
        let stop = self.watch.as_mut()?.ended.take()?;
        Some(anyhow::Error::new(stop))
    }

    /// The address of the RTT control block in target memory.
    pub fn control_block(&self) -> u64 {
        self.control_block
    }

    /// The up channels read.
    pub fn channels(&self) -> &[Channel] {
        &self.channels
    }

    /// Looks for the control block again; `Ok(None)` while it is not there yet.
    fn reattach(&mut self) -> Result<Option<Poll>> {
        let since = *self.searching_since.get_or_insert_with(Instant::now);
        let mut core = self.session.core(0).context(LOST)?;
        let found = Rtt::attach_region(&mut core, &self.region).map(|mut rtt| {
            let complete = self.channels.iter().all(|c| rtt.up_channel(c.id).is_some());
            (rtt, complete)
        });
        match found {
            Ok((rtt, true)) => {
                self.control_block = rtt.ptr();
                self.rtt = Some(rtt);
                self.searching_since = None;
                if std::mem::replace(&mut self.reattached_quietly, true) {
                    return Ok(Some(Poll::Idle));
                }
                Ok(Some(Poll::Event(SourceEvent::Reattached {
                    control_block: self.control_block,
                })))
            }
            // Not set up yet (or not all channels yet): the firmware is still starting.
            Ok((_, false))
            | Err(rtt::Error::ControlBlockNotFound | rtt::Error::ControlBlockCorrupted(_))
                if since.elapsed() < REATTACH_TIMEOUT =>
            {
                drop(core);
                std::thread::sleep(IDLE_WAIT * 4);
                Ok(None)
            }
            Ok((_, false)) => anyhow::bail!(
                "the target came back without RTT up channel(s) {}: is it running other firmware?",
                self.channels.iter().map(Channel::label).collect::<Vec<_>>().join(", ")
            ),
            Err(err) => Err(anyhow::Error::new(err).context(
                "the RTT control block vanished and did not come back (target halted or other firmware?): run ph-tap again",
            )),
        }
    }
}

impl Source for ProbeSource {
    fn channels(&self) -> Vec<Channel> {
        self.channels.clone()
    }

    fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
        self.check_halt()?;
        let Some(rtt) = &mut self.rtt else {
            return Ok(self.reattach()?.unwrap_or(Poll::Idle));
        };
        let mut core = self.session.core(0).context(LOST)?;
        for turn in 0..self.channels.len() {
            let index = (self.next + turn) % self.channels.len();
            let number = self.channels[index].id;
            let channel = rtt
                .up_channel(number)
                .context("the RTT up channel vanished: run ph-tap again")?;
            match channel.read(&mut core, buf) {
                Ok(0) => {}
                Ok(len) => {
                    self.reattached_quietly = false;
                    self.next = (index + 1) % self.channels.len();
                    return Ok(Poll::Data {
                        channel: number,
                        len,
                    });
                }
                // The target reset or was re-flashed: its firmware set up the block again.
                Err(rtt::Error::ReadPointerChanged | rtt::Error::ControlBlockCorrupted(_)) => {
                    drop(core);
                    self.rtt = None;
                    return Ok(self.reattach()?.unwrap_or(Poll::Idle));
                }
                Err(err) => {
                    let err = anyhow::Error::new(err);
                    if self.watch.is_some()
                        && let Some(code) = exit_code_in(&err)
                    {
                        return Err(anyhow::Error::new(FirmwareStop::Exited {
                            code: code.unsigned_abs(),
                        }));
                    }
                    return Err(err.context(LOST));
                }
            }
        }
        drop(core);
        if let Some(end) = self.end_if_stopped() {
            return Err(end);
        }
        std::thread::sleep(IDLE_WAIT);
        Ok(Poll::Idle)
    }
}

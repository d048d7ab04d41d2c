//! [`GdbProbe`]: a GDB server as a probe-rs [`DebugProbe`] with an ARM debug interface.

use std::sync::Arc;
use std::time::Duration;

use probe_rs::architecture::arm::sequences::ArmDebugSequence;
use probe_rs::architecture::arm::{ArmDebugInterface, ArmError};
use probe_rs::probe::{DebugProbe, DebugProbeError, Probe, WireProtocol};

use super::error::GdbError;
use super::interface::GdbInterface;
use super::rsp::{DEFAULT_TIMEOUT, RspClient};
use super::target::Core;

/// A GDB remote-serial-protocol server (QEMU, OpenOCD, pyOCD, J-Link GDB Server, Black Magic
/// Probe) as a probe-rs debug probe: probe-rs's own `Session`, RTT and memory access run over
/// it unchanged.
///
/// ```no_run
/// use ph_tap::probe::gdb::GdbProbe;
/// use probe_rs::Permissions;
///
/// let probe = GdbProbe::connect("127.0.0.1:1234")?.into_probe();
/// let mut session = probe.attach("nRF52840_xxAA", Permissions::default())?;
/// let mut core = session.core(0)?;
/// let word = probe_rs::MemoryInterface::read_word_32(&mut core, 0x2000_0000)?;
/// # Ok::<(), anyhow::Error>(())
/// ```
#[derive(Debug)]
pub struct GdbProbe {
    name: String,
    pub(super) core: Core,
    protocol: WireProtocol,
}

impl GdbProbe {
    /// Connects to the GDB server at `addr` (`HOST:PORT`), with the default reply timeout.
    pub fn connect(addr: &str) -> Result<Self, GdbError> {
        Self::connect_with_timeout(addr, DEFAULT_TIMEOUT)
    }

    /// Connects to the GDB server at `addr`; each reply may take up to `timeout`.
    ///
    /// Connecting resumes the target (servers stop it when a client connects).
    pub fn connect_with_timeout(addr: &str, timeout: Duration) -> Result<Self, GdbError> {
        Self::open(addr, timeout, true)
    }

    /// Connects to the GDB server at `addr` and leaves its target stopped, halted as probe-rs
    /// sees it: for flashing (`ph-tap run`), where the old firmware must not run on, and an
    /// empty QEMU machine would lock up at once (which ends QEMU).
    pub fn connect_halted(addr: &str) -> Result<Self, GdbError> {
        Self::open(addr, DEFAULT_TIMEOUT, false)
    }

    fn open(addr: &str, timeout: Duration, resume: bool) -> Result<Self, GdbError> {
        let rsp = RspClient::connect(addr, timeout)?;
        Ok(Self {
            name: format!("GDB server at {addr}"),
            core: Core::new(rsp, resume)?,
            protocol: WireProtocol::Swd,
        })
    }

    /// How many times a memory access so far stopped and resumed the running target.
    pub fn stops(&self) -> u64 {
        self.core.stops()
    }

    /// This probe as probe-rs's [`Probe`], ready for `attach`.
    pub fn into_probe(self) -> Probe {
        Probe::from_specific_probe(Box::new(self))
    }
}

impl DebugProbe for GdbProbe {
    fn get_name(&self) -> &str {
        &self.name
    }

    /// 0: the server sets the debug clock.
    fn speed_khz(&self) -> u32 {
        0
    }

    fn set_speed(&mut self, speed_khz: u32) -> Result<u32, DebugProbeError> {
        Err(DebugProbeError::UnsupportedSpeed(speed_khz))
    }

    /// The server is attached already.
    fn attach(&mut self) -> Result<(), DebugProbeError> {
        Ok(())
    }

    fn detach(&mut self) -> Result<(), probe_rs::Error> {
        self.core
            .detach()
            .map_err(|err| probe_rs::Error::Probe(err.into()))
    }

    fn target_reset(&mut self) -> Result<(), DebugProbeError> {
        Ok(self.core.reset()?)
    }

    fn target_reset_assert(&mut self) -> Result<(), DebugProbeError> {
        Err(DebugProbeError::CommandNotSupportedByProbe {
            command_name: "target_reset_assert (a GDB server has no reset pin to hold)",
        })
    }

    fn target_reset_deassert(&mut self) -> Result<(), DebugProbeError> {
        Err(DebugProbeError::CommandNotSupportedByProbe {
            command_name: "target_reset_deassert (a GDB server has no reset pin to hold)",
        })
    }

    /// The server chose the wire protocol; the choice is recorded, not sent.
    fn select_protocol(&mut self, protocol: WireProtocol) -> Result<(), DebugProbeError> {
        self.protocol = protocol;
        Ok(())
    }

    fn active_protocol(&self) -> Option<WireProtocol> {
        Some(self.protocol)
    }

    fn has_arm_interface(&self) -> bool {
        true
    }

    fn try_get_arm_debug_interface<'probe>(
        self: Box<Self>,
        _sequence: Arc<dyn ArmDebugSequence>,
    ) -> Result<Box<dyn ArmDebugInterface + 'probe>, (Box<dyn DebugProbe>, ArmError)> {
        Ok(Box::new(GdbInterface::new(self)))
    }

    fn into_probe(self: Box<Self>) -> Box<dyn DebugProbe> {
        self
    }
}

//! [`GdbInterface`]: probe-rs's ARM debug interface over a GDB server, and the debug and access
//! port registers it answers in place of a real DAP.
//!
//! A GDB server owns the debug port; what probe-rs asks of one is answered plausibly: DPIDR
//! reads as an ARM SW-DP, CTRL/STAT acknowledges the power-up requests written to it. The
//! core's MEM-AP (AP 0 until probe-rs opens memory on another) is modelled with CSW, TAR and
//! DRW/BD0..3 doing memory accesses, an AHB-AP IDR and a BASE pointing at the Cortex-M ROM
//! table. Any other AP is not reachable through the server: its registers read as 0, except
//! register `0x0C`, which reads 1 — on nRF chips that is the CTRL-AP's APPROTECTSTATUS, and a
//! server that reads memory is talking to an unprotected core; writes to it are refused.

use std::collections::BTreeSet;

use probe_rs::architecture::arm::dp::{DpAddress, DpRegisterAddress};
use probe_rs::architecture::arm::memory::ArmMemoryInterface;
use probe_rs::architecture::arm::{
    ArmDebugInterface, ArmError, DapAccess, DapProbe, FullyQualifiedApAddress, SwdSequence,
    SwoAccess, SwoConfig,
};
use probe_rs::probe::{DebugProbeError, Probe};

use super::memory::GdbMemory;
use super::probe::GdbProbe;

/// An ARM SW-DP, DPv2 (as on Cortex-M4 parts).
const DPIDR: u32 = 0x2BA0_1477;
/// An AHB-AP (MEM-AP) of a Cortex-M3/M4.
const AHB_AP_IDR: u32 = 0x2477_0011;
/// The Cortex-M ROM table, present, ADIv5 format.
const ROM_TABLE_BASE: u32 = 0xE00F_F003;
const CSYSPWRUPREQ: u32 = 1 << 30;
const CDBGPWRUPREQ: u32 = 1 << 28;
/// CSW as reset: 32-bit accesses, single auto-increment, DeviceEn.
const CSW_RESET: u32 = 0x0000_0052;

/// probe-rs's ARM debug interface on a [`GdbProbe`].
#[derive(Debug)]
pub struct GdbInterface {
    pub(super) probe: Box<GdbProbe>,
    dp: Option<DpAddress>,
    ctrl_stat: u32,
    select: u32,
    rdbuff: u32,
    /// The AP probe-rs reaches the core's memory through.
    pub(super) mem_ap: FullyQualifiedApAddress,
    pub(super) csw: u32,
    tar: u32,
}

impl GdbInterface {
    /// The interface on `probe`.
    pub fn new(probe: Box<GdbProbe>) -> Self {
        Self {
            probe,
            dp: None,
            ctrl_stat: 0,
            select: 0,
            rdbuff: 0,
            mem_ap: FullyQualifiedApAddress::v1_with_default_dp(0),
            csw: CSW_RESET,
            tar: 0,
        }
    }

    /// The access size CSW.SIZE selects, in bytes (1, 2 or 4).
    fn access_size(&self) -> u32 {
        match self.csw & 0b111 {
            0 => 1,
            1 => 2,
            _ => 4,
        }
    }

    fn drw_read(&mut self, address: u32) -> Result<u32, ArmError> {
        let size = self.access_size();
        let mut bytes = [0u8; 4];
        let lane = (address % 4) as usize;
        if size == 4 {
            let mut word = [0u32];
            self.probe.core.read_words(u64::from(address), &mut word)?;
            bytes = word[0].to_le_bytes();
        } else {
            self.probe
                .core
                .read_bytes(u64::from(address), &mut bytes[lane..lane + size as usize])?;
        }
        Ok(u32::from_le_bytes(bytes))
    }

    fn drw_write(&mut self, address: u32, value: u32) -> Result<(), ArmError> {
        let size = self.access_size();
        if size == 4 {
            self.probe.core.write_words(u64::from(address), &[value])?;
        } else {
            let lane = (address % 4) as usize;
            let bytes = value.to_le_bytes();
            self.probe
                .core
                .write_bytes(u64::from(address), &bytes[lane..lane + size as usize])?;
        }
        Ok(())
    }

    fn advance_tar(&mut self) {
        // CSW.AddrInc: 0b01 single increment.
        if (self.csw >> 4) & 0b11 == 0b01 {
            self.tar = self.tar.wrapping_add(self.access_size());
        }
    }

    fn unreachable_ap(&self, ap: &FullyQualifiedApAddress) -> ArmError {
        ArmError::Probe(DebugProbeError::Other(format!(
            "access port {ap:?} is not reachable through a GDB server (only the core's memory is)"
        )))
    }
}

impl SwdSequence for GdbInterface {
    fn swj_sequence(&mut self, _bit_len: u8, _bits: u64) -> Result<(), DebugProbeError> {
        Err(DebugProbeError::CommandNotSupportedByProbe {
            command_name: "swj_sequence (the GDB server drives the wire)",
        })
    }

    fn swj_pins(
        &mut self,
        _pin_out: u32,
        _pin_select: u32,
        _pin_wait: u32,
    ) -> Result<u32, DebugProbeError> {
        Err(DebugProbeError::CommandNotSupportedByProbe {
            command_name: "swj_pins (the GDB server drives the wire)",
        })
    }
}

impl SwoAccess for GdbInterface {
    fn enable_swo(&mut self, _config: &SwoConfig) -> Result<(), ArmError> {
        Err(ArmError::Probe(DebugProbeError::InterfaceNotAvailable {
            interface_name: "SWO",
        }))
    }

    fn disable_swo(&mut self) -> Result<(), ArmError> {
        Err(ArmError::Probe(DebugProbeError::InterfaceNotAvailable {
            interface_name: "SWO",
        }))
    }

    fn read_swo_timeout(&mut self, _timeout: std::time::Duration) -> Result<Vec<u8>, ArmError> {
        Err(ArmError::Probe(DebugProbeError::InterfaceNotAvailable {
            interface_name: "SWO",
        }))
    }
}

impl DapAccess for GdbInterface {
    fn read_raw_dp_register(
        &mut self,
        _dp: DpAddress,
        address: DpRegisterAddress,
    ) -> Result<u32, ArmError> {
        Ok(match (address.address, address.bank.unwrap_or(0)) {
            (0x0, 0) => DPIDR,
            (0x4, 0) => {
                let req = self.ctrl_stat & (CSYSPWRUPREQ | CDBGPWRUPREQ);
                self.ctrl_stat | (req << 1)
            }
            (0x8, _) => self.select,
            (0xC, _) => self.rdbuff,
            _ => 0,
        })
    }

    fn write_raw_dp_register(
        &mut self,
        _dp: DpAddress,
        address: DpRegisterAddress,
        value: u32,
    ) -> Result<(), ArmError> {
        match (address.address, address.bank.unwrap_or(0)) {
            // ABORT: nothing sticks, nothing to clear.
            (0x0, _) => {}
            (0x4, 0) => self.ctrl_stat = value & !((CSYSPWRUPREQ | CDBGPWRUPREQ) << 1),
            (0x8, _) => self.select = value,
            _ => {}
        }
        Ok(())
    }

    fn read_raw_ap_register(
        &mut self,
        ap: &FullyQualifiedApAddress,
        address: u64,
    ) -> Result<u32, ArmError> {
        let value = if *ap != self.mem_ap {
            u32::from(address == 0x0C)
        } else {
            match address {
                0x00 => self.csw,
                0x04 => self.tar,
                0x0C => {
                    let value = self.drw_read(self.tar)?;
                    self.advance_tar();
                    value
                }
                0x10..=0x1C => self.drw_read((self.tar & !0xF) + (address as u32 - 0x10))?,
                0xF8 => ROM_TABLE_BASE,
                0xFC => AHB_AP_IDR,
                _ => 0,
            }
        };
        self.rdbuff = value;
        Ok(value)
    }

    fn write_raw_ap_register(
        &mut self,
        ap: &FullyQualifiedApAddress,
        address: u64,
        value: u32,
    ) -> Result<(), ArmError> {
        if *ap != self.mem_ap {
            return Err(self.unreachable_ap(ap));
        }
        match address {
            0x00 => self.csw = value,
            0x04 => self.tar = value,
            0x0C => {
                self.drw_write(self.tar, value)?;
                self.advance_tar();
            }
            0x10..=0x1C => self.drw_write((self.tar & !0xF) + (address as u32 - 0x10), value)?,
            _ => {}
        }
        Ok(())
    }

    fn try_dap_probe(&self) -> Option<&dyn DapProbe> {
        None
    }

    fn try_dap_probe_mut(&mut self) -> Option<&mut dyn DapProbe> {
        None
    }
}

impl ArmDebugInterface for GdbInterface {
    fn reinitialize(&mut self) -> Result<(), ArmError> {
        Ok(())
    }

    fn access_ports(
        &mut self,
        dp: DpAddress,
    ) -> Result<BTreeSet<FullyQualifiedApAddress>, ArmError> {
        let (_, ap) = self.mem_ap.clone().deconstruct();
        Ok(BTreeSet::from([match ap {
            probe_rs::architecture::arm::ApAddress::V1(n) => {
                FullyQualifiedApAddress::v1_with_dp(dp, n)
            }
            probe_rs::architecture::arm::ApAddress::V2(v2) => {
                FullyQualifiedApAddress::v2_with_dp(dp, v2)
            }
        }]))
    }

    fn close(self: Box<Self>) -> Probe {
        Probe::from_specific_probe(self.probe)
    }

    fn select_debug_port(&mut self, dp: DpAddress) -> Result<(), ArmError> {
        self.dp = Some(dp);
        Ok(())
    }

    fn current_debug_port(&self) -> Option<DpAddress> {
        self.dp
    }

    fn memory_interface(
        &mut self,
        access_port_address: &FullyQualifiedApAddress,
    ) -> Result<Box<dyn ArmMemoryInterface + '_>, ArmError> {
        self.mem_ap = access_port_address.clone();
        Ok(Box::new(GdbMemory::new(self)))
    }
}

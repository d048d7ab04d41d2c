//! [`GdbMemory`]: probe-rs's memory interface of the core, over the GDB server.

use probe_rs::MemoryInterface;
use probe_rs::architecture::arm::ap::CSW;
use probe_rs::architecture::arm::memory::ArmMemoryInterface;
use probe_rs::architecture::arm::{ArmDebugInterface, ArmError, FullyQualifiedApAddress};
use probe_rs::probe::DebugProbeError;

use super::interface::GdbInterface;

/// The Cortex-M ROM table's address (what the MEM-AP's BASE points at).
const ROM_TABLE: u64 = 0xE00F_F000;

/// Target memory as probe-rs's core code reads and writes it: 32-bit words go through the
/// emulated debug registers ([`target`](super::target)), everything else straight to `m`/`M`.
pub struct GdbMemory<'i> {
    iface: &'i mut GdbInterface,
}

impl<'i> GdbMemory<'i> {
    /// The memory behind `iface`'s MEM-AP.
    pub fn new(iface: &'i mut GdbInterface) -> Self {
        Self { iface }
    }
}

impl MemoryInterface<ArmError> for GdbMemory<'_> {
    fn supports_native_64bit_access(&mut self) -> bool {
        false
    }

    fn read_64(&mut self, address: u64, data: &mut [u64]) -> Result<(), ArmError> {
        let mut bytes = vec![0u8; data.len() * 8];
        self.read_8(address, &mut bytes)?;
        for (value, b) in data.iter_mut().zip(bytes.chunks_exact(8)) {
            *value = u64::from_le_bytes(b.try_into().expect("8 bytes"));
        }
        Ok(())
    }

    fn read_32(&mut self, address: u64, data: &mut [u32]) -> Result<(), ArmError> {
        Ok(self.iface.probe.core.read_words(address, data)?)
    }

    fn read_16(&mut self, address: u64, data: &mut [u16]) -> Result<(), ArmError> {
        let mut bytes = vec![0u8; data.len() * 2];
        self.read_8(address, &mut bytes)?;
        for (value, b) in data.iter_mut().zip(bytes.chunks_exact(2)) {
            *value = u16::from_le_bytes([b[0], b[1]]);
        }
        Ok(())
    }

    fn read_8(&mut self, address: u64, data: &mut [u8]) -> Result<(), ArmError> {
        Ok(self.iface.probe.core.read_bytes(address, data)?)
    }

    fn write_64(&mut self, address: u64, data: &[u64]) -> Result<(), ArmError> {
        let bytes: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.write_8(address, &bytes)
    }

    fn write_32(&mut self, address: u64, data: &[u32]) -> Result<(), ArmError> {
        Ok(self.iface.probe.core.write_words(address, data)?)
    }

    fn write_16(&mut self, address: u64, data: &[u16]) -> Result<(), ArmError> {
        let bytes: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.write_8(address, &bytes)
    }

    fn write_8(&mut self, address: u64, data: &[u8]) -> Result<(), ArmError> {
        Ok(self.iface.probe.core.write_bytes(address, data)?)
    }

    fn supports_8bit_transfers(&self) -> Result<bool, ArmError> {
        Ok(true)
    }

    /// Every access completes before it returns.
    fn flush(&mut self) -> Result<(), ArmError> {
        Ok(())
    }
}

impl ArmMemoryInterface for GdbMemory<'_> {
    fn fully_qualified_address(&self) -> FullyQualifiedApAddress {
        self.iface.mem_ap.clone()
    }

    fn base_address(&mut self) -> Result<u64, ArmError> {
        Ok(ROM_TABLE)
    }

    fn get_arm_debug_interface(&mut self) -> Result<&mut dyn ArmDebugInterface, DebugProbeError> {
        Ok(self.iface)
    }

    fn generic_status(&mut self) -> Result<CSW, ArmError> {
        Ok(CSW::from_raw(self.iface.csw))
    }
}

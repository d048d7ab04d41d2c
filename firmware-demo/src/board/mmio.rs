//! A peripheral's 32-bit memory-mapped registers, addressed as offsets from its base address.

use core::ptr;

/// The register block of one peripheral.
#[derive(Clone, Copy)]
pub struct Registers {
    base: usize,
}

impl Registers {
    /// The registers of the peripheral at `base`.
    ///
    /// # Safety
    ///
    /// `base` is the address of a peripheral that nothing else in the program uses.
    pub const unsafe fn new(base: usize) -> Self {
        Self { base }
    }

    /// Writes `value` to the register at `offset`.
    ///
    /// # Safety
    ///
    /// `offset` is one of this peripheral's register offsets, and the write is valid for it.
    pub unsafe fn write(&self, offset: usize, value: u32) {
        // SAFETY: `base + offset` is a register of the peripheral we own (the `new` and the
        // caller's contracts).
        unsafe { ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }

    /// Reads the register at `offset`.
    ///
    /// # Safety
    ///
    /// `offset` is one of this peripheral's register offsets.
    pub unsafe fn read(&self, offset: usize) -> u32 {
        // SAFETY: `base + offset` is a register of the peripheral we own (the `new` and the
        // caller's contracts).
        unsafe { ptr::read_volatile((self.base + offset) as *const u32) }
    }
}

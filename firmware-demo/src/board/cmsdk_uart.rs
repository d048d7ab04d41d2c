//! The transmit half of an Arm CMSDK APB UART (as on the MPS2 boards and QEMU's `mps2-an386`).

use super::blocking_tx::BlockingTx;
use super::mmio::Registers;

/// Data register: write a byte to send it.
const DATA: usize = 0x00;
/// Status register: bit 0 is "transmit buffer full".
const STATE: usize = 0x04;
/// Control register: bit 0 enables the transmitter.
const CTRL: usize = 0x08;
/// Baud rate divider (QEMU does not use it for timing, but the UART refuses a divider below 16).
const BAUDDIV: usize = 0x10;

const STATE_TX_FULL: u32 = 1 << 0;
const CTRL_TX_ENABLE: u32 = 1 << 0;

/// A CMSDK UART used for transmission only. Lossless: it waits while the transmit buffer is full.
pub struct CmsdkUart {
    regs: Registers,
}

impl CmsdkUart {
    /// Enables the transmitter of the UART at `base`.
    ///
    /// # Safety
    ///
    /// `base` is the address of a CMSDK UART that nothing else in the program uses.
    pub unsafe fn new(base: usize) -> Self {
        let uart = Self {
            // SAFETY: the caller guarantees nothing else uses the UART at `base`.
            regs: unsafe { Registers::new(base) },
        };
        // SAFETY: the caller guarantees `base` is a CMSDK UART we own; these are its registers.
        unsafe {
            uart.regs.write(BAUDDIV, 16);
            uart.regs.write(CTRL, CTRL_TX_ENABLE);
        }
        uart
    }
}

impl BlockingTx for CmsdkUart {
    fn write_byte(&mut self, byte: u8) {
        // SAFETY: STATE and DATA are registers of this UART.
        unsafe {
            while self.regs.read(STATE) & STATE_TX_FULL != 0 {}
            self.regs.write(DATA, u32::from(byte));
        }
    }
}

//! The transmit half of the nRF51 UART peripheral (as on the BBC micro:bit v1 and QEMU's
//! `microbit`).

use super::mmio::Registers;
use crate::link::Link;

const TASKS_STARTTX: usize = 0x008;
const EVENTS_TXDRDY: usize = 0x11C;
const ENABLE: usize = 0x500;
const PSELTXD: usize = 0x50C;
const TXD: usize = 0x51C;
const BAUDRATE: usize = 0x524;

const ENABLE_UART: u32 = 4;
/// 115200 baud.
const BAUD_115200: u32 = 0x01D7_E000;

/// An nRF51 UART used for transmission only. Lossless: it waits for each byte to go out.
pub struct Nrf51Uart {
    regs: Registers,
}

impl Nrf51Uart {
    /// Routes TX to `tx_pin`, enables the UART at `base` and starts its transmitter.
    ///
    /// # Safety
    ///
    /// `base` is the address of an nRF51 UART that nothing else in the program uses.
    pub unsafe fn new(base: usize, tx_pin: u32) -> Self {
        let uart = Self {
            // SAFETY: the caller guarantees nothing else uses the UART at `base`.
            regs: unsafe { Registers::new(base) },
        };
        // SAFETY: the caller guarantees `base` is an nRF51 UART we own; these are its registers.
        unsafe {
            uart.regs.write(PSELTXD, tx_pin);
            uart.regs.write(BAUDRATE, BAUD_115200);
            uart.regs.write(ENABLE, ENABLE_UART);
            uart.regs.write(TASKS_STARTTX, 1);
        }
        uart
    }

    fn write_byte(&mut self, byte: u8) {
        // SAFETY: EVENTS_TXDRDY and TXD are registers of this UART.
        unsafe {
            self.regs.write(EVENTS_TXDRDY, 0);
            self.regs.write(TXD, u32::from(byte));
            while self.regs.read(EVENTS_TXDRDY) == 0 {}
        }
    }
}

impl Link for Nrf51Uart {
    fn send_frame(&mut self, frame: &[u8]) -> bool {
        for &byte in frame {
            self.write_byte(byte);
        }
        true
    }
}

//! The transmit half of the nRF51 UART peripheral (as on the BBC micro:bit v1 and QEMU's
//! `microbit`).

use super::blocking_tx::BlockingTx;
use super::nrf_peripheral::NrfPeripheral;

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
    uart: NrfPeripheral,
}

impl Nrf51Uart {
    /// Routes TX to `tx_pin`, enables the UART at `base` and starts its transmitter.
    ///
    /// # Safety
    ///
    /// `base` is the address of an nRF51 UART that nothing else in the program uses.
    pub unsafe fn new(base: usize, tx_pin: u32) -> Self {
        // SAFETY: the caller guarantees nothing else uses the UART at `base`.
        let uart = unsafe { NrfPeripheral::new(base) };
        // SAFETY: the caller guarantees `base` is an nRF51 UART we own; these are its registers
        // and STARTTX is its task.
        unsafe {
            uart.regs().write(PSELTXD, tx_pin);
            uart.regs().write(BAUDRATE, BAUD_115200);
            uart.regs().write(ENABLE, ENABLE_UART);
            uart.trigger(TASKS_STARTTX);
        }
        Self { uart }
    }
}

impl BlockingTx for Nrf51Uart {
    fn write_byte(&mut self, byte: u8) {
        // SAFETY: TXD is a register and TXDRDY an event of this UART.
        unsafe {
            self.uart.clear(EVENTS_TXDRDY);
            self.uart.regs().write(TXD, u32::from(byte));
            self.uart.wait(EVENTS_TXDRDY);
        }
    }
}

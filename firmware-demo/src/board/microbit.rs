//! QEMU `-machine microbit` (BBC micro:bit v1): nRF51822, Cortex-M0 at 16 MHz, frames on the UART
//! (QEMU's first `-serial`). Built for `thumbv6m-none-eabi`, where the ring's atomics come from
//! `portable-atomic` with `unsafe-assume-single-core`.

use super::nrf51_uart::Nrf51Uart;
use super::qemu_board::QemuBoard;

/// The nRF51 UART0 base address.
const UART0: usize = 0x4000_2000;
/// The micro:bit's USB-serial TX pin (P0.24).
const TX_PIN: u32 = 24;

/// The micro:bit board.
pub type Microbit = QemuBoard<Nrf51Uart, 16_000_000>;

/// Sets up the board. Call once.
pub fn init() -> Microbit {
    // SAFETY: UART0 is at this address on the nRF51, and only this board value uses it.
    QemuBoard::new("microbit", unsafe { Nrf51Uart::new(UART0, TX_PIN) })
}

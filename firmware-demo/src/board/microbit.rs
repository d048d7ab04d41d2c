//! QEMU `-machine microbit` (BBC micro:bit v1): nRF51822, Cortex-M0 at 16 MHz, frames on the UART
//! (QEMU's first `-serial`). Built for `thumbv6m-none-eabi`, where the ring's atomics come from
//! `portable-atomic` with `unsafe-assume-single-core`.

use super::Board;
use super::nrf51_uart::Nrf51Uart;
use super::qemu_exit;

/// The nRF51 UART0 base address.
const UART0: usize = 0x4000_2000;
/// The micro:bit's USB-serial TX pin (P0.24).
const TX_PIN: u32 = 24;

/// The micro:bit board.
pub struct Microbit {
    uart: Nrf51Uart,
}

/// Sets up the board. Call once.
pub fn init() -> Microbit {
    // SAFETY: UART0 is at this address on the nRF51, and only this board value uses it.
    let uart = unsafe { Nrf51Uart::new(UART0, TX_PIN) };
    Microbit { uart }
}

impl Board for Microbit {
    type Link = Nrf51Uart;
    const CORE_HZ: u32 = 16_000_000;

    fn boot_id(&mut self) -> u32 {
        // QEMU boots the same way every time; a real board must use a fresh value (see nrf52840).
        qemu_exit::BOOT_ID
    }

    fn link(&mut self) -> &mut Nrf51Uart {
        &mut self.uart
    }

    fn cycle_done(&mut self) {
        qemu_exit::success();
    }
}

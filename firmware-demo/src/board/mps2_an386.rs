//! QEMU `-machine mps2-an386`: Cortex-M4 at 25 MHz, frames on UART0 (QEMU's first `-serial`).

use super::Board;
use super::cmsdk_uart::CmsdkUart;
use super::qemu_exit;

/// UART0's base address on the MPS2 AN386 image.
const UART0: usize = 0x4000_4000;

/// The MPS2 AN386 board.
pub struct Mps2An386 {
    uart: CmsdkUart,
}

/// Sets up the board. Call once.
pub fn init() -> Mps2An386 {
    // SAFETY: UART0 is at this address on AN386, and only this board value uses it.
    let uart = unsafe { CmsdkUart::new(UART0) };
    Mps2An386 { uart }
}

impl Board for Mps2An386 {
    type Link = CmsdkUart;
    const CORE_HZ: u32 = 25_000_000;

    fn boot_id(&mut self) -> u32 {
        // QEMU boots the same way every time; a real board must use a fresh value (see nrf52840).
        qemu_exit::BOOT_ID
    }

    fn link(&mut self) -> &mut CmsdkUart {
        &mut self.uart
    }

    fn cycle_done(&mut self) {
        qemu_exit::success();
    }
}

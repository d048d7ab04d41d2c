//! QEMU `-machine mps2-an386`: Cortex-M4 at 25 MHz, frames on UART0 (QEMU's first `-serial`).

use super::cmsdk_uart::CmsdkUart;
use super::qemu_board::QemuBoard;

/// UART0's base address on the MPS2 AN386 image.
const UART0: usize = 0x4000_4000;

/// The MPS2 AN386 board.
pub type Mps2An386 = QemuBoard<CmsdkUart, 25_000_000>;

/// Sets up the board. Call once.
pub fn init() -> Mps2An386 {
    // SAFETY: UART0 is at this address on AN386, and only this board value uses it.
    QemuBoard::new(unsafe { CmsdkUart::new(UART0) })
}

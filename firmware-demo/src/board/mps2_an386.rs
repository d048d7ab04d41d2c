//! QEMU `-machine mps2-an386`: Cortex-M4 at 25 MHz, frames on UART0 (QEMU's first `-serial`),
//! or, with the `rtt` feature, on RTT exactly as on the nRF52840 (up channel 0 `defmt` for the
//! log lines, 1 `ph-eventing` for the frames), read through QEMU's GDB server with
//! `ph-tap attach --gdb`.

use super::qemu_board::QemuBoard;

/// The MPS2 AN386 board's core clock.
const CORE_HZ: u32 = 25_000_000;

#[cfg(not(feature = "rtt"))]
mod link {
    use super::super::cmsdk_uart::CmsdkUart;

    /// UART0's base address on the MPS2 AN386 image.
    const UART0: usize = 0x4000_4000;

    pub type Link = CmsdkUart;

    pub fn init() -> Link {
        // SAFETY: UART0 is at this address on AN386, and only this board value uses it.
        unsafe { CmsdkUart::new(UART0) }
    }
}

#[cfg(feature = "rtt")]
mod link {
    pub use super::super::rtt_link::{RttLink as Link, init};
}

/// The MPS2 AN386 board.
pub type Mps2An386 = QemuBoard<link::Link, CORE_HZ>;

/// Sets up the board. Call once.
pub fn init() -> Mps2An386 {
    QemuBoard::new("mps2-an386", link::init())
}

//! The QEMU boards (`mps2-an386`, `microbit`): frames on a link, the fixed QEMU boot id, and the
//! end of the emulation after the first demo cycle. A board module picks the link (a UART, or
//! RTT with the `rtt` feature) and the clock.

use super::Board;
use super::qemu_exit;
use crate::link::Link;

/// A QEMU board whose link is `U` and whose core runs at `CORE_HZ`.
pub struct QemuBoard<U, const CORE_HZ: u32> {
    name: &'static str,
    link: U,
}

impl<U, const CORE_HZ: u32> QemuBoard<U, CORE_HZ> {
    /// The board called `name` (its QEMU machine), sending frames on `link`.
    pub const fn new(name: &'static str, link: U) -> Self {
        Self { name, link }
    }
}

impl<U: Link, const CORE_HZ: u32> Board for QemuBoard<U, CORE_HZ> {
    type Link = U;
    const CORE_HZ: u32 = CORE_HZ;

    fn name(&self) -> &'static str {
        self.name
    }

    fn boot_id(&mut self) -> u32 {
        // QEMU boots the same way every time; a real board must use a fresh value (see nrf52840).
        qemu_exit::BOOT_ID
    }

    fn link(&mut self) -> &mut U {
        &mut self.link
    }

    fn cycle_done(&mut self) {
        // An RTT build runs on like a real board: a debugger reads it while it runs, and ends
        // the run itself.
        #[cfg(not(feature = "rtt"))]
        qemu_exit::success();
    }
}

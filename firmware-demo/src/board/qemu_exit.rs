//! Ending a QEMU run: semihosting exit (QEMU needs `-semihosting-config enable=on,target=native`).
//! A panic ends the run with a failure status and its message on QEMU's standard output.

use cortex_m_semihosting::{debug, hprintln};

/// The boot id of the QEMU boards: an emulated boot is identical every time, and the end-to-end
/// tests check that the host reports it.
pub const BOOT_ID: u32 = 0x9E11_0001;

/// Ends the emulation with exit status 0 (not in an RTT build, which runs until the debugger
/// that reads it stops QEMU).
#[cfg(any(not(feature = "rtt"), feature = "measure"))]
pub fn success() -> ! {
    debug::exit(debug::EXIT_SUCCESS);
    // Only reached when not running under a semihosting-capable host.
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("firmware-demo panicked: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

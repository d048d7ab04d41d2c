//! Ending a QEMU run: semihosting exit (QEMU needs `-semihosting-config enable=on,target=native`).
//! On the UART builds a panic ends the run with a failure status and its message on QEMU's
//! standard output; an RTT build panics as the nRF52840 does (panic-probe, see `main.rs`).

#[cfg(any(not(feature = "rtt"), feature = "measure"))]
use cortex_m_semihosting::debug;

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

#[cfg(not(feature = "rtt"))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    cortex_m_semihosting::hprintln!("firmware-demo panicked: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

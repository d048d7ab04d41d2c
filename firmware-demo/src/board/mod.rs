//! Board support, one module per board, selected by a cargo feature. Everything else is shared.
//!
//! A board provides a [`Board`]: the core clock (for SysTick), the [`Link`] that carries frames to
//! the host, and what to do when a demo cycle ends. To port the demo to another chip, add a module
//! here with its own `memory/<board>.x` (see `build.rs`) and a feature in `Cargo.toml`.

use crate::link::Link;

#[cfg(any(
    all(feature = "mps2-an386", not(feature = "rtt")),
    feature = "microbit",
    feature = "nrf52840"
))]
mod mmio;

#[cfg(any(
    all(feature = "mps2-an386", not(feature = "rtt")),
    feature = "microbit"
))]
mod blocking_tx;
#[cfg(any(feature = "microbit", feature = "nrf52840"))]
mod nrf_peripheral;
#[cfg(any(feature = "mps2-an386", feature = "microbit"))]
mod qemu_board;
#[cfg(any(feature = "mps2-an386", feature = "microbit"))]
mod qemu_exit;
/// Ends a `measure` run (QEMU boards only).
#[cfg(all(feature = "measure", any(feature = "mps2-an386", feature = "microbit")))]
pub use qemu_exit::success as finish_measurement;
#[cfg(all(
    feature = "measure",
    not(any(feature = "mps2-an386", feature = "microbit"))
))]
compile_error!("the `measure` feature runs under QEMU: use it with `mps2-an386` or `microbit`");

#[cfg(feature = "rtt")]
mod rtt_link;

#[cfg(all(feature = "mps2-an386", not(feature = "rtt")))]
mod cmsdk_uart;
#[cfg(feature = "mps2-an386")]
mod mps2_an386;
#[cfg(feature = "mps2-an386")]
pub use mps2_an386::init;

#[cfg(feature = "microbit")]
mod microbit;
#[cfg(feature = "microbit")]
mod nrf51_uart;
#[cfg(feature = "microbit")]
pub use microbit::init;

#[cfg(feature = "nrf52840")]
mod nrf52840;
#[cfg(feature = "nrf52840")]
mod nrf_rng;
#[cfg(feature = "nrf52840")]
pub use nrf52840::init;

/// What the shared application needs from a board.
pub trait Board {
    /// The byte link to the host.
    type Link: Link;
    /// Core clock in Hz: SysTick counts it.
    const CORE_HZ: u32;
    /// The board's name, for the boot log line.
    fn name(&self) -> &'static str;
    /// A value that differs from one boot to the next (the host tells a reset from a sequence
    /// wrap by it).
    fn boot_id(&mut self) -> u32;
    /// The link, to send frames.
    fn link(&mut self) -> &mut Self::Link;
    /// Called after each demo cycle, once its summary frame is out. Boards that run forever return
    /// (the next cycle starts); the QEMU boards end the emulation with success here.
    fn cycle_done(&mut self);
}

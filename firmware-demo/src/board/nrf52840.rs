//! nRF52840 (Cortex-M4F at 64 MHz): defmt log lines on RTT up channel 0 `defmt`, frames on up
//! channel 1 `ph-eventing`, both read by `ph-tap run` (or `ph-tap attach` for the frames alone).
//! A panic is panic-probe's: its message through defmt, then a HardFault (see `main.rs`).

use super::Board;
use super::nrf_rng;
use super::rtt_link::{self, RttLink};

/// The nRF52840 board.
pub struct Nrf52840 {
    rtt: RttLink,
}

/// Sets up the board: its RTT control block and up channels. Call once.
pub fn init() -> Nrf52840 {
    Nrf52840 {
        rtt: rtt_link::init(),
    }
}

impl Board for Nrf52840 {
    type Link = RttLink;
    const CORE_HZ: u32 = 64_000_000;

    fn name(&self) -> &'static str {
        "nRF52840"
    }

    fn boot_id(&mut self) -> u32 {
        nrf_rng::random_u32()
    }

    fn link(&mut self) -> &mut RttLink {
        &mut self.rtt
    }

    fn cycle_done(&mut self) {}
}

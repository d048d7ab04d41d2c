//! nRF52840 (Cortex-M4F at 64 MHz): frames on RTT up channel 0, read by `ph-tap attach`.

use rtt_target::{ChannelMode, UpChannel, rtt_init};

use super::Board;
use super::nrf_rng;
use crate::link::Link;

/// Size of the RTT up buffer in RAM. Small on purpose: during the demo's burst phase the host
/// cannot keep up and whole frames are skipped (`LINK LOSS` in `ph-tap`). Raise it (e.g. 4096)
/// for a lossless link at the normal rate.
const RTT_UP_BUFFER: usize = 1024;

/// The nRF52840 board.
pub struct Nrf52840 {
    rtt: RttLink,
}

/// An RTT up channel in `NoBlockSkip` mode: a frame that does not fit in the free space is
/// dropped whole, so the firmware never waits for the host and the host never sees half a frame.
pub struct RttLink {
    up: UpChannel,
}

/// Sets up the RTT control block (`_SEGGER_RTT`) and its up channel 0. Call once.
pub fn init() -> Nrf52840 {
    let channels = rtt_init! {
        up: {
            0: {
                size: RTT_UP_BUFFER,
                mode: ChannelMode::NoBlockSkip,
                name: "ph-eventing"
            }
        }
    };
    Nrf52840 {
        rtt: RttLink { up: channels.up.0 },
    }
}

impl Link for RttLink {
    fn send_frame(&mut self, frame: &[u8]) -> bool {
        // In NoBlockSkip mode a write that does not fit is not committed at all; it then reports
        // fewer bytes than asked.
        self.up.write(frame) == frame.len()
    }
}

impl Board for Nrf52840 {
    type Link = RttLink;
    const CORE_HZ: u32 = 64_000_000;

    fn boot_id(&mut self) -> u32 {
        nrf_rng::random_u32()
    }

    fn link(&mut self) -> &mut RttLink {
        &mut self.rtt
    }

    fn cycle_done(&mut self) {}
}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    // Stop here with interrupts off: sampling stops, and a debugger (`probe-rs`) shows where.
    cortex_m::interrupt::disable();
    loop {
        core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
    }
}

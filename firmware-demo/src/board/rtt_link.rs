//! The RTT link every RTT board uses (the nRF52840, and QEMU's `mps2-an386` with the `rtt`
//! feature): one control block `_SEGGER_RTT` with up channel 0, `NoBlockSkip`.

use rtt_target::{ChannelMode, UpChannel, rtt_init};

use crate::link::Link;

/// Size of the RTT up buffer in RAM. Small on purpose: during the demo's burst phase the host
/// cannot keep up and whole frames are skipped (`LINK LOSS` in `ph-tap`). Raise it (e.g. 4096)
/// for a lossless link at the normal rate.
pub const RTT_UP_BUFFER: usize = 1024;

/// An RTT up channel in `NoBlockSkip` mode: a frame that does not fit in the free space is
/// dropped whole, so the firmware never waits for the host and the host never sees half a frame.
pub struct RttLink {
    up: UpChannel,
}

/// Sets up the RTT control block (`_SEGGER_RTT`) and its up channel 0. Call once.
pub fn init() -> RttLink {
    let channels = rtt_init! {
        up: {
            0: {
                size: RTT_UP_BUFFER,
                mode: ChannelMode::NoBlockSkip,
                name: "ph-eventing"
            }
        }
    };
    RttLink { up: channels.up.0 }
}

impl Link for RttLink {
    fn send_frame(&mut self, frame: &[u8]) -> bool {
        // In NoBlockSkip mode a write that does not fit is not committed at all; it then reports
        // fewer bytes than asked.
        self.up.write(frame) == frame.len()
    }
}

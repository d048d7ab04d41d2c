//! The RTT set-up every RTT board uses (the nRF52840, and QEMU's `mps2-an386` with the `rtt`
//! feature): one control block `_SEGGER_RTT` with two up channels, both `NoBlockSkip`:
//!
//! | up channel | name          | size            | carries                                   |
//! |------------|---------------|-----------------|-------------------------------------------|
//! | 0          | `defmt`       | [`DEFMT_BUFFER`]  | the defmt log lines (`src/log.rs`)        |
//! | 1          | `ph-eventing` | [`RTT_UP_BUFFER`] | the telemetry frames ([`RttLink`])        |
//!
//! Neither ever waits for the host. The telemetry channel drops a frame that does not fit whole
//! (the host counts it as a link loss). The defmt channel drops what does not fit too: defmt
//! writes a line byte by byte, so a full buffer cuts a line short, and the host's defmt decoder
//! reports that line as malformed and goes on at the next one. A log line never stalls the
//! telemetry, and the telemetry has its own buffer, so the logs never take its room.

use rtt_target::{ChannelMode, UpChannel, rtt_init, set_defmt_channel};

use crate::link::Link;

/// Size of the telemetry up buffer in RAM. Small on purpose: during the demo's burst phase the
/// host cannot keep up and whole frames are skipped (`LINK LOSS` in `ph-tap`). Raise it (e.g.
/// 4096) for a lossless link at the normal rate.
pub const RTT_UP_BUFFER: usize = 1024;

/// Size of the defmt up buffer in RAM: a demo cycle logs about ten lines of 10 to 40 bytes each.
pub const DEFMT_BUFFER: usize = 1024;

/// An RTT up channel in `NoBlockSkip` mode: a frame that does not fit in the free space is
/// dropped whole, so the firmware never waits for the host and the host never sees half a frame.
pub struct RttLink {
    up: UpChannel,
}

/// Sets up the RTT control block (`_SEGGER_RTT`) with its up channels 0 (`defmt`, handed to the
/// defmt logger) and 1 (`ph-eventing`, returned as the link). Call once.
pub fn init() -> RttLink {
    let channels = rtt_init! {
        up: {
            0: {
                size: DEFMT_BUFFER,
                mode: ChannelMode::NoBlockSkip,
                name: "defmt"
            }
            1: {
                size: RTT_UP_BUFFER,
                mode: ChannelMode::NoBlockSkip,
                name: "ph-eventing"
            }
        }
    };
    set_defmt_channel(channels.up.0);
    RttLink { up: channels.up.1 }
}

impl Link for RttLink {
    fn send_frame(&mut self, frame: &[u8]) -> bool {
        // In NoBlockSkip mode a write that does not fit is not committed at all; it then reports
        // fewer bytes than asked.
        self.up.write(frame) == frame.len()
    }
}

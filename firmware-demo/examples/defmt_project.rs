//! The README's "Adding telemetry to an existing defmt project", as a program the checks build
//! (`scripts/checks/40-firmware.sh`, for the nRF52840), so the snippet stays true to the API.
//!
//! Everything between the two `README` marks is the snippet; around it is what any such project
//! already has: its value type, a boot id, a panic handler, and an interrupt pushing readings.
//!
//! ```text
//! cargo build --release --example defmt_project     # in firmware-demo/
//! ```

#![no_std]
#![no_main]

use panic_probe as _;
use postcard::experimental::max_size::MaxSize;
use postcard_schema::Schema;
use serde::Serialize;

/// The project's value type, deriving what `telemetry::Event` derives.
#[derive(Clone, Copy, Serialize, Schema, MaxSize)]
struct Reading {
    millivolts: u16,
    counter: u32,
}

/// A fresh value every boot: a hardware RNG in a real project (here, a fixed one).
fn boot_id() -> u32 {
    0x5EED_0001
}

/// The producer: an interrupt handler pushing a reading now and then.
#[cortex_m_rt::exception]
fn SysTick() {
    static mut COUNTER: u32 = 0;
    *COUNTER = COUNTER.wrapping_add(1);
    RING.producer().push(Reading {
        millivolts: 3300,
        counter: *COUNTER,
    });
}

// README start
use ph_eventing::SwapRing;
use ph_eventing_wire::drain::Drainer;
use rtt_target::{ChannelMode, rtt_init, set_defmt_channel};

// Producers push into it, e.g. from an interrupt: `RING.producer().push(reading)`. A `SwapRing`,
// as `Reading` has padding; for plain data without padding, `SeqRing` is the faster ring.
static RING: SwapRing<Reading, 64> = SwapRing::new();

#[cortex_m_rt::entry]
fn main() -> ! {
    let channels = rtt_init! {
        up: {
            0: { size: 1024, mode: ChannelMode::NoBlockSkip, name: "defmt" }
            1: { size: 1024, mode: ChannelMode::NoBlockSkip, name: "ph-eventing" }
        }
    };
    set_defmt_channel(channels.up.0); // defmt::info! etc. go on as before
    let mut telemetry = channels.up.1;
    defmt::info!("telemetry on RTT up channel 1");

    let mut consumer = RING.consumer();
    let mut drainer = Drainer::new(boot_id()); // a fresh value every boot (a hardware RNG)
    let mut buf = [0u8; Drainer::buffer_needed::<Reading>()]; // a data frame, a hello
    loop {
        drainer
            .drain(&mut consumer, 16, &mut buf, |frame| {
                telemetry.write(frame) == frame.len() // NoBlockSkip: the whole frame, or nothing
            })
            .expect("buf fits Reading's frames");
        cortex_m::asm::wfi();
    }
}
// README end

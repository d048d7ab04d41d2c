//! ph-eventing reference firmware: a SysTick interrupt fills `static` rings, the main loop
//! drains them with `poll_up_to` and sends every item as a `ph-eventing-wire` frame over the board's
//! link (RTT on the nRF52840, a UART under QEMU). The RTT builds also log with defmt on a second
//! RTT channel (`log.rs`), and panic through panic-probe. See README.md.
#![no_std]
#![no_main]
#![deny(unsafe_op_in_unsafe_fn)]
// A `measure` build runs the instruction-count probes instead of the demo, whose code is then
// unused (it is still compiled, so both builds keep working).
#![cfg_attr(feature = "measure", allow(dead_code, unused_imports))]

mod app;
mod board;
mod config;
mod link;
mod log;
#[cfg(feature = "measure")]
mod measure;
mod sampler;
mod telemetry;

use cortex_m_rt::entry;
// The RTT builds' panic handler: the message as a defmt ERROR line, then a HardFault (`udf`) that
// a debugger catches. The UART builds have their own (`board/qemu_exit.rs`).
#[cfg(feature = "rtt")]
use panic_probe as _;

use board::Board;

#[cfg(not(feature = "measure"))]
#[entry]
fn main() -> ! {
    let core = cortex_m::Peripherals::take().expect("core peripherals are taken once");
    let mut board = board::init();
    let boot_id = board.boot_id();
    app::App::new(board, core.SYST, boot_id).run()
}

#[cfg(feature = "measure")]
#[entry]
fn main() -> ! {
    measure::run()
}

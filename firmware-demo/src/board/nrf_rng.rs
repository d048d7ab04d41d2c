//! A random `u32` from the nRF52 RNG peripheral, for the boot id.

use super::nrf_peripheral::NrfPeripheral;

/// The RNG's base address on the nRF52 series.
const RNG: usize = 0x4000_D000;
const TASKS_START: usize = 0x000;
const TASKS_STOP: usize = 0x004;
const EVENTS_VALRDY: usize = 0x100;
const CONFIG: usize = 0x504;
const VALUE: usize = 0x508;
/// CONFIG bit 0: bias correction (uniform bytes, a little slower).
const CONFIG_DERCEN: u32 = 1;

/// Four bytes from the hardware RNG (about 0.1 ms with bias correction).
pub fn random_u32() -> u32 {
    let mut value = 0u32;
    // SAFETY: these are the nRF52 RNG's registers, tasks and event; nothing else in the firmware
    // uses the RNG, and it is only used here, once, before interrupts are enabled.
    unsafe {
        let rng = NrfPeripheral::new(RNG);
        rng.regs().write(CONFIG, CONFIG_DERCEN);
        rng.clear(EVENTS_VALRDY);
        rng.trigger(TASKS_START);
        for _ in 0..4 {
            rng.wait(EVENTS_VALRDY);
            rng.clear(EVENTS_VALRDY);
            value = (value << 8) | (rng.regs().read(VALUE) & 0xFF);
        }
        rng.trigger(TASKS_STOP);
    }
    value
}

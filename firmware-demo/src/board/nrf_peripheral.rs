//! The task/event model of every nRF51 and nRF52 peripheral: writing 1 to a *task* register
//! starts the task; an *event* register reads non-zero once the event happened and stays so until
//! written 0. The UART (nRF51) and the RNG (nRF52) wait for their events the same way.

use super::mmio::Registers;

/// One nRF peripheral: its registers, with its tasks and events.
pub struct NrfPeripheral {
    regs: Registers,
}

impl NrfPeripheral {
    /// The peripheral at `base`.
    ///
    /// # Safety
    ///
    /// `base` is the address of an nRF peripheral that nothing else in the program uses.
    pub const unsafe fn new(base: usize) -> Self {
        Self {
            // SAFETY: the caller's contract is `Registers::new`'s.
            regs: unsafe { Registers::new(base) },
        }
    }

    /// Its plain registers (configuration, data).
    pub fn regs(&self) -> &Registers {
        &self.regs
    }

    /// Starts the task at offset `task`.
    ///
    /// # Safety
    ///
    /// `task` is one of this peripheral's task registers.
    pub unsafe fn trigger(&self, task: usize) {
        // SAFETY: a task register of the peripheral we own (the caller's contract).
        unsafe { self.regs.write(task, 1) }
    }

    /// Clears the event at offset `event`.
    ///
    /// # Safety
    ///
    /// `event` is one of this peripheral's event registers.
    pub unsafe fn clear(&self, event: usize) {
        // SAFETY: an event register of the peripheral we own (the caller's contract).
        unsafe { self.regs.write(event, 0) }
    }

    /// Waits until the event at offset `event` has happened (it stays set until cleared).
    ///
    /// # Safety
    ///
    /// `event` is one of this peripheral's event registers.
    pub unsafe fn wait(&self, event: usize) {
        // SAFETY: an event register of the peripheral we own (the caller's contract).
        while unsafe { self.regs.read(event) } == 0 {}
    }
}

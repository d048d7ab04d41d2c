//! Links that send a frame byte by byte, waiting while the transmitter is busy: the QEMU boards'
//! UARTs. Lossless, so [`Link::send_frame`] always reports the whole frame written.

use crate::link::Link;

/// A transmitter that takes one byte at a time and waits until it can.
pub trait BlockingTx {
    /// Sends `byte`, waiting while the transmitter is busy.
    fn write_byte(&mut self, byte: u8);
}

impl<T: BlockingTx> Link for T {
    fn send_frame(&mut self, frame: &[u8]) -> bool {
        for &byte in frame {
            self.write_byte(byte);
        }
        true
    }
}

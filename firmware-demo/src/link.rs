//! The byte link that carries frames to the host: RTT on real hardware, a UART under QEMU.

/// Where encoded frames go.
pub trait Link {
    /// Sends one whole frame, or nothing of it. Returns `false` when the link dropped it (an RTT
    /// buffer that is full); the host then reports the missing sequence numbers as `LINK LOSS`.
    ///
    /// It must never wait for the host: a UART may block while the bytes shift out, but an RTT
    /// link must not stall when no debugger reads it.
    fn send_frame(&mut self, frame: &[u8]) -> bool;
}

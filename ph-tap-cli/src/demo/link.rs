//! A lossy link between the simulated target and ph-tap: whole frames are refused (as an RTT
//! buffer that is full refuses them, telling the sender) and single bytes are damaged, at
//! seeded, deterministic points.

use super::rng::Rng;

/// Per-frame loss and damage rates, in per mille.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkFaults {
    /// Chance that a whole frame is refused (lost, and the sender is told).
    pub lose_per_mille: u32,
    /// Chance that one byte of a frame is damaged (the frame arrives corrupt).
    pub damage_per_mille: u32,
}

impl LinkFaults {
    /// A perfect link.
    pub const NONE: Self = Self {
        lose_per_mille: 0,
        damage_per_mille: 0,
    };
}

/// Passes frames through, losing or damaging some.
#[derive(Clone, Debug)]
pub struct LossyLink {
    faults: LinkFaults,
    rng: Rng,
}

impl LossyLink {
    /// A link with these faults, decided by a generator seeded with `seed`.
    pub fn new(faults: LinkFaults, seed: u64) -> Self {
        Self {
            faults,
            rng: Rng::new(seed ^ 0x4C49_4E4B),
        }
    }

    /// Sends one encoded frame (delimiter included), appending what arrives to `out`. Returns
    /// `false` when the whole frame was refused (the drainer's sink reports that, so the next
    /// data frame is a full one); a damaged frame was sent, so that is `true`.
    pub fn send(&mut self, frame: &[u8], out: &mut Vec<u8>) -> bool {
        // The drainer hands over the boot hello with the boot-time delimiter in front, in one
        // call. The link decides the delimiter's fate on its own, as when it came in a call of
        // its own: the seeded faults, and so tests/data, stay what they were.
        if let [0, hello @ ..] = frame
            && !hello.is_empty()
        {
            self.send_one(&[0], out);
            return self.send_one(hello, out);
        }
        self.send_one(frame, out)
    }

    /// [`send`](Self::send) for one frame, or for the lone delimiter.
    fn send_one(&mut self, frame: &[u8], out: &mut Vec<u8>) -> bool {
        if self.rng.chance(self.faults.lose_per_mille) {
            return false;
        }
        let start = out.len();
        out.extend_from_slice(frame);
        // Never damage a lone delimiter (the boot-time 0x00); damage a body byte into another
        // non-zero byte so framing survives and the checksum catches it.
        if frame.len() > 2 && self.rng.chance(self.faults.damage_per_mille) {
            let at = start + self.rng.below(frame.len() as u32 - 1) as usize;
            let flipped = out[at] ^ (1 << self.rng.below(8));
            out[at] = if flipped == 0 { 0x5A } else { flipped };
        }
        true
    }
}

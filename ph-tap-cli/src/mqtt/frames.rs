//! Cutting the telemetry channel's bytes into MQTT messages of whole frames: a message lost
//! is then whole frames, which the far end's accounting counts exactly as a LINK LOSS.

/// The largest message [`FrameBatcher`] makes, unless one frame alone is larger.
pub const MAX_MESSAGE: usize = 16 * 1024;

/// One message: whole frames (each ending in its `0x00` delimiter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The bytes.
    pub payload: Vec<u8>,
    /// The frames in it (delimiters after at least one byte; a lone `0x00` is no frame).
    pub frames: u64,
}

/// Cuts a byte stream at frame delimiters (`0x00`) into [`Message`]s of whole frames, at most
/// `max` bytes each unless one frame is longer; the bytes after the last delimiter of a chunk
/// are carried over to the next.
///
/// ```
/// use ph_tap::mqtt::FrameBatcher;
/// let mut batcher = FrameBatcher::new(6);
/// let out = batcher.push(&[1, 2, 0, 3, 0, 4, 5]);
/// assert_eq!(out.len(), 1);
/// assert_eq!((out[0].payload.as_slice(), out[0].frames), (&[1, 2, 0, 3, 0][..], 2));
/// let out = batcher.push(&[6, 0, 7, 7, 7, 7, 7, 7, 0, 8]);
/// let payloads: Vec<&[u8]> = out.iter().map(|m| m.payload.as_slice()).collect();
/// assert_eq!(payloads, [&[4, 5, 6, 0][..], &[7, 7, 7, 7, 7, 7, 0]]);
/// assert_eq!(batcher.rest().unwrap().payload, [8]);
/// ```
#[derive(Debug)]
pub struct FrameBatcher {
    max: usize,
    /// A frame begun in an earlier chunk.
    carry: Vec<u8>,
}

impl FrameBatcher {
    /// A batcher making messages of at most `max` bytes (at least 1).
    pub fn new(max: usize) -> Self {
        Self {
            max: max.max(1),
            carry: Vec::new(),
        }
    }

    /// The messages of whole frames that `chunk` completes, in order.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Message> {
        let mut out = Vec::new();
        let Some(last) = chunk.iter().rposition(|&b| b == 0) else {
            self.carry.extend_from_slice(chunk);
            return out;
        };
        let (whole, tail) = chunk.split_at(last + 1);
        // The first frame may have begun in an earlier chunk.
        let mut begun = std::mem::take(&mut self.carry);
        let mut current = Vec::new();
        let mut frames = 0;
        for piece in whole.split_inclusive(|&b| b == 0) {
            let len = begun.len() + piece.len();
            if !current.is_empty() && current.len() + len > self.max {
                out.push(Message {
                    payload: std::mem::take(&mut current),
                    frames,
                });
                frames = 0;
            }
            current.append(&mut begun);
            current.extend_from_slice(piece);
            if len > 1 {
                frames += 1;
            }
        }
        if !current.is_empty() {
            out.push(Message {
                payload: current,
                frames,
            });
        }
        self.carry.extend_from_slice(tail);
        out
    }

    /// What is left: a frame begun and never ended (sent as it is when the stream ends).
    pub fn rest(&mut self) -> Option<Message> {
        (!self.carry.is_empty()).then(|| Message {
            payload: std::mem::take(&mut self.carry),
            frames: 1,
        })
    }
}

/// The values (data frames) among the frames of `payload`, telling them from hellos and
/// control frames by their first byte (WIRE.md section 2): what the far end counts as lost
/// when `payload` is. A frame that does not decode is no value.
///
/// ```
/// use ph_tap::mqtt::values_in;
/// // COBS: [0x02, 0x41] is the one-byte frame 0x41 (a compact data frame); 0x81 a hello.
/// assert_eq!(values_in(&[0x02, 0x41, 0x00, 0x02, 0x81, 0x00, 0x00]), 1);
/// ```
pub fn values_in(payload: &[u8]) -> u64 {
    let mut out = vec![0u8; payload.len()];
    payload
        .split_inclusive(|&b| b == 0)
        .filter(|frame| frame.len() > 1)
        .filter(|frame| {
            matches!(
                ph_eventing_wire::decoder::decode_one(frame, &mut out),
                Ok(n) if n > 0 && out[0] & 0xC0 != 0x80
            )
        })
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_comes_out_once_in_order_and_messages_are_whole_frames() {
        let stream: Vec<u8> = (0..5000u32)
            .flat_map(|i| {
                let len = (i * 7 % 13) as usize;
                let mut frame = vec![(i % 200 + 1) as u8; len];
                frame.push(0);
                frame
            })
            .collect();
        for (max, step) in [
            (1, 1),
            (16, 5),
            (100, 37),
            (4096, 1000),
            (MAX_MESSAGE, 4096),
        ] {
            let mut batcher = FrameBatcher::new(max);
            let mut got = Vec::new();
            let mut frames = 0;
            for chunk in stream.chunks(step) {
                for message in batcher.push(chunk) {
                    assert_eq!(message.payload.last(), Some(&0), "ends at a delimiter");
                    let whole_frames = message.payload.iter().filter(|&&b| b == 0).count();
                    assert!(
                        message.payload.len() <= max || whole_frames == 1,
                        "max {max}"
                    );
                    frames += message.frames;
                    got.extend(message.payload);
                }
            }
            assert!(batcher.rest().is_none());
            assert_eq!(got, stream, "max {max} step {step}");
            let expected = (0..5000u32).filter(|i| i * 7 % 13 != 0).count() as u64;
            assert_eq!(frames, expected);
        }
    }
}

//! The firmware side: encode data and hello frames into a caller-provided buffer, without
//! allocating. A frame on the wire is `COBS(header, fields, value, crc16) 0x00`.
//!
//! - Sizing, all `const fn`: [`max_frame_len`] (and [`max_frame_len_for`]) size the buffer for
//!   data frames, [`max_hello_len`] for hellos, [`hello_len`] is one hello's exact length.
//! - Frames: [`encode_data`] writes a full data frame, [`encode_compact`] a compact one (value
//!   only) and [`encode_hello`] a hello.
//! - The stream: [`StreamEncoder`] decides, frame by frame, which data frame the format allows
//!   (WIRE.md, section 4) and keeps the counters a full frame needs.
//!
//! ```
//! use ph_eventing_wire::encode::StreamEncoder;
//!
//! let mut buf = [0u8; 64]; // ≥ max_frame_len::<u32>() and max_hello_len::<u32>()
//! let mut wire = Vec::new();
//! let mut sink = |frame: &[u8]| { wire.extend_from_slice(frame); true };
//! let mut enc = StreamEncoder::new(0x2A);
//! enc.hello::<u32>(1, 0, &mut buf, &mut sink).unwrap();
//! enc.data(1, 0, &7u32, &mut buf, &mut sink).unwrap();
//! assert_eq!(wire.len(), 27 + 9); // the hello, then a full frame
//! ```

mod error;
mod frame;
mod schema_size;
mod size;
mod stream;
mod writer;

pub use error::EncodeError;
pub use frame::{
    DataFields, HelloFields, encode_compact, encode_data, encode_hello,
    encode_hello_after_delimiter, encode_stream_compact, encode_stream_data, encode_stream_hello,
    encode_stream_hello_after_delimiter,
};
pub use size::{hello_len, max_frame_len, max_frame_len_for, max_hello_len, stream_hello_len};
pub use stream::{DEFAULT_ANCHOR_EVERY, Sent, StreamEncoder};

//! The defmt fixture (`tests/data/defmt/`: a real defmt 1.x firmware ELF and the frames it sent,
//! see the README there), an rzcobs encoder to make frames of one's own, and a router over
//! several channels as `ph-tap attach` builds it.

use std::sync::Arc;

use ph_tap::channel::{Channel, ChannelKind};
use ph_tap::decode::{DecoderOptions, DefmtTable, for_channel};
use ph_tap::record::{ChannelId, Record};
use ph_tap::router::Router;

use super::data;

/// The fixture firmware's ELF.
pub fn elf() -> Vec<u8> {
    std::fs::read(data("defmt/fixture.elf")).unwrap()
}

/// The defmt frames the fixture firmware sent, as they came out of its UART.
pub fn frames() -> Vec<u8> {
    std::fs::read(data("defmt/fixture.bin")).unwrap()
}

/// The fixture's table.
pub fn table() -> Arc<DefmtTable> {
    Arc::new(DefmtTable::parse(&elf(), "fixture.elf").unwrap())
}

/// Decoder options with the fixture's table.
pub fn options() -> DecoderOptions {
    DecoderOptions {
        defmt: Ok(table()),
        ..DecoderOptions::default()
    }
}

/// Channel 0 `defmt` and channel 1 `ph-eventing`, as the firmware has them.
pub fn channels() -> Vec<Channel> {
    vec![
        Channel {
            id: 0,
            name: Some("defmt".into()),
            kind: ChannelKind::Defmt,
        },
        Channel {
            id: 1,
            name: Some("ph-eventing".into()),
            kind: ChannelKind::PhEventing,
        },
    ]
}

/// A router over `channels`, each decoder made by `for_channel` with `options` (as the
/// `ph-tap` commands make it).
pub fn router(channels: Vec<Channel>, options: DecoderOptions) -> Router {
    Router::new(Box::new(move |id| {
        let channel = channels.iter().find(|c| c.id == id).cloned().unwrap();
        for_channel(&channel, &options)
    }))
}

/// Feeds `chunks` (channel, bytes) in order through `router`, then finishes it.
pub fn route(router: &mut Router, chunks: &[(ChannelId, &[u8])]) -> Vec<Record> {
    let mut records = Vec::new();
    for (channel, bytes) in chunks {
        router.feed(*channel, bytes, None, &mut records);
    }
    router.finish(&mut records);
    records
}

/// The fixture's frames, each without its `0x00`, still rzcobs-encoded.
pub fn encoded_frames() -> Vec<Vec<u8>> {
    frames()
        .split(|&b| b == 0)
        .filter(|f| !f.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// rzcobs as defmt's encoder writes it (see `rzcobs_decode` in `src/decode/defmt/mod.rs`),
/// ending with the frame's `0x00`.
pub fn rzcobs_encode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut run, mut zeros) = (0u8, 0u8);
    for &byte in data {
        if run < 7 {
            if byte == 0 {
                zeros |= 1 << run;
            } else {
                out.push(byte);
            }
            run += 1;
            if run == 7 && zeros != 0 {
                out.push(zeros);
                (run, zeros) = (0, 0);
            }
        } else if byte == 0 {
            out.push((run - 7) | 0x80);
            (run, zeros) = (0, 0);
        } else {
            out.push(byte);
            run += 1;
            if run == 134 {
                out.push(0xff);
                (run, zeros) = (0, 0);
            }
        }
    }
    match run {
        0 => {}
        1..=6 => out.push((zeros | (0xff << run)) & 0x7f),
        _ => out.push((run - 7) | 0x80),
    }
    out.push(0);
    out
}

/// Undoes [`rzcobs_encode`] (one frame, without its `0x00`).
pub fn rzcobs_decode(encoded: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut bytes = encoded.iter().rev().copied();
    while let Some(code) = bytes.next() {
        match code {
            0x01..=0x7f => {
                for bit in (0..7).rev() {
                    out.push(if code & (1 << bit) == 0 {
                        bytes.next().unwrap()
                    } else {
                        0
                    });
                }
            }
            0x80..=0xfe => {
                out.push(0);
                for _ in 0..(code & 0x7f) + 7 {
                    out.push(bytes.next().unwrap());
                }
            }
            _ => {
                for _ in 0..134 {
                    out.push(bytes.next().unwrap());
                }
            }
        }
    }
    out.reverse();
    out
}

/// The fixture's frames decoded from rzcobs: `[index u16, timestamp u64, arguments...]`, in
/// the order `fixture/src/main.rs` logs them.
pub fn raw_frames() -> Vec<Vec<u8>> {
    encoded_frames().iter().map(|f| rzcobs_decode(f)).collect()
}

/// A source handing out `chunks` of the given channels in order.
pub struct Chunks {
    /// The channels it says it has.
    pub channels: Vec<Channel>,
    /// What it hands out, first first.
    pub chunks: std::collections::VecDeque<(ChannelId, Vec<u8>)>,
}

impl ph_tap::source::Source for Chunks {
    fn channels(&self) -> Vec<Channel> {
        self.channels.clone()
    }

    fn poll(&mut self, buf: &mut [u8]) -> anyhow::Result<ph_tap::source::Poll> {
        let Some((channel, mut bytes)) = self.chunks.pop_front() else {
            return Ok(ph_tap::source::Poll::End);
        };
        let len = bytes.len().min(buf.len());
        buf[..len].copy_from_slice(&bytes[..len]);
        if len < bytes.len() {
            self.chunks.push_front((channel, bytes.split_off(len)));
        }
        Ok(ph_tap::source::Poll::Data { channel, len })
    }
}

//! The source thread: polls the source and hands on what it yields, until it ends, fails, or
//! the run stops.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use crate::record::ChannelId;
use crate::source::{Poll, Source, SourceEvent};

/// What the source yielded.
pub(super) enum Chunk {
    Data { channel: ChannelId, bytes: Vec<u8> },
    Time(Duration),
    Event(SourceEvent),
    End,
    Failed(anyhow::Error),
}

/// Polls `source` into `tx` until it ends or fails, `stop` is set, or nobody listens. A chunk's
/// bytes go into a buffer the sinks' thread handed back (`recycled`) when there is one.
pub(super) fn read_loop(
    mut source: Box<dyn Source>,
    stop: &AtomicBool,
    tx: &mpsc::SyncSender<Chunk>,
    recycled: &mpsc::Receiver<Vec<u8>>,
) {
    let mut buf = vec![0u8; 32 * 1024];
    while !stop.load(Ordering::Relaxed) {
        let chunk = match source.poll(&mut buf) {
            Ok(Poll::Data { channel, len }) => {
                let mut bytes = recycled.try_recv().unwrap_or_default();
                bytes.clear();
                bytes.extend_from_slice(&buf[..len]);
                Chunk::Data { channel, bytes }
            }
            Ok(Poll::Time(at)) => Chunk::Time(at),
            Ok(Poll::Idle) => continue,
            Ok(Poll::Event(event)) => Chunk::Event(event),
            Ok(Poll::End) => Chunk::End,
            Err(err) => Chunk::Failed(err),
        };
        let last = matches!(chunk, Chunk::End | Chunk::Failed(_));
        if tx.send(chunk).is_err() || last {
            return;
        }
    }
}

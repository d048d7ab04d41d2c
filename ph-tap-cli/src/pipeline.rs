//! The one pipeline every command runs: a [`ByteSource`] read on its own thread, the decode
//! stage, the chosen output format, the status line and the summary.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::decode::Decoder;
use crate::output::record::Timed;
use crate::output::{Format, Printer};
use crate::source::{ByteSource, Poll};
use crate::value::ValueAs;

/// How the pipeline shows what it decodes.
#[derive(Clone, Debug)]
pub struct OutputOptions {
    /// `--format`.
    pub format: Format,
    /// Colour the human format.
    pub color: bool,
    /// Draw the status line on stderr.
    pub status: bool,
    /// Show arrival times and the duration (off with `--no-time` and for saved captures).
    pub time: bool,
    /// `--value-as`.
    pub value_as: ValueAs,
}

/// How the stream ended.
#[derive(Debug)]
pub enum Ending {
    /// The source finished (end of file, peer closed, demo done).
    Finished,
    /// The user pressed Ctrl-C.
    Interrupted,
    /// The source failed mid-stream (probe unplugged, connection reset).
    SourceFailed(anyhow::Error),
}

enum Chunk {
    Data(Vec<u8>),
    End,
    Failed(anyhow::Error),
}

/// Reads `source` until it ends, fails, or `stop` is set; prints to `out`; prints the summary.
///
/// A failing source is not an error here: the summary is printed first, then the caller turns
/// [`Ending::SourceFailed`] into the exit status.
pub fn run<W: Write>(
    source: Box<dyn ByteSource>,
    opts: &OutputOptions,
    stop: &Arc<AtomicBool>,
    out: W,
) -> Result<Ending> {
    let (tx, rx) = mpsc::sync_channel::<Chunk>(64);
    let reader_stop = Arc::clone(stop);
    let reader = std::thread::Builder::new()
        .name("ph-tap-source".into())
        .spawn(move || read_loop(source, &reader_stop, &tx))
        .context("cannot start the reader thread")?;

    let mut printer = Printer::new(out, opts.format, opts.color, opts.status);
    let mut decoder = Decoder::new(opts.value_as);
    let started = Instant::now();
    printer.begin()?;
    let ending = loop {
        if stop.load(Ordering::Relaxed) {
            break Ending::Interrupted;
        }
        let chunk = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(chunk) => chunk,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                printer.tick(0)?;
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break Ending::Finished,
        };
        match chunk {
            Chunk::Data(bytes) => {
                let at = opts.time.then(|| started.elapsed());
                let mut records = Vec::new();
                let warning = decoder.feed(&bytes, |record| records.push(record));
                for record in records {
                    printer.record(&Timed { record, at })?;
                }
                if let Some(warning) = warning {
                    printer.warn(&warning);
                }
                printer.tick(bytes.len())?;
            }
            Chunk::End => break Ending::Finished,
            Chunk::Failed(err) => break Ending::SourceFailed(err),
        }
    };
    stop.store(true, Ordering::Relaxed);
    drop(rx);
    let mut records = Vec::new();
    decoder.finish(|record| records.push(record));
    for record in records {
        printer.record(&Timed { record, at: None })?;
    }
    printer.finish(opts.time)?;
    // The reader notices `stop` within one poll; a blocking read (stdin) may not return, and
    // the thread then ends with the process.
    if !matches!(ending, Ending::Interrupted) {
        let _ = reader.join();
    }
    Ok(ending)
}

fn read_loop(mut source: Box<dyn ByteSource>, stop: &AtomicBool, tx: &mpsc::SyncSender<Chunk>) {
    let mut buf = vec![0u8; 16 * 1024];
    while !stop.load(Ordering::Relaxed) {
        let chunk = match source.poll(&mut buf) {
            Ok(Poll::Data(n)) => Chunk::Data(buf[..n].to_vec()),
            Ok(Poll::Idle) => continue,
            Ok(Poll::End) => Chunk::End,
            Err(err) => Chunk::Failed(err),
        };
        let last = !matches!(chunk, Chunk::Data(_));
        if tx.send(chunk).is_err() || last {
            return;
        }
    }
}

//! `ph-tap decode [FILE|-]`: a saved capture or a pipe through the same display. What it reads
//! is told by its first bytes: a capture (`--save` of several channels, `docs/CAPTURE.md`)
//! replays every channel with its recorded times; anything else is a raw capture, one
//! ph-eventing byte stream, decoded as it always was.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result};
use ph_tap::source::Recording;

use super::Stream;
use crate::cli::DecodeArgs;

/// Decodes the input to the end.
pub(super) fn run(args: &DecodeArgs, stop: &Arc<AtomicBool>) -> Result<()> {
    if args.input == Path::new("-") {
        return replay(std::io::stdin(), "stdin", args, stop);
    }
    let file = File::open(&args.input).with_context(|| {
        format!(
            "cannot open capture {}: check the path (captures are written by --save)",
            args.input.display()
        )
    })?;
    replay(file, &args.input.display().to_string(), args, stop)
}

fn replay(
    input: impl Read + Send + 'static,
    name: &str,
    args: &DecodeArgs,
    stop: &Arc<AtomicBool>,
) -> Result<()> {
    let recording = Recording::open(input, name)?;
    let how = Stream {
        save: args.save.as_deref(),
        output: &args.output,
        // A capture recorded when each chunk arrived: shown as the live run showed it.
        live: matches!(recording, Recording::Capture(_)),
        decoders: super::decoders(&args.output, args.elf.as_deref())?,
        ended: "capture ended",
        publish: std::cell::RefCell::new(None),
        board: None,
    };
    match recording {
        Recording::Capture(source) => super::stream(*source, &how, stop),
        Recording::Raw(source) => super::stream(source, &how, stop),
    }
}

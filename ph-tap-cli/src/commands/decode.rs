//! `ph-tap decode [FILE|-]`: a saved capture or a pipe through the same display.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result};
use ph_tap::source::ReaderSource;

use super::Stream;
use crate::cli::DecodeArgs;

/// Decodes the input to the end.
pub(super) fn run(args: &DecodeArgs, stop: &Arc<AtomicBool>) -> Result<()> {
    let how = Stream {
        save: args.save.as_deref(),
        output: &args.output,
        live: false,
        elf: args.elf.as_deref(),
    };
    if args.input == Path::new("-") {
        let source = ReaderSource::new(std::io::stdin(), "stdin");
        return super::stream(source, &how, stop);
    }
    let file = File::open(&args.input).with_context(|| {
        format!(
            "cannot open capture {}: check the path (captures are written by --save)",
            args.input.display()
        )
    })?;
    let source = ReaderSource::new(file, args.input.display().to_string());
    super::stream(source, &how, stop)
}

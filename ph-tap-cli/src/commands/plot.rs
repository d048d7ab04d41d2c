//! `ph-tap plot CAPTURE -o OUT.svg|OUT.png`: a capture decoded as `ph-tap decode` does it
//! (same recording reader, router, decoders and records), into [`PlotSink`], which draws it.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result, bail};
use ph_tap::decode::DecoderOptions;
use ph_tap::pipeline::{Ending, Pipeline};
use ph_tap::plot::{PlotFormat, PlotOptions, PlotSink, XAxis};
use ph_tap::router::Router;
use ph_tap::sink::WarningSink;
use ph_tap::source::{Recording, Source};

use crate::cli::PlotArgs;

/// Plots the input.
pub(super) fn run(args: &PlotArgs, stop: &Arc<AtomicBool>) -> Result<()> {
    // A bad `-o` is said before the capture is even opened.
    PlotFormat::from_path(&args.output)?;
    if args.input == Path::new("-") {
        return plot(std::io::stdin(), "stdin", args, stop);
    }
    let file = File::open(&args.input).with_context(|| {
        format!(
            "cannot open capture {}: check the path (captures are written by --save)",
            args.input.display()
        )
    })?;
    let name = args.input.file_name().map_or_else(
        || args.input.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    plot(file, &name, args, stop)
}

fn plot(
    input: impl Read + Send + 'static,
    name: &str,
    args: &PlotArgs,
    stop: &Arc<AtomicBool>,
) -> Result<()> {
    let options = PlotOptions {
        x: args.x,
        fields: args.fields.clone(),
        streams: args.streams.clone(),
        width: args.width,
        height: args.height,
        title: name.to_owned(),
    };
    let sink = PlotSink::new(&args.output, options)?;
    let recording = Recording::open(input, name)?;
    let source: Box<dyn Source> = match recording {
        Recording::Capture(source) => source,
        Recording::Raw(_) if args.x == XAxis::Time => bail!(
            "{name} is a raw capture, which records no arrival times: plot it over sequence numbers (leave out --x time)"
        ),
        Recording::Raw(source) => Box::new(source),
    };
    let channels = source.channels();
    let decoders = DecoderOptions {
        encoded_values: true,
        ..DecoderOptions::new(args.value_as)
    };
    let router = Router::for_channels(channels, decoders);
    let ending = Pipeline::new(router)
        .arrival_times(args.x == XAxis::Time)
        .sink(WarningSink)
        .sink(sink)
        .run(source, stop)?;
    match ending {
        Ending::Finished | Ending::Interrupted => {
            eprintln!("wrote {}", args.output.display());
            Ok(())
        }
        Ending::SourceFailed(err) => Err(err.context(format!(
            "{name} could not be read to the end; the plot {} shows what was read before",
            args.output.display()
        ))),
    }
}

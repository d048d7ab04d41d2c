//! One module per subcommand; [`run`] dispatches.

pub mod attach;
pub mod decode;
pub mod demo;
pub mod list;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Result;

use crate::cli::{Cli, Command, OutputArgs};
use crate::output::stderr_is_terminal;
use crate::pipeline::{self, Ending, OutputOptions};
use crate::source::ByteSource;
use crate::source::save::SaveTee;

/// Runs the parsed command line; `stop` is set by the Ctrl-C handler.
pub fn run(cli: Cli, stop: &Arc<AtomicBool>) -> Result<()> {
    match cli.command {
        Command::Attach(args) => attach::run(&args, stop),
        Command::List => list::run(),
        Command::Decode(args) => decode::run(&args, stop),
        Command::Demo(args) => demo::run(&args, stop),
    }
}

/// The pipeline options for `args`; `live` sources show arrival times unless `--no-time`.
fn output_options(args: &OutputArgs, live: bool) -> OutputOptions {
    OutputOptions {
        format: args.format,
        color: args.format == crate::output::Format::Human && args.color.enabled_for_stdout(),
        status: !args.no_status && stderr_is_terminal(),
        time: live && !args.no_time,
        value_as: args.value_as,
    }
}

/// Wraps `source` in `--save` when asked, runs the pipeline to stdout, and turns a source that
/// died mid-stream into the error (after the summary was printed).
fn stream<S: ByteSource + 'static>(
    source: S,
    save: Option<&Path>,
    opts: &OutputOptions,
    stop: &Arc<AtomicBool>,
) -> Result<()> {
    // Buffered: the pipeline flushes after every chunk it receives, so live output stays live,
    // while a capture decoded in one go costs one write per 64 KiB instead of one per line.
    let out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    stream_to(source, save, opts, stop, out)
}

fn stream_to<S: ByteSource + 'static, W: std::io::Write>(
    source: S,
    save: Option<&Path>,
    opts: &OutputOptions,
    stop: &Arc<AtomicBool>,
    out: W,
) -> Result<()> {
    let boxed: Box<dyn ByteSource> = match save {
        Some(path) => Box::new(SaveTee::new(source, path)?),
        None => Box::new(source),
    };
    match pipeline::run(boxed, opts, stop, out)? {
        Ending::Finished | Ending::Interrupted => Ok(()),
        Ending::SourceFailed(err) => match save {
            Some(path) => Err(err.context(format!(
                "the stream stopped early; everything received is in {}",
                path.display()
            ))),
            None => Err(err),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Format;
    use crate::source::Poll;
    use crate::value::ValueAs;

    /// Hands out `data` in small pieces, then fails like an unplugged probe.
    struct DiesMidStream {
        data: Vec<u8>,
        at: usize,
    }

    impl ByteSource for DiesMidStream {
        fn describe(&self) -> String {
            "dying source".into()
        }

        fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
            if self.at == self.data.len() {
                anyhow::bail!("lost the probe mid-stream (unplugged or target powered off)");
            }
            let n = (self.data.len() - self.at).min(13).min(buf.len());
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(Poll::Data(n))
        }
    }

    #[test]
    fn source_dying_mid_stream_keeps_output_and_save_file() {
        let data = crate::demo::scenarios::captures().unwrap().remove(0).1;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("partial.bin");
        let opts = OutputOptions {
            format: Format::Json,
            color: false,
            status: false,
            time: false,
            value_as: ValueAs::Hex,
        };
        let mut out = Vec::new();
        let source = DiesMidStream {
            data: data.clone(),
            at: 0,
        };
        let stop = Arc::new(AtomicBool::new(false));
        let err = stream_to(source, Some(&path), &opts, &stop, &mut out).unwrap_err();
        let line = crate::one_line(&err);
        assert_eq!(
            line,
            format!(
                "the stream stopped early; everything received is in {} (cause: lost the probe mid-stream (unplugged or target powered off))",
                path.display()
            )
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            data,
            "--save has every byte received"
        );
        let text = String::from_utf8(out).unwrap();
        let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!(last["type"], "summary", "the summary is still written");
        assert_eq!(last["frames"], 40);
    }
}

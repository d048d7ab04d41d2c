//! One module per subcommand; [`run`] dispatches, [`stream`] builds the pipeline they share.

mod attach;
mod decode;
mod demo;
mod farm;
mod list;
mod mqtt;
mod plot;
mod run;

use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Result;
use ph_tap::board::Board;
use ph_tap::channel::ChannelKind;
use ph_tap::decode::DecoderOptions;
use ph_tap::mqtt::MqttPublisher;
use ph_tap::pipeline::{Ending, Pipeline};
use ph_tap::probe::FirmwareStop;
use ph_tap::router::Router;
use ph_tap::sink::{
    CsvSink, HumanSink, JsonSink, SaveSink, StreamFilter, SummarySink, TuiSink, UdpSink,
    WarningSink,
};
use ph_tap::source::{Connect, Reconnecting, Source};

use crate::cli::{Cli, Command, Format, OutputArgs};

/// Runs the parsed command line; `stop` is set by the Ctrl-C handler.
pub fn run(mut cli: Cli, stop: &Arc<AtomicBool>) -> Result<()> {
    cli.command.resolve_udp()?;
    match cli.command {
        Command::Attach(args) => attach::run(&args, stop),
        Command::Run(args) => run::run(&args, stop),
        Command::List => list::run(),
        Command::Decode(args) => decode::run(&args, stop),
        Command::Demo(args) => demo::run(&args, stop),
        Command::Plot(args) => plot::run(&args, stop),
    }
}

/// What a command streams, and how.
struct Stream<'a> {
    /// `--save`.
    save: Option<&'a Path>,
    /// The output options.
    output: &'a OutputArgs,
    /// The source knows when its bytes arrived (a live source, or a capture, which recorded
    /// it): the times are shown unless `--no-time`.
    live: bool,
    /// How channels are decoded (the defmt table read from the firmware's ELF, made by
    /// [`decoders`] before the source is opened).
    decoders: DecoderOptions,
    /// What `--tui` says when the input ends (`capture ended`).
    ended: &'static str,
    /// `--publish`: the board's telemetry to an MQTT broker too, connected before the source
    /// is opened; the pipeline takes it.
    publish: RefCell<Option<MqttPublisher>>,
    /// `--board NAME`: every record tagged with it.
    board: Option<Board>,
}

/// The decoder options of a command: `--value-as`, and the defmt table of `elf` (`--elf`, or
/// the ELF `run` flashes). Made before the target is touched: reading a large ELF takes a
/// moment, and a target already running would fill its RTT buffers meanwhile.
fn decoders(output: &OutputArgs, elf: Option<&Path>) -> Result<DecoderOptions> {
    // `--tui` on a pipe: said before anything is opened, flashed or attached to.
    if output.tui {
        ph_tap::sink::tui::check_terminal()?;
    }
    let options = DecoderOptions::new(output.value_as);
    match elf {
        Some(elf) => options.with_elf(elf),
        None => Ok(options),
    }
}

/// Runs `source` through the pipeline to stdout, and turns a source that died mid-stream into
/// the error (after the summary was printed).
fn stream(source: impl Source + 'static, how: &Stream<'_>, stop: &Arc<AtomicBool>) -> Result<()> {
    if how.output.tui {
        // The dashboard writes to the terminal itself: stdout stays unlocked, so that a panic
        // on another thread can give the terminal back.
        return stream_to(Box::new(source), how, stop, std::io::sink(), false, false);
    }
    // Buffered: the sinks flush after every chunk received, so live output stays live, while a
    // capture decoded in one go costs one write per 64 KiB instead of one per line.
    let out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let status = !how.output.no_status && std::io::stderr().is_terminal();
    let color = how.output.color.enabled_for_stdout();
    stream_to(Box::new(source), how, stop, out, status, color)
}

/// Streams a live source, opening it again with `connect` whenever it goes away (`what` names it
/// in messages), unless `no_reconnect`.
fn stream_live(
    first: impl Source + 'static,
    what: &'static str,
    connect: Connect,
    no_reconnect: bool,
    how: &Stream<'_>,
    stop: &Arc<AtomicBool>,
) -> Result<()> {
    if no_reconnect {
        return stream(first, how, stop);
    }
    stream(Reconnecting::new(what, Box::new(first), connect), how, stop)
}

fn stream_to<W: Write>(
    source: Box<dyn Source>,
    how: &Stream<'_>,
    stop: &Arc<AtomicBool>,
    out: W,
    status: bool,
    color: bool,
) -> Result<()> {
    let args = how.output;
    let show_time = how.live && !args.no_time;
    let channels = source.channels();
    let show_channel = channels.len() > 1;
    let save = how
        .save
        .map(|path| SaveSink::create(path, &channels))
        .transpose()?;
    let saved = save.as_ref().map(|s| s.path().display().to_string());
    let mut options = how.decoders.clone();
    // The sinks write values out from their bytes; the one-thread reference run decodes them
    // into JSON values first, as ph-tap always did, so that it checks both.
    options.encoded_values = !args.one_thread;
    let logs = channels
        .iter()
        .any(|c| matches!(c.kind, ChannelKind::Defmt | ChannelKind::Text));
    let named = channels.clone();
    let router = Router::for_channels(channels, options).with_board(how.board.clone());
    let pipeline = Pipeline::new(router)
        .arrival_times(show_time)
        .status_line(status)
        .one_thread(args.one_thread);
    let shown = args.streams.clone();
    let pipeline = match args.format {
        _ if args.tui => pipeline.sink(StreamFilter::new(
            TuiSink::new(Arc::clone(stop), how.ended)
                .by_values(!show_time)
                .exit_at_end(args.tui_exit),
            shown.clone(),
        )),
        Format::Human => pipeline.sink(StreamFilter::new(
            HumanSink::new(out, color, show_channel)
                .channels(&named)
                .verbose(args.verbose),
            shown.clone(),
        )),
        Format::Json => pipeline.sink(StreamFilter::new(
            JsonSink::new(out, show_channel, show_time)
                .shown(shown.clone())
                .board(how.board.clone()),
            shown.clone(),
        )),
        Format::Csv => pipeline.sink(StreamFilter::new(
            CsvSink::new(out, show_channel).log_columns(logs),
            shown.clone(),
        )),
    };
    // Beside the stdout format, showing the streams it shows; its warning comes before the
    // summary.
    let pipeline = match args.udp_addr {
        Some(addr) => pipeline.sink(UdpSink::connect(addr)?.shown(shown.clone())),
        None => pipeline,
    };
    let pipeline = match how.publish.borrow_mut().take() {
        Some(mut publisher) => {
            publisher.set_channels(&named);
            pipeline.sink(publisher)
        }
        None => pipeline,
    };
    // The dashboard shows the warnings in its log pane: nothing else writes on its screen.
    let pipeline = if args.tui {
        pipeline
    } else {
        pipeline.sink(WarningSink)
    };
    let mut pipeline = pipeline.sink(SummarySink::new(show_time).shown(shown));
    if let Some(save) = save {
        pipeline = pipeline.sink(save);
    }
    match (pipeline.run(source, stop)?, saved) {
        (Ending::Finished | Ending::Interrupted, _) => Ok(()),
        (Ending::SourceFailed(err), None) => Err(err),
        // The firmware stopped (`ph-tap run`): not the stream's failure; its line stays as it is.
        (Ending::SourceFailed(err), Some(saved)) if FirmwareStop::find(&err).is_some() => {
            eprintln!("everything received is in {saved}");
            Err(err)
        }
        (Ending::SourceFailed(err), Some(saved)) => Err(err.context(format!(
            "the stream stopped early; everything received is in {saved}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use ph_tap::channel::Channel;
    use ph_tap::demo::{DemoConfig, DemoSource};
    use ph_tap::source::Poll;

    /// Hands out `data` in small pieces, then fails like an unplugged probe.
    struct DiesMidStream {
        data: Vec<u8>,
        at: usize,
    }

    impl Source for DiesMidStream {
        fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
            if self.at == self.data.len() {
                anyhow::bail!("lost the probe mid-stream (unplugged or target powered off)");
            }
            let n = (self.data.len() - self.at).min(13).min(buf.len());
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(Poll::data(n))
        }
    }

    #[test]
    fn source_dying_mid_stream_keeps_output_and_save_file() {
        let data = DemoSource::new(DemoConfig::quiet(40, 11))
            .run_to_end()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("partial.bin");
        let cli = Cli::parse_from(["ph-tap", "decode", "--format", "json"]);
        let Command::Decode(args) = cli.command else {
            unreachable!()
        };
        let how = Stream {
            save: Some(&path),
            output: &args.output,
            live: false,
            decoders: DecoderOptions::default(),
            ended: "capture ended",
            publish: RefCell::new(None),
            board: None,
        };
        let mut out = Vec::new();
        let source = DiesMidStream {
            data: data.clone(),
            at: 0,
        };
        let stop = Arc::new(AtomicBool::new(false));
        let err = stream_to(Box::new(source), &how, &stop, &mut out, false, false).unwrap_err();
        let line = ph_tap::one_line(&err);
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

    /// Two channels taking turns, then the probe is gone.
    struct TwoDieMidStream {
        streams: [Vec<u8>; 2],
        at: [usize; 2],
        turn: usize,
    }

    impl Source for TwoDieMidStream {
        fn channels(&self) -> Vec<Channel> {
            vec![
                Channel {
                    id: 0,
                    name: Some("defmt".into()),
                    kind: ph_tap::channel::ChannelKind::Defmt,
                },
                Channel {
                    id: 1,
                    ..Channel::telemetry()
                },
            ]
        }

        fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
            for _ in 0..2 {
                let k = self.turn % 2;
                self.turn += 1;
                let (data, at) = (&self.streams[k], &mut self.at[k]);
                if *at < data.len() {
                    let n = (data.len() - *at).min(13).min(buf.len());
                    buf[..n].copy_from_slice(&data[*at..*at + n]);
                    *at += n;
                    return Ok(Poll::Data { channel: k, len: n });
                }
            }
            anyhow::bail!("lost the probe mid-stream (unplugged or target powered off)");
        }
    }

    #[test]
    fn several_channels_dying_mid_stream_keep_every_chunk_in_one_capture() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("partial.cap");
        let cli = Cli::parse_from(["ph-tap", "decode", "--no-time"]);
        let Command::Decode(args) = cli.command else {
            unreachable!()
        };
        let how = Stream {
            save: Some(&path),
            output: &args.output,
            live: true,
            decoders: DecoderOptions::default(),
            ended: "capture ended",
            publish: RefCell::new(None),
            board: None,
        };
        let logs: Vec<u8> = (0..50u8).collect();
        let telemetry = DemoSource::new(DemoConfig::quiet(30, 3))
            .run_to_end()
            .unwrap();
        let source = TwoDieMidStream {
            streams: [logs.clone(), telemetry.clone()],
            at: [0, 0],
            turn: 0,
        };
        let mut out = Vec::new();
        let stop = Arc::new(AtomicBool::new(false));
        let err = stream_to(Box::new(source), &how, &stop, &mut out, false, false).unwrap_err();
        assert!(
            ph_tap::one_line(&err).starts_with(&format!(
                "the stream stopped early; everything received is in {} (cause: ",
                path.display()
            )),
            "{err:#}"
        );
        let bytes = std::fs::read(&path).unwrap();
        let mut reader = ph_tap::capture::CaptureReader::new(&bytes[..], "partial.cap").unwrap();
        let mut got: [Vec<u8>; 2] = Default::default();
        let mut order = Vec::new();
        while let Some(entry) = reader.read_entry().unwrap() {
            if let ph_tap::capture::Entry::Chunk { channel, data, .. } = entry {
                got[channel].extend(data);
                order.push(channel);
            }
        }
        assert_eq!(got, [logs, telemetry], "every chunk of both channels");
        assert_eq!(&order[..4], [0, 1, 0, 1], "in arrival order");
    }
}

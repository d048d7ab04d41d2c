//! The command line: `ph-tap <attach|run|list|decode|demo|plot>` and the options they share.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};

mod plot;
mod publish;
pub use plot::PlotArgs;
pub use publish::PublishArgs;

use ph_tap::board::Board;
use ph_tap::decode::value::ValueAs;
use ph_tap::probe::{ChannelSelector, ProbeOptions, RttOptions};
use ph_tap::sink::DEFAULT_ADDR;
use ph_tap::sink::color::ColorChoice;
use ph_tap::stream::StreamSelector;

/// The `--format` choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One readable line per value; loud lines for losses.
    #[default]
    Human,
    /// One JSON object per line (field names in the README).
    Json,
    /// Comma-separated values with a header line.
    Csv,
}

/// Watch ph-eventing telemetry live through a debug probe, with every drop flagged.
#[derive(Debug, Parser)]
#[command(
    name = "ph-tap",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Examples:\n  ph-tap demo                                  a simulated target, no hardware needed\n  ph-tap list                                  the probes connected\n  ph-tap run --chip nRF52840_xxAA FIRMWARE.elf flash, start and watch (a cargo runner)\n  ph-tap attach --chip nRF52840 --save run.bin a live target through a probe\n  ph-tap attach --tcp localhost:19021          an RTT TCP server (OpenOCD, J-Link, QEMU)\n  ph-tap attach --gdb localhost:3333 --chip nRF52840  through a GDB server (QEMU -gdb, OpenOCD, pyOCD, J-Link, BMP)\n  ph-tap decode run.bin --format json          a saved capture as JSON lines\n  ph-tap plot run.bin -o run.svg               a saved capture as a chart, losses shaded\n  ph-tap demo --tui                            the live dashboard\n  ph-tap demo --udp                            a feed for PlotJuggler's UDP server"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Attach to a running target through a debug probe (or an RTT TCP server) and show the
    /// stream live until Ctrl-C.
    Attach(AttachArgs),
    /// Flash a firmware ELF, start it and show its telemetry and defmt logs until Ctrl-C: a cargo
    /// runner (`runner = "ph-tap run --chip nRF52840_xxAA"`).
    Run(RunArgs),
    /// List the debug probes connected (what `--probe` takes).
    List,
    /// Decode a saved capture (`--save`) or a pipe; a multi-channel capture replays every
    /// channel with its recorded times.
    Decode(DecodeArgs),
    /// Run a simulated target (real ring, real encoder, lossy link): no hardware needed.
    Demo(DemoArgs),
    /// Draw a capture's numeric fields over sequence number or arrival time, losses shaded, as
    /// an SVG or a PNG (`ph-tap plot run.bin -o run.svg`).
    Plot(PlotArgs),
}

impl Command {
    /// Resolves the command's `--udp` address into its `udp_addr`, before anything is opened:
    /// an address that does not resolve is the command's error.
    pub fn resolve_udp(&mut self) -> anyhow::Result<()> {
        let output = match self {
            Self::Attach(args) => &mut args.output,
            Self::Run(args) => &mut args.output,
            Self::Decode(args) => &mut args.output,
            Self::Demo(args) => &mut args.output,
            Self::List | Self::Plot(_) => return Ok(()),
        };
        output.udp_addr = output
            .udp
            .as_deref()
            .map(ph_tap::sink::udp_address)
            .transpose()?;
        Ok(())
    }
}

/// `ph-tap attach`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).multiple(true).args(["chip", "tcp", "boards", "mqtt"])))]
pub struct AttachArgs {
    /// How to reach the target through a probe.
    #[command(flatten)]
    pub probe: ProbeOptions,
    /// Where the telemetry is in the target.
    #[command(flatten)]
    pub rtt: RttOptions,
    /// Read from an RTT TCP server instead of a probe (OpenOCD `rtt server`, J-Link's RTT
    /// telnet port, QEMU's serial socket).
    #[arg(long, value_name = "HOST:PORT", conflicts_with_all = ["gdb", "chip_description", "reset", "elf", "channels", "show_channels"])]
    pub tcp: Option<String>,
    /// Read boards from an MQTT broker instead (what `--publish` sends): PREFIX/+ for every
    /// board publishing under PREFIX, each shown, saved and accounted as if attached locally,
    /// or PREFIX/NAME for one. `mqtts://` for TLS (with --ca FILE).
    #[arg(long, value_name = "mqtt[s]://[USER[:PASS]@]HOST[:PORT]/PREFIX/+", conflicts_with_all = ["tcp", "gdb", "chip_description", "reset", "elf", "channels", "show_channels", "publish", "boards", "all_probes"])]
    pub mqtt: Option<String>,
    /// Several boards at once, from a TOML file: one `[[board]]` each, with `name`, `chip`
    /// (or --chip for all), `probe` (a selector, as `ph-tap list` prints it) or `gdb`
    /// (HOST:PORT), `elf`, and any of `speed`, `protocol`, `connect_under_reset`,
    /// `chip_description`, `reset`, `channels`, `show_channels`. Each board has its own
    /// reader, decoders, accounting and reconnecting; every line says its board (`[NAME]`,
    /// JSON `"board"`, a CSV `board` column), the summary has a row per board, and one board
    /// failing never stops the others.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["tcp", "gdb", "probe", "all_probes", "elf", "chip_description", "reset", "channels", "show_channels"])]
    pub boards: Option<PathBuf>,
    /// Attach to every probe connected (`ph-tap list`), one board each, all of the one
    /// --chip, each named after its probe (`VID-PID-SERIAL`), as several --probe would.
    #[arg(long, requires = "chip", conflicts_with_all = ["tcp", "gdb", "probe", "boards"])]
    pub all_probes: bool,
    /// Reconnecting and saving.
    #[command(flatten)]
    pub live: LiveArgs,
    /// Publishing to an MQTT broker.
    #[command(flatten)]
    pub publish: PublishArgs,
    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// What the live commands (`attach`, `run`) do besides showing the stream.
#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Exit when the probe or server goes away, instead of waiting for it to come back (for
    /// scripts).
    #[arg(long)]
    pub no_reconnect: bool,
    /// Save what is received, flushed after every chunk (replay with `ph-tap decode FILE`):
    /// the telemetry channel alone as its raw bytes; several channels (the default with a
    /// `defmt` channel, or a text channel) as a ph-tap capture, every channel's bytes in
    /// arrival order with their times (docs/CAPTURE.md).
    /// With several boards (`attach --boards`, several --probe, --all-probes): one file per
    /// board, its name inserted before the extension (`run.bin` → `run-NAME.bin`).
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// Name the board this run reads: every record carries it (`[NAME]` before each line,
    /// JSON `"board"`), as in a run of several boards. Letters, digits, `-`, `_`, `.`.
    #[arg(long, value_name = "NAME", value_parser = parse_board)]
    pub board: Option<Board>,
}

/// A `--board` name, checked.
fn parse_board(name: &str) -> Result<Board, String> {
    Board::new(name).map_err(|bad| bad.to_string())
}

/// `ph-tap run`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("chip_given").required(true).args(["chip"])))]
pub struct RunArgs {
    /// How to reach the target through a probe.
    #[command(flatten)]
    pub probe: ProbeOptions,
    /// RTT up channel to read, by number or by name; repeat to read several (as `attach`).
    /// Without it: the channel named `ph-eventing` (or the only one), and `defmt` beside it.
    #[arg(long = "channel", value_name = "N|NAME")]
    pub channels: Vec<ChannelSelector>,
    /// RTT up channel to show as text lines, by number or name; repeatable (as `attach`).
    #[arg(long = "show-channel", value_name = "N|NAME")]
    pub show_channels: Vec<ChannelSelector>,
    /// Do not read back what was flashed (verifying is the default).
    #[arg(long)]
    pub no_verify: bool,
    /// Reconnecting and saving (as `attach`).
    #[command(flatten)]
    pub live: LiveArgs,
    /// Publishing to an MQTT broker (as `attach`).
    #[command(flatten)]
    pub publish: PublishArgs,
    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
    /// The firmware ELF to flash and run (cargo passes it to its runner).
    #[arg(value_name = "ELF")]
    pub elf: PathBuf,
    /// Arguments after the ELF, which `cargo test` passes to a test runner: accepted and
    /// ignored, as `probe-rs run` does.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub runner_args: Vec<String>,
}

/// `ph-tap decode`.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The capture to decode, raw bytes or a ph-tap capture (told apart by its first bytes);
    /// `-` (the default) reads stdin.
    #[arg(default_value = "-", value_name = "FILE|-")]
    pub input: PathBuf,
    /// Also save what is read, as `attach --save` would (useful when reading a pipe).
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// The firmware ELF that wrote the capture: its `.defmt` table decodes the capture's defmt
    /// channel.
    #[arg(long, value_name = "FILE")]
    pub elf: Option<PathBuf>,
    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `ph-tap demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Values the simulated producer pushes.
    #[arg(long, default_value_t = 400)]
    pub count: u32,
    /// Seed of the simulation: the same seed gives the same output.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Milliseconds between simulation ticks (0: as fast as possible).
    #[arg(long, default_value_t = 10, value_name = "MS")]
    pub tick_ms: u64,
    /// Frames the link loses, per mille.
    #[arg(long, default_value_t = 15, value_name = "PER_MILLE")]
    pub link_loss: u32,
    /// Frames the link damages, per mille.
    #[arg(long, default_value_t = 10, value_name = "PER_MILLE")]
    pub corrupt: u32,
    /// No producer bursts (no ring drops).
    #[arg(long)]
    pub no_bursts: bool,
    /// Do not simulate a target reset.
    #[arg(long)]
    pub no_reset: bool,
    /// First sequence number (the default starts 100 before u32::MAX to show the wrap).
    #[arg(long, default_value_t = u32::MAX - 99)]
    pub first_seq: u32,
    /// One stream, the readings, instead of three (`readings`, a slow `battery` ring and a
    /// lossless `events` queue).
    #[arg(long)]
    pub single_stream: bool,
    /// Run the producer on its own thread, really concurrent with the consumer (not
    /// reproducible; no simulated reset; the readings stream alone).
    #[arg(long)]
    pub threads: bool,
    /// Save the raw bytes the link delivered (replay with `ph-tap decode FILE`).
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// Publishing to an MQTT broker (as `attach`).
    #[command(flatten)]
    pub publish: PublishArgs,
    /// Name the simulated board: every record carries it (`[NAME]` before each line, JSON
    /// `"board"`), as in a run of several boards.
    #[arg(long, value_name = "NAME", value_parser = parse_board)]
    pub board: Option<Board>,
    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Options every stream-showing command takes.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Colour the human format.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// How to show values when the stream carries no schema.
    #[arg(long, value_enum, default_value_t = ValueAs::Hex, value_name = "TYPE")]
    pub value_as: ValueAs,
    /// Do not show arrival times, the duration or rates (deterministic output).
    #[arg(long)]
    pub no_time: bool,
    /// Do not draw the status line on stderr (it is only drawn on a terminal anyway).
    #[arg(long)]
    pub no_status: bool,
    /// Show where each defmt log line was written (`file:line`, from the ELF's debug
    /// information) in the human format.
    #[arg(short, long)]
    pub verbose: bool,
    /// Show only this stream of a ph-eventing link of several, by name (as its hello says it)
    /// or id; repeat for several. Every stream is still counted, and the summary lists them
    /// all (saying which were hidden). Records of no stream (damaged frames, log lines) are
    /// always shown.
    #[arg(long = "stream", value_name = "NAME|ID")]
    pub streams: Vec<StreamSelector>,
    /// Also send every value and loss to HOST:PORT over UDP, one JSON object per datagram, for
    /// PlotJuggler's UDP server (JSON parser); `--udp` alone sends to 127.0.0.1:9870. Fields in
    /// the README ("Plotting live with PlotJuggler").
    #[arg(long, value_name = "HOST:PORT", num_args = 0..=1, default_missing_value = DEFAULT_ADDR)]
    pub udp: Option<String>,
    /// `--udp` resolved, once, before the command starts ([`Command::resolve_udp`]).
    #[arg(skip)]
    pub udp_addr: Option<SocketAddr>,
    /// Show a live dashboard instead of lines: a chart per numeric field, counters and rates,
    /// a loss timeline and the newest log lines (keys: q quit, p pause, +/- zoom, arrows scroll,
    /// tab and 1-9 pick fields, a all fields). Needs a terminal; the summary follows when it is
    /// left.
    #[arg(long, conflicts_with = "format")]
    pub tui: bool,
    /// With --tui: leave when the input ends (a capture, the demo) instead of staying until q.
    #[arg(long, requires = "tui")]
    pub tui_exit: bool,
    /// Decode on the same thread as the output is written, and each value into a JSON value
    /// before it is written (hidden: for checking that the two-thread run, which writes values
    /// out from their bytes, writes the very same bytes).
    #[arg(long, hide = true)]
    pub one_thread: bool,
}

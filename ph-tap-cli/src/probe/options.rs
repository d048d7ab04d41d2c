//! The probe and RTT options, defined once: `ph-tap`'s command line flattens them (as
//! probe-rs-tools does with its `ProbeOptions`), and [`attach`](super::attach) takes them as
//! they are.

use std::path::PathBuf;

use clap::Args;

use super::channels::ChannelSelector;

/// The `--protocol` choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Protocol {
    /// Serial Wire Debug (what nRF, STM32 and most Cortex-M boards use).
    Swd,
    /// JTAG.
    Jtag,
}

/// How to reach the target through a debug probe. Each flag can also come from the environment,
/// under the name probe-rs's own tools read (`PROBE_RS_CHIP`, `PROBE_RS_PROBE`,
/// `PROBE_RS_SPEED`, `PROBE_RS_PROTOCOL`, `PROBE_RS_CONNECT_UNDER_RESET`); the command line
/// wins.
#[derive(Clone, Debug, Default, Args)]
pub struct ProbeOptions {
    /// Target chip, as probe-rs names it (e.g. nRF52840, STM32F411RETx).
    #[arg(long, env = "PROBE_RS_CHIP")]
    pub chip: Option<String>,
    /// Which probe, as `ph-tap list` prints it: `VID:PID[:SERIAL]` (hex). `attach` takes it
    /// more than once: one board per probe, all of the one `--chip`, each named after its
    /// probe (`VID-PID-SERIAL`).
    #[arg(long, value_name = "VID:PID[:SERIAL]", env = "PROBE_RS_PROBE")]
    pub probe: Vec<String>,
    /// Debug clock speed in kHz.
    #[arg(long, value_name = "KHZ", env = "PROBE_RS_SPEED")]
    pub speed: Option<u32>,
    /// Debug protocol.
    #[arg(long, value_enum, ignore_case = true, env = "PROBE_RS_PROTOCOL")]
    pub protocol: Option<Protocol>,
    /// Hold the target in reset while attaching (for firmware that sleeps or disables debug).
    #[arg(long, env = "PROBE_RS_CONNECT_UNDER_RESET", value_parser = clap::builder::BoolishValueParser::new())]
    pub connect_under_reset: bool,
    /// Reach the target through a GDB server instead of a probe: QEMU's `-gdb tcp:HOST:PORT`,
    /// OpenOCD, pyOCD, J-Link GDB Server, Black Magic Probe. The target is stopped for a moment
    /// at every read.
    #[arg(long, value_name = "HOST:PORT", requires = "chip")]
    pub gdb: Option<String>,
    /// A probe-rs target description (YAML) adding chips probe-rs does not know, e.g.
    /// `ph-tap-cli/targets/mps2-an386.yaml` for QEMU's mps2-an386.
    #[arg(long, value_name = "FILE.yaml", requires = "chip")]
    pub chip_description: Option<PathBuf>,
}

impl ProbeOptions {
    /// What the target is reached through, in messages: `GDB server` with `--gdb`, `probe`
    /// otherwise.
    ///
    /// ```
    /// use clap::Parser;
    /// #[derive(Parser)]
    /// struct Cli {
    ///     #[command(flatten)]
    ///     probe: ph_tap::probe::ProbeOptions,
    /// }
    /// let cli = Cli::parse_from(["t", "--chip", "nRF52840", "--gdb", "127.0.0.1:1234"]);
    /// assert_eq!(cli.probe.kind(), "GDB server");
    /// ```
    pub fn kind(&self) -> &'static str {
        if self.gdb.is_some() {
            "GDB server"
        } else {
            "probe"
        }
    }

    /// The probe flags set on the command line rather than from the environment (a
    /// `PROBE_RS_*` variable holding the same value counts as the environment), by flag name:
    /// what `--tcp`, which reads no probe, must refuse, while an exported `PROBE_RS_CHIP` is no
    /// mistake.
    ///
    /// ```
    /// use ph_tap::probe::ProbeOptions;
    /// let opts = ProbeOptions { speed: Some(4000), ..ProbeOptions::default() };
    /// // (PROBE_RS_SPEED is not set in the doctest's environment.)
    /// assert_eq!(opts.flags_given(), ["--speed"]);
    /// ```
    pub fn flags_given(&self) -> Vec<&'static str> {
        let env = |name: &str| std::env::var(name).ok();
        let mut given = Vec::new();
        if self.chip.is_some() && self.chip != env("PROBE_RS_CHIP") {
            given.push("--chip");
        }
        if !self.probe.is_empty()
            && env("PROBE_RS_PROBE").is_none_or(|from_env| self.probe != [from_env])
        {
            given.push("--probe");
        }
        if self.speed.is_some() && self.speed != env("PROBE_RS_SPEED").and_then(|s| s.parse().ok())
        {
            given.push("--speed");
        }
        let protocol = env("PROBE_RS_PROTOCOL").map(|p| p.to_ascii_lowercase());
        let protocol = match protocol.as_deref() {
            Some("swd") => Some(Protocol::Swd),
            Some("jtag") => Some(Protocol::Jtag),
            _ => None,
        };
        if self.protocol.is_some() && self.protocol != protocol {
            given.push("--protocol");
        }
        if self.connect_under_reset && env("PROBE_RS_CONNECT_UNDER_RESET").is_none() {
            given.push("--connect-under-reset");
        }
        given
    }

    /// The flags of [`flags_given`](Self::flags_given) that pick or drive a debug probe: all
    /// but `--chip`, which a GDB server or a `--boards` file takes too. What `--gdb` and
    /// `--boards` must refuse.
    ///
    /// ```
    /// use ph_tap::probe::ProbeOptions;
    /// let opts = ProbeOptions { chip: Some("nRF52840".into()), speed: Some(4000), ..ProbeOptions::default() };
    /// // (PROBE_RS_CHIP and PROBE_RS_SPEED are not set in the doctest's environment.)
    /// assert_eq!(opts.probe_flags_given(), ["--speed"]);
    /// ```
    pub fn probe_flags_given(&self) -> Vec<&'static str> {
        let mut given = self.flags_given();
        given.retain(|&flag| flag != "--chip");
        given
    }
}

/// Where the telemetry is in the target: the RTT control block and its up channels.
#[derive(Clone, Debug, Args)]
pub struct RttOptions {
    /// Reset the target after attaching, so the stream starts at boot.
    #[arg(long)]
    pub reset: bool,
    /// The firmware ELF: the RTT control block is taken from its `_SEGGER_RTT` symbol instead
    /// of scanning RAM.
    #[arg(long, value_name = "FILE")]
    pub elf: Option<PathBuf>,
    /// RTT up channel to read, by number or by name; repeat to read several (each decoded and
    /// accounted apart). Without it: the channel named `ph-eventing`, or the only one.
    #[arg(long = "channel", value_name = "N|NAME")]
    pub channels: Vec<ChannelSelector>,
    /// RTT up channel to show as text lines (a `Terminal` channel of `rprintln!`), by number or
    /// name; repeatable. Added to the channels read.
    #[arg(long = "show-channel", value_name = "N|NAME")]
    pub show_channels: Vec<ChannelSelector>,
}

impl Default for RttOptions {
    /// No reset, a RAM scan, the telemetry channel (and `defmt` beside it).
    fn default() -> Self {
        Self {
            reset: false,
            elf: None,
            channels: Vec::new(),
            show_channels: Vec::new(),
        }
    }
}

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

/// How to reach the target through a debug probe.
#[derive(Clone, Debug, Default, Args)]
pub struct ProbeOptions {
    /// Target chip, as probe-rs names it (e.g. nRF52840, STM32F411RETx).
    #[arg(long)]
    pub chip: Option<String>,
    /// Which probe, as `ph-tap list` prints it: `VID:PID[:SERIAL]` (hex).
    #[arg(long, value_name = "VID:PID[:SERIAL]")]
    pub probe: Option<String>,
    /// Debug clock speed in kHz.
    #[arg(long, value_name = "KHZ")]
    pub speed: Option<u32>,
    /// Debug protocol.
    #[arg(long, value_enum)]
    pub protocol: Option<Protocol>,
    /// Hold the target in reset while attaching (for firmware that sleeps or disables debug).
    #[arg(long)]
    pub connect_under_reset: bool,
    /// Reach the target through a GDB server instead of a probe: QEMU's `-gdb tcp:HOST:PORT`,
    /// OpenOCD, pyOCD, J-Link GDB Server, Black Magic Probe. The target is stopped for a moment
    /// at every read.
    #[arg(long, value_name = "HOST:PORT", requires = "chip", conflicts_with_all = ["probe", "speed", "protocol", "connect_under_reset"])]
    pub gdb: Option<String>,
    /// A probe-rs target description (YAML) adding chips probe-rs does not know, e.g.
    /// `ph-tap-cli/targets/mps2-an386.yaml` for QEMU's mps2-an386.
    #[arg(long, value_name = "FILE.yaml", requires = "chip")]
    pub chip_description: Option<PathBuf>,
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

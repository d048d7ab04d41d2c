//! `ph-tap attach`: a live target through a probe or a GDB server (probe-rs RTT), or an RTT TCP
//! server.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Result;
use ph_tap::probe::{attach, resolve_chip_with};
use ph_tap::source::TcpSource;

use super::Stream;
use crate::cli::AttachArgs;

/// Attaches and streams until Ctrl-C or the source ends.
pub(super) fn run(args: &AttachArgs, stop: &Arc<AtomicBool>) -> Result<()> {
    let mut how = Stream {
        channels: &[0],
        save: args.save.as_deref(),
        output: &args.output,
        live: true,
    };
    if let Some(addr) = &args.tcp {
        let source = TcpSource::connect(addr)?;
        return super::stream(source, &how, stop);
    }
    // clap guarantees --chip without --tcp.
    let chip_name = args.probe.chip.as_deref().unwrap_or_default();
    // Resolve the chip first: a typo is reported before any USB (or GDB server) is touched.
    let target = resolve_chip_with(chip_name, args.probe.chip_description.as_deref())?;
    let source = attach(target, &args.probe, &args.rtt)?;
    let channels = source.channels().to_vec();
    let listed: Vec<String> = channels.iter().map(ToString::to_string).collect();
    eprintln!(
        "attached: RTT control block at {:#010x}, up channel{} {} (Ctrl-C to stop)",
        source.control_block(),
        if channels.len() == 1 { "" } else { "s" },
        listed.join(", ")
    );
    how.channels = &channels;
    super::stream(source, &how, stop)
}

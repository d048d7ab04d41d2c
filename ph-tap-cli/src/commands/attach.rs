//! `ph-tap attach`: a live target through a probe (probe-rs RTT) or an RTT TCP server.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Result;

use crate::cli::AttachArgs;
use crate::probe::attach::{AttachOptions, attach};
use crate::probe::chip;
use crate::source::tcp::TcpSource;

/// Attaches and streams until Ctrl-C or the source ends.
pub fn run(args: &AttachArgs, stop: &Arc<AtomicBool>) -> Result<()> {
    let opts = super::output_options(&args.output, true);
    let save = args.save.as_deref();
    if let Some(addr) = &args.tcp {
        let source = TcpSource::connect(addr)?;
        return super::stream(source, save, &opts, stop);
    }
    // clap guarantees --chip without --tcp.
    let chip_name = args.chip.as_deref().unwrap_or_default();
    // Resolve the chip first: a typo is reported before any USB is touched.
    let target = chip::resolve(chip_name)?;
    let attach_opts = AttachOptions {
        probe: args.probe.clone(),
        speed_khz: args.speed,
        protocol: args.protocol,
        connect_under_reset: args.connect_under_reset,
        reset: args.reset,
        elf: args.elf.clone(),
        channel: args.channel,
    };
    let mut source = attach(target, &attach_opts)?;
    eprintln!(
        "attached: RTT control block at {:#010x}, up channel {} (Ctrl-C to stop)",
        source.control_block(),
        args.channel
    );
    super::stream(source, save, &opts, stop)
}

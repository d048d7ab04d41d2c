//! `ph-tap attach`: a live target through a probe or a GDB server (probe-rs RTT), or an RTT TCP
//! server, waiting for it to come back when it goes away (unless `--no-reconnect`).

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Result;
use ph_tap::probe::{RttOptions, attach, resolve_chip_with};
use ph_tap::source::{Source, TcpSource};

use super::Stream;
use crate::cli::AttachArgs;

/// Attaches and streams until Ctrl-C or the source ends.
pub(super) fn run(args: &AttachArgs, stop: &Arc<AtomicBool>) -> Result<()> {
    if super::farm::wanted(args) {
        return super::farm::run(args, stop);
    }
    let how = Stream {
        save: args.live.save.as_deref(),
        output: &args.output,
        live: true,
        decoders: super::decoders(&args.output, args.rtt.elf.as_deref())?,
        ended: "stream ended",
        publish: std::cell::RefCell::new(args.publish.connect(args.live.board.as_ref())?),
        board: args.live.board.clone(),
    };
    if let Some(url) = &args.mqtt {
        let given = args.probe.flags_given();
        if !given.is_empty() {
            anyhow::bail!(
                "--mqtt reads boards from a broker, not a probe: drop {}",
                given.join(", ")
            );
        }
        return super::mqtt::attach(url, args, &how, stop);
    }
    if let Some(addr) = &args.tcp {
        let given = args.probe.flags_given();
        if !given.is_empty() {
            anyhow::bail!(
                "--tcp reads an RTT server, not a probe: drop {}",
                given.join(", ")
            );
        }
        let source = TcpSource::connect(addr)?;
        let addr = addr.clone();
        let connect = Box::new(move || -> Result<Box<dyn Source>> {
            Ok(Box::new(TcpSource::connect(&addr)?))
        });
        return super::stream_live(
            source,
            "RTT server",
            connect,
            args.live.no_reconnect,
            &how,
            stop,
        );
    }
    // clap guarantees --chip without --tcp.
    let chip_name = args.probe.chip.clone().unwrap_or_default();
    let description = args.probe.chip_description.clone();
    // Resolve the chip first: a typo is reported before any USB (or GDB server) is touched.
    let target = resolve_chip_with(&chip_name, description.as_deref())?;
    let source = attach(target, &args.probe, &args.rtt)?;
    eprintln!(
        "attached: RTT control block at {:#010x}, {} (Ctrl-C to stop)",
        source.control_block(),
        ph_tap::channel::up_channels(source.channels()),
    );
    // Attach again as the first time, but never reset a target that is already running.
    let what = args.probe.kind();
    let probe = args.probe.clone();
    let rtt = RttOptions {
        reset: false,
        ..args.rtt.clone()
    };
    let connect = Box::new(move || -> Result<Box<dyn Source>> {
        let target = resolve_chip_with(&chip_name, description.as_deref())?;
        Ok(Box::new(attach(target, &probe, &rtt)?))
    });
    super::stream_live(source, what, connect, args.live.no_reconnect, &how, stop)
}

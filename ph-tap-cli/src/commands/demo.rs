//! `ph-tap demo`: the simulated target through the real pipeline.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::Result;

use ph_tap::demo::{DemoConfig, DemoSource, LinkFaults, ThreadedDemo};

use super::Stream;
use crate::cli::DemoArgs;

/// The demo configuration the command line asks for.
fn config(args: &DemoArgs) -> DemoConfig {
    DemoConfig {
        count: args.count,
        seed: args.seed,
        bursts: !args.no_bursts,
        link: LinkFaults {
            lose_per_mille: args.link_loss.min(1000),
            damage_per_mille: args.corrupt.min(1000),
        },
        // u64: no overflow for any --count.
        reset_after: (!args.no_reset).then_some((u64::from(args.count) * 3 / 4) as u32),
        first_seq: args.first_seq,
        tick: Duration::from_millis(args.tick_ms),
        streams: !args.single_stream,
    }
}

/// Runs the simulation to its end (or Ctrl-C).
pub(super) fn run(args: &DemoArgs, stop: &Arc<AtomicBool>) -> Result<()> {
    let how = Stream {
        save: args.save.as_deref(),
        output: &args.output,
        live: true,
        decoders: super::decoders(&args.output, None)?,
        ended: "demo ended",
        publish: std::cell::RefCell::new(args.publish.connect(args.board.as_ref())?),
        board: args.board.clone(),
    };
    let config = config(args);
    if args.threads {
        let source = ThreadedDemo::start(&config)?;
        return super::stream(source, &how, stop);
    }
    super::stream(DemoSource::new(config), &how, stop)
}

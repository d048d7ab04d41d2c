//! `ph-tap demo`: the simulated target through the real pipeline.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::Result;

use crate::cli::DemoArgs;
use crate::demo::link::LinkFaults;
use crate::demo::threaded::ThreadedDemo;
use crate::demo::{DemoConfig, DemoSource};

/// The demo configuration the command line asks for.
pub fn config(args: &DemoArgs) -> DemoConfig {
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
    }
}

/// Runs the simulation to its end (or Ctrl-C).
pub fn run(args: &DemoArgs, stop: &Arc<AtomicBool>) -> Result<()> {
    let opts = super::output_options(&args.output, true);
    let config = config(args);
    if args.threads {
        let source = ThreadedDemo::start(&config)?;
        return super::stream(source, args.save.as_deref(), &opts, stop);
    }
    super::stream(DemoSource::new(config), args.save.as_deref(), &opts, stop)
}

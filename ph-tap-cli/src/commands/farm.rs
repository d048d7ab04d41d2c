//! `ph-tap attach` on several boards (`--boards FILE`, several `--probe`, `--all-probes`): the
//! boards as the command line or the file gives them, run by [`ph_tap::farm`] to their end.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::{Result, bail};
use ph_tap::farm::{
    Farm, FarmFormat, FarmOutput, all_probes, attach_boards, boards_of_probes, read_boards,
};
use ph_tap::probe::list_probes;

use crate::cli::{AttachArgs, Format, OutputArgs};

/// Whether `attach` reads several boards.
pub(super) fn wanted(args: &AttachArgs) -> bool {
    args.boards.is_some() || args.all_probes || args.probe.probe.len() > 1
}

/// Attaches every board and streams them all until Ctrl-C or every board has ended.
pub(super) fn run(args: &AttachArgs, stop: &Arc<AtomicBool>) -> Result<()> {
    let out = &args.output;
    if out.tui {
        bail!(
            "--tui shows one board: pick one (a --boards file of one [[board]], or a single --probe)"
        );
    }
    if out.udp.is_some() {
        bail!("--udp feeds one board: drop it, or attach to one board");
    }
    if args.live.board.is_some() {
        bail!(
            "--board names the board of a single-board run: name each board in the --boards file instead (several --probe are named after their probes)"
        );
    }
    let boards = match &args.boards {
        Some(path) => {
            let given = args.probe.probe_flags_given();
            if !given.is_empty() {
                bail!(
                    "--boards {}: give {} in each [[board]] instead",
                    path.display(),
                    given.join(", ")
                );
            }
            read_boards(path, args.probe.chip.as_deref())?
        }
        None => {
            let selectors = if args.all_probes {
                all_probes(&list_probes())?
            } else {
                args.probe.probe.clone()
            };
            boards_of_probes(&selectors, &args.probe, &args.rtt)?
        }
    };
    let decoders = super::decoders(out, None)?;
    let mut output = output(out, args.live.save.clone(), &decoders);
    // `--publish`: every board to the broker under its own name, each through its own
    // connection, made when the board starts (the URL and options checked here, first).
    output.publish = args.publish.options(None)?;
    let farm = Farm::new(output, Arc::clone(stop));
    attach_boards(&farm, boards, &decoders, args.live.no_reconnect)?;
    let report = farm.wait()?;
    match report.failures() {
        0 => Ok(()),
        n => bail!(
            "{n} of {} boards failed: see each board's line above",
            report.boards.len()
        ),
    }
}

/// The farm's output as the command line asks for it: the format and its options, every
/// board's `--save` file made from `save`.
pub(super) fn output(
    out: &OutputArgs,
    save: Option<std::path::PathBuf>,
    decoders: &ph_tap::decode::DecoderOptions,
) -> FarmOutput {
    let mut output = FarmOutput::new(match out.format {
        Format::Human => FarmFormat::Human,
        Format::Json => FarmFormat::Json,
        Format::Csv => FarmFormat::Csv,
    })
    .times(!out.no_time);
    output.color = out.color.enabled_for_stdout();
    output.verbose = out.verbose;
    output.streams = out.streams.clone();
    output.decoders = decoders.clone();
    output.save = save;
    output.one_thread = out.one_thread;
    output
}

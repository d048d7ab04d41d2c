//! `ph-tap run ELF`: flash, start, and watch the firmware's telemetry and defmt logs, as a cargo
//! runner. Ends like `probe-rs run`: 0 on Ctrl-C, the firmware's code when it exits through
//! semihosting, 101 when it halts on a panic or fault (see `main.rs`).

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::Result;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use ph_tap::probe::{
    RttOptions, arm_fault_catch, attach_rtt, elf_instruction_set, flash, gdb_errors_first,
    open_session, resolve_chip_with, rtt_address_from_elf, start,
};
use ph_tap::source::Source;
use probe_rs::flashing::{ProgressEvent, ProgressOperation};
use probe_rs::rtt::ScanRegion;

use super::Stream;
use crate::cli::RunArgs;

/// Flashes, starts and streams until Ctrl-C, the firmware's end, or the source's.
pub(super) fn run(args: &RunArgs, stop: &Arc<AtomicBool>) -> Result<()> {
    // clap requires --chip (or PROBE_RS_CHIP).
    let chip_name = args.probe.chip.clone().unwrap_or_default();
    let description = args.probe.chip_description.clone();
    // Everything that can be checked without hardware first: the chip, the ELF and its RTT
    // control block.
    let target = resolve_chip_with(&chip_name, description.as_deref())?;
    elf_instruction_set(&args.elf)?;
    let control_block = rtt_address_from_elf(&args.elf)?;
    let region = ScanRegion::Exact(control_block);
    let rtt = RttOptions {
        reset: false,
        elf: Some(args.elf.clone()),
        channels: args.channels.clone(),
        show_channels: args.show_channels.clone(),
    };
    // The defmt table too: once the firmware runs, its RTT buffers fill while ph-tap is busy.
    let how = Stream {
        save: args.live.save.as_deref(),
        output: &args.output,
        live: true,
        decoders: super::decoders(&args.output, Some(&args.elf))?,
        ended: "stream ended",
        publish: std::cell::RefCell::new(args.publish.connect(args.live.board.as_ref())?),
        board: args.live.board.clone(),
    };

    let mut session = open_session(target, &args.probe, true)?;
    let began = Instant::now();
    let mut bars = FlashBars::new(std::io::stderr().is_terminal());
    let boot = gdb_errors_first(flash(
        &mut session,
        &args.elf,
        !args.no_verify,
        &mut |event| bars.show(event),
    ))?;
    bars.clear();
    let flashed = began.elapsed();
    gdb_errors_first(start(&mut session, &boot, control_block))?;
    let source = gdb_errors_first(attach_rtt(session, &region, &rtt))?;
    let source = source.watch_halts(Some(args.elf.clone()));
    eprintln!(
        "flashed {} in {:.2} s{}, started in {:.2} s: RTT control block at {control_block:#010x}, {} (Ctrl-C to stop)",
        file_name(&args.elf),
        flashed.as_secs_f64(),
        if args.no_verify { "" } else { " (verified)" },
        began.elapsed().as_secs_f64(),
        ph_tap::channel::up_channels(source.channels()),
    );

    // Attach again as the first time, without flashing or resetting: the firmware runs on.
    let what = args.probe.kind();
    let probe = args.probe.clone();
    let elf = args.elf.clone();
    let connect = Box::new(move || -> Result<Box<dyn Source>> {
        let target = resolve_chip_with(&chip_name, description.as_deref())?;
        let mut session = open_session(target, &probe, false)?;
        gdb_errors_first(arm_fault_catch(&mut session))?;
        let source = gdb_errors_first(attach_rtt(session, &region, &rtt))?;
        Ok(Box::new(source.watch_halts(Some(elf.clone()))))
    });
    super::stream_live(source, what, connect, args.live.no_reconnect, &how, stop)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The erase / program / verify progress bars on stderr, drawn only on a terminal (so a log
/// file or a pipe gets none, and stdout is never touched).
struct FlashBars {
    bars: Option<MultiProgress>,
    erase: Option<ProgressBar>,
    program: Option<ProgressBar>,
    verify: Option<ProgressBar>,
    fill: Option<ProgressBar>,
}

impl FlashBars {
    fn new(terminal: bool) -> Self {
        Self::drawn_to(terminal.then(ProgressDrawTarget::stderr))
    }

    /// Bars drawn to `target`; none at all without one.
    fn drawn_to(target: Option<ProgressDrawTarget>) -> Self {
        let bars = target.map(MultiProgress::with_draw_target);
        Self {
            bars,
            erase: None,
            program: None,
            verify: None,
            fill: None,
        }
    }

    fn slot(&mut self, operation: ProgressOperation) -> &mut Option<ProgressBar> {
        match operation {
            ProgressOperation::Erase => &mut self.erase,
            ProgressOperation::Program => &mut self.program,
            ProgressOperation::Verify => &mut self.verify,
            ProgressOperation::Fill => &mut self.fill,
        }
    }

    fn show(&mut self, event: ProgressEvent) {
        let Some(bars) = self.bars.clone() else {
            return;
        };
        match event {
            ProgressEvent::AddProgressBar { operation, total } => {
                let bar = bars.add(ProgressBar::new(total.unwrap_or(0)));
                bar.set_style(
                    ProgressStyle::with_template(
                        "{msg:>9} [{bar:40}] {bytes:>9}/{total_bytes:9} {bytes_per_sec:>11} {elapsed:>3}",
                    )
                    .map(|style| style.progress_chars("=> "))
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar.set_message(label(operation));
                *self.slot(operation) = Some(bar);
            }
            ProgressEvent::Started(operation) => {
                if let Some(bar) = self.slot(operation) {
                    bar.reset_elapsed();
                }
            }
            ProgressEvent::Progress {
                operation, size, ..
            } => {
                if let Some(bar) = self.slot(operation) {
                    bar.inc(size);
                }
            }
            ProgressEvent::Finished(operation) => {
                if let Some(bar) = self.slot(operation) {
                    bar.finish();
                }
            }
            ProgressEvent::Failed(operation) => {
                if let Some(bar) = self.slot(operation) {
                    bar.abandon_with_message(format!("{} failed", label(operation)));
                }
            }
            ProgressEvent::FlashLayoutReady { .. } | ProgressEvent::DiagnosticMessage { .. } => {}
        }
    }

    /// Takes the bars off the screen once flashing is over (the summary line replaces them).
    fn clear(&mut self) {
        if let Some(bars) = &self.bars {
            // Nothing to do if the terminal went away.
            let _ = bars.clear();
        }
    }
}

fn label(operation: ProgressOperation) -> &'static str {
    match operation {
        ProgressOperation::Erase => "Erasing",
        ProgressOperation::Program => "Programming",
        ProgressOperation::Verify => "Verifying",
        ProgressOperation::Fill => "Reading",
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn progress(operation: ProgressOperation, size: u64) -> ProgressEvent {
        ProgressEvent::Progress {
            operation,
            size,
            time: Duration::from_millis(1),
        }
    }

    #[test]
    fn each_operation_gets_its_bar() {
        let mut bars = FlashBars::drawn_to(Some(ProgressDrawTarget::hidden()));
        for (operation, total) in [
            (ProgressOperation::Erase, 4096),
            (ProgressOperation::Program, 3000),
            (ProgressOperation::Verify, 3000),
        ] {
            bars.show(ProgressEvent::AddProgressBar {
                operation,
                total: Some(total),
            });
        }
        bars.show(ProgressEvent::Started(ProgressOperation::Erase));
        bars.show(progress(ProgressOperation::Erase, 4096));
        bars.show(ProgressEvent::Finished(ProgressOperation::Erase));
        bars.show(ProgressEvent::Started(ProgressOperation::Program));
        bars.show(progress(ProgressOperation::Program, 1000));
        bars.show(progress(ProgressOperation::Program, 1000));
        bars.show(ProgressEvent::Failed(ProgressOperation::Program));
        let erase = bars.erase.as_ref().unwrap();
        assert_eq!((erase.position(), erase.is_finished()), (4096, true));
        let program = bars.program.as_ref().unwrap();
        assert_eq!((program.position(), program.length()), (2000, Some(3000)));
        assert_eq!(program.message(), "Programming failed");
        assert_eq!(bars.verify.as_ref().unwrap().position(), 0);
        assert!(bars.fill.is_none());
    }

    #[test]
    fn no_terminal_no_bars() {
        let mut bars = FlashBars::new(false);
        bars.show(ProgressEvent::AddProgressBar {
            operation: ProgressOperation::Program,
            total: Some(10),
        });
        bars.show(progress(ProgressOperation::Program, 10));
        assert!(bars.program.is_none());
        bars.clear();
    }
}

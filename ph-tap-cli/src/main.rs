//! `ph-tap`: see the crate README, or `ph-tap --help`. A thin shell over the `ph_tap` library:
//! [`cli`] parses, [`commands`] builds each subcommand's source and sinks.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use ph_tap::probe::FirmwareStop;

mod cli;
mod commands;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let stop = Arc::new(AtomicBool::new(false));
    let handler_stop = Arc::clone(&stop);
    // First Ctrl-C (or SIGTERM, SIGHUP): stop reading, print the summary, exit normally. Second:
    // leave at once.
    let installed = ctrlc::set_handler(move || {
        if handler_stop.swap(true, Ordering::Relaxed) {
            std::process::exit(130);
        }
    });
    if let Err(err) = installed {
        eprintln!("warning: cannot catch Ctrl-C ({err}); the summary will not print on Ctrl-C");
    }
    match commands::run(cli, &stop) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our output went away (`ph-tap demo | head`): a normal way to stop.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        // `ph-tap run`: the firmware stopped by itself; its exit status is ours (0 for an exit
        // through semihosting with code 0, which is no error).
        Err(err) if FirmwareStop::find(&err).is_some() => {
            if let Some(FirmwareStop::Fault { backtrace, .. }) = FirmwareStop::find(&err)
                && !backtrace.is_empty()
            {
                eprintln!("firmware backtrace:");
                for (i, frame) in backtrace.iter().enumerate() {
                    eprintln!("{i:>4}: {frame}");
                }
            }
            let code = FirmwareStop::find(&err).map_or(1, FirmwareStop::exit_code);
            let prefix = if code == 0 { "" } else { "error: " };
            eprintln!("{prefix}{}", ph_tap::one_line(&err));
            ExitCode::from(code)
        }
        Err(err) => {
            eprintln!("error: {}", ph_tap::one_line(&err));
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

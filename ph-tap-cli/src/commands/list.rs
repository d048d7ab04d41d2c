//! `ph-tap list`: the probes connected, one a line, as `--probe` takes them.

use anyhow::Result;

use ph_tap::probe::{UDEV_HINT, list_probes};

/// Prints one line per probe; with none, says so on stderr (not an error).
pub(super) fn run() -> Result<()> {
    let probes = list_probes();
    if probes.is_empty() {
        eprintln!("no debug probes found: plug one in; if it is plugged in, {UDEV_HINT}");
        return Ok(());
    }
    for probe in &probes {
        println!("{}", probe.list_line());
    }
    Ok(())
}

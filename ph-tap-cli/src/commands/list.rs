//! `ph-tap list`: the probes connected, one a line, as `--probe` takes them.

use anyhow::Result;

use crate::probe::attach::list_probes;
use crate::probe::select::UDEV_HINT;

/// Prints one line per probe; with none, says so on stderr (not an error).
pub fn run() -> Result<()> {
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

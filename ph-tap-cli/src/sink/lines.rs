//! Lines gathered before they are written: a sink appends each line to one buffer and hands
//! the writer many at a time (one copy of a line, into that buffer, instead of a second into
//! the writer's own for each line).

use std::io::Write;

use anyhow::{Context, Result};

use super::STDOUT_GONE;

/// How many bytes of lines a sink gathers before it writes them.
const BATCH: usize = 32 * 1024;

/// Writes the lines gathered in `lines` to `out` once they are [`BATCH`] bytes or more, or
/// whatever there is when `all` (before a flush, the summary, the end), and empties it.
pub(crate) fn write_lines(lines: &mut Vec<u8>, out: &mut impl Write, all: bool) -> Result<()> {
    if lines.len() >= BATCH || (all && !lines.is_empty()) {
        out.write_all(lines).context(STDOUT_GONE)?;
        lines.clear();
    }
    Ok(())
}

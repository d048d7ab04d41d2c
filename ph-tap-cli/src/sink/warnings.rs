//! Warnings about the stream as a whole (`warning: ...`) and what happens to the source (`probe
//! gone: ...`), as lines on stderr whatever the format.

use anyhow::Result;

use super::Sink;
use crate::record::{Body, Record};

/// Prints every [`Body::Warning`] and [`Body::Source`] on stderr.
#[derive(Debug, Default)]
pub struct WarningSink;

impl Sink for WarningSink {
    fn record(&mut self, record: &Record) -> Result<()> {
        match &record.body {
            Body::Warning(warning) => eprintln!("warning: {warning}"),
            Body::Source(event) => eprintln!("{event}"),
            _ => {}
        }
        Ok(())
    }
}

//! Warnings about the stream as a whole, as `warning: ...` lines on stderr whatever the format.

use anyhow::Result;

use super::Sink;
use crate::record::{Body, Record};

/// Prints every [`Body::Warning`] on stderr.
#[derive(Debug, Default)]
pub struct WarningSink;

impl Sink for WarningSink {
    fn record(&mut self, record: &Record) -> Result<()> {
        if let Body::Warning(warning) = &record.body {
            eprintln!("warning: {warning}");
        }
        Ok(())
    }
}

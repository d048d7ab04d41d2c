//! Warnings about the stream as a whole (`warning: ...`) and what happens to the source (`probe
//! gone: ...`), as lines on stderr whatever the format.

use anyhow::Result;

use super::Sink;
use crate::record::{Body, Record};

/// Prints every [`Body::Warning`] and [`Body::Source`] on stderr, after the record's board
/// (`[a] `) when it has one.
#[derive(Debug, Default)]
pub struct WarningSink;

impl Sink for WarningSink {
    fn record(&mut self, record: &Record) -> Result<()> {
        let board = || match &record.origin.board {
            Some(board) => format!("[{board}] "),
            None => String::new(),
        };
        match &record.body {
            Body::Warning(warning) => eprintln!("{}warning: {warning}", board()),
            Body::Source(event) => eprintln!("{}{event}", board()),
            _ => {}
        }
        Ok(())
    }
}

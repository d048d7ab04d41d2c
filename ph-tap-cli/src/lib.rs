//! `ph-tap`: watch [`ph-eventing`](ph_eventing) telemetry live through a debug probe, with every
//! drop flagged.
//!
//! The binary is a thin shell over this library: [`cli`] parses, [`commands`] dispatches, every
//! byte stream is a [`source::ByteSource`] (probe-rs RTT, TCP, file, stdin, the [`demo`]), and
//! [`pipeline`] runs any of them through [`decode`] into [`output`].
//!
//! See the crate README for the commands, the output formats and their field names.

pub mod cli;
pub mod commands;
pub mod decode;
pub mod demo;
pub mod output;
pub mod pipeline;
pub mod probe;
pub mod source;
pub mod value;

/// Formats an error chain as ONE line: the context (which says what to do next), then the
/// first line of each underlying cause.
///
/// ```
/// let err = anyhow::anyhow!("disk on fire\nmore detail").context("cannot save: free some space");
/// assert_eq!(ph_tap::one_line(&err), "cannot save: free some space (cause: disk on fire)");
/// ```
pub fn one_line(err: &anyhow::Error) -> String {
    let mut chain = err.chain().map(|e| {
        let text = e.to_string();
        let first = text.lines().next().unwrap_or_default().trim();
        first.trim_end_matches('.').to_owned()
    });
    let head = chain.next().unwrap_or_default();
    let causes: Vec<String> = chain.filter(|c| !c.is_empty()).collect();
    if causes.is_empty() {
        head
    } else {
        format!("{head} (cause: {})", causes.join(": "))
    }
}

//! `ph-tap`: watch [`ph-eventing`](ph_eventing) telemetry live through a debug probe, with every
//! drop flagged, as a library another tool can reuse; the `ph-tap` binary is a thin command
//! line over it.
//!
//! # The data path
//!
//! ```text
//! source ──(channel, bytes)──▶ router ──▶ one decoder per channel ──▶ records ──▶ sinks
//! ```
//!
//! - [`source`]: what is read: a probe's RTT up channels ([`source::ProbeSource`], opened by
//!   [`probe`]), a TCP server, a file or stdin, the simulated target of [`demo`].
//! - [`router`]: gives every channel its own [`decode::Decoder`], by what it carries: the
//!   ph-eventing wire format through the wire crate's `Session` ([`decode::PhEventingDecoder`]),
//!   defmt logs through knurling's `defmt-decoder` ([`decode::DefmtDecoder`]), text lines
//!   ([`decode::TextDecoder`]).
//! - [`record`]: what comes out: values, hellos, the wire crate's loss events as they are, log
//!   and text lines, each tagged with the channel it came from and, for a ph-eventing link of
//!   several streams ([`stream`]), the stream.
//! - [`sink`]: where records go: human lines, JSON, CSV, the status line, warnings, the
//!   summary, `--save`, the `--tui` dashboard ([`sink::tui`]); several at once.
//! - [`capture`]: the capture format `--save` writes for several channels (every channel's
//!   bytes in arrival order, with their times), and its reader, which `ph-tap decode` replays
//!   through [`source::CaptureSource`].
//! - [`pipeline`]: runs a source on its own thread through the router into the sinks.
//! - [`farm`]: several boards at once, each its own pipeline on its own thread, their records
//!   tagged with the [`board`] they are of, written to one stdout whole lines at a time.
//! - [`plot`]: `ph-tap plot`, a sink that draws a capture's numeric fields and losses as an SVG
//!   or a PNG.
//!
//! `docs/ARCHITECTURE.md` in the repository shows where a new source, decoder or sink plugs in.

pub mod board;
pub mod capture;
pub mod channel;
pub mod decode;
pub mod demo;
pub mod farm;
pub mod mqtt;
pub mod name;
pub mod pipeline;
pub mod plot;
pub mod probe;
pub mod record;
pub mod router;
pub mod sink;
pub mod source;
pub mod stream;

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

//! A custom host tool in ~20 lines: decode a capture of a ph-eventing stream (any bytes read from
//! RTT, a UART, a file) and print every frame with its drop flags.
//!
//! ```text
//! cargo run -p ph-eventing-wire --example decode_capture -- ph-eventing-wire/examples/data/capture.bin
//! ```
use std::io::Write;

use ph_eventing_wire::accounting::Event;
use ph_eventing_wire::session::{Record, Session};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        return eprintln!("usage: decode_capture <capture file> (try examples/data/capture.bin)");
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}; pass the path of a capture file");
        std::process::exit(1)
    });
    print_capture(&bytes, &mut std::io::stdout().lock()).expect("stdout closed");
}

/// Prints one line per frame, preceded by `!` lines for what it revealed.
pub fn print_capture(bytes: &[u8], out: &mut impl Write) -> std::io::Result<()> {
    let mut session = Session::new();
    let mut records = session.feed(bytes);
    records.extend(session.finish()); // frames still waiting to be placed, if any
    for record in records {
        match record {
            Record::Rejected(e) => writeln!(out, "  ! {e}")?,
            Record::Duplicate { seq, .. } => writeln!(out, "  ! {}", Event::Duplicate { seq })?,
            Record::Warning(w) => writeln!(out, "  ! {w}")?,
            Record::Hello(h) => {
                h.events.iter().try_for_each(|e| writeln!(out, "  ! {e}"))?;
                let schema = h.schema.map_or_else(|e| e.to_string(), |s| s.to_string());
                writeln!(out, "hello boot {:#010x}, values: {schema}", h.boot_id)?;
            }
            Record::Data(d) => {
                d.events.iter().try_for_each(|e| writeln!(out, "  ! {e}"))?;
                let value = match d.decoded {
                    Some(Ok(v)) => v.to_string(),
                    _ => format!("{:02x?}", d.value), // no schema (yet): raw postcard bytes
                };
                writeln!(out, "{:>10}  {value}", d.seq)?;
            }
            Record::Unplaced(u) => {
                u.events.iter().try_for_each(|e| writeln!(out, "  ! {e}"))?;
                for v in &u.values {
                    writeln!(out, "         ?  {v:02x?}")?;
                }
            }
        }
    }
    let (t, s) = (session.totals(), session.decoder_stats());
    writeln!(
        out,
        "{} frames, {} ring drops, {} link losses, {} corrupt frames, {} resets, {} unplaced",
        t.data_frames,
        t.ring_dropped,
        t.link_lost,
        s.corrupt(),
        t.resets,
        t.unplaced
    )
}

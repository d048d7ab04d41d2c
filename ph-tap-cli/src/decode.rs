//! The decode stage shared by every source: bytes in, [`Record`]s out, with drop accounting
//! and the "this is not a ph-eventing stream" warning.

use ph_eventing_wire::accounting::{Accountant, Event};
use ph_eventing_wire::chain::{Chain, Placed};
use ph_eventing_wire::decoder::FrameDecoder;
use ph_eventing_wire::frame::FrameError;

use crate::output::record::Record;
use crate::value::{ValueAs, ValueRenderer};

/// Largest decoded frame accepted (bigger ones are reported as corrupt).
pub const MAX_FRAME: usize = 4096;

/// After this many bytes without one valid frame, ph-tap warns that the stream does not look
/// like ph-eventing frames (and keeps listening).
pub const NOT_PH_EVENTING_AFTER: u64 = 4096;

/// Bytes to records.
pub struct Decoder {
    frames: Box<FrameDecoder<MAX_FRAME>>,
    chain: Chain,
    accountant: Accountant,
    values: ValueRenderer,
    last_hello: Option<(u32, Vec<u8>)>,
    good_frames: u64,
    bytes: u64,
    warned: bool,
}

impl Decoder {
    /// A decoder that renders schema-less values as `fallback`.
    pub fn new(fallback: ValueAs) -> Self {
        Self {
            frames: Box::new(FrameDecoder::new()),
            chain: Chain::new(),
            accountant: Accountant::new(),
            values: ValueRenderer::new(fallback),
            last_hello: None,
            good_frames: 0,
            bytes: 0,
            warned: false,
        }
    }

    /// Decodes `bytes`, calling `emit` for each record in stream order.
    ///
    /// Returns a warning (once per decoder) when the stream does not look like ph-eventing frames.
    pub fn feed(&mut self, bytes: &[u8], mut emit: impl FnMut(Record)) -> Option<String> {
        self.bytes += bytes.len() as u64;
        let Self {
            frames,
            chain,
            accountant,
            values,
            last_hello,
            good_frames,
            ..
        } = self;
        frames.feed(bytes, |result| {
            match &result {
                Ok(_) => *good_frames += 1,
                // Joining mid-frame is normal for a live stream.
                Err(FrameError::LeadingGarbage { .. }) => {}
                Err(err) => emit(Record::CorruptFrame {
                    reason: reason(err),
                }),
            }
            // Compact frames get their sequence numbers here (possibly a few frames later).
            chain.push(result, |placed| {
                placed_records(accountant, values, last_hello, &placed, &mut emit)
            });
        });
        if !self.warned && self.good_frames == 0 && self.bytes >= NOT_PH_EVENTING_AFTER {
            self.warned = true;
            return Some(format!(
                "no ph-eventing frame in the first {} bytes: is this the right RTT channel or port, and does the firmware send ph-eventing-wire frames? (still listening)",
                self.bytes
            ));
        }
        None
    }
}

impl Decoder {
    /// Ends the stream: compact frames still waiting for a full frame come out as
    /// [`Record::Unplaced`].
    pub fn finish(&mut self, mut emit: impl FnMut(Record)) {
        let Self {
            chain,
            accountant,
            values,
            last_hello,
            ..
        } = self;
        chain.finish(|placed| placed_records(accountant, values, last_hello, &placed, &mut emit));
    }
}

/// Accounts one placed frame and emits its records: the events it revealed, then itself.
fn placed_records(
    accountant: &mut Accountant,
    values: &mut ValueRenderer,
    last_hello: &mut Option<(u32, Vec<u8>)>,
    placed: &Placed<'_>,
    emit: &mut impl FnMut(Record),
) {
    for event in accountant.observe_placed(placed) {
        if let Some(record) = event_record(event) {
            emit(record);
        }
    }
    match placed {
        Placed::Data { frame, .. } => emit(Record::Event {
            seq: frame.seq,
            value: values.render(frame.value),
        }),
        Placed::Hello(hello) => {
            let same = last_hello
                .as_ref()
                .is_some_and(|(id, schema)| *id == hello.boot_id && schema == hello.schema);
            if !same {
                *last_hello = Some((hello.boot_id, hello.schema.to_vec()));
                emit(Record::Hello {
                    boot_id: hello.boot_id,
                    version: hello.version,
                    schema: values.set_schema(hello.schema),
                });
            }
        }
        Placed::Unplaced { values: raw } => emit(Record::Unplaced {
            count: u32::try_from(raw.len()).unwrap_or(u32::MAX),
            values: raw.iter().map(|v| values.render(v)).collect(),
        }),
    }
}

fn event_record(event: Event) -> Option<Record> {
    Some(match event {
        Event::TargetReset { boot_id } => Record::TargetReset { boot_id },
        Event::SeqWrap => Record::SeqWrap,
        Event::RingDrop {
            count,
            first_seq,
            last_seq,
        } => Record::RingDrop {
            count,
            first_seq,
            last_seq,
        },
        Event::LinkLoss {
            count,
            first_seq,
            last_seq,
        } => Record::LinkLoss {
            count,
            first_seq,
            last_seq,
        },
        // The same frame again (e.g. a re-sent hello window): nothing new to show.
        Event::Duplicate { .. } => return None,
        // Shown by the `Record::Unplaced` that follows, with the values.
        Event::Unplaced { .. } => return None,
    })
}

fn reason(err: &FrameError) -> String {
    let text = err.to_string();
    text.strip_prefix("corrupt frame: ")
        .unwrap_or(&text)
        .to_owned()
}

//! The stream label of human lines: a link whose only stream has no name (every version 2
//! capture) shows none, so its lines read as they always did; otherwise each line of a stream
//! starts with its name (`stream N` without one), padded to the widest label of its channel.

use std::collections::{BTreeMap, BTreeSet};

use crate::record::{Body, ChannelId, Record};
use crate::stream::StreamTag;

/// What the human format knows of each channel's streams, learnt from its records.
#[derive(Debug, Default)]
pub(crate) struct StreamLabels {
    channels: BTreeMap<ChannelId, Streams>,
}

#[derive(Debug, Default)]
struct Streams {
    /// The largest stream count a hello gave.
    announced: u8,
    seen: BTreeSet<u8>,
    /// The widest label shown so far.
    width: usize,
}

impl StreamLabels {
    /// The label of `record` (with the spaces after it), or `None` for a record of no stream or
    /// of a link whose only stream has no name.
    pub(crate) fn label(&mut self, record: &Record) -> Option<String> {
        let tag: &StreamTag = record.origin.stream.as_ref()?;
        let streams = self.channels.entry(record.origin.channel).or_default();
        streams.seen.insert(tag.id);
        if let Body::Hello(hello) = &record.body {
            streams.announced = streams.announced.max(hello.streams);
        }
        let several = streams.announced > 1 || streams.seen.len() > 1;
        if !several && tag.name.is_none() {
            return None;
        }
        let text = tag.to_string();
        streams.width = streams.width.max(text.chars().count());
        let pad = streams.width - text.chars().count();
        Some(format!("{text}{}  ", " ".repeat(pad)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Origin;
    use ph_eventing_wire::accounting::Event;

    fn of(stream: Option<StreamTag>) -> Record {
        Record {
            origin: Origin { channel: 0, stream },
            at: None,
            body: Body::Event(Event::SeqWrap),
        }
    }

    #[test]
    fn only_an_unnamed_single_stream_has_no_label() {
        let mut labels = StreamLabels::default();
        assert_eq!(labels.label(&of(Some(StreamTag::new(0, "")))), None);
        assert_eq!(labels.label(&of(None)), None);
        assert_eq!(
            labels
                .label(&of(Some(StreamTag::new(0, "samples"))))
                .as_deref(),
            Some("samples  ")
        );
        // A second stream: unnamed ones are labelled by id, padded to the widest.
        assert_eq!(
            labels.label(&of(Some(StreamTag::new(1, "")))).as_deref(),
            Some("stream 1  ")
        );
        assert_eq!(
            labels.label(&of(Some(StreamTag::new(0, "")))).as_deref(),
            Some("stream 0  ")
        );
        assert_eq!(
            labels.label(&of(Some(StreamTag::new(2, "ev")))).as_deref(),
            Some("ev        ")
        );
    }
}

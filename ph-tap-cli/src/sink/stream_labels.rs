//! The stream label of human lines: a stream that is not [named](StreamTag::is_named) (the
//! only stream of its link, without a name: every version 2 capture) shows none, so its lines
//! read as they always did; otherwise each line of a stream starts with its name (`stream N`
//! without one), padded to the widest label of its channel so far.

use std::collections::BTreeMap;

use crate::record::{ChannelId, Record};
#[cfg(doc)]
use crate::stream::StreamTag;

/// The widest stream label of each channel so far.
#[derive(Debug, Default)]
pub(crate) struct StreamLabels {
    width: BTreeMap<ChannelId, usize>,
}

impl StreamLabels {
    /// The label of `record` (with the spaces after it), or `None` for a record of no stream or
    /// of a stream not named.
    pub(crate) fn label(&mut self, record: &Record) -> Option<String> {
        let tag = record.origin.stream.as_ref().filter(|t| t.is_named())?;
        let text = tag.to_string();
        let width = self.width.entry(record.origin.channel).or_default();
        *width = (*width).max(text.chars().count());
        let pad = *width - text.chars().count();
        Some(format!("{text}{}  ", " ".repeat(pad)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Body, Origin};
    use crate::stream::StreamTag;
    use ph_eventing_wire::accounting::Event;

    fn of(stream: Option<StreamTag>) -> Record {
        Record {
            origin: Origin {
                channel: 0,
                stream,
                board: None,
            },
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
        // On a shared link, unnamed streams are labelled by id, padded to the widest.
        assert_eq!(
            labels
                .label(&of(Some(StreamTag::new(1, "").shared(true))))
                .as_deref(),
            Some("stream 1  ")
        );
        assert_eq!(
            labels
                .label(&of(Some(StreamTag::new(0, "samples"))))
                .as_deref(),
            Some("samples   ")
        );
        assert_eq!(
            labels.label(&of(Some(StreamTag::new(2, "ev")))).as_deref(),
            Some("ev        ")
        );
    }
}

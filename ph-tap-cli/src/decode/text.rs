//! Text channels (`--show-channel`): the bytes as UTF-8 text, one [`Body::Text`] per line.

use super::{Decoder, LineCounts};
use crate::channel::{Channel, ChannelKind};
use crate::record::{Body, TextLine, Warning};

/// The longest line shown whole, in bytes; a longer one is cut into pieces of at most this
/// many bytes, so a channel of garbage without newlines holds at most this much.
pub const MAX_LINE: usize = 4096;

/// A text channel: bytes in, one line out per `\n` (a `\r` before it is dropped).
///
/// A line is held back until its newline arrives; what is left at the end of the stream comes
/// out at [`finish`](Decoder::finish). Bytes that are not UTF-8 are shown as `U+FFFD`. A line
/// longer than [`MAX_LINE`] bytes comes out in pieces marked [`cut`](TextLine::cut), with one
/// [`Warning::LineCut`] for the channel.
///
/// ```
/// use ph_tap::channel::{Channel, ChannelKind};
/// use ph_tap::decode::{Decoder, TextDecoder};
/// use ph_tap::record::Body;
///
/// let channel = Channel { id: 2, name: Some("Terminal".into()), kind: ChannelKind::Text };
/// let mut decoder = TextDecoder::new(&channel);
/// let mut lines = Vec::new();
/// let mut emit = |body| {
///     if let Body::Text(line) = body {
///         lines.push(line.text);
///     }
/// };
/// decoder.feed(b"boot\r\nsensor ", &mut emit);
/// decoder.feed(b"ok\npartial", &mut emit);
/// decoder.finish(&mut emit);
/// assert_eq!(lines, ["boot", "sensor ok", "partial"]);
/// ```
pub struct TextDecoder {
    label: String,
    pending: Vec<u8>,
    counts: LineCounts,
}

impl TextDecoder {
    /// A decoder for the text channel `channel`.
    pub fn new(channel: &Channel) -> Self {
        Self {
            label: channel.label(),
            pending: Vec::new(),
            counts: LineCounts {
                kind: ChannelKind::Text,
                ..LineCounts::default()
            },
        }
    }

    fn emit_line(&mut self, bytes: &[u8], cut: bool, emit: &mut dyn FnMut(Body)) {
        let bytes = if cut {
            bytes
        } else {
            bytes.strip_suffix(b"\r").unwrap_or(bytes)
        };
        self.counts.lines += 1;
        emit(Body::Text(TextLine {
            text: String::from_utf8_lossy(bytes).into_owned(),
            cut,
        }));
    }

    /// Cuts the first piece off a pending line longer than [`MAX_LINE`]: at most `MAX_LINE`
    /// bytes, ending on a character boundary when the text is UTF-8 there.
    fn cut(&mut self, emit: &mut dyn FnMut(Body)) {
        let mut at = MAX_LINE;
        if let Err(err) = std::str::from_utf8(&self.pending[..MAX_LINE])
            && err.error_len().is_none()
            && err.valid_up_to() > 0
        {
            // A character split by the limit: keep it whole for the next piece.
            at = err.valid_up_to();
        }
        let piece: Vec<u8> = self.pending.drain(..at).collect();
        if self.counts.cut == 0 {
            emit(Body::Warning(Box::new(Warning::LineCut {
                channel: self.label.clone(),
                limit: MAX_LINE,
            })));
        }
        self.counts.cut += 1;
        self.emit_line(&piece, true, emit);
    }
}

impl Decoder for TextDecoder {
    fn feed(&mut self, bytes: &[u8], emit: &mut dyn FnMut(Body)) {
        self.counts.bytes += bytes.len() as u64;
        for part in bytes.split_inclusive(|&b| b == b'\n') {
            let (text, ended) = match part.strip_suffix(b"\n") {
                Some(text) => (text, true),
                None => (part, false),
            };
            // Taken in pieces so that a long line never holds more than MAX_LINE bytes.
            for piece in text.chunks(MAX_LINE) {
                self.pending.extend_from_slice(piece);
                while self.pending.len() > MAX_LINE {
                    self.cut(emit);
                }
            }
            if ended {
                let line = std::mem::take(&mut self.pending);
                self.emit_line(&line, false, emit);
            }
        }
    }

    fn finish(&mut self, emit: &mut dyn FnMut(Body)) {
        if !self.pending.is_empty() {
            let line = std::mem::take(&mut self.pending);
            self.emit_line(&line, false, emit);
        }
    }

    fn lines(&self) -> Option<LineCounts> {
        Some(self.counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(chunks: &[&[u8]]) -> (Vec<TextLine>, Vec<Warning>, LineCounts) {
        let channel = Channel {
            id: 1,
            name: None,
            kind: ChannelKind::Text,
        };
        let mut decoder = TextDecoder::new(&channel);
        let mut out = Vec::new();
        let mut warnings = Vec::new();
        let mut emit = |body| match body {
            Body::Text(line) => out.push(line),
            Body::Warning(w) => warnings.push(*w),
            other => panic!("{other:?}"),
        };
        for chunk in chunks {
            decoder.feed(chunk, &mut emit);
        }
        decoder.finish(&mut emit);
        (out, warnings, decoder.lines().unwrap())
    }

    fn texts(lines: &[TextLine]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn lines_split_at_every_byte_are_the_same() {
        let text = b"one\ntwo\r\n\nthr\xc3\xa9e\nrest";
        let (whole, _, counts) = lines(&[text]);
        assert_eq!(texts(&whole), ["one", "two", "", "thr\u{e9}e", "rest"]);
        assert_eq!(counts.lines, 5);
        assert_eq!(counts.bytes, text.len() as u64);
        for at in 0..=text.len() {
            let (split, _, _) = lines(&[&text[..at], &text[at..]]);
            assert_eq!(split, whole, "split at {at}");
        }
        let bytes: Vec<&[u8]> = text.chunks(1).collect();
        assert_eq!(lines(&bytes).0, whole);
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let (out, _, _) = lines(&[b"a\xffb\n"]);
        assert_eq!(texts(&out), ["a\u{fffd}b"]);
    }

    #[test]
    fn garbage_without_newlines_is_cut_and_bounded() {
        let garbage = vec![b'x'; 3 * MAX_LINE + 10];
        let chunks: Vec<&[u8]> = garbage.chunks(1000).collect();
        let (out, warnings, counts) = lines(&chunks);
        let sizes: Vec<usize> = out.iter().map(|l| l.text.len()).collect();
        assert_eq!(sizes, [MAX_LINE, MAX_LINE, MAX_LINE, 10]);
        assert_eq!(
            out.iter().map(|l| l.cut).collect::<Vec<_>>(),
            [true, true, true, false]
        );
        assert_eq!(counts.cut, 3);
        assert_eq!(
            warnings,
            [Warning::LineCut {
                channel: "1".into(),
                limit: MAX_LINE
            }],
            "said once"
        );
    }

    #[test]
    fn a_cut_never_splits_a_character() {
        let mut text = vec![b'a'; MAX_LINE - 1];
        text.extend_from_slice("é and more\n".as_bytes());
        let (out, _, _) = lines(&[&text]);
        assert_eq!(out[0].text.len(), MAX_LINE - 1);
        assert_eq!(out[1].text, "é and more");
        assert!(out.iter().all(|l| !l.text.contains('\u{fffd}')));
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_whole() {
        let mut text = vec![b'a'; MAX_LINE];
        text.push(b'\n');
        let (out, warnings, _) = lines(&[&text]);
        assert_eq!(out.len(), 1);
        assert!(!out[0].cut);
        assert!(warnings.is_empty());
    }
}

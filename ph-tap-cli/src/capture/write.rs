//! Writing a capture: the header, then one record per chunk or event, each in one write and
//! flushed at once, so the file is a complete capture after every record.

use std::io::{self, Write};
use std::time::Duration;

use super::{MAGIC, MAX_RECORD, VERSION, event, put_string, put_varint, record};
use crate::channel::Channel;
use crate::record::ChannelId;
use crate::source::SourceEvent;

/// Writes a capture to `W` (see the [module](super) and `docs/CAPTURE.md`).
///
/// Times are the arrival times since the capture started; they never go back (a time earlier
/// than the one before is written as that one). Each record is written with one `write_all`
/// and flushed, so whatever stops the writer (a crash, a full disk) cuts at most the record
/// being written, which a reader reports and skips.
///
/// ```
/// use std::time::Duration;
/// use ph_tap::capture::CaptureWriter;
/// use ph_tap::channel::Channel;
///
/// let mut writer = CaptureWriter::new(Vec::new(), &[Channel::telemetry()])?;
/// writer.chunk(0, Duration::from_micros(1500), &[0x00])?;
/// let bytes = writer.into_inner();
/// // magic, version; channel 0 (ph-eventing, no name); chunk of channel 0 at 1500 µs: 00.
/// let mut expected = ph_tap::capture::MAGIC.to_vec();
/// expected.extend_from_slice(b"\x01\x01\x0e\x00\x0bph-eventing\x00\x02\x04\x00\xdc\x0b\x00");
/// assert_eq!(bytes, expected);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct CaptureWriter<W: Write> {
    out: W,
    /// The time of the last timed record, in µs.
    clock: u64,
    /// One record, built before it is written.
    record: Vec<u8>,
    /// Its body.
    body: Vec<u8>,
}

impl<W: Write> CaptureWriter<W> {
    /// Writes the header to `out`: the magic, the version and a channel record for each of
    /// `channels` (the channel table), in one write.
    pub fn new(out: W, channels: &[Channel]) -> io::Result<Self> {
        let mut writer = Self {
            out,
            clock: 0,
            record: Vec::new(),
            body: Vec::new(),
        };
        writer.record.extend_from_slice(&MAGIC);
        writer.record.push(VERSION);
        for channel in channels {
            writer.channel_record(channel);
        }
        writer.write()?;
        Ok(writer)
    }

    /// Declares `channel` (again): its name and kind from here on. The header already declares
    /// the channels given to [`new`](Self::new).
    pub fn channel(&mut self, channel: &Channel) -> io::Result<()> {
        self.channel_record(channel);
        self.write()
    }

    /// `data` of `channel`, which arrived at `at`. Chunks longer than a record can hold are
    /// written as several chunks with the same time.
    pub fn chunk(&mut self, channel: ChannelId, at: Duration, data: &[u8]) -> io::Result<()> {
        // Room for the channel and the time, 10 bytes each at most.
        for piece in data.chunks(MAX_RECORD - 20) {
            let delta = self.tick(at);
            put_varint(&mut self.body, channel as u64);
            put_varint(&mut self.body, delta);
            self.body.extend_from_slice(piece);
            self.seal(record::CHUNK);
            self.write()?;
        }
        Ok(())
    }

    /// What happened to the source at `at`. [`SourceEvent::Skipped`] (said by a reader about
    /// the capture it read) is not written: the capture written has nothing left out.
    pub fn event(&mut self, at: Duration, event: &SourceEvent) -> io::Result<()> {
        if matches!(event, SourceEvent::Skipped { .. }) {
            return Ok(());
        }
        let delta = self.tick(at);
        put_varint(&mut self.body, delta);
        match event {
            SourceEvent::Lost { what, reason } => {
                self.body.push(event::LOST);
                put_string(&mut self.body, what);
                put_string(&mut self.body, reason);
            }
            SourceEvent::Back { what, away } => {
                self.body.push(event::BACK);
                put_string(&mut self.body, what);
                put_varint(
                    &mut self.body,
                    u64::try_from(away.as_nanos()).unwrap_or(u64::MAX),
                );
            }
            SourceEvent::Reattached { control_block } => {
                self.body.push(event::REATTACHED);
                put_varint(&mut self.body, *control_block);
            }
            SourceEvent::Skipped { .. } => unreachable!("not written, above"),
        }
        self.seal(record::EVENT);
        self.write()
    }

    /// The end of the run, at `at`: how long it lasted. Optional; a reader takes the last
    /// record's time when it is missing.
    pub fn end(&mut self, at: Duration) -> io::Result<()> {
        let delta = self.tick(at);
        put_varint(&mut self.body, delta);
        self.seal(record::END);
        self.write()
    }

    /// The writer written to.
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// Gives back the writer written to.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// The time delta to write for `at`, moving the clock.
    fn tick(&mut self, at: Duration) -> u64 {
        let us = u64::try_from(at.as_micros()).unwrap_or(u64::MAX);
        let delta = us.saturating_sub(self.clock);
        self.clock = self.clock.max(us);
        delta
    }

    fn channel_record(&mut self, channel: &Channel) {
        put_varint(&mut self.body, channel.id as u64);
        put_string(&mut self.body, channel.kind.as_str());
        put_string(&mut self.body, channel.name.as_deref().unwrap_or_default());
        self.seal(record::CHANNEL);
    }

    /// Appends the record of type `kind` with the body built so far to the bytes to write.
    fn seal(&mut self, kind: u8) {
        self.record.push(kind);
        put_varint(&mut self.record, self.body.len() as u64);
        self.record.append(&mut self.body);
    }

    /// Writes what was sealed, in one write, and flushes.
    fn write(&mut self) -> io::Result<()> {
        let result = self
            .out
            .write_all(&self.record)
            .and_then(|()| self.out.flush());
        self.record.clear();
        result
    }
}

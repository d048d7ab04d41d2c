//! The farm with in-memory sources: tagging, per-board accounting, a failing board, the stop
//! flag, the formats.

use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use ph_eventing_wire::encode::StreamEncoder;

use super::*;
use crate::decode::value::ValueAs;
use crate::pipeline::Ending;
use crate::source::{Poll, ReaderSource};

/// `n` values `0..n` with sequence numbers `1..=n`, skipping those in `lost` (link losses).
fn wire(n: u32, lost: &[u32]) -> Vec<u8> {
    let (mut wire, mut buf) = (Vec::new(), [0u8; 32]);
    let mut encoder = StreamEncoder::new(7);
    for i in 0..n {
        let mut frame = Vec::new();
        encoder
            .data(i + 1, 0, &i, &mut buf, &mut |f: &[u8]| {
                frame.extend_from_slice(f);
                true
            })
            .unwrap();
        if !lost.contains(&(i + 1)) {
            wire.extend(frame);
        }
    }
    wire
}

fn reader(bytes: Vec<u8>) -> Box<dyn Source> {
    Box::new(ReaderSource::new(Cursor::new(bytes), "memory"))
}

/// Hands out its bytes in small pieces, then fails as an unplugged probe does.
struct Dies {
    data: Vec<u8>,
    at: usize,
}

impl Source for Dies {
    fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
        if self.at == self.data.len() {
            anyhow::bail!("lost the probe (unplugged)");
        }
        let n = (self.data.len() - self.at).min(7).min(buf.len());
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(Poll::data(n))
    }
}

/// Never says anything, until stopped.
struct Quiet;

impl Source for Quiet {
    fn poll(&mut self, _buf: &mut [u8]) -> Result<Poll> {
        std::thread::sleep(Duration::from_millis(5));
        Ok(Poll::Idle)
    }
}

fn new_farm(format: FarmFormat) -> (Farm, SharedBuffer, Arc<AtomicBool>) {
    let (out, buffer) = SharedOut::buffer();
    let mut output = FarmOutput::new(format).to(out).times(false).summary(false);
    output.decoders = DecoderOptions::new(ValueAs::U32);
    let stop = Arc::new(AtomicBool::new(false));
    (Farm::new(output, Arc::clone(&stop)), buffer, stop)
}

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn every_board_s_records_are_tagged_and_counted_apart() {
    let (farm, buffer, _stop) = new_farm(FarmFormat::Json);
    farm.spawn("a", reader(wire(2000, &[10, 11, 12]))).unwrap();
    farm.spawn("b", reader(wire(3000, &[]))).unwrap();
    let report = farm.wait().unwrap();
    let (a, b) = (report.board("a").unwrap(), report.board("b").unwrap());
    assert_eq!((a.counts.frames, a.counts.link_losses), (1997, 3));
    assert_eq!((b.counts.frames, b.counts.link_losses), (3000, 0));
    assert!(matches!(a.ending, BoardEnding::Ended(Ending::Finished)));
    let lines = json_lines(&buffer.contents());
    for (name, frames) in [("a", 1997), ("b", 3000)] {
        let of: Vec<_> = lines.iter().filter(|l| l["board"] == name).collect();
        let events = of.iter().filter(|l| l["type"] == "event").count();
        assert_eq!(events, frames, "board {name}");
        let summary: Vec<_> = of.iter().filter(|l| l["type"] == "summary").collect();
        assert_eq!(summary.len(), 1);
        assert_eq!(summary[0]["frames"], frames);
        let first_key = summary[0].as_object().unwrap().keys().next().unwrap();
        assert_eq!(first_key, "board");
    }
    assert!(
        lines.iter().all(|l| l["board"].is_string()),
        "every line tagged"
    );
}

#[test]
fn a_failing_board_stops_alone() {
    let (farm, buffer, _stop) = new_farm(FarmFormat::Json);
    farm.spawn(
        "dies",
        Box::new(Dies {
            data: wire(50, &[]),
            at: 0,
        }),
    )
    .unwrap();
    farm.spawn("lives", reader(wire(5000, &[]))).unwrap();
    let report = farm.wait().unwrap();
    assert_eq!(report.failures(), 1);
    let dies = report.board("dies").unwrap();
    assert!(
        matches!(&dies.ending, BoardEnding::Ended(Ending::SourceFailed(_))),
        "{:?}",
        dies.ending
    );
    assert!(dies.ending.describe().contains("unplugged"));
    assert_eq!(
        dies.counts.frames, 50,
        "what came before the failure counts"
    );
    assert_eq!(report.board("lives").unwrap().counts.frames, 5000);
    let lines = json_lines(&buffer.contents());
    let last_lives = lines
        .iter()
        .rfind(|l| l["board"] == "lives" && l["type"] == "event")
        .unwrap();
    assert_eq!(
        last_lives["seq"], 5000,
        "the other board goes on to its end"
    );
}

#[test]
fn the_stop_flag_stops_every_board() {
    let (farm, _buffer, stop) = new_farm(FarmFormat::Human);
    farm.spawn("a", Box::new(Quiet)).unwrap();
    farm.spawn("b", Box::new(Quiet)).unwrap();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        stop.store(true, Ordering::Relaxed);
    });
    let report = farm.wait().unwrap();
    stopper.join().unwrap();
    assert_eq!(report.boards.len(), 2);
    for board in &report.boards {
        assert!(
            matches!(board.ending, BoardEnding::Ended(Ending::Interrupted)),
            "{:?}",
            board.ending
        );
    }
}

#[test]
fn one_board_ending_does_not_stop_another() {
    let (farm, _buffer, stop) = new_farm(FarmFormat::Human);
    farm.spawn("short", reader(wire(3, &[]))).unwrap();
    farm.spawn("long", Box::new(Quiet)).unwrap();
    // The short board ends at once; the long one must still be running a while later.
    std::thread::sleep(Duration::from_millis(300));
    {
        let state = farm.inner.state();
        let long = state
            .boards
            .iter()
            .find(|b| b.board.as_str() == "long")
            .unwrap();
        assert!(!long.thread.as_ref().unwrap().is_finished());
        assert!(!long.stop.load(Ordering::Relaxed));
    }
    stop.store(true, Ordering::Relaxed);
    let report = farm.wait().unwrap();
    assert!(matches!(
        report.board("short").unwrap().ending,
        BoardEnding::Ended(Ending::Finished)
    ));
}

#[test]
fn names_are_checked_and_unique() {
    let (farm, _buffer, _stop) = new_farm(FarmFormat::Human);
    farm.spawn("a", reader(Vec::new())).unwrap();
    let err = farm.spawn("a", reader(Vec::new())).unwrap_err();
    assert_eq!(
        crate::one_line(&err),
        "cannot add board a: a board of that name is already running (give each board its own name)"
    );
    let err = farm.spawn("a/b", reader(Vec::new())).unwrap_err();
    assert!(
        crate::one_line(&err).starts_with(
            "cannot add the board: pick another name (cause: board name \"a/b\" has '/'"
        ),
        "{err:#}"
    );
    assert_eq!(farm.wait().unwrap().boards.len(), 1);
}

#[test]
fn human_lines_start_with_their_board_and_csv_has_one_header() {
    let (farm, buffer, _stop) = new_farm(FarmFormat::Human);
    farm.spawn("a", reader(wire(2, &[]))).unwrap();
    farm.wait().unwrap();
    assert_eq!(buffer.contents(), "[a]          1  0\n[a]          2  1\n");

    let (farm, buffer, _stop) = new_farm(FarmFormat::Csv);
    farm.spawn("a", reader(wire(2, &[]))).unwrap();
    farm.spawn("b", reader(wire(1, &[]))).unwrap();
    farm.wait().unwrap();
    let text = buffer.contents();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("board,type,channel,seq,value,"),
        "{header}"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3, "{text}");
    let columns = header.split(',').count();
    for row in &rows {
        assert_eq!(row.split(',').count(), columns, "{row}");
    }
    assert_eq!(
        rows.iter().filter(|r| r.starts_with("a,event,0,")).count(),
        2
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r.starts_with("b,event,0,1,0,"))
            .count(),
        1
    );
}

#[test]
fn each_board_saves_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _buffer) = SharedOut::buffer();
    let mut output = FarmOutput::new(FarmFormat::Json).to(out).summary(false);
    output.save = Some(dir.path().join("run.bin"));
    let farm = Farm::new(output, Arc::new(AtomicBool::new(false)));
    let (a, b) = (wire(4, &[]), wire(9, &[]));
    farm.spawn("a", reader(a.clone())).unwrap();
    farm.spawn("b", reader(b.clone())).unwrap();
    farm.wait().unwrap();
    assert_eq!(std::fs::read(dir.path().join("run-a.bin")).unwrap(), a);
    assert_eq!(std::fs::read(dir.path().join("run-b.bin")).unwrap(), b);
}

#[test]
fn a_handle_keeps_the_farm_open_for_boards_to_come() {
    let (farm, buffer, _stop) = new_farm(FarmFormat::Json);
    let handle = farm.handle();
    let subscriber = std::thread::spawn(move || {
        for name in ["x", "y"] {
            std::thread::sleep(Duration::from_millis(80));
            handle.spawn(name, reader(wire(3, &[]))).unwrap();
        }
    });
    let report = farm.wait().unwrap();
    subscriber.join().unwrap();
    let names: Vec<&str> = report.boards.iter().map(|b| b.board.as_str()).collect();
    assert_eq!(names, ["x", "y"]);
    assert_eq!(json_lines(&buffer.contents()).len(), 8);
}

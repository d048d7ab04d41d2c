//! One stdout for every board: [`SharedOut`] owns the writer, and each board writes through
//! its own [`LineWriter`], which hands over whole lines only, under the lock, so that two
//! boards' lines never mix inside a line.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The writer every board of a farm writes to (stdout), behind a lock.
///
/// ```
/// use std::io::Write;
/// use ph_tap::farm::SharedOut;
///
/// let (out, buffer) = SharedOut::buffer();
/// let mut a = out.line_writer();
/// let mut b = out.line_writer();
/// a.write_all(b"{\"board\":\"a\",").unwrap(); // half a line: held back
/// b.write_all(b"{\"board\":\"b\"}\n").unwrap();
/// a.write_all(b"\"seq\":1}\n").unwrap();
/// assert_eq!(buffer.contents(), "{\"board\":\"b\"}\n{\"board\":\"a\",\"seq\":1}\n");
/// ```
#[derive(Clone)]
pub struct SharedOut {
    out: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl SharedOut {
    /// Every board's lines to `out`.
    pub fn new(out: impl Write + Send + 'static) -> Self {
        Self {
            out: Arc::new(Mutex::new(Box::new(out))),
        }
    }

    /// Lines to stdout, buffered (flushed whenever a board's sinks flush).
    pub fn stdout() -> Self {
        Self::new(io::BufWriter::with_capacity(64 * 1024, io::stdout()))
    }

    /// Lines to a buffer in memory, and the buffer to read them back from (tests, examples).
    pub fn buffer() -> (Self, SharedBuffer) {
        let buffer = SharedBuffer::default();
        (Self::new(buffer.clone()), buffer)
    }

    /// A writer for one board: it writes whole lines to this output, under the lock, and holds
    /// back the end of a line until its newline comes.
    pub fn line_writer(&self) -> LineWriter {
        LineWriter {
            out: Arc::clone(&self.out),
            pending: Vec::new(),
        }
    }

    /// Writes `lines` (whole lines) at once, under the lock, and flushes.
    pub fn write_lines(&self, lines: &[u8]) -> io::Result<()> {
        let mut out = lock(&self.out);
        out.write_all(lines)?;
        out.flush()
    }
}

/// A panic on a board's thread while it held the lock leaves whole lines written: the writer
/// is still good.
fn lock(out: &Mutex<Box<dyn Write + Send>>) -> MutexGuard<'_, Box<dyn Write + Send>> {
    out.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One board's writer to a [`SharedOut`]: what it is given up to its last newline is written
/// at once under the lock; the rest waits for the rest of its line.
pub struct LineWriter {
    out: Arc<Mutex<Box<dyn Write + Send>>>,
    pending: Vec<u8>,
}

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match buf.iter().rposition(|&b| b == b'\n') {
            None => self.pending.extend_from_slice(buf),
            Some(end) => {
                let (lines, rest) = buf.split_at(end + 1);
                {
                    let mut out = lock(&self.out);
                    if !self.pending.is_empty() {
                        out.write_all(&self.pending)?;
                    }
                    out.write_all(lines)?;
                }
                self.pending.clear();
                self.pending.extend_from_slice(rest);
            }
        }
        Ok(buf.len())
    }

    /// Flushes the shared writer; a line not finished yet stays held back.
    fn flush(&mut self) -> io::Result<()> {
        lock(&self.out).flush()
    }
}

/// The end of a last line that never got its newline, written as it is.
impl Drop for LineWriter {
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            let mut out = lock(&self.out);
            let _ = out.write_all(&self.pending);
            let _ = out.flush();
        }
    }
}

/// A buffer in memory a [`SharedOut`] can write to and a test can read ([`SharedOut::buffer`]).
#[derive(Clone, Default)]
pub struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    /// What was written so far, as text (bytes that are not UTF-8 as `U+FFFD`).
    pub fn contents(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_many_threads_never_mix_inside_a_line() {
        let (out, buffer) = SharedOut::buffer();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let mut w = out.line_writer();
                std::thread::spawn(move || {
                    for i in 0..500 {
                        // Each line in three pieces, the newline in the middle of the last.
                        let line = format!("board{t} line {i:04} {}\n", "x".repeat(i % 37));
                        let (a, b) = line.split_at(line.len() / 3);
                        w.write_all(a.as_bytes()).unwrap();
                        w.write_all(b.as_bytes()).unwrap();
                        if i % 7 == 0 {
                            w.flush().unwrap();
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let text = buffer.contents();
        let mut seen = [0usize; 4];
        for line in text.lines() {
            let (board, rest) = line.split_once(" line ").expect(line);
            let t: usize = board.strip_prefix("board").unwrap().parse().unwrap();
            let (i, xs) = rest.split_once(' ').expect(line);
            let i: usize = i.parse().unwrap();
            assert_eq!(i, seen[t], "board {t}'s lines in order, none torn: {line}");
            assert_eq!(xs, "x".repeat(i % 37), "{line}");
            seen[t] += 1;
        }
        assert_eq!(seen, [500; 4]);
    }

    #[test]
    fn a_line_without_its_newline_is_written_at_the_end() {
        let (out, buffer) = SharedOut::buffer();
        let mut w = out.line_writer();
        w.write_all(b"one\ntw").unwrap();
        assert_eq!(buffer.contents(), "one\n");
        drop(w);
        assert_eq!(buffer.contents(), "one\ntw");
    }
}

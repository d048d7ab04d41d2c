//! How a farm ended: each board's ending and counts ([`FarmReport`]), and the summary table
//! with one row per board.

use std::fmt::Write as _;

use crate::board::Board;
use crate::pipeline::Ending;
use crate::sink::Counts;

/// How one board's run ended.
#[derive(Debug)]
pub enum BoardEnding {
    /// Its pipeline ended: the source finished, Ctrl-C, or the source failed
    /// ([`Ending::SourceFailed`]: an unplugged probe, when it is not reconnected).
    Ended(Ending),
    /// Its pipeline failed (a sink could not write, `--save` could not be created, its thread
    /// could not start or panicked).
    Failed(anyhow::Error),
}

impl BoardEnding {
    /// A source that failed, or a pipeline that failed: the board did not end as it should.
    pub fn is_failure(&self) -> bool {
        matches!(self, Self::Ended(Ending::SourceFailed(_)) | Self::Failed(_))
    }

    /// The ending in a few words, for the summary table: `finished`, `stopped`, `failed: ...`.
    pub fn describe(&self) -> String {
        match self {
            Self::Ended(Ending::Finished) => "finished".into(),
            Self::Ended(Ending::Interrupted) => "stopped".into(),
            Self::Ended(Ending::SourceFailed(err)) | Self::Failed(err) => {
                format!("failed: {}", crate::one_line(err))
            }
        }
    }
}

/// One board of a farm at its end.
#[derive(Debug)]
pub struct BoardReport {
    /// Its name.
    pub board: Board,
    /// How it ended.
    pub ending: BoardEnding,
    /// Its totals: frames, each loss kind, reconnects, bytes.
    pub counts: Counts,
}

/// Every board of a farm at its end, in the order they were spawned.
#[derive(Debug, Default)]
pub struct FarmReport {
    /// One per board.
    pub boards: Vec<BoardReport>,
}

impl FarmReport {
    /// The board named `name`.
    pub fn board(&self, name: &str) -> Option<&BoardReport> {
        self.boards.iter().find(|b| b.board.as_str() == name)
    }

    /// How many boards failed ([`BoardEnding::is_failure`]).
    pub fn failures(&self) -> usize {
        self.boards.iter().filter(|b| b.ending.is_failure()).count()
    }

    /// The summary: a header and one row per board, columns aligned; a board whose source was
    /// away when the run ended says `(gone at the end)` after its ending.
    ///
    /// ```
    /// use ph_tap::board::Board;
    /// use ph_tap::farm::{BoardEnding, BoardReport, FarmReport};
    /// use ph_tap::pipeline::Ending;
    /// use ph_tap::sink::Counts;
    /// let report = FarmReport {
    ///     boards: vec![BoardReport {
    ///         board: Board::new("a").unwrap(),
    ///         ending: BoardEnding::Ended(Ending::Finished),
    ///         counts: Counts { frames: 40, ring_drops: 3, bytes: 900, ..Counts::default() },
    ///     }],
    /// };
    /// assert_eq!(
    ///     report.summary_table(),
    ///     "--- ph-tap summary: 1 board ---\n\
    ///      board  frames  ring drops  refused  link losses  corrupt  unplaced  resets  reconnects  bytes  ending\n\
    ///      a      40      3           0        0            0        0         0       0           900    finished\n"
    /// );
    /// ```
    pub fn summary_table(&self) -> String {
        const HEADER: [&str; 11] = [
            "board",
            "frames",
            "ring drops",
            "refused",
            "link losses",
            "corrupt",
            "unplaced",
            "resets",
            "reconnects",
            "bytes",
            "ending",
        ];
        let rows: Vec<[String; 11]> = self
            .boards
            .iter()
            .map(|b| {
                let c = &b.counts;
                [
                    b.board.to_string(),
                    c.frames.to_string(),
                    c.ring_drops.to_string(),
                    c.refused.to_string(),
                    c.link_losses.to_string(),
                    c.corrupt_frames.to_string(),
                    c.unplaced.to_string(),
                    c.resets.to_string(),
                    c.reconnects.to_string(),
                    c.bytes.to_string(),
                    if c.away_now {
                        format!("{} (gone at the end)", b.ending.describe())
                    } else {
                        b.ending.describe()
                    },
                ]
            })
            .collect();
        let mut width = HEADER.map(|h| h.chars().count());
        for row in &rows {
            for (w, cell) in width.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let n = self.boards.len();
        let mut out = format!(
            "--- ph-tap summary: {n} board{} ---\n",
            if n == 1 { "" } else { "s" }
        );
        let header = HEADER.map(String::from);
        for row in std::iter::once(&header).chain(&rows) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i + 1 == row.len() {
                    line += cell;
                } else {
                    let _ = write!(line, "{cell:<w$}  ", w = width[i]);
                }
            }
            out += line.trim_end();
            out.push('\n');
        }
        out
    }
}

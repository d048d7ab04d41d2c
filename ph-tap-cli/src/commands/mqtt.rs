//! `ph-tap attach --mqtt URL`: boards read from an MQTT broker.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use anyhow::{Context, Result};
use ph_tap::mqtt::{BoardSource, MqttUrl, Subscriber};
use ph_tap::source::{Poll, Source};

use super::Stream;

/// Reads the boards `url` names until Ctrl-C.
pub(super) fn attach(
    url: &str,
    ca: Option<&Path>,
    how: &Stream<'_>,
    stop: &Arc<AtomicBool>,
) -> Result<()> {
    let url = MqttUrl::parse(url).context("--mqtt")?;
    let (prefix, board) = url.subscription()?;
    let Some(board) = board else {
        anyhow::bail!(
            "attach --mqtt {url}: every board (PREFIX/+) needs the board farm, not in this build yet; give one board, PREFIX/NAME"
        );
    };
    let (sender, boards) = channel();
    let subscriber = Subscriber::start(
        &url,
        ca,
        Box::new(move |_name, source| {
            let _ = sender.send(source);
        }),
    )?;
    eprintln!(
        "subscribed to {prefix}/{board}/wire on {}: waiting for board {board} (Ctrl-C to stop)",
        url.address()
    );
    super::stream(
        OneBoard {
            _subscriber: subscriber,
            boards,
            board: None,
        },
        how,
        stop,
    )
}

/// The one board of `PREFIX/NAME`, once its first message came.
struct OneBoard {
    _subscriber: Subscriber,
    boards: Receiver<BoardSource>,
    board: Option<BoardSource>,
}

impl Source for OneBoard {
    fn poll(&mut self, buf: &mut [u8]) -> Result<Poll> {
        match &mut self.board {
            Some(board) => board.poll(buf),
            None => match self.boards.recv_timeout(Duration::from_millis(100)) {
                Ok(board) => {
                    self.board = Some(board);
                    Ok(Poll::Idle)
                }
                Err(RecvTimeoutError::Timeout) => Ok(Poll::Idle),
                Err(RecvTimeoutError::Disconnected) => Ok(Poll::End),
            },
        }
    }
}

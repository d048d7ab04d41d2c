//! `ph-tap attach --mqtt URL`: boards read from an MQTT broker: every board under a prefix
//! (`PREFIX/+`), each its own pipeline in a [`Farm`] spawned as its first message arrives, or
//! one board (`PREFIX/NAME`) as a single-board run.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use anyhow::{Context, Result};
use ph_tap::board::Board;
use ph_tap::farm::Farm;
use ph_tap::mqtt::{BoardSource, MqttUrl, Subscriber};
use ph_tap::source::{Poll, Source};

use super::Stream;
use crate::cli::AttachArgs;

/// Reads the boards `url` names until Ctrl-C.
pub(super) fn attach(
    url: &str,
    args: &AttachArgs,
    how: &Stream<'_>,
    stop: &Arc<AtomicBool>,
) -> Result<()> {
    let ca = args.publish.ca.as_deref();
    let url = MqttUrl::parse(url).context("--mqtt")?;
    let (prefix, board) = url.subscription()?;
    let Some(board) = board else {
        return every_board(&url, &prefix, ca, args, stop);
    };
    if let Some(named) = &args.live.board
        && named.as_str() != board
    {
        anyhow::bail!(
            "attach --mqtt {url} reads board {board}: drop --board {named}, the URL names the board"
        );
    }
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
    let board = Board::new(&board).context("attach --mqtt: the board level of the URL")?;
    let how = Stream {
        save: how.save,
        output: how.output,
        live: how.live,
        decoders: how.decoders.clone(),
        ended: how.ended,
        publish: std::cell::RefCell::new(None),
        board: Some(board),
    };
    super::stream(
        OneBoard {
            board: None,
            boards,
            _subscriber: subscriber,
        },
        &how,
        stop,
    )
}

/// Every board publishing under `prefix`, each as it first appears, until Ctrl-C: one farm
/// board per topic `PREFIX/<board>/wire`, shown, saved and accounted as if attached locally.
fn every_board(
    url: &MqttUrl,
    prefix: &str,
    ca: Option<&Path>,
    args: &AttachArgs,
    stop: &Arc<AtomicBool>,
) -> Result<()> {
    let out = &args.output;
    if out.tui {
        anyhow::bail!(
            "--tui shows one board: give one board in the URL (PREFIX/NAME) instead of PREFIX/+"
        );
    }
    if out.udp.is_some() {
        anyhow::bail!("--udp feeds one board: give one board in the URL (PREFIX/NAME)");
    }
    if let Some(board) = &args.live.board {
        anyhow::bail!(
            "--board names the board of a single-board run: drop it (each board is named by its topic), or read one board with {}/{board}",
            url.to_string().trim_end_matches("/+")
        );
    }
    let decoders = super::decoders(out, None)?;
    let farm = Farm::new(
        super::farm::output(out, args.live.save.clone(), &decoders),
        Arc::clone(stop),
    );
    let handle = farm.handle();
    let subscriber = Subscriber::start(
        url,
        ca,
        Box::new(move |name, source| {
            if let Err(err) = handle.spawn(name, Box::new(source)) {
                eprintln!(
                    "warning: board {name:?} on the broker left out: {}",
                    ph_tap::one_line(&err)
                );
            }
        }),
    )?;
    eprintln!(
        "subscribed to {prefix}/+/wire on {}: every board publishing there (Ctrl-C to stop)",
        url.address()
    );
    let report = farm.wait();
    drop(subscriber);
    let report = report?;
    match report.failures() {
        0 => Ok(()),
        n => anyhow::bail!(
            "{n} of {} boards failed: see each board's line above",
            report.boards.len()
        ),
    }
}

/// The one board of `PREFIX/NAME`, once its first message came.
///
/// The board's queue goes first when it is dropped: the subscriber's thread, joined when the
/// subscriber is dropped, may be waiting for room in it.
struct OneBoard {
    board: Option<BoardSource>,
    boards: Receiver<BoardSource>,
    _subscriber: Subscriber,
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

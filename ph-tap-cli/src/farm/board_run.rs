//! One board of a farm: today's single-board [`Pipeline`] with the farm's sinks, its records
//! tagged with the board, run to its end on the board's own thread.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Context, Result};

use crate::board::Board;
use crate::decode::DecoderOptions;
use crate::mqtt::{MqttPublisher, PublishOptions};
use crate::pipeline::{Ending, Pipeline};
use crate::router::Router;
use crate::sink::{CsvSink, HumanSink, JsonSink, SaveSink, Sink, Stats, StreamFilter, WarningSink};
use crate::source::Source;

use super::output::{FarmFormat, FarmOutput, save_path};

/// Keeps the run's latest [`Stats`] (each tick, and the last at the end), for the farm's
/// summary row, even when the pipeline fails half-way.
pub(super) struct StatsSlot(pub(super) Arc<Mutex<Stats>>);

impl Sink for StatsSlot {
    fn tick(&mut self, stats: &Stats) -> Result<()> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = stats.clone();
        Ok(())
    }

    fn finish(&mut self, stats: &Stats) -> Result<()> {
        self.tick(stats)
    }
}

/// Runs `source` of `board` to its end through the farm's sinks; `stats` gets its totals.
pub(super) fn run_board(
    board: &Board,
    source: Box<dyn Source>,
    output: &FarmOutput,
    decoders: DecoderOptions,
    stats: Arc<Mutex<Stats>>,
    stop: &Arc<AtomicBool>,
) -> Result<Ending> {
    let channels = source.channels();
    let show_channel = channels.len() > 1;
    let save = output
        .save
        .as_deref()
        .map(|path| {
            let path = save_path(path, board);
            SaveSink::create(&path, &channels)
                .with_context(|| format!("board {board}: cannot save to {}", path.display()))
        })
        .transpose()?;
    let mut options = decoders;
    // As a single-board run: values written out from their bytes, unless the reference run.
    options.encoded_values = !output.one_thread;
    let named = channels.clone();
    let router = Router::for_channels(channels, options).with_board(Some(board.clone()));
    let pipeline = Pipeline::new(router)
        .arrival_times(output.show_time)
        .one_thread(output.one_thread);
    let shown = output.streams.clone();
    let out = output.out.line_writer();
    let pipeline = match output.format {
        FarmFormat::Human => pipeline.sink(StreamFilter::new(
            HumanSink::new(out, output.color, show_channel)
                .channels(&named)
                .verbose(output.verbose),
            shown.clone(),
        )),
        FarmFormat::Json => pipeline.sink(StreamFilter::new(
            JsonSink::new(out, show_channel, output.show_time)
                .shown(shown.clone())
                .board(Some(board.clone())),
            shown,
        )),
        FarmFormat::Csv => pipeline.sink(StreamFilter::new(csv_sink(out).header(false), shown)),
    };
    let mut pipeline = pipeline.sink(WarningSink).sink(StatsSlot(stats));
    if let Some(template) = &output.publish {
        let options = PublishOptions {
            board: board.as_str().to_owned(),
            ..template.clone()
        };
        let mut publisher = MqttPublisher::connect(options)
            .with_context(|| format!("board {board}: cannot publish"))?;
        publisher.set_channels(&named);
        pipeline = pipeline.sink(publisher);
    }
    if let Some(save) = save {
        pipeline = pipeline.sink(save);
    }
    pipeline.run(source, stop)
}

/// The CSV sink every board of a farm writes with: the same columns for all (`board`,
/// `channel`, the log columns), so one header fits every row.
pub(super) fn csv_sink<W: std::io::Write>(out: W) -> CsvSink<W> {
    CsvSink::new(out, true).log_columns(true).board_column(true)
}

//! Several channels through one pipeline: each channel has its own decoder and accounting, so
//! one channel's losses never show up on another, and every record says which channel it is of.

mod common;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use common::{channel_records, data, json_records, scenarios};
use ph_tap::decode::PhEventingDecoder;
use ph_tap::decode::value::ValueAs;
use ph_tap::pipeline::{Ending, Pipeline};
use ph_tap::record::ChannelId;
use ph_tap::router::Router;
use ph_tap::sink::{Counts, JsonSink, Sink, Stats};
use ph_tap::source::{Poll, Source};

/// Interleaves several captures, one per channel, in small chunks.
struct Interleaved {
    streams: Vec<(ChannelId, Vec<u8>, usize)>,
    turn: usize,
}

impl Source for Interleaved {
    fn poll(&mut self, buf: &mut [u8]) -> anyhow::Result<Poll> {
        for _ in 0..self.streams.len() {
            let n = self.streams.len();
            let (channel, bytes, at) = &mut self.streams[self.turn % n];
            self.turn += 1;
            if *at < bytes.len() {
                let len = (bytes.len() - *at).min(11).min(buf.len());
                buf[..len].copy_from_slice(&bytes[*at..*at + len]);
                *at += len;
                return Ok(Poll::Data {
                    channel: *channel,
                    len,
                });
            }
        }
        Ok(Poll::End)
    }
}

/// Keeps the stats the pipeline finished with.
struct LastStats<'a>(&'a mut Option<Stats>);

impl Sink for LastStats<'_> {
    fn finish(&mut self, stats: &Stats) -> anyhow::Result<()> {
        *self.0 = Some(stats.clone());
        Ok(())
    }
}

#[test]
fn each_channel_is_decoded_and_accounted_apart() {
    let captures: std::collections::HashMap<_, _> =
        scenarios::captures().unwrap().into_iter().collect();
    let clean = captures["clean"].clone();
    let drops = captures["ring_drops"].clone();
    let source = Interleaved {
        streams: vec![(0, clean.clone(), 0), (3, drops.clone(), 0)],
        turn: 0,
    };
    let mut out = Vec::new();
    let mut stats = None;
    let router = Router::new(Box::new(|_| Box::new(PhEventingDecoder::new(ValueAs::Hex))));
    let ending = Pipeline::new(router)
        .sink(JsonSink::new(&mut out, true, false))
        .sink(LastStats(&mut stats))
        .run(Box::new(source), &Arc::new(AtomicBool::new(false)))
        .unwrap();
    assert!(matches!(ending, Ending::Finished));
    let stats = stats.unwrap();
    assert_eq!(stats.bytes as usize, clean.len() + drops.len());
    let per: Vec<(ChannelId, Counts)> = stats
        .channels
        .iter()
        .map(|(c, a)| (*c, Counts::of_channel(a)))
        .collect();
    assert_eq!(per.len(), 2);
    // The same counts as each capture decoded on its own (its committed summary).
    let summary = |name: &str| std::fs::read_to_string(data(&format!("{name}.err"))).unwrap();
    assert!(summary("clean").contains(&format!("frames          {}\n", per[0].1.frames)));
    assert_eq!(per[0].1.ring_drops, 0);
    assert!(summary("ring_drops").contains(&format!(
        "ring drops      {} in {} bursts\n",
        per[1].1.ring_drops, per[1].1.ring_drop_events
    )));
    assert!(per[1].1.ring_drops > 0);

    // Every record names its channel; channel 3's records are exactly ring_drops.bin's.
    let text = String::from_utf8(out).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let of = |channel| channel_records(&records, channel, &["channel"]);
    let alone = json_records("ring_drops.json.out");
    assert_eq!(of(3), alone);
    assert_eq!(
        records.len(),
        of(0).len() + of(3).len() + 1,
        "every record but the summary has a channel"
    );
}

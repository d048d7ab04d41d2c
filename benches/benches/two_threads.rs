//! Workload 3 of issue 6: a producer pushing at full speed on one thread while a consumer drains
//! batches of up to 64 on another, every peer in the same run, `T = u32` and `T = [u8; 32]`.
//!
//! Each run is bounded: the producer pushes a fixed number of items, the consumer drains until the
//! producer is done and the ring is empty. A run reports the items delivered per second (from the
//! first push until the last item is drained) and the fraction of pushes never delivered (lost to
//! overwriting, or rejected by the drop-new rings). Runs of the peers are interleaved (one run of
//! each peer per round) so that machine noise spreads over all of them; the table shows the median
//! and the range over the rounds.
//!
//! Run: `cargo bench -p ph-benches --bench two_threads` (options after `--`: `--rounds N`,
//! `--pushes N`, and words that select item types or peers, e.g. `u32`).
//! Under `cargo test --benches` (`--test`), it does one small round as a smoke test.

use ph_benches::{Payload, Peer, TwoThreadRun, median_min_max, two_threads};

struct Options {
    rounds: usize,
    pushes: u32,
    filters: Vec<String>,
}

fn options() -> Options {
    let mut opts = Options {
        rounds: 9,
        pushes: 1 << 23,
        filters: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--test" => {
                opts.rounds = 1;
                opts.pushes = 10_000;
            }
            "--rounds" => {
                opts.rounds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--rounds N");
            }
            "--pushes" => {
                opts.pushes = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--pushes N");
            }
            a if a.starts_with("--") => {} // --bench and other harness flags
            word => opts.filters.push(word.to_owned()),
        }
    }
    opts
}

fn selected(opts: &Options, words: &[&str]) -> bool {
    opts.filters.is_empty()
        || opts
            .filters
            .iter()
            .any(|f| words.iter().any(|w| w.contains(f.as_str())))
}

fn run_type<T: Payload>(opts: &Options) {
    let peers: Vec<Peer> = Peer::ALL
        .into_iter()
        .filter(|p| selected(opts, &[T::SLUG, p.label()]))
        .collect();
    if peers.is_empty() {
        return;
    }
    let mut runs: Vec<Vec<TwoThreadRun>> = vec![Vec::new(); peers.len()];
    for _ in 0..opts.rounds {
        for (peer, runs) in peers.iter().zip(&mut runs) {
            let run = two_threads::<T>(*peer, opts.pushes);
            assert!(run.in_order, "{peer:?} delivered out of order");
            runs.push(run);
        }
    }
    println!(
        "\nWorkload 3, T = {}: {} pushes per run, {} rounds, consumer batches of {}",
        T::NAME,
        opts.pushes,
        opts.rounds,
        ph_benches::BATCH
    );
    println!(
        "| peer | delivered Mitems/s median [min – max] | dropped % median [min – max] | producer ns/push median |"
    );
    println!("|---|---|---|---|");
    for (peer, runs) in peers.iter().zip(&runs) {
        let mut rate: Vec<f64> = runs.iter().map(|r| r.delivered_per_sec() / 1e6).collect();
        let mut drop: Vec<f64> = runs.iter().map(|r| r.dropped_fraction() * 100.0).collect();
        let mut push: Vec<f64> = runs.iter().map(TwoThreadRun::ns_per_push).collect();
        let (rm, rlo, rhi) = median_min_max(&mut rate);
        let (dm, dlo, dhi) = median_min_max(&mut drop);
        let (pm, _, _) = median_min_max(&mut push);
        println!(
            "| {} | {rm:.1} [{rlo:.1} – {rhi:.1}] | {dm:.1} [{dlo:.1} – {dhi:.1}] | {pm:.1} |",
            peer.label()
        );
    }
}

fn main() {
    let opts = options();
    run_type::<u32>(&opts);
    run_type::<[u8; 32]>(&opts);
}

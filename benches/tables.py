#!/usr/bin/env python3
"""Turns criterion's results of `cargo bench -p ph-benches --bench rings --bench decoder` into the
Markdown tables of docs/PERFORMANCE.md (section `bench`).

    python3 benches/tables.py [CRITERION_DIR]    # default: target/criterion

Each cell is criterion's median with the median absolute deviation of the samples (the spread),
read from `<group>/<function>/new/estimates.json`.
"""

import json
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join("target", "criterion")
HERE = os.path.dirname(os.path.abspath(__file__))

PEERS = [
    ("ours", "ph-eventing 0.4 `SeqRing` (stamped, ours)", "overwrites"),
    ("swap", "ph-eventing 0.4 `SwapRing` (any `Copy`)", "overwrites"),
    ("orig-0.3.0", "ph-eventing 0.3.0", "overwrites"),
    ("crossbeam-force_push", "crossbeam-queue `ArrayQueue::force_push`", "overwrites"),
    ("photon-ring", "photon-ring `channel` (lossy)", "overwrites"),
    ("ringbuf-push_overwrite", "ringbuf `push_overwrite` (whole ring, `&mut`)", "overwrites"),
    ("rtrb", "rtrb", "drops new"),
    ("heapless", "heapless::spsc", "drops new"),
]
TYPES = [("u32", "u32"), ("bytes32", "[u8; 32]")]


def estimate(group_dir, function):
    path = os.path.join(ROOT, group_dir, function, "new", "estimates.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        e = json.load(f)
    return e["median"]["point_estimate"], e["median_abs_dev"]["point_estimate"]


def cell(est, per=1.0):
    if est is None:
        return "n/a"
    median, mad = est
    return f"{median / per:.2f} ± {mad / per:.2f}"


def ratio(est, ref):
    if est is None or ref is None:
        return ""
    return f" ({est[0] / ref[0]:.2f}×)"


def ring_table(title, group, per=1.0):
    print(f"**{title}** (ns per item, median ± MAD; ratio to ours)\n")
    print("| peer | when full | " + " | ".join(f"`{name}`" for _, name in TYPES) + " |")
    print("|---|---|" + "---:|" * len(TYPES))
    for fn, label, full in PEERS:
        cells = []
        for slug, _ in TYPES:
            g = f"{group}_{slug}"
            est = estimate(g, fn)
            ref = estimate(g, "ours")
            cells.append(cell(est, per) + ("" if fn == "ours" else ratio(est, ref)))
        print(f"| {label} | {full} | " + " | ".join(cells) + " |")
    print()


def latest_table():
    print("**Workload 4: `latest()`** (ns per call, median ± MAD; ratio to ours)\n")
    print("| peer | " + " | ".join(
        f"`{name}` producer idle | `{name}` producer pushing" for _, name in TYPES) + " |")
    print("|---|" + "---:|" * (2 * len(TYPES)))
    for fn, label in [("ours", "ph-eventing 0.4 `SeqRing` (ours) `latest()`"),
                      ("swap", "ph-eventing 0.4 `SwapRing` `latest()`"),
                      ("orig-0.3.0", "ph-eventing 0.3.0 `latest_value()`"),
                      ("photon-ring", "photon-ring `Subscriber::latest()` (moves the cursor)")]:
        cells = []
        for slug, _ in TYPES:
            for kind in ("idle", "busy"):
                g = f"latest_{kind}_{slug}"
                est = estimate(g, fn)
                cells.append(cell(est) + ("" if fn == "ours" else ratio(est, estimate(g, "ours"))))
        print(f"| {label} | " + " | ".join(cells) + " |")
    print("| crossbeam-queue, rtrb, heapless, ringbuf | " + " | ".join(
        ["no such call"] * (2 * len(TYPES))) + " |")
    print()


def decoder_table():
    with open(os.path.join(HERE, "benches", "decoder.rs")) as f:
        frames = int(re.search(r"const FRAMES: u32 = ([0-9_]+);", f.read()).group(1).replace("_", ""))
    print("**Decoder** (median ± MAD over the samples; MB = 10^6 bytes)\n")
    print("| capture | path | chunk | MB/s | Mframes/s |")
    print("|---|---|---:|---:|---:|")
    for cap, cap_label in [("u32", "`u32` frames"), ("sensor16", "16-byte struct frames")]:
        for path, path_label in [("decode+account", "`FrameDecoder` + `Chain` + `Accountant`"),
                                 ("session", "`Session` (+ JSON values)")]:
            for chunk in ["64B", "4096B"]:
                group = f"decode_{cap}"
                fn = f"{path}_{chunk}"
                bench = os.path.join(ROOT, group, fn, "new", "benchmark.json")
                est = estimate(group, fn)
                if est is None or not os.path.exists(bench):
                    print(f"| {cap_label} | {path_label} | {chunk} | n/a | n/a |")
                    continue
                with open(bench) as f:
                    nbytes = json.load(f)["throughput"]["Bytes"]
                median_ns, mad_ns = est
                mbs = nbytes / median_ns * 1e3
                # MAD of the rate, to first order: rate * (mad / median).
                mbs_mad = mbs * mad_ns / median_ns
                fps = frames / median_ns * 1e3
                print(f"| {cap_label} | {path_label} | {chunk.replace('B', ' B')} | "
                      f"{mbs:.1f} ± {mbs_mad:.1f} | {fps:.2f} |")
    print()


ring_table("Workload 1: push only, never drained", "push_only")
ring_table("Workload 1, each handle owned by the timed loop", "push_only_owned")
ring_table("Workload 2: push + drain, batch 1", "push_drain_1")
ring_table("Workload 2: push + drain, batch 64", "push_drain_64", per=64.0)
latest_table()
decoder_table()

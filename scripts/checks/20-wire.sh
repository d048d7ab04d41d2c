#!/usr/bin/env bash
# ph-eventing-wire: the steps beyond the workspace's fmt/clippy/doc/test.
#   - the encoder builds for the firmware targets without std and without alloc,
#   - the examples run and print what the committed capture listing says,
#   - the decoder fuzz target type-checks (and runs, with WIRE_FUZZ_SECONDS=N).
set -euo pipefail
cd "$(dirname "$0")/../.."

echo "--- wire: no_std builds for the firmware targets"
cargo build -q -p ph-eventing-wire --target thumbv7em-none-eabihf
cargo build -q -p ph-eventing-wire --target thumbv7em-none-eabihf --features alloc
cargo build -q -p ph-eventing-wire --target thumbv6m-none-eabi \
    --features ph-eventing/portable-atomic-unsafe-assume-single-core

echo "--- wire: examples run"
cargo run -q -p ph-eventing-wire --example frame_sizes >/dev/null
cargo run -q -p ph-eventing-wire --example decode_capture -- \
    ph-eventing-wire/examples/data/capture.bin | diff -u ph-eventing-wire/examples/data/capture.txt -

echo "--- wire: fuzz target"
# Building the fuzz target with sanitizers takes minutes, so CI only type-checks it. Set
# WIRE_FUZZ_SECONDS=N (and install cargo-fuzz) to also build and run it for N seconds.
fuzz=ph-eventing-wire/fuzz
if [ -n "${WIRE_FUZZ_SECONDS:-}" ]; then
    if ! cargo fuzz --version >/dev/null 2>&1; then
        echo "WIRE_FUZZ_SECONDS is set but cargo-fuzz is missing: run 'cargo install cargo-fuzz'" >&2
        exit 1
    fi
    # Fresh inputs go to a scratch corpus; the committed seeds stay as they are.
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    log="$scratch/fuzz.log"
    mkdir "$scratch/corpus"
    if ! (cd "$fuzz" && cargo +nightly fuzz run decoder "$scratch/corpus" corpus/decoder -- \
        -max_total_time="$WIRE_FUZZ_SECONDS" -print_final_stats=1) >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzzing found a failure: the input is saved under $fuzz/artifacts/decoder/" >&2
        exit 1
    fi
    grep -E '^(stat::number_of_executed_units|Done)' "$log" || true
else
    cargo +nightly check -q --manifest-path "$fuzz/Cargo.toml"
fi

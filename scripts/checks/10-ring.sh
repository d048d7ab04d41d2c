#!/usr/bin/env bash
# ph-eventing, beyond the host tests: embedded builds, Miri, loom, and the release-mode run that
# really crosses the u32 sequence wrap.
set -euo pipefail
cd "$(dirname "$0")/../.."

echo "--- ring: embedded builds"
# Cortex-M4F with native atomics, Cortex-M0 through portable-atomic.
cargo build -p ph-eventing --target thumbv7em-none-eabihf
cargo build -p ph-eventing --target thumbv7em-none-eabihf --features serde
cargo build -p ph-eventing --target thumbv6m-none-eabi --features portable-atomic-unsafe-assume-single-core
cargo build -p ph-eventing --target thumbv6m-none-eabi --features portable-atomic-critical-section
cargo clippy -p ph-eventing --target thumbv7em-none-eabihf -- -D warnings
cargo clippy -p ph-eventing --target thumbv6m-none-eabi --features portable-atomic-unsafe-assume-single-core -- -D warnings
# The SeqRing's data path needs atomic loads and stores only: single-core promise (compiler fences)
# on the M4, and RISC-V without the A extension (ESP32-C3 class), where only taking a handle
# needs portable-atomic's compare-and-swap.
cargo build -p ph-eventing --target thumbv7em-none-eabihf --features unsafe-assume-single-core
cargo build -p ph-eventing --target riscv32imc-unknown-none-elf --features portable-atomic-critical-section
cargo build -p ph-eventing --target riscv32imc-unknown-none-elf --features portable-atomic-unsafe-assume-single-core
cargo clippy -p ph-eventing --target riscv32imc-unknown-none-elf --features portable-atomic-critical-section -- -D warnings

echo "--- ring: Miri"
# Undefined behaviour and data races, including the two-thread stress test.
MIRIFLAGS="-Zmiri-strict-provenance" cargo +nightly miri test -p ph-eventing
# A big-endian 64-bit target: a slot's stamp is the first four bytes of its word 0, which is the
# word's high half there (and a `u32` shares that word with its stamp, as on x86-64).
MIRIFLAGS="-Zmiri-strict-provenance" cargo +nightly miri test -p ph-eventing \
    --target s390x-unknown-linux-gnu --test semantics --test stress

echo "--- ring: loom"
# Every interleaving of the concurrent protocol (within its bounds).
RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom \
    cargo test -p ph-eventing --release --test loom --test queue_loom

echo "--- ring: sequence wrap"
# 4.3 billion pushes: the sequence really wraps past u32::MAX, in order and lagging.
cargo test -p ph-eventing --release --test wrap -- --ignored

#!/usr/bin/env bash
# firmware-demo (its own workspace, outside the host one): rustfmt, clippy for every board and for
# the instruction-count builds, release builds of the three boards, the nRF52840 RTT build's
# `_SEGGER_RTT` symbol, and the instruction counts of push/poll_one under QEMU.
#
# The QEMU end-to-end tests (ph-tap-cli/tests/qemu_e2e/) run with `cargo test --workspace`;
# they build into the same firmware-demo/target/e2e/<board>, so the release builds here are
# usually fresh.
set -euo pipefail
cd "$(dirname "$0")/../../firmware-demo"

# The firmware's own target directory and .cargo/config.toml (linker script), whatever the
# caller exported for the host workspace.
export CARGO_TARGET_DIR=target
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_BUILD_TARGET

cargo fmt --check

# board features, target
builds=(
    "nrf52840 thumbv7em-none-eabihf"
    "mps2-an386 thumbv7em-none-eabihf"
    "microbit thumbv6m-none-eabi"
)
for b in "${builds[@]}" "mps2-an386,measure thumbv7em-none-eabihf" \
    "microbit,measure,orig thumbv6m-none-eabi"; do
    read -r features target <<<"$b"
    echo "clippy: $features ($target)"
    cargo clippy --quiet --release --no-default-features --features "$features" \
        --target "$target" -- -D warnings
done

# Release builds, each board in its own target directory (as the QEMU end-to-end tests do, so
# these are fresh after `cargo test --workspace`): boards sharing a triple would otherwise share
# one `release/firmware-demo`.
for b in "${builds[@]}"; do
    read -r features target <<<"$b"
    echo "build: $features ($target)"
    CARGO_TARGET_DIR="target/e2e/$features" cargo build --quiet --release \
        --no-default-features --features "$features" --target "$target"
done

# `ph-tap attach --elf` finds the nRF52840 build's RTT control block through this symbol.
elf="target/e2e/nrf52840/thumbv7em-none-eabihf/release/firmware-demo"
nm "$elf" | grep -q ' _SEGGER_RTT$' || { echo "no _SEGGER_RTT in $elf" >&2; exit 1; }
echo "  _SEGGER_RTT at 0x$(nm "$elf" | awk '$3 == "_SEGGER_RTT" { print $1 }')"

# Instruction counts (docs/PERFORMANCE.md, section firmware). Fails if a probe does not run.
scripts/count-instructions.sh

#!/usr/bin/env bash
# firmware-demo (its own workspace, outside the host one): rustfmt, clippy for every board and for
# the instruction-count builds, release builds of the three boards (and mps2-an386 with RTT, and
# with RTT and `panic-after-boot`), the `_SEGGER_RTT` symbol and the defmt table of the RTT
# builds, no defmt in the others, and the instruction counts of push/poll_one under QEMU.
#
# The QEMU end-to-end tests (ph-tap-cli/tests/qemu_e2e/) run with `cargo test --workspace`;
# they build into the same firmware-demo/target, so the release builds here are usually fresh.
set -euo pipefail
cd "$(dirname "$0")/../../firmware-demo"

# The firmware's own target directory and .cargo/config.toml (linker script), whatever the
# caller exported for the host workspace.
export CARGO_TARGET_DIR=target
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_BUILD_TARGET

echo "--- firmware: rustfmt"
cargo fmt --check

# board features, target
builds=(
    "nrf52840 thumbv7em-none-eabihf"
    "mps2-an386 thumbv7em-none-eabihf"
    "mps2-an386,rtt thumbv7em-none-eabihf"
    "microbit thumbv6m-none-eabi"
    # The firmware that panics right after boot, for the host tests.
    "mps2-an386,rtt,panic-after-boot thumbv7em-none-eabihf"
)
echo "--- firmware: clippy"
for b in "${builds[@]}" "mps2-an386,measure thumbv7em-none-eabihf" \
    "microbit,measure,orig thumbv6m-none-eabi"; do
    read -r features target <<<"$b"
    echo "  $features ($target)"
    cargo clippy --quiet --release --no-default-features --features "$features" \
        --target "$target" -- -D warnings
done

# The UART and `measure` builds log nothing: defmt must not be linked into them.
no_defmt() {
    if nm "$1" | grep -q _defmt; then
        echo "defmt is linked into $1 (only the RTT builds use it)" >&2
        exit 1
    fi
}

echo "--- firmware: release builds"
# Release builds of the three boards. Boards that share a triple share `release/firmware-demo`:
# like the QEMU end-to-end tests, hold target/e2e.lock while building and reading it.
mkdir -p target
(
    flock 9
    for b in "${builds[@]}"; do
        read -r features target <<<"$b"
        echo "  $features ($target)"
        cargo build --quiet --release --no-default-features --features "$features" \
            --target "$target"
        elf="target/$target/release/firmware-demo"
        if [ "$features" = nrf52840 ] || [[ "$features" = *rtt* ]]; then
            # `ph-tap attach --elf` finds the RTT control block through this symbol.
            rtt=$(nm "$elf" | awk '$3 == "_SEGGER_RTT" { print $1 }')
            [ -n "$rtt" ] || { echo "no _SEGGER_RTT in $elf" >&2; exit 1; }
            echo "    _SEGGER_RTT at 0x$rtt"
            # The defmt table that `ph-tap run` decodes the `defmt` channel with (placed by
            # defmt.x, which build.rs adds), and its format version.
            version=$(nm "$elf" | awk '$3 == "_defmt_version_" { print $5 }')
            [ -n "$version" ] || { echo "no defmt table in $elf" >&2; exit 1; }
            echo "    defmt table, encoding version $version"
        else
            no_defmt "$elf"
        fi
        # The sampler's rings and queue are `static`s made all zeros by `new()`: in `.bss`
        # (nm type b), so they cost no flash and no copy at boot.
        for ring in RING HOUSEKEEPING EVENTS; do
            kind=$(nm "$elf" | awk -v r="sampler[0-9]+${ring}17h" '$3 ~ r { print $2 }')
            [ "$kind" = b ] || { echo "sampler::$ring of $elf is not in .bss (nm: '$kind')" >&2; exit 1; }
        done
    done
) 9>target/e2e.lock

echo "--- firmware: the README's defmt-project snippet"
# README.md's "Adding telemetry to an existing defmt project" is examples/defmt_project.rs between
# its README marks: the two must be the same lines, and the example must build and pass clippy.
diff <(sed -n '/^## Adding telemetry to an existing defmt project/,/^## /p' README.md |
    sed -n '/^```rust$/,/^```$/p' | sed '1d;$d') \
    <(sed -n '/^\/\/ README start$/,/^\/\/ README end$/p' examples/defmt_project.rs | sed '1d;$d') ||
    { echo "README.md's defmt-project snippet differs from examples/defmt_project.rs" >&2; exit 1; }
cargo clippy --quiet --release --example defmt_project -- -D warnings
cargo build --quiet --release --example defmt_project
echo "  examples/defmt_project.rs builds; the README shows it as it is"

echo "--- firmware: instruction counts"
# Instruction counts (docs/PERFORMANCE.md, section firmware). Fails if a probe does not run.
scripts/count-instructions.sh
for elf in target/measure/*.elf; do
    no_defmt "$elf"
done

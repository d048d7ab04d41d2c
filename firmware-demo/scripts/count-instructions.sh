#!/usr/bin/env bash
# Counts the instructions one `push` of a u32 and one `poll_one` retire on Cortex-M4 (QEMU
# mps2-an386) and Cortex-M0 (QEMU microbit), for this workspace's ph-eventing (its `SeqRing`,
# with and without the single-core promise, and its `SwapRing`) and for the published
# ph-eventing 0.3.0, with the `measure` feature's probes (src/measure.rs); and,
# for this workspace only, one drain + encode of a `u32` frame through a link of one stream and
# of three (`drain_one_stream`, `drain_three_streams`: the first call also sends the hellos).
#
#   scripts/count-instructions.sh            # the table (as in docs/PERFORMANCE.md)
#   KEEP_TRACES=1 scripts/count-instructions.sh   # also keep the traces with disassembly
#
# QEMU runs one instruction per translation block (-singlestep) and logs every block it executes
# (-d exec,nochain) with its address. For each call of `measure_push` / `measure_push_unused` /
# `measure_poll_one` the
# count runs from the function's first instruction up to, not including, the caller's instruction
# after the `bl` (so it includes the function's own prologue, epilogue and return). Needs
# qemu-system-arm and binutils' `nm`.
set -euo pipefail
cd "$(dirname "$0")/.."
# The firmware's own target directory and .cargo/config.toml, whatever the caller's environment.
export CARGO_TARGET_DIR=target
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_BUILD_TARGET

boards=("mps2-an386 thumbv7em-none-eabihf Cortex-M4" "microbit thumbv6m-none-eabi Cortex-M0")
# ours: the SeqRing (stamped); 1core: the same with compiler fences only (feature `single-core`;
# the microbit build always promises one core, so it has no such row); swap: the SwapRing; orig:
# ph-eventing 0.3.0.
crates_for() {
    if [ "$1" = microbit ]; then
        echo "ours:measure swap:measure,swap orig:measure,orig"
    else
        echo "ours:measure 1core:measure,single-core swap:measure,swap orig:measure,orig"
    fi
}

# count LOG SYMBOL ADDRESS: prints "min max calls histogram calls-that-left-the-function", the
# histogram as COUNTxCALLS in order of first appearance.
count() {
    awk -v entry="$3" '
        function hex(s,    i, v) {
            v = 0
            for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
            return v
        }
        # "Trace 0: 0x... [cs_base/pc/flags/cflags] symbol"
        /^Trace / {
            split($4, f, "/"); pc = hex(tolower(f[2])); sym = $5
            if (pc == entry && !active) { active = 1; n = 0; ret = prev + 4; outside = 0 }
            if (active && pc == ret) {
                active = 0; calls++
                if (!(n in hist)) order[++kinds] = n
                hist[n]++
                if (min == "" || n < min) min = n
                if (n > max) max = n
                if (outside) calls_out++
            }
            if (active) { n++; if (sym != name) outside = 1 }
            prev = pc
        }
        END {
            h = ""; for (i = 1; i <= kinds; i++) h = h (i > 1 ? "," : "") order[i] "x" hist[order[i]]
            printf "%s %s %d %s %d\n", min, max, calls, h, calls_out + 0
        }' name="$2" "$1"
}

# Builds share target/<triple>/release/firmware-demo with the other boards' builds: hold the lock
# the QEMU end-to-end tests and scripts/checks/40-firmware.sh take while building and copying.
mkdir -p target/measure
exec 9>target/e2e.lock
flock 9

printf '%-10s %-5s %-19s %5s %5s %6s  %s\n' core crate function min max calls "instructions x calls, in call order"
for b in "${boards[@]}"; do
    read -r board triple core <<<"$b"
    for c in $(crates_for "$board"); do
        crate=${c%%:*} features=${c#*:}
        cargo build --quiet --release --no-default-features \
            --features "$board,$features" --target "$triple"
        elf="target/measure/$board-$crate.elf"
        cp "target/$triple/release/firmware-demo" "$elf"
        log="target/measure/trace-$board-$crate.log"
        timeout 120 qemu-system-arm -machine "$board" -nographic -monitor none \
            -semihosting-config enable=on,target=native -singlestep \
            -d in_asm,exec,nochain -D "$log" -kernel "$elf" </dev/null
        for fn in measure_push measure_push_unused measure_poll_one measure_drain_one_stream measure_drain_three_streams; do
            sym=$(nm "$elf" | awk -v f="$fn" '$3 == f { print $1 }')
            # The drain probes exist for this workspace's crates only (counted once, in `ours`).
            [ -n "$sym" ] || continue
            case "$fn" in measure_drain_*) [ "$crate" = ours ] || continue ;; esac
            # Thumb function symbols have bit 0 set.
            addr=$(( 0x$sym & ~1 ))
            read -r min max calls hist out <<<"$(count "$log" "$fn" "$addr")"
            [ "$out" -eq 0 ] || hist="$hist(calls out of the function in $out calls)"
            printf '%-10s %-5s %-19s %5s %5s %6s  %s\n' "$core" "$crate" "${fn#measure_}" "$min" "$max" "$calls" "$hist"
        done
        [ -n "${KEEP_TRACES:-}" ] || rm -f "$log"
    done
done

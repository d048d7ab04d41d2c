#!/bin/sh
# Rebuilds fixture.elf and fixture.bin (its defmt frames, as QEMU's mps2-an386 sends them out of
# UART0) from fixture/. Needs the thumbv7em-none-eabihf target and qemu-system-arm. See README.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cargo_home=${CARGO_HOME:-$HOME/.cargo}
# No path of the machine that built it in the ELF's debug information.
flags="--remap-path-prefix=$here/fixture=fixture"
for src in "$cargo_home"/registry/src/*; do
    flags="$flags --remap-path-prefix=$src=deps"
done
cd "$here/fixture"
RUSTFLAGS="$flags" cargo build --release
cp target/thumbv7em-none-eabihf/release/defmt-fixture "$here/fixture.elf"
rm -f "$here/fixture.bin"
timeout 60 qemu-system-arm -machine mps2-an386 -icount shift=0,sleep=off \
    -nographic -monitor none -semihosting-config enable=on,target=native \
    -serial "file:$here/fixture.bin" -kernel "$here/fixture.elf"
ls -l "$here/fixture.elf" "$here/fixture.bin"

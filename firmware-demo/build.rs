//! Puts the selected board's `memory/<board>.x` on the linker search path as `memory.x`, which
//! cortex-m-rt's `link.x` includes; adds defmt's linker script `defmt.x` to the RTT builds.

use std::{env, fs, path::PathBuf};

/// `(cargo feature, memory layout file)` for every board.
const BOARDS: [(&str, &str); 3] = [
    ("nrf52840", "memory/nrf52840.x"),
    ("mps2-an386", "memory/mps2-an386.x"),
    ("microbit", "memory/microbit.x"),
];

fn main() {
    let selected: Vec<_> = BOARDS
        .iter()
        .filter(|(feature, _)| {
            let var = format!("CARGO_FEATURE_{}", feature.to_uppercase().replace('-', "_"));
            env::var_os(var).is_some()
        })
        .collect();
    let [(_, memory)] = selected.as_slice() else {
        let names: Vec<_> = BOARDS.iter().map(|(feature, _)| *feature).collect();
        panic!(
            "select exactly one board feature ({}); with a non-default board pass \
             --no-default-features --features BOARD",
            names.join(", ")
        );
    };
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::copy(memory, out.join("memory.x")).expect("copy the board's memory layout");
    println!("cargo:rustc-link-search={}", out.display());
    // The RTT builds log with defmt, whose `defmt.x` (on the search path once the defmt crate is
    // linked) places the log strings' table. Not in .cargo/config.toml's rustflags: the UART and
    // `measure` builds of the same target do not link defmt, and the linker would not find it.
    if env::var_os("CARGO_FEATURE_RTT").is_some() {
        println!("cargo:rustc-link-arg=-Tdefmt.x");
    }
    println!("cargo:rerun-if-changed=memory");
    println!("cargo:rerun-if-changed=build.rs");
}

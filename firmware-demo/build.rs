//! Puts the selected board's `memory/<board>.x` on the linker search path as `memory.x`, which
//! cortex-m-rt's `link.x` includes.

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
    println!("cargo:rerun-if-changed=memory");
    println!("cargo:rerun-if-changed=build.rs");
}

#!/usr/bin/env bash
# Host workspace: formatting, lints, docs (warnings are errors), then every test and doctest, and
# the MSRV declared in Cargo.toml.
set -euo pipefail
cd "$(dirname "$0")/../.."

echo "--- workspace: rustfmt"
cargo fmt --all --check

echo "--- workspace: clippy"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p ph-eventing --all-targets --features serde -- -D warnings

echo "--- workspace: docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

echo "--- workspace: tests"
cargo test --workspace

echo "--- workspace: MSRV"
# The MSRV declared in Cargo.toml (`rust-version`) is the toolchain this check runs on.
msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
rustc_version=$(rustc --version | cut -d' ' -f2)
case "$rustc_version" in
    "$msrv"|"$msrv".*) echo "MSRV $msrv: checked with rustc $rustc_version" ;;
    *) if rustup toolchain list | grep -q "^$msrv"; then
           cargo "+$msrv" check --workspace --all-targets
       else
           echo "MSRV $msrv toolchain not installed; rustc is $rustc_version" >&2
           exit 1
       fi ;;
esac

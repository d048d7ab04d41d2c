#!/usr/bin/env bash
# Benchmarks (ph-benches) are not run in CI, too noisy and too slow on a shared machine; they
# must still compile. The figures in docs/PERFORMANCE.md come from `cargo bench -p ph-benches`.
set -euo pipefail
cd "$(dirname "$0")/../.."

echo "--- bench: benchmarks compile"
cargo bench -p ph-benches --no-run

#!/usr/bin/env bash
# Engine throughput on this machine: greedy tokens/s of atome-infer (one thread) at the default
# and prod presets, at positions 1, W/2, W and 4W, and for a prompt and a generation.
# Medians of 5 runs each (atome-infer --bench). The models are untrained blobs from init-blob:
# the cost of a step does not depend on what the weights learned.
# Usage: scripts/bench_infer.sh   (from the repository root, after `make atome-infer` and
# `make build/tools/init-blob`; `make bench` does both)
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d /tmp/atome-bench-infer.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "atome-infer greedy decoding, 1 thread, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
for preset in default prod; do
  build/tools/init-blob "$preset" 1 "$tmp/$preset.bin"
  echo
  echo "command: ./atome-infer --model $preset.bin --bench -n 1000   ($preset preset, untrained, seed 1)"
  ./atome-infer --model "$tmp/$preset.bin" --bench -n 1000
done

#!/usr/bin/env bash
# Router entropy as an uncertainty signal, on the shipped default checkpoint: its rank correlation
# with the loss of the next byte on TinyStories valid, and how well it tells Tiny Shakespeare
# windows from TinyStories ones (AUROC), beside the model's own loss and next-byte entropy.
# Usage: scripts/calibration.sh   (from the repository root after `make`; writes results/calibration.md
# and prints the same). MODEL overrides the checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
[ -x ./atome-infer ] || { echo "calibration.sh: ./atome-infer is missing; run make first" >&2; exit 1; }
model=${MODEL:-checkpoints/default.bin}
out=results/calibration.md
mkdir -p results
cmd="./atome-infer --model $model --calibrate data/tinystories_valid.txt --ood data/tinyshakespeare.txt --seq 64"
{
  echo "## Router entropy as an uncertainty signal ($model)"
  echo
  echo "command: \`$cmd\`; table: \`bash scripts/calibration.sh\`."
  echo
  echo "Router entropy of a layer: H(r)/ln 3 of its mix r = (conv, SSM, attention) at the position that predicts"
  echo "the next byte (0: one pathway decides, 1: all three equal); the signal is its mean over the layers."
  echo "Windows as in \`--eval\`: 65 bytes, each read from a reset state, 64 bytes predicted. Spearman ρ: over"
  echo "every predicted position of the valid split, ties at their average rank; at a fixed position: ρ across"
  echo "the windows at each position t of the window, averaged over t, which takes out what both owe to"
  echo "\"early in the window\". AUROC: Tiny Shakespeare windows (positive) against TinyStories valid windows,"
  echo "each scored by its mean; rank-sum (Mann–Whitney), ties counted half; 0.5 is chance. The model's own loss"
  echo "needs the next bytes, so it can only flag a window afterwards; the two entropies are there before."
  echo
  $cmd
} | tee "$out.tmp"
mv "$out.tmp" "$out"
echo "calibration.sh: wrote $out in $((SECONDS - start)) s" >&2

#!/usr/bin/env bash
# Fine-tunes the imported 944K model (atome-lm's atome_944k.bin) in atome's trainer, quantisation-
# aware with int8 activations as always, on the bundled TinyStories at atome-lm's window of 256,
# and prints bits per byte before and after on held-out text (Tiny Shakespeare's last 10%) and on
# data/tinystories_valid.txt (which atome-lm saw in training: it flatters the imported model).
#
# Usage: scripts/finetune_prod.sh PEER_DIR   (from the repository root after `make`; PEER_DIR is an
#        atome-lm checkout, its checkpoints/atome_944k.bin is imported). Writes runs/finetune-prod-wW/
#        (atome-train's directory: model.bin, checkpoint.bin, log.jsonl) and results/finetune_prod_wW.md (W the window).
# STEPS (300), BATCH (16), LR (1e-4: the model is trained already; 1e-3 is the from-scratch rate), WINDOW (256; 64 gives a model.bin that fits 264 KB like
# checkpoints/prod.bin), THREADS (2) override the run. At batch 16 x 256 bytes an update is 4,096
# bytes; atome-train does ~3,500 bytes/s a thread on this model (a 2-step probe), so 300 updates
# are ~3-6 min on 2 cores plus ~30 s for each of the 4 evaluations of the 302 KB valid split.
# Stopped (Ctrl-C), the same command with RESUME=1 continues it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: scripts/finetune_prod.sh PEER_DIR (an atome-lm checkout)" >&2; exit 1; }
ckpt=$1/checkpoints/atome_944k.bin
[ -r "$ckpt" ] || { echo "finetune_prod.sh: cannot read $ckpt" >&2; exit 1; }
for t in atome-import atome-infer atome-train; do
  [ -x ./$t ] || { echo "finetune_prod.sh: ./$t is missing; run make first" >&2; exit 1; }
done
steps=${STEPS:-300} batch=${BATCH:-16} lr=${LR:-1e-4} window=${WINDOW:-256} threads=${THREADS:-2}
out=runs/finetune-prod-w$window
work=build/finetune_prod
mkdir -p "$work" results runs
init=$work/imported_w$window.bin
./atome-import "$ckpt" "$init" --window "$window"
tail -c +1003856 data/tinyshakespeare.txt > "$work/shakespeare_tail.txt"

train=(./atome-train --data data/tinystories_train.txt --valid data/tinystories_valid.txt --preset prod
       --window "$window" --seq 256 --batch "$batch" --steps "$steps" --lr "$lr" --warmup $((steps / 10))
       --eval-every $((steps / 3 > 0 ? steps / 3 : 1)) --threads "$threads" --out "$out")
if [ "${RESUME:-0}" = 1 ]; then
  "${train[@]}" --resume
else
  rm -rf "$out"
  "${train[@]}" --init "$init"
fi

bpb() { ./atome-infer --model "$1" --eval "$2" --seq 256 | sed -n 's/^bits per byte \([0-9.]*\).*/\1/p'; }
{
  echo "## Fine-tuning the imported 944K model (int8 activations, W $window)"
  echo
  echo "command: \`bash scripts/finetune_prod.sh PEER_DIR\` (STEPS=$steps BATCH=$batch LR=$lr WINDOW=$window), i.e."
  echo "\`${train[*]} --init $init\`. Bits per byte, \`./atome-infer --model M --eval FILE --seq 256\`:"
  echo
  echo "| text | imported | fine-tuned |"
  echo "|---|---|---|"
  echo "| Tiny Shakespeare's last 10% (held out) | $(bpb "$init" "$work/shakespeare_tail.txt") | $(bpb "$out/model.bin" "$work/shakespeare_tail.txt") |"
  echo "| data/tinystories_valid.txt (inside atome-lm's training text) | $(bpb "$init" data/tinystories_valid.txt) | $(bpb "$out/model.bin" data/tinystories_valid.txt) |"
  echo
  echo "Greedy, \"Once upon a time\", fine-tuned:"
  echo '```'
  ./atome-infer --model "$out/model.bin" --prompt "Once upon a time" -n 200
  echo '```'
} | tee results/finetune_prod_w$window.md.tmp
mv results/finetune_prod_w$window.md.tmp results/finetune_prod_w$window.md

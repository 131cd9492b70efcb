#!/usr/bin/env bash
# What int8 activations cost an imported float model: atome-lm's atome_944k.bin in atome-lm's own
# float engine (window 256) against the same model imported by ./atome-import into atome's engine
# (W 256, ./atome-infer --eval --seq 256), on held-out text, and their greedy text side by side.
#
# Usage: scripts/import_eval.sh PEER_DIR   (from the repository root after `make`; PEER_DIR is an
#        atome-lm checkout: its checkpoints/atome_944k.bin and c_engine/atome.[ch] are read, the
#        engine compiled in build/import_eval/ with our driver scripts/atome_lm_eval.c, which only
#        calls its API; nothing of it is kept in the repo). Writes results/import_eval.md.
# BYTES (default 1029: 4 windows of 257 bytes, 1,028 predicted) is the prefix both engines read:
# atome-lm's engine recomputes the whole window for every byte (a few bytes a second at 256).
#
# Texts: Tiny Shakespeare's last 10% (data/tinyshakespeare.txt from byte 1,003,855 on), which
# atome-lm never saw; and data/tinystories_valid.txt, which lies INSIDE atome-lm's training text
# (its training set is the whole TinyStories train file, of which our files are the first 2 MiB),
# so its figure flatters atome-lm's model.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: scripts/import_eval.sh PEER_DIR (an atome-lm checkout)" >&2; exit 1; }
peer=$1
ckpt=$peer/checkpoints/atome_944k.bin
for f in "$ckpt" "$peer/c_engine/atome.c" "$peer/c_engine/atome.h"; do
  [ -r "$f" ] || { echo "import_eval.sh: cannot read $f" >&2; exit 1; }
done
for t in atome-import atome-infer; do
  [ -x ./$t ] || { echo "import_eval.sh: ./$t is missing; run make first" >&2; exit 1; }
done
bytes=${BYTES:-1029}
work=build/import_eval
mkdir -p "$work" results
start=$SECONDS

# atome-lm's engine at its model's dimensions, its window 256. Its own flags, not ours: it is their
# code, measured as it is (-O2, libm).
lm=$work/atome_lm_eval
cc -O2 -std=c99 -DATOME_D_MODEL=256 -DATOME_MAX_SEQ=256 -DATOME_N_LAYERS=8 -DATOME_N_PATHWAYS=3 \
  -DATOME_VOCAB_SIZE=256 -DATOME_D_HEAD=64 -DATOME_KERNEL_SIZE=5 -DATOME_TOP_K=4 \
  -I"$peer/c_engine" scripts/atome_lm_eval.c common/host_file.c "$peer/c_engine/atome.c" -lm -o "$lm"

blob=$work/atome_944k_w256.bin
./atome-import "$ckpt" "$blob" --window 256 >/dev/null
# What ships as checkpoints/prod.bin: the same weights with the window of 64 (its state fits 264 KB).
blob64=$work/atome_944k_w64.bin
./atome-import "$ckpt" "$blob64" >/dev/null

tail -c +1003856 data/tinyshakespeare.txt > "$work/shakespeare_tail.txt"
head -c "$bytes" "$work/shakespeare_tail.txt" > "$work/shakespeare_tail_prefix.txt"
head -c "$bytes" data/tinystories_valid.txt > "$work/tinystories_valid_prefix.txt"

bpb() { sed -n 's/^bits per byte \([0-9.]*\).*/\1/p'; }
# atome-lm's engine is the slow part: both prefixes and its greedy text at once, in the background
# (progress per window in $work/*_atome_lm.log), while atome's engine does its share.
# Its results depend on its checkpoint, its engine's source and the text alone: each is kept in
# $work with a key of those inputs' sha256, and rerun only when the key differs (atome's side, whose
# engine is the one that changes, always reruns).
lm_key() { cat "$ckpt" "$peer/c_engine/atome.c" "$peer/c_engine/atome.h" "$@" | sha256sum | cut -c1-64; }
lm_run() { # OUT INPUT ARGS...: the engine on ARGS into OUT, unless OUT.key is the key of INPUT
  local out=$1 input=$2; shift 2
  local key; key=$(lm_key $input)
  if [ -s "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then return 0; fi
  rm -f "$out.key"
  "$lm" "$ckpt" "$@" > "$out" 2> "${out%.*}.log" && echo "$key" > "$out.key"
}
for name in shakespeare_tail tinystories_valid; do
  lm_run "$work/${name}_atome_lm.out" "$work/${name}_prefix.txt" --eval "$work/${name}_prefix.txt" &
done
lm_run "$work/greedy_atome_lm.txt" /dev/null --prompt "Once upon a time" -n 200 &
atome_bpb() { ./atome-infer --model "$1" --eval "$2" --seq 256 | bpb; }
for name in shakespeare_tail tinystories_valid; do
  atome_bpb "$blob" "$work/${name}_prefix.txt" > "$work/${name}_atome.bpb"
done
whole_tail=$(atome_bpb "$blob" "$work/shakespeare_tail.txt")
whole_valid=$(atome_bpb "$blob" data/tinystories_valid.txt)
whole_tail64=$(atome_bpb "$blob64" "$work/shakespeare_tail.txt")
whole_valid64=$(atome_bpb "$blob64" data/tinystories_valid.txt)
wait
{
  echo "## atome-lm's 944K model: its float engine against atome's int8 engine"
  echo
  echo "command: \`bash scripts/import_eval.sh PEER_DIR\` (BYTES=$bytes); model: \`$(basename "$ckpt")\` ($(stat -c %s "$ckpt") B),"
  echo "imported with \`./atome-import $(basename "$ckpt") OUT --window 256\`. Windows of 257 bytes, each read from a"
  echo "reset state, 256 predicted (\`./atome-infer --model OUT --eval FILE --seq 256\`; atome-lm's engine on the same"
  echo "windows, every byte predicted from the window's bytes before it). Held out: Tiny Shakespeare's last 10%."
  echo "**data/tinystories_valid.txt lies inside atome-lm's training text** (TinyStories train), so that row flatters"
  echo "atome-lm's model; only the Shakespeare rows are held out."
  echo
  echo "| text | bytes read | atome-lm float engine, W 256 (bits/byte) | atome int8 engine, W 256 | atome int8 engine, W 64 |"
  echo "|---|---|---|---|---|"
  for name in shakespeare_tail tinystories_valid; do
    echo "| $name, first $bytes bytes | $bytes | $(bpb < "$work/${name}_atome_lm.out") | $(cat "$work/${name}_atome.bpb") | |"
  done
  echo "| shakespeare_tail, whole (held out) | $(stat -c %s "$work/shakespeare_tail.txt") | — (too slow) | $whole_tail | $whole_tail64 |"
  echo "| tinystories_valid, whole (seen in atome-lm's training) | $(stat -c %s data/tinystories_valid.txt) | — (too slow) | $whole_valid | $whole_valid64 |"
  echo
  echo "The W 64 import (sha256 $(sha256sum < "$blob64" | cut -c1-64)) is what scripts/finetune_prod.sh (WINDOW=64)"
  echo "fine-tunes into checkpoints/prod.bin (results/finetune_prod_w64.md)."
  echo
  echo "Greedy, prompt \"Once upon a time\", 200 bytes:"
  echo
  echo "atome-lm (float):"
  echo '```'
  cat "$work/greedy_atome_lm.txt"
  echo '```'
  echo "atome (int8, imported, W 256):"
  echo '```'
  ./atome-infer --model "$blob" --prompt "Once upon a time" -n 200
  echo '```'
} | tee results/import_eval.md.tmp
mv results/import_eval.md.tmp results/import_eval.md
echo "import_eval.sh: wrote results/import_eval.md in $((SECONDS - start)) s" >&2

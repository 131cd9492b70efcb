#!/usr/bin/env bash
# Trains the shipped checkpoints from their commands: the one place those commands are written
# (checkpoints/README.md shows them, tests/test_determinism.c retrains nano through this script
# and compares the bytes with checkpoints/nano.bin).
# Usage: scripts/make_checkpoints.sh [--into DIR] [nano|small|default|prod]...   (default: nano,
# small and default, into checkpoints/). prod needs PEER=DIR, an atome-lm checkout: it is atome-lm's
# atome_944k.bin imported at W 64 and fine-tuned here (scripts/finetune_prod.sh, WINDOW=64).
# For each: DIR/NAME.bin (the run's model.bin), NAME.log.jsonl, the header NAME.h with
# NAME_config.h (./atome-header, --name atome_NAME); then DIR/SHA256SUMS anew.
# Run from the repository root after `make`.
set -eu
cd "$(dirname "$0")/.."
into=checkpoints
if [ "${1:-}" = "--into" ]; then into=$2; shift 2; fi
[ -x ./atome-train ] && [ -x ./atome-header ] || { echo "make_checkpoints.sh: run make first" >&2; exit 1; }
mkdir -p "$into" runs
# The recipe every shipped checkpoint shares; only the preset and the number of steps differ.
common="--data data/tinystories_train.txt --valid data/tinystories_valid.txt --batch 16 --seq 64 --seed 1"
steps_of() {
  case "$1" in
    nano) echo 6000 ;;
    small|default) echo 8000 ;;
    prod) echo 300 ;;
    *) echo "make_checkpoints.sh: unknown checkpoint '$1' (nano, small, default, prod)" >&2; exit 2 ;;
  esac
}
for name in "${@:-nano small default}"; do
  for n in $name; do
    steps=$(steps_of "$n")
    if [ "$n" = prod ]; then
      [ -n "${PEER:-}" ] || { echo "make_checkpoints.sh: prod needs PEER=DIR (an atome-lm checkout)" >&2; exit 2; }
      WINDOW=64 STEPS=$steps bash scripts/finetune_prod.sh "$PEER" >&2
      cp runs/finetune-prod-w64/model.bin "$into/prod.bin"
      cp runs/finetune-prod-w64/log.jsonl "$into/prod.log.jsonl"
      ./atome-header "$into/prod.bin" "$into/prod.h" --name atome_prod
      continue
    fi
    run="runs/ckpt-$n"
    [ "$into" = checkpoints ] || run="$into/run-$n"
    rm -rf "$run"
    echo "./atome-train $common --preset $n --steps $steps --out $run" >&2
    ./atome-train $common --preset "$n" --steps "$steps" --out "$run" >/dev/null
    cp "$run/model.bin" "$into/$n.bin"
    cp "$run/log.jsonl" "$into/$n.log.jsonl"
    ./atome-header "$into/$n.bin" "$into/$n.h" --name "atome_$n"
  done
done
(cd "$into" && sha256sum -- *.bin > SHA256SUMS)
# checkpoints/README.md quotes SHA256SUMS (tests/test_determinism.c checks it): its lines follow.
if [ "$into" = checkpoints ]; then
  while read -r sum file; do sed -i "s|^[0-9a-f]\{64\}  $file\$|$sum  $file|" checkpoints/README.md; done < checkpoints/SHA256SUMS
fi

#!/usr/bin/env bash
# Ablations of the routed-ternary block with atome-lm's A/B recipe, 3 seeds each: every pathway
# dropped in turn (--drop), a shorter attention window (--window), float activations when the
# trainer has them, and the size of 2-bit packing beside our base-3 blob.
# Usage: scripts/ablations.sh   (from the repository root after `make`; writes results/ablations.md
# and prints the same table). SEEDS (default "1 2 3"), JOBS (default 2 single-thread runs at once).
# Runs are cached in runs/paper/ (scripts/paper_lib.sh): the full model's runs are the A/B's.
set -eu
cd "$(dirname "$0")/.."
source scripts/paper_lib.sh
start=$SECONDS
paper_need atome-train atome-infer
SEEDS=${SEEDS:-1 2 3}
JOBS=${JOBS:-2}
out=results/ablations.md
mkdir -p results

# name | change to the recipe | what it tests
configs=(
  "atome||full model (all three pathways, W 64)"
  "atome-drop-conv|--drop conv|no local conv pathway"
  "atome-drop-ssm|--drop ssm|no SSM pathway"
  "atome-drop-attn|--drop attn|no attention pathway"
  "atome-w32|--window 32|attention window W 32"
  "atome-w16|--window 16|attention window W 16"
)
float_act=0
if ./atome-train --help | grep -q -- '--float-act'; then
  float_act=1
  configs+=("atome-float-act|--float-act|float activations (no int8 quantisation)")
fi

for c in "${configs[@]}"; do
  IFS='|' read -r name change _ <<< "$c"
  for s in $SEEDS; do echo "$name-s$s $AB_RECIPE $change --seed $s"; done
done | paper_jobs "$JOBS" >&2

# One row: median and range over the seeds, and the change against the full model seed by seed.
row() {
  local name=$1 change=$2 what=$3 bpb="" ppl="" dbpb="" dppl="" per="" wall=""
  for s in $SEEDS; do
    local b p b0 p0
    b=$(paper_last "$name-s$s" val_bpb) p=$(paper_last "$name-s$s" val_ppl)
    b0=$(paper_last "atome-s$s" val_bpb) p0=$(paper_last "atome-s$s" val_ppl)
    bpb+="$b"$'\n' ppl+="$p"$'\n' wall+="$(paper_last "$name-s$s" time_s)"$'\n'
    dbpb+="$(awk -v a="$b" -v z="$b0" 'BEGIN { print a - z }')"$'\n'
    dppl+="$(awk -v a="$p" -v z="$p0" 'BEGIN { print a - z }')"$'\n'
    per+="${per:+ / }$(printf '%.3f' "$b")"
  done
  fmt() { paper_stats | awk -v f="$1" '{ printf f " (" f "–" f ")", $1, $2, $3 }'; }
  local d
  if [ "$name" = atome ]; then d="— | —"; else
    d="$(printf '%s' "$dbpb" | fmt '%+.3f') | $(printf '%s' "$dppl" | fmt '%+.2f')"
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$what" "${change:-(none)}" "$(printf '%s' "$bpb" | fmt '%.3f')" \
    "$(printf '%s' "$ppl" | fmt '%.2f')" "$d" "$per" "$(printf '%s' "$wall" | paper_stats | awk '{ printf "%.0f", $1 }')"
}

# Bytes of a blob of preset dimensions D, L, Dh whose ternary rows pack `per` trits a byte:
# PAPER.md section 3's layout, every tensor 4-byte aligned. With per = 5 it must give the blob
# bytes atome-infer --presets prints (checked), so the 2-bit figure uses the same layout.
blob_bytes() {
  awk -v D="$1" -v L="$2" -v Dh="$3" -v per="$4" 'function tern(r, c) { return int((4 + r * int((c + per - 1) / per) + 3) / 4) * 4 }
    BEGIN { n = 64 + 2 * tern(256, D) + 8 * D
            for (l = 0; l < L; l++) n += 16 * D + tern(D, 5) + 2 * tern(Dh, D) + tern(D, D) + tern(3, D)
            print n }'
}
packing_row() {
  local preset=$1 line D L Dh blob b3 b2
  line=$(./atome-infer --presets | grep "^| $preset |")
  IFS='|' read -r _ _ D L Dh _ _ blob _ <<< "$line"
  D=${D// /} L=${L// /} Dh=${Dh// /} blob=${blob// /}
  b3=$(blob_bytes "$D" "$L" "$Dh" 5) b2=$(blob_bytes "$D" "$L" "$Dh" 4)
  [ "$b3" = "$blob" ] || { echo "ablations.sh: layout formula gives $b3 B for $preset, atome-infer $blob B" >&2; exit 1; }
  printf '| 2-bit packing, 4 trits a byte (%s preset) | size only | blob %s B vs %s B base-3 (%+.1f%%) | | | | | |\n' \
    "$preset" "$b2" "$b3" "$(awk -v a="$b2" -v b="$b3" 'BEGIN { print 100 * (a - b) / b }')"
}

{
  echo "## Ablations: the default preset, atome-lm's A/B recipe, seeds ${SEEDS// /, }"
  echo
  echo "command: \`./atome-train $AB_RECIPE --seed S --out $PAPER_RUNS/NAME-sS [change]\`, one thread per run;"
  echo "table: \`bash scripts/ablations.sh\`. bpb and ppl on the valid split (data/tinystories_valid.txt) after"
  echo "3000 steps: median (min–max) over the seeds. Δ: the run minus the full model's run of the same seed,"
  echo "median (min–max). wall s: the run's time to the end of its one evaluation (median; two runs at a time on 2 cores)."
  echo
  echo "| config | change | valid bpb | per-byte ppl | Δ bpb vs full | Δ ppl vs full | bpb per seed | wall s |"
  echo "|---|---|---|---|---|---|---|---|"
  for c in "${configs[@]}"; do
    IFS='|' read -r name change what <<< "$c"
    row "$name" "$change" "$what"
  done
  [ "$float_act" = 1 ] || echo "| int8 vs float activations | — | not measured (no float-activation path) | | | | | |"
  packing_row default
  packing_row prod
} | tee "$out.tmp"
mv "$out.tmp" "$out"
echo "ablations.sh: wrote $out in $((SECONDS - start)) s" >&2

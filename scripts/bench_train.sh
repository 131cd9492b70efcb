#!/usr/bin/env bash
# Training throughput of atome-train: tokens/s (tokens = batch x seq predicted bytes per update)
# at the default preset (batch 16, seq 64: atome-lm's A/B recipe) and the prod preset (batch 16,
# seq 256), with 1 and 2 threads; medians of several runs; the best thread count per preset.
# Usage: scripts/bench_train.sh [RUNS]   (default 3; run from the repository root after `make`)
# The rate is atome-train's own: tokens of the updates / time spent in them (pack, forward,
# backward, clip, AdamW), start-up and evaluation left out. Where the time goes is atome-train's
# own split of that time (fb_step's part divided as its threads spent it).
set -eu
cd "$(dirname "$0")/.."
runs=${1:-3}
[ -x ./atome-train ] || { echo "bench_train.sh: ./atome-train is missing; run make first" >&2; exit 1; }
tmp=$(mktemp -d /tmp/atome-bench-train.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# A small validation file keeps the one evaluation at the end of each run short.
head -c 20000 data/tinystories_valid.txt > "$tmp/valid.txt"

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# bench PRESET SEQ STEPS THREADS -> "median|all runs|atome-train's time split of the last run"
bench() {
  local all="" split=""
  for _ in $(seq "$runs"); do
    rm -rf "$tmp/out"
    local log
    log=$(./atome-train --data data/tinystories_train.txt --valid "$tmp/valid.txt" --preset "$1" --batch 16 \
          --seq "$2" --steps "$3" --eval-every 100000 --sample 0 --threads "$4" --out "$tmp/out")
    all="$all $(printf '%s\n' "$log" | sed -n 's/.*), \([0-9]*\) tok\/s.*/\1/p')"
    split=$(printf '%s\n' "$log" | sed -n 's/^training time: //p')
  done
  echo "$(printf '%s\n' $all | median)|${all# }|$split"
}

echo "atome-train training throughput, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'))"
echo "command: ./atome-train --data data/tinystories_train.txt --preset P --batch 16 --seq T --steps N --threads K ..."
policy=${OMP_WAIT_POLICY:-passive, the default of atome-train}
echo "tokens/s = batch x seq / update time, medians of $runs runs; OMP_WAIT_POLICY: $policy"
printf '\n%-8s %-11s %-7s %12s   %s\n' preset "batch x seq" threads "tokens/s" "runs"
for spec in "default 64 100" "prod 256 6"; do
  set -- $spec
  best=0 best_t=0 best_split=""
  for t in 1 2; do
    IFS='|' read -r med all split < <(bench "$1" "$2" "$3" "$t")
    printf '%-8s %-11s %-7s %12s   %s\n' "$1" "16 x $2" "$t" "$med" "$all"
    if awk -v a="$med" -v b="$best" 'BEGIN { exit !(a > b) }'; then best=$med best_t=$t best_split=$split; fi
  done
  printf '%-8s best: %s tokens/s with %s thread(s)\n' "$1" "$best" "$best_t"
  printf '         where the update time goes (last run): %s\n\n' "$best_split"
done

#!/usr/bin/env bash
# paper.sh — regenerates every table of results/ (`make paper`, which builds what it needs first):
# the A/B (scripts/ab.sh), then, when present, the ablations, long runs and router-entropy
# calibration (scripts/ablations.sh, long_runs.sh, calibration.sh), the classifier heads and their
# baselines (scripts/classify.sh, classify_baselines.sh), the microcontroller tables (make mcu-tables,
# make mcu-avr), the engine and trainer benchmarks (scripts/bench_infer.sh, bench_train.sh,
# into results/bench.md as `make bench` writes it; bench_mpi.sh into results/bench_mpi.md) and the preset table (atome-infer --presets).
# Prints each part's time as it ends; writes results/README.md (every results file, the part that
# wrote it, that part's time); last, scripts/paper_include.sh copies the tables into PAPER.md.
#
# From scratch: the training runs the scripts share (runs/paper/, scripts/paper_lib.sh) are
# removed first. PAPER_REUSE=1 keeps them, so that finished runs are not trained again (the times
# printed are then not a fresh run's). JOBS and SEEDS pass through to the training scripts.
set -eu
cd "$(dirname "$0")/.."
mkdir -p results
runs=${PAPER_RUNS:-runs/paper}
if [ "${PAPER_REUSE:-0}" != 1 ] && [ -d "$runs" ]; then
  for l in "$runs"/*.lock; do
    [ -e "$l" ] || continue
    flock -n "$l" true || { echo "paper.sh: ${l%.lock} is being trained by another process; not removing $runs" >&2; exit 1; }
  done
  rm -rf "$runs"
fi
start=$SECONDS
cached=$(find "$runs" -name log.jsonl 2>/dev/null | wc -l)
parts=()

hms() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# part NAME COMMAND...: runs it, times it, and notes which results files it wrote.
part() {
  local name=$1 t0=$SECONDS marker
  shift
  marker=$(mktemp)
  echo "paper: $name ..." >&2
  "$@"
  local dt=$((SECONDS - t0)) files
  files=$(find results -type f -newer "$marker" ! -name README.md | sort | sed 's|^results/||' | tr '\n' ' ')
  rm -f "$marker"
  echo "paper: $name took $(hms $dt) -> ${files:-(no file)}" >&2
  parts+=("$name|$dt|$files")
}

# The two benchmarks, each timed, into results/bench.md in the form `make bench` gives it.
bench_infer_out="" bench_train_out=""
bench_infer() { bench_infer_out=$(bash scripts/bench_infer.sh); printf '%s\n' "$bench_infer_out"; }
bench_train() {
  bench_train_out=$(bash scripts/bench_train.sh)
  printf '%s\n' "$bench_train_out"
  { echo "### Throughput on this machine (make bench)"; echo; echo '```'
    printf '%s\n%s\n' "$bench_infer_out" "$bench_train_out"; echo '```'; } > results/bench.md.tmp
  mv results/bench.md.tmp results/bench.md
}
bench_mpi() {
  { echo "### Data-parallel training over MPI (make bench, scripts/bench_mpi.sh)"; echo; echo '```'
    bash scripts/bench_mpi.sh; echo '```'; } > results/bench_mpi.md.tmp
  mv results/bench_mpi.md.tmp results/bench_mpi.md
}
presets() { ./atome-infer --presets > results/presets.md.tmp && mv results/presets.md.tmp results/presets.md; }

part "scripts/ab.sh" bash scripts/ab.sh
for s in ablations long_runs calibration; do
  if [ -f "scripts/$s.sh" ]; then part "scripts/$s.sh" bash "scripts/$s.sh"
  else echo "paper: scripts/$s.sh is not there yet; skipped" >&2; fi
done
part "scripts/classify_baselines.sh" bash scripts/classify_baselines.sh
part "scripts/classify.sh" bash scripts/classify.sh
part "make mcu-tables" make -s mcu-tables
part "make mcu-avr" make -s mcu-avr
part "scripts/bench_infer.sh" bench_infer
part "scripts/bench_train.sh" bench_train
part "scripts/bench_mpi.sh" bench_mpi
part "./atome-infer --presets" presets

total=$((SECONDS - start))
{
  echo "# results/"
  echo
  echo "Every file here is written by \`make paper\` (scripts/paper.sh), which runs the parts below in this"
  echo "order; scripts/paper_include.sh then copies each table into PAPER.md. Times are from the last"
  echo "\`make paper\` on this machine ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(date -u +%Y-%m-%d)): $(hms $total) in all,"
  if [ "$cached" = 0 ]; then echo "every training run trained from scratch."
  else echo "with $cached finished training runs reused from $runs/ (PAPER_REUSE=1): not a fresh run's times."; fi
  echo
  echo "| part, in order | writes (in results/) | time |"
  echo "|---|---|---|"
  for p in "${parts[@]}"; do
    IFS='|' read -r name dt files <<< "$p"
    [ -n "$files" ] || files="(none)"
    [ "$name" != scripts/bench_infer.sh ] || files="bench.md, with the next part's output"
    echo "| \`$name\` | ${files% } | $(hms "$dt") |"
  done
} > results/README.md.tmp
mv results/README.md.tmp results/README.md
[ ! -f scripts/paper_include.sh ] || bash scripts/paper_include.sh
grep '^| `' results/README.md >&2
echo "paper: done in $(hms $total); results/README.md lists what each part wrote" >&2

#!/usr/bin/env bash
# Data-parallel training throughput of atome-train under Open MPI (train/dist.c, train/shard.c):
# tokens/s and the bytes each rank sends per update for 1 and 2 ranks of one thread each, at the
# default preset (batch 16, seq 64) and the prod preset (batch 16, seq 256); medians of RUNS
# runs. Then, on paper, what N nodes like this one would give at the prod preset over a 10 Gbit/s
# link, for the global batches whose gradient sum takes under a tenth of the update.
# Usage: scripts/bench_mpi.sh [RUNS]   (default 3; run from the repository root after `make`)
# The rate is atome-train's own (tokens of the updates / time in them, as scripts/bench_train.sh);
# the bytes are its "mpi:" line: what a bandwidth-optimal (ring) allreduce of the exact 128-bit
# gradient sum and an allgather of the per-window losses send per rank, 2(N-1)/N of 16 B per
# parameter plus (N-1)/N of 8 B per window; and, measured, what Open MPI's own monitoring
# component (pml_monitoring) counted rank 0 sending over a whole run, divided by its updates (the
# start-up checks and the one evaluation included), in a separate untimed run.
set -eu
cd "$(dirname "$0")/.."
runs=${1:-3}
[ -x ./atome-train ] || { echo "bench_mpi.sh: ./atome-train is missing; run make first" >&2; exit 1; }
command -v mpirun >/dev/null || { echo "bench_mpi.sh: mpirun is missing (scripts/deps.sh mpi)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/atome-bench-mpi.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
head -c 20000 data/tinystories_valid.txt > "$tmp/valid.txt"
# Open MPI refuses root unless told (CI and these machines run as root); fewer cores than ranks
# needs --oversubscribe, which also turns off the binding of ranks to cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
over=""
[ "$(nproc)" -ge 2 ] || over="--oversubscribe"

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measured PRESET SEQ STEPS RANKS -> bytes rank 0 sent per update, by Open MPI's monitoring
measured() {
  rm -rf "$tmp/out" "$tmp"/mon.*
  mpirun $over -np "$4" --mca pml_monitoring_enable 2 --mca pml_monitoring_enable_output 3 \
    --mca pml_monitoring_filename "$tmp/mon" ./atome-train --data data/tinystories_train.txt --valid "$tmp/valid.txt" \
    --preset "$1" --batch 16 --seq "$2" --steps "$3" --eval-every 100000 --sample 0 --threads 1 --out "$tmp/out" >/dev/null
  awk -v steps="$3" '$1 == "I" { b += $4 } END { printf "%.0f", b / steps }' "$tmp/mon.0.prof"
}

# bench LAUNCH PRESET SEQ STEPS THREADS -> "median tok/s|all runs|bytes sent per rank per update|gradient bytes"
bench() {
  local all="" sent="" grad=""
  for _ in $(seq "$runs"); do
    rm -rf "$tmp/out"
    local log
    log=$($1 ./atome-train --data data/tinystories_train.txt --valid "$tmp/valid.txt" --preset "$2" --batch 16 \
          --seq "$3" --steps "$4" --eval-every 100000 --sample 0 --threads "$5" --out "$tmp/out")
    all="$all $(printf '%s\n' "$log" | sed -n 's/.*), \([0-9]*\) tok\/s.*/\1/p')"
    sent=$(printf '%s\n' "$log" | sed -n 's/^mpi: .*sent per rank per update \([0-9]*\) B.*/\1/p')
    grad=$(printf '%s\n' "$log" | sed -n 's/^mpi: .*gradient sum is \([0-9]*\) B.*/\1/p')
  done
  echo "$(printf '%s\n' $all | median)|${all# }|${sent:-0}|${grad:-0}"
}

echo "atome-train data-parallel over MPI, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')), $(mpirun --version | head -1)"
echo "command: mpirun -np N ./atome-train --data data/tinystories_train.txt --preset P --batch 16 --seq T --steps S --threads 1 ..."
echo "tokens/s = global batch x seq / update time, medians of $runs runs; bytes/update = sent per rank per update"
echo "(ring-algorithm volume of atome-train's collectives); measured = Open MPI's pml_monitoring count for rank 0 / updates"
printf '\n%-8s %-11s %-5s %12s %14s %14s   %s\n' preset "batch x seq" ranks "tokens/s" "bytes/update" "measured" runs
prod_grad=0
for spec in "default 64 100" "prod 256 6"; do
  set -- $spec
  for n in 1 2; do
    IFS='|' read -r med all sent grad < <(bench "mpirun $over -np $n" "$1" "$2" "$3" 1)
    meas=0
    [ "$n" = 1 ] || meas=$(measured "$1" "$2" "$3" "$n")
    printf '%-8s %-11s %-5s %12s %14s %14s   %s\n' "$1" "16 x $2" "$n" "$med" "$sent" "$meas" "$all"
    [ "$1" != prod ] || prod_grad=$grad
  done
done

# One node as a rank: every core of this machine, the rate N such nodes would each bring.
IFS='|' read -r node _ _ _ < <(bench "mpirun $over -np 1" prod 256 6 "$(nproc)")
echo
echo "On paper: N nodes like this one (prod preset, seq 256, one rank of $(nproc) threads each: $node tokens/s measured),"
echo "a 10 Gbit/s link (1.25e9 B/s each way). Per update each rank sends 2(N-1)/N x $prod_grad B (the 16-byte exact"
echo "sum of each parameter) by a ring allreduce; the G windows' compute is 256 G / (N x $node) s. Largest N keeping"
echo "the gradient sum under a tenth of that compute (2(N-1)/N x S / 1.25e9 <= 0.1 x 256 G / (N x R)):"
printf '%-12s %-5s %12s %10s %14s %22s\n' "global batch" N "compute s" "comm s" "tokens/s" "2e9 bytes (atome-lm's)"
awk -v S="$prod_grad" -v R="$node" 'BEGIN {
  for (g = 64; g <= 1024; g *= 2) {
    best = 0
    for (n = 1; n <= g; n++) { c = 2 * (n - 1) / n * S / 1.25e9; t = 256 * g / (n * R); if (c <= 0.1 * t) best = n }
    n = best; c = 2 * (n - 1) / n * S / 1.25e9; t = 256 * g / (n * R); tps = 256 * g / (t + c)
    printf "%-12d %-5d %12.4f %10.4f %14.0f %19.1f h\n", g, n, t, c, tps, 2e9 / tps / 3600
  }
}'

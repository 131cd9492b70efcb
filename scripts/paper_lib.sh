# paper_lib.sh — sourced by the scripts behind `make paper` (ablations.sh, ab.sh, long_runs.sh):
# one cache of training runs, so that a run two tables need is trained once.
#
#   source scripts/paper_lib.sh
#   paper_run NAME ARGS...     ./atome-train ARGS --out runs/paper/NAME, unless that directory
#                              already holds a finished run of the same command
#   paper_jobs N < LINES       each line "NAME ARGS...", N runs at a time; fails if any failed
#   paper_last NAME KEY        KEY of the last line of runs/paper/NAME/log.jsonl (val_bpb, time_s...)
#   paper_stats                stdin: one number a line -> "median min max"
#   paper_need TOOL...         exits naming the first of ./TOOL... that is not built
#
# A run's directory holds cmd (the exact command, without --out and --threads, which do not change
# the result), log.jsonl, model.bin (not for a --float-act run: the engine could not run it),
# checkpoint.bin and train.out (atome-train's output). A run is
# reused when cmd is the same and the log reached --steps; a run stopped half-way with the same
# cmd is resumed (--resume continues exactly); a different cmd is trained again from scratch.
# Runs lock their directory (flock), so two scripts started together never train the same run.
#
# PAPER_RUNS (default runs/paper) moves the cache; THREADS (default 1) is atome-train's --threads.

# The atome-lm project's A/B recipe on the bundled TinyStories split: 64-byte windows (63 predicted
# bytes), batch 16, 3000 steps, AdamW at a constant 3e-4 with PyTorch's betas (0.9, 0.999), one
# evaluation at the end.
AB_RECIPE="--data data/tinystories_train.txt --valid data/tinystories_valid.txt --preset default --seq 63 \
--batch 16 --steps 3000 --lr 3e-4 --schedule constant --warmup 0 --beta2 0.999 --eval-every 3000 --sample 0"

PAPER_RUNS=${PAPER_RUNS:-runs/paper}

paper_need() {
  for t in "$@"; do
    [ -x "./$t" ] || { echo "$(basename "$0"): ./$t is missing; run make first" >&2; exit 1; }
  done
}

paper_last() {
  tail -n 1 "$PAPER_RUNS/$1/log.jsonl" 2>/dev/null | sed -n "s/.*\"$2\": \([^,}]*\).*/\1/p"
}

paper_run() {
  local name=$1 dir=$PAPER_RUNS/$1
  shift
  local cmd="./atome-train $*" steps
  steps=$(printf '%s\n' "$cmd" | sed -n 's/.*--steps \([0-9]*\).*/\1/p')
  [ -n "$steps" ] || { echo "paper_run $name: give --steps explicitly" >&2; return 1; }
  mkdir -p "$PAPER_RUNS"
  (
    flock 9
    local resume=""
    if [ -f "$dir/cmd" ] && [ "$(cat "$dir/cmd")" = "$cmd" ]; then
      # finished: its model file is written (a --float-act run writes none: its checkpoint instead)
      local model=model.bin
      [[ $cmd == *--float-act* ]] && model=checkpoint.bin
      if [ "$(paper_last "$name" step)" = "$steps" ] && [ -f "$dir/$model" ]; then
        echo "$name: reused ($dir)"
        exit 0
      fi
      [ -f "$dir/checkpoint.bin" ] && resume=--resume
    fi
    if [ -z "$resume" ]; then
      rm -rf "$dir"
      mkdir -p "$dir"
      printf '%s\n' "$cmd" > "$dir/cmd"
    fi
    local t0=$SECONDS
    # shellcheck disable=SC2086  # ARGS are words without spaces
    if ! ./atome-train "$@" --out "$dir" --threads "${THREADS:-1}" $resume >> "$dir/train.out" 2>&1; then
      echo "$name: atome-train failed; the end of $dir/train.out:" >&2
      tail -n 5 "$dir/train.out" >&2
      exit 1
    fi
    echo "$name: trained in $((SECONDS - t0)) s${resume:+ (resumed)}"
  ) 9> "$PAPER_RUNS/$name.lock"
}

paper_jobs() {
  xargs -P "$1" -L 1 bash -c 'source scripts/paper_lib.sh && paper_run "$@"' paper_run
}

paper_stats() {
  sort -g | awk '{ v[NR] = $1 }
    END { if (NR) printf "%s %s %s\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR] }'
}

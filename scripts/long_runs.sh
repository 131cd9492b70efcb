#!/usr/bin/env bash
# Longer runs: the mid and prod presets with the trainer's own recipe (its defaults: batch 16 x
# seq 64, AdamW lr 1e-2, warmup 100, cosine to 1e-3), each for a fixed number of steps sized to a
# budget of about 6 minutes (training and the curve's evaluations) at 2 threads on this 2-core
# machine (a step count, not a timer, so a rerun gives the same numbers). Loss curves as PNG
# (gnuplot), and what the 1.8 MB of training text allows.
# Usage: scripts/long_runs.sh   (from the repository root after `make`; writes results/long_runs.md,
# results/long_mid.png and results/long_prod.png; prints the table). MID_STEPS (default 9000),
# PROD_STEPS (default 2400), THREADS (default 2). Runs are cached in runs/paper/ (scripts/paper_lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/paper_lib.sh
start=$SECONDS
paper_need atome-train atome-infer
bash scripts/deps.sh plot
export THREADS=${THREADS:-2}
declare -A steps=([mid]=${MID_STEPS:-9000} [prod]=${PROD_STEPS:-2400}) points=([mid]=20 [prod]=10)
train=data/tinystories_train.txt valid=data/tinystories_valid.txt
train_bytes=$(stat -c %s "$train") valid_bytes=$(stat -c %s "$valid")
mkdir -p results "$PAPER_RUNS"
# Evaluating the whole valid split (302 KB) twenty times would cost prod more than its training:
# the curves use its first 32 KB; the best model is evaluated on all of it, and on as many bytes
# of the training text, by the engine.
head -c 32768 "$valid" > "$PAPER_RUNS/valid-head32k.txt"
head -c "$valid_bytes" "$train" > "$PAPER_RUNS/train-head.txt"

bpb_of() { sed -n 's/^bits per byte \([0-9.]*\).*/\1/p' "$1"; }
calc() { awk "BEGIN { print $1 }"; }
commas() { sed ':a; s/\B[0-9]\{3\}\>/,&/; ta' <<< "$1"; }

# The final evaluations of run $1, both at once (one thread each); their time in $dir/eval_s.
final_evals() {
  local dir=$PAPER_RUNS/$1 t0=$SECONDS
  [ -f "$dir/eval_s" ] && [ "$dir/eval_valid.txt" -nt "$dir/model.bin" ] && [ "$dir/eval_train.txt" -nt "$dir/model.bin" ] && return
  ./atome-infer --model "$dir/model.bin" --eval "$valid" > "$dir/eval_valid.txt" &
  ./atome-infer --model "$dir/model.bin" --eval "$PAPER_RUNS/train-head.txt" > "$dir/eval_train.txt"
  wait $!
  echo $((SECONDS - t0)) > "$dir/eval_s"
}

# The curves of run $1: train loss (the last batch before each evaluation, in bits) and the valid
# head's bpb against step; the best model's two final figures at its step.
plot() {
  local p=$1 dir=$PAPER_RUNS/long-$1 S=$2 params=$3 best_step=$4 bv=$5 bt=$6
  sed -n 's/^{"step": \([0-9]*\), "train_loss": \([0-9.]*\), "val_bpb": \([0-9.]*\),.*/\1 \2 \3/p' \
    "$dir/log.jsonl" > "$dir/curve.dat"
  gnuplot <<EOF
set terminal pngcairo size 960,600 font "DejaVu Sans,11"
set output "results/long_$p.png"
set title "atome $p preset ($params parameters): $S steps of batch 16 x seq 64, lr 1e-2 cosine"
set xlabel "step"
set ylabel "bits per byte"
set x2label "epochs of the training text ($train_bytes bytes)"
set link x2 via x * 1024.0 / $train_bytes inverse x * $train_bytes / 1024.0
set x2tics
set format x2 "%.2f"
set xtics nomirror
set offsets 0, graph 0.04, 0, 0
set tmargin 5
set grid
set key top right
plot "$dir/curve.dat" using 1:(\$2 / log(2)) with linespoints pt 7 ps 0.6 \
       title "train: loss of the last batch before each evaluation (1,024 bytes)", \
     "" using 1:3 with linespoints pt 5 ps 0.6 title "valid: first 32 KB of the valid split", \
     "< echo $best_step $bv" using 1:2 with points pt 9 ps 2 \
       title sprintf("best model (step $best_step), whole valid split: %.3f", $bv), \
     "< echo $best_step $bt" using 1:2 with points pt 11 ps 2 \
       title sprintf("best model, first $valid_bytes bytes of the training text: %.3f", $bt)
EOF
}

rows="" notes=""
for p in mid prod; do
  name=long-$p dir=$PAPER_RUNS/long-$p S=${steps[$p]}
  paper_run "$name" --data "$train" --valid "$PAPER_RUNS/valid-head32k.txt" --preset "$p" --steps "$S" \
    --eval-every $((S / points[$p])) --sample 0 >&2
  final_evals "$name"
  params=$(./atome-infer --presets | awk -F'|' -v p=" $p " '$2 == p { gsub(/ /, "", $7); print $7 }')
  tokens=$(paper_last "$name" tokens) wall=$(paper_last "$name" time_s)
  best=$(paper_last "$name" best_bpb) best_step=$(paper_last "$name" best_step) last=$(paper_last "$name" val_bpb)
  bv=$(bpb_of "$dir/eval_valid.txt") bt=$(bpb_of "$dir/eval_train.txt")
  epochs=$(calc "$tokens / $train_bytes") gap=$(calc "$bv - $bt")
  plot "$p" "$S" "$params" "$best_step" "$bv" "$bt"

  rows+="| $p | $(commas "$params") | $S steps: $(printf '%.1f' "$(calc "$wall / 60")") min here, and $(cat "$dir/eval_s") s"
  rows+=" of final evaluations | $(commas "$tokens") | $(printf '%.2f' "$epochs") | $(printf '%.3f' "$best") @ $best_step"
  rows+=" ($(printf '%.3f' "$last") at the end) | $bv ($(printf '%.2f' "$(calc "2 ^ $bv")")) | $bt | $(printf '%+.3f' "$gap") |"$'\n'
  fit=$(awk -v g="$gap" -v e="$epochs" 'BEGIN {
    if (g > 0.05) s = sprintf("it scores the text it trained on %.3f bpb better than held-out text", g)
    else if (g < -0.05) s = sprintf("it scores held-out text %.3f bpb better than the text it trained on", -g)
    else s = "train and valid bytes score within 0.05 bpb of each other"
    if (e < 1) s = s " (after under one epoch it has met each training byte about once at most, so the gap says more about how the two texts differ than about memorising)"
    else if (g > 0.05) s = s ", a sign of memorising"
    else s = s ": no measurable overfitting at this budget"
    print s }')
  trend=$(awk -v b="$best" -v l="$last" -v bs="$best_step" -v s="$S" 'BEGIN {
    if (bs == s) print "its bpb on the valid head was at its best at the last step"
    else if (l - b > 0.02) printf "its bpb on the valid head rose %.3f above its best (step %d) by the end\n", l - b, bs
    else printf "its bpb on the valid head ended within 0.02 of its best (step %d)\n", bs }')
  notes+="- **$p**: $(printf '%.2f' "$epochs") epochs of the training text in $S steps; $fit; $trend. At 20 training"
  notes+=" bytes per parameter it would want $(printf '%.1f' "$(calc "20 * $params / $train_bytes")") epochs of this corpus"
  notes+=" (it holds $(printf '%.1f' "$(calc "$train_bytes / $params")") bytes per parameter)."$'\n'
done

{
  echo "## Longer runs: the mid and prod presets, the trainer's own recipe"
  echo
  echo "command: \`./atome-train --data $train --valid $PAPER_RUNS/valid-head32k.txt --preset P --steps N"
  echo "--eval-every N/k --sample 0 --threads $THREADS --out $PAPER_RUNS/long-P\` (every other setting the trainer's"
  echo "default), then \`./atome-infer --model $PAPER_RUNS/long-P/model.bin --eval $valid\` and the same on the"
  echo "first $valid_bytes bytes of $train; table and curves: \`bash scripts/long_runs.sh\`."
  echo "Budget: about 6 minutes per preset (training and the curve's evaluations) at 2 threads on this machine,"
  echo "fixed as a step count so that a rerun gives the same numbers; the time it took here is beside it (the"
  echo "machine may have been shared). model.bin is the best model on the 32 KB valid head"
  echo "(the curve's points); its bpb (ppl) on the whole valid split and on as many bytes of training text;"
  echo "gap = valid − train."
  echo
  echo "| preset | parameters | budget | bytes seen | epochs | valid head bpb: best @ step | valid bpb (ppl) | train-text bpb | gap |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s' "$rows"
  echo
  echo "Curves: results/long_mid.png, results/long_prod.png. What the corpus allows ($(commas "$train_bytes") training bytes):"
  echo
  printf '%s' "$notes"
} | tee results/long_runs.md.tmp
mv results/long_runs.md.tmp results/long_runs.md
echo "long_runs.sh: wrote results/long_runs.md and results/long_{mid,prod}.png in $((SECONDS - start)) s" >&2

#!/usr/bin/env bash
# The classifier heads on the bundled sets (data/SOURCES.md): each trained by atome-train --task
# classify over SEEDS (default 1 2 3), evaluated by atome-infer --classify on the test files (the
# engine itself: atome_classify), and printed as one table beside the baselines of
# results/classify_baselines.md. Training runs are cached in runs/paper/ (scripts/paper_lib.sh), so
# a second call only evaluates. Deterministic: a run is a function of its data, flags and seed.
# Usage: scripts/classify.sh   (from the repository root, after make; writes results/classify.md
# and prints the same). SEEDS="1" for one seed per head.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/paper_lib.sh
paper_need atome-train atome-infer
start=$SECONDS
SEEDS=${SEEDS:-1 2 3}
out=results/classify.md
mkdir -p results "$PAPER_RUNS"

# The heads: NAME|TRAIN ARGS (without --seed)|the seeds it gets ("" = SEEDS). Every head writes the
# model of its best validation accuracy; its test split is scored once, by atome-infer below.
CLINC="--task classify --data data/clinc150_train.tsv --valid data/clinc150_valid.tsv --test data/clinc150_test.tsv"
SMS="--task classify --data data/sms_spam_train.tsv --test data/sms_spam_test.tsv"
OCC="--task classify --data data/occupancy_train.csv --label-col Occupancy --test data/occupancy_test1.csv"
WAND="--task classify --data data/magic_wand_train.csv --label-col digit --test data/magic_wand_test.csv"
HEADS=(
  "clinc-mid|$CLINC --preset mid --batch 32 --steps ${CLINC_STEPS:-8000} --eval-every 1000|1"
  "sms-small|$SMS --preset small --batch 32 --steps 1500 --eval-every 250|"
  "occupancy-nano|$OCC --preset nano --batch 32 --steps 1500 --lr 3e-3 --eval-every 250|"
  "wand-default|$WAND --preset default --batch 32 --steps 1500 --lr 3e-3 --eval-every 250|"
)

# Train every (head, seed), two runs at a time, one thread each.
for h in "${HEADS[@]}"; do
  IFS='|' read -r name args seeds <<<"$h"
  for s in ${seeds:-$SEEDS}; do echo "cls-$name-s$s $args --seed $s"; done
done | paper_jobs 2 >&2

# metric FILE NAME: the value of atome-infer's line "NAME value" (its --help gives the format)
metric() { awk -v k="$2" '$1 == k { print $2; exit }' "$1"; }
# class_f1 FILE LABEL: F1 of one class from its "class LABEL P R F1 SUPPORT" line
class_f1() { awk -v k="$2" '$1 == "class" && $2 == k { print $5; exit }' "$1"; }
# spread VALUES...: "median [min–max]" (percent with 1 decimal when PCT=1)
spread() {
  printf '%s\n' "$@" | paper_stats | awk -v pct="${PCT:-0}" '{
    if (pct) printf "%.1f [%.1f–%.1f]", 100 * $1, 100 * $2, 100 * $3;
    else printf "%.4f [%.4f–%.4f]", $1, $2, $3 }'
}

# evaluate NAME TEST [ARGS...]: atome-infer on every seed's model; fills E (one file per seed)
evaluate() {
  local name=$1 test=$2 seeds=$3
  shift 3
  E=()
  for s in $seeds; do
    local f="$PAPER_RUNS/cls-$name-s$s/eval-$(basename "$test").txt"
    ./atome-infer --model "$PAPER_RUNS/cls-$name-s$s/model.bin" --classify "$test" "$@" > "$f"
    E+=("$f")
  done
}
# column NAME...: spread over the evaluation files of one metric
column() { local v=(); for f in "${E[@]}"; do v+=("$($1 "$f" "${@:2}")"); done; spread "${v[@]}"; }

seeds_of() { for h in "${HEADS[@]}"; do IFS='|' read -r n _ s <<<"$h"; [ "$n" = "$1" ] && echo "${s:-$SEEDS}"; done; }
blob_bytes() { stat -c %s "$PAPER_RUNS/cls-$1-s$(seeds_of "$1" | awk '{ print $1 }')/model.bin" 2>/dev/null; }
# state_bytes NAME: sizeof(atome_state) + sizeof(atome_model) of the engine sized for the head's blob
# (atome-header's model_config.h; the state holds no pointer, so a 32-bit core's is the same, and
# the model is a table of pointers: 4 bytes each there, 8 here, so this is an upper bound)
state_bytes() {
  local d; d=$(mktemp -d)
  ./atome-header "$PAPER_RUNS/cls-$1-s$(seeds_of "$1" | awk '{ print $1 }')/model.bin" "$d/m.h" --name m >/dev/null
  printf '#include <stdio.h>\n#include "atome.h"\nint main(void) { printf("%%zu\\n", sizeof(atome_state) + sizeof(atome_model)); return 0; }\n' > "$d/s.c"
  cc -std=c99 -include "$d/m_config.h" -Iinfer "$d/s.c" -o "$d/s" && "$d/s"
  rm -rf "$d"
}
cmd_of() { for h in "${HEADS[@]}"; do IFS='|' read -r n a _ <<<"$h"; [ "$n" = "$1" ] && echo "./atome-train $a --seed S"; done; }

{
  echo "## Classifier heads on the bundled sets"
  echo
  echo "table: \`bash scripts/classify.sh\` (seeds: $SEEDS; the training runs cached in runs/paper/cls-*)."
  echo "Each figure is the median [min–max] over the seeds, in percent, on the test file, as"
  echo "\`./atome-infer --model runs/paper/cls-NAME-sS/model.bin --classify TEST\` prints it: the engine's"
  echo "own class logits (atome_classify), memcmp-equal to the trainer's (tests/test_train_classify.c) and"
  echo "to every QEMU board's (tests/test_mcu_classify.c). The model is the one of the best validation"
  echo "accuracy (the --valid file, else a seeded stratified 10 % of --data, --split-seed 1). Blob: the"
  echo "classifier blob's bytes in flash; engine RAM for each head's dimensions: results/mcu_ram.md."
  echo
  echo "| head | blob bytes | test | accuracy | macro-F1 | more | AURC | coverage at ≤ 1 % / ≤ 5 % risk |"
  echo "| --- | ---: | --- | --- | --- | --- | --- | --- |"
  row() { # NAME TEST-LABEL MORE
    echo "| $1 | $(blob_bytes "$1") | $2 | $(PCT=1 column metric accuracy) | $(PCT=1 column metric macro_f1) | $3 | $(column metric aurc) | $(PCT=1 column metric coverage@1%) / $(PCT=1 column metric coverage@5%) |"
  }
  evaluate clinc-mid data/clinc150_test.tsv "$(seeds_of clinc-mid)" --oos-label oos --valid data/clinc150_valid.tsv
  clinc_more="in-scope $(PCT=1 column metric in_scope_accuracy), oos recall $(PCT=1 column metric oos_recall); by abstention (margin threshold on valid): in-scope $(PCT=1 column metric in_scope_accuracy@margin), oos recall $(PCT=1 column metric oos_recall@margin)"
  row clinc-mid "CLINC150 test (oos a 151st class)" "$clinc_more"
  evaluate sms-small data/sms_spam_test.tsv "$(seeds_of sms-small)"
  row sms-small "SMS Spam test" "spam F1 $(PCT=1 column class_f1 spam)"
  for t in 1 2; do
    evaluate occupancy-nano "data/occupancy_test$t.csv" "$(seeds_of occupancy-nano)" --label-col Occupancy
    row occupancy-nano "Occupancy test $t" "occupied F1 $(PCT=1 column class_f1 1)"
  done
  evaluate wand-default data/magic_wand_test.csv "$(seeds_of wand-default)" --label-col digit
  row wand-default "Magic Wand test (one writer: a seeded split of one person's strokes flatters)" ""
  # median NAME...: the seeds' median of one metric of the files in E, in percent
  median() { local v=(); for f in "${E[@]}"; do v+=("$($1 "$f" "${@:2}")"); done; printf '%s\n' "${v[@]}" | paper_stats | awk '{ printf "%.1f", 100 * $1 }'; }
  # verdict MEASURED TARGET [higher]: "met" or "missed by X points"
  verdict() { awk -v m="$1" -v t="$2" 'BEGIN { if (m >= t) print "met"; else printf "missed by %.1f points\n", t - m }'; }
  echo
  echo "Targets of the issue against the medians above (percent; a rule's figure from classify_baselines.md):"
  echo
  echo "| target | measured | verdict |"
  echo "| --- | --- | --- |"
  evaluate clinc-mid data/clinc150_test.tsv "$(seeds_of clinc-mid)" --oos-label oos --valid data/clinc150_valid.tsv
  m=$(median metric in_scope_accuracy); echo "| CLINC150 in-scope accuracy ≥ 89 (FastText) | $m | $(verdict "$m" 89) |"
  m=$(median metric oos_recall); a=$(median metric oos_recall@margin); i=$(median metric in_scope_accuracy@margin)
  echo "| CLINC150 out-of-scope recall ≥ 47 | $m as a class; $a by abstention (in-scope then $i) | $(verdict "$m" 47) as a class; by abstention $(verdict "$a" 47), at the cost of in-scope accuracy |"
  b=$(blob_bytes clinc-mid); r=$(state_bytes clinc-mid)
  echo "| CLINC150 blob ≤ 64 KB and engine RAM ≤ 64 KB | blob $b B, engine state $r B | $( [ "$b" -le 65536 ] && [ "$r" -le 65536 ] && echo met || echo missed) |"
  evaluate sms-small data/sms_spam_test.tsv "$(seeds_of sms-small)"
  m=$(median metric accuracy); echo "| SMS Spam accuracy ≥ 99.0 | $m | $(verdict "$m" 99.0) |"
  m=$(median class_f1 spam); echo "| SMS Spam spam F1 ≥ 96 | $m | $(verdict "$m" 96) |"
  for t in 1 2; do
    evaluate occupancy-nano "data/occupancy_test$t.csv" "$(seeds_of occupancy-nano)" --label-col Occupancy
    rule=$(awk -F, 'NR > 1 { n++; ok += (($3 > 365) == $6) } END { printf "%.1f", 100 * ok / n }' "data/occupancy_test$t.csv")
    m=$(median metric accuracy); echo "| Occupancy test $t ≥ the rule Light > 365 ($rule) | $m | $(verdict "$m" "$rule") |"
  done
  evaluate wand-default data/magic_wand_test.csv "$(seeds_of wand-default)" --label-col digit
  m=$(median metric accuracy); echo "| Magic Wand ≥ 95 | $m | $(verdict "$m" 95) |"
  echo
  echo "Training commands (S the seed):"
  echo
  echo '```'
  for h in "${HEADS[@]}"; do IFS='|' read -r n _ _ <<<"$h"; echo "$n: $(cmd_of "$n")"; done
  echo '```'
  echo
  echo "Training time per run (one thread, two runs at a time on 2 cores; time_s of the run's log.jsonl, updates and evaluations):"
  echo
  for h in "${HEADS[@]}"; do
    IFS='|' read -r n _ s <<<"$h"
    times=()
    for x in ${s:-$SEEDS}; do times+=("$(grep -o '"time_s": [0-9.]*' "$PAPER_RUNS/cls-$n-s$x/log.jsonl" | tail -n 1 | cut -d' ' -f2)"); done
    echo "- $n: $(printf '%s\n' "${times[@]}" | paper_stats | awk '{ printf "median %d s [%d–%d]", $1, $2, $3 }')"
  done
} | tee "$out.tmp"
mv "$out.tmp" "$out"
echo "classify.sh: wrote $out in $((SECONDS - start)) s" >&2

#!/usr/bin/env bash
# The classifier baselines on the bundled sets (data/SOURCES.md): the majority class
# and the float logistic regression of build/tools/atome-logreg (hashed byte 1-3-grams for text,
# standardised raw features for sensors) at full size and at a small-flash budget, on the same
# splits the classifier heads use. Deterministic (seeded SGD, fixed float order): every run prints
# the same figures. A few minutes on 2 cores.
# Usage: scripts/classify_baselines.sh   (from the repository root; writes results/classify_baselines.md
# and prints the same).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
make --no-print-directory build/tools/atome-logreg >/dev/null
lr=build/tools/atome-logreg
out=results/classify_baselines.md
mkdir -p results

# buckets that fit BYTES of fp32 weights, bias included, for C classes: BYTES / (4 C) - 1
fit() { echo $(( $1 / (4 * $2) - 1 )); }

# run NAME ARGS...: one table row per model, the command beside it
run() {
  local name=$1; shift
  local cmd="$lr $*"
  local res; res=$($cmd)
  local size; size=$(grep -o '[0-9]* bytes of fp32 weights' <<<"$res" | cut -d' ' -f1)
  local maj; maj=$(grep '^majority' <<<"$res" | sed 's/^majority (\(.*\)): test /\1: /')
  local fit; fit=$(grep '^logreg (epoch' <<<"$res" | sed 's/^logreg (\(epoch [0-9]*\), the best valid accuracy \([0-9.]*\)\(, threshold [0-9.]*\)\{0,1\}): test /\1, valid \2\3: /')
  echo "| $name | majority | 0 | $maj | |"
  echo "| $name | logreg | $size | $fit | \`$cmd\` |"
}

{
  echo "## Classifier baselines (majority class, float logistic regression)"
  echo
  echo "table: \`bash scripts/classify_baselines.sh\`. Figures on the test split; the logreg's epoch is the"
  echo "one with the best validation accuracy (--valid file, else a seeded stratified 10 % of the training"
  echo "file, --split-seed 1). --focus LABEL adds that class's precision, recall and F1 and the accuracy on"
  echo "the rows of every other class: for CLINC150 (oos as the 151st class) 'oos' recall is the"
  echo "out-of-scope recall and that accuracy the in-scope accuracy. --abstain oos: oos rows left out of"
  echo "training, a row called oos when its top-1 probability is under the threshold with the best validation"
  echo "accuracy (the CLINC150 paper's oos-threshold setting)."
  echo
  echo "| set | model | weight bytes | test | command |"
  echo "| --- | --- | --- | --- | --- |"
  clinc="--data data/clinc150_train.tsv --valid data/clinc150_valid.tsv --test data/clinc150_test.tsv --focus oos --epochs 20"
  run "CLINC150 (2^18 buckets)" $clinc --buckets 262144
  run "CLINC150 (64 KB)" $clinc --buckets "$(fit 65536 151)"
  clinc_abstain="--data data/clinc150_train.tsv --valid data/clinc150_valid.tsv --test data/clinc150_test.tsv --abstain oos --epochs 20"
  run "CLINC150 oos by abstention (2^18 buckets)" $clinc_abstain --buckets 262144
  run "CLINC150 oos by abstention (64 KB)" $clinc_abstain --buckets "$(fit 65536 151)"
  sms="--data data/sms_spam_train.tsv --test data/sms_spam_test.tsv --focus spam --epochs 20"
  run "SMS Spam (2^18 buckets)" $sms --buckets 262144
  run "SMS Spam (8 KB)" $sms --buckets "$(fit 8192 2)"
  for t in 1 2; do
    rule="awk -F, 'NR > 1 { n++; ok += ((\$3 > 365) == \$6) } END { printf \"accuracy %.4f\", ok / n }' data/occupancy_test$t.csv"
    echo "| Occupancy test $t | the rule Light > 365 | 0 | $(eval "$rule") | \`$rule\` |"
    run "Occupancy test $t" --data data/occupancy_train.csv --test data/occupancy_test$t.csv --label-col Occupancy \
      --focus 1 --epochs 20 --lr 0.05
  done
  run "Magic Wand" --data data/magic_wand_train.csv --test data/magic_wand_test.csv --label-col digit --epochs 50 --lr 0.05
} | tee "$out.tmp"
mv "$out.tmp" "$out"
echo "classify_baselines.sh: wrote $out in $((SECONDS - start)) s" >&2

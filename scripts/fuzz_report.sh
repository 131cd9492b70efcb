#!/usr/bin/env bash
# Runs the fuzz harnesses (mk/fuzz.mk) and prints, per harness, what PAPER.md's reliability
# section reports: executions, their rate, coverage and findings.
# Usage: scripts/fuzz_report.sh SECONDS [TARGET...]
#   TARGET is a harness (blob, parity, checkpoint, vanilla, data, classify, infer_text, train_log; default: all) or
#   an instance NAME.K of one; instances of one harness share its corpus and are summed.
#   Runs two targets at a time (-j2), each for SECONDS. FUZZ_REPORT_ONLY=1 reads the logs of the
#   last run instead of fuzzing again.
# Columns: executions and exec/s from libFuzzer's final stats (-print_final_stats=1; exec/s per
# process, summed over instances), cov (edges) and ft (features) of its last status line,
# the corpus it ended with, and findings (inputs under build/fuzz/findings/, with the first
# sanitizer summary line of each log).
set -u
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/fuzz_report.sh SECONDS [TARGET...]" >&2; exit 2; }
secs=$1
shift
targets=("${@:-blob parity checkpoint vanilla data classify infer_text train_log}")
targets=(${targets[*]})
log=build/fuzz/log
if [ "${FUZZ_REPORT_ONLY:-0}" != 1 ]; then
  make --no-print-directory fuzz-build >/dev/null || { echo "fuzz_report.sh: make fuzz-build failed" >&2; exit 1; }
  make --no-print-directory -k -j2 fuzz FUZZ_SECONDS="$secs" FUZZ_TARGETS="${targets[*]}" >/dev/null
fi
echo "## Fuzzing: the readers and the engine under ASan + UBSan"
echo
echo "command: \`scripts/fuzz_report.sh $secs ${targets[*]}\`; libFuzzer (Debian clang $(clang -dumpversion)), harnesses in tests/fuzz/,"
echo "built by mk/fuzz.mk with -fsanitize=fuzzer,address,undefined,float-cast-overflow -fno-sanitize-recover=all;"
echo "FUZZ_STEPS=${FUZZ_STEPS:-$(sed -n "s/^FUZZ_STEPS *?= *//p" mk/fuzz.mk)} steps per blob that loads; runs: processes (instances share a corpus), each for the seconds given."
echo
echo "| harness | runs | seconds | executions | exec/s | cov | ft | corpus | findings |"
echo "|---|---|---|---|---|---|---|---|---|"
status=0
names=$(for t in "${targets[@]}"; do echo "${t%%.*}"; done | awk '!seen[$0]++')
for name in $names; do
  execs=0 rate=0 runs=0 cov=- ft=- corp=- found=0 what=""
  for t in "${targets[@]}"; do
    [ "${t%%.*}" = "$name" ] || continue
    f=$log/$t.log
    [ -f "$f" ] || { echo "fuzz_report.sh: no log $f (run without FUZZ_REPORT_ONLY=1)" >&2; exit 1; }
    runs=$((runs + 1))
    e=$(awk '/stat::number_of_executed_units/ {print $2}' "$f")
    r=$(awk '/stat::average_exec_per_sec/ {print $2}' "$f")
    execs=$((execs + ${e:-0})) rate=$((rate + ${r:-0}))
    last=$(grep -E '^#[0-9]+.*cov: ' "$f" | tail -1)
    if [ -n "$last" ]; then
      c=$(sed -E 's/.*cov: ([0-9]+).*/\1/' <<<"$last") x=$(sed -E 's/.* ft: ([0-9]+).*/\1/' <<<"$last")
      [ "$cov" = - ] || [ "$c" -gt "$cov" ] && cov=$c
      [ "$ft" = - ] || [ "$x" -gt "$ft" ] && ft=$x
      corp=$(sed -E 's/.* corp: ([^ ]+).*/\1/' <<<"$last")
    fi
    n=$(find "build/fuzz/findings/$t" -type f 2>/dev/null | wc -l)
    found=$((found + n))
    s=$(grep -m1 -E '^SUMMARY: ' "$f" | sed -E 's/^SUMMARY: //; s/ \(.*\)//; s/\|/\\|/g; s/ in *$//')
    h=$(grep -m1 -E "^fuzz_$name: " "$f") # a harness's own check (it aborts: "deadly signal")
    [ -n "$h" ] && s=$h
    [ -n "$s" ] && [ -z "$what" ] && what=" ($s)"
  done
  [ "$found" -gt 0 ] && status=1
  echo "| $name | $runs | $secs | $execs | $rate | $cov | $ft | $corp | $found$what |"
done
exit $status

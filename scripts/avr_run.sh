#!/usr/bin/env bash
# avr_run.sh — runs an AVR firmware under qemu-system-avr -M mega2560 and prints its serial output.
# Usage: scripts/avr_run.sh FIRMWARE.elf [SECONDS]   (default 600)
#
# QEMU's AVR machine cannot end a run itself (no semihosting; sleep or break only halt the CPU), so
# the firmware ends its output with "exit <code>" (infer/firmware/avr_board.c): this script waits
# for that line, stops the QEMU it started, and exits with that code. Exits 124 if the line does not
# come within SECONDS, printing what came. (No -icount: qemu-system-avr 7.2 aborts under it as soon
# as a firmware reads a timer, "Bad icount read"; the speed run goes to simavr, scripts/avr.sh.)
set -u
elf=${1:?usage: avr_run.sh FIRMWARE.elf [SECONDS]}
limit=${2:-600}
[ -r "$elf" ] || { echo "avr_run.sh: $elf: not readable" >&2; exit 2; }
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
qemu-system-avr -M mega2560 -bios "$elf" -display none -monitor none -serial "file:$out" </dev/null 2>"$err" &
qemu=$!
code=124
end=$((SECONDS + limit))
while [ "$SECONDS" -lt "$end" ]; do
  line=$(grep -a -m1 '^exit [0-9]*$' "$out" 2>/dev/null) && { code=${line#exit }; break; }
  kill -0 "$qemu" 2>/dev/null || { code=125; break; } # QEMU ended by itself: a bad ELF, say
  sleep 0.2
done
kill "$qemu" 2>/dev/null
wait "$qemu" 2>/dev/null
cat "$out"
[ "$code" = 124 ] && echo "avr_run.sh: no exit line from $elf within ${limit}s" >&2
[ "$code" = 125 ] && echo "avr_run.sh: qemu-system-avr stopped before $elf printed its exit line: $(head -c 300 "$err")" >&2
exit "$code"

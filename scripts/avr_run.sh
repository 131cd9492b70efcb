#!/usr/bin/env bash
# avr_run.sh — runs an AVR firmware under qemu-system-avr -M mega2560 and prints its serial output.
# Usage: scripts/avr_run.sh FIRMWARE.elf [SECONDS]   (default 600)
#
# QEMU's AVR machine cannot end a run itself (no semihosting; sleep or break only halt the CPU), so
# the firmware ends its output with "exit <code>" (infer/firmware/avr_board.c): this script waits
# for that line, stops the QEMU it started, and exits with that code. With -icount shift=0 every
# instruction takes 1 ns of virtual time, so the firmware's timer counts are deterministic (the
# speed run's; the parity run's output does not depend on them). Exits 124 if the line does not
# come within SECONDS, printing what came.
set -u
elf=${1:?usage: avr_run.sh FIRMWARE.elf [SECONDS]}
limit=${2:-600}
[ -r "$elf" ] || { echo "avr_run.sh: $elf: not readable" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
qemu-system-avr -M mega2560 -bios "$elf" -icount shift=0 -display none -monitor none -serial "file:$out" </dev/null &
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
[ "$code" = 125 ] && echo "avr_run.sh: qemu-system-avr stopped before $elf printed its exit line" >&2
exit "$code"

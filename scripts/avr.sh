#!/usr/bin/env bash
# avr.sh — the nano preset on an 8-bit AVR (Arduino Mega 2560, ATmega2560), as markdown.
# Usage: make mcu-avr   (writes results/avr.md too; MODEL=nano by default)
#
# Builds the parity and speed firmware (mk/avr.mk) and prints:
#   parity  the parity text (infer/firmware/fw_digest.h: the CRC of all 256 logits after every
#           step) under qemu-system-avr -M mega2560 and under simavr -m atmega2560, each compared
#           byte for byte with the host engine's (build/tools/parity-o3): equal, or the first line
#           that differs and its prompt and position;
#   sizes   .text, .data, .bss of the parity firmware (avr-size), the blob's bytes in flash;
#   RAM     the firmware's own report: .data + .bss, the stack's high-water mark, and the rest of
#           the 8 KB;
#   speed   CPU cycles per atome_step under simavr, which times each instruction as the
#           datasheet does (its Timer1 counts them): QEMU's instruction count (-icount) is tried
#           first and its answer printed, for qemu-system-avr 7.2 cannot count while a firmware
#           reads a timer.
# Emulator counts are deterministic: one run gives the same numbers as any other.
set -eu
cd "$(dirname "$0")/.."
mkdir -p results
out=results/avr.md
model=${MODEL:-nano}
fw=build/avr/mega2560/$model.elf
speed=build/avr/mega2560/speed/$model.elf
make -s -j2 "$fw" "$speed" build/tools/parity-o3 >/dev/null

digest() { sed -n '/^atome-digest/,/^end /p'; }
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'; }
# simavr prints each UART line in colour, with control bytes (the newline too) as '.'
simavr_run() { timeout 1800 simavr -m atmega2560 -f 16000000 "$1" 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' -e 's/\.$//'; }

# "equal", or where the text first differs from the host's.
compare() { # want got
  if [ -n "$2" ] && [ "$1" = "$2" ]; then echo "**memcmp-equal** ($(wc -l <<<"$1") lines)"; return; fi
  local line
  line=$(diff <(echo "$1") <(echo "$2") | awk '/^[0-9]/ { sub(/[acd,].*/, ""); print; exit }')
  local at
  at=$(sed -n "${line}p" <<<"$1" | awk 'NF == 4 { print "prompt " $1 ", position " $2 }')
  echo "**not equal**: first differing line $line${at:+ ($at)}"
}

# Instruction pairs QEMU 7.2 runs wrongly (infer/firmware/avr_qemu.S): a skip over a RET, RETI or an
# indirect jump or call. The parity firmware must have none, or its QEMU run may hang.
skips=$(avr-objdump -d "$fw" | awk -F'\t' 'NF >= 3 { split($3, w, " "); op = w[1]
  if (prev ~ /^(sbrs|sbrc|sbis|sbic|cpse)$/ && op ~ /^(ret|reti|ijmp|icall|eijmp|eicall)$/) n++; prev = op }
  END { print n + 0 }')
want=$(build/tools/parity-o3 "checkpoints/$model.bin" | digest)
qemu_out=$(scripts/avr_run.sh "$fw" 600 2>&1) || true
sim_out=$(simavr_run "$fw")
qemu_parity=$(compare "$want" "$(digest <<<"$qemu_out")")
sim_parity=$(compare "$want" "$(digest <<<"$sim_out")")

read -r text data bss < <(avr-size "$fw" | awk 'NR == 2 { print $1, $2, $3 }')
blob=$(stat -c %s "checkpoints/$model.bin")
static=$(grep '^ram static' <<<"$qemu_out" | field static)
stack=$(grep '^ram static' <<<"$qemu_out" | field stack)
state=$(grep '^ram state' <<<"$qemu_out" | field state)
mstruct=$(grep '^ram state' <<<"$qemu_out" | field model)
peak=$((static + stack))

# QEMU's instruction count: its answer, in one line.
icount=$(timeout 60 qemu-system-avr -M mega2560 -bios "$speed" -icount shift=0 -display none -monitor none \
           -serial null </dev/null 2>&1 | head -1 || true)
speed_out=$(simavr_run "$speed")
cyc() { awk -v k="$1" -v p="$2" '$1 == k && $2 == p { print $3 }' <<<"$speed_out"; }
calib=$(awk '$1 == "calib" { print $3 }' <<<"$speed_out")
s1=$(cyc stream 1) s64=$(cyc stream 64) s256=$(cyc stream 256)
r1=$(cyc recompute 1) r64=$(cyc recompute 64) r256=$(cyc recompute 256)
[ -n "$s64" ] && [ -n "$calib" ] || { echo "avr.sh: the speed run printed no counts: $speed_out" >&2; exit 1; }
make -s build/tools/init-blob >/dev/null
params=$(./build/tools/init-blob --params "$model")
fmt() { awk -v n="$1" 'BEGIN { if (n >= 1e6) printf "%.2f M", n / 1e6; else if (n >= 1e3) printf "%.1f k", n / 1e3; else printf "%d", n }'; }

{
  echo "### The $model preset on an 8-bit AVR: Arduino Mega 2560 (ATmega2560, 16 MHz, 8 KB RAM, 256 KB flash)"
  echo
  echo "Command: \`make mcu-avr\` (scripts/avr.sh). checkpoints/$model.bin in the parity and speed firmware of the other boards (infer/firmware/fw_main.c, fw_digest.c) with infer/firmware/avr_board.c, built by avr-gcc 5.4 (Debian's gcc-avr) at -Os -flto, -std=gnu99 (mk/avr.mk). The blob stays in flash (__flash, common/atome_blob.h's ATOME_ROM); the engine's state is in RAM. Host side: build/tools/parity-o3, the -O3 engine objects atome-infer ships."
  echo
  echo "| | result |"
  echo "|---|---|"
  echo "| parity, qemu-system-avr -M mega2560 | $qemu_parity |"
  echo "| parity, simavr -m atmega2560 | $sim_parity |"
  echo "| skips over a RET or an indirect jump (QEMU 7.2 loops on them; avr_qemu.S) | $skips |"
  echo "| firmware .text / .data / .bss | $text / $data / $bss bytes |"
  echo "| of it: the blob (in .text, flash) | $blob bytes |"
  echo "| flash used (.text + .data's load image) | $((text + data)) of 262144 bytes |"
  echo "| RAM: .data + .bss | $static bytes (atome_state $state, atome_model $mstruct; .data holds the firmware's strings and the engine's constant tables, which an AVR keeps in RAM) |"
  echo "| RAM: stack high-water mark | $stack bytes |"
  echo "| **RAM peak** | **$peak of 8192 bytes** ($((8192 - peak)) free) |"
  echo
  echo "Speed: CPU cycles per generated byte under simavr (Timer1 at the CPU clock, overflows counted by an interrupt, which adds ~0.06 %). *step @p*: one atome_step at position p; *recompute @p*: atome_reset and all p + 1 steps. Check of the clock: fw_spin(10^6), 10^6 passes of sbiw/brne (4 cycles each, so 4.00 M and the interrupts), took $calib cycles. **tokens/s** = 16 MHz / cycles of a step @256: simulated cycles of the datasheet's timing, not a measurement on a part. QEMU's instruction count is not available: \`qemu-system-avr -icount shift=0\` answers \`$icount\` as soon as the firmware reads its timer."
  echo
  echo "| preset | params | step @1 | step @64 | step @256 | cycles per param @64 | recompute @1 | recompute @64 | recompute @256 | tokens/s at 16 MHz |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  echo "| $model | $params | $(fmt "$s1") | $(fmt "$s64") | $(fmt "$s256") | $(awk -v a="$s64" -v b="$params" 'BEGIN { printf "%.0f", a / b }') | $(fmt "$r1") | $(fmt "$r64") | $(fmt "$r256") | $(awk -v c="$s256" 'BEGIN { printf "%.1f", 16e6 / c }') |"
  echo
  echo "What it took, beyond the other boards' firmware: (1) the blob in flash: on an AVR, flash is another address space, read by LPM, and the nano state (6 KB) leaves no room for a RAM copy of the 3 KB blob; the engine's pointers into the blob carry ATOME_ROM, \`__flash\` there and empty on every other target (the ARM and RISC-V engine objects are byte-identical with and without it). \`__memx\` (24-bit, flash or RAM) was tried first: avr-gcc 5.4 at -Os drops the load of a \`__memx\` float whose pointer it read from memory when the product's other operand is a load too (\`*w->scale * xs[t]\` in matmul_forward: the multiply gets garbage), and the logits differ from position 0. (2) QEMU 7.2's AVR translator loops for ever on a taken skip over a RET, which libgcc's \`__usmulhisi3\` has: avr_qemu.S gives the same arithmetic without it. (3) No exit and no instruction count in qemu-system-avr: the firmware prints an exit line (scripts/avr_run.sh), and the cycles come from simavr."
} | tee "$out"

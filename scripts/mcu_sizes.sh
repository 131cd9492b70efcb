#!/usr/bin/env bash
# mcu_sizes.sh — flash and RAM the engine takes on each microcontroller target, as markdown.
# Usage: make mcu-sizes   (writes results/mcu_sizes.md too)
#
# The engine (common/*.c and infer/atome.c) is cross-compiled at -Os with the firmware's flags and
# the default preset's ATOME_MAX_* (mk/mcu.mk, target mcu-objs), as a language model's firmware
# builds it: without the classifier path and the loader's value check (ATOME_CLASSIFIER 0,
# ATOME_CHECK_VALUES 0; engine-lto-checked.elf has the check, engine-lto-full.elf both). Three measures:
#   objects  .text/.data/.bss of every engine object, as `size` counts them (.text with .rodata);
#   linked   what a firmware carries: the engine linked alone with a stub that calls atome_load and
#            atome_reset, then atome_step and atome_argmax in a loop, unused sections dropped (--gc-sections),
#            summed from the link map; the compiler's and libc's helpers it pulls in beside it;
#            and the same link with -flto, where engine and stub are one unit (lto_engine_bytes);
#            and the speed build's same link (-DATOME_FAST -O2, mk/mcu.mk), beside it;
#   firmware the engine's bytes in the -flto parity firmware of checkpoints/default.bin, found by
#            source line (fw_engine_bytes): a cross-check of the stub on a real firmware.
# Then the same for a classifier (infer/firmware/size_stub_cls.c; mk/cls_fw.mk): its stub beside the
# language model's, and the engine in, and the flash of, one head's parity firmware (CLS_SIZE_HEAD).
set -eu
cd "$(dirname "$0")/.."
# The parity firmware of checkpoints/default.bin per CPU (the M4 without FPU has no board here).
declare -A board=([m0]=m0-on-an385 [m3]=mps2-an385 [m4f]=mps2-an386 [m7]=mps2-an500 [rv32]=rv32-virt)
make -s mcu-objs $(for c in "${!board[@]}"; do echo "build/mcu/${board[$c]}/default.elf"; done) >/dev/null
# The classifier's: its stub per CPU, and the parity firmware of one head (mk/cls_fw.mk), the M0's on
# the micro:bit.
source scripts/mcu_cls_lib.sh
cls_head=${CLS_SIZE_HEAD:-occupancy-nano}
declare -A cls_board=([m0]=microbit [m3]=mps2-an385 [m4f]=mps2-an386 [m7]=mps2-an500 [rv32]=rv32-virt)
CLS_HEADS=$cls_head cls_make mcu-cls-objs $(for c in "${!cls_board[@]}"; do echo "build/mcu/cls/${cls_board[$c]}/$cls_head.elf"; done) >/dev/null
read -r _ _ cls_blob _ < <(CLS_HEADS=$cls_head cls_info $cls_head)
cls_rows=$(sed -n 's/.*fw_rows_label\[\([0-9]*\)\].*/\1/p' build/mcu/cls/models/$cls_head/atome_rows.h)
mkdir -p results
out=results/mcu_sizes.md
cpus="m0 m3 m4 m4f m7 rv32"
target=2662 # 2.6 KB

declare -A name=([m0]="Cortex-M0" [m3]="Cortex-M3" [m4]="Cortex-M4 soft-float" [m4f]="Cortex-M4F"
                 [m7]="Cortex-M7" [rv32]="rv32imac")
declare -A flags=([m0]="-mcpu=cortex-m0 -mthumb" [m3]="-mcpu=cortex-m3 -mthumb -mfloat-abi=soft"
                  [m4]="-mcpu=cortex-m4 -mthumb -mfloat-abi=soft"
                  [m4f]="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
                  [m7]="-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16"
                  [rv32]="-march=rv32imac -mabi=ilp32")

# Input sections of a link map as "kind size file section": kind engine, stub or runtime.
map_sections() {
  awk '
    function hex(s,   i, v, c) { v = 0; s = tolower(substr(s, 3))
      for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)); v = v * 16 + c - 1 }
      return v }
    function emit(sec, size, file,   kind) {
      if (sec !~ /^\.(text|rodata|srodata|data|sdata|bss|sbss)/) return
      kind = file ~ /[.]a[(]/ || file ~ /crt[^\/]*[.]o$/ ? "runtime" : file ~ /size_stub/ ? "stub" : "engine"
      print kind, hex(size), file, sec }
    /^Linker script and memory map/ { on = 1; next }
    !on { next }
    /^ [.][^ ]*/ { if (NF >= 4 && $2 ~ /^0x/) { emit($1, $3, $4); pend = "" } else pend = $1; next }
    pend != "" && NF >= 3 && $1 ~ /^0x/ && $2 ~ /^0x/ { emit(pend, $2, $3); pend = ""; next }
    { pend = "" }' "$1"
}

# Code and read-only data of an ELF's own symbols: all but the compiler's helpers (__*) and libc's
# mem* functions.
own_bytes() { # nm, elf, symbol types (t: code, r: read-only data)
  "$1" -S "$2" | awk -v types="$3" 'NF == 4 && index(types, tolower($3)) && $4 !~ /^_/ && $4 !~ /^mem(set|cpy|move)$/ {
    print $2 }' | while read -r h; do echo $((16#$h)); done | awk '{ s += $1 } END { print s + 0 }'
}

# Bytes of the instructions whose source line (the ELF is built with -g) matches a file pattern;
# with "code" the literal-pool words that follow them are left out (a pool serves the code around
# it, whoever's line it follows), with "all" they count.
line_bytes() { # objdump, elf, file regex, code|all
  "$1" -d -l "$2" | awk -F'\t' -v re="$3" -v what="$4" '
    /^[0-9a-f]+ <.*>:$/ { file = ""; next }                  # a new symbol: no line seen yet
    /^\/.*:[0-9]+/ { file = $0; sub(/:[0-9]+.*$/, "", file); next }
    /^ *[0-9a-f]+:\t/ { raw = $2; gsub(/ /, "", raw)
      if (file ~ re && (what == "all" || $3 !~ /^[.]word/)) s += length(raw) / 2 }
    END { print s + 0 }'
}

# Bytes of the literal-pool words (Arm: ldr rN, [pc, #k]) that only instructions on lines of files
# matching a pattern load: the addresses of the stub's own variables, say.
pool_only_bytes() { # objdump, elf, file regex
  "$1" -d -l "$2" | awk -v re="$3" '
    /^[0-9a-f]+ <.*>:$/ { file = ""; next }
    /^\/.*:[0-9]+/ { file = $0; sub(/:[0-9]+.*$/, "", file); next }
    /^ *[0-9a-f]+:\t/ && /ldr.*\[pc/ && match($0, /@ \([0-9a-f]+/) {
      t = substr($0, RSTART + 3, RLENGTH - 3); if (file ~ re) mine[t] = 1; else other[t] = 1 }
    END { n = 0; for (t in mine) if (!(t in other)) n++; print 4 * n }'
}

# The engine in the -flto stub link: every own byte (code, pools, tables) but the stub's own
# instructions and the pool words only they load. A pool word both load (the model's address) counts
# as the engine's: the figure errs high by those few.
lto_engine_bytes() { # nm, objdump, elf
  local stub='/size_stub[^/]*[.]c$'
  echo $(( $(own_bytes "$1" "$3" tr) - $(line_bytes "$2" "$3" "$stub" code) - $(pool_only_bytes "$2" "$3" "$stub") ))
}

# The engine in a real firmware: the instructions on lines of common/ or infer/atome.c, literal
# pools by the line they follow, plus the engine's read-only tables (the same as in the stub link).
fw_engine_bytes() { # nm, objdump, elf, stub elf
  echo $(( $(line_bytes "$2" "$3" '/common/[^/]*$|/infer/atome[.]c$' all) + $(own_bytes "$1" "$4" r) ))
}

kind_sum() { # kind, category regex, on map_sections output from stdin
  awk -v k="$1" -v re="$2" '$1 == k && $4 ~ re { s += $2 } END { print s + 0 }'
}

{
  echo "### Engine size per target (-Os)"
  echo
  echo "Command: \`make mcu-sizes\` (scripts/mcu_sizes.sh). Engine = common/*.c + infer/atome.c, C99, \`-Os -ffp-contract=off -fno-math-errno -ffunction-sections\`, ATOME_MAX_* of the default preset (d64 L4 dh16 W64). *Objects*: all engine objects as \`size\` counts them (.text includes .rodata). *Linked*: what a firmware carries — the engine linked with a stub that calls atome_load and atome_reset, then atome_step and atome_argmax in a loop (infer/firmware/size_stub.c), \`--gc-sections\`, summed from the link map; *helpers*: compiler runtime (soft-float) and libc (memcpy/memmove/memset) pulled in beside it; *firmware build, -flto*: the same link with link-time optimisation, as mk/mcu.mk builds every firmware — engine and stub are one unit then, so it counts all code and read-only data but the helpers, less the stub's own instructions, found by source line (built with -g, which adds no code), and the literal-pool words that only they load (the addresses of the stub's variables); a pool word that engine and stub both load (the model's address) counts as the engine's, so the figure errs high by those few. Target: engine .text ≤ 2.6 KB (2,662 B) on every Cortex-M, judged on the firmware build; the link without LTO is shown beside it. *The engine measured is a language model's*, as its firmware builds it (mk/mcu.mk): \`-DATOME_CLASSIFIER=0\` (common/atome_config.h) compiles out the loader's classifier path (the head's dimension, the feature tensors, the label names and their checks), and such an engine refuses a classifier blob (ATOME_ERR_CLASSIFIER); \`-DATOME_CHECK_VALUES=0\` compiles out the loader's check of every weight float (NaN, infinity, range), which atome-header ran on the host when it baked the blob into the firmware (the header, dimension, length and CRC checks stay); every column but the two *with* columns is that build. *With the value check*: the same -flto stub link with \`-DATOME_CLASSIFIER=0\` alone, the loader a language model's firmware needs when its blob comes from outside (a file, an update). *With the classifier path*: the same on the engine as the CMake library and the classifiers' firmware build it (ATOME_CLASSIFIER 1 and ATOME_CHECK_VALUES 1, the defaults), which loads and checks both kinds of blob; beside it, what it adds to the value-checked build. *In the parity firmware*: a cross-check on a real firmware, the -flto firmware of checkpoints/default.bin that \`make test\` runs: the instructions whose source line is in common/ or infer/atome.c (literal pools by the line they follow), plus the engine's read-only tables (the M0's is the M0 build for the mps2-an385 board; there is no board for the M4 without FPU). *Speed build*: the same -flto link built with \`-DATOME_FAST -O2\` (the kernels of common/atome_fast.h, its flash tables and unrolled loops; no size target), and its *state RAM*: the stub's .bss (atome_state and atome_model at these ATOME_MAX_*), which holds the speed build's per-vector table on every core but the M0, beside the size build's."
  echo
  echo "| target | flags | objects .text | .data | .bss | linked engine .text, no LTO | linked engine .text, firmware build (-flto) | ≤ 2.6 KB | with the value check (-flto) | with the classifier path too (-flto) | in the parity firmware | helpers .text | speed build (-DATOME_FAST -O2, -flto) | its state RAM |"
  echo "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"
  for c in $cpus; do
    tc=arm-none-eabi- # binutils prefix
    [ "$c" = rv32 ] && tc=riscv64-unknown-elf-
    objs=$(ls build/mcu/obj/$c/common/*.o build/mcu/obj/$c/infer/atome.o)
    read -r t d b < <(${tc}size $objs | awk 'NR > 1 { t += $1; d += $2; b += $3 } END { print t, d, b }')
    secs=$(map_sections build/mcu/obj/$c/engine.map)
    lt=$(kind_sum engine '^[.](text|rodata|srodata)' <<<"$secs")
    ht=$(kind_sum runtime '^[.](text|rodata|srodata)' <<<"$secs")
    lto=$(lto_engine_bytes ${tc}nm ${tc}objdump build/mcu/obj/$c/engine-lto.elf)
    checked=$(lto_engine_bytes ${tc}nm ${tc}objdump build/mcu/obj/$c/engine-lto-checked.elf)
    full=$(lto_engine_bytes ${tc}nm ${tc}objdump build/mcu/obj/$c/engine-lto-full.elf)
    verdict="—"
    [ "$c" != rv32 ] && { [ "$lto" -le $target ] && verdict="yes (−$((target - lto)) B)" || verdict="**no** (+$((lto - target)) B)"; }
    fw="—"
    [ -n "${board[$c]:-}" ] && fw=$(fw_engine_bytes ${tc}nm ${tc}objdump "build/mcu/${board[$c]}/default.elf" \
                                                    build/mcu/obj/$c/engine-lto.elf)
    fast=$(lto_engine_bytes ${tc}nm ${tc}objdump build/mcu/obj/$c/engine-lto-fast.elf)
    # the engine's RAM: the stub's atome_state and atome_model (.bss), size build vs speed build
    ram=$(${tc}size -A build/mcu/obj/$c/engine-lto.elf | awk '$1 ~ /bss/ { s += $2 } END { print s + 0 }')
    ramf=$(${tc}size -A build/mcu/obj/$c/engine-lto-fast.elf | awk '$1 ~ /bss/ { s += $2 } END { print s + 0 }')
    echo "| ${name[$c]} | \`${flags[$c]}\` | $t | $d | $b | $lt | $lto | $verdict | $checked (+$((checked - lto))) | $full (+$((full - checked))) | $fw | $ht | $fast | $ramf B (size build $ram B) |"
  done
  echo
  echo "Linked engine .text per function (bytes, from the link maps; read-only data sections listed by name):"
  echo
  printf "| function |"; for c in $cpus; do printf " %s |" "${name[$c]}"; done; echo
  printf "|---|"; for c in $cpus; do printf -- "---:|"; done; echo
  for c in $cpus; do
    map_sections build/mcu/obj/$c/engine.map | awk -v c="$c" '$1 == "engine" && $4 ~ /^[.](text|rodata|srodata)/ {
      s = $4; sub(/^[.]text[.]/, "", s); print c, s, $2 }'
  done | awk -v cpus="$cpus" '
    { v[$2, $1] += $3; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }; if ($1 == "m4f") key[$2] = $3 }
    END {
      nc = split(cpus, cl, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)   # by M4F size, largest first
        if (key[order[j]] > key[order[i]]) { t = order[i]; order[i] = order[j]; order[j] = t }
      for (i = 1; i <= n; i++) { line = "| " order[i] " |"
        for (j = 1; j <= nc; j++) line = line " " ((order[i], cl[j]) in v ? v[order[i], cl[j]] : "") " |"
        print line } }'
  echo
  echo "### Classifier engine size per target (-Os)"
  echo
  echo "Command: \`make mcu-sizes\` (scripts/mcu_sizes.sh). A sensor classifier's loop (infer/firmware/size_stub_cls.c: atome_load, then atome_features, atome_classify and atome_label in a loop) linked as the language model's stub above, \`-flto\`, at the same ATOME_MAX_* and ATOME_MAX_LOGITS = 16 (a classifier-only firmware sets it to its C; the code does not depend on the value): the engine code a classifier firmware carries; a text classifier's calls no atome_features. *language-model stub, same engine*: the first table's *with the classifier path too* column, the language model's stub on the engine the classifier's firmware carries (ATOME_CLASSIFIER 1, ATOME_CHECK_VALUES 1), so that the difference is what the classifier's own calls add. *In the classifier parity firmware*: the engine's bytes, found by source line as above, in the -flto firmware of head $cls_head that \`make test\` runs (build/mcu/cls/<board>/$cls_head.elf; the M0's is the micro:bit's); *firmware flash*: all of that firmware's .text + .data by \`size\` (engine, blob $(basename "$cls_blob") of $(stat -c %s "$cls_blob") B, ${cls_rows} baked test rows, board code, helpers). *Speed build*: the stub built with \`-DATOME_FAST -O2\`."
  echo
  echo "| target | classifier stub: engine .text (-flto) | language-model stub, same engine (-flto) | classifier − language model | ≤ 2.6 KB | in the classifier parity firmware | firmware flash | speed build (-DATOME_FAST -O2, -flto) |"
  echo "|---|---:|---:|---:|---|---:|---:|---:|"
  for c in $cpus; do
    tc=arm-none-eabi-
    [ "$c" = rv32 ] && tc=riscv64-unknown-elf-
    cls=$(lto_engine_bytes ${tc}nm ${tc}objdump build/mcu/obj/$c/engine-lto-cls.elf)
    lm=$(lto_engine_bytes ${tc}nm ${tc}objdump build/mcu/obj/$c/engine-lto-full.elf)
    verdict="—"
    [ "$c" != rv32 ] && { [ "$cls" -le $target ] && verdict="yes (−$((target - cls)) B)" || verdict="**no** (+$((cls - target)) B)"; }
    fw="—" flash="—"
    if [ -n "${cls_board[$c]:-}" ]; then
      elf=build/mcu/cls/${cls_board[$c]}/$cls_head.elf
      fw=$(fw_engine_bytes ${tc}nm ${tc}objdump "$elf" build/mcu/obj/$c/engine-lto-cls.elf)
      flash=$(${tc}size "$elf" | awk 'NR == 2 { print $1 + $2 }')
    fi
    fast=$(lto_engine_bytes ${tc}nm ${tc}objdump build/mcu/obj/$c/engine-lto-cls-fast.elf)
    echo "| ${name[$c]} | $cls | $lm | +$((cls - lm)) | $verdict | $fw | $flash | $fast |"
  done
} | tee "$out"

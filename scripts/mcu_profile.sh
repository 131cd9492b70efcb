#!/usr/bin/env bash
# mcu_profile.sh — where one step's instructions go, kernel by kernel, on the M0, rv32imac, M4F and M7.
# Usage: make mcu-profile   (writes results/mcu_profile.md; PROFILE_CPUS="m0 rv32" for fewer, PROFILE_PRESET=default)
#
# The speed build's speed firmware (mk/mcu.mk: build/mcu/fast/<board>/speed/<preset>-w64.elf, the
# one scripts/mcu_speed.sh times) runs under QEMU with -icount shift=0 and the logs in_asm,exec,nochain:
# every translated block's instructions, then every block executed, in order. An awk pass counts, for
# the step at position 64 only, the executions of each instruction; a block of a library routine
# (soft float, integer division, mem*) counts for the last engine instruction before it, its call
# site. addr2line -i names the function each instruction was inlined from (the firmware has -g), and
# that names the kernel.
#   window  fw_main.c's speed run feeds 1 step, times 1, feeds 64, times 1 (position 64): the step
#           at position 64 starts at the 67th entry into atome_feed and ends at the next put_line
#           (which prints its time); the SysTick/minstret figure of mcu_speed.sh is printed beside
#           the count, as a check (it also holds the harness's few instructions around the call).
set -eu
cd "$(dirname "$0")/.."
mkdir -p results
out=results/mcu_profile.md
preset=${PROFILE_PRESET:-default}
cpus=${PROFILE_CPUS:-m0 rv32 m4f m7}
declare -A board=([m0]=m0-on-an385 [m3]=mps2-an385 [m4f]=mps2-an386 [m7]=mps2-an500 [rv32]=rv32-virt)
declare -A qemu=([m0]="qemu-system-arm -M mps2-an385" [m3]="qemu-system-arm -M mps2-an385" [m4f]="qemu-system-arm -M mps2-an386"
                 [m7]="qemu-system-arm -M mps2-an500" [rv32]="qemu-system-riscv32 -M virt -bios none")
declare -A label=([m0]="Cortex-M0 (soft float)" [m3]="Cortex-M3 (soft float)" [m4f]="Cortex-M4F" [m7]="Cortex-M7"
                  [rv32]="rv32imac (soft float)")
declare -A tool=([m0]=arm-none-eabi [m3]=arm-none-eabi [m4f]=arm-none-eabi [m7]=arm-none-eabi [rv32]=riscv64-unknown-elf)
declare -A target=([m0]=10 [m3]=10 [m4f]=3 [m7]=3 [rv32]=10) # instructions per parameter (mcu_speed.sh)
# Library routines by name: soft float (libgcc, and atome_softf.h's where not inlined: the M0's multiply),
# then the rest (division, mem*), both charged to the caller.
float_re='^(__aeabi_(f[a-z0-9]*|i2f|ui2f|l2f|ul2f|cf[a-z]*)|__(add|sub|mul|div|neg)sf3|__(eq|ne|lt|le|gt|ge|un|cmp)sf2|__float(un)?sisf|__fix(uns)?sfsi|__clzsi2|atome_madd|atome_sf_[a-z0-9_]*)$'
lib_re='^(__aeabi_(u?idiv(mod)?|uldivmod|ldivmod|memcpy[48]?|memset[48]?|memmove[48]?|memclr[48]?)|__u?(div|mod)[sd]i3|__udivmoddi4|memcpy|memset|memmove)$'

elfs=()
for c in $cpus; do elfs+=("build/mcu/fast/${board[$c]}/speed/$preset-w64.elf"); done
make -s -j2 "${elfs[@]}" build/tools/init-blob >/dev/null
params=$(./build/tools/init-blob --params "$preset")
# PROFILE_TMP=dir keeps the per-instruction counts there (<cpu>.pcs: pc own soft-float lib calls; <cpu>.a2l)
if [ -n "${PROFILE_TMP:-}" ]; then tmp=$PROFILE_TMP; mkdir -p "$tmp"; rm -f "$tmp/log"
else tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT; fi

# The kernel an instruction belongs to, from its inline chain (innermost first): the first name
# of the list below; atome_feed & co. are the step's own glue (the hist shift's memmove included).
kernels='embed_forward|embedding
layernorm_forward|LayerNorm
atome_sqrtf|LayerNorm
quant8_forward|int8 quantisation
fast_lut_build_rb|matmul: sum-table build
fast_lut_build|matmul: sum-table build
fast_split_build|matmul: sum-table build
fast_add_lo|matmul: sum-table build
matmul_lut|matmul: sum-table build
lut_build|matmul: sum-table build
prepare|matmul: sum-table build
fast_lut_dot|matmul: rows
fast_lut_rows|matmul: rows
fast_split_dot|matmul: rows
fast_split_rows|matmul: rows
matmul_split_forward|matmul: rows
fast_table_dot|matmul: rows
dot_row|matmul: rows
lut_rows|matmul: rows
matmul_forward|matmul: rows
conv_forward|conv
ssm_forward|SSM
fast_q_expand|attention: scores, values
fast_dot_q|attention: scores, values
fast_scores|attention: scores, values
attention_forward|attention: scores, values
fast_topk|attention: top-k
topk_passes|attention: top-k
attention_topk|attention: top-k
softmax_forward|softmax (top-k, router)
atome_expf_neg|softmax (top-k, router)
exp_reduced|softmax (top-k, router)
router_forward|router
mix_forward|mix
atome_feed|step glue (calls, hist shift)
block_forward|step glue (calls, hist shift)
block_project|step glue (calls, hist shift)
block_mix|step glue (calls, hist shift)
norm_rows|step glue (calls, hist shift)
head_forward|step glue (calls, hist shift)
atome_logits|step glue (calls, hist shift)
atome_step|step glue (calls, hist shift)'
profile() { # cpu key -> "$tmp/<cpu>.pcs": pc own float lib float_calls; "$tmp/<cpu>.libs": name instructions calls
  local c=$1 elf=build/mcu/fast/${board[$1]}/speed/$preset-w64.elf t=${tool[$1]}
  local syms feed put
  syms=$($t-nm "$elf")
  feed=$(awk '$3 ~ /^atome_feed/ { print $1; exit }' <<<"$syms")
  put=$(awk '$3 ~ /^put_line/ { print $1; exit }' <<<"$syms")
  [ -n "$feed" ] && [ -n "$put" ] || { echo "mcu_profile.sh: $elf: no atome_feed or put_line symbol" >&2; exit 1; }
  local starts
  starts=$(awk -v f="$float_re" -v l="$lib_re" '{ s = $3; sub(/\..*/, "", s) } (s ~ f || s ~ l) { printf "%s %s\n", $1, s }' <<<"$syms")
  mkfifo "$tmp/log"
  ${qemu[$c]} -icount shift=0 -nographic -semihosting-config enable=on,target=native -d in_asm,exec,nochain \
    -D "$tmp/log" -kernel "$elf" </dev/null >"$tmp/$c.out" 2>&1 &
  local qpid=$!
  awk -v feed="$feed" -v put="$put" -v nth=67 -v fre="$float_re" -v lre="$lib_re" -v starts="$starts" \
      -v pcs="$tmp/$c.pcs" -v libs="$tmp/$c.libs" '
    BEGIN { n = split(starts, st, "\n"); for (i = 1; i <= n; i++) { split(st[i], a, " "); start[a[1]] = a[2] } }
    /^IN:/ { first = ""; list = ""; intb = 1; next }
    intb && /^0x[0-9a-f]+:/ { pc = substr($1, 3, length($1) - 3); if (first == "") first = pc; list = list " " pc; next }
    intb && /^$/ { if (first != "") tb[first] = list; intb = 0; next }
    intb { next }
    /^Trace / {
      split($4, f, "/"); pc = f[2]
      sym = $5; sub(/\..*/, "", sym)
      # an interrupt (SysTick) taken at a block'"'"'s first instruction logs that block twice: count an
      # entry into atome_feed once, whatever ran in between in the handler
      if (!on) { if (pc == feed && last != feed && ++feeds == nth) on = 1; if (sym !~ /^systick/) last = pc; if (!on) next }
      else if (pc == put) { done = 1; exit }
      k = split(tb[pc], a, " ")
      if (sym ~ fre || sym ~ lre) {
        kind = sym ~ fre ? "f" : "l"
        cnt[caller, kind] += k; libn[sym] += k
        if (pc in start) { libc[sym]++; if (kind == "f" && !inlib) fcalls[caller]++ }
        inlib = 1
      } else {
        for (i = 1; i <= k; i++) { cnt[a[i], "o"]++; seen[a[i]] = 1 }
        caller = a[k]; seen[caller] = 1; inlib = 0
      }
    }
    END {
      if (!done) { print "window not found" > "/dev/stderr"; exit 1 }
      for (p in seen) printf "%s %d %d %d %d\n", p, cnt[p, "o"], cnt[p, "f"], cnt[p, "l"], fcalls[p] > pcs
      for (s in libn) printf "%s %d %d\n", s, libn[s], libc[s] > libs
    }' "$tmp/log" || { kill "$qpid" 2>/dev/null; echo "mcu_profile.sh: $elf: no step at position 64 in the trace" >&2; exit 1; }
  kill "$qpid" 2>/dev/null || true
  wait "$qpid" 2>/dev/null || true
  rm -f "$tmp/log"
  # pc -> kernel, by the inline chain
  awk '{ print "0x" $1 }' "$tmp/$c.pcs" | $t-addr2line -e "$elf" -f -i -a >"$tmp/$c.a2l"
  awk -v kernels="$kernels" '
    BEGIN { n = split(kernels, e, "\n"); for (i = 1; i <= n; i++) { split(e[i], a, "|"); lab[a[1]] = a[2] } }
    FILENAME == ARGV[1] {
      if ($0 ~ /^0x[0-9a-f]+$/) { pc = substr($0, 3); sub(/^0+/, "", pc); odd = 0; next }
      if (!odd++) { f = $1; sub(/\..*/, "", f); if (!(pc in k) && (f in lab)) k[pc] = lab[f] }
      else odd = 0
      next
    }
    { p = $1; sub(/^0+/, "", p); name = (p in k) ? k[p] : "harness (timer, token, call)"
      own[name] += $2; fl[name] += $3; lb[name] += $4; calls[name] += $5 }
    END { for (n in own) printf "%s\t%d\t%d\t%d\t%d\n", n, own[n], fl[n], lb[n], calls[n] }' \
    "$tmp/$c.a2l" "$tmp/$c.pcs" | sort -t$'\t' -k1,1 >"$tmp/$c.kernels"
}

fmt() { awk -v n="$1" 'BEGIN { if (n >= 1e6) printf "%.2f M", n / 1e6; else if (n >= 1e3) printf "%.1f k", n / 1e3; else printf "%d", n }'; }

{
  echo "### Where one step goes: instructions per kernel (speed build, $preset preset, position 64)"
  echo
  echo "Command: \`make mcu-profile\` (scripts/mcu_profile.sh). The speed firmware of \`make mcu-speed\` (\`-DATOME_FAST -O2 -flto\`) under QEMU with \`-icount shift=0 -d in_asm,exec,nochain\`: every instruction of the step at position 64 counted once per execution, named by the function addr2line says it was inlined from (the firmware's -g line table). *own* = the kernel's own instructions (integer work, loads, loop control, call set-up, and the speed build's float operations in integer code, common/atome_softf.h, where inlined); *soft float* = instructions inside float routines called from the kernel: libgcc's (division, compares, the rare cases atome_softf.h leaves to them) and atome_softf.h's own where out of line (the M0's Thumb-1 +, −, ×, multiply-adds: common/atome_softf_m0.h; its loops over a whole row, the attention's values and the int8 quantisation: common/atome_softf_m0_loops.h), *calls* how many; *other lib* = integer division and mem* routines. *step @64 (timer)* is mcu_speed.sh's figure for the same step, which also holds the harness's few instructions around the call. $params parameters; the target is ≤ 10 instructions per parameter on the soft-float cores, ≤ 3 on the M4F and M7."
  for c in $cpus; do
    profile "$c"
    tick=$(awk '$1 == "calib" { ci = $2; ct = $3 } $1 == "stream" && $2 == 64 { printf "%.0f", $3 * ci / ct }' "$tmp/$c.out")
    echo
    echo "#### ${label[$c]}"
    echo
    echo "| kernel | own | soft float (calls) | other lib | total | share | per param |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' -v params="$params" '
      function fmt(n) { return n >= 1e6 ? sprintf("%.2f M", n / 1e6) : n >= 1e3 ? sprintf("%.1f k", n / 1e3) : sprintf("%d", n) }
      { name[NR] = $1; o[NR] = $2; f[NR] = $3; l[NR] = $4; c[NR] = $5; tot[NR] = $2 + $3 + $4; all += tot[NR]
        so += $2; sf += $3; sl += $4; sc += $5 }
      END {
        # largest first
        for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++) if (tot[j] > tot[i]) {
          t = name[i]; name[i] = name[j]; name[j] = t; t = o[i]; o[i] = o[j]; o[j] = t; t = f[i]; f[i] = f[j]; f[j] = t
          t = l[i]; l[i] = l[j]; l[j] = t; t = c[i]; c[i] = c[j]; c[j] = t; t = tot[i]; tot[i] = tot[j]; tot[j] = t }
        for (i = 1; i <= NR; i++)
          printf "| %s | %s | %s (%d) | %s | %s | %.1f%% | %.2f |\n", name[i], fmt(o[i]), fmt(f[i]), c[i], fmt(l[i]),
                 fmt(tot[i]), 100 * tot[i] / all, tot[i] / params
        printf "| **all** | %s | %s (%d) | %s | **%s** | 100%% | **%.2f** |\n", fmt(so), fmt(sf), sc, fmt(sl), fmt(all), all / params
      }' "$tmp/$c.kernels"
    echo
    echo "step @64 (timer): $(fmt "$tick"). Soft-float routines over the step: $(sort -k2,2nr "$tmp/$c.libs" |
      awk '{ printf "%s%s %d calls × %.0f", (NR > 1 ? "; " : ""), $1, $3, ($3 ? $2 / $3 : 0) }')."
    awk -v n="$tick" -v p="$params" -v t="${target[$c]}" 'BEGIN { g = t * p
      if (n <= g) printf "Target ≤ %d per parameter: met (%.2f; %.1f k below).\n", t, n / p, (g - n) / 1e3
      else printf "Target ≤ %d per parameter: **missed** (%.2f; +%.1f k instructions, %.2f× the target).\n", t, n / p, (n - g) / 1e3, n / g }'
  done
} | tee "$out"

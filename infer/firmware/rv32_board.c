/* rv32_board.c — RISC-V rv32imac under qemu-system-riscv32 -M virt: picolibc does the rest.
 *
 * picolibc's semihosting crt0 (--crt0=semihost) sets up the stack, .data and .bss, calls main and
 * exits QEMU with main's return value; stdout goes through semihosting (--oslib=semihost).
 * The tick counter is minstret, the retired-instruction count, in 16s. The stack is not painted:
 * the RAM table measures Cortex-M builds.
 */
#include <stdio.h>
#include "fw.h"

extern char __data_start[], __bss_end[];

void fw_write(const char *s) { fputs(s, stdout); }

void fw_ticks_start(void) {}

/* csrr rd, csr without needing the Zicsr extension flag: csrrs rd, csr, x0 */
#define CSRR(v, csr) __asm volatile(".insn i 0x73, 2, %0, x0, %1" : "=r"(v) : "i"(csr))

/* minstret in 16s: 2^32 ticks are then 68 G instructions, enough for the longest speed run. */
uint32_t fw_ticks(void) {
    uint32_t hi, lo, again;
    do {
        CSRR(hi, -1150); /* minstreth, 0xb82 as a signed 12-bit immediate */
        CSRR(lo, -1278); /* minstret, 0xb02 */
        CSRR(again, -1150);
    } while (hi != again);
    return hi << 28 | lo >> 4;
}

void fw_spin(uint32_t n) { __asm volatile("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r"(n)); }

uint32_t fw_static_ram(void) { return (uint32_t)(__bss_end - __data_start); }

uint32_t fw_stack_used(void) { return 0; }

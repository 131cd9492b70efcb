/* arm_board.c — bare-metal Cortex-M: vector table, reset handler, semihosting, SysTick, stack paint.
 *
 * The reset handler copies .data from flash, zeroes .bss, enables the FPU on hard-float builds,
 * paints every free word between .bss and the stack pointer, and calls main. Output goes through
 * semihosting (SYS_WRITE0, SYS_EXIT): no newlib stdio, so nothing allocates and RAM is exactly
 * .data + .bss + stack. Memory layout comes from the board's linker script (arm_sections.ld).
 */
#include "fw.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[], __stack_top[];
int main(void);
void fw_reset(void);

#define STACK_PAINT 0x5afe57acu
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define CPACR (*(volatile uint32_t *)0xE000ED88u)

static uint32_t semihost(uint32_t op, const void *arg) {
    register uint32_t r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void fw_write(const char *s) { semihost(0x04, s); } /* SYS_WRITE0 */

/* SYS_EXIT: QEMU exits 0 for ADP_Stopped_ApplicationExit, 1 for any other reason. */
static void __attribute__((noreturn)) fw_exit(int code) {
    for (;;) semihost(0x18, (const void *)(code ? 0x20023u : 0x20026u));
}

static void fault(void) {
    fw_write("fault\n");
    fw_exit(3);
}

static volatile uint32_t systick_wraps;
static void systick(void) { systick_wraps++; }

/* SysTick on the processor clock, 2^24 ticks a lap; laps counted by its interrupt. */
void fw_ticks_start(void) {
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* enable, interrupt, processor clock */
    while (SYST_CVR == 0) {} /* the first reload is the start, not a lap */
    systick_wraps = 0;
}

uint32_t fw_ticks(void) {
    uint32_t w, v;
    do {
        w = systick_wraps;
        v = SYST_CVR;
    } while (w != systick_wraps); /* a lap ended in between: its interrupt ran, read again */
    return (w << 24) + (0xFFFFFFu - v);
}

void fw_spin(uint32_t n) { __asm volatile(".syntax unified\n1: subs %0, %0, #1\n\tbne 1b" : "+l"(n) : : "cc"); }

uint32_t fw_static_ram(void) { return (uint32_t)((__bss_end - __data_start) * 4); }

uint32_t fw_stack_used(void) {
    const uint32_t *p = __bss_end;
    while (p < __stack_top && *p == STACK_PAINT) p++;
    return (uint32_t)((__stack_top - p) * 4);
}

void fw_reset(void) {
    uint32_t *dst = __data_start;
    for (const uint32_t *src = __data_load; dst < __data_end;) *dst++ = *src++;
    for (dst = __bss_start; dst < __bss_end;) *dst++ = 0;
#ifdef __ARM_FP
    CPACR |= 0xFu << 20; /* CP10 and CP11 full access, before any floating-point instruction */
    __asm volatile("dsb\n\tisb" ::: "memory");
#endif
    /* Nothing lives below the stack pointer yet: paint it all, fw_stack_used scans it. */
    uint32_t *sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    for (dst = __bss_end; dst < sp;) *dst++ = STACK_PAINT;
    fw_exit(main());
}

/* Initial stack pointer, then the core exceptions (ARMv6-M/ARMv7-M); no device interrupt is used. */
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    __extension__(void (*)(void))__stack_top, fw_reset, fault, fault, fault, fault, fault, 0, 0, 0, 0, fault, fault, 0,
    fault, systick,
};

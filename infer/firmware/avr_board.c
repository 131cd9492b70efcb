/* avr_board.c — ATmega2560 (Arduino Mega 2560): USART0, Timer1, stack paint, and an "exit <code>"
 * line when main returns. Runs under qemu-system-avr -M mega2560 (the parity run) and simavr -m
 * atmega2560 (the speed run: cycle counts; scripts/avr.sh says why).
 *
 * avr-libc's startup (the crt of -mmcu=atmega2560) sets the stack pointer to the top of the 8 KB
 * RAM, copies .data from flash, zeroes .bss, calls main and then exit; its .init/.fini sections
 * are the hooks used here. Output is USART0 (QEMU's first -serial; simavr prints it), transmitter
 * only; both emulators send each byte at once, a real part at its baud rate (UBRR0 left 0: 1 Mbaud
 * at 16 MHz; set it for a real board). After main returns, exit prints "exit <main's return
 * value>", disables interrupts and sleeps: simavr ends there, QEMU only halts the CPU (its AVR
 * machine has no way to end a run), and scripts/avr_run.sh stops it when it reads that line.
 *
 * Ticks: Timer1 on the CPU clock (no prescaler), 16-bit, its overflows counted by an interrupt:
 * CPU cycles. RAM: everything from __data_start up is .data (on an AVR that includes every const
 * the C code does not put in flash: strings, tables), .bss, then free RAM painted at reset, then
 * the stack. The model blob is not in RAM: mk/avr.mk declares it __flash.
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include "fw.h"
#include "fw_digest.h"

extern uint8_t __data_start[], __bss_end[];
/* Called from .fini8 with exit's argument still in r24:r25: it must stay visible to the linker. */
void fw_exit_line(int code) __attribute__((used, noinline, externally_visible));

#define STACK_PAINT 0xa5u

void fw_write(const char *s) {
    for (; *s; s++) {
        while (!(UCSR0A & (1u << UDRE0))) {}
        UDR0 = (uint8_t)*s;
    }
}

/* .init3 runs after the stack pointer is set (.init2) and before .data and .bss (.init4): paint
 * every byte from the end of .bss to just below the stack pointer, and turn the transmitter on.
 * Naked and in line with the startup code: no frame, no return. */
__attribute__((naked, used, section(".init3"))) static void fw_init(void) {
    for (uint8_t *p = __bss_end; p < (uint8_t *)SP; p++) *p = STACK_PAINT;
    UCSR0B = 1u << TXEN0;
}

void fw_exit_line(int code) {
    char line[16];
    fw_put_str(fw_put_uint(fw_put_str(line, "exit "), (uint32_t)code), "\n");
    fw_write(line);
}

/* .fini8, the first hook of exit (after .fini9, exit's entry): r24:r25 still hold the status main
 * returned. Then cli and sleep: the CPU stops for good, and simavr ends its run there (QEMU does
 * not: scripts/avr_run.sh stops it at the exit line). */
__attribute__((naked, used, section(".fini8"))) static void fw_fini(void) {
    __asm volatile("call fw_exit_line");
    SMCR = 1u << SE; /* sleep enabled, idle mode: with interrupts off, for ever */
    __asm volatile("cli\n\tsleep");
}

static volatile uint16_t timer_laps;
ISR(TIMER1_OVF_vect) { timer_laps++; }

void fw_ticks_start(void) {
    TCCR1A = 0;
    TCNT1 = 0;
    TIFR1 = 1u << TOV1;
    TIMSK1 = 1u << TOIE1;
    TCCR1B = 1u << CS10; /* normal mode, clock / 1 */
    sei();
}

/* laps · 2^16 + count, read so that an overflow in between is not lost: 16 MHz cycles, wrapping
 * after 2^32 (268 s of a real part; the conversion to instructions is the speed run's calibration). */
uint32_t fw_ticks(void) {
    uint16_t laps, count;
    do {
        laps = timer_laps;
        count = TCNT1;
    } while (laps != timer_laps);
    return (uint32_t)laps << 16 | count;
}

/* 2n + 2·(n >> 16) + O(1) instructions: 16-bit down counts of two instructions (sbiw, brne) per
 * pass, the first n mod 2^16, then n >> 16 of 2^16 each (a count of 0 runs 2^16 passes). For the
 * calibration's n = 10^6, 30 instructions more than 2n: 0.0015 %. */
void fw_spin(uint32_t n) {
    uint16_t lo = (uint16_t)n, hi = (uint16_t)(n >> 16);
    __asm volatile("sbiw %0, 0\n\tbreq 2f\n"
                   "1:\tsbiw %0, 1\n\tbrne 1b\n"
                   "2:\tsbiw %1, 0\n\tbreq 4f\n"
                   "3:\tsbiw %0, 1\n\tbrne 3b\n\tsbiw %1, 1\n\tbrne 3b\n"
                   "4:\n"
                   : "+w"(lo), "+w"(hi));
}

uint32_t fw_static_ram(void) { return (uint32_t)(__bss_end - __data_start); }

/* From the end of .bss up to the first byte the stack ever wrote, to the top of RAM. */
uint32_t fw_stack_used(void) {
    const uint8_t *p = __bss_end;
    while (p <= (const uint8_t *)RAMEND && *p == STACK_PAINT) p++;
    return (uint32_t)((const uint8_t *)RAMEND + 1 - p);
}

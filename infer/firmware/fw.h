/* fw.h — what each board gives the firmware's main (arm_board.c, rv32_board.c). */
#ifndef FW_H
#define FW_H
#include <stdint.h>

/* Writes a NUL-terminated string to the host (semihosting). */
void fw_write(const char *s);
/* A free-running 32-bit up-counter for the speed run (differences wrap correctly). fw_spin(n)
 * executes 2n + O(1) instructions, so that ticks convert to instructions under -icount shift=0. */
void fw_ticks_start(void);
uint32_t fw_ticks(void);
void fw_spin(uint32_t n);
/* Bytes of .data + .bss, and the stack's high-water mark since reset (0: not measured). */
uint32_t fw_static_ram(void);
uint32_t fw_stack_used(void);

#endif

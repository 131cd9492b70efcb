; avr_qemu.S — libgcc's __usmulhisi3 for the AVR firmware, without the one instruction pattern
; QEMU 7.2 (Debian 12's qemu-system-avr) runs wrongly.
;
; libgcc's version ends in "sbrs r27, 7 / ret": when the skip is taken, QEMU 7.2's translator
; leaves the program counter at the skip instruction itself, and the CPU loops there for ever
; (a skipped RET ends the translation block by a PC lookup whose PC was never written). The engine
; reaches it through every signed 16 x 16 -> 32-bit multiply (__mulhisi3 jumps to the tail), so
; the parity run hangs at its third step. Defined here, the two symbols keep libgcc's member
; _usmulhisi3.o out of the link. The same arithmetic, with a branch instead of the skip: one
; instruction more per call. A real ATmega2560 runs libgcc's own as well; scripts/avr.sh checks
; that no other skip over a RET, RETI or indirect jump is in the firmware.
;
; R25:R22 = (signed) R27:R26 * (unsigned) R19:R18, clobbers R0 (libgcc's contract).

        .section .text.avr_usmulhisi3, "ax", @progbits
        .global __usmulhisi3
        .global __usmulhisi3_tail
__usmulhisi3:
        call    __umulhisi3             ; R25:R22 = unsigned R27:R26 * R19:R18
__usmulhisi3_tail:
        tst     r27                     ; A negative: subtract B once from the high word
        brpl    1f
        sub     r24, r18
        sbc     r25, r19
1:      ret

/* atome_softf_m0.h — the Cortex-M0's (ARMv6-M, Thumb-1) common paths of atome_softf.h's +, −, ×,
 * a·b + c and w·v + c (v an int8), in assembly; included by atome_math.c alone, so each is one
 * copy in flash (with atome_sf_i2f's 256-byte table).
 *
 * Why: gcc's code for atome_softf.h's C costs the M0 about 55 instructions an add (inlined) and 70
 * a multiply (out of line, plus the call), and soft float was ~70% of the speed build's step
 * (make mcu-profile). Thumb-1 has 8 usable registers, two-operand arithmetic and no CLZ or long
 * multiply; the code below is shaped for that: ~30 instructions an add, ~41 a multiply, and a·b + c
 * as one call (the product flows into the add in registers, no second call). Every other target
 * keeps atome_softf.h's C; these exist where __ARM_ARCH_6M__ and the speed build's soft float do.
 *
 * Same bits: each returns the IEEE binary32 round-to-nearest-even result. The paths below take
 * normal operands and a normal result only; everything else — a zero (but x ± 0, x - x = +0 and
 * 0 · a finite, which are exact), a subnormal, an infinity, a NaN, an exponent near the range's
 * ends — calls libgcc's __aeabi_fadd / __aeabi_fsub / __aeabi_fmul (__aeabi_i2f) with the
 * original operands: the C operation itself on this core. tests/tools/fw_softf_m0.c compares
 * them with it on the M0 under QEMU (tests/test_softf.c runs it), on the host test's edge and
 * random inputs.
 *
 * Rounding, as in atome_softf.h: the mantissa with its leading 1 at bit 31, 8 bits below it (round
 * bit, then the rest). The result is packed first — sign | (exponent - 1) << 23 plus the mantissa,
 * whose leading 1 adds the 1 back and whose rounding carry runs into the exponent, an overflow
 * making the infinity IEEE asks for — and rounded by one LSRS (the round bit falls into the carry
 * flag) and one ADCS: half up. Only when the rest bits are all 0 can it be an exact tie, and a
 * short side path then checks what was shifted out and clears the last bit (to even) if nothing
 * was. Subtraction subtracts ceil(b's shifted mantissa), so a nonzero lost part leaves the result
 * a fraction of a unit above what is kept: rounding reads it as the sticky bit would. */
#ifndef ATOME_SOFTF_M0_H
#define ATOME_SOFTF_M0_H
#if defined(ATOME_SOFT_FLOAT) && defined(ATOME_FAST) && defined(__ARM_ARCH_6M__) && __ARM_ARCH_6M__

/* a + b's body for |big| >= |small| (the original words in r0, r1: big untouched until the result
 * is written to r0, small xor-ed with big once the checks pass, undone before a slow call),
 * X = 2|big|, Y = 2|small| (the sign shifted out), S a label suffix, SLOW the call of the C
 * operation, RET what follows once the sum is in r0 (an entry's pop, or the row loops' branch to
 * their store: atome_softf_m0_loops.h). r4 scratch, r5 = ex - ey (d) once the checks pass. */
#define ATOME_M0_TIE(BIG, X, Y, SMALL, SH, BACK)                                                        \
    /* rest bits 0: a tie iff the round bit is 1 and nothing of b was shifted out below them */     \
    "	lsls	r4, " X ", #" SH "\n"                                                                  \
    "	bpl	" BACK "\n"                                                                            \
    "	cmp	r5, #32\n"                                                                             \
    "	bhs	" BACK "\n" /* b nonzero and shifted out entirely */                                   \
    "	movs	r4, #32\n"                                                                            \
    "	subs	r4, r4, r5\n"                                                                         \
    "	movs	" Y ", " SMALL "\n"                                                                   \
    "	eors	" Y ", " BIG "\n" /* small, back from small ^ big */                                  \
    "	lsls	" Y ", " Y ", #8\n"                                                                   \
    "	lsls	" Y ", r4\n" /* the d bits shifted out of b's mantissa (none for d = 0) */            \
    "	bne	" BACK "\n"

#define ATOME_M0_ROUND(BIG, X, EXP, SHIFT)                                                         \
    "	lsrs	r0, " BIG ", #23\n"                                                                   \
    "	" EXP "\n"                                                                                 \
    "	lsls	r0, r0, #23\n"    /* sign | (exponent - 1) << 23 (or the exponent, carry case) */       \
    "	lsrs	" X ", " X ", #" SHIFT "\n" /* the kept bits; the round bit to the carry flag */       \
    "	adcs	r0, " X "\n"

#define ATOME_M0_TAIL(BIG, X, Y, SMALL, L, EXP, SHIFT, REST, SH, RET)                            \
    "	lsls	r4, " X ", #" REST "\n"                                                               \
    "	beq	.Lq" L "\n"                                                                            \
    ".Lr" L ":\n" ATOME_M0_ROUND(BIG, X, EXP, SHIFT) RET                                         \
    ".Lq" L ":\n" ATOME_M0_TIE(BIG, X, Y, SMALL, SH, ".Lr" L)                                          \
    ATOME_M0_ROUND(BIG, X, EXP, SHIFT) "	movs	r4, #1\n	bics	r0, r4\n" RET

#define ATOME_M0_ADD_BODY(BIG, SMALL, X, Y, S, SLOW, RET)                                        \
    "	lsrs	r4, " X ", #24\n"                                                                     \
    "	subs	r5, r4, #2\n"                                                                         \
    "	cmp	r5, #251\n"                                                                            \
    "	bhi	.Lsl" S "\n" /* ex in [2, 253]: a carry and its rounding reach 255 at most */         \
    "	lsrs	r5, " Y ", #24\n"                                                                     \
    "	beq	.Lz" S "\n" /* b zero or subnormal */                                                 \
    "	subs	r5, r4, r5\n"                                                                         \
    "	ldr	r4, =0x80000000\n"                                                                     \
    "	lsls	" X ", " X ", #7\n"                                                                   \
    "	orrs	" X ", r4\n" /* the mantissas, leading 1 at bit 31, 8 zero bits below */               \
    "	lsls	" Y ", " Y ", #7\n"                                                                   \
    "	orrs	" Y ", r4\n"                                                                          \
    "	eors	" SMALL ", " BIG "\n" /* small ^ big from here (slow paths undo it): signs differ? */  \
    "	bmi	.Ls" S "\n"                                                                            \
    "	lsrs	" Y ", r5\n" /* 0 for d >= 32; the bits lost only matter to a tie (ATOME_M0_TIE) */    \
    "	adds	" X ", " Y "\n"                                                                       \
    "	bcs	.Lc" S "\n"                                                                            \
    ".Lt0" S ":\n" /* exponent ex, round bit 7 */                                                  \
    ATOME_M0_TAIL(BIG, X, Y, SMALL, "0" S, "subs	r0, r0, #1", "8", "25", "24", RET)              \
    ".Lc" S ":\n" /* 2^32 + X: exponent ex + 1, X's bits 31..9 the fraction, round bit 8 */        \
    ATOME_M0_TAIL(BIG, X, Y, SMALL, "c" S, "adds	r0, r0, #1", "9", "24", "23", RET)              \
    ".Ls" S ":\n" /* |big| - |small|: mx - ceil(my / 2^d), >= 0 */                                \
    "	subs	" Y ", " Y ", #1\n"                                                                   \
    "	lsrs	" Y ", r5\n"                                                                          \
    "	subs	" X ", " X ", " Y "\n"                                                                \
    "	subs	" X ", " X ", #1\n"                                                                   \
    "	bmi	.Lt0" S "\n"                                                                           \
    "	beq	.Lzero" S "\n"                                                                         \
    "	lsls	" X ", " X ", #1\n"                                                                   \
    "	bmi	.Lt1" S "\n"                                                                           \
    /* two places or more: only when d <= 1, and then the difference is exact (no rounding) */    \
    "	lsls	r4, " BIG ", #1\n"                                                                    \
    "	lsrs	r4, r4, #24\n"                                                                        \
    "	subs	r4, r4, #2\n"                                                                         \
    ".Ln" S ":\n"                                                                                  \
    "	subs	r4, r4, #1\n"                                                                         \
    "	lsls	" X ", " X ", #1\n"                                                                   \
    "	bpl	.Ln" S "\n"                                                                            \
    "	cmp	r4, #0\n"                                                                              \
    "	blt	.Lsx" S "\n" /* a subnormal result */                                                 \
    "	lsls	r4, r4, #23\n"                                                                        \
    "	lsrs	" X ", " X ", #8\n"                                                                   \
    "	adds	r4, r4, " X "\n"                                                                      \
    "	lsrs	r0, " BIG ", #31\n"                                                                   \
    "	lsls	r0, r0, #31\n"                                                                        \
    "	orrs	r0, r4\n"                                                                             \
    RET                                                                                          \
    ".Lt1" S ":\n" /* one place: exponent ex - 1 (>= 1, as ex >= 2) */                             \
    ATOME_M0_TAIL(BIG, X, Y, SMALL, "1" S, "subs	r0, r0, #2", "8", "25", "24", RET)              \
    ".Lz" S ":\n"                                                                                  \
    "	cmp	" Y ", #0\n"                                                                           \
    "	bne	.Lsl" S "\n"                                                                           \
    "	movs	r0, " BIG "\n" /* x ± 0 = x for a nonzero x */                                        \
    RET                                                                                          \
    ".Lzero" S ":\n"                                                                               \
    "	movs	r0, #0\n" /* x - x = +0, rounding to nearest */                                        \
    RET                                                                                          \
    ".Lsx" S ":\n"                                                                                \
    "	eors	" SMALL ", " BIG "\n"                                                                 \
    ".Lsl" S ":\n" SLOW RET

/* a + b from r0, r1 (after the push): two bodies, one per order of |a|, |b|, instead of a swap
 * (6 instructions). */
#define ATOME_M0_ADD(P, SLOW, RET)                                                               \
    "	lsls	r2, r0, #1\n"                                                                         \
    "	lsls	r3, r1, #1\n"                                                                         \
    "	cmp	r2, r3\n"                                                                              \
    "	bhs	.La" P "\n"                                                                            \
    "	b	.Lb" P "\n" /* a body is beyond a conditional branch's reach */                            \
    ".La" P ":\n" ATOME_M0_ADD_BODY("r0", "r1", "r2", "r3", "a" P, SLOW, RET)                    \
    ".Lb" P ":\n" ATOME_M0_ADD_BODY("r1", "r0", "r3", "r2", "b" P, SLOW, RET) "	.ltorg\n"

/* a · b from r0, r1 (after the push), ending with DONE (the product in r0); SLOW the C operation.
 * Normal a, b and e = ea + eb - 127 in [1, 252]: the product is normal after normalising (+1) and
 * a rounding carry (+1), so no other case leaves this path. The mantissas' product has 48 bits;
 * ARMv6-M multiplies 32 × 32 -> 32, so the top 32 (t) come from three products of halves, as
 * atome_sf_mul24_halves computes them (tests/test_softf.c checks that form): Ma = ah·2^16 + al
 * (ah 8 bits), t = ah·Mb + al·bh + floor(al·bl / 2^16), and the 16 bits below t are al·bl's low half
 * (the sticky bits). Those matter to an exact tie only, so the side path alone looks at them. */
#define ATOME_M0_MUL_TAIL(L, DONE)                                                                 \
    "	lsls	r4, r6, #25\n"                                                                        \
    "	beq	.Lmq" L "\n" /* rest bits 0: exact, or a tie if the sticky bits are 0 too */           \
    ".Lmr" L ":\n"                                                                                 \
    "	lsls	r0, r2, #23\n"                                                                        \
    "	lsrs	r6, r6, #8\n"                                                                         \
    "	adcs	r0, r6\n" DONE ".Lmq" L ":\n"                                                          \
    "	lsls	r4, r6, #24\n"                                                                        \
    "	bpl	.Lmr" L "\n"                                                                           \
    "	lsls	r5, r5, #16\n" /* the sticky bits */                                                 \
    "	bne	.Lmr" L "\n"                                                                           \
    "	lsls	r0, r2, #23\n"                                                                        \
    "	lsrs	r6, r6, #8\n"                                                                         \
    "	adcs	r0, r6\n"                                                                             \
    "	movs	r4, #1\n"                                                                             \
    "	bics	r0, r4\n" DONE

#define ATOME_M0_MUL(P, DONE, SLOW)                                                                \
    "	lsrs	r2, r0, #23\n" /* sign·256 + exponent, of a and of b */                                \
    "	lsrs	r3, r1, #23\n"                                                                        \
    "	uxtb	r4, r2\n"                                                                             \
    "	subs	r4, r4, #1\n"                                                                         \
    "	cmp	r4, #253\n"                                                                            \
    "	bhi	.Lms" P "\n" /* ea in [1, 254] */                                                     \
    "	uxtb	r5, r3\n"                                                                             \
    "	subs	r5, r5, #1\n"                                                                         \
    "	cmp	r5, #253\n"                                                                            \
    "	bhi	.Lms" P "\n"                                                                           \
    "	adds	r4, r4, r5\n"                                                                         \
    "	subs	r4, r4, #126\n"                                                                       \
    "	cmp	r4, #251\n"                                                                            \
    "	bhi	.Lms" P "\n" /* e - 1 = ea + eb - 128 in [0, 251] */                                   \
    "	adds	r2, r2, r3\n"                                                                         \
    "	subs	r2, r2, #128\n" /* bit 8: sa ^ sb (their sum's low bit); bits 7..0: e - 1 */           \
    "	uxth	r4, r0\n"       /* al */                                                              \
    "	uxth	r5, r1\n"       /* bl */                                                              \
    "	lsls	r6, r0, #9\n"                                                                         \
    "	lsrs	r6, r6, #25\n"                                                                        \
    "	adds	r6, r6, #128\n" /* ah, the implicit 1 at bit 7 */                                     \
    "	lsls	r7, r1, #9\n"                                                                         \
    "	lsrs	r7, r7, #25\n"                                                                        \
    "	adds	r7, r7, #128\n" /* bh */                                                              \
    "	lsls	r3, r7, #16\n"                                                                        \
    "	adds	r3, r3, r5\n"   /* Mb */                                                              \
    "	muls	r6, r3, r6\n"   /* ah·Mb < 2^32 */                                                    \
    "	muls	r5, r4, r5\n"   /* al·bl */                                                           \
    "	muls	r4, r7, r4\n"   /* al·bh < 2^24 */                                                    \
    "	lsrs	r3, r5, #16\n"                                                                        \
    "	adds	r6, r6, r4\n"                                                                         \
    "	adds	r6, r6, r3\n"   /* t in [2^30, 2^32); al·bl's low half (r5) the sticky bits */        \
    "	bmi	.Lm1" P "\n"                                                                           \
    "	lsls	r6, r6, #1\n" ATOME_M0_MUL_TAIL("0" P, DONE) ".Lm1" P ":\n"                            \
    "	adds	r2, r2, #1\n" ATOME_M0_MUL_TAIL("1" P, DONE) ".Lms" P ":\n"                          \
    /* a zero times a finite: a zero of the product's sign */                                      \
    "	lsls	r4, r0, #1\n"                                                                         \
    "	lsls	r5, r1, #1\n"                                                                         \
    "	movs	r6, #255\n"                                                                           \
    "	lsls	r6, r6, #24\n"                                                                        \
    "	cmp	r4, #0\n"                                                                              \
    "	bne	.Lmb" P "\n"                                                                           \
    "	cmp	r5, r6\n"                                                                              \
    "	blo	.Lmz" P "\n"                                                                           \
    "	b	.Lmc" P "\n"                                                                             \
    ".Lmb" P ":\n"                                                                                 \
    "	cmp	r5, #0\n"                                                                              \
    "	bne	.Lmc" P "\n"                                                                           \
    "	cmp	r4, r6\n"                                                                              \
    "	bhs	.Lmc" P "\n"                                                                           \
    ".Lmz" P ":\n"                                                                                 \
    "	eors	r0, r1\n"                                                                             \
    "	lsrs	r0, r0, #31\n"                                                                        \
    "	lsls	r0, r0, #31\n" DONE ".Lmc" P ":\n" SLOW

/* w · (float)v + c for an int8 v (r0, r1, r2), its product as atome_sf_mul_i8 computes it: w's
 * mantissa times |v| is exact in 32 bits (one MULS), then a normalising shift (a binary search: no
 * CLZ) and one rounding; w normal with ew <= 246, so the product is normal. The add follows. */
#define ATOME_M0_MADD_I8(P)                                                                        \
    "	mov	r12, r2\n"                                                                             \
    "	lsrs	r2, r0, #23\n"                                                                        \
    "	uxtb	r3, r2\n"                                                                             \
    "	subs	r3, r3, #1\n"                                                                         \
    "	cmp	r3, #245\n"                                                                            \
    "	bhi	.Lis" P "\n" /* ew in [1, 246] */                                                     \
    "	asrs	r3, r1, #31\n"                                                                        \
    "	eors	r1, r3\n"                                                                             \
    "	subs	r1, r1, r3\n" /* |v| */                                                               \
    "	beq	.Liz" P "\n"                                                                           \
    "	lsls	r3, r3, #8\n"                                                                         \
    "	eors	r2, r3\n"     /* bit 8: the product's sign */                                         \
    "	adds	r2, r2, #6\n" /* ew + 6: the exponent - 1 for |v| = 128 */                            \
    "	lsls	r4, r0, #9\n"                                                                         \
    "	lsrs	r4, r4, #9\n"                                                                         \
    "	ldr	r5, =0x00800000\n"                                                                     \
    "	orrs	r4, r5\n"                                                                             \
    "	muls	r4, r1, r4\n" /* in [2^23, 2^31) */                                                   \
    "	lsrs	r5, r4, #27\n"                                                                        \
    "	bne	.Li4" P "\n"                                                                           \
    "	lsls	r4, r4, #4\n"                                                                         \
    "	subs	r2, r2, #4\n"                                                                         \
    ".Li4" P ":\n"                                                                                 \
    "	lsrs	r5, r4, #29\n"                                                                        \
    "	bne	.Li2" P "\n"                                                                           \
    "	lsls	r4, r4, #2\n"                                                                         \
    "	subs	r2, r2, #2\n"                                                                         \
    ".Li2" P ":\n"                                                                                 \
    "	lsrs	r5, r4, #30\n"                                                                        \
    "	bne	.Li1" P "\n"                                                                           \
    "	lsls	r4, r4, #1\n"                                                                         \
    "	subs	r2, r2, #1\n"                                                                         \
    ".Li1" P ":\n"                                                                                 \
    "	lsls	r4, r4, #1\n" /* the leading 1 at bit 31; exact: the rest bits decide alone */         \
    "	lsls	r5, r4, #25\n"                                                                        \
    "	beq	.Liq" P "\n"                                                                           \
    ".Lir" P ":\n"                                                                                 \
    "	lsls	r0, r2, #23\n"                                                                        \
    "	lsrs	r4, r4, #8\n"                                                                         \
    "	adcs	r0, r4\n"                                                                             \
    ".Lia" P ":\n"                                                                                 \
    "	mov	r1, r12\n"                                                                             \
    "	b	.Latome_add_m0\n"                                                                        \
    ".Liq" P ":\n"                                                                                 \
    "	lsls	r5, r4, #24\n"                                                                        \
    "	bpl	.Lir" P "\n"                                                                           \
    "	lsls	r0, r2, #23\n"                                                                        \
    "	lsrs	r4, r4, #8\n"                                                                         \
    "	adcs	r0, r4\n"                                                                             \
    "	movs	r4, #1\n"                                                                             \
    "	bics	r0, r4\n"                                                                             \
    "	b	.Lia" P "\n"                                                                             \
    ".Liz" P ":\n" /* w · +0: a zero of w's sign */                                                \
    "	lsrs	r0, r0, #31\n"                                                                        \
    "	lsls	r0, r0, #31\n"                                                                        \
    "	b	.Lia" P "\n"                                                                             \
    ".Lis" P ":\n" /* the C operations: w · (float)v, then the add */                              \
    "	movs	r5, r0\n"                                                                             \
    "	movs	r0, r1\n"                                                                             \
    "	bl	__aeabi_i2f\n"                                                                         \
    "	movs	r1, r0\n"                                                                             \
    "	movs	r0, r5\n"                                                                             \
    "	mov	r4, r12\n"                                                                             \
    "	bl	__aeabi_fmul\n"                                                                        \
    "	movs	r1, r4\n"                                                                             \
    "	b	.Latome_add_m0\n"                                                                        \
    "	.ltorg\n"

/* atome_sf_i2f's table: floor(log2 k) for k = 1..255 (0 for k = 0, which it never reads). */
#define ATOME_M0_L4(n) n, n, n, n
#define ATOME_M0_L16(n) ATOME_M0_L4(n), ATOME_M0_L4(n), ATOME_M0_L4(n), ATOME_M0_L4(n)
const uint8_t atome_sf_log2_m0[256] = {0, 0, 1, 1, ATOME_M0_L4(2), ATOME_M0_L4(3), ATOME_M0_L4(3),
                                       ATOME_M0_L16(4), ATOME_M0_L16(5), ATOME_M0_L16(5),
                                       ATOME_M0_L16(6), ATOME_M0_L16(6), ATOME_M0_L16(6), ATOME_M0_L16(6),
                                       ATOME_M0_L16(7), ATOME_M0_L16(7), ATOME_M0_L16(7), ATOME_M0_L16(7),
                                       ATOME_M0_L16(7), ATOME_M0_L16(7), ATOME_M0_L16(7), ATOME_M0_L16(7)};

#define ATOME_M0_ENTRY(NAME) "	.global	" NAME "\n	.type	" NAME ", %function\n	.thumb_func\n" NAME ":\n"
#define ATOME_M0_POP "	pop	{r4, r5, r6, r7, pc}\n"

/* The entries, in one block so that a·b + c can run into the add (atome_softf.h declares them):
 * float atome_sf_add_m0(float a, float b)   a + b
 * float atome_sf_sub_m0(float a, float b)   a - b: a + (-b) on the integer path (the sign flip is
 *                                           exact); the C operation, a - b, else
 * float atome_sf_mul_m0(float a, float b)   a · b
 * float atome_sf_madd_m0(float a, float b, float c)  a · b + c, rounded twice (the product, then
 *                                           the sum): the multiply's path, then the add's with the
 *                                           product in r0 and c in r1
 * float atome_sf_madd_i8_m0(float w, int32_t v, float c)  w · (float)v + c, v an int8 */
/* (gcc hands a Thumb-1 inline asm to the assembler in the divided syntax and restores the unified
 * one after it; this code is written in the unified one, the syntax of every gcc and clang since.) */
__attribute__((naked, used)) void atome_sf_m0_code(void) {
    __asm__ volatile("	.syntax	unified\n" ATOME_M0_ENTRY("atome_sf_sub_m0")
                     "	push	{r4, r5, r6, r7, lr}\n"
                     "	ldr	r2, =0x80000000\n"
                     "	eors	r1, r2\n"
                     ATOME_M0_ADD("S", "	ldr	r2, =0x80000000\n	eors	r1, r2\n	bl	__aeabi_fsub\n", ATOME_M0_POP)
                     ATOME_M0_ENTRY("atome_sf_mul_m0")
                     "	push	{r4, r5, r6, r7, lr}\n" ATOME_M0_MUL("M", "	pop	{r4, r5, r6, r7, pc}\n",
                                                                     "	bl	__aeabi_fmul\n	pop	{r4, r5, r6, r7, pc}\n")
                     ATOME_M0_ENTRY("atome_sf_madd_m0")
                     "	push	{r4, r5, r6, r7, lr}\n"
                     "	mov	r12, r2\n" ATOME_M0_MUL("D", "	mov	r1, r12\n	b	.Latome_add_m0\n",
                                                       "	mov	r4, r12\n	bl	__aeabi_fmul\n	movs	r1, r4\n	b	.Latome_add_m0\n")
                     ATOME_M0_ENTRY("atome_sf_madd_i8_m0")
                     "	push	{r4, r5, r6, r7, lr}\n" ATOME_M0_MADD_I8("I")
                     ATOME_M0_ENTRY("atome_sf_add_m0")
                     "	push	{r4, r5, r6, r7, lr}\n"
                     ".Latome_add_m0:\n" ATOME_M0_ADD("A", "	bl	__aeabi_fadd\n", ATOME_M0_POP));
}

#endif
#endif

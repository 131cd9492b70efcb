/* atome_softf_m0_loops.h — the Cortex-M0 speed build's float loops in Thumb-1: the attention's value
 * rows and quant8_forward's loop, each one call for a whole row where atome_softf_m0.h's operations
 * are a call an element. Included by atome_math.c alone (one copy in flash); the same guard as
 * atome_softf_m0.h, whose add (ATOME_M0_ADD) the value rows inline. tests/tools/fw_softf_m0.c
 * compares them with libgcc's operations element by element on the M0 under QEMU.
 *
 * Why: a call costs the M0 ~10 instructions beyond the operation (the call, the push and pop, the
 * arguments, the checks and unpacking of an operand that is the same for the whole row); the two
 * loops below were a fifth of the default preset's step (make mcu-profile). */
#ifndef ATOME_SOFTF_M0_LOOPS_H
#define ATOME_SOFTF_M0_LOOPS_H
#include "atome_softf_m0.h"
#if defined(ATOME_SOFT_FLOAT) && defined(ATOME_FAST) && defined(__ARM_ARCH_6M__) && __ARM_ARCH_6M__

/* The attention's value rows, y[i] = w · (float)v[i] + y[i] over a row of int8 v (and the first
 * row's y[i] = w · (float)v[i] + 0.0f), as loops: the same operations as ATOME_MADD_I8 element by
 * element, without a call, w's checks and the unpacking of its mantissa per element (~80 -> ~59
 * instructions an element, the first row's ~59 -> ~23: 25 k of the default preset's step; make
 * mcu-profile). The product takes one table word per byte of v instead of the normalising search:
 * |v| shifted up to [128, 256) (its leading 1 at bit 7; 0 for v = 0), so that w's mantissa times it
 * has its leading 1 at bit 30 or 31, and v's sign (bit 8) and floor(log2 |v|) for the exponent, in
 * bits 16..24. */
#define ATOME_M0_I8_LOG2(a)                                                                        \
    ((a) >= 64 ? 6 + ((a) >= 128) : (a) >= 16 ? 4 + ((a) >= 32) : (a) >= 4 ? 2 + ((a) >= 8) : (a) >= 2)
#define ATOME_M0_I8_ABS(b) ((b) < 128 ? (b) : 256 - (b))
#define ATOME_M0_I8_WORD(b)                                                                        \
    ((b) == 0 ? 0u                                                                                 \
              : (uint32_t)(((b) >= 128) * 256 + ATOME_M0_I8_LOG2(ATOME_M0_I8_ABS(b))) << 16 |        \
                    (uint32_t)ATOME_M0_I8_ABS(b) << (7 - ATOME_M0_I8_LOG2(ATOME_M0_I8_ABS(b))))
#define ATOME_M0_I8_W4(b) ATOME_M0_I8_WORD(b), ATOME_M0_I8_WORD(b + 1), ATOME_M0_I8_WORD(b + 2), ATOME_M0_I8_WORD(b + 3)
#define ATOME_M0_I8_W16(b) ATOME_M0_I8_W4(b), ATOME_M0_I8_W4(b + 4), ATOME_M0_I8_W4(b + 8), ATOME_M0_I8_W4(b + 12)
#define ATOME_M0_I8_W64(b) ATOME_M0_I8_W16(b), ATOME_M0_I8_W16(b + 16), ATOME_M0_I8_W16(b + 32), ATOME_M0_I8_W16(b + 48)
/* (used: the asm below is its only reader) */
__attribute__((used)) const uint32_t atome_sf_i8_m0[256] = {ATOME_M0_I8_W64(0), ATOME_M0_I8_W64(64),
                                                            ATOME_M0_I8_W64(128), ATOME_M0_I8_W64(192)};

/* r4-r11 saved (Thumb-1 pushes r8-r11 through r4-r7), and restored with the return: the loops use
 * all of them, and libgcc's slow-path calls keep them. */
#define ATOME_M0_SAVE_R4_R11                                                                       \
    "	push	{r4, r5, r6, r7, lr}\n"                                                                \
    "	mov	r4, r8\n"                                                                              \
    "	mov	r5, r9\n"                                                                              \
    "	mov	r6, r10\n"                                                                             \
    "	mov	r7, r11\n"                                                                             \
    "	push	{r4, r5, r6, r7}\n"
#define ATOME_M0_RESTORE_R4_R11_RETURN                                                             \
    "	pop	{r4, r5, r6, r7}\n"                                                                    \
    "	mov	r8, r4\n"                                                                              \
    "	mov	r9, r5\n"                                                                              \
    "	mov	r10, r6\n"                                                                             \
    "	mov	r11, r7\n"                                                                             \
    "	pop	{r4, r5, r6, r7, pc}\n"

/* Both loops keep y in r6, v in r7 (post-incremented), v's end in r8, w's mantissa (implicit 1
 * included) in r9, w's sign·256 + exponent in r10, the table in r11: the add's registers (r0-r5)
 * stay its own, and libgcc's slow-path call keeps r4-r11. */
#define ATOME_M0_ROWS_IN                                                                           \
    ATOME_M0_SAVE_R4_R11                                                                           \
    "	movs	r6, r0\n"                                                                             \
    "	movs	r7, r1\n"                                                                             \
    "	adds	r3, r1, r3\n"                                                                         \
    "	mov	r8, r3\n"                                                                              \
    "	lsrs	r3, r2, #23\n"                                                                        \
    "	mov	r10, r3\n"                                                                             \
    "	lsls	r3, r2, #9\n"                                                                         \
    "	lsrs	r3, r3, #9\n"                                                                         \
    "	ldr	r4, =0x00800000\n"                                                                     \
    "	orrs	r3, r4\n"                                                                             \
    "	mov	r9, r3\n"                                                                              \
    "	ldr	r4, =atome_sf_i8_m0\n"                                                                 \
    "	mov	r11, r4\n"

/* w · (float)v for the next byte of v into r0, rounded as atome_sf_mul_i8 rounds it (the product
 * is exact in 32 bits: the rest bits alone decide), then on at .Lpd P; ZERO the path for v = 0.
 * w normal with ew <= 246 (the caller's check): the product is normal, its biased exponent
 * ew + floor(log2 |v|) + (1 for a leading 1 at bit 31) at most 254 even after a rounding carry. */
#define ATOME_M0_ROW_MUL(P, ZERO)                                                                  \
    "	ldrb	r1, [r7]\n"                                                                           \
    "	adds	r7, r7, #1\n"                                                                         \
    "	lsls	r1, r1, #2\n"                                                                         \
    "	mov	r3, r11\n"                                                                             \
    "	ldr	r3, [r3, r1]\n"                                                                        \
    "	lsrs	r2, r3, #16\n"                                                                        \
    "	add	r2, r10\n" /* bit 8: the product's sign (a carry to bit 9 is shifted out below) */     \
    "	uxtb	r4, r3\n"                                                                             \
    "	mov	r5, r9\n"                                                                              \
    "	muls	r4, r5, r4\n" /* in [2^30, 2^32), or 0 */                                             \
    "	beq	" ZERO "\n"                                                                            \
    "	bmi	.Lp1" P "\n"                                                                           \
    "	lsls	r4, r4, #1\n"                                                                         \
    "	subs	r2, r2, #1\n"                                                                         \
    ".Lp1" P ":\n" /* the leading 1 at bit 31: sign | (exponent - 1) << 23 in r2's low 9 bits */   \
    "	lsls	r5, r4, #25\n"                                                                        \
    "	beq	.Lpq" P "\n"                                                                           \
    ".Lpr" P ":\n"                                                                                 \
    "	lsls	r0, r2, #23\n"                                                                        \
    "	lsrs	r4, r4, #8\n"                                                                         \
    "	adcs	r0, r4\n"                                                                             \
    ".Lpd" P ":\n"
#define ATOME_M0_ROW_TIE(P) /* rest bits 0: a tie iff the round bit is 1 (then to even) */          \
    ".Lpq" P ":\n"                                                                                 \
    "	lsls	r5, r4, #24\n"                                                                        \
    "	bpl	.Lpr" P "\n"                                                                           \
    "	lsls	r0, r2, #23\n"                                                                        \
    "	lsrs	r4, r4, #8\n"                                                                         \
    "	adcs	r0, r4\n"                                                                             \
    "	movs	r4, #1\n"                                                                             \
    "	bics	r0, r4\n"                                                                             \
    "	b	.Lpd" P "\n"

/* void atome_sf_axpy_i8_m0(float *y, const int8_t *v, float w, int n)   y[i] = w·(float)v[i] + y[i]
 * void atome_sf_scale_i8_m0(float *y, const int8_t *v, float w, int n)  y[i] = w·(float)v[i] + 0.0f
 * for i < n, n >= 1, w normal with ew <= 246 (atome_sf_madd_i8_row checks). The first row's + 0.0f
 * leaves a nonzero normal product as it is, and makes a zero one +0. */
__attribute__((naked, used)) void atome_sf_m0_rows(void) {
    __asm__ volatile("	.syntax	unified\n" ATOME_M0_ENTRY("atome_sf_axpy_i8_m0") ATOME_M0_ROWS_IN
                     "	b	.LtopX\n"
                     ".LdoneX:\n" ATOME_M0_RESTORE_R4_R11_RETURN
                     ".LzX:\n" /* v = 0: w · +0, a zero of w's sign, into the add */
                     "	mov	r0, r10\n"
                     "	lsrs	r0, r0, #8\n"
                     "	lsls	r0, r0, #31\n"
                     "	b	.LpdX\n" ATOME_M0_ROW_TIE("X")
                     ".LsX:\n"
                     "	str	r0, [r6]\n"
                     "	adds	r6, r6, #4\n"
                     "	cmp	r7, r8\n"
                     "	beq	.LdoneX\n"
                     ".LtopX:\n" ATOME_M0_ROW_MUL("X", ".LzX")
                     "	ldr	r1, [r6]\n" ATOME_M0_ADD("X", "	bl	__aeabi_fadd\n", "	b	.LsX\n")
                     ATOME_M0_ENTRY("atome_sf_scale_i8_m0") ATOME_M0_ROWS_IN
                     ".LtopF:\n" ATOME_M0_ROW_MUL("F", ".LzF")
                     "	str	r0, [r6]\n"
                     "	adds	r6, r6, #4\n"
                     "	cmp	r7, r8\n"
                     "	bne	.LtopF\n" ATOME_M0_RESTORE_R4_R11_RETURN
                     ".LzF:\n"
                     "	movs	r0, #0\n"
                     "	b	.LpdF\n" ATOME_M0_ROW_TIE("F") "	.ltorg\n");
}


/* quant8_forward's loop, q[i] = t / 2 rounded half away from zero, t = (int)(x[i] · inv2), as one
 * Thumb-1 loop: inv2's mantissa halves taken once, the product's top 32 bits as the multiply's
 * (ATOME_M0_MUL), and the truncation and halving on its rounded mantissa, never packed into a float
 * (~65 -> ~37 instructions an element, 21 k of the step). inv2 is normal and positive, every x
 * finite with |x · inv2| < 255 (quant8_forward's max |x| and 254 / max |x|), so t's sign is x's and
 * |t| = m >> (150 - E) for the rounded 24-bit mantissa m and biased exponent E, a shift of 15 or
 * more. That shift is why m may be rounded half up, without the sticky bits: it differs from ties
 * to even only on a tie with m even, where the +1 sets m's bit 0 and no more, which the shift drops.
 * With d = ex + eb - 252, |x · inv2| is in [2^(d-2), 2^d): d < 0 gives q = 0, d in [0, 9] this
 * path, and a subnormal x (or a d past 9, which the caller never passes) the C operations,
 * (int)(x · inv2), then the halving.
 * r6 q, r7 x (post-incremented), r12 x's end, r8 inv2's mantissa Mb, r9 Mb >> 16, r11 Mb & 0xffff,
 * r10 eb - 252.
 * void atome_sf_quant8_m0(int8_t *q, const float *x, float inv2, int n), n >= 1 */
__attribute__((naked, used)) void atome_sf_m0_quant8(void) {
    __asm__ volatile("	.syntax	unified\n" ATOME_M0_ENTRY("atome_sf_quant8_m0")
                     ATOME_M0_SAVE_R4_R11
                     "	movs	r6, r0\n"
                     "	movs	r7, r1\n"
                     "	lsls	r3, r3, #2\n"
                     "	adds	r3, r1, r3\n"
                     "	mov	r12, r3\n"
                     "	lsrs	r3, r2, #23\n"
                     "	subs	r3, #252\n"
                     "	mov	r10, r3\n"
                     "	lsls	r3, r2, #9\n"
                     "	lsrs	r3, r3, #9\n"
                     "	ldr	r4, =0x00800000\n"
                     "	orrs	r3, r4\n"
                     "	mov	r8, r3\n"
                     "	lsrs	r4, r3, #16\n"
                     "	mov	r9, r4\n"
                     "	uxth	r4, r3\n"
                     "	mov	r11, r4\n"
                     ".Lqtop:\n"
                     "	ldmia	r7!, {r0}\n"
                     "	lsls	r1, r0, #1\n"
                     "	lsrs	r1, r1, #24\n"
                     "	beq	.Lqsub\n" /* x zero or subnormal */
                     "	add	r1, r10\n"
                     "	cmp	r1, #9\n"
                     "	bhi	.Lqout\n"
                     /* the top 32 bits of the mantissas' product, as ATOME_M0_MUL: ah·Mb + al·bh +
                      * floor(al·bl / 2^16) */
                     "	uxth	r2, r0\n"
                     "	lsls	r3, r0, #9\n"
                     "	lsrs	r3, r3, #25\n"
                     "	adds	r3, r3, #128\n"
                     "	mov	r4, r8\n"
                     "	muls	r3, r4, r3\n"
                     "	mov	r4, r11\n"
                     "	muls	r4, r2, r4\n"
                     "	mov	r5, r9\n"
                     "	muls	r2, r5, r2\n"
                     "	adds	r3, r3, r2\n"
                     "	lsrs	r5, r4, #16\n"
                     "	adds	r3, r3, r5\n"
                     "	bmi	.Lq1\n"
                     "	lsls	r3, r3, #1\n"
                     "	subs	r1, r1, #1\n"
                     ".Lq1:\n" /* the leading 1 at bit 31: |x · inv2| in [2^(d-1), 2^d), d in r1 */
                     "	lsrs	r3, r3, #7\n" /* m·2 + the round bit */
                     "	adds	r3, r3, #1\n"
                     "	movs	r5, #25\n"
                     "	subs	r5, r5, r1\n"
                     "	lsrs	r3, r5\n" /* |t| = m >> (150 - E), E = d + 126, m rounded half up */
                     "	adds	r3, r3, #1\n"
                     "	lsrs	r3, r3, #1\n" /* (|t| + 1) / 2 */
                     ".Lqsign:\n"
                     "	asrs	r5, r0, #31\n"
                     "	eors	r3, r5\n"
                     "	subs	r3, r3, r5\n"
                     ".Lqst:\n"
                     "	strb	r3, [r6]\n"
                     "	adds	r6, r6, #1\n"
                     "	cmp	r7, r12\n"
                     "	bne	.Lqtop\n" ATOME_M0_RESTORE_R4_R11_RETURN
                     ".Lqsub:\n"
                     "	lsls	r1, r0, #1\n"
                     "	beq	.Lqzero\n" /* ±0: t = 0 */
                     "	b	.Lqslow\n"
                     ".Lqout:\n"
                     "	cmp	r1, #0\n"
                     "	bgt	.Lqslow\n"
                     ".Lqzero:\n" /* |x · inv2| < 1/2: t = 0 */
                     "	movs	r3, #0\n"
                     "	b	.Lqst\n"
                     ".Lqslow:\n" /* t by the C operations; inv2 = (eb - 1) << 23 + Mb */
                     "	mov	r4, r12\n"
                     "	mov	r1, r10\n"
                     "	adds	r1, #251\n"
                     "	lsls	r1, r1, #23\n"
                     "	add	r1, r8\n"
                     "	bl	__aeabi_fmul\n"
                     "	bl	__aeabi_f2iz\n"
                     "	mov	r12, r4\n"
                     "	asrs	r5, r0, #31\n"
                     "	eors	r0, r5\n"
                     "	subs	r3, r0, r5\n"
                     "	adds	r3, r3, #1\n"
                     "	lsrs	r3, r3, #1\n"
                     "	movs	r0, r5\n" /* t's sign for .Lqsign */
                     "	b	.Lqsign\n"
                     "	.ltorg\n");
}

#endif
#endif

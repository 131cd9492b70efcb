/* atome_fast.h — the speed build's kernels (-DATOME_FAST; atome_ops.c and atome_block.c use them).
 *
 * Shapes: a row of RB packed bytes (five planes of RB, atome_trits.h) against int8 x[5·RB]. The
 * matmul kernels return the very integer the plain loop (dot_row in atome_ops.c) does: the sum is
 * exact in int32, so its order is free and the logits keep their bits; the top-k makes the very
 * choice of attention_topk's passes (tests/test_kernels.c compares them on the host, the QEMU
 * parity test on the boards). No float result changes: the float operations keep their order, the
 * conv only drops multiplies by a trit, whose products are exact, and the add of its first nonzero
 * tap to +0, whose sum is that tap (fast_conv_taps), and on a core without FPU the operations are
 * atome_softf.h's integer code (atome_math.h's ATOME_MUL & co.).
 *
 *   lut    per input vector, a table of every sum a weight byte can select (as the host's
 *          matmul_lut, in RAM: 256 rows of a power of two >= RB uint16, ATOME_FAST_LUT_SIZE),
 *          built two columns in one 32-bit add; a row is then one load per weight byte. The speed
 *          build's matmul on every core (ATOME_FAST_LUT, atome_ops.h).
 *   split  per input vector, 36 sums a column (digits 2..4, digits 0..1), two loads per weight
 *          byte: on the M0, the block's matrices when they have few rows (ATOME_FAST_SPLIT).
 *   topk   the attention's choice (attention_topk) in one pass by integer keys, for the M0's and
 *          RISC-V's float compares that are library calls, and fewer passes everywhere.
 *   table  one weight byte to its five trits by one table row (flash, 256 × 5 int8), five
 *          multiply-adds: the matmul when it is given no lut, and the conv's trits on every core.
 *   conv   on a core without FPU, the conv's taps as adds of ±h, no multiply (fast_conv_taps).
 *   q·k    on Armv7E-M, the attention's int8 dot by SXTB16 and SMLAD, four bytes a pair.
 */
#ifndef ATOME_FAST_H
#define ATOME_FAST_H
#include <stdint.h>
#include <string.h>
#include "atome_config.h"
#include "atome_math.h"
#include "atome_ops.h"
#include "atome_softf.h" /* its bit casts, on every core */
#include "atome_trits.h"

#if defined(__ARM_FEATURE_SIMD32) && __ARM_FEATURE_SIMD32
#include <arm_acle.h> /* Armv7E-M (Cortex-M4, M4F, M7): SMLAD for the attention's int8 dot */
#define ATOME_FAST_SIMD32 1
#endif

/* The five trits of every byte value, by atome_trit_m's own formula: a constant table in flash. */
#define ATOME_T(b, m) ((((((b) * (m)) & 255) * 3) >> 8) - 1)
#define ATOME_T5(b) {ATOME_T(b, 1), ATOME_T(b, 3), ATOME_T(b, 9), ATOME_T(b, 27), ATOME_T(b, 81)}
#define ATOME_T5x4(b) ATOME_T5(b), ATOME_T5((b) + 1), ATOME_T5((b) + 2), ATOME_T5((b) + 3)
#define ATOME_T5x16(b) ATOME_T5x4(b), ATOME_T5x4((b) + 4), ATOME_T5x4((b) + 8), ATOME_T5x4((b) + 12)
static const int8_t atome_trit_table[256][5] = {
    ATOME_T5x16(0),   ATOME_T5x16(16),  ATOME_T5x16(32),  ATOME_T5x16(48),  ATOME_T5x16(64),  ATOME_T5x16(80),
    ATOME_T5x16(96),  ATOME_T5x16(112), ATOME_T5x16(128), ATOME_T5x16(144), ATOME_T5x16(160), ATOME_T5x16(176),
    ATOME_T5x16(192), ATOME_T5x16(208), ATOME_T5x16(224), ATOME_T5x16(240)};
#undef ATOME_T5x16
#undef ATOME_T5x4
#undef ATOME_T5

/* Σ_c trit[c]·x[c] of one row: per byte, its five trits from the table against the five planes. */
static inline int32_t fast_table_dot(const uint8_t *row, const int8_t *x, int rb) {
    const int8_t *x1 = x + rb, *x2 = x1 + rb, *x3 = x2 + rb, *x4 = x3 + rb;
    int32_t acc = 0;
    for (int j = 0; j < rb; j++) {
        const int8_t *t = atome_trit_table[row[j]];
        acc += t[0] * x[j] + t[1] * x1[j] + t[2] * x2[j] + t[3] * x3[j] + t[4] * x4[j];
    }
    return acc;
}

/* conv_forward's sum over the five taps of one channel, Σ_j t5[j]·h[j·D] as multiply-adds from +0 in
 * j order, without a multiply: for a finite h, t·h is exactly h, -h or a zero, and acc + ±0 is
 * acc, as acc is never -0 (it starts at +0, and an IEEE sum is -0 only if both terms are); and
 * +0 + y is y, but +0 for y = -0, so the first nonzero tap's sum is its ±h itself. If an h is not
 * finite (an infinity or a NaN), the multiply-adds themselves, all five: before it they are the same
 * adds. (tests/test_softf.c compares the two on zeros, subnormals, infinities, NaNs.) The trits are
 * read as bytes (1 or 0xff), whose loads take an offset on the M0 where a signed byte's do not. */
static inline float fast_conv_taps(const int8_t *t5, const float *h, int D) {
    const uint8_t *t = (const uint8_t *)t5;
    uint32_t u[5];
#pragma GCC unroll 5
    for (int j = 0; j < 5; j++) {
        union { float f; uint32_t u; } x = {h[j * D]}; /* a memcpy from the array is a call on the M0 */
        u[j] = x.u;
        if (u[j] << 1 >= 0xff000000u) { /* an exponent of all ones */
            float acc = 0.0f;
            for (int k = 0; k < 5; k++) acc = atome_madd((float)t5[k], h[k * D], acc);
            return acc;
        }
    }
    uint32_t acc = 0; /* the bits of +0 */
#pragma GCC unroll 5
    for (int j = 0; j < 5; j++) {
        if (!t[j]) continue;
        uint32_t y = u[j] ^ (uint32_t)(t[j] >> 7) << 31;
        acc = acc ? atome_sf_bits(ATOME_ADD(atome_sf_float(acc), atome_sf_float(y))) : y == 0x80000000u ? 0u : y;
    }
    return atome_sf_float(acc);
}

/* A score as an int32 in the float order: sign and magnitude to two's complement, so -0 is +0's 0
 * (equal floats, equal keys), negatives below every positive, larger magnitudes further out. For
 * non-NaN scores only. */
static inline int32_t fast_score_key(uint32_t u) {
    int32_t m = (int32_t)(u & 0x7fffffffu);
    return u >> 31 ? -m : m;
}

/* sel[] = the ATOME_TOPK best of scores[n] in descending order, ties to the earliest; returns how
 * many, or -1 if a score is a NaN. Without a NaN the floats are totally ordered, so this is
 * attention_topk's passes' very choice: a later equal key never moves ahead of an earlier one, nor
 * displaces it. (A NaN, whose compares the passes treat their own way, is left to them.) Once
 * ATOME_TOPK are chosen, a score is its load, the NaN test, its key and one compare with the
 * worst chosen, held in a local. */
static inline int fast_topk(int *sel, const float *scores, int n) {
    int32_t key[ATOME_TOPK], worst = 0;
    int chosen = 0;
    for (int j = 0; j < n; j++) {
        union { float f; uint32_t u; } s = {scores[j]}; /* a memcpy from the array is a call on the M0 */
        if ((s.u & 0x7fffffffu) > 0x7f800000u) return -1;
        int32_t k = fast_score_key(s.u);
        if (chosen == ATOME_TOPK && k <= worst) continue;
        int c = chosen < ATOME_TOPK ? chosen++ : ATOME_TOPK - 1;
        for (; c > 0 && k > key[c - 1]; c--) key[c] = key[c - 1], sel[c] = sel[c - 1];
        key[c] = k, sel[c] = j;
        if (chosen == ATOME_TOPK) worst = key[ATOME_TOPK - 1];
    }
    return chosen;
}

/* The packed byte of trit number n (atome_trits.h): ceil(n·256/243), a constant table in flash. */
#define ATOME_B(n) (((n) * 256 + 242) / 243)
#define ATOME_B3(n) ATOME_B(n), ATOME_B((n) + 1), ATOME_B((n) + 2)
#define ATOME_B9(n) ATOME_B3(n), ATOME_B3((n) + 3), ATOME_B3((n) + 6)
#define ATOME_B27(n) ATOME_B9(n), ATOME_B9((n) + 9), ATOME_B9((n) + 18)
#define ATOME_B81(n) ATOME_B27(n), ATOME_B27((n) + 27), ATOME_B27((n) + 54)
static const uint8_t atome_byte_of[243] = {ATOME_B81(0), ATOME_B81(81), ATOME_B81(162)};
#undef ATOME_B81
#undef ATOME_B27
#undef ATOME_B9
#undef ATOME_B3
#undef ATOME_B

static inline int fast_lut_shift(int rb) {
    int shift = 2;
    while ((1 << shift) < rb) shift++;
    return shift;
}

/* lut[b][j] = BIAS + Σ_p trit_p(b)·x[p·rb + j] for every byte b, two columns a uint32 (column 2q
 * in the half stored at the lower address, ATOME_FAST_LO): the sums of digits 2..4 (s3, 27 of
 * them, biased 512: [131, 893]) and of digits 0..1 (s01, 9, biased 256: [2, 510]) per column pair,
 * then per packed byte n = 27k + i the row s3[i] + s01[k]. All in words: a pair of columns is the
 * integer lo + 2^16·hi of its two int8 values, sums of such words are the pairs of the sums (mod
 * 2^32), and as every biased sum lies in [0, 2^16) the halves of the result are exactly the two
 * columns' entries. The 13 byte values no five trits pack to decode in place as the byte before
 * them: they get its row. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define ATOME_FAST_LO 16 /* the shift of column 2q in its word */
#else
#define ATOME_FAST_LO 0
#endif
/* a + b. On Thumb-1 (the Cortex-M0) GCC computes such a sum, with b in a high register, in a high
 * register too and moves it back to a low one for the store: three instructions where the add of a
 * high register to a low one is one. The add in asm, its result tied to a low register, keeps the
 * table build's row at a load, an add and a store a word (make mcu-profile: 46 instructions a row of
 * 14 columns, 27 with it); every other core adds in C. */
static inline uint32_t fast_add_lo(uint32_t a, uint32_t b) {
#if defined(__thumb__) && !defined(__thumb2__)
    __asm__("add %0, %1" : "+l"(a) : "r"(b));
    return a;
#else
    return a + b;
#endif
}

static inline __attribute__((always_inline)) void fast_lut_build_rb(uint16_t *lut_, const int8_t *x, int rb) {
    enum { MAXP = ATOME_FAST_LUT_STRIDE(ATOME_MAX_D) / 2 };
    /* 4-byte aligned (the state's table follows floats, atome.h; the strides are even): a pair of
     * columns is one word load or store, where a core without unaligned access would move bytes */
    uint32_t *lut = __builtin_assume_aligned(lut_, 4);
    uint32_t s3[27][MAXP], s01[9][MAXP];
    int wshift = fast_lut_shift(rb) - 1, np = (rb + 1) / 2; /* a row is 1 << wshift words */
    /* no division anywhere: on the M0 and RV32I-class cores it is a library call */
    for (int q = 0; q < np; q++) {
        uint32_t v[5];
        for (int p = 0; p < 5; p++) {
            const int8_t *xp = x + p * rb + 2 * q;
            uint32_t hi = 2 * q + 1 < rb ? (uint32_t)(int32_t)xp[1] : 0;
            v[p] = ((uint32_t)(int32_t)xp[0] << ATOME_FAST_LO) + (hi << (16 - ATOME_FAST_LO));
        }
        /* unrolled, the trits are constants: each sum is one add or subtract (or none) from the one
         * before, and each store one further down its column of words */
        uint32_t *o3 = &s3[0][q], *o01 = &s01[0][q];
#pragma GCC unroll 3
        for (int a = -1; a <= 1; a++) {
            uint32_t t01 = 0x01000100u + (uint32_t)a * v[0], t3 = 0x02000200u + (uint32_t)a * v[2];
#pragma GCC unroll 3
            for (int b = -1; b <= 1; b++) {
                uint32_t u3 = t3 + (uint32_t)b * v[3];
                *o01 = t01 + (uint32_t)b * v[1], o01 += MAXP;
#pragma GCC unroll 3
                for (int c = -1; c <= 1; c++) *o3 = u3 + (uint32_t)c * v[4], o3 += MAXP;
            }
        }
    }
    /* packed byte n = 27k + i is ceil(n·256/243) (atome_trits.h), a row of atome_byte_of; with the
     * words of s01[k] held in registers, a word is a load, an add and a store (fast_add_lo) */
    const uint8_t *byte = atome_byte_of;
    for (int k = 0; k < 9; k++)
        for (int i = 0; i < 27; i++) {
            uint32_t *row = lut + ((uint32_t)*byte++ << wshift);
#pragma GCC unroll 32
            for (int q = 0; q < np; q++) row[q] = fast_add_lo(s3[i][q], s01[k][q]);
        }
    static const uint8_t unpacked[13] = {1, 20, 40, 60, 79, 99, 119, 138, 158, 178, 197, 217, 237};
    for (int i = 0; i < 13; i++) {
        uint32_t *row = lut + ((uint32_t)unpacked[i] << wshift);
#pragma GCC unroll 32
        for (int q = 0; q < np; q++) row[q] = row[q - (1 << wshift)];
    }
}

/* Specialised for the preset widths (D = 16 .. 256) that fit ATOME_MAX_D: the column loops then
 * unroll. */
static inline void fast_lut_build(uint16_t *lut, const int8_t *x, int rb) {
    switch (rb) {
    case 4: fast_lut_build_rb(lut, x, 4); return;
#if ATOME_ROW_BYTES(ATOME_MAX_D) >= 7
    case 7: fast_lut_build_rb(lut, x, 7); return;
#endif
#if ATOME_ROW_BYTES(ATOME_MAX_D) >= 13
    case 13: fast_lut_build_rb(lut, x, 13); return;
#endif
#if ATOME_ROW_BYTES(ATOME_MAX_D) >= 26
    case 26: fast_lut_build_rb(lut, x, 26); return;
#endif
#if ATOME_ROW_BYTES(ATOME_MAX_D) >= 52
    case 52: fast_lut_build_rb(lut, x, 52); return;
#endif
    default: fast_lut_build_rb(lut, x, rb); return;
    }
}

/* Σ_c trit[c]·x[c] of one row against the table of x: one load per weight byte. */
static inline int32_t fast_lut_dot(const uint8_t *row, const uint16_t *lut, int rb, int shift) {
    int32_t acc = 0;
    /* with rb constant, no loop left: a byte load, a shift, the add of the table's address and a
     * load at the constant offset j per byte (as row[j] << shift | j, the M0's code or-ed j in a
     * register, then shifted again: 7 instructions) */
#pragma GCC unroll 64
    for (int j = 0; j < rb; j++) acc += (lut + ((uint32_t)row[j] << shift))[j];
    return acc - ATOME_FAST_LUT_BIAS * rb;
}

/* The split table: per column j of x, the 27 sums of digits 2..4 (biased 512) then the 9 of digits
 * 0..1 (biased 256), ATOME_FAST_SPLIT_COL uint16 a column, rb columns; a weight byte selects one
 * of each, at the byte offsets atome_split_off[0][b] and [1][b] (twice the entry: a flash table).
 * Against the full table's 243 rows it is 36 sums a column to build, for two lookups a weight byte
 * instead of one: the win for matrices of few rows (ATOME_FAST_SPLIT, atome_ops.h). Each entry's
 * digits are atome_trit_m's own formula, so the 13 unpacked byte values select what they decode to. */
#define ATOME_FAST_SPLIT_COL 36
#define ATOME_SI(b) (2 * (9 * ATOME_T(b, 9) + 3 * ATOME_T(b, 27) + ATOME_T(b, 81) + 13))
#define ATOME_SK(b) (2 * (27 + 3 * ATOME_T(b, 1) + ATOME_T(b, 3) + 4))
#define ATOME_X4(F, b) F(b), F((b) + 1), F((b) + 2), F((b) + 3)
#define ATOME_X16(F, b) ATOME_X4(F, b), ATOME_X4(F, (b) + 4), ATOME_X4(F, (b) + 8), ATOME_X4(F, (b) + 12)
#define ATOME_X256(F) \
    ATOME_X16(F, 0), ATOME_X16(F, 16), ATOME_X16(F, 32), ATOME_X16(F, 48), ATOME_X16(F, 64), ATOME_X16(F, 80), \
    ATOME_X16(F, 96), ATOME_X16(F, 112), ATOME_X16(F, 128), ATOME_X16(F, 144), ATOME_X16(F, 160), \
    ATOME_X16(F, 176), ATOME_X16(F, 192), ATOME_X16(F, 208), ATOME_X16(F, 224), ATOME_X16(F, 240)
static const uint8_t atome_split_off[2][256] = {{ATOME_X256(ATOME_SI)}, {ATOME_X256(ATOME_SK)}};
#undef ATOME_X256
#undef ATOME_X16
#undef ATOME_X4
#undef ATOME_SK
#undef ATOME_SI
#undef ATOME_T

/* The split table of x[5·rb]: each sum one add from the one before (in uint32, of which the stored
 * halves are exact: every sum is in [0, 2^16)). */
static inline void fast_split_build(uint16_t *s, const int8_t *x, int rb) {
    for (int j = 0; j < rb; j++, s += ATOME_FAST_SPLIT_COL) {
        uint32_t v[5];
#pragma GCC unroll 5
        for (int p = 0; p < 5; p++) v[p] = (uint32_t)(int32_t)x[p * rb + j];
        uint16_t *o3 = s, *o01 = s + 27;
        uint32_t t01 = 256u - v[0] - v[1], t3 = 512u - v[2] - v[3] - v[4]; /* the trits all -1 */
#pragma GCC unroll 3
        for (int a = 0; a < 3; a++, t01 += v[0], t3 += v[2]) {
            uint32_t u01 = t01, u3 = t3;
#pragma GCC unroll 3
            for (int b = 0; b < 3; b++, u01 += v[1], u3 += v[3]) {
                *o01++ = (uint16_t)u01;
                uint32_t w3 = u3;
#pragma GCC unroll 3
                for (int c = 0; c < 3; c++, w3 += v[4]) *o3++ = (uint16_t)w3;
            }
        }
    }
}

/* Σ_c trit[c]·x[c] of one row against the split table of x: two loads per weight byte. On Thumb-1
 * with rb constant and at most 32 (a byte load's offset), in asm: GCC's own code for it folds the
 * column offsets into constants it then has no registers for (10 instructions a byte, where these
 * are 8: the byte, its two offsets, the two entries, two adds and the next column). */
static inline __attribute__((always_inline)) int32_t fast_split_dot(const uint8_t *row, const uint16_t *s, int rb) {
    const uint8_t *mi = atome_split_off[0], *mk = atome_split_off[1];
    int32_t acc = 0;
#if defined(__thumb__) && !defined(__thumb2__)
    if (__builtin_constant_p(rb) && rb <= 32) {
        const uint16_t *p = s;
#pragma GCC unroll 32
        for (int j = 0; j < rb; j++) {
            uint32_t b, e;
            __asm__(".syntax unified\n\t" /* GCC passes Thumb-1 asm in the divided syntax */
                    "ldrb %[b], [%[row], #%c[j]]\n\t"
                    "ldrb %[e], [%[mi], %[b]]\n\t"
                    "ldrb %[b], [%[mk], %[b]]\n\t"
                    "ldrh %[e], [%[p], %[e]]\n\t"
                    "ldrh %[b], [%[p], %[b]]\n\t"
                    "adds %[acc], %[acc], %[e]\n\t"
                    "adds %[acc], %[acc], %[b]\n\t"
                    "adds %[p], #%c[col]\n\t"
                    ".syntax divided"
                    : [acc] "+l"(acc), [p] "+l"(p), [b] "=&l"(b), [e] "=&l"(e)
                    : [row] "l"(row), [mi] "l"(mi), [mk] "l"(mk), [j] "I"(j), [col] "I"(2 * ATOME_FAST_SPLIT_COL)
                    : "cc");
        }
        return acc - ATOME_FAST_LUT_BIAS * rb;
    }
#endif
    for (int j = 0; j < rb; j++, s += ATOME_FAST_SPLIT_COL) {
        const char *p = (const char *)s;
        acc += *(const uint16_t *)(const void *)(p + mi[row[j]]) + *(const uint16_t *)(const void *)(p + mk[row[j]]);
    }
    return acc - ATOME_FAST_LUT_BIAS * rb;
}

#ifdef ATOME_FAST_SIMD32
/* The attention's q·k on Armv7E-M: q's bytes sign-extended once per query into qx (per word of four:
 * the even bytes' int16 pair, then the odd bytes'), then per key two SXTB16 and two SMLAD per four
 * bytes; int32 sums, exact in any order. dh a multiple of 4. */
static inline void fast_q_expand(uint32_t *qx, const int8_t *q, int dh) {
    for (int w = 0; w < dh / 4; w++) {
        uint32_t qw;
        memcpy(&qw, q + 4 * w, 4);
        qx[2 * w] = __sxtb16(qw), qx[2 * w + 1] = __sxtb16(qw >> 8 | qw << 24);
    }
}

static inline __attribute__((always_inline)) int32_t fast_dot_q(const uint32_t *qx, const int8_t *k, int dh) {
    int32_t dot = 0;
#pragma GCC unroll 16
    for (int w = 0; w < dh / 4; w++) {
        uint32_t kw;
        memcpy(&kw, k + 4 * w, 4);
        dot = __smlad(qx[2 * w], __sxtb16(kw), dot);
        dot = __smlad(qx[2 * w + 1], __sxtb16(kw >> 8 | kw << 24), dot);
    }
    return dot;
}
#endif

#endif

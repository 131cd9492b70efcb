/* atome_fast.h — the speed build's kernels (-DATOME_FAST; atome_ops.c and atome_block.c use them).
 *
 * Shapes: a row of RB packed bytes (five planes of RB, atome_trits.h) against int8 x[5·RB]. The
 * matmul kernels return the very integer the plain loop (dot_row in atome_ops.c) does: the sum is
 * exact in int32, so its order is free and the logits keep their bits; the top-k makes the very
 * choice of attention_topk's passes (tests/test_kernels.c compares them on the host, the QEMU
 * parity test on the boards). No float result changes: the float operations keep their order, the
 * conv only drops multiplies by a trit, whose products are exact (fast_conv_taps), and on a core
 * without FPU the operations are atome_softf.h's integer code (atome_math.h's ATOME_MUL & co.).
 *
 *   lut    per input vector, a table of every sum a weight byte can select (as the host's
 *          matmul_lut, in RAM: 256 rows of a power of two >= RB uint16, ATOME_FAST_LUT_SIZE),
 *          built two columns in one 32-bit add; a row is then one load per weight byte. The speed
 *          build's matmul on every core (ATOME_FAST_LUT, atome_ops.h).
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
#undef ATOME_T

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
 * acc, as acc is never -0 (it starts at +0, and an IEEE sum is -0 only if both terms are). After
 * an h that is not finite (an infinity or a NaN, which acc then is too), the multiply-adds
 * themselves. (tests/test_kernels.c compares the two on zeros, subnormals, infinities, NaNs.) */
static inline float fast_conv_taps(const int8_t *t5, const float *h, int D) {
    float acc = 0.0f;
    int exact = 1;
#pragma GCC unroll 5 /* fewer instructions by the taps' loop control, and constant offsets (M0 -2%, rv32imac -1%) */
    for (int j = 0; j < 5; j++) {
        float x = h[j * D];
        uint32_t u;
        memcpy(&u, &x, 4);
        exact &= (u & 0x7fffffffu) < 0x7f800000u;
        if (!exact) acc = atome_madd((float)t5[j], x, acc);
        else if (t5[j]) acc = ATOME_ADD(acc, t5[j] > 0 ? x : -x);
    }
    return acc;
}

/* A score as an int32 in the float order: -0 as +0 (equal floats, equal keys), negatives below
 * every positive, larger magnitudes further out. For non-NaN scores only. */
static inline int32_t fast_score_key(uint32_t u) {
    if (u == 0x80000000u) u = 0;
    return (int32_t)(u >> 31 ? u ^ 0x7fffffffu : u);
}

/* sel[] = the ATOME_TOPK best of scores[n] in descending order, ties to the earliest; returns how
 * many, or -1 if a score is a NaN. Without a NaN the floats are totally ordered, so this is
 * attention_topk's passes' very choice: a later equal key never moves ahead of an earlier one, nor
 * displaces it. (A NaN, whose compares the passes treat their own way, is left to them.) */
static inline int fast_topk(int *sel, const float *scores, int n) {
    int32_t key[ATOME_TOPK];
    int chosen = 0;
    for (int j = 0; j < n; j++) {
        union { float f; uint32_t u; } s = {scores[j]}; /* a memcpy from the array is a call on the M0 */
        uint32_t u = s.u;
        if ((u & 0x7fffffffu) > 0x7f800000u) return -1;
        int32_t k = fast_score_key(u);
        if (chosen == ATOME_TOPK && k <= key[ATOME_TOPK - 1]) continue;
        int c = chosen < ATOME_TOPK ? chosen++ : ATOME_TOPK - 1;
        for (; c > 0 && k > key[c - 1]; c--) key[c] = key[c - 1], sel[c] = sel[c - 1];
        key[c] = k, sel[c] = j;
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

/* lut[b][j] = BIAS + Σ_p trit_p(b)·x[p·rb + j] for every byte b: digits 2..4 of the 27 (s3, biased
 * 512: [131, 893]) plus digits 0..1 of the 9 (s01, biased 256: [2, 510]) per packed byte
 * n = 27k + i, two columns in one uint32 (the halves never carry: their sums are < 1404). The 13
 * byte values no five trits pack to decode in place as the byte before them: they get its row. */
static inline __attribute__((always_inline)) void fast_lut_build_rb(uint16_t *lut_, const int8_t *x, int rb) {
    enum { MAXS = ATOME_FAST_LUT_STRIDE(ATOME_MAX_D) };
    /* all 4-byte aligned (the state's table follows floats, atome.h; the strides are even): a pair
     * of columns is then one word load or store, where a core without unaligned access (RISC-V)
     * would otherwise move bytes */
    uint16_t *lut = __builtin_assume_aligned(lut_, 4);
    uint16_t s3[27][MAXS] __attribute__((aligned(4))), s01[9][MAXS] __attribute__((aligned(4)));
    int shift = fast_lut_shift(rb), np = (rb + 1) / 2;
    /* no division anywhere: on the M0 and RV32I-class cores it is a library call */
    for (int j = 0; j < 2 * np; j++) {
        int v[5];
        for (int p = 0; p < 5; p++) v[p] = j < rb ? x[p * rb + j] : 0;
        int i = 0;
        /* unrolled, the trits are constants: each sum is adds and subtracts of the five values */
#pragma GCC unroll 3
        for (int a = -1; a <= 1; a++)
#pragma GCC unroll 3
            for (int b = -1; b <= 1; b++) {
                s01[(a + 1) * 3 + b + 1][j] = (uint16_t)(256 + a * v[0] + b * v[1]);
#pragma GCC unroll 3
                for (int c = -1; c <= 1; c++) s3[i++][j] = (uint16_t)(512 + a * v[2] + b * v[3] + c * v[4]);
            }
    }
    /* packed byte n = 27k + i is ceil(n·256/243) (atome_trits.h), a row of atome_byte_of */
    for (int k = 0, n = 0; k < 9; k++)
        for (int i = 0; i < 27; i++, n++) {
            uint16_t *row = lut + (atome_byte_of[n] << shift);
            /* with rb constant, no loop: two loads, an add and a store per two columns */
#pragma GCC unroll 32
            for (int q = 0; q < 2 * np; q += 2) {
                uint32_t a, b; /* through memcpy, the halves stay the columns on either endianness */
                memcpy(&a, &s3[i][q], 4), memcpy(&b, &s01[k][q], 4);
                a += b;
                memcpy(row + q, &a, 4);
            }
        }
    static const uint8_t unpacked[13] = {1, 20, 40, 60, 79, 99, 119, 138, 158, 178, 197, 217, 237};
    for (int i = 0; i < 13; i++)
#ifdef __riscv /* whole rows, padding included, a word at a time: picolibc's memcpy moves bytes there */
        for (int q = 0; q < 1 << shift; q += 2) {
            uint32_t a;
            memcpy(&a, lut + ((unpacked[i] - 1) << shift) + q, 4);
            memcpy(lut + (unpacked[i] << shift) + q, &a, 4);
        }
#else
        memcpy(lut + (unpacked[i] << shift), lut + ((unpacked[i] - 1) << shift), (size_t)rb * sizeof *lut);
#endif
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
    /* with rb constant, no loop left: a byte load, an add of its row and a table load per byte */
#pragma GCC unroll 64
    for (int j = 0; j < rb; j++) acc += lut[row[j] << shift | j];
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

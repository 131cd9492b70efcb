/* atome_fast.h — the speed build's ternary dot products (-DATOME_FAST; matmul_forward uses them).
 *
 * Shapes: a row of RB packed bytes (five planes of RB, atome_trits.h) against int8 x[5·RB] whose
 * values lie in [-127, 127] (quant8_forward's range). Both kernels return the very integer the
 * plain loop (dot_row in atome_ops.c) does: the sum is exact in int32, so its order is free and
 * the logits keep their bits (tests/test_kernels.c compares all three on the host, the QEMU
 * parity test on the boards).
 *
 *   lanes  four packed bytes in one 32-bit word, one digit plane at a time: b·3^p mod 256 per
 *          byte lane (the next plane is three times the last, lane by lane), digit p = [v ≥ 86] +
 *          [v ≥ 171], so trit·x is x, 0 or -x chosen by two lane compares; the four products,
 *          biased by 128 to be unsigned, summed by one sum-of-absolute-differences against 0.
 *          On Armv7E-M (Cortex-M4, M4F, M7: __ARM_FEATURE_SIMD32) each step is one instruction
 *          (USUB8 + SEL, USADA8, UADD8); elsewhere the same lane operations in plain C, for the
 *          host test. x is prepared once per vector (fast_lanes_prepare): per word k and plane p
 *          the words x+128 and -x+128; the last word of a row is its last four bytes, so no load
 *          runs past the row, and the lanes it shares with the word before get x = 0 there.
 *   table  one weight byte to its five trits by one table row (flash, 256 × 5 int8), five
 *          multiply-adds: for cores without those instructions (Cortex-M0/M3, RISC-V).
 */
#ifndef ATOME_FAST_H
#define ATOME_FAST_H
#include <stdint.h>
#include <string.h>
#include "atome_config.h"
#include "atome_trits.h"

#if defined(__ARM_FEATURE_SIMD32) && __ARM_FEATURE_SIMD32
#include <arm_acle.h>
#define ATOME_FAST_LANES_NATIVE 1
#endif

/* Words per plane of a row of rb >= 4 bytes, and the prepared words of one vector: 2 per word
 * and plane. */
#define ATOME_FAST_WORDS(rb) (((rb) + 3) / 4)
#define ATOME_FAST_XWORDS(cols) (2 * 5 * ATOME_FAST_WORDS(ATOME_ROW_BYTES(cols)))

/* Per byte lane: v >= k ? a : b (k one value in every lane). */
static inline uint32_t lanes_ge_sel(uint32_t v, uint32_t k, uint32_t a, uint32_t b) {
#ifdef ATOME_FAST_LANES_NATIVE
    (void)__usub8(v, k); /* only its GE flags: lane by lane, v >= k */
    return __sel(a, b);
#else
    uint32_t r = 0;
    for (int l = 0; l < 32; l += 8) r |= ((v >> l & 255u) >= (k & 255u) ? a >> l & 255u : b >> l & 255u) << l;
    return r;
#endif
}

/* acc + the four byte lanes of v, unsigned. */
static inline uint32_t lanes_sum(uint32_t acc, uint32_t v) {
#ifdef ATOME_FAST_LANES_NATIVE
    return __usada8(v, 0, acc);
#else
    return acc + (v & 255u) + (v >> 8 & 255u) + (v >> 16 & 255u) + (v >> 24);
#endif
}

/* Each byte lane times 3, mod 256: the multiplier of the next digit plane. */
static inline uint32_t lanes_times3(uint32_t v) {
#ifdef ATOME_FAST_LANES_NATIVE
    return __uadd8(v, (v << 1) & 0xfefefefeu);
#else
    uint32_t r = 0;
    for (int l = 0; l < 32; l += 8) r |= ((v >> l & 255u) * 3u & 255u) << l;
    return r;
#endif
}

/* xw[(k·5 + p)·2 + 0/1] = the four lanes of x's plane p at word k, as x + 128 and -x + 128. Built
 * and loaded through bytes, as the weights are, so that lane l is byte l on either endianness. */
static inline void fast_lanes_prepare(uint32_t *xw, const int8_t *x, int rb) {
    int nw = ATOME_FAST_WORDS(rb);
    for (int k = 0; k < nw; k++) {
        /* the last word covers bytes rb-4 .. rb-1; its lanes below 4k were counted by word k-1 */
        int j0 = k + 1 < nw ? 4 * k : rb - 4, skip = 4 * k - j0;
        for (int p = 0; p < 5; p++) {
            uint8_t lane[2][4];
            for (int l = 0; l < 4; l++) {
                int v = l < skip ? 0 : x[p * rb + j0 + l];
                lane[0][l] = (uint8_t)(v + 128), lane[1][l] = (uint8_t)(128 - v);
            }
            memcpy(xw + (k * 5 + p) * 2, lane, sizeof lane);
        }
    }
}

/* One digit plane of a word: acc + Σ_lanes (trit·x + 128), then v for the next plane. */
#define ATOME_LANES_PLANE(acc, v, xk)                                                                   \
    do {                                                                                              \
        uint32_t keep = lanes_ge_sel(v, 0xababababu, (xk)[0], 0x80808080u); /* digit 2: x; else 0 */ \
        acc = lanes_sum(acc, lanes_ge_sel(v, 0x56565656u, keep, (xk)[1])); /* digit 0: -x */         \
        xk += 2;                                                                                      \
    } while (0)

/* Σ_c trit[c]·x[c] of one row of rb >= 4 bytes against x prepared by fast_lanes_prepare. */
static inline int32_t fast_lanes_dot(const uint8_t *row, const uint32_t *xw, int rb) {
    int nw = ATOME_FAST_WORDS(rb);
    uint32_t acc = 0;
    for (int k = 0; k < nw; k++) {
        uint32_t v;
        memcpy(&v, row + (k + 1 < nw ? 4 * k : rb - 4), 4); /* byte by byte, as fast_lanes_prepare stores x */
        const uint32_t *xk = xw + k * 10;
        /* the five planes written out: the multiplier stays in a register */
        ATOME_LANES_PLANE(acc, v, xk);
        v = lanes_times3(v);
        ATOME_LANES_PLANE(acc, v, xk);
        v = lanes_times3(v);
        ATOME_LANES_PLANE(acc, v, xk);
        v = lanes_times3(v);
        ATOME_LANES_PLANE(acc, v, xk);
        v = lanes_times3(v);
        ATOME_LANES_PLANE(acc, v, xk);
    }
    return (int32_t)(acc - 128u * 4u * 5u * (uint32_t)nw); /* the bias of every lane */
}

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

#endif

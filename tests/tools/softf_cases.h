/* softf_cases.h — the operand pairs tests/test_softf.c checks atome_softf.h's operations on, shared
 * with tests/tools/fw_softf_m0.c, which checks the M0's Thumb-1 ones on the chip (under QEMU):
 * edge values (zeros, subnormals, the normal range's ends, infinities, NaNs), random pairs drawn
 * to hit what rounding and ranges make hard (nearby exponents: cancellation, carries; mantissas
 * with many trailing zeros: exact results and exact ties; exponents at the overflow and underflow
 * limits), and products and sums whose exact value is a tie between two floats. */
#ifndef SOFTF_CASES_H
#define SOFTF_CASES_H
#include <stdint.h>
#include "../../common/atome_rng.h"

static inline uint32_t softf_rnd32(atome_rng *r) { return (uint32_t)(atome_rng_next(r) >> 32); }

static const uint32_t softf_edge[] = {
    0x00000000u, 0x00000001u, 0x00000002u, 0x007fffffu, 0x00400000u, 0x00800000u, 0x00800001u, 0x00ffffffu,
    0x01000000u, 0x0d800000u, 0x1f800000u, 0x30000000u, 0x33800000u, 0x34000000u, 0x3f000000u, 0x3f7fffffu,
    0x3f800000u, 0x3f800001u, 0x3fbfffffu, 0x3fc00000u, 0x3fffffffu, 0x40000000u, 0x4b000000u, 0x4b7fffffu,
    0x4effffffu, 0x4f000000u, 0x5f000000u, 0x7e800000u, 0x7effffffu, 0x7f000000u, 0x7f7fffffu, 0x7f800000u,
    0x7fc00000u, 0x7fc00001u, 0x7fa00000u, 0x3eaaaaabu, 0x3dcccccdu, 0x42fe0000u, 0x437f0000u, 0x3c010204u,
};
#define SOFTF_N_EDGE (int)(sizeof softf_edge / sizeof softf_edge[0])

/* A random float of the given biased exponent: random sign and mantissa, the mantissa's low bits
 * cleared by a random amount (exact results and ties become likely). */
static inline uint32_t softf_rand_float(atome_rng *r, uint32_t e) {
    uint32_t m = softf_rnd32(r) & 0x7fffffu, zeros = atome_rng_below(r, 24);
    if (atome_rng_below(r, 2)) m &= ~((1u << zeros) - 1u);
    return (softf_rnd32(r) & 0x80000000u) | e << 23 | m;
}

/* Two random operands: exponents anywhere, or close together, or near the range's ends. */
static inline void softf_rand_pair(atome_rng *r, uint32_t *a, uint32_t *b) {
    uint32_t kind = atome_rng_below(r, 4), ea, eb;
    if (kind == 0) {
        *a = softf_rnd32(r), *b = softf_rnd32(r);
        return;
    }
    if (kind == 1) ea = 1 + atome_rng_below(r, 254), eb = ea + atome_rng_below(r, 61) - 30;
    else if (kind == 2) ea = 1 + atome_rng_below(r, 254), eb = ea + atome_rng_below(r, 5) - 2;
    else ea = atome_rng_below(r, 2) ? atome_rng_below(r, 8) : 247 + atome_rng_below(r, 9),
    eb = atome_rng_below(r, 2) ? 127 + atome_rng_below(r, 9) - 4 : 254 - ea + atome_rng_below(r, 9) - 4;
    if ((int32_t)eb < 0) eb = 0;
    if (eb > 255) eb = 255;
    *a = softf_rand_float(r, ea), *b = softf_rand_float(r, eb);
}

/* A product that is a tie: odd mantissas of k and 25 - k significant bits multiply to 25 bits or a
 * carry more (the caller also checks ua ± 1). */
static inline void softf_mul_tie(atome_rng *r, uint32_t *ua, uint32_t *ub) {
    uint32_t k = 1 + atome_rng_below(r, 23), ma = (softf_rnd32(r) | 1u) & ((1u << k) - 1u),
             mb = (softf_rnd32(r) | 1u) & ((1u << (25 - k)) - 1u);
    ma |= 1u << (k - 1), mb |= 1u << (24 - k);
    *ua = (100u + atome_rng_below(r, 40)) << 23 | (ma << (24 - k) & 0x7fffffu);
    *ub = (100u + atome_rng_below(r, 40)) << 23 | (mb << (k - 1) & 0x7fffffu);
}

/* A sum near a tie: b's last bit lands just below a's, exponents 1..25 apart, b's mantissa odd (the
 * caller also checks ub ± 1). */
static inline void softf_add_tie(atome_rng *r, uint32_t *ua, uint32_t *ub) {
    uint32_t ea = 30 + atome_rng_below(r, 190), eb = ea - 1 - atome_rng_below(r, 25);
    *ua = ea << 23 | (softf_rnd32(r) & 0x7fffffu);
    *ub = (softf_rnd32(r) & 0x80000000u) | eb << 23 | (softf_rnd32(r) & 0x7fffffu) | 1u;
}

#endif

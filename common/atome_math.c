/* atome_math.c — expf, sqrtf and tanhf from + - * / and integer operations. */
#include "atome_math.h"
#include "atome_softf_m0.h"       /* the M0 speed build's float operations in Thumb-1 */
#include "atome_softf_m0_loops.h" /* and its loops */
#include <stdint.h>

typedef union {
    float f;
    uint32_t u;
} f32bits;

/* e^x = 2^k · e^r: x = k·ln2 + r with |r| <= ln2/2, k = round(x·log2 e), k in [-126, 127]. The
 * callers bound x before they convert, so k is in that range for every input: -k and the exponent
 * add below are defined, whatever x was (NaN included). */
static float exp_reduced(float x, int k) {
    /* ln2 split so that k·LN2_HI is exact (Cody–Waite). */
    /* (x - k·HI) - k·LO, written as multiply-adds of -k: negation is exact, so the same bits */
    float nk = ATOME_I2F(-k), r = atome_madd(nk, 1.42860677e-06f, atome_madd(nk, 0.693145751953125f, x));
    /* Taylor to r^7 by Horner, p = c[i] + r·p from the top: the truncation error at |r| = 0.347
     * is below 2^-26. A loop over a table is half the code of the unrolled form on soft-float cores. */
    static const float c[8] = {1.0f, 1.0f, 0.5f, 1.66666672e-1f, 4.16666679e-2f, 8.33333377e-3f, 1.38888892e-3f,
                               1.98412701e-4f};
    /* from p = 0, whose first step gives c[7] exactly (r is finite, so r·0 is ±0, and c[7] + ±0 =
     * c[7]); bytes: the loop alone loads the table, no second copy of c[7] (4 B on a Cortex-M0,
     * 8 B on the M4F and M7, make mcu-sizes) */
    float p = 0.0f;
#ifdef ATOME_FAST
#pragma GCC unroll 8 /* the speed build: no loop */
#endif
    for (int i = 7; i >= 0; i--) p = atome_madd(r, p, c[i]);
    /* p·2^k as an exponent add: exact, as the product is, while p·2^k is normal — and it is:
     * p is in [0.7, 1.42], and k = -126 only for x >= -87.3 > -126·ln2, where r > 0 and p > 1 */
    f32bits s;
    s.f = p;
    s.u += (uint32_t)k << 23;
    return s.f;
}

float atome_expf(float x) {
    if (x != x) return x; /* NaN: itself, never converted to an int below */
    if (x < -87.3f) return 0.0f;
    if (x > 88.0f) x = 88.0f;
    float kf = x * 1.44269504f;
    return exp_reduced(x, (int)(kf >= 0.0f ? kf + 0.5f : kf - 0.5f)); /* nearest, halves away from 0 */
}

float atome_expf_neg(float x) {
    /* 0 below -87.3 and for a NaN of either sign (a NaN's sign differs between targets), in one
     * unsigned comparison of the bits rotated left by one, |x| then the sign: -87.3f (0xc2ae999a)
     * becomes 0x855d3335; every x below it, -inf and every NaN rotate above it (so does an x > 87.3,
     * which is outside this function's use; 0 < x <= 87.3 is defined too, only less accurate). */
    f32bits in;
    in.f = x;
    if ((in.u << 1 | in.u >> 31) > 0x855d3335u) return 0.0f;
    /* |x| <= 87.3, so kf is in [-126.5, 125.5] and converts in range. For x <= 0, kf <= 0, so
     * atome_expf's rounding is kf - 0.5 here (kf = 0 gives 0 either way): the same bits */
    return exp_reduced(x, ATOME_F2I(atome_madd(x, 1.44269504f, -0.5f)));
}

float atome_sqrtf(float x) {
    f32bits in;
    in.f = x;
    uint32_t ix = in.u;
    if (ix - 0x00800000u >= 0x7f000000u) return x; /* not a positive normal (see atome_math.h) */
#if defined(__ARM_FP) && (__ARM_FP & 4)
    return __builtin_sqrtf(x); /* VSQRT.F32 is correctly rounded: the same bits, less code */
#else
    /* x = m · 2^(eb-150), eb the biased exponent; an odd power of two (eb even) lends a bit to m */
    uint32_t eb = ix >> 23, m = (ix & 0x7fffffu) | 0x800000u;
    if (!(eb & 1)) m += m;
    /* Bit by bit in 32-bit integers (fdlibm's e_sqrtf): the root q gets 24 bits and one more for
     * rounding. fdlibm keeps q beside s, but s = 2q throughout (both start at 0; when q gains r,
     * s gains 2r): q is s >> 1 at the end (bytes: one register and one add a bit less: 4 B on the
     * Cortex-M0, make mcu-sizes). */
    m += m;
    uint32_t s = 0;
    for (uint32_t r = 0x01000000u; r; r >>= 1) {
        uint32_t t = s + r;
        if (t <= m) s = t + r, m -= t;
        m += m;
    }
    uint32_t q = s >> 1;
    if (m) q += q & 1; /* nearest: an inexact root is never exactly halfway */
    f32bits out;
    out.u = (q >> 1) + ((((eb + 1) >> 1) + 62) << 23); /* q >> 1 has bit 23 set: it adds the last 1 */
    return out.f;
#endif
}

#if defined(ATOME_SOFT_FLOAT) && !defined(ATOME_FAST) /* the speed build's is atome_softf.h's, inline */
__attribute__((noinline)) float atome_madd(float a, float b, float c) { return a * b + c; }
#endif

float atome_tanhf(float x) {
    if (x > 9.0f) return 1.0f;
    if (x < -9.0f) return -1.0f;
    float e = atome_expf(2.0f * x);
    return (e - 1.0f) / (e + 1.0f);
}

/* ln x = k·ln2 + ln m with x = m·2^k, m in [√2/2, √2); ln m = ln(1 + f) = 2·atanh(s) with
 * s = f/(2 + f), |s| <= 0.172. ln(1 + f) is evaluated as f - (f²/2 - s·(f²/2 + R(s²))), where R
 * is the minimax polynomial of the atanh series' tail (fdlibm's coefficients for single
 * precision): the large terms f and f²/2 are exact or nearly, so the rounding of s and R costs
 * far less than an ulp. ln2 is split (Cody–Waite) so that k·LN2_HI is exact for |k| <= 149. */
float atome_logf(float x) {
    f32bits in;
    in.f = x;
    uint32_t u = in.u;
    if (x != x || (u & 0x80000000u)) return (u & 0x7fffffffu) == 0 ? -1.0f / 0.0f : (x - x) / (x - x);
    if (u == 0x7f800000u) return x;
    int k = 0;
    if (u < 0x00800000u) { /* a denormal: scale by 2^25 into the normal range */
        if (u == 0) return -1.0f / 0.0f;
        in.f = x * 33554432.0f;
        u = in.u;
        k = -25;
    }
    k += (int)(u >> 23) - 127;
    u &= 0x007fffffu;
    if (u >= 0x003504f3u) u |= 0x3f000000u, k++; /* m >= √2: use m/2 */
    else u |= 0x3f800000u;
    in.u = u;
    float f = in.f - 1.0f; /* exact: m is within a factor 2 of 1 (Sterbenz) */
    const float LN2_HI = 6.9313812256e-01f, LN2_LO = 9.0580006145e-06f;
    const float LG1 = 0.66666662693f, LG2 = 0.40000972152f, LG3 = 0.28498786688f, LG4 = 0.24279078841f;
    float s = f / (2.0f + f), z = s * s, w = z * z;
    float r = z * (LG1 + w * LG3) + w * (LG2 + w * LG4);
    float hfsq = 0.5f * f * f, dk = (float)k;
    return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
}

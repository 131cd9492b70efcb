/* exact_sum.c — the float/fixed-point conversions of the exact gradient sum (exact_sum.h).
 *
 * Shapes: n elements.
 *
 * Both conversions are integer code on the float's bits, not casts: a float-to-int128 cast
 * is a libgcc call per element, and this way what each step computes is written here.
 */
#include "exact_sum.h"
#include <string.h>

/* g = ±m·2^(e - 150) for a float of biased exponent e (m with its implicit bit; for e = 0,
 * m is the fraction and the exponent that of e = 1), so g·2^80 = ±m·2^(e - 70). */
int exact_add(exact_acc *acc, const float *g, long n) {
    int bad = 0;
    for (long i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &g[i], sizeof u);
        uint32_t e = (u >> 23) & 0xffu, m = u & 0x7fffffu;
        if (e >= 127u + EXACT_TERM_LOG2) { /* |g| >= 2^15, inf or NaN */
            bad = 1;
            continue;
        }
        if (e) m |= 0x800000u;
        else e = 1;
        int sh = (int)e - 150 + EXACT_FRAC_BITS; /* < 15 + 80 - 23 = 72, so m << sh < 2^96 */
        exact_acc q;
        if (sh >= 0) q = (exact_acc)m << sh;
        else q = sh > -24 ? (exact_acc)(m >> -sh) : 0; /* truncates toward zero (on |g|) */
        acc[i] += (u >> 31) ? -q : q;
    }
    return bad;
}

/* |acc| < 2^127 as a signed value. Rounds the magnitude to 24 significant bits (nearest,
 * ties to even), then scales by a power of two built from bits: every result is a normal
 * float, since the smallest non-zero magnitude is 2^-80 and the largest below 2^47. */
void exact_to_float(float *out, const exact_acc *acc, long n) {
    for (long i = 0; i < n; i++) {
        exact_acc a = acc[i];
        int neg = (int)(a >> 127);
        if (neg) a = -a;
        if (!a) {
            out[i] = 0.0f;
            continue;
        }
        uint64_t hi = (uint64_t)(a >> 64), lo = (uint64_t)a;
        int msb = hi ? 127 - __builtin_clzll(hi) : 63 - __builtin_clzll(lo);
        int sh = msb > 23 ? msb - 23 : 0;
        uint64_t m = (uint64_t)(a >> sh); /* < 2^24 */
        if (sh) {
            exact_acc rest = a & (((exact_acc)1 << sh) - 1), half = (exact_acc)1 << (sh - 1);
            if (rest > half || (rest == half && (m & 1))) m++;
            if (m == (1u << 24)) m >>= 1, sh++;
        }
        uint32_t pb = (uint32_t)(127 + sh - EXACT_FRAC_BITS) << 23; /* 2^(sh - 80), sh - 80 in [-80, 24] */
        float p;
        memcpy(&p, &pb, sizeof p);
        float v = (float)m * p; /* exact: m < 2^24, and the product is a normal float */
        out[i] = neg ? -v : v;
    }
}

/* exact_sum.c — the float/fixed-point conversions of the exact gradient sum (exact_sum.h).
 *
 * Shapes: n elements.
 *
 * Both conversions use only the CPU's 64-bit conversions, which IEEE 754 defines exactly (a
 * truncation, and a correctly rounded integer-to-float), never a float-to-int128 cast: that is
 * a libgcc call per element, slower, and its rounding would be libgcc's, not written here.
 */
#include "exact_sum.h"
#include <string.h>
#include "dense.h"

/* trunc(g·2^80) in two truncations that a CPU does exactly in hardware: x = g·2^40 is exact (a
 * power-of-2 scaling; |x| < 2^50), h = trunc(x) fits an int64, x - h is exact (h equals x when
 * |x| >= 2^23, where floats are whole numbers; otherwise both are below 2^23), and
 * l = trunc((x - h)·2^40) with |l| < 2^40. x - h has the sign of x, so h·2^40 + l is
 * trunc(g·2^80) exactly. The bound is checked on the bits, and a refused term masked to +0,
 * so that the loop has no branch and vectorises where the target converts floats to int64 in
 * vectors. */
static inline __attribute__((always_inline)) int add_terms(int64_t *restrict hi, int64_t *restrict lo,
                                                           const float *restrict g, long n) {
    int bad = 0;
    for (long i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &g[i], sizeof u);
        int ok = (u & 0x7fffffffu) < 0x44800000u; /* |g| < 2^10: false for larger, inf and NaN */
        u &= (uint32_t)-ok;                       /* a refused term becomes +0 (no branch) */
        float v;
        memcpy(&v, &u, sizeof v);
        float x = v * 0x1p40f;
        int64_t h = (int64_t)x;
        hi[i] += h;
        lo[i] += (int64_t)((x - (float)h) * 0x1p40f);
        bad |= !ok;
    }
    return bad;
}

/* Integer results, exact on any path; the AVX-512 build (F and DQ: float-to-int64 in vectors)
 * only runs faster. It is chosen with the dense kernels' path (dense.h), so ATOME_CPU forces
 * it too and the determinism tests run both. */
static int add_generic(int64_t *hi, int64_t *lo, const float *g, long n) { return add_terms(hi, lo, g, n); }
#if defined(__x86_64__) && defined(__GNUC__)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq")
#endif
static int add_avx512(int64_t *hi, int64_t *lo, const float *g, long n) { return add_terms(hi, lo, g, n); }
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

int exact_add(int64_t *hi, int64_t *lo, const float *g, long n) {
#if defined(__x86_64__) && defined(__GNUC__)
    if (!strcmp(dense_path(), "avx512")) return add_avx512(hi, lo, g, n);
#endif
    return add_generic(hi, lo, g, n);
}

/* The multiply by 2^40 of the unsigned type wraps modulo 2^128: the two's complement of the
 * signed product. */
void exact_fold(exact_acc *acc, int64_t *hi, int64_t *lo, long n) {
    for (long i = 0; i < n; i++) {
        acc[i] += (exact_acc)hi[i] * ((exact_acc)1 << 40) + (exact_acc)lo[i];
        hi[i] = lo[i] = 0;
    }
}

/* |acc| < 2^122 as a signed value. The magnitude is cut to its top 64 bits with the bits cut off
 * ORed into the lowest (a sticky bit: the 64 kept bits are at least 40 more than a float holds,
 * so it decides only what it must, a tie against just above it), converted by the CPU's
 * integer-to-float conversion, which IEEE 754 requires correctly rounded (to nearest, ties to
 * even), then scaled by a power of two built from bits: every result is a normal float, since
 * the smallest non-zero magnitude is 2^-80 and the largest below 2^42. */
void exact_to_float(float *out, const exact_acc *acc, long n) {
    for (long i = 0; i < n; i++) {
        exact_acc a = acc[i];
        int neg = (int)(a >> 127);
        if (neg) a = -a;
        uint64_t hi = (uint64_t)(a >> 64), lo = (uint64_t)a;
        int cut = 0;
        if (hi) {
            cut = 64 - __builtin_clzll(hi); /* 1..63 bits to drop */
            lo = (uint64_t)(a >> cut) | ((lo & (((uint64_t)1 << cut) - 1)) != 0);
        }
        uint32_t pb = (uint32_t)(127 + cut - EXACT_FRAC_BITS) << 23; /* 2^(cut - 80) */
        float p;
        memcpy(&p, &pb, sizeof p);
        float v = (float)lo * p; /* exact: a power-of-2 scaling that stays normal */
        out[i] = neg ? -v : v;
    }
}

/* math_n.c — the project's expf and tanhf over arrays, for the trainer's hot loops (API in math_n.h).
 *
 * Shapes: n a vector length.
 */
#include "math_n.h"
#include <stdint.h>
#include <string.h>

/* The array exp and tanh below are selects, not branches, only if the compiler may evaluate both
 * sides of a select: -fno-trapping-math allows that. It changes no value (only what the FPU's
 * exception flags may see), and no contraction or reassociation comes with it. */
#if defined(__GNUC__) && !defined(__clang__)
#define SELECTS __attribute__((optimize("no-trapping-math")))
#else
#define SELECTS
#endif

/* atome_expf over an array, written so that the compiler can vectorise it: the same float
 * operations in the same order on every element (so the same bits, which test_vanilla.c
 * checks), with the early returns turned into selects. The input is clamped below as well,
 * so that the integer conversion stays in range for the elements the select then discards. */
SELECTS void expf_n(float *y, const float *x, int n) {
    for (int i = 0; i < n; i++) {
        float v = x[i] > 88.0f ? 88.0f : x[i];
        v = v < -88.0f ? -88.0f : v;
        float kf = v * 1.44269504f;
        int k = (int)(kf + (kf >= 0.0f ? 0.5f : -0.5f)); /* kf - 0.5f is kf + -0.5f, bit for bit */
        float r = (v - (float)k * 0.693145751953125f) - (float)k * 1.42860677e-06f;
        float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.66666672e-1f + r * (4.16666679e-2f +
                        r * (8.33333377e-3f + r * (1.38888892e-3f + r * 1.98412701e-4f))))));
        uint32_t bits = (uint32_t)(k + 127) << 23;
        float s;
        memcpy(&s, &bits, sizeof s);
        y[i] = x[i] < -87.3f ? 0.0f : p * s;
    }
}

/* atome_tanhf over an array, the same way: (e - 1)/(e + 1) with e = exp(2x), ±1 past ±9. */
SELECTS void tanhf_n(float *y, const float *x, int n) {
    enum { CHUNK = 256 };
    float e[CHUNK];
    for (int i0 = 0; i0 < n; i0 += CHUNK) {
        int m = n - i0 < CHUNK ? n - i0 : CHUNK;
        for (int i = 0; i < m; i++) e[i] = 2.0f * x[i0 + i];
        expf_n(e, e, m);
        for (int i = 0; i < m; i++) {
            float v = x[i0 + i], t = (e[i] - 1.0f) / (e[i] + 1.0f);
            y[i0 + i] = v > 9.0f ? 1.0f : v < -9.0f ? -1.0f : t;
        }
    }
}


/* 2^x = 2^k·e^(f·ln2), k the nearest integer, |f| <= 1/2 so |f·ln2| <= 0.347, where 20 terms of
 * the Taylor series (Horner form) leave under 1e-25; 2^k is built from its bits. */
double exp2_d(double x) {
    if (x != x) return x;
    if (x > 1023.0) return 1.0 / 0.0;
    if (x < -1022.0) return 0.0;
    long k = (long)(x >= 0.0 ? x + 0.5 : x - 0.5);
    if (k > 1023) k = 1023; /* x just below 1023.5 rounds up: keep 2^k a normal double */
    if (k < -1022) k = -1022;
    double y = (x - (double)k) * 0.69314718055994530942, e = 1.0;
    for (int n = 20; n >= 1; n--) e = 1.0 + y / (double)n * e;
    uint64_t bits = (uint64_t)(k + 1023) << 52;
    double p;
    memcpy(&p, &bits, sizeof p);
    return e * p;
}

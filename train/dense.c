/* dense.c — the backward's dense products on every CPU with the same bits (contract in dense.h).
 *
 * Shapes: T rows, R × C a matrix, ld the row stride of dy; the kernel body (dense_kernel.h)
 * computes out[M, N] += A[M, K]·B[K, N] and is included once per instruction set below.
 *
 * Why not target_clones: their choice cannot be forced, so a test could only ever run the one
 * path this machine picks. Here every path is compiled (the x86-64 ones by target pragmas, which
 * enable the instruction set for the included functions only) and the choice is a variable.
 * The file is built with -ffp-contract=off like the rest: AVX-512F implies FMA in GCC, and
 * contraction off is what keeps a*b + c two roundings there.
 */
#include "dense.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void product_fn(float *out, long ldo, const float *a, long ais, long aks, const float *b, long ldb, int M,
                        int N, int K);

#define DENSE_NAME(x) generic_##x
#define DENSE_VBYTES 16
#include "dense_kernel.h"
#undef DENSE_NAME
#undef DENSE_VBYTES

#if defined(__x86_64__) && defined(__GNUC__)
#define DENSE_X86 1
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif
#define DENSE_NAME(x) avx2_##x
#define DENSE_VBYTES 32
#include "dense_kernel.h"
#undef DENSE_NAME
#undef DENSE_VBYTES
#if defined(__clang__)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
#else
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f")
#endif
#define DENSE_NAME(x) avx512_##x
#define DENSE_VBYTES 64
#include "dense_kernel.h"
#undef DENSE_NAME
#undef DENSE_VBYTES
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

static const struct {
    const char *name;
    product_fn *fn;
} paths[] = {
    {"generic", generic_product},
#ifdef DENSE_X86
    {"avx2", avx2_product},
    {"avx512", avx512_product},
#endif
};
enum { N_PATHS = sizeof paths / sizeof paths[0] };

static int path_runs(int i) {
#ifdef DENSE_X86
    __builtin_cpu_init();
    if (!strcmp(paths[i].name, "avx2")) return __builtin_cpu_supports("avx2");
    if (!strcmp(paths[i].name, "avx512")) return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
#endif
    return i == 0;
}

static int chosen = -1; /* index into paths, read and written atomically */

int dense_choose(const char *want, char *err, unsigned long n) {
    int pick = -1;
    if (!want || !*want) {
        for (int i = 0; i < N_PATHS; i++)
            if (path_runs(i)) pick = i;
    } else {
        for (int i = 0; i < N_PATHS; i++)
            if (!strcmp(want, paths[i].name)) pick = i;
        if (pick < 0) {
            if (err) snprintf(err, n, "ATOME_CPU=%s: unknown path (generic%s)", want, N_PATHS > 1 ? ", avx2, avx512" : " is the only one this build has");
            return -1;
        }
        if (!path_runs(pick)) {
            if (err) snprintf(err, n, "ATOME_CPU=%s: this CPU does not run that path", want);
            return -1;
        }
    }
    __atomic_store_n(&chosen, pick, __ATOMIC_RELAXED);
    return 0;
}

/* Every thread that finds no selection makes the same one, so the race is harmless. */
static product_fn *product(void) {
    int i = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (i < 0) {
        if (dense_choose(getenv("ATOME_CPU"), NULL, 0)) dense_choose(NULL, NULL, 0);
        i = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    }
    return paths[i].fn;
}

const char *dense_path(void) {
    product();
    return paths[__atomic_load_n(&chosen, __ATOMIC_RELAXED)].name;
}

/* dx[t, c] += sum over r ascending of dy[t, r]·W[r, c]. */
void dense_dx(float *dx, const float *dy, int ld, const float *w, int T, int R, int C) {
    product()(dx, C, dy, ld, 1, w, C, T, C, R);
}

/* dW[r, c] += sum over t ascending of dy[t, r]·x[t, c]. */
void dense_dw(float *dw, const float *dy, int ld, const float *x, int T, int R, int C) {
    product()(dw, C, dy, 1, ld, x, C, R, C, T);
}

/* atome_math.h — the project's own float functions.
 *
 * Only + - * / and integer bit manipulation, so every target that rounds IEEE 754
 * single precision correctly (x86-64 SSE, Cortex-M FPU or libgcc soft-float, RISC-V)
 * produces the same bits. Build with -ffp-contract=off: a fused multiply-add would
 * round once where this code rounds twice.
 */
#ifndef ATOME_MATH_H
#define ATOME_MATH_H

/* a·b + c, rounded twice (never fused: -ffp-contract=off), so the same bits as the two
 * operations written out. Without an FPU each float operation is a library call: kept out
 * of line there, a multiply-add is one call where it is used instead of two (about 1% of
 * the engine's code on a Cortex-M0); with an FPU it is inlined. */
#if (defined(__arm__) && !defined(__ARM_FP)) || (defined(__riscv) && !defined(__riscv_flen))
#define ATOME_SOFT_FLOAT 1
#endif

/* The kernels' float operations: ATOME_MUL(a, b) = a·b, ATOME_ADD(a, b) = a + b, ATOME_SUB(a, b) =
 * a - b, ATOME_I2F(i) = (float)i, ATOME_F2I(x) = (int)x and ATOME_MUL_F2I(a, b) = (int)(a·b)
 * (truncating, for |x| < 2^31), ATOME_DIV_INT(x, n) = x / (float)n, ATOME_DIV(a, b) = a / b,
 * ATOME_MADD_I8(w, v, c) = atome_madd(w, (float)v, c) for an int8 v.
 * The speed build on a core without FPU computes them in integer code (atome_softf.h: the same
 * bits, which tests/test_softf.c checks against the C operations); everywhere else they are the
 * operations themselves. */
#if defined(ATOME_SOFT_FLOAT) && defined(ATOME_FAST)
#include "atome_softf.h"
#define ATOME_MUL(a, b) atome_sf_mul(a, b)
#define ATOME_ADD(a, b) atome_sf_add(a, b)
#define ATOME_SUB(a, b) atome_sf_sub(a, b)
#define ATOME_I2F(i) atome_sf_i2f(i)
#define ATOME_F2I(x) atome_sf_f2i(x)
#define ATOME_DIV_INT(x, n) atome_sf_div_int(x, n)
#ifdef ATOME_SF_M0
#define ATOME_DIV(a, b) atome_sf_div(a, b)
#else
#define ATOME_DIV(a, b) ((a) / (b))
#endif
#define ATOME_MUL_F2I(a, b) atome_sf_mul_f2i(a, b)
#ifdef ATOME_SF_M0
#define ATOME_MADD_I8(w, v, c) atome_sf_madd_i8_m0(w, v, c)
static inline float atome_madd(float a, float b, float c) { return atome_sf_madd_m0(a, b, c); }
#else
#define ATOME_MADD_I8(w, v, c) atome_sf_add(atome_sf_mul_i8(w, v), c)
static inline float atome_madd(float a, float b, float c) { return atome_sf_add(atome_sf_mul(a, b), c); }
#endif
#else
#define ATOME_MUL(a, b) ((a) * (b))
#define ATOME_ADD(a, b) ((a) + (b))
#define ATOME_SUB(a, b) ((a) - (b))
#define ATOME_I2F(i) ((float)(i))
#define ATOME_F2I(x) ((int)(x))
#define ATOME_DIV_INT(x, n) ((x) / (float)(n))
#define ATOME_DIV(a, b) ((a) / (b))
#define ATOME_MUL_F2I(a, b) ((int)((a) * (b)))
#define ATOME_MADD_I8(w, v, c) atome_madd(w, (float)(v), c)
#ifdef ATOME_SOFT_FLOAT
float atome_madd(float a, float b, float c);
#else
static inline float atome_madd(float a, float b, float c) { return a * b + c; }
#endif
#endif

/* e^x, about 1 ulp; returns 0 below -87.3 (no denormals, -inf included), saturates x at 88 (+inf
 * gives e^88) and returns a NaN as it is. */
float atome_expf(float x);
/* atome_expf for x <= 0 (softmax, whose arguments are minus their maximum): the same bits, with
 * less code on the engine's path. A NaN of either sign gives 0 (a max-subtracted -inf or +inf is
 * one); so does x > 87.3; 0 < x <= 87.3 is defined but less accurate. */
float atome_expf_neg(float x);
/* Correctly rounded square root of a positive normal float (integer algorithm, no FPU
 * needed). Its callers (LayerNorm's variance + eps, a head width) pass nothing else; any other
 * x comes back as it is, which is the root for ±0, +inf and NaN (not for a negative or a
 * denormal x). */
float atome_sqrtf(float x);
/* tanh(x) from atome_expf; the trainer folds a = tanh(a_raw) into the blob with it. */
float atome_tanhf(float x);
/* ln x: within 1 ulp of the correctly rounded result for every positive float (denormals too;
 * tests/test_kernels.c checks it against double log); -inf at ±0, +inf at +inf, NaN below 0. */
float atome_logf(float x);

#endif

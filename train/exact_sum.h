/* exact_sum.h — gradients summed over windows exactly, so that the sum cannot depend on the
 * order of its terms: not on the thread count, nor on which thread ran which window, nor on how
 * an update's windows are split into micro-batches or (later) over MPI ranks.
 *
 * Shapes: n elements; per element one 128-bit accumulator and, per thread, two int64 lanes.
 *
 * Each window's float gradient element g becomes the integer q = trunc(g·2^80) (toward zero),
 * held as q = hi·2^40 + lo with hi = trunc(g·2^40), |hi| < 2^50, and |lo| < 2^40; integers add
 * exactly in any order, so the total is a function of the set of windows alone. It is rounded
 * back to a float once, at the end (nearest, ties to even). A thread adds its windows' hi and
 * lo into its own int64 lanes (cheap, and vectorisable), which are folded into the 128-bit
 * accumulator before they could overflow.
 *
 * The bounds. |g| < 2^10 for every term: a window's gradient of the MEAN loss that large means
 * the run has diverged, and such a term (or a non-finite one) is left out and flagged instead,
 * so that the update ends as NaN and the run takes its NaN path. Then a lane takes 2^13 terms
 * (|hi| < 2^50 each) without overflow: EXACT_MAX_ADDS between folds. Each q is below 2^90, so
 * 2^32 terms (more windows than --batch 4096 × --accum 10^6 gives an update) stay below 2^122
 * in the 128-bit sum, which is added modulo 2^128 (unsigned; the true sum whatever the order).
 * What the fixed point drops: the parts of a window's term below 2^-80 (1e-24), far below a
 * float ulp of any gradient that moves a weight.
 */
#ifndef TRAIN_EXACT_SUM_H
#define TRAIN_EXACT_SUM_H
#include <stdint.h>

typedef unsigned __int128 exact_acc; /* two's complement of the signed fixed-point sum */

enum { EXACT_FRAC_BITS = 80, EXACT_TERM_LOG2 = 10, EXACT_MAX_ADDS = 1 << 13 };

/* hi[i] += trunc(g[i]·2^40), lo[i] += the rest in units of 2^-80 (truncated), for i < n: at most
 * EXACT_MAX_ADDS calls on the same lanes between exact_fold calls. Returns 0, or 1 if some g[i]
 * was not finite or |g[i]| >= 2^10 (that element left out; the caller records the flag). */
int exact_add(int64_t *hi, int64_t *lo, const float *g, long n);

/* acc[i] += hi[i]·2^40 + lo[i], then hi[i] = lo[i] = 0, for i < n. */
void exact_fold(exact_acc *acc, int64_t *hi, int64_t *lo, long n);

/* out[i] = acc[i]·2^-80 rounded to nearest float (ties to even), for i < n. */
void exact_to_float(float *out, const exact_acc *acc, long n);

#endif

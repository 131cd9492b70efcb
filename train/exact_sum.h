/* exact_sum.h — gradients summed over windows exactly, so that the sum cannot depend on the
 * order of its terms: not on the thread count, nor on which thread ran which window, nor (for
 * a run split over MPI ranks) on how the windows are split.
 *
 * Shapes: n elements; one accumulator element per gradient element.
 *
 * Each window's float gradient element g becomes the integer q = trunc(g·2^80) (toward zero)
 * in a signed 128-bit accumulator; integers add exactly in any order, so the total is a
 * function of the set of windows alone. It is turned back into a float once, at the end,
 * rounded to nearest (even). Why 2^80 and the bound |g| < 2^15 on every term: a term is then
 * below 2^95 in magnitude, and up to 2^32 terms (more windows than --batch 4096 × --accum 10^6
 * gives an update) stay below 2^127, so the true sum never overflows; the additions are done
 * modulo 2^128 (unsigned), which gives the true sum whatever the order as long as it fits.
 * What the fixed point drops: parts of a window's term below 2^-80 (1e-24), far below a float
 * ulp of any gradient that moves a weight. A term that is not finite or not below 2^15 (a
 * window's gradient of the MEAN loss that large means the run has diverged) sets the
 * accumulator's flag instead, and the sum comes back as NaN: the run's NaN path takes it.
 */
#ifndef TRAIN_EXACT_SUM_H
#define TRAIN_EXACT_SUM_H
#include <stdint.h>

typedef unsigned __int128 exact_acc; /* two's complement of the signed fixed-point sum */

enum { EXACT_FRAC_BITS = 80, EXACT_TERM_LOG2 = 15 };

/* acc[i] += trunc(g[i]·2^80) for i < n. Returns 0, or 1 if some g[i] was not finite or
 * |g[i]| >= 2^15 (that element is left out; the caller records the flag). */
int exact_add(exact_acc *acc, const float *g, long n);

/* out[i] = acc[i]·2^-80 rounded to nearest float (ties to even), for i < n. */
void exact_to_float(float *out, const exact_acc *acc, long n);

#endif

/* grad_util.h — helpers of the gradient tests (test_grad.c, test_grad_model.c, test_vanilla.c).
 *
 * A backward is checked against central finite differences of a double-precision function
 * of the same inputs: d f/d theta_i ~ (f(theta + e_i·eps) - f(theta - e_i·eps)) / (2·eps).
 */
#ifndef TESTS_GRAD_UTIL_H
#define TESTS_GRAD_UTIL_H
#include <stdint.h>
#include "../common/atome_blob.h"
#include "../common/atome_rng.h"

/* Uniform in [lo, hi), rounded to float so the float kernels and the double reference see
 * the same point. */
float grad_uniform(atome_rng *r, float lo, float hi);

/* A random ternary matrix [rows, cols] packed the blob's way, value = scale·trit; the packed
 * bytes and the scale live in *mem (free it). */
atome_tmat grad_tmat(int rows, int cols, float scale, atome_rng *r, uint8_t **mem);

/* x[n] uniform in [lo, hi) (grad_uniform); d[n] = f[n] widened to double. */
void grad_fill(float *x, long n, atome_rng *r, float lo, float hi);
void grad_to_double(double *d, const float *f, long n);

/* A forward and its double reference agree to float rounding: every |got_i - want_i| within
 * rtol of the largest |want_i|. */
void grad_assert_close(const char *what, const float *got, const double *want, long n, double rtol);

typedef double (*grad_fn)(const double *theta, const void *ctx);

/* fd[i] = central difference of f at theta along e_i, for i in [from, from + n). theta is
 * restored on return. */
void grad_fd(grad_fn f, double *theta, const void *ctx, int from, int n, double eps, double *fd);

/* Largest |a_i - fd_i| over the largest |fd_i| (a scale-free error of a whole gradient), and
 * fails the test if it exceeds tol, or if fd is all zero (a check of nothing). */
double grad_check(const char *what, const float *a, const double *fd, int n, double tol);

#endif

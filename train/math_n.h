/* math_n.h — atome_expf and atome_tanhf (common/atome_math.h) over arrays, the same bits (y may
 * alias x), in loops the compiler vectorises: the trainer's softmaxes, cross-entropies and GELUs
 * take n of them at a time. And the trainer's one double function, exp2_d. */
#ifndef TRAIN_MATH_N_H
#define TRAIN_MATH_N_H

void expf_n(float *y, const float *x, int n);
void tanhf_n(float *y, const float *x, int n);

/* 2^x in double from + - * / only (libm's exp2 may pick its code by the CPU): the perplexity
 * atome-train prints and logs, 2^bpb, is then the same digits everywhere. Within 2 ulp for
 * |x| <= 1000; +inf above 1023, 0 below -1022, NaN for NaN. */
double exp2_d(double x);

#endif

/* math_n.h — atome_expf and atome_tanhf (common/atome_math.h) over arrays, the same bits (y may
 * alias x), in loops the compiler vectorises: the trainer's softmaxes, cross-entropies and GELUs
 * take n of them at a time. */
#ifndef TRAIN_MATH_N_H
#define TRAIN_MATH_N_H

void expf_n(float *y, const float *x, int n);
void tanhf_n(float *y, const float *x, int n);

#endif

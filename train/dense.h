/* dense.h — the trainer's two dense float products (the backward of a matmul), in our own code
 * so that their bits are the same on every CPU.
 *
 * Shapes: T rows (positions), R × C a matrix, ld the row stride of dy in floats (ld >= R).
 *   dense_dx:  dx[T, C] += dy[T, R] · W[R, C]
 *   dense_dw:  dW[R, C] += dy[T, R]^T · x[T, C]
 *
 * Summation order, the same on every path: each output element is a sum s that starts at +0
 * and adds its products in ascending order of the summed index (r for dx, t for dw), each
 * product rounded to float before it is added (no FMA); the old value is added LAST
 * (out = out + s). Vectors run across outputs (along C), never along a sum, so the vector width
 * a path uses cannot change a bit, and the scalar tail does the same operations.
 *
 * Paths: on x86-64 the kernel is compiled three times (baseline SSE2, AVX2, AVX-512F; never
 * FMA) and dense_choose picks one at start-up by __builtin_cpu_supports, or the one named by
 * ATOME_CPU=generic|avx2|avx512 (so a test can run each); elsewhere there is only "generic".
 * They give the same bits; only the speed differs. (OpenBLAS, whose kernel is chosen by the
 * CPU at run time, remains only in the vanilla FP32 baseline, train/vanilla*.c.)
 */
#ifndef TRAIN_DENSE_H
#define TRAIN_DENSE_H

/* Selects the path: want NULL or "" for the best this CPU runs, else "generic", "avx2" or
 * "avx512". Returns 0, or -1 with one line in err (an unknown name, or a path this CPU or build
 * lacks), leaving the selection unchanged. Call it before any thread runs the kernels; without
 * a call, the first kernel call selects as dense_choose(getenv("ATOME_CPU")) would, falling
 * back to the best path if that fails. */
int dense_choose(const char *want, char *err, unsigned long n);
/* The selected path's name ("generic", "avx2", "avx512"), selecting it first if needed. */
const char *dense_path(void);

void dense_dx(float *dx, const float *dy, int ld, const float *w, int T, int R, int C);
void dense_dw(float *dw, const float *dy, int ld, const float *x, int T, int R, int C);

#endif

/* atome_math.h — the project's own float functions.
 *
 * Only + - * / and integer bit manipulation, so every target that rounds IEEE 754
 * single precision correctly (x86-64 SSE, Cortex-M FPU or libgcc soft-float, RISC-V)
 * produces the same bits. Build with -ffp-contract=off: a fused multiply-add would
 * round once where this code rounds twice.
 */
#ifndef ATOME_MATH_H
#define ATOME_MATH_H

/* e^x, about 1 ulp; returns 0 below -87.3 (no denormals) and saturates x at 88. */
float atome_expf(float x);
/* Correctly rounded square root of a positive normal float (integer algorithm, no FPU
 * needed); 0 for x <= 0 or denormal x, x itself for +inf and NaN. */
float atome_sqrtf(float x);
/* tanh(x) from atome_expf; the trainer folds a = tanh(a_raw) into the blob with it. */
float atome_tanhf(float x);

#endif

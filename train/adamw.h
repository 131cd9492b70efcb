/* adamw.h — the optimizer: AdamW, the learning-rate schedule, gradient clipping and accumulation.
 *
 * Shapes: P parameters (atome_param_count), one flat array each for weights, gradient and
 * the two Adam moments, all in the layout of model_params_bind.
 *
 * Every reduction here (the global gradient norm) runs in index order on one thread, and
 * every other loop is elementwise, so the result is the same bits for any thread count.
 * Of libm only sqrt and sqrtf, which IEEE 754 requires correctly rounded (the same bits on every
 * CPU); the schedule's cosine and the bias corrections' powers, which libm would compute with
 * code it picks by the CPU, are computed here from + - * /.
 */
#ifndef TRAIN_ADAMW_H
#define TRAIN_ADAMW_H
#include <stdint.h>
#include "../common/atome_config.h"

/* Doubles as given by the user: 1 − β is formed before rounding to float, so β2 = 0.999 gives
 * 1 − β2 = 0.001f, not 1 − 0.999f (which is 1.3e-5 off). */
typedef struct {
    double beta1, beta2, eps, weight_decay;
} adamw_config;

/* One AdamW update at step t (1-based, for the bias corrections), learning rate lr.
 * Decoupled weight decay (Loshchilov & Hutter), as PyTorch's AdamW:
 *   w ← w − lr·wd·w  (only where decay[i] is 1),  m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,
 *   w ← w − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + eps) */
void adamw_update(float *w, const float *g, float *m, float *v, const uint8_t *decay, long n, long t,
                  double lr, const adamw_config *h);

/* decay[P]: 1 for the ternary matrices (embedding, conv, wq, wk, wv, router, unembed), 0 for
 * LayerNorm gains and biases and the SSM's a_raw, b, c: those set scales and time constants,
 * and pulling them to 0 would fight what they encode rather than regularise it. */
void adamw_decay_mask(uint8_t *decay, const atome_config *c);

enum { SCHED_COSINE = 0, SCHED_CONSTANT = 1 };

/* Learning rate of update `step` (0-based) of `steps`: linear warmup from lr/warmup to lr over
 * the first `warmup` updates, then constant, or a half cosine from lr down to lr·final_frac at
 * the last update. */
double lr_at(long step, long steps, long warmup, double lr, double final_frac, int schedule);

/* cos(π·x) for x in [0, 1], by a Taylor series (no libm, the same bits on any IEEE machine). */
double cos_pi(double x);

/* b^t by binary powering (t >= 0). */
double pow_int(double b, long t);

/* √(Σ g²), summed in double in index order. */
double grad_norm(const float *g, long n);

/* If clip > 0 and norm > clip, scales g by clip/norm; returns the factor applied (1 if none). */
float grad_clip(float *g, long n, double norm, double clip);

/* acc[i] += g[i] (gradient accumulation: micro-batches added in the order they ran). */
void grad_add(float *acc, const float *g, long n);
/* g[i] *= s */
void grad_scale(float *g, long n, float s);

#endif

/* ops_backward.h — the backward twin of each forward kernel of common/atome_ops.h, and the loss.
 *
 * Shapes: T rows (positions of one sequence, row t = position t), D d_model, Dh d_head,
 * R × C a matrix, V vocab, n a vector length, ld a row stride in floats.
 *
 * Every xxx_backward inverts the xxx_forward of the same stem: given the gradient of the loss
 * with respect to the forward's outputs it ADDS (+=) the gradient with respect to the
 * forward's inputs and parameters, so callers zero what they accumulate into. Vector lengths
 * (n, D) are at most ATOME_MAX_D, as the model's are: some kernels keep a row on the stack.
 *
 * Straight-through estimator (BitNet b1.58): every quantiser is the identity in the backward.
 * A ternary matrix appears here dequantised, W~ = scale·trit (tmat_dequant), an int8 vector
 * as x~ = scale·int8 (quant8_dequant); the gradient with respect to W~ is the gradient with
 * respect to the FP32 master weight (the absmean scale is held constant), and the gradient
 * with respect to x~ is the gradient with respect to the float x before quant8_forward.
 */
#ifndef TRAIN_OPS_BACKWARD_H
#define TRAIN_OPS_BACKWARD_H
#include <stdint.h>
#include "../common/atome_ops.h"

/* Sums in a fixed order that vectorises without -ffast-math: 8 partial sums (lane k takes
 * the elements i = k mod 8), combined pairwise. The order is this code's, not the compiler's,
 * so the bits do not depend on the target's vector width. */
static inline float bwd_combine8(const float *acc) {
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}
static inline float bwd_dot(const float *a, const float *b, int n) {
    float acc[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) acc[k] += a[i + k] * b[i + k];
    for (int k = 0; i < n; i++, k++) acc[k] += a[i] * b[i];
    return bwd_combine8(acc);
}
static inline float bwd_sum(const float *a, int n) {
    float acc[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) acc[k] += a[i + k];
    for (int k = 0; i < n; i++, k++) acc[k] += a[i];
    return bwd_combine8(acc);
}

/* w[R, C] = scale·trit(r, c): the float matrix the ternary matmul multiplies by. */
void tmat_dequant(float *w, const atome_tmat *m);
/* x[n] = scale·q[n]. */
void quant8_dequant(float *x, const int8_t *q, float scale, int n);

/* Inverts embed_forward: demb[V, D] row `token` += dx[D] (only that row was read). */
void embed_backward(float *demb, const float *dx, int token, int D);

/* Inverts layernorm_forward at one row, from the mean and 1/std it saved:
 * dx[n] += d/dx, dg[n] += dout·x^, db[n] += dout, with x^ = (x - mean)·rstd. */
void layernorm_backward(float *dx, float *dg, float *db, const float *dout, const float *x, float mean,
                        float rstd, const float *g, int n);

/* Inverts quant8_forward: straight-through, dx[n] += dq[n]. */
void quant8_backward(float *dx, const float *dq, int n);

/* Inverts matmul_forward over T rows, y_t = W~ x~_t:
 *   dx[T, C] += dy[T, R] · W~[R, C]      (if dx not NULL)
 *   dw[R, C] += dy^T[R, T] · x~[T, C]    (if dw not NULL)
 * dy rows are ld floats apart (ld >= R), so one call can cover several matrices stacked by row.
 * The products are dense.h's: each element sums over r (dx) or t (dw) in ascending order and
 * then adds its old value, the same bits on every CPU and vector width. */
void matmul_backward(float *dx, float *dw, const float *dy, int ld, const float *w, const float *x, int T,
                     int R, int C);

/* Inverts conv_forward over T rows: y_t[i] = sum_j W~[i][j]·h_{t-4+j}[i] (rows before 0 absent).
 * dh[T, D] += through every tap, dw[D, 5] += dy·h. w is W~ [D, 5]. */
void conv_backward(float *dh, float *dw, const float *dy, const float *h, const float *w, int T, int D);

/* Inverts ssm_forward through time over T rows: s_t = a·s_{t-1} + h_t (s_{-1} = 0), y_t = g·s_t,
 * with a = tanh(a_raw) and g = b·c. s[T, D] are the states the forward saved, a and g the values
 * it used (from the blob), b and c the master values. Adds to dh[T, D], and to d_araw, db, dc [D]
 * via da_raw = da·(1 - a²), db = dg·c, dc = dg·b. */
void ssm_backward(float *dh, float *d_araw, float *db, float *dc, const float *dy, const float *s,
                  const float *a, const float *g, const float *b, const float *c, int T, int D);

/* Inverts attention_forward for one query, its arguments as the forward had them (sel, p and
 * the count it returned). Only the chosen keys and values receive a gradient (top-k picks
 * a set; it is piecewise constant). The candidate in ring row r gets dk[r·ld .. +Dh] and
 * dv[r·ld .. +D]; dq[Dh] is the gradient of the dequantised query. */
void attention_backward(float *dq, float *dk, float *dv, int ld, const float *dy, const int *sel,
                        const float *p, int chosen, const int8_t *q, float qs, const int8_t *k,
                        const float *ks, const int8_t *v, const float *vs, int first, int ring, int Dh,
                        int D, float inv_sqrt_dh);

/* Inverts router_forward (softmax over 3): dlogits[3] += r ⊙ (dr - r·dr). */
void router_backward(float *dlogits, const float *dr, const float *r);

/* The loss, which has no engine twin: probs[V] = softmax(logits) (max-subtracted, atome_expf,
 * summed in index order); returns -ln probs[target] computed as ln(sum) - (logit - max), ln by
 * atome_logf (libm's log may pick its code by the CPU). */
float crossentropy_forward(float *probs, const float *logits, int target, int V);
/* Inverts crossentropy_forward scaled by `scale` (1/number of predicted bytes for a mean):
 * dlogits[V] = scale·(probs - onehot(target)). Overwrites; dlogits may alias probs. */
void crossentropy_backward(float *dlogits, const float *probs, int target, float scale, int V);

#endif

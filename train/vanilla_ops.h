/* vanilla_ops.h — the ops of the vanilla GPT baseline that the routed-ternary model lacks,
 * each forward beside its backward (same stem), over the T positions of one sequence.
 *
 * Shapes: T rows (row t = position t), D d_model, H heads, Dh = D/H, F d_ff, R × C a matrix,
 * n a vector length, V vocab. qkv rows are [3D]: q in columns [0, D), k in [D, 2D), v in
 * [2D, 3D), head h in columns h·Dh .. h·Dh + Dh - 1 of each.
 *
 * These are float ops of the trainer only (a vanilla model never runs on the engine), so they
 * live in train/ rather than common/. They follow common/'s rules anyway: every float sum in
 * a fixed order, exp and tanh with the bits of common/atome_math.h's, no libm. Backwards
 * ADD (+=) into their gradient outputs, as in ops_backward.h.
 *
 * The ops the vanilla model shares with the routed-ternary one are not repeated here:
 * layernorm_forward (common/atome_ops.h) / layernorm_backward, matmul_backward and the
 * cross-entropy (train/ops_backward.h).
 */
#ifndef TRAIN_VANILLA_OPS_H
#define TRAIN_VANILLA_OPS_H
#include <stdint.h>

/* y[T, R] = x[T, C] · W[R, C]^T, float W: the float twin of matmul_forward. Its backward is
 * matmul_backward of ops_backward.h, whose math (y_t = W x_t) is exactly this one's.
 * OpenBLAS sgemm: call it with OpenBLAS at one thread for reproducible bits. */
void matmul_f32_forward(float *y, const float *x, const float *w, int T, int R, int C);

/* x[T, D] = wte[tok[t]] + wpe[t]: token plus learned positional embedding. */
void encoder_forward(float *x, const float *wte, const float *wpe, const uint8_t *tok, int T, int D);
/* Inverts encoder_forward: dwte row tok[t] += dx[t], dwpe row t += dx[t] (embed_backward twice). */
void encoder_backward(float *dwte, float *dwpe, const float *dx, const uint8_t *tok, int T, int D);

/* GELU, tanh form (GPT-2's): y = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), tanh by
 * tanhf_n (atome_tanhf's bits). th[n] saves the tanh for the backward. Within 1e-3
 * of the erf form everywhere. */
void gelu_forward(float *y, float *th, const float *x, int n);
/* Inverts gelu_forward: dx[n] += dy · (0.5·(1 + th) + 0.5·x·(1 - th²)·√(2/π)·(1 + 3·0.044715·x²)). */
void gelu_backward(float *dx, const float *dy, const float *x, const float *th, int n);

/* Causal multi-head softmax attention over T positions: for head h and position t,
 * p[h][t][u] = softmax over u <= t of scale·(q_t·k_u) (max-subtracted, atome_expf, summed u
 * ascending; p[h][t][u > t] = 0), y_t[h·Dh + i] = Σ_u p[h][t][u] · v_u[h·Dh + i].
 * qkv [T, 3D], p [H, T, T] saved for the backward, y [T, D]. The products are sgemm calls
 * (OpenBLAS at one thread for reproducible bits). */
void mha_forward(float *y, float *p, const float *qkv, int T, int D, int H, float scale);
/* Inverts mha_forward: dqkv[T, 3D] += the gradient with respect to q, k and v; ds [T, T] scratch.
 * With dp_u = dy_t·v_u and ds_u = p_u·(dp_u - Σ_w p_w·dp_w): dq_t += scale·Σ ds_u·k_u,
 * dk_u += scale·ds_u·q_t, dv_u += p_u·dy_t. */
void mha_backward(float *dqkv, float *ds, const float *dy, const float *qkv, const float *p, int T, int D,
                  int H, float scale);

#endif

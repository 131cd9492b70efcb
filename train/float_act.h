/* float_act.h — the --float-act ablation: the forward with float activations, and the backward
 * of the one op whose int8 form cannot serve it (attention over float q, k, v).
 *
 * Why this exists. The model the engine runs quantises to int8 every activation that enters an
 * integer product: h before Wq, Wk, Wv and the router, the final h before the unembedding, and
 * q, k, v before attention. To measure what that costs, atome-train --float-act trains the same
 * model with those activations left in float; the weights stay ternary (the same blob), and
 * every other op is unchanged. It is an ablation only: its logits are not what atome_step
 * computes, so such a model is never exported to the engine (no model.bin is written) and
 * nothing in common/ knows of it. That is also why these functions live in train/: common/
 * holds the one forward the engine and the trainer share, and this is not it.
 *
 * Each function is the twin of a common/ one, op for op, with every float sum in a fixed order
 * (so the same bits for any thread count). Where an op already takes float inputs
 * (layernorm_forward, conv_forward, ssm_forward, router_forward) it is called, not copied; the
 * matmul and attention are rewritten because their common/ forms take int8 inputs.
 *
 * Shapes: n positions, D d_model, Dh d_head, V vocab, R × C a ternary matrix, K = 5·row_bytes
 * its padded row, n_c attention candidates (at most W), ld a row stride in floats.
 */
#ifndef TRAIN_FLOAT_ACT_H
#define TRAIN_FLOAT_ACT_H
#include "../common/atome_rows.h"

/* Twin of matmul_rows_forward: y[t·ldy + r] = w.scale · Σ_c trit[r][c]·x[t·ldx + c], x float
 * [n][C], the sum over c in increasing c (in groups of four, as that function groups them).
 * dense is matmul_decode's [K][R]. */
void float_matmul_rows(float *y, int ldy, const atome_tmat *w, const float *dense, const float *x, int ldx, int n);

/* Twin of block_project_rows: LayerNorm, then the key, value, query and router-logit matmuls
 * on the float h. Uses a->h, ln_mean, ln_rstd, kf, vf, q, router_logits (hq, hs untouched). */
void float_project_rows(int n, const float *x_in, const atome_layer *w, const atome_layer_dense *wd,
                        const atome_config *c, const atome_block_acts *a);

/* Twin of attention_forward over float q [Dh] and the float key and value rows k [·][Dh],
 * v [·][D]; candidate j is row first + j (the trainer's window is its own cache, no ring).
 * score_j = (Σ_i q[i]·k_j[i], i increasing) · inv_sqrt_dh; the same top-k (descending, ties
 * to the earliest), the same softmax (max-subtracted, atome_expf, summed in order),
 * y[D] = Σ p_c·v_c in the chosen order. Returns how many were chosen. */
int float_attention_forward(float *y, int *sel, float *p, float *scores, const float *q, const float *k,
                            const float *v, int first, int n, int Dh, int D, float inv_sqrt_dh);

/* Inverts float_attention_forward for one query: dq[Dh] +=, and for each chosen candidate in
 * row r, dk[r·ld .. +Dh] += and dv[r·ld .. +D] += (attention_backward's layout). */
void float_attention_backward(float *dq, float *dk, float *dv, int ld, const float *dy, const int *sel,
                              const float *p, int chosen, const float *q, const float *k, const float *v, int first,
                              int Dh, int D, float inv_sqrt_dh);

/* Twin of block_mix at position pos: conv and SSM on h, float attention of a->q over the rows
 * 0..pos of k [·][Dh] and v [·][D] (position t in row t, as float_project_rows wrote them),
 * the router (ablated pathways masked by router_forward, as in block_mix), the mix. */
void float_block_mix(float *x_out, const float *x_in, const atome_layer *w, const atome_config *c, int pos,
                     const float *hist, const float *s_prev, float *s, const float *k, const float *v,
                     float inv_sqrt_dh, const atome_block_acts *a);

/* Twin of head_forward_rows: logits [n][V] = unembed · LN_f(x) with the float LN output.
 * Uses a->h, ln_mean, ln_rstd. */
void float_head_rows(int n, float *logits, const float *x, const atome_weights *w, const float *unemb_dense,
                     const atome_head_acts *a);

#endif

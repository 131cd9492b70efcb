/* float_act.h — the --float-act ablation: the forward with float activations, and the backward
 * of the one op whose int8 form cannot serve it (attention over float q, k, v).
 *
 * Why this exists. The model the engine runs quantises to int8 every activation that enters an
 * integer product: h before Wq, Wk, Wv and the router, the final h before the unembedding, and
 * q, k, v before attention. To measure what that costs, atome-train --float-act trains the same
 * model with those activations left in float; the weights stay ternary (the same blob), and
 * every other op is unchanged. It is an ablation only: its logits are not what atome_step
 * computes, so such a model is never exported to the engine (no model.bin is written) and
 * nothing in common/ knows of it.
 *
 * What it shares. float_block_forward is block_forward (common/atome_block.c) with two ops
 * swapped: it calls the common kernels layernorm_forward, conv_forward, ssm_forward,
 * attention_topk, router_forward and mix_forward, and has its own only where the common ones
 * take int8 inputs: the ternary matmul of float h (float_matmul) and the attention scores of
 * float q and k (float_attention_forward). Every float sum runs in a fixed order, vectorised
 * along outputs only, so the bits depend on neither the CPU nor the thread count.
 *
 * Shapes: D d_model, Dh d_head, V vocab, R × C a ternary matrix, n attention candidates (at
 * most W), ld a row stride in floats.
 */
#ifndef TRAIN_FLOAT_ACT_H
#define TRAIN_FLOAT_ACT_H
#include "../common/atome_block.h"

/* The ternary matrix w decoded to its trits as floats, transposed: dense[C][R] (dense[c·R + r]
 * = trit(r, c)), the layout float_matmul walks along r. */
void float_decode(float *dense, const atome_tmat *w);

/* y[r] = w.scale · Σ_c trit[r][c]·x[c], x float [C], dense from float_decode; the sum over c
 * in increasing c, in groups of four: ((t0·x0 + t1·x1) + (t2·x2 + t3·x3)) added to the partial
 * sum. */
void float_matmul(float *y, const atome_tmat *w, const float *dense, const float *x);

/* A layer's four matrices of block_forward's projection, decoded by float_decode. */
typedef struct {
    const float *wq, *wk, *wv, *router;
} float_act_layer;

/* Twin of attention_forward over float q [Dh] and the float key and value rows k [·][Dh],
 * v [·][D]; candidate j is row first + j (the trainer's window is its own cache, no ring).
 * score_j = (Σ_i q[i]·k_j[i], i increasing) · inv_sqrt_dh; the same choice and weights
 * (attention_topk), y[D] = Σ p_c·v_c in the chosen order. Returns how many were chosen. */
int float_attention_forward(float *y, int *sel, float *p, float *scores, const float *q, const float *k,
                            const float *v, int first, int n, int Dh, int D, float inv_sqrt_dh);

/* Inverts float_attention_forward for one query: dq[Dh] +=, and for each chosen candidate in
 * row r, dk[r·ld .. +Dh] += and dv[r·ld .. +D] += (attention_backward's layout). */
void float_attention_backward(float *dq, float *dk, float *dv, int ld, const float *dy, const int *sel,
                              const float *p, int chosen, const float *q, const float *k, const float *v, int first,
                              int Dh, int D, float inv_sqrt_dh);

/* Twin of block_forward at position pos, hist as there (row 4, h, written here). The key and
 * value of pos go to rows pos of k [·][Dh] and v [·][D] (the trainer keeps them, no ring), and
 * attention reads the rows before. Uses a's ln_mean, ln_rstd, yc, ys, ya, q, scores, att_*,
 * router_logits and router; hq, hs, qq, qs, kf, vf and lut stay untouched. */
void float_block_forward(float *x_out, const float *x_in, const atome_layer *w, const float_act_layer *wd,
                         const atome_config *c, int pos, float *hist, const float *s_prev, float *s, float *k,
                         float *v, float inv_sqrt_dh, const atome_block_acts *a);

/* Twin of head_forward: logits[V] = unembed · LN_f(x) with the float LN output. Uses a->h,
 * ln_mean, ln_rstd. unemb_dense is float_decode of the unembedding. */
void float_head_forward(float *logits, const float *x, const atome_weights *w, const float *unemb_dense,
                        const atome_head_acts *a);

#endif

/* float_act.c — the forward with float activations for the --float-act ablation, and its
 * attention backward (why it exists, what it shares with common/: float_act.h).
 *
 * Shapes: D d_model, Dh d_head, V vocab, R × C a ternary matrix, n attention candidates, ld a
 * row stride in floats.
 */
#include "float_act.h"
#include "ops_backward.h"

void float_decode(float *dense, const atome_tmat *w) {
    int rb = w->row_bytes, R = w->rows, C = w->cols;
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) /* column c is digit c / rb of byte c mod rb (atome_trits.h) */
            dense[(long)c * R + r] = (float)atome_trit(w->trits[(long)r * rb + c % rb], c / rb);
}

void float_matmul(float *y, const atome_tmat *w, const float *dense, const float *x) {
    /* Along r, no reduction: the compiler vectorises it, and each y[r] sees the same additions
     * in the same order on any CPU (no FMA: -ffp-contract=off). */
    int C = w->cols, R = w->rows;
    for (int r = 0; r < R; r++) y[r] = 0.0f;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
        const float *w0 = dense + (long)c * R, *w1 = w0 + R, *w2 = w1 + R, *w3 = w2 + R;
        float x0 = x[c], x1 = x[c + 1], x2 = x[c + 2], x3 = x[c + 3];
        for (int r = 0; r < R; r++) y[r] += (w0[r] * x0 + w1[r] * x1) + (w2[r] * x2 + w3[r] * x3);
    }
    for (; c < C; c++) {
        const float *wc = dense + (long)c * R, xv = x[c];
        for (int r = 0; r < R; r++) y[r] += wc[r] * xv;
    }
    float s = *w->scale;
    for (int r = 0; r < R; r++) y[r] = y[r] * s;
}

int float_attention_forward(float *y, int *sel, float *p, float *scores, const float *q, const float *k,
                            const float *v, int first, int n, int Dh, int D, float inv_sqrt_dh) {
    for (int j = 0; j < n; j++) {
        const float *kr = k + (long)(first + j) * Dh;
        float dot = 0.0f;
        for (int i = 0; i < Dh; i++) dot += q[i] * kr[i];
        scores[j] = dot * inv_sqrt_dh;
    }
    int chosen = attention_topk(sel, p, scores, n); /* attention_forward's choice and weights */
    for (int i = 0; i < D; i++) y[i] = 0.0f;
    for (int c = 0; c < chosen; c++) {
        const float *vr = v + (long)(first + sel[c]) * D;
        for (int i = 0; i < D; i++) y[i] += p[c] * vr[i];
    }
    return chosen;
}

/* Inverts float_attention_forward: y = Σ_c p_c·v_c, p = softmax of s_c = (q·k_c)·inv_sqrt_dh
 * over the chosen set (held constant). dp_c = dy·v_c, ds_c = p_c·(dp_c - Σ_e p_e·dp_e), then
 * dq += ds_c·inv·k_c, dk_c += ds_c·inv·q, dv_c += p_c·dy: attention_backward with every scale
 * 1 and the values read as they are. */
void float_attention_backward(float *dq, float *dk, float *dv, int ld, const float *dy, const int *sel,
                              const float *p, int chosen, const float *q, const float *k, const float *v, int first,
                              int Dh, int D, float inv_sqrt_dh) {
    float dp[ATOME_TOPK], pdp = 0.0f;
    for (int c = 0; c < chosen; c++) {
        int row = first + sel[c];
        float *dvr = dv + (long)row * ld;
        for (int i = 0; i < D; i++) dvr[i] += p[c] * dy[i];
        dp[c] = bwd_dot(dy, v + (long)row * D, D);
        pdp += p[c] * dp[c];
    }
    for (int c = 0; c < chosen; c++) {
        int row = first + sel[c];
        const float *kr = k + (long)row * Dh;
        float *dkr = dk + (long)row * ld;
        float ds = p[c] * (dp[c] - pdp) * inv_sqrt_dh;
        for (int i = 0; i < Dh; i++) {
            dq[i] += ds * kr[i];
            dkr[i] += ds * q[i];
        }
    }
}

void float_block_forward(float *x_out, const float *x_in, const atome_layer *w, const float_act_layer *wd,
                         const atome_config *c, int pos, float *hist, const float *s_prev, float *s, float *k,
                         float *v, float inv_sqrt_dh, const atome_block_acts *a) {
    int D = c->d_model, Dh = c->d_head;
    float *h = ATOME_HIST_NOW(hist, D);
    /* block_forward's order: LN, then k, v, q, router from h, float where it has int8 */
    layernorm_forward(h, a->ln_mean, a->ln_rstd, x_in, w->ln_g, w->ln_b, D);
    float_matmul(k + (long)pos * Dh, &w->wk, wd->wk, h);
    float_matmul(v + (long)pos * D, &w->wv, wd->wv, h);
    float_matmul(a->q, &w->wq, wd->wq, h);
    float_matmul(a->router_logits, &w->router, wd->router, h);

    conv_forward(a->yc, &w->conv, hist, D);
    ssm_forward(a->ys, s, s_prev, h, w->ssm_a, w->ssm_g, D);
    int n = pos + 1 < c->window ? pos + 1 : c->window;
    *a->att_first = pos + 1 - n;
    *a->att_n = float_attention_forward(a->ya, a->att_sel, a->att_p, a->scores, a->q, k, v, *a->att_first, n, Dh,
                                        D, inv_sqrt_dh);
    router_forward(a->router, a->router_logits, c->flags);
    mix_forward(x_out, x_in, a->router, a->yc, a->ys, a->ya, D);
}

void float_head_forward(float *logits, const float *x, const atome_weights *w, const float *unemb_dense,
                        const atome_head_acts *a) {
    layernorm_forward(a->h, a->ln_mean, a->ln_rstd, x, w->lnf_g, w->lnf_b, w->cfg.d_model);
    float_matmul(logits, &w->unemb, unemb_dense, a->h);
}

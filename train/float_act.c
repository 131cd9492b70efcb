/* float_act.c — the forward with float activations for the --float-act ablation, and its
 * attention backward (why it exists, and the contract: float_act.h).
 *
 * Shapes: n positions, D d_model, Dh d_head, V vocab, R × C a ternary matrix, n_c attention
 * candidates, ld a row stride in floats.
 */
#include "float_act.h"
#include "ops_backward.h"

#if defined(__x86_64__) && defined(__GNUC__)
/* As matmul_rows_forward: an AVX2 clone where the CPU has it. The loop runs along r with no
 * reduction, so each y[r] sees the same additions in the same order on either path (and with
 * -ffp-contract=off no FMA): the same bits. */
__attribute__((target_clones("avx2", "default")))
#endif
void float_matmul_rows(float *y, int ldy, const atome_tmat *w, const float *dense, const float *x, int ldx,
                       int n) {
    /* Only the C real columns: dense rows past C hold the padding digits, 0 trits, which add
     * nothing on the int8 path and this one simply skips. */
    int C = w->cols, R = w->rows;
    for (int t = 0; t < n; t++) {
        const float *xt = x + (long)t * ldx;
        float *yt = y + (long)t * ldy;
        for (int r = 0; r < R; r++) yt[r] = 0.0f;
        int c = 0;
        for (; c + 4 <= C; c += 4) {
            const float *w0 = dense + (long)c * R, *w1 = w0 + R, *w2 = w1 + R, *w3 = w2 + R;
            float x0 = xt[c], x1 = xt[c + 1], x2 = xt[c + 2], x3 = xt[c + 3];
            for (int r = 0; r < R; r++) yt[r] += (w0[r] * x0 + w1[r] * x1) + (w2[r] * x2 + w3[r] * x3);
        }
        for (; c < C; c++) {
            const float *wc = dense + (long)c * R, xv = xt[c];
            for (int r = 0; r < R; r++) yt[r] += wc[r] * xv;
        }
        float s = *w->scale;
        for (int r = 0; r < R; r++) yt[r] = yt[r] * s;
    }
}

void float_project_rows(int n, const float *x_in, const atome_layer *w, const atome_layer_dense *wd,
                        const atome_config *c, const atome_block_acts *a) {
    int D = c->d_model, Dh = c->d_head;
    for (int t = 0; t < n; t++)
        layernorm_forward(a->h + (long)t * D, a->ln_mean + t, a->ln_rstd + t, x_in + (long)t * D, w->ln_g, w->ln_b, D);
    /* the order of block_project_rows: k, v, q, router */
    float_matmul_rows(a->kf, Dh, &w->wk, wd->wk, a->h, D, n);
    float_matmul_rows(a->vf, D, &w->wv, wd->wv, a->h, D, n);
    float_matmul_rows(a->q, Dh, &w->wq, wd->wq, a->h, D, n);
    float_matmul_rows(a->router_logits, 3, &w->router, wd->router, a->h, D, n);
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

void float_block_mix(float *x_out, const float *x_in, const atome_layer *w, const atome_config *c, int pos,
                     const float *hist, const float *s_prev, float *s, const float *k, const float *v,
                     float inv_sqrt_dh, const atome_block_acts *a) {
    int D = c->d_model, Dh = c->d_head;
    conv_forward(a->yc, &w->conv, hist, D);
    ssm_forward(a->ys, s, s_prev, a->h, w->ssm_a, w->ssm_g, D);

    int n = pos + 1 < c->window ? pos + 1 : c->window;
    *a->att_first = pos + 1 - n;
    *a->att_n = float_attention_forward(a->ya, a->att_sel, a->att_p, a->scores, a->q, k, v, *a->att_first, n, Dh,
                                        D, inv_sqrt_dh);

    router_forward(a->router, a->router_logits, c->flags);

    float r0 = a->router[0], r1 = a->router[1], r2 = a->router[2];
    for (int i = 0; i < D; i++) x_out[i] = x_in[i] + ((r0 * a->yc[i] + r1 * a->ys[i]) + r2 * a->ya[i]);
}

void float_head_rows(int n, float *logits, const float *x, const atome_weights *w, const float *unemb_dense,
                     const atome_head_acts *a) {
    int D = w->cfg.d_model;
    for (int t = 0; t < n; t++)
        layernorm_forward(a->h + (long)t * D, a->ln_mean + t, a->ln_rstd + t, x + (long)t * D, w->lnf_g, w->lnf_b, D);
    float_matmul_rows(logits, w->cfg.vocab, &w->unemb, unemb_dense, a->h, D, n);
}

/* atome_rows.c — the window forms of block_project and head_forward (contract in atome_rows.h). */
#include "atome_rows.h"

void matmul_decode(float *dense, const atome_tmat *w) {
    int rb = w->row_bytes, R = w->rows;
    for (int r = 0; r < R; r++)
        for (int p = 0; p < 5; p++)
            for (int j = 0; j < rb; j++)
                dense[((long)p * rb + j) * R + r] = (float)atome_trit(w->trits[(long)r * rb + j], p);
}

#if defined(__x86_64__) && defined(__GNUC__)
/* an AVX2 clone where the CPU has it: exact sums, so the same bits on either path */
__attribute__((target_clones("avx2", "default")))
#endif
void matmul_rows_forward(float *y, int ldy, const atome_tmat *w, const float *dense, const int8_t *x, int ldx,
                         const float *xs, int n) {
    int K = 5 * w->row_bytes, R = w->rows;
    for (int t = 0; t < n; t++) {
        const int8_t *xt = x + (long)t * ldx;
        float *yt = y + (long)t * ldy;
        for (int r = 0; r < R; r++) yt[r] = 0.0f;
        /* Along r, four inputs at a time: no reduction, so the compiler vectorises it; the sums
         * are exact, so grouping the four changes no bit. */
        int c = 0;
        for (; c + 4 <= K; c += 4) {
            const float *w0 = dense + (long)c * R, *w1 = w0 + R, *w2 = w1 + R, *w3 = w2 + R;
            float x0 = (float)xt[c], x1 = (float)xt[c + 1], x2 = (float)xt[c + 2], x3 = (float)xt[c + 3];
            for (int r = 0; r < R; r++) yt[r] += (w0[r] * x0 + w1[r] * x1) + (w2[r] * x2 + w3[r] * x3);
        }
        for (; c < K; c++) {
            const float *wc = dense + (long)c * R, xv = (float)xt[c];
            for (int r = 0; r < R; r++) yt[r] += wc[r] * xv;
        }
        float s = *w->scale * xs[t];
        for (int r = 0; r < R; r++) yt[r] = yt[r] * s;
    }
}

/* LN and int8 h of each row, as block_project and head_forward compute them. */
static void norm_rows(int n, const float *x, const float *g, const float *b, int D, float *h, float *mean,
                      float *rstd, int8_t *hq, float *hs) {
    int DP = ATOME_PAD5(D);
    for (int t = 0; t < n; t++) {
        layernorm_forward(h + (long)t * D, mean + t, rstd + t, x + (long)t * D, g, b, D);
        quant8_forward(hq + (long)t * DP, hs + t, h + (long)t * D, D);
    }
}

void block_project_rows(int n, const float *x_in, const atome_layer *w, const atome_layer_dense *wd,
                        const atome_config *c, const atome_block_acts *a) {
    int D = c->d_model, DP = ATOME_PAD5(D), Dh = c->d_head;
    norm_rows(n, x_in, w->ln_g, w->ln_b, D, a->h, a->ln_mean, a->ln_rstd, a->hq, a->hs);
    matmul_rows_forward(a->kf, Dh, &w->wk, wd->wk, a->hq, DP, a->hs, n);
    matmul_rows_forward(a->vf, D, &w->wv, wd->wv, a->hq, DP, a->hs, n);
    matmul_rows_forward(a->q, Dh, &w->wq, wd->wq, a->hq, DP, a->hs, n);
    matmul_rows_forward(a->router_logits, 3, &w->router, wd->router, a->hq, DP, a->hs, n);
}

void head_forward_rows(int n, float *logits, const float *x, const atome_weights *w, const float *unemb_dense,
                       const atome_head_acts *a) {
    int D = w->cfg.d_model;
    norm_rows(n, x, w->lnf_g, w->lnf_b, D, a->h, a->ln_mean, a->ln_rstd, a->hq, a->hs);
    matmul_rows_forward(logits, w->cfg.vocab, &w->unemb, unemb_dense, a->hq, ATOME_PAD5(D), a->hs, n);
}

/* atome_block.c — a pre-norm routed block and the output head (shapes in atome_block.h). */
#include "atome_block.h"
#ifdef ATOME_FAST_LUT
#include "atome_fast.h"
#endif

/* Up to ATOME_LUT_ROWS input vectors feed several matrices: with a lookup table, build it once
 * for all of them. */
static const int16_t *prepare(const int8_t *xq, int16_t *lut, int cols, int n) {
#ifdef ATOME_LUT
    if (lut) matmul_lut(lut, xq, ATOME_ROW_BYTES(cols), n);
    return lut;
#elif defined(ATOME_FAST_LUT)
    if (lut && n == 1) fast_lut_build((uint16_t *)lut, xq, ATOME_ROW_BYTES(cols)); /* the speed build's */
    return n == 1 ? lut : 0;
#else
    (void)xq, (void)lut, (void)cols, (void)n;
    return 0;
#endif
}

/* Positions a table serves at once: the matmul's vectors per call. */
#ifdef ATOME_LUT
#define CHUNK ATOME_LUT_ROWS
#else
#define CHUNK 1
#endif

/* h[t] = LN(x[t]), hq[t] = int8(h[t]) for the n rows [n][D] (hq rows DP apart): the start of a
 * block and of the head. */
static void norm_rows(int n, const float *x, const ATOME_ROM float *g, const ATOME_ROM float *b, int D, float *h,
                      float *mean, float *rstd, int8_t *hq, float *hs) {
    for (int t = 0; t < n; t++) {
        layernorm_forward(h + (long)t * D, mean + t, rstd + t, x + (long)t * D, g, b, D);
        quant8_forward(hq + (long)t * ATOME_PAD5(D), hs + t, h + (long)t * D, D);
    }
}

void block_project(int n, const float *x_in, float *h, const atome_layer *w, const atome_config *c,
                   const atome_block_acts *a) {
    int D = c->d_model, DP = ATOME_PAD5(D), Dh = c->d_head;
    norm_rows(n, x_in, w->ln_g, w->ln_b, D, h, a->ln_mean, a->ln_rstd, a->hq, a->hs);
#ifdef ATOME_FAST_SPLIT
    if (n == 1 && a->lut && 2 * Dh + D + 3 < ATOME_FAST_SPLIT_ROWS) {
        uint16_t *split = (uint16_t *)a->lut; /* in the full table's room: the head rebuilds that */
        fast_split_build(split, a->hq, ATOME_ROW_BYTES(D));
        matmul_split_forward(a->kf, &w->wk, split, a->hs);
        matmul_split_forward(a->vf, &w->wv, split, a->hs);
        matmul_split_forward(a->q, &w->wq, split, a->hs);
        matmul_split_forward(a->router_logits, &w->router, split, a->hs);
        return;
    }
#endif
    for (int t0 = 0; t0 < n; t0 += CHUNK) {
        int m = n - t0 < CHUNK ? n - t0 : CHUNK;
        const int8_t *hq = a->hq + (long)t0 * DP;
        const int16_t *lut = prepare(hq, a->lut, D, m);
        matmul_forward(a->kf + (long)t0 * Dh, &w->wk, hq, a->hs + t0, m, lut);
        matmul_forward(a->vf + (long)t0 * D, &w->wv, hq, a->hs + t0, m, lut);
        matmul_forward(a->q + (long)t0 * Dh, &w->wq, hq, a->hs + t0, m, lut);
        matmul_forward(a->router_logits + 3L * t0, &w->router, hq, a->hs + t0, m, lut);
    }
}

void block_mix(float *x_out, const float *x_in, const atome_layer *w, const atome_config *c, int pos,
               const float *hist, const float *s_prev, float *s, atome_kv *kv, float inv_sqrt_dh,
               const atome_block_acts *a) {
    int D = c->d_model, Dh = c->d_head;
    conv_forward(a->yc, &w->conv, hist, D);
    ssm_forward(a->ys, s, s_prev, ATOME_HIST_NOW(hist, D), w->ssm_a, w->ssm_g, D);
    int row = pos % kv->ring;
    quant8_forward(kv->k + (long)row * Dh, &kv->k_scale[row], a->kf, Dh);
    quant8_forward(kv->v + (long)row * D, &kv->v_scale[row], a->vf, D);
    quant8_forward(a->qq, a->qs, a->q, Dh);
    int n = pos + 1 < c->window ? pos + 1 : c->window;
    *a->att_first = pos + 1 - n;
    int row0 = (pos + 1 - n) % kv->ring; /* the oldest candidate's ring row */
    *a->att_n = attention_forward(a->ya, a->att_sel, a->att_p, a->scores, a->qq, *a->qs, kv->k, kv->k_scale,
                                  kv->v, kv->v_scale, row0, n, kv->ring, Dh, D, inv_sqrt_dh);
    router_forward(a->router, a->router_logits, c->flags);
    mix_forward(x_out, x_in, a->router, a->yc, a->ys, a->ya, D);
}

void block_forward(float *x_out, const float *x_in, const atome_layer *w, const atome_config *c, int pos,
                   float *hist, const float *s_prev, float *s, atome_kv *kv, float inv_sqrt_dh,
                   const atome_block_acts *a) {
    block_project(1, x_in, ATOME_HIST_NOW(hist, c->d_model), w, c, a);
    block_mix(x_out, x_in, w, c, pos, hist, s_prev, s, kv, inv_sqrt_dh, a);
}

void head_forward(int n, float *logits, const float *x, const atome_weights *w, const atome_head_acts *a) {
    int D = w->cfg.d_model, DP = ATOME_PAD5(D), V = w->unemb.rows; /* C for a classifier */
    norm_rows(n, x, w->lnf_g, w->lnf_b, D, a->h, a->ln_mean, a->ln_rstd, a->hq, a->hs);
    for (int t0 = 0; t0 < n; t0 += CHUNK) {
        int m = n - t0 < CHUNK ? n - t0 : CHUNK;
        const int8_t *hq = a->hq + (long)t0 * DP;
        matmul_forward(logits + (long)t0 * V, &w->unemb, hq, a->hs + t0, m, prepare(hq, a->lut, D, m));
    }
}

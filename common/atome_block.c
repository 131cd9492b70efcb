/* atome_block.c — a pre-norm routed block and the output head (shapes in atome_block.h). */
#include "atome_block.h"

/* One input vector feeds several matrices: with a lookup table, build it once for all. */
static const int16_t *prepare(const int8_t *xq, int16_t *lut, int cols) {
#ifdef ATOME_LUT
    if (lut) matmul_lut(lut, xq, ATOME_ROW_BYTES(cols));
    return lut;
#else
    (void)xq, (void)lut, (void)cols;
    return 0;
#endif
}

void block_forward(float *x_out, const float *x_in, const atome_layer *w, const atome_config *c, int pos,
                   float *hist, const float *s_prev, float *s, atome_kv *kv, float inv_sqrt_dh,
                   const atome_block_acts *a) {
    int D = c->d_model, Dh = c->d_head;
    float *h = ATOME_HIST_NOW(hist, D);
    /* What depends on x_in alone: LN, int8 h, the key, value, query and router-logit matmuls. */
    layernorm_forward(h, a->ln_mean, a->ln_rstd, x_in, w->ln_g, w->ln_b, D);
    quant8_forward(a->hq, a->hs, h, D);
    const int16_t *lut = prepare(a->hq, a->lut, D);
    matmul_forward(a->kf, &w->wk, a->hq, *a->hs, lut);
    matmul_forward(a->vf, &w->wv, a->hq, *a->hs, lut);
    matmul_forward(a->q, &w->wq, a->hq, *a->hs, lut);
    matmul_forward(a->router_logits, &w->router, a->hq, *a->hs, lut);

    /* The three pathways at pos. */
    conv_forward(a->yc, &w->conv, hist, D);
    ssm_forward(a->ys, s, s_prev, h, w->ssm_a, w->ssm_g, D);
    int row = pos % kv->ring;
    quant8_forward(kv->k + (long)row * Dh, &kv->k_scale[row], a->kf, Dh);
    quant8_forward(kv->v + (long)row * D, &kv->v_scale[row], a->vf, D);
    quant8_forward(a->qq, a->qs, a->q, Dh);
    int n = pos + 1 < c->window ? pos + 1 : c->window;
    *a->att_first = pos + 1 - n;
    int row0 = row + 1 - n < 0 ? row + 1 - n + kv->ring : row + 1 - n; /* the oldest's: first mod ring */
    *a->att_n = attention_forward(a->ya, a->att_sel, a->att_p, a->scores, a->qq, *a->qs, kv->k, kv->k_scale,
                                  kv->v, kv->v_scale, row0, n, kv->ring, Dh, D, inv_sqrt_dh);

    router_forward(a->router, a->router_logits, c->flags);
    mix_forward(x_out, x_in, a->router, a->yc, a->ys, a->ya, D);
}

void head_forward(float *logits, const float *x, const atome_weights *w, const atome_head_acts *a) {
    int D = w->cfg.d_model;
    layernorm_forward(a->h, a->ln_mean, a->ln_rstd, x, w->lnf_g, w->lnf_b, D);
    quant8_forward(a->hq, a->hs, a->h, D);
    matmul_forward(logits, &w->unemb, a->hq, *a->hs, prepare(a->hq, a->lut, D));
}

/* block_backward.c — backward of a block and of the head over one sequence (block_backward.h).
 *
 * Shapes: T positions, D d_model, DP = ATOME_PAD5(D), Dh d_head, V vocab, NC = 2·Dh + D + 3;
 * dy columns: [0, Dh) query, [Dh, 2Dh) key, [2Dh, 2Dh + D) value, then 3 router logits.
 */
#include "block_backward.h"
#include <string.h>
#include "float_act.h"
#include "ops_backward.h"

/* Inverts x_out = x_in + ((r0·yc + r1·ys) + r2·ya) (the last line of block_forward). */
void residual_backward(float *dyc, float *dys, float *dya, float *dr, const float *dout, const float *yc,
                       const float *ys, const float *ya, const float *r, int D) {
    dr[0] = bwd_dot(dout, yc, D), dr[1] = bwd_dot(dout, ys, D), dr[2] = bwd_dot(dout, ya, D);
    for (int i = 0; i < D; i++) dyc[i] = r[0] * dout[i], dys[i] = r[1] * dout[i], dya[i] = r[2] * dout[i];
}

/* Inverts block_forward, in the reverse order of its steps: the mix, the router and
 * attention (into dy), the four matmuls from h~ (one dense product each way over the T rows), the
 * conv and the SSM (into dh), then the LayerNorm back onto the residual stream. */
void block_backward(float *dx, const layer_params *g, const block_weights *w, const block_saved *a,
                    const block_scratch *s, const atome_config *c, int T, float inv_sqrt_dh) {
    int D = c->d_model, Dh = c->d_head, DP = ATOME_PAD5(D), NC = 2 * Dh + D + 3, ld = s->ld;
    size_t td = (size_t)T * D * sizeof(float);
    memset(s->dh, 0, td);
    memset(s->dy, 0, (size_t)T * ld * sizeof(float));

    for (int t = 0; t < T; t++) {
        const float *r = a->router + (long)t * a->router_ld;
        long o = (long)t * D;
        float dr[3];
        residual_backward(s->dyc + o, s->dys + o, s->dya + o, dr, dx + o, a->yc + o, a->ys + o, a->ya + o, r, D);
        router_backward(s->dy + (long)t * ld + 2 * Dh + D, dr, r);
    }
    /* The query, and the cached key and value rows, were quantised by quant8_forward after
     * their matmul: straight through, their gradients land in dy as they are. (After the
     * --float-act forward they were not quantised; their float twin reads the floats.) */
    for (int t = 0; t < T; t++)
        if (a->qf)
            float_attention_backward(s->dy + (long)t * ld, s->dy + Dh, s->dy + 2 * Dh, ld, s->dya + (long)t * D,
                                     a->sel + (long)t * ATOME_TOPK, a->p + (long)t * ATOME_TOPK, a->n[t],
                                     a->qf + (long)t * Dh, a->kf, a->vf, a->first[t], Dh, D, inv_sqrt_dh);
        else
            attention_backward(s->dy + (long)t * ld, s->dy + Dh, s->dy + 2 * Dh, ld, s->dya + (long)t * D,
                               a->sel + (long)t * ATOME_TOPK, a->p + (long)t * ATOME_TOPK, a->n[t],
                               a->qq + (long)t * Dh, a->qs[t], a->kq, a->ks, a->vq, a->vs, a->first[t], T, Dh, D,
                               inv_sqrt_dh);

    /* h~ = hs·hq (the STE input of the four matmuls); its gradient goes straight to h. With
     * float activations the input was h itself. */
    const float *hin = a->h;
    if (!a->qf) {
        for (int t = 0; t < T; t++) quant8_dequant(s->ht + (long)t * D, a->hq + (long)t * DP, a->hs[t], D);
        hin = s->ht;
    }
    matmul_backward(s->dh, g->wq, s->dy, ld, w->wcat, hin, T, NC, D);

    conv_backward(s->dh, g->conv, s->dyc, a->h, w->conv, T, D);
    ssm_backward(s->dh, g->ssm_araw, g->ssm_b, g->ssm_c, s->dys, a->s, w->ssm_a, w->ssm_g, w->ssm_b, w->ssm_c,
                 T, D);
    for (int t = 0; t < T; t++) {
        long o = (long)t * D;
        layernorm_backward(dx + o, g->ln_g, g->ln_b, s->dh + o, a->x + o, a->mean[t], a->rstd[t], w->ln_g, D);
    }
}

/* Inverts head_forward: unembed matmul (STE through the int8 h~, or from h itself after the
 * --float-act forward), then the final LayerNorm. */
void head_backward(float *dx, float *d_unemb, float *d_lnf_g, float *d_lnf_b, const float *dlogits,
                   const float *wun, const float *lnf_g, const head_saved *a, float *ht, float *dh, int T,
                   int D, int V) {
    int DP = ATOME_PAD5(D);
    memset(dh, 0, (size_t)T * D * sizeof(float));
    if (!a->float_act)
        for (int t = 0; t < T; t++) quant8_dequant(ht + (long)t * D, a->hq + (long)t * DP, a->hs[t], D);
    matmul_backward(dh, d_unemb, dlogits, V, wun, a->float_act ? a->h : ht, T, V, D);
    for (int t = 0; t < T; t++) {
        long o = (long)t * D;
        layernorm_backward(dx + o, d_lnf_g, d_lnf_b, dh + o, a->x + o, a->mean[t], a->rstd[t], lnf_g, D);
    }
}

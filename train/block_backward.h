/* block_backward.h — the backward twins of common/atome_block.h, over one sequence at a time.
 *
 * Shapes: T positions of one sequence (row t = position t), D d_model, DP = ATOME_PAD5(D),
 * Dh d_head, V vocab, NC = 2·Dh + D + 3 (the rows of wq, wk, wv and router stacked, the order
 * in which model_params_bind lays them out, so their gradients are one [NC, D] block).
 *
 * The forward runs block_forward position by position; its backward must run over all the
 * positions of a layer at once (the SSM, the conv and attention carry gradients from later
 * positions to earlier ones), so it reads what block_forward saved at each position as
 * [T, ·] arrays, and its matmuls become single dense products over the T rows (dense.h).
 */
#ifndef TRAIN_BLOCK_BACKWARD_H
#define TRAIN_BLOCK_BACKWARD_H
#include "../common/atome_block.h"
#include "model.h"

/* What block_forward saved for one layer over one sequence (the atome_block_acts of each
 * position point at row t of these; the kv ring is these k/v arrays with ring = T). */
typedef struct {
    float *x;                /* [T, D] block input x_in */
    float *h, *mean, *rstd;  /* [T, D], [T], [T] */
    int8_t *hq;              /* [T, DP] */
    float *hs;               /* [T] */
    float *yc, *ys, *ya;     /* [T, D] */
    int8_t *qq;              /* [T, Dh] */
    float *qs;               /* [T] */
    int8_t *kq, *vq;         /* [T, Dh], [T, D] the key/value cache, row t = position t */
    float *ks, *vs;          /* [T] */
    int *sel;                /* [T, TOPK] */
    float *p;                /* [T, TOPK] */
    int *n, *first;          /* [T] */
    float *s;                /* [T, D] SSM state after position t */
    float *router;           /* router weights of position t at router + t·router_ld */
    int router_ld;
    /* NULL after the int8 forward, which saved hq, hs, qq, qs, kq, ks, vq, vs. Set after the
     * --float-act forward (float_act.h), which quantised nothing: h itself fed the four
     * matmuls, and q, k, v entered attention as these floats. */
    float *qf, *kf, *vf;     /* [T, Dh], [T, Dh], [T, D] */
} block_saved;

/* One layer's weights as the backward uses them. */
typedef struct {
    const float *wcat;         /* [NC, D] W~ of wq, wk, wv, router stacked by row */
    const float *conv;         /* [D, 5] W~ */
    const float *ln_g;         /* [D] */
    const float *ssm_a, *ssm_g; /* [D] as in the blob: tanh(a_raw), b·c */
    const float *ssm_b, *ssm_c; /* [D] master */
} block_weights;

/* Scratch of one sequence's backward. */
typedef struct {
    float *dh, *dyc, *dys, *dya, *ht; /* [T, D] */
    float *dy;                        /* [T, ld] gradients of q, k, v, router logits (NC used) */
    int ld;                           /* >= NC */
} block_scratch;

/* What head_forward saved over one sequence. */
typedef struct {
    float *x;               /* [T, D] input of the head (output of the last block) */
    float *h, *mean, *rstd; /* [T, D], [T], [T] */
    int8_t *hq;             /* [T, DP] */
    float *hs;              /* [T] */
    int float_act;          /* the --float-act forward: h, not hs·hq, fed the unembedding */
} head_saved;

/* Inverts the skip-and-mix line of block_forward, x_out = x_in + ((r0·yc + r1·ys) + r2·ya),
 * at one position: dyc, dys, dya [D] = r_k·dout, dr[3] = dout·y_k. These overwrite (they
 * are the only path into those values). The skip path is the identity: dout is also the
 * gradient of x_in, which block_backward keeps in place. */
void residual_backward(float *dyc, float *dys, float *dya, float *dr, const float *dout, const float *yc,
                       const float *ys, const float *ya, const float *r, int D);

/* Inverts block_forward over one sequence. dx [T, D]: in, the gradient of the block's output;
 * out, that of its input. Adds the weight gradients into *g (ln_g, ln_b, conv, ssm_*, and the
 * [NC, D] block from g->wq on). */
void block_backward(float *dx, const layer_params *g, const block_weights *w, const block_saved *a,
                    const block_scratch *s, const atome_config *c, int T, float inv_sqrt_dh);

/* Inverts head_forward over one sequence: dlogits [T, V] in, dx [T, D] += the gradient of the
 * head's input; d_unemb [V, D], d_lnf_g, d_lnf_b [D] +=. wun is W~ of the unembedding.
 * ht, dh: [T, D] scratch. */
void head_backward(float *dx, float *d_unemb, float *d_lnf_g, float *d_lnf_b, const float *dlogits,
                   const float *wun, const float *lnf_g, const head_saved *a, float *ht, float *dh, int T,
                   int D, int V);

#endif

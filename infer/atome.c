/* atome.c — streaming decode: one byte in, 256 logits out (API and state in atome.h). */
#include "atome.h"
#include <string.h>
#include "../common/atome_math.h"

#ifdef ATOME_LUT
#define LUT(st) (st)->s.lut
#else
#define LUT(st) 0
#endif

int atome_load(atome_model *m, const uint8_t *blob, size_t len) {
    int err = atome_blob_open(blob, len, &m->w);
    if (err == ATOME_OK) m->inv_sqrt_dh = 1.0f / atome_sqrtf((float)m->w.cfg.d_head);
    return err;
}

void atome_reset(atome_state *st) { memset(st, 0, sizeof *st); }

const float *atome_step(const atome_model *m, atome_state *st, int token) {
    const atome_config *c = &m->w.cfg;
    int t = st->pos;
    atome_block_acts a = {st->s.h, &st->s.mean, &st->s.rstd, st->s.hq, &st->s.hs, st->s.yc, st->s.ys,
                          st->s.ya, st->s.q, st->s.qq, &st->s.qs, st->s.kf, st->s.vf, st->s.scores,
                          st->s.att_sel, st->s.att_p, &st->s.att_n, &st->s.att_first,
                          st->s.router_logits, 0, LUT(st)};
    embed_forward(st->x, &m->w.emb, token);
    for (int l = 0; l < c->n_layers; l++) {
        /* h at pos t-4+j. Before pos 0 they are atome_reset's zeros, never NULL: a zero tap adds a
         * zero to conv_forward's sum, which starts at +0, so the bits equal skipping the tap. */
        const float *past[4];
        for (int j = 0; j < 4; j++) past[j] = st->past[l][(t + j) & 3];
        /* each layer's key and value slabs are used densely, as [W][Dh] and [W][D] */
        atome_kv kv = {st->k[l][0], st->k_scale[l], st->v[l][0], st->v_scale[l], c->window};
        a.router = st->router[l];
        block_forward(st->x, st->x, &m->w.layer[l], c, t, past, t ? st->ssm[l] : 0, st->ssm[l], &kv,
                      m->inv_sqrt_dh, &a);
        memcpy(st->past[l][t & 3], st->s.h, sizeof st->s.h);
    }
    const atome_head_acts ha = {a.h, a.ln_mean, a.ln_rstd, a.hq, a.hs, a.lut}; /* the same scratch */
    head_forward(st->logits, st->x, &m->w, &ha);
    st->pos = t + 1;
    return st->logits;
}

int atome_argmax(const float *v, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best]) best = i;
    return best;
}

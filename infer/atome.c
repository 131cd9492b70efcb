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
    int t = st->pos, D = c->d_model;
    atome_block_acts a = {0, &st->s.mean, &st->s.rstd, st->s.hq, &st->s.hs, st->s.yc, st->s.ys,
                          st->s.ya, st->s.q, st->s.qq, &st->s.qs, st->s.kf, st->s.vf, st->s.scores,
                          st->s.att_sel, st->s.att_p, &st->s.att_n, &st->s.att_first,
                          st->s.router_logits, 0, LUT(st)};
    embed_forward(st->x, &m->w.emb, token);
    for (int l = 0; l < c->n_layers; l++) {
        atome_layer_state *y = &st->layer[l];
        a.h = y->hist + 4 * D; /* LN writes h_t where the conv reads it, after h_{t-4..t-1} */
        atome_kv kv = {y->k[0], y->k_scale, y->v[0], y->v_scale, c->window};
        a.router = y->router;
        block_forward(st->x, st->x, &m->w.layer[l], c, t, y->hist, y->ssm, y->ssm, &kv, m->inv_sqrt_dh, &a);
        memmove(y->hist, y->hist + D, 4 * D * sizeof(float)); /* one row older */
    }
    /* The same scratch. LN_f goes to the last layer's row 4: after the shift it is free until
     * that layer's next LN writes it. */
    const atome_head_acts ha = {a.h, a.ln_mean, a.ln_rstd, a.hq, a.hs, a.lut};
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

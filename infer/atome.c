/* atome.c — streaming decode: one byte in, 256 logits out (API and state in atome.h). */
#include "atome.h"
#include <string.h>
#include "../common/atome_math.h"

#if defined(ATOME_LUT) || defined(ATOME_FAST_LUT)
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

const float *atome_step(const atome_model *m, atome_state *st, uint8_t byte) {
    const atome_config *c = &m->w.cfg;
    int t = st->pos, D = c->d_model;
    atome_block_acts a = {.ln_mean = &st->s.mean, .ln_rstd = &st->s.rstd, .hq = st->s.hq, .hs = &st->s.hs,
                          .yc = st->s.yc, .ys = st->s.ys, .ya = st->s.ya, .q = st->s.q, .qq = st->s.qq,
                          .qs = &st->s.qs, .kf = st->s.kf, .vf = st->s.vf, .scores = st->s.scores,
                          .att_sel = st->s.att_sel, .att_p = st->s.att_p, .att_n = &st->s.att_n,
                          .att_first = &st->s.att_first, .router_logits = st->s.router_logits, .lut = LUT(st)};
    embed_forward(st->x, &m->w.emb, byte);
    for (int l = 0; l < c->n_layers; l++) {
        atome_layer_state *y = &st->layer[l];
        atome_kv kv = {y->k[0], y->k_scale, y->v[0], y->v_scale, c->window};
        a.router = y->router;
        block_forward(st->x, st->x, &m->w.layer[l], c, t, y->hist, y->ssm, y->ssm, &kv, m->inv_sqrt_dh, &a);
        /* one row older; row 4, now a copy of row 3, is rewritten by the next step */
        memmove(y->hist, y->hist + D, (ATOME_HIST_ROWS - 1) * D * sizeof(float));
    }
    /* The block's scratch serves the head: LN_f(x) goes to st->s.yc, the conv output of the last
     * block, which its mix has consumed (saves D floats of RAM; atome.h). */
    const atome_head_acts ha = {.h = st->s.yc, .ln_mean = a.ln_mean, .ln_rstd = a.ln_rstd, .hq = a.hq,
                                .hs = a.hs, .lut = a.lut};
    head_forward(1, st->logits, st->x, &m->w, &ha);
    st->pos = t + 1;
    return st->logits;
}

int atome_argmax(const float *v, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best]) best = i;
    return best;
}

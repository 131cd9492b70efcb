/* atome.c — streaming decode: one byte in, the head's logits out (API and state in atome.h). */
#include "atome.h"
#include <string.h>
#include "../common/atome_math.h"

#if defined(ATOME_LUT) || defined(ATOME_FAST_LUT)
#define LUT(st) (st)->s.lut
#else
#define LUT(st) 0
#endif

int atome_load(atome_model *m, const ATOME_ROM uint8_t *blob, size_t len) {
    int err = atome_blob_open(blob, len, &m->w);
    if (err == ATOME_OK) m->inv_sqrt_dh = 1.0f / atome_sqrtf((float)m->w.cfg.d_head);
    return err;
}

void atome_reset(atome_state *st) { memset(st, 0, sizeof *st); }

void atome_feed(const atome_model *m, atome_state *st, uint8_t byte) {
    const atome_config *c = &m->w.cfg;
    int t = st->pos, D = c->d_model;
    atome_block_acts a = {.ln_mean = &st->s.mean, .ln_rstd = &st->s.rstd, .hq = st->s.hq, .hs = &st->s.hs,
                          .yc = st->s.yc, .ys = st->s.ys, .ya = st->s.ya, .q = st->s.q, .qq = (int8_t *)st->s.q,
                          .qs = &st->s.qs, .kf = st->s.kf, .vf = st->s.vf_scores, .scores = st->s.vf_scores,
                          .att_sel = st->s.att_sel, .att_p = st->s.att_p, .att_n = &st->s.att_n,
                          .att_first = &st->s.att_first, .router_logits = st->s.router_logits, .lut = LUT(st)};
    embed_forward(st->x, &m->w.emb, byte);
    for (int l = 0; l < c->n_layers; l++) {
        atome_layer_state *y = &st->layer[l];
        atome_kv kv = {y->k[0], y->k_scale, y->v[0], y->v_scale, c->window};
        a.router = y->router;
        block_forward(st->x, st->x, &m->w.layer[l], c, t, y->hist, y->ssm, y->ssm, &kv, m->inv_sqrt_dh, &a);
        /* one row older; row 4, now a copy of row 3, is rewritten by the next step */
#if defined(ATOME_FAST) && defined(__riscv)
        /* the speed build on RISC-V: a word loop (forward, the source is ahead), where picolibc's
         * memmove moves bytes: 6 k instructions a layer (make mcu-profile) */
#pragma GCC unroll 8
        for (int i = 0; i < (ATOME_HIST_ROWS - 1) * D; i++) y->hist[i] = y->hist[i + D];
#else
        memmove(y->hist, y->hist + D, (ATOME_HIST_ROWS - 1) * D * sizeof(float));
#endif
    }
    st->pos = t + 1;
}

const float *atome_logits(const atome_model *m, atome_state *st) {
    if (st->pos == 0) return 0;
    /* The block's scratch serves the head: LN_f(x) goes to st->s.yc, the conv output of the last
     * block, which its mix has consumed (saves D floats of RAM; atome.h). */
    const atome_head_acts ha = {.h = st->s.yc, .ln_mean = &st->s.mean, .ln_rstd = &st->s.rstd, .hq = st->s.hq,
                                .hs = &st->s.hs, .lut = LUT(st)};
    head_forward(1, st->logits, st->x, &m->w, &ha);
    return st->logits;
}

const float *atome_step(const atome_model *m, atome_state *st, uint8_t byte) {
    atome_feed(m, st, byte);
    return atome_logits(m, st);
}

int atome_argmax(const float *v, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best]) best = i;
    return best;
}

int atome_classify(const atome_model *m, atome_state *st, const uint8_t *bytes, size_t n) {
    if (n == 0 || m->w.cfg.n_classes == 0) return -1;
    atome_reset(st);
    for (size_t i = 0; i < n; i++) atome_feed(m, st, bytes[i]);
    return atome_argmax(atome_logits(m, st), m->w.cfg.n_classes);
}

/* A language-model-only engine (ATOME_CLASSIFIER 0) loads no classifier: no features, no labels. */
void atome_features(const atome_model *m, const float *raw, uint8_t *bytes) {
#if ATOME_CLASSIFIER
    for (int f = 0; f < m->w.cfg.n_features; f++)
        bytes[f] = feature_quantise(raw[f], m->w.feature_min[f], m->w.feature_scale[f]);
#else
    (void)m, (void)raw, (void)bytes;
#endif
}

const ATOME_ROM char *atome_label(const atome_model *m, int k) {
    if (k < 0 || k >= m->w.cfg.n_classes) return 0;
#if ATOME_CLASSIFIER
    const ATOME_ROM char *p = m->w.labels;
    while (k--)
        while (*p++) {} /* past the name and its NUL: the loader counted them */
    return p;
#else
    return 0; /* not reached: n_classes is 0 */
#endif
}

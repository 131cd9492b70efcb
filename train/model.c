/* model.c — master weights: binding, init, and quantise-and-pack into the blob. */
#include "model.h"
#include <string.h>
#include <math.h> /* sqrtf and fabsf only: both exact or correctly rounded by IEEE 754 */
#include "../common/atome_math.h"
#include "../common/atome_trits.h"

void model_params_bind(model_params *p, const atome_config *c, float *a) {
    long V = c->vocab, D = c->d_model, Dh = c->d_head;
    p->emb = a, a += V * D;
    for (int l = 0; l < c->n_layers; l++) {
        layer_params *y = &p->layer[l];
        y->ln_g = a, a += D;
        y->ln_b = a, a += D;
        y->conv = a, a += D * ATOME_CONV_K;
        y->ssm_araw = a, a += D;
        y->ssm_b = a, a += D;
        y->ssm_c = a, a += D;
        y->wq = a, a += Dh * D;
        y->wk = a, a += Dh * D;
        y->wv = a, a += D * D;
        y->router = a, a += 3 * D;
    }
    p->lnf_g = a, a += D;
    p->lnf_b = a, a += D;
    p->unemb = a;
}

static void fill_normal(float *w, long n, float std, atome_rng *r) {
    for (long i = 0; i < n; i++) w[i] = std * atome_rng_normal(r);
}

static void fill_const(float *w, long n, float v) {
    for (long i = 0; i < n; i++) w[i] = v;
}

void model_init(float *arena, const atome_config *c, uint64_t seed, float scale) {
    model_params p;
    model_params_bind(&p, c, arena);
    atome_rng r = {seed};
    int V = c->vocab, D = c->d_model, Dh = c->d_head;
    float sd = scale / sqrtf((float)D);
    fill_normal(p.emb, (long)V * D, scale, &r);
    for (int l = 0; l < c->n_layers; l++) {
        layer_params *y = &p.layer[l];
        fill_const(y->ln_g, D, 1.0f);
        fill_const(y->ln_b, D, 0.0f);
        fill_normal(y->conv, (long)D * ATOME_CONV_K, scale / sqrtf((float)ATOME_CONV_K), &r);
        for (int i = 0; i < D; i++) {
            float a = 0.5f + 0.49f * (float)i / (float)(D > 1 ? D - 1 : 1);
            y->ssm_araw[i] = 0.5f * atome_logf((1.0f + a) / (1.0f - a)); /* atanh */
        }
        fill_const(y->ssm_b, D, 1.0f);
        fill_const(y->ssm_c, D, sd);
        fill_normal(y->wq, (long)Dh * D, sd, &r);
        fill_normal(y->wk, (long)Dh * D, sd, &r);
        fill_normal(y->wv, (long)D * D, sd, &r);
        fill_normal(y->router, 3L * D, sd, &r);
    }
    fill_const(p.lnf_g, D, 1.0f);
    fill_const(p.lnf_b, D, 0.0f);
    fill_normal(p.unemb, (long)V * D, sd, &r);
}

size_t model_blob_bytes(const atome_config *c) { return ATOME_HEADER_BYTES + atome_blob_bind(c, 0, 0); }

/* BitNet b1.58 absmean: the fixed summation order keeps the scale, and so the blob, reproducible. */
static void pack_tmat(const atome_tmat *m, const float *w) {
    long n = (long)m->rows * m->cols;
    float sum = 0.0f;
    for (long i = 0; i < n; i++) sum += fabsf(w[i]);
    float scale = sum / (float)n;
    float inv = 1.0f / (scale + 1e-8f);
    int8_t row[ATOME_MAX_D > ATOME_CONV_K ? ATOME_MAX_D : ATOME_CONV_K];
    for (int r = 0; r < m->rows; r++) {
        for (int c = 0; c < m->cols; c++) {
            float v = w[(long)r * m->cols + c] * inv;
            row[c] = (int8_t)(v >= 0.5f ? 1 : v <= -0.5f ? -1 : 0);
        }
        atome_pack_row((uint8_t *)m->trits + (long)r * m->row_bytes, row, m->cols);
    }
    memcpy((void *)m->scale, &scale, sizeof scale);
}

static void copy_floats(const float *dst, const float *src, int n) {
    memcpy((void *)dst, src, (size_t)n * sizeof(float));
}

void model_pack(uint8_t *blob, const model_params *p, const atome_config *c) {
    atome_weights w;
    size_t payload = atome_blob_bind(c, blob + ATOME_HEADER_BYTES, &w);
    memset(blob + ATOME_HEADER_BYTES, 0, payload); /* padding bytes too: the CRC covers them */
    int D = c->d_model;
    pack_tmat(&w.emb, p->emb);
    for (int l = 0; l < c->n_layers; l++) {
        const layer_params *y = &p->layer[l];
        atome_layer *o = &w.layer[l];
        copy_floats(o->ln_g, y->ln_g, D);
        copy_floats(o->ln_b, y->ln_b, D);
        pack_tmat(&o->conv, y->conv);
        float *a = (float *)(void *)o->ssm_a, *g = (float *)(void *)o->ssm_g;
        for (int i = 0; i < D; i++) {
            a[i] = atome_tanhf(y->ssm_araw[i]);
            g[i] = y->ssm_b[i] * y->ssm_c[i];
        }
        pack_tmat(&o->wq, y->wq);
        pack_tmat(&o->wk, y->wk);
        pack_tmat(&o->wv, y->wv);
        pack_tmat(&o->router, y->router);
    }
    copy_floats(w.lnf_g, p->lnf_g, D);
    copy_floats(w.lnf_b, p->lnf_b, D);
    pack_tmat(&w.unemb, p->unemb);
    atome_blob_seal(blob, c);
}

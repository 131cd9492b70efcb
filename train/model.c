/* model.c — master weights: binding, init, and quantise-and-pack into the blob. */
#include "model.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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
    fill_normal(p.unemb, (long)(c->n_classes ? c->n_classes : V) * D, sd, &r); /* or the class head */
}

size_t model_blob_bytes(const atome_config *c) { return ATOME_HEADER_BYTES + atome_blob_bind(c, 0, 0); }

/* BitNet b1.58 absmean: the fixed summation order keeps the scale, and so the blob, reproducible. */
static float absmean(const float *w, long n) {
    float sum = 0.0f;
    for (long i = 0; i < n; i++) sum += fabsf(w[i]);
    return sum / (float)n;
}

static void pack_tmat(const atome_tmat *m, const float *w) {
    long n = (long)m->rows * m->cols;
    float scale = absmean(w, n);
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

/* Floats in the order of their values, as unsigned integers: an ordered walk over float bits. */
static uint32_t float_key(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u >> 31 ? ~u : u | 0x80000000u;
}
static float key_float(uint32_t k) {
    uint32_t u = k >> 31 ? k & 0x7fffffffu : ~k;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

int model_tanh_preimage(float a, float *a_raw) {
    /* Bisection on the float order for the first x in [-20, 20] with atome_tanhf(x) >= a, then
     * the nearest float around it that gives a exactly (atome_tanhf is monotone to about an ulp). */
    uint32_t lo = float_key(-20.0f), hi = float_key(20.0f);
    if (!(atome_tanhf(key_float(lo)) <= a && a <= atome_tanhf(key_float(hi)))) return -1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (atome_tanhf(key_float(mid)) >= a) hi = mid;
        else lo = mid + 1;
    }
    for (uint32_t d = 0; d <= 16; d++) {
        if (atome_tanhf(key_float(lo - d)) == a) return *a_raw = key_float(lo - d), 0;
        if (atome_tanhf(key_float(lo + d)) == a) return *a_raw = key_float(lo + d), 0;
    }
    return -1;
}

/* Master weights that model_pack quantises back to m: a nonzero trit t becomes t·v, v = scale·n/nnz,
 * a zero trit 0, so that mean|W| is the scale and |W|/scale >= 1 rounds back to t. The float sum
 * of equal terms misses the scale by up to ~1e-4 (each term rounded the same way), so the last
 * nonzero term, the last one summed, is then chosen to make absmean give the scale's exact bits
 * (bisection on the float order: the sum grows with that term). Plain scale·t would re-quantise
 * to the same trits but to the scale scale·nnz/n: another model. */
static void unpack_tmat(float *w, const atome_tmat *m) {
    long n = (long)m->rows * m->cols, nnz = 0;
    int8_t *keep = malloc((size_t)n);
    if (!keep) abort();
    for (int r = 0; r < m->rows; r++)
        atome_unpack_row(keep + (long)r * m->cols, m->trits + (long)r * m->row_bytes, m->cols);
    float scale = *m->scale;
    if (scale < 0.0f) /* an imported file may say -s·t for s·(-t); absmean is never negative */
        for (long i = 0; i < n; i++) keep[i] = (int8_t)-keep[i];
    scale = fabsf(scale);
    for (long i = 0; i < n; i++) nnz += keep[i] != 0;
    float v = nnz ? scale * ((float)n / (float)nnz) : 0.0f;
    long last = -1;
    for (long i = 0; i < n; i++) w[i] = (float)keep[i] * v, last = keep[i] ? i : last;
    if (last >= 0) {
        uint32_t lo = float_key(scale), hi = float_key(3.0f * v); /* |u| >= scale keeps the trit */
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            w[last] = (float)keep[last] * key_float(mid);
            if (absmean(w, n) >= scale) hi = mid;
            else lo = mid + 1;
        }
        w[last] = (float)keep[last] * key_float(lo);
    }
    free(keep);
}

int model_from_blob(float *arena, const atome_weights *w, char *err, size_t cap) {
    const atome_config *c = &w->cfg;
    model_params p;
    model_params_bind(&p, c, arena);
    int D = c->d_model;
    unpack_tmat(p.emb, &w->emb);
    for (int l = 0; l < c->n_layers; l++) {
        layer_params *y = &p.layer[l];
        const atome_layer *o = &w->layer[l];
        memcpy(y->ln_g, o->ln_g, (size_t)D * sizeof(float));
        memcpy(y->ln_b, o->ln_b, (size_t)D * sizeof(float));
        unpack_tmat(y->conv, &o->conv);
        for (int i = 0; i < D; i++) {
            if (model_tanh_preimage(o->ssm_a[i], &y->ssm_araw[i])) {
                snprintf(err, cap, "layer %d's ssm decay a[%d] = %g is no tanh of a float in [-20, 20]", l, i,
                         (double)o->ssm_a[i]);
                return -1;
            }
            y->ssm_b[i] = 1.0f; /* g = b·c: b = 1, c = g gives g back exactly */
            y->ssm_c[i] = o->ssm_g[i];
        }
        unpack_tmat(y->wq, &o->wq);
        unpack_tmat(y->wk, &o->wk);
        unpack_tmat(y->wv, &o->wv);
        unpack_tmat(y->router, &o->router);
    }
    memcpy(p.lnf_g, w->lnf_g, (size_t)D * sizeof(float));
    memcpy(p.lnf_b, w->lnf_b, (size_t)D * sizeof(float));
    unpack_tmat(p.unemb, &w->unemb);
    return 0;
}

void model_set_classes(uint8_t *blob, const atome_config *c, const float *feature_min, const float *feature_scale,
                       const char *names) {
    atome_weights w;
    atome_blob_bind(c, blob + ATOME_HEADER_BYTES, &w);
    if (c->n_features) {
        memcpy((void *)w.feature_min, feature_min, (size_t)c->n_features * sizeof(float));
        memcpy((void *)w.feature_scale, feature_scale, (size_t)c->n_features * sizeof(float));
    }
    memcpy((void *)w.labels, names, (size_t)c->label_bytes);
    atome_blob_seal(blob, c);
}

void model_init_ordinal_embedding(float *arena, const atome_config *c, float scale) {
    model_params p;
    model_params_bind(&p, c, arena);
    int V = c->vocab, D = c->d_model;
    for (int v = 0; v < V; v++)
        for (int j = 0; j < D; j++) { /* threshold of channel j: (j + 1)·V/(D + 1), in integers */
            float up = (long)v * (D + 1) >= (long)(j + 1) * V ? scale : -scale;
            p.emb[(long)v * D + j] = j & 1 ? -up : up; /* odd channels flipped: no row is constant */
        }
}

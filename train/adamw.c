/* adamw.c — AdamW, schedule, clipping, accumulation (shapes and contracts in adamw.h). */
#include "adamw.h"
#include <math.h>
#include <stdlib.h>
#include "model.h"

/* Loops over P floats split across threads only when big enough to pay for the fork (the nano
 * preset, 9,408 parameters, just is, so the thread-count test exercises the split); they are
 * elementwise, so the split cannot change a bit. */
#define PAR_MIN 8192

void adamw_update(float *w, const float *g, float *m, float *v, const uint8_t *decay, long n, long t,
                  double lr, const adamw_config *h) {
    const float b1 = (float)h->beta1, b2 = (float)h->beta2, eps = (float)h->eps;
    const float c1 = (float)(1.0 - h->beta1), c2 = (float)(1.0 - h->beta2);
    const float step_size = (float)(lr / (1.0 - pow_int(h->beta1, t)));
    const float bc2_sqrt = (float)sqrt(1.0 - pow_int(h->beta2, t));
    const float shrink = (float)(1.0 - lr * h->weight_decay);
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
    for (long i = 0; i < n; i++) {
        float gi = g[i];
        float mi = b1 * m[i] + c1 * gi;
        float vi = b2 * v[i] + c2 * (gi * gi);
        m[i] = mi;
        v[i] = vi;
        float wi = decay[i] ? w[i] * shrink : w[i];
        w[i] = wi - step_size * (mi / (sqrtf(vi) / bc2_sqrt + eps));
    }
}

static void mark(uint8_t *decay, const float *base, const float *p, long n, uint8_t on) {
    for (long i = 0; i < n; i++) decay[(p - base) + i] = on;
}

void adamw_decay_mask(uint8_t *decay, const atome_config *c) {
    long P = atome_param_count(c), D = c->d_model, V = c->vocab, Dh = c->d_head;
    /* Bind the table to a dummy arena only to learn each tensor's offset. */
    float *arena = malloc((size_t)P * sizeof(float));
    if (!arena) abort();
    model_params p;
    model_params_bind(&p, c, arena);
    mark(decay, arena, arena, P, 0);
    mark(decay, arena, p.emb, V * D, 1);
    for (int l = 0; l < c->n_layers; l++) {
        const layer_params *y = &p.layer[l];
        mark(decay, arena, y->conv, D * ATOME_CONV_K, 1);
        mark(decay, arena, y->wq, Dh * D, 1);
        mark(decay, arena, y->wk, Dh * D, 1);
        mark(decay, arena, y->wv, D * D, 1);
        mark(decay, arena, y->router, 3 * D, 1);
    }
    mark(decay, arena, p.unemb, (c->n_classes ? c->n_classes : V) * D, 1); /* or the class head [C, D] */
    free(arena);
}

double pow_int(double b, long t) {
    double r = 1.0;
    while (t > 0) {
        if (t & 1) r *= b;
        b *= b;
        t >>= 1;
    }
    return r;
}

double cos_pi(double x) {
    /* Reflect into [0, 1/2] so that the series argument stays below π/2, where 11 terms
     * leave an error under 1e-15. */
    double sign = 1.0;
    if (x > 0.5) x = 1.0 - x, sign = -1.0;
    double y = 3.14159265358979323846 * x, y2 = y * y, sum = 1.0;
    for (int k = 11; k >= 1; k--) sum = 1.0 - y2 / (double)((2 * k - 1) * (2 * k)) * sum;
    return sign * sum;
}

double lr_at(long step, long steps, long warmup, double lr, double final_frac, int schedule) {
    if (step < warmup) return lr * (double)(step + 1) / (double)warmup;
    if (schedule == SCHED_CONSTANT) return lr;
    long span = steps - warmup; /* updates after warmup; the first gets lr, the last lr·final_frac */
    if (span <= 1) return lr;
    double p = (double)(step - warmup) / (double)(span - 1);
    double lo = lr * final_frac;
    return lo + 0.5 * (lr - lo) * (1.0 + cos_pi(p));
}

double grad_norm(const float *g, long n) {
    double s = 0.0;
    for (long i = 0; i < n; i++) s += (double)g[i] * (double)g[i];
    return sqrt(s);
}

float grad_clip(float *g, long n, double norm, double clip) {
    if (!(clip > 0.0) || !(norm > clip)) return 1.0f;
    float f = (float)(clip / norm);
    grad_scale(g, n, f);
    return f;
}

void grad_add(float *acc, const float *g, long n) {
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
    for (long i = 0; i < n; i++) acc[i] += g[i];
}

void grad_scale(float *g, long n, float s) {
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
    for (long i = 0; i < n; i++) g[i] *= s;
}

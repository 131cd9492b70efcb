/* test_grad_model.c — fb_step's gradient of a whole small model against finite differences
 * of its straight-through surrogate, and fb_step's reproducibility.
 *
 * Shapes: B sequences, T positions, L layers, D d_model, DP = ATOME_PAD5(D), Dh d_head,
 * V vocab, P parameters.
 *
 * What is honest to compare with. The trained function (ternary weights, int8 activations,
 * top-k) is piecewise constant, so its finite differences are 0 or huge. The straight-through
 * backward is the exact gradient of a smooth surrogate that agrees with the quantised forward
 * at the current weights theta0: every quantiser Q(x) replaced by x + (Q(x0) - x0) and every
 * ternary tensor by W~0 + (W - W0) (offsets and absmean scales frozen at theta0), the top-k
 * selection frozen, a = tanh(a_raw) and g = b·c exact. The test builds that surrogate in
 * double precision from a float pass of the common/ kernels at theta0 (the offsets and the
 * selections), checks that it reproduces fb_step's loss at theta0, and compares fb_step's
 * gradient tensor by tensor with its central differences.
 *
 * Tolerance: per tensor, max|fb - fd| <= 1e-4·max|fd|. The float32 backward sums over at most
 * B·T = 24 positions and D-long dot products (relative rounding ~1e-6), and the surrogate runs
 * in double at points that differ from the float forward's by float rounding (~1e-7
 * relative, which moves the gradient at second order). The largest error seen is about
 * 1e-6 of the tensor's scale. Mistakes land far above: a dropped path (the SSM carry, the
 * conv taps into the past, a key or value of an earlier position, the router, the LayerNorm
 * on the residual) or a wrong scale shows up at 1e-2 or more, and even the subtle one of
 * taking the float h instead of the dequantised h~ = hs·hq as the unembedding's input gives
 * 2e-3: each was tried and fails this test.
 *
 * The --float-act model (fb_create_float_act) gets the same check with the surrogate's offsets
 * all 0 (it quantises nothing; only the ternary weights and the top-k selection are frozen),
 * its selections from a pass of the float_act.h kernels, and a tolerance ten times tighter,
 * 1e-5. Its largest error seen is 9e-7 (the int8 check's is 1e-6: the same float32 rounding of
 * the backward, which quantisation does not add to), so 1e-5 still keeps a margin of 10, and it
 * catches what 1e-4 would let through on this path: a backward that reads an int8-rounded
 * copy of q for the key gradients gives 6e-5 (int8-rounded h into the matmul gradients, 3e-3).
 */
#include <check.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_block.h"
#include "../common/atome_math.h"
#include "../train/fb.h"
#include "../train/fb_classify.h"
#include "../train/float_act.h"
#include "../train/ops_backward.h"
#include "grad_util.h"

#define MODEL_TOL 1e-4
#define FLOAT_ACT_TOL 1e-5

typedef struct {
    atome_config c;
    int B, T;
    long P;
    const uint8_t *tok; /* [B][T+1] */
    const int *len, *label; /* a classifier's: example b is tok[b][0..len[b]-1], its class label[b]; NULL:
                             * a language model's windows */
    const double *w0;   /* [P] master at theta0 */
    double *wq0;        /* [P] W~0 where the parameter is part of a ternary tensor, else NaN */
    /* frozen at theta0 */
    double *ch, *cv;       /* [B][L][T][D] */
    double *cq, *ck;       /* [B][L][T][Dh] */
    int *sel, *n, *first;  /* [B][L][T][TOPK], [B][L][T], [B][L][T] */
    double *chf;           /* [B][T][D] */
    double inv;
    /* offsets of each tensor in the parameter vector (model_params_bind's layout) */
    model_params off;
    float *base;
    double *eff, *work;
    double tol, worst; /* the tolerance of check_tensor, and the largest error it saw */
} surrogate;

#define OFF(s, ptr) ((long)((ptr) - (s)->base))

static void ln_d(double *out, const double *x, const double *g, const double *b, int n) {
    double m = 0.0, var = 0.0;
    for (int i = 0; i < n; i++) m += x[i] / n;
    for (int i = 0; i < n; i++) var += (x[i] - m) * (x[i] - m) / n;
    double r = 1.0 / sqrt(var + (double)ATOME_LN_EPS);
    for (int i = 0; i < n; i++) out[i] = (x[i] - m) * r * g[i] + b[i];
}

static void mv_d(double *y, const double *W, const double *x, int R, int C) {
    for (int r = 0; r < R; r++) {
        y[r] = 0.0;
        for (int k = 0; k < C; k++) y[r] += W[(long)r * C + k] * x[k];
    }
}

/* The surrogate's mean cross-entropy at master weights theta: over every predicted byte, or over a
 * classifier's B examples (the head at the last position of each, C classes). */
static double surrogate_loss(const double *theta, const void *vs) {
    const surrogate *s = vs;
    int B = s->B, T = s->T, L = s->c.n_layers, D = s->c.d_model, Dh = s->c.d_head, V = s->c.vocab;
    for (long i = 0; i < s->P; i++) s->eff[i] = isnan(s->wq0[i]) ? theta[i] : s->wq0[i] + (theta[i] - s->w0[i]);
    const double *E = s->eff;
    double *x = s->work, *h = x + (long)T * D, *q = h + (long)T * D, *k = q + (long)T * Dh, *v = k + (long)T * Dh;
    double *ht = v + (long)T * D;
    double loss = 0.0;
    for (int b = 0; b < B; b++) {
        const uint8_t *tok = s->tok + (long)b * (T + 1);
        int n = s->len ? s->len[b] : T, C = s->len ? s->c.n_classes : V; /* positions; head rows */
        for (int t = 0; t < n; t++) memcpy(x + (long)t * D, E + OFF(s, s->off.emb) + (long)tok[t] * D, D * sizeof(double));
        for (int l = 0; l < L; l++) {
            const layer_params *lp = &s->off.layer[l];
            const double *wq = E + OFF(s, lp->wq), *wk = E + OFF(s, lp->wk), *wv = E + OFF(s, lp->wv);
            const double *wr = E + OFF(s, lp->router), *wc = E + OFF(s, lp->conv);
            const double *araw = E + OFF(s, lp->ssm_araw), *sb = E + OFF(s, lp->ssm_b), *sc = E + OFF(s, lp->ssm_c);
            long bl = ((long)b * L + l) * T;
            for (int t = 0; t < n; t++) {
                ln_d(h + (long)t * D, x + (long)t * D, E + OFF(s, lp->ln_g), E + OFF(s, lp->ln_b), D);
                for (int i = 0; i < D; i++) ht[i] = h[(long)t * D + i] + s->ch[(bl + t) * D + i];
                mv_d(q + (long)t * Dh, wq, ht, Dh, D);
                mv_d(k + (long)t * Dh, wk, ht, Dh, D);
                mv_d(v + (long)t * D, wv, ht, D, D);
                for (int i = 0; i < Dh; i++) {
                    q[(long)t * Dh + i] += s->cq[(bl + t) * Dh + i];
                    k[(long)t * Dh + i] += s->ck[(bl + t) * Dh + i];
                }
                for (int i = 0; i < D; i++) v[(long)t * D + i] += s->cv[(bl + t) * D + i];
            }
            double state[ATOME_MAX_D] = {0};
            for (int t = 0; t < n; t++) {
                for (int i = 0; i < D; i++) ht[i] = h[(long)t * D + i] + s->ch[(bl + t) * D + i];
                double rl[3], r[3], m, sum = 0.0;
                mv_d(rl, wr, ht, 3, D);
                m = fmax(rl[0], fmax(rl[1], rl[2]));
                for (int e = 0; e < 3; e++) sum += r[e] = exp(rl[e] - m);
                int nc = s->n[bl + t], first = s->first[bl + t];
                const int *sel = s->sel + (bl + t) * ATOME_TOPK;
                double att[ATOME_TOPK], p[ATOME_TOPK], psum = 0.0;
                for (int e = 0; e < nc; e++) {
                    att[e] = 0.0;
                    for (int i = 0; i < Dh; i++) att[e] += q[(long)t * Dh + i] * k[(long)(first + sel[e]) * Dh + i];
                    att[e] *= s->inv;
                }
                for (int e = 0; e < nc; e++) psum += p[e] = exp(att[e] - att[0]);
                for (int e = 0; e < 3; e++) r[e] /= sum;
                for (int i = 0; i < D; i++) {
                    double yc = 0.0, ya = 0.0;
                    for (int j = 0; j < 5; j++)
                        if (t - 4 + j >= 0) yc += wc[i * 5 + j] * h[(long)(t - 4 + j) * D + i];
                    state[i] = tanh(araw[i]) * state[i] + h[(long)t * D + i];
                    double ys = sb[i] * sc[i] * state[i];
                    for (int e = 0; e < nc; e++) ya += p[e] / psum * v[(long)(first + sel[e]) * D + i];
                    x[(long)t * D + i] += (r[0] * yc + r[1] * ys) + r[2] * ya;
                }
            }
        }
        for (int t = s->len ? n - 1 : 0; t < n; t++) { /* a classifier: the last only */
            double logit[ATOME_VOCAB], m = -1e300, z = 0.0;
            ln_d(ht, x + (long)t * D, E + OFF(s, s->off.lnf_g), E + OFF(s, s->off.lnf_b), D);
            for (int i = 0; i < D; i++) ht[i] += s->chf[((long)b * T + t) * D + i];
            mv_d(logit, E + OFF(s, s->off.unemb), ht, C, D);
            for (int u = 0; u < C; u++) m = fmax(m, logit[u]);
            for (int u = 0; u < C; u++) z += exp(logit[u] - m);
            loss += log(z) + m - logit[s->len ? s->label[b] : tok[t + 1]];
        }
    }
    return loss / (s->len ? B : B * T);
}

/* The float forward of the common/ kernels at theta0, the trainer's order (layer by layer over
 * a sequence, key/value ring as long as it): records each quantiser's offset Q(x) - x and
 * each top-k selection into the surrogate, and the logits [B][T][V] (a classifier's [B][C]). */
static void base_pass(surrogate *s, const atome_weights *w, float *logits) {
    int B = s->B, T = s->T, L = s->c.n_layers, D = s->c.d_model, Dh = s->c.d_head;
    /* h behind 4 zero rows, so that rows t-4..t are the conv's input at every t */
    float *x = calloc((size_t)T * D, sizeof(float)), *h0 = calloc((size_t)(T + 4) * D, sizeof(float)), *h = h0 + 4 * D;
    float *st = calloc((size_t)T * D, sizeof(float)), *ks = calloc((size_t)T, sizeof(float));
    float *vs = calloc((size_t)T, sizeof(float)), *kf = calloc((size_t)D + Dh, sizeof(float)), *vf = kf + Dh;
    int8_t *kq = calloc((size_t)T * Dh, 1), *vq = calloc((size_t)T * D, 1);
    ck_assert(x && h0 && st && ks && vs && kf && kq && vq);
    float inv = 1.0f / atome_sqrtf((float)Dh), scores[ATOME_MAX_WINDOW], q[ATOME_MAX_DHEAD], yc[ATOME_MAX_D];
    float ys[ATOME_MAX_D], ya[ATOME_MAX_D], mean, rstd, hs, qs, p[ATOME_TOPK], rl[3], r[3];
    int8_t hq[ATOME_PAD5(ATOME_MAX_D)] = {0}, qq[ATOME_MAX_DHEAD]; /* hq's padding stays zero */
    const float zeros[ATOME_MAX_D] = {0};                            /* before position 0 */
    int sel[ATOME_TOPK], n, first;
    for (int b = 0; b < B; b++) {
        const uint8_t *tok = s->tok + (long)b * (T + 1);
        int len = s->len ? s->len[b] : T; /* positions */
        for (int t = 0; t < len; t++) embed_forward(x + t * D, &w->emb, tok[t]);
        for (int l = 0; l < L; l++) {
            atome_kv kv = {kq, ks, vq, vs, T};
            for (int t = 0; t < len; t++) {
                atome_block_acts a = {.ln_mean = &mean, .ln_rstd = &rstd, .hq = hq, .hs = &hs,
                                      .yc = yc, .ys = ys, .ya = ya, .q = q, .qq = qq, .qs = &qs, .kf = kf, .vf = vf,
                                      .scores = scores, .att_sel = sel, .att_p = p, .att_n = &n, .att_first = &first,
                                      .router_logits = rl, .router = r, .lut = NULL};
                block_forward(x + t * D, x + t * D, &w->layer[l], &s->c, t, h + (t - 4) * D,
                              t ? st + (t - 1) * D : zeros, st + t * D, &kv, inv, &a);
                long o = ((long)b * L + l) * T + t;
                for (int i = 0; i < D; i++) {
                    s->ch[o * D + i] = (double)hs * hq[i] - h[t * D + i];
                    s->cv[o * D + i] = (double)vs[t] * vq[t * D + i] - vf[i];
                }
                for (int i = 0; i < Dh; i++) {
                    s->cq[o * Dh + i] = (double)qs * qq[i] - q[i];
                    s->ck[o * Dh + i] = (double)ks[t] * kq[t * Dh + i] - kf[i];
                }
                memcpy(s->sel + o * ATOME_TOPK, sel, sizeof sel);
                s->n[o] = n, s->first[o] = first;
            }
        }
        for (int t = s->len ? len - 1 : 0; t < len; t++) { /* a classifier: the last only */
            atome_head_acts ha = {.h = h, .ln_mean = &mean, .ln_rstd = &rstd, .hq = hq, .hs = &hs, .lut = NULL};
            long row = s->len ? (long)b * s->c.n_classes : ((long)b * T + t) * ATOME_VOCAB;
            head_forward(1, logits + row, x + t * D, w, &ha);
            for (int i = 0; i < D; i++) s->chf[((long)b * T + t) * D + i] = (double)hs * hq[i] - h[i];
        }
    }
    free(x), free(h0), free(st), free(ks), free(vs), free(kf), free(kq), free(vq);
}

/* The float-activation forward of float_act.h at theta0 in fb's order (layer by layer, position
 * by position; the window is its own key/value cache): records each top-k selection into the
 * surrogate, and the logits [B][T][V]. It quantises nothing, so the surrogate's offsets stay 0. */
static void base_pass_float(surrogate *s, const atome_weights *w, float *logits) {
    int B = s->B, T = s->T, L = s->c.n_layers, D = s->c.d_model, Dh = s->c.d_head, V = s->c.vocab;
    long per_layer = (long)(2 * Dh + D + 3) * D;
    float *dense = malloc((size_t)(per_layer * L + (long)V * D) * sizeof(float));
    /* h behind 4 zero rows, so that rows t-4..t are the conv's input at every t */
    float *x = malloc((size_t)T * D * sizeof(float)), *h0 = calloc((size_t)(T + 4) * D, sizeof(float)), *h = h0 + 4 * D;
    float *st = malloc((size_t)T * D * sizeof(float)), *k = malloc((size_t)T * Dh * sizeof(float));
    float *v = malloc((size_t)T * D * sizeof(float));
    ck_assert(dense && x && h0 && st && k && v);
    float_act_layer wd[ATOME_MAX_LAYERS];
    float *at = dense;
    for (int l = 0; l < L; l++, at += per_layer) {
        const atome_layer *y = &w->layer[l];
        float_decode(at, &y->wq), float_decode(at + Dh * D, &y->wk);
        float_decode(at + 2 * Dh * D, &y->wv), float_decode(at + (2 * Dh + D) * D, &y->router);
        wd[l] = (float_act_layer){at, at + Dh * D, at + 2 * Dh * D, at + (2 * Dh + D) * D};
    }
    float_decode(at, &w->unemb);
    float scores[ATOME_MAX_WINDOW], yc[ATOME_MAX_D], ys[ATOME_MAX_D], ya[ATOME_MAX_D], p[ATOME_TOPK], r[3];
    float q[ATOME_MAX_DHEAD], rl[3], mean, rstd;
    const float zeros[ATOME_MAX_D] = {0}; /* the SSM state before position 0 */
    for (int b = 0; b < B; b++) {
        const uint8_t *tok = s->tok + (long)b * (T + 1);
        for (int t = 0; t < T; t++) embed_forward(x + t * D, &w->emb, tok[t]);
        for (int l = 0; l < L; l++) {
            for (int t = 0; t < T; t++) {
                long o = ((long)b * L + l) * T + t;
                atome_block_acts a = {.ln_mean = &mean, .ln_rstd = &rstd, .yc = yc, .ys = ys, .ya = ya, .q = q,
                                      .scores = scores, .att_sel = s->sel + o * ATOME_TOPK, .att_p = p,
                                      .att_n = s->n + o, .att_first = s->first + o, .router_logits = rl,
                                      .router = r};
                float_block_forward(x + t * D, x + t * D, &w->layer[l], &wd[l], &s->c, t, h + (t - 4) * D,
                                    t ? st + (t - 1) * D : zeros, st + t * D, k, v, (float)s->inv, &a);
            }
        }
        for (int t = 0; t < T; t++) {
            atome_head_acts ha = {.h = h, .ln_mean = &mean, .ln_rstd = &rstd};
            float_head_forward(logits + ((long)b * T + t) * V, x + t * D, w, at, &ha);
        }
    }
    free(dense), free(x), free(h0), free(st), free(k), free(v);
}

/* W~0 of one ternary tensor into the surrogate. */
static void freeze_tmat(surrogate *s, const float *master_ptr, const atome_tmat *m) {
    long n = (long)m->rows * m->cols, at = OFF(s, master_ptr);
    float *tmp = malloc((size_t)n * sizeof(float));
    ck_assert_ptr_nonnull(tmp);
    tmat_dequant(tmp, m);
    for (long i = 0; i < n; i++) s->wq0[at + i] = tmp[i];
    free(tmp);
}

/* Checks fb's gradient of one tensor (n parameters from master_ptr) against the surrogate. */
static void check_tensor(surrogate *s, double *theta, const float *grad, const float *master_ptr, long n,
                         const char *name, int index) {
    long at = OFF(s, master_ptr);
    double *fd = malloc((size_t)n * sizeof(double));
    ck_assert_ptr_nonnull(fd);
    grad_fd(surrogate_loss, theta, s, (int)at, (int)n, 1e-4, fd);
    char what[64];
    snprintf(what, sizeof what, "%s [%d]", name, index);
    s->worst = fmax(s->worst, grad_check(what, grad + at, fd, (int)n, s->tol));
    free(fd);
}

static void text_tokens(uint8_t *tok, int n, const char *text) {
    size_t len = strlen(text);
    for (int i = 0; i < n; i++) tok[i] = (uint8_t)text[i % len];
}

static const char *TEXT = "Once upon a time, there was a little dog named Max. Max liked to run in the park. "
                          "One day he saw a big red ball!";

/* Master weights of config c, the init moved off its symmetric values (LayerNorm 1 and 0,
 * b = 1) so that no gradient vanishes by symmetry; packed into *blob. */
static float *init_master(const atome_config *c, uint64_t seed, model_params *mp, uint8_t **blob) {
    long P = atome_param_count(c);
    float *m = malloc((size_t)P * sizeof(float));
    *blob = aligned_alloc(64, (model_blob_bytes(c) + 63) & ~(size_t)63);
    ck_assert(m && *blob);
    model_init(m, c, seed, 1.0f);
    model_params_bind(mp, c, m);
    atome_rng r = {seed + 1};
    int D = c->d_model;
    for (int l = 0; l < c->n_layers; l++)
        for (int i = 0; i < D; i++) {
            layer_params *y = &mp->layer[l];
            y->ln_g[i] += grad_uniform(&r, -0.3f, 0.3f), y->ln_b[i] += grad_uniform(&r, -0.2f, 0.2f);
            y->ssm_araw[i] += grad_uniform(&r, -0.3f, 0.3f), y->ssm_b[i] *= grad_uniform(&r, 0.5f, 1.5f);
            y->ssm_c[i] += grad_uniform(&r, -0.1f, 0.1f);
        }
    for (int i = 0; i < D; i++)
        mp->lnf_g[i] += grad_uniform(&r, -0.3f, 0.3f), mp->lnf_b[i] += grad_uniform(&r, -0.2f, 0.2f);
    model_pack(*blob, mp, c);
    return m;
}

/* A classifier's examples for the check: lengths (one the whole window, one shorter, so that rows
 * past an example's end must get nothing) and classes of 3. */
static const int CLS_LEN[2] = {12, 7}, CLS_LABEL[2] = {2, 0};

/* fb_step's gradient (int8 activations, or float ones with float_act) against the central
 * differences of the surrogate at the same point, every tensor within tol; returns the largest
 * error seen. With classify, a classifier of 3 classes instead: fb_classify_accumulate's gradient
 * over the examples CLS_LEN / CLS_LABEL (the head at each one's last byte). */
static double model_gradient_check(int float_act, int classify, double tol) {
    /* window 5 < T = 12: attention slides, and with 5 candidates top-4 leaves one out; D = 12
     * pads the int8 vectors to 15 */
    const atome_config c = {ATOME_VOCAB, 12, 2, 4, 5, 0, classify ? 3 : 0, 0, classify ? 6 : 0};
    enum { B = 2, T = 12 };
    int D = c.d_model, Dh = c.d_head, L = c.n_layers, V = c.vocab, C = classify ? c.n_classes : V;
    long P = atome_param_count(&c), NL = classify ? B * C : B * T * V; /* logits */
    model_params mp;
    uint8_t *blob, tok[B * (T + 1)];
    float *master = init_master(&c, 5, &mp, &blob);
    text_tokens(tok, B * (T + 1), TEXT);
    fb_context *f = float_act ? fb_create_float_act(&c, B, T) : fb_create(&c, B, T);
    ck_assert_ptr_nonnull(f);
    float *grad = malloc((size_t)P * sizeof(float)), *lf = malloc((size_t)NL * sizeof(float));
    float *lb = malloc((size_t)NL * sizeof(float));
    fb_example ex[B];
    for (int b = 0; b < B; b++) ex[b] = (fb_example){tok + b * (T + 1), CLS_LEN[b], CLS_LABEL[b]};
    double loss;
    if (classify) {
        model_set_classes(blob, &c, NULL, NULL, "a\0b\0c"); /* atome_blob_open below wants its names */
        loss = fb_classify_accumulate(f, blob, &mp, ex, B);
        ck_assert_int_eq(fb_gradient(f, grad), 0);
        ck_assert(fb_classify_forward(f, blob, ex, B, lf, NULL) == loss);
    } else {
        loss = fb_step(f, blob, &mp, tok, grad);
        ck_assert(fb_forward(f, blob, tok, lf, NULL) == loss);
    }

    surrogate s = {.c = c, .B = B, .T = T, .P = P, .tok = tok, .len = classify ? CLS_LEN : NULL,
                   .label = classify ? CLS_LABEL : NULL, .inv = 1.0f / atome_sqrtf((float)Dh), .tol = tol};
    double *theta = malloc((size_t)P * sizeof(double)), *wq0 = malloc((size_t)P * sizeof(double));
    long BLT = (long)B * L * T;
    s.wq0 = wq0;
    /* zero offsets: what the float-activation pass leaves them (it quantises nothing) */
    s.ch = calloc((size_t)BLT * D, sizeof(double)), s.cv = calloc((size_t)BLT * D, sizeof(double));
    s.cq = calloc((size_t)BLT * Dh, sizeof(double)), s.ck = calloc((size_t)BLT * Dh, sizeof(double));
    s.sel = malloc((size_t)BLT * ATOME_TOPK * sizeof(int)), s.n = malloc((size_t)BLT * sizeof(int));
    s.first = malloc((size_t)BLT * sizeof(int)), s.chf = calloc((size_t)B * T * D, sizeof(double));
    s.eff = malloc((size_t)P * sizeof(double)), s.work = malloc((size_t)T * (3 * D + 2 * Dh + 1) * sizeof(double));
    s.base = master;
    model_params_bind(&s.off, &c, master);
    for (long i = 0; i < P; i++) theta[i] = master[i], wq0[i] = NAN;
    double *w0 = malloc((size_t)P * sizeof(double));
    memcpy(w0, theta, (size_t)P * sizeof(double));
    s.w0 = w0;

    atome_weights w;
    ck_assert_int_eq(atome_blob_open(blob, model_blob_bytes(&c), &w), ATOME_OK);
    freeze_tmat(&s, mp.emb, &w.emb);
    freeze_tmat(&s, mp.unemb, &w.unemb);
    for (int l = 0; l < L; l++) {
        freeze_tmat(&s, mp.layer[l].conv, &w.layer[l].conv);
        freeze_tmat(&s, mp.layer[l].wq, &w.layer[l].wq);
        freeze_tmat(&s, mp.layer[l].wk, &w.layer[l].wk);
        freeze_tmat(&s, mp.layer[l].wv, &w.layer[l].wv);
        freeze_tmat(&s, mp.layer[l].router, &w.layer[l].router);
    }
    if (float_act) base_pass_float(&s, &w, lb);
    else base_pass(&s, &w, lb);
    /* the surrogate's offsets and selections come from exactly fb's forward */
    ck_assert_mem_eq(lb, lf, (size_t)NL * sizeof(float));
    double l0 = surrogate_loss(theta, &s), per = classify ? B : B * T;
    ck_assert_msg(fabs(l0 - loss / per) <= 1e-5 * l0, "surrogate loss %.9g, fb %.9g", l0, loss / per);

    /* embedding: only the rows of input bytes get a gradient; the others must be exactly 0 */
    int used[ATOME_VOCAB] = {0};
    for (int b = 0; b < B; b++)
        for (int t = 0; t < (classify ? CLS_LEN[b] : T); t++) used[tok[b * (T + 1) + t]] = 1;
    for (int v = 0; v < V; v++) {
        if (used[v]) {
            check_tensor(&s, theta, grad, mp.emb + (long)v * D, D, "embedding row", v);
            continue;
        }
        for (int i = 0; i < D; i++) ck_assert_float_eq(grad[OFF(&s, mp.emb) + (long)v * D + i], 0.0f);
    }
    for (int l = 0; l < L; l++) {
        const layer_params *y = &mp.layer[l];
        check_tensor(&s, theta, grad, y->ln_g, D, "ln_g", l);
        check_tensor(&s, theta, grad, y->ln_b, D, "ln_b", l);
        check_tensor(&s, theta, grad, y->conv, 5L * D, "conv", l);
        check_tensor(&s, theta, grad, y->ssm_araw, D, "ssm_araw", l);
        check_tensor(&s, theta, grad, y->ssm_b, D, "ssm_b", l);
        check_tensor(&s, theta, grad, y->ssm_c, D, "ssm_c", l);
        check_tensor(&s, theta, grad, y->wq, (long)Dh * D, "wq", l);
        check_tensor(&s, theta, grad, y->wk, (long)Dh * D, "wk", l);
        check_tensor(&s, theta, grad, y->wv, (long)D * D, "wv", l);
        check_tensor(&s, theta, grad, y->router, 3L * D, "router", l);
    }
    check_tensor(&s, theta, grad, mp.lnf_g, D, "lnf_g", -1);
    check_tensor(&s, theta, grad, mp.lnf_b, D, "lnf_b", -1);
    /* The int8 check covers every row of the unembedding; the float one the 32 rows of the
     * lowercase letters, for time: the head's backward is one sgemm, the same for every row. */
    if (float_act) check_tensor(&s, theta, grad, mp.unemb + 96L * D, 32L * D, "unembedding rows 96..127", -1);
    else check_tensor(&s, theta, grad, mp.unemb, (long)C * D, classify ? "class head" : "unembedding", -1);

    free(s.ch), free(s.cv), free(s.cq), free(s.ck), free(s.sel), free(s.n), free(s.first), free(s.chf);
    free(s.eff), free(s.work), free(theta), free(wq0), free(w0), free(grad), free(lf), free(lb), free(master);
    free(blob);
    fb_free(f);
    return s.worst;
}

START_TEST(model_gradient_matches_surrogate_fd) { model_gradient_check(0, 0, MODEL_TOL); }
END_TEST

START_TEST(float_act_model_gradient_matches_fd) { model_gradient_check(1, 0, FLOAT_ACT_TOL); }
END_TEST

/* A classifier's gradient: the class head at each example's last byte, through the whole
 * backbone over the example's own positions, against the same surrogate's differences. */
START_TEST(classifier_gradient_matches_surrogate_fd) { model_gradient_check(0, 1, MODEL_TOL); }
END_TEST

/* Same data, same weights: the same gradient bits with 1 thread and with 2, and again. */
START_TEST(fb_step_same_bits_for_1_and_2_threads) {
    const atome_config c = {ATOME_VOCAB, 32, 2, 8, 16, 0, 0, 0, 0};
    enum { B = 6, T = 40 };
    long P = atome_param_count(&c);
    model_params mp;
    uint8_t *blob, tok[B * (T + 1)];
    float *master = init_master(&c, 21, &mp, &blob);
    atome_rng r = {22};
    for (int i = 0; i < B * (T + 1); i++) tok[i] = (uint8_t)atome_rng_below(&r, 256);
    fb_context *f = fb_create(&c, B, T);
    ck_assert_ptr_nonnull(f);
    float *g[3];
    double loss[3];
    int keep = omp_get_max_threads();
    for (int k = 0; k < 3; k++) {
        g[k] = malloc((size_t)P * sizeof(float));
        ck_assert_ptr_nonnull(g[k]);
        for (long i = 0; i < P; i++) g[k][i] = NAN; /* fb_step must write every element */
        omp_set_num_threads(k == 0 ? 1 : 2);
        ck_assert_int_eq(omp_get_max_threads(), k == 0 ? 1 : 2);
        loss[k] = fb_step(f, blob, &mp, tok, g[k]);
    }
    omp_set_num_threads(keep);
    double norm = 0.0;
    for (long i = 0; i < P; i++) {
        ck_assert_msg(!isnan(g[0][i]), "gradient element %ld not written", i);
        norm += (double)g[0][i] * g[0][i];
    }
    ck_assert(norm > 0.0);
    ck_assert(loss[0] == loss[1] && loss[1] == loss[2]);
    ck_assert_mem_eq(g[0], g[1], (size_t)P * sizeof(float));
    ck_assert_mem_eq(g[1], g[2], (size_t)P * sizeof(float));
    ck_assert(fb_forward(f, blob, tok, NULL, NULL) == loss[0]);
    for (int k = 0; k < 3; k++) free(g[k]);
    free(master), free(blob);
    fb_free(f);
}
END_TEST

/* The loss fb returns is the cross-entropy of the logits it returns, position by position. */
START_TEST(fb_forward_loss_is_cross_entropy_of_its_logits) {
    const atome_config c = {ATOME_VOCAB, 16, 2, 4, 8, 0, 0, 0, 0};
    enum { B = 3, T = 20, V = ATOME_VOCAB };
    model_params mp;
    uint8_t *blob, tok[B * (T + 1)];
    float *master = init_master(&c, 31, &mp, &blob);
    text_tokens(tok, B * (T + 1), TEXT);
    fb_context *f = fb_create(&c, B, T);
    float *logits = malloc((size_t)B * T * V * sizeof(float)), loss_pos[B * T];
    double sum = fb_forward(f, blob, tok, logits, loss_pos), want_sum = 0.0;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const float *lg = logits + ((long)b * T + t) * V;
            double m = lg[0], z = 0.0;
            for (int v = 1; v < V; v++) m = fmax(m, lg[v]);
            for (int v = 0; v < V; v++) z += exp(lg[v] - m);
            double want = log(z) + m - lg[tok[b * (T + 1) + t + 1]];
            ck_assert_msg(fabs(loss_pos[b * T + t] - want) <= 1e-5 * want, "b %d t %d: %.9g vs %.9g", b, t,
                          loss_pos[b * T + t], want);
            want_sum += want;
        }
    ck_assert_msg(fabs(sum - want_sum) <= 1e-5 * want_sum, "sum %.9g vs %.9g", sum, want_sum);
    free(logits), free(master), free(blob);
    fb_free(f);
}
END_TEST

START_TEST(fb_rejects_bad_arguments) {
    const atome_config c = {ATOME_VOCAB, 16, 2, 4, 8, 0, 0, 0, 0}, other = {ATOME_VOCAB, 16, 2, 4, 9, 0, 0, 0, 0};
    atome_config bad = c;
    bad.d_model = 0;
    ck_assert_ptr_null(fb_create(&c, 0, 8));
    ck_assert_ptr_null(fb_create(&c, 2, 0));
    ck_assert_ptr_null(fb_create(&bad, 2, 8));
    model_params mp, mo;
    uint8_t *blob, *oblob, tok[2 * 9] = {0};
    float *m1 = init_master(&c, 1, &mp, &blob), *m2 = init_master(&other, 1, &mo, &oblob);
    float *grad = malloc((size_t)atome_param_count(&c) * sizeof(float));
    fb_context *f = fb_create(&c, 2, 8);
    ck_assert_ptr_nonnull(f);
    ck_assert(!isnan(fb_forward(f, blob, tok, NULL, NULL)));
    ck_assert(isnan(fb_forward(f, oblob, tok, NULL, NULL)));  /* a blob of another window */
    ck_assert(isnan(fb_step(f, oblob, &mp, tok, grad)));
    ck_assert(isnan(fb_forward(f, blob + 1, tok, NULL, NULL))); /* misaligned */
    ck_assert(isnan(fb_forward(f, NULL, tok, NULL, NULL)));
    free(m1), free(m2), free(blob), free(oblob), free(grad);
    fb_free(f);
}
END_TEST

TCase *grad_model_tcase(void) {
    TCase *t = tcase_create("model");
    tcase_set_timeout(t, 300); /* the finite differences take about 15 s under the sanitizers */
    tcase_add_test(t, model_gradient_matches_surrogate_fd);
    tcase_add_test(t, float_act_model_gradient_matches_fd);
    tcase_add_test(t, classifier_gradient_matches_surrogate_fd);
    tcase_add_test(t, fb_step_same_bits_for_1_and_2_threads);
    tcase_add_test(t, fb_forward_loss_is_cross_entropy_of_its_logits);
    tcase_add_test(t, fb_rejects_bad_arguments);
    return t;
}

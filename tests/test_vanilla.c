/* test_vanilla.c — the vanilla GPT baseline: its parameter counts and init, its array exp/tanh,
 * its own backwards (GELU, causal softmax attention, token + positional embedding) and the whole
 * model against central finite differences. Running it (threads, batching, its file) is in
 * test_vanilla_run.c.
 *
 * Shapes: T rows (positions), D d_model, H heads, Dh = D/H, F d_ff, V vocab (256), C context,
 * B sequences, P parameters.
 *
 * Each gradient test builds a double-precision version of the forward's math, checks it against
 * the float forward first (so the reference is that op), then checks the float backward against
 * its central differences (grad_fd / grad_check of grad_util.h: error = max|analytic - fd| over
 * max|fd|).
 *
 * Tolerance 1e-4 everywhere, as in test_grad.c: the float32 analytic gradients are good to
 * ~1e-6 relative (sums of tens of terms per op; the whole model chains 2 layers of LayerNorm,
 * attention softmax, GELU and the head over 12 predicted bytes, and measures ~1e-6 worst per
 * tensor), the double differences with eps 1e-4 on O(1) inputs to ~1e-8 (truncation, eps²) and
 * ~1e-12 (rounding). 1e-4 keeps a margin of 100 over both and is far below what a real mistake
 * gives: a wrong sign, index, missing term or factor moves some component by a sizeable
 * fraction of the gradient's scale (>= 1e-2).
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_config.h"
#include "../common/atome_math.h"
#include "../train/vanilla.h"
#include "../train/math_n.h"
#include "../train/vanilla_ops.h"
#include "grad_util.h"

#define TOL 1e-4
#define EPS 1e-4

/* ---- parameter counts and layout ---- */

START_TEST(vanilla_param_counts_match_the_seed) {
    vanilla_config c;
    ck_assert_int_eq(vanilla_preset("param-fair", &c), 0);
    ck_assert_int_eq(c.d_model, 44); ck_assert_int_eq(c.n_layers, 3); ck_assert_int_eq(c.n_heads, 4);
    ck_assert_int_eq(c.d_ff, 44); ck_assert_int_eq(c.context, 64);
    ck_assert_int_eq(vanilla_param_count(&c), 60808);
    ck_assert_int_eq(vanilla_disk_bytes(&c), 4 * 60808); /* 237.5 KiB, atome-lm's figure */
    ck_assert_int_eq(vanilla_preset("flash-fair", &c), 0);
    ck_assert_int_eq(c.d_model, 8); ck_assert_int_eq(c.n_layers, 2); ck_assert_int_eq(c.n_heads, 4);
    ck_assert_int_eq(c.d_ff, 24); ck_assert_int_eq(c.context, 64);
    ck_assert_int_eq(vanilla_param_count(&c), 5968);
    ck_assert_int_eq(vanilla_preset("nope", &c), -1);
    ck_assert_str_eq(vanilla_preset_name(0), "param-fair");
    ck_assert_ptr_null(vanilla_preset_name(2));
    /* The count is what the binding lays out: every tensor inside the arena, none overlapping,
     * ending exactly at P (checked through the decay mask, which must clear the LN vectors only). */
    for (int i = 0; vanilla_preset_name(i); i++) {
        vanilla_preset(vanilla_preset_name(i), &c);
        long P = vanilla_param_count(&c), D = c.d_model, V = VANILLA_VOCAB;
        float *arena = calloc((size_t)P, sizeof(float));
        uint8_t *decay = malloc((size_t)P), *want = malloc((size_t)P);
        ck_assert_ptr_nonnull(arena); ck_assert_ptr_nonnull(decay); ck_assert_ptr_nonnull(want);
        vanilla_params p;
        vanilla_params_bind(&p, &c, arena);
        ck_assert_int_eq(p.head + V * D - arena, P);
        memset(want, 1, (size_t)P);
        for (int l = 0; l < c.n_layers; l++) {
            ck_assert_ptr_eq(p.layer[l].ln1_b, p.layer[l].ln1_g + D);
            ck_assert_ptr_eq(p.layer[l].ln2_b, p.layer[l].ln2_g + D);
            memset(want + (p.layer[l].ln1_g - arena), 0, (size_t)(2 * D));
            memset(want + (p.layer[l].ln2_g - arena), 0, (size_t)(2 * D));
        }
        ck_assert_ptr_eq(p.lnf_b, p.lnf_g + D);
        memset(want + (p.lnf_g - arena), 0, (size_t)(2 * D));
        vanilla_decay_mask(decay, &c);
        ck_assert_mem_eq(decay, want, (size_t)P);
        free(arena), free(decay), free(want);
    }
}
END_TEST

START_TEST(vanilla_init_is_seeded_gpt2_or_torch) {
    vanilla_config c;
    vanilla_preset("param-fair", &c);
    long P = vanilla_param_count(&c);
    float *a = malloc((size_t)P * 4), *b = malloc((size_t)P * 4);
    ck_assert_ptr_nonnull(a); ck_assert_ptr_nonnull(b);
    vanilla_init(a, &c, 7), vanilla_init(b, &c, 7);
    ck_assert_mem_eq(a, b, (size_t)P * 4);
    vanilla_init(b, &c, 8);
    ck_assert_int_ne(memcmp(a, b, (size_t)P * 4), 0);
    vanilla_params p;
    vanilla_params_bind(&p, &c, a);
    double s2 = 0.0, w2 = 0.0;
    long n = VANILLA_VOCAB * (long)c.d_model, m = (long)c.d_model * c.d_ff;
    for (long i = 0; i < n; i++) s2 += (double)p.wte[i] * p.wte[i];
    for (long i = 0; i < m; i++) w2 += (double)p.layer[0].w2[i] * p.layer[0].w2[i];
    ck_assert_double_eq_tol(sqrt(s2 / n), 0.02, 0.002);                             /* N(0, 0.02²) */
    ck_assert_double_eq_tol(sqrt(w2 / m), 0.02 / sqrt(2.0 * c.n_layers), 0.002);    /* scaled projection */
    ck_assert_float_eq(p.layer[1].ln1_g[3], 1.0f); ck_assert_float_eq(p.lnf_b[5], 0.0f);
    /* PyTorch's defaults: N(0, 1) embeddings, U(±1/√fan_in) matrices (w2's fan-in is F) */
    vanilla_init_torch(b, &c, 7);
    vanilla_params q;
    vanilla_params_bind(&q, &c, b);
    double e2 = 0.0, wmax = 0.0, w2max = 0.0;
    for (long i = 0; i < n; i++) e2 += (double)q.wte[i] * q.wte[i];
    for (long i = 0; i < 3L * c.d_model * c.d_model; i++) wmax = fmax(wmax, fabs(q.layer[2].wqkv[i]));
    for (long i = 0; i < m; i++) w2max = fmax(w2max, fabs(q.layer[0].w2[i]));
    ck_assert_double_eq_tol(sqrt(e2 / n), 1.0, 0.05);
    ck_assert_double_le(wmax, 1.0 / sqrt(c.d_model)); ck_assert_double_gt(wmax, 0.95 / sqrt(c.d_model));
    ck_assert_double_le(w2max, 1.0 / sqrt(c.d_ff)); ck_assert_double_gt(w2max, 0.95 / sqrt(c.d_ff));
    ck_assert_float_eq(q.layer[1].ln2_g[3], 1.0f); ck_assert_float_eq(q.lnf_b[5], 0.0f);
    free(a), free(b);
}
END_TEST

/* ---- the array exp and tanh: the same bits as the scalar ones ---- */

static void exp_tanh_batch(const float *x, int n) {
    float y[4096], z[4096];
    expf_n(y, x, n);
    tanhf_n(z, x, n);
    for (int i = 0; i < n; i++) { /* one assertion per mismatch only: libcheck logs every call */
        float e = atome_expf(x[i]), t = atome_tanhf(x[i]);
        if (memcmp(&e, &y[i], 4)) ck_abort_msg("exp(%a): array %a, atome_expf %a", x[i], y[i], e);
        if (memcmp(&t, &z[i], 4)) ck_abort_msg("tanh(%a): array %a, atome_tanhf %a", x[i], z[i], t);
    }
}

/* Every 4093rd float bit pattern (about a million, all exponents and signs), the values where
 * either function switches branch, and both infinities: expf_n and tanhf_n
 * equal atome_expf and atome_tanhf bit for bit. (An exhaustive run over all 2^32 patterns at
 * -O3, where these loops are vectorised, found no difference either.) */
START_TEST(vanilla_array_exp_tanh_equal_atome_bitwise) {
    const float edges[] = {0.0f, -0.0f, 88.0f, 88.5f, -87.3f, -87.29f, -87.31f, -88.0f, -88.5f, 9.0f, -9.0f,
                           9.0001f, -9.0001f, 1e-30f, -1e-30f, 1e-45f, INFINITY, -INFINITY, 0.5f, -0.5f};
    exp_tanh_batch(edges, (int)(sizeof edges / sizeof edges[0]));
    float x[4096];
    int n = 0;
    long tested = 0;
    for (uint64_t u = 0; u < (1ull << 32); u += 4093) {
        uint32_t b = (uint32_t)u;
        memcpy(&x[n], &b, sizeof b);
        if (x[n] == x[n]) n++; /* NaN has no defined result in either */
        if (n == 4096) exp_tanh_batch(x, n), tested += n, n = 0;
    }
    exp_tanh_batch(x, n), tested += n;
    ck_assert_int_gt(tested, 1000000);
}
END_TEST

/* ---- GELU: theta = x[n] ---- */

static double gelu_ref1(double x) { return 0.5 * x * (1.0 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))); }

typedef struct {
    int n;
    const double *w;
} gelu_ctx;

static double gelu_ref(const double *th, const void *vc) {
    const gelu_ctx *c = vc;
    const double *w = c->w;
    double f = 0.0;
    for (int i = 0; i < c->n; i++) f += w[i] * gelu_ref1(th[i]);
    return f;
}

START_TEST(gelu_backward_matches_fd) {
    enum { N = 41 };
    atome_rng r = {31};
    float x[N], w[N], y[N], t[N], dx[N] = {0};
    double th[N], wd[N], ref[N], fd[N];
    grad_fill(x, N, &r, -4.0f, 4.0f), grad_fill(w, N, &r, -1, 1);
    x[0] = 0.0f, x[1] = -12.0f, x[2] = 12.0f; /* the middle and both tails (tanh saturated at ±9) */
    grad_to_double(th, x, N), grad_to_double(wd, w, N);
    gelu_forward(y, t, x, N);
    for (int i = 0; i < N; i++) ref[i] = gelu_ref1(th[i]);
    grad_assert_close("gelu", y, ref, N, 1e-6);
    /* the tanh form stays within 1e-3 of the exact x·Φ(x) atome-lm's nn.GELU computes */
    for (double v = -8.0; v <= 8.0; v += 1.0 / 64)
        ck_assert_double_lt(fabs(gelu_ref1(v) - 0.5 * v * (1.0 + erf(v / sqrt(2.0)))), 1e-3);
    gelu_ctx c = {N, wd};
    grad_fd(gelu_ref, th, &c, 0, N, EPS, fd);
    gelu_backward(dx, w, x, t, N);
    grad_check("gelu dx", dx, fd, N, TOL);
}
END_TEST

/* ---- causal multi-head attention: theta = qkv[T, 3D] ---- */

typedef struct {
    int T, D, H;
    double scale;
    const double *w;
    double *y, *p;
} mha_ctx;

static double mha_ref(const double *qkv, const void *vc) {
    const mha_ctx *c = vc;
    int T = c->T, D = c->D, H = c->H, Dh = D / H;
    double f = 0.0, s[64];
    for (int h = 0; h < H; h++)
        for (int t = 0; t < T; t++) {
            double m = -INFINITY, sum = 0.0;
            for (int u = 0; u <= t; u++) {
                s[u] = 0.0;
                for (int i = 0; i < Dh; i++) s[u] += qkv[t * 3 * D + h * Dh + i] * qkv[u * 3 * D + D + h * Dh + i];
                s[u] *= c->scale;
                m = fmax(m, s[u]);
            }
            for (int u = 0; u <= t; u++) sum += s[u] = exp(s[u] - m);
            for (int u = 0; u < T; u++)
                if (c->p) c->p[(h * T + t) * T + u] = u <= t ? s[u] / sum : 0.0;
            for (int i = 0; i < Dh; i++) {
                double y = 0.0;
                for (int u = 0; u <= t; u++) y += s[u] / sum * qkv[u * 3 * D + 2 * D + h * Dh + i];
                if (c->y) c->y[t * D + h * Dh + i] = y;
                f += c->w[t * D + h * Dh + i] * y;
            }
        }
    return f;
}

static void mha_case(int T, int D, int H, uint64_t seed) {
    enum { MT = 9, MD = 12 };
    ck_assert(T <= MT && D <= MD);
    atome_rng r = {seed};
    float ds[MT * MT], qkv[MT * 3 * MD], w[MT * MD], y[MT * MD], p[MD * MT * MT], dqkv[MT * 3 * MD] = {0};
    double th[MT * 3 * MD], wd[MT * MD], yref[MT * MD], pref[MD * MT * MT], fd[MT * 3 * MD];
    grad_fill(qkv, T * 3 * D, &r, -1.5f, 1.5f), grad_fill(w, T * D, &r, -1, 1);
    for (int i = 0; i < H * T * T; i++) p[i] = NAN; /* every entry must be written, the masked ones 0 */
    float scale = 1.0f / atome_sqrtf((float)(D / H));
    grad_to_double(th, qkv, T * 3 * D), grad_to_double(wd, w, T * D);
    mha_ctx c = {T, D, H, scale, wd, yref, pref};
    mha_ref(th, &c);
    mha_forward(y, p, qkv, T, D, H, scale);
    grad_assert_close("mha y", y, yref, T * D, 1e-5);
    grad_assert_close("mha p", p, pref, H * T * T, 1e-5);
    c.y = c.p = NULL;
    grad_fd(mha_ref, th, &c, 0, T * 3 * D, EPS, fd);
    mha_backward(dqkv, ds, w, qkv, p, T, D, H, scale);
    /* check q, k and v separately: each has its own formula */
    float a[3][MT * MD];
    double b[3][MT * MD];
    for (int part = 0; part < 3; part++)
        for (int t = 0; t < T; t++)
            for (int i = 0; i < D; i++) {
                a[part][t * D + i] = dqkv[t * 3 * D + part * D + i];
                b[part][t * D + i] = fd[t * 3 * D + part * D + i];
            }
    if (T == 1) { /* one key: its weight is 1 whatever the scores, so q and k get exactly nothing */
        for (int i = 0; i < D; i++) {
            ck_assert_float_eq(a[0][i], 0.0f);
            ck_assert_float_eq(a[1][i], 0.0f);
        }
    } else {
        grad_check("mha dq", a[0], b[0], T * D, TOL);
        grad_check("mha dk", a[1], b[1], T * D, TOL);
    }
    grad_check("mha dv", a[2], b[2], T * D, TOL);
}

START_TEST(mha_backward_matches_fd) {
    mha_case(9, 12, 3, 32); /* 3 heads of 4 */
    mha_case(5, 6, 1, 33);  /* one head of 6 */
    mha_case(1, 4, 4, 34);  /* one position, heads of 1: softmax over a single key */
}
END_TEST

/* ---- token + positional embedding: theta = wte[R, D], wpe[T, D] ---- */

typedef struct {
    int R, T, D;
    const uint8_t *tok;
    const double *w;
} enc_ctx;

static double enc_ref(const double *th, const void *vc) {
    const enc_ctx *c = vc;
    const double *wte = th, *wpe = th + c->R * c->D;
    double f = 0.0;
    for (int t = 0; t < c->T; t++)
        for (int i = 0; i < c->D; i++) f += c->w[t * c->D + i] * (wte[c->tok[t] * c->D + i] + wpe[t * c->D + i]);
    return f;
}

START_TEST(encoder_backward_matches_fd) {
    enum { R = 6, T = 7, D = 5 };
    atome_rng r = {35};
    const uint8_t tok[T] = {2, 0, 2, 5, 1, 2, 0}; /* repeats: their rows must accumulate; 3, 4 unused */
    float wte[R * D], wpe[T * D], w[T * D], x[T * D], dwte[R * D] = {0}, dwpe[T * D] = {0};
    double th[(R + T) * D], wd[T * D], ref[T * D], fd[(R + T) * D];
    grad_fill(wte, R * D, &r, -1, 1), grad_fill(wpe, T * D, &r, -1, 1), grad_fill(w, T * D, &r, -1, 1);
    grad_to_double(th, wte, R * D), grad_to_double(th + R * D, wpe, T * D), grad_to_double(wd, w, T * D);
    encoder_forward(x, wte, wpe, tok, T, D);
    for (int t = 0; t < T; t++)
        for (int i = 0; i < D; i++) ref[t * D + i] = th[tok[t] * D + i] + th[R * D + t * D + i];
    grad_assert_close("encoder", x, ref, T * D, 1e-7);
    enc_ctx c = {R, T, D, tok, wd};
    grad_fd(enc_ref, th, &c, 0, (R + T) * D, EPS, fd);
    encoder_backward(dwte, dwpe, w, tok, T, D);
    grad_check("encoder d wte", dwte, fd, R * D, TOL);
    grad_check("encoder d wpe", dwpe, fd + R * D, T * D, TOL);
}
END_TEST

/* ---- the whole model: theta = every parameter, loss = mean cross-entropy over B·T bytes ---- */

typedef struct {
    vanilla_config c;
    int B, T;
    const uint8_t *tok;
    double *logits; /* [B][T][V] when not NULL */
} model_ctx;

static void ln_ref(double *out, const double *x, const double *g, const double *b, int n) {
    double m = 0.0, var = 0.0;
    for (int i = 0; i < n; i++) m += x[i] / n;
    for (int i = 0; i < n; i++) var += (x[i] - m) * (x[i] - m) / n;
    double rs = 1.0 / sqrt(var + (double)ATOME_LN_EPS);
    for (int i = 0; i < n; i++) out[i] = (x[i] - m) * rs * g[i] + b[i];
}

/* out[R] = W[R, C] · x[C] */
static void mv_ref(double *out, const double *W, const double *x, int R, int C) {
    for (int r = 0; r < R; r++) {
        out[r] = 0.0;
        for (int k = 0; k < C; k++) out[r] += W[r * C + k] * x[k];
    }
}

enum { RT = 8, RD = 8, RF = 12 }; /* the reference's largest T, D, F */

static double model_ref(const double *th, const void *vc) {
    const model_ctx *mc = vc;
    const vanilla_config *c = &mc->c;
    int T = mc->T, D = c->d_model, F = c->d_ff, H = c->n_heads, V = VANILLA_VOCAB;
    ck_assert(T <= RT && D <= RD && F <= RF);
    /* the arena's order, as vanilla_params_bind lays it out */
    const double *wte = th, *wpe = wte + V * D, *a = wpe + c->context * D;
    double loss = 0.0;
    for (int b = 0; b < mc->B; b++) {
        const uint8_t *tok = mc->tok + b * (T + 1);
        double x[RT][RD], h[RT][RD], qkv[RT][3 * RD], att[RT][RD], f1[RF], g[RF], o[RD], lg[VANILLA_VOCAB];
        for (int t = 0; t < T; t++)
            for (int i = 0; i < D; i++) x[t][i] = wte[tok[t] * D + i] + wpe[t * D + i];
        const double *lp = a;
        for (int l = 0; l < c->n_layers; l++) {
            const double *ln1g = lp, *ln1b = ln1g + D, *wqkv = ln1b + D, *wo = wqkv + 3 * D * D;
            const double *ln2g = wo + D * D, *ln2b = ln2g + D, *w1 = ln2b + D, *w2 = w1 + F * D;
            lp = w2 + D * F;
            for (int t = 0; t < T; t++) ln_ref(h[t], x[t], ln1g, ln1b, D), mv_ref(qkv[t], wqkv, h[t], 3 * D, D);
            int Dh = D / H;
            for (int hh = 0; hh < H; hh++)
                for (int t = 0; t < T; t++) {
                    double s[RT], mx = -INFINITY, sum = 0.0;
                    for (int u = 0; u <= t; u++) {
                        s[u] = 0.0;
                        for (int i = 0; i < Dh; i++) s[u] += qkv[t][hh * Dh + i] * qkv[u][D + hh * Dh + i];
                        s[u] /= sqrt((double)Dh);
                        mx = fmax(mx, s[u]);
                    }
                    for (int u = 0; u <= t; u++) sum += s[u] = exp(s[u] - mx);
                    for (int i = 0; i < Dh; i++) {
                        att[t][hh * Dh + i] = 0.0;
                        for (int u = 0; u <= t; u++) att[t][hh * Dh + i] += s[u] / sum * qkv[u][2 * D + hh * Dh + i];
                    }
                }
            for (int t = 0; t < T; t++) {
                mv_ref(o, wo, att[t], D, D);
                for (int i = 0; i < D; i++) x[t][i] += o[i];
                ln_ref(h[t], x[t], ln2g, ln2b, D);
                mv_ref(f1, w1, h[t], F, D);
                for (int i = 0; i < F; i++) g[i] = gelu_ref1(f1[i]);
                mv_ref(o, w2, g, D, F);
                for (int i = 0; i < D; i++) x[t][i] += o[i];
            }
        }
        const double *lnfg = lp, *lnfb = lnfg + D, *head = lnfb + D;
        for (int t = 0; t < T; t++) {
            ln_ref(h[t], x[t], lnfg, lnfb, D);
            mv_ref(lg, head, h[t], V, D);
            double mx = lg[0], sum = 0.0;
            for (int v = 0; v < V; v++) mx = fmax(mx, lg[v]);
            for (int v = 0; v < V; v++) sum += exp(lg[v] - mx);
            loss += log(sum) + mx - lg[tok[t + 1]];
            if (mc->logits) memcpy(mc->logits + ((long)b * T + t) * V, lg, sizeof lg);
        }
    }
    return loss / (mc->B * T);
}

/* Random parameters big enough that every nonlinearity works in its curved region: attention
 * scores O(1) (not uniform softmaxes), GELU inputs O(1), logits spread over several nats. */
static void random_params(float *w, const vanilla_config *c, uint64_t seed) {
    vanilla_params p;
    vanilla_params_bind(&p, c, w);
    atome_rng r = {seed};
    long P = vanilla_param_count(c), D = c->d_model;
    grad_fill(w, P, &r, -0.6f, 0.6f);
    grad_fill(p.wte, VANILLA_VOCAB * D, &r, -1, 1), grad_fill(p.head, VANILLA_VOCAB * D, &r, -1, 1);
    for (int l = 0; l < c->n_layers; l++) {
        grad_fill(p.layer[l].ln1_g, D, &r, 0.5f, 1.5f), grad_fill(p.layer[l].ln2_g, D, &r, 0.5f, 1.5f);
        grad_fill(p.layer[l].ln1_b, D, &r, -0.3f, 0.3f), grad_fill(p.layer[l].ln2_b, D, &r, -0.3f, 0.3f);
    }
    grad_fill(p.lnf_g, D, &r, 0.5f, 1.5f);
}

START_TEST(vanilla_model_backward_matches_fd) {
    /* 2 layers, 2 heads of 4, windows of 6 predicted bytes from a table of 8 positions (rows 6
     * and 7 unused: their gradient must be 0), 2 sequences sharing bytes. */
    const vanilla_config c = {8, 2, 2, 12, RT};
    enum { B = 2, T = 6 };
    const uint8_t tok[B * (T + 1)] = {'a', 'b', 'a', 'c', 'a', 'b', 'd', 'x', 'a', 'y', 'y', 'b', 0, 255};
    long P = vanilla_param_count(&c);
    float *w = malloc((size_t)P * 4), *grad = malloc((size_t)P * 4), *logits = malloc(B * T * 256 * 4);
    double *th = malloc((size_t)P * 8), *fd = malloc((size_t)P * 8), *lref = malloc(B * T * 256 * 8);
    ck_assert(w && grad && logits && th && fd && lref);
    random_params(w, &c, 36);
    grad_to_double(th, w, P);
    model_ctx mc = {c, B, T, tok, lref};
    double want = model_ref(th, &mc);
    vfb_context *f = vfb_create(&c, B, T);
    ck_assert_ptr_nonnull(f);
    double got = vfb_forward(f, w, tok, logits, NULL);
    grad_assert_close("vanilla logits", logits, lref, B * T * 256, 1e-5);
    ck_assert_msg(fabs(got / (B * T) - want) <= 1e-5 * want, "loss %.9g, reference %.9g", got / (B * T), want);
    ck_assert_double_gt(want, 1.0); /* the outputs are far from a fitted model: real gradients */
    double again = vfb_step(f, w, tok, grad);
    ck_assert_double_eq(again, got); /* vfb_step's forward is vfb_forward's */
    mc.logits = NULL;
    grad_fd(model_ref, th, &mc, 0, (int)P, EPS, fd);
    vanilla_params gp;
    vanilla_params_bind(&gp, &c, grad);
    ck_assert_int_eq(gp.head - grad, P - 256 * c.d_model);
    /* per tensor, so that a failure names it; every element of the arena is in exactly one */
    struct {
        const char *name;
        const float *p;
        long n;
    } ts[] = {{"wte", gp.wte, 256 * 8}, {"wpe", gp.wpe, RT * 8},
              {"layer 0 ln1", gp.layer[0].ln1_g, 16}, {"layer 0 wqkv", gp.layer[0].wqkv, 192},
              {"layer 0 wo", gp.layer[0].wo, 64}, {"layer 0 ln2", gp.layer[0].ln2_g, 16},
              {"layer 0 w1", gp.layer[0].w1, 96}, {"layer 0 w2", gp.layer[0].w2, 96},
              {"layer 1 ln1", gp.layer[1].ln1_g, 16}, {"layer 1 wqkv", gp.layer[1].wqkv, 192},
              {"layer 1 wo", gp.layer[1].wo, 64}, {"layer 1 ln2", gp.layer[1].ln2_g, 16},
              {"layer 1 w1", gp.layer[1].w1, 96}, {"layer 1 w2", gp.layer[1].w2, 96},
              {"lnf", gp.lnf_g, 16}, {"head", gp.head, 256 * 8}};
    long covered = 0;
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        ck_assert_int_eq(ts[i].p - grad, covered);
        grad_check(ts[i].name, ts[i].p, fd + covered, (int)ts[i].n, TOL);
        covered += ts[i].n;
    }
    ck_assert_int_eq(covered, P);
    for (int i = T * 8; i < RT * 8; i++) ck_assert_float_eq(gp.wpe[i], 0.0f);
    for (int i = 0; i < 8; i++) ck_assert_float_eq(gp.wte['z' * 8 + i], 0.0f);
    vfb_free(f);
    free(w), free(grad), free(logits), free(th), free(fd), free(lref);
}
END_TEST

TCase *vanilla_run_tcase(void); /* test_vanilla_run.c */

Suite *vanilla_suite(void) {
    Suite *s = suite_create("vanilla");
    TCase *t = tcase_create("grad");
    tcase_set_timeout(t, 600);
    tcase_add_test(t, vanilla_param_counts_match_the_seed);
    tcase_add_test(t, vanilla_init_is_seeded_gpt2_or_torch);
    tcase_add_test(t, vanilla_array_exp_tanh_equal_atome_bitwise);
    tcase_add_test(t, gelu_backward_matches_fd);
    tcase_add_test(t, mha_backward_matches_fd);
    tcase_add_test(t, encoder_backward_matches_fd);
    tcase_add_test(t, vanilla_model_backward_matches_fd);
    suite_add_tcase(s, t);
    suite_add_tcase(s, vanilla_run_tcase());
    return s;
}

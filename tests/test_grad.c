/* test_grad.c — every backward kernel against central finite differences, op by op.
 *
 * Shapes: n a vector, T rows (positions), D channels, Dh query/key width, R × C a matrix,
 * V vocab. Each test builds a double-precision version of one forward op's math, first checks
 * it against the common/ kernel itself (so the reference is that op, not another one), then
 * checks the train/ backward against its central differences with upstream gradient w
 * (the loss is sum w·y, so dy = w).
 *
 * The quantisers: the straight-through backward is the exact gradient of the dequantised
 * float computation (W~ = scale·trit, x~ = scale·int8), so these tests differentiate the
 * reference in W~ and x~ directly; the whole model is in test_grad_model.c.
 *
 * Tolerance: grad_check's error is max|analytic - fd| / max|fd| per gradient. The analytic
 * side is float32 (relative error about 1e-7 per operation, sums of at most a few hundred
 * terms here), the differences are double with eps 1e-4 on O(1) inputs (truncation about
 * eps² = 1e-8, rounding 1e-16/eps = 1e-12). 1e-4 is above both with a wide margin, and far
 * below what a real mistake gives: a wrong sign, index, missing term or factor moves some
 * component by a sizeable fraction of the gradient's scale (>= 1e-2).
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_math.h"
#include "../common/atome_trits.h"
#include "../train/block_backward.h"
#include "../train/ops_backward.h"
#include "grad_util.h"

#define TOL 1e-4
#define EPS 1e-4

float grad_uniform(atome_rng *r, float lo, float hi) { return lo + (hi - lo) * atome_rng_uniform(r); }

atome_tmat grad_tmat(int rows, int cols, float scale, atome_rng *r, uint8_t **mem) {
    int rb = ATOME_ROW_BYTES(cols);
    *mem = calloc((size_t)rows * rb + 8, 1);
    ck_assert_ptr_nonnull(*mem);
    memcpy(*mem, &scale, sizeof scale);
    int8_t row[ATOME_MAX_D];
    for (int i = 0; i < rows; i++) {
        for (int c = 0; c < cols; c++) row[c] = (int8_t)((int)atome_rng_below(r, 3) - 1);
        atome_pack_row(*mem + 8 + (long)i * rb, row, cols);
    }
    atome_tmat m = {(const float *)(void *)*mem, *mem + 8, rows, cols, rb};
    return m;
}

void grad_fd(grad_fn f, double *theta, const void *ctx, int from, int n, double eps, double *fd) {
    for (int i = from; i < from + n; i++) {
        double keep = theta[i];
        theta[i] = keep + eps;
        double up = f(theta, ctx);
        theta[i] = keep - eps;
        double down = f(theta, ctx);
        theta[i] = keep;
        fd[i - from] = (up - down) / (2.0 * eps);
    }
}

double grad_check(const char *what, const float *a, const double *fd, int n, double tol) {
    double scale = 0.0, err = 0.0;
    for (int i = 0; i < n; i++) {
        scale = fmax(scale, fabs(fd[i]));
        err = fmax(err, fabs((double)a[i] - fd[i]));
    }
    ck_assert_msg(scale > 0.0, "%s: the finite differences are all zero, the check checks nothing", what);
    ck_assert_msg(err <= tol * scale, "%s: max |analytic - fd| = %.3g, %.3g of max |fd| = %.3g (tolerance %.0e)",
                  what, err, err / scale, scale, tol);
    return err / scale;
}

void grad_to_double(double *d, const float *f, long n) {
    for (long i = 0; i < n; i++) d[i] = f[i];
}

void grad_fill(float *x, long n, atome_rng *r, float lo, float hi) {
    for (long i = 0; i < n; i++) x[i] = grad_uniform(r, lo, hi);
}

void grad_assert_close(const char *what, const float *got, const double *want, long n, double rtol) {
    double scale = 1e-30;
    for (long i = 0; i < n; i++) scale = fmax(scale, fabs(want[i]));
    for (long i = 0; i < n; i++)
        ck_assert_msg(fabs(got[i] - want[i]) <= rtol * scale, "%s[%ld] = %.9g, reference %.9g", what, i, got[i],
                      want[i]);
}

/* ---- layernorm: theta = x[n], g[n], b[n] ---- */
typedef struct {
    int n;
    const double *w;
    double *out;
} ln_ctx;

static double ln_ref(const double *th, const void *vc) {
    const ln_ctx *c = vc;
    int n = c->n;
    const double *x = th, *g = th + n, *b = th + 2 * n;
    double m = 0.0, var = 0.0, f = 0.0;
    for (int i = 0; i < n; i++) m += x[i] / n;
    for (int i = 0; i < n; i++) var += (x[i] - m) * (x[i] - m) / n;
    double r = 1.0 / sqrt(var + (double)ATOME_LN_EPS);
    for (int i = 0; i < n; i++) {
        double o = (x[i] - m) * r * g[i] + b[i];
        if (c->out) c->out[i] = o;
        f += c->w[i] * o;
    }
    return f;
}

START_TEST(layernorm_backward_matches_fd) {
    enum { N = 37 };
    atome_rng r = {11};
    float x[N], g[N], b[N], w[N], out[N], mean, rstd, dx[N] = {0}, dg[N] = {0}, db[N] = {0};
    double th[3 * N], wd[N], ref[N], fd[3 * N];
    grad_fill(x, N, &r, -2.0f, 3.0f), grad_fill(g, N, &r, 0.5f, 1.5f), grad_fill(b, N, &r, -0.5f, 0.5f), grad_fill(w, N, &r, -1, 1);
    grad_to_double(th, x, N), grad_to_double(th + N, g, N), grad_to_double(th + 2 * N, b, N), grad_to_double(wd, w, N);
    ln_ctx c = {N, wd, ref};
    ln_ref(th, &c);
    layernorm_forward(out, &mean, &rstd, x, g, b, N);
    grad_assert_close("layernorm", out, ref, N, 1e-6);
    c.out = NULL;
    grad_fd(ln_ref, th, &c, 0, 3 * N, EPS, fd);
    layernorm_backward(dx, dg, db, w, x, mean, rstd, g, N);
    grad_check("layernorm dx", dx, fd, N, TOL);
    grad_check("layernorm dg", dg, fd + N, N, TOL);
    grad_check("layernorm db", db, fd + 2 * N, N, TOL);
}
END_TEST

/* ---- matmul over T rows: theta = W~[R, C], x~[T, C] ---- */
typedef struct {
    int T, R, C;
    const double *w;
} mm_ctx;

static double mm_ref(const double *th, const void *vc) {
    const mm_ctx *c = vc;
    const double *W = th, *x = th + c->R * c->C;
    double f = 0.0;
    for (int t = 0; t < c->T; t++)
        for (int r = 0; r < c->R; r++) {
            double y = 0.0;
            for (int k = 0; k < c->C; k++) y += W[r * c->C + k] * x[t * c->C + k];
            f += c->w[t * c->R + r] * y;
        }
    return f;
}

START_TEST(matmul_backward_matches_fd) {
    enum { T = 3, R = 7, C = 12, CP = 15, LD = R + 3 };
    atome_rng r = {12};
    uint8_t *mem;
    atome_tmat m = grad_tmat(R, C, 0.37f, &r, &mem);
    int8_t xq[T][CP] = {{0}};
    float xs[T] = {0.013f, 0.021f, 0.0077f}, wdq[R * C], xdq[T * C], y[R], dy[T * LD], dx[T * C] = {0},
          dw[R * C] = {0};
    double th[R * C + T * C], wd[T * R], fd[R * C + T * C];
    for (int t = 0; t < T; t++)
        for (int k = 0; k < C; k++) xq[t][k] = (int8_t)((int)atome_rng_below(&r, 255) - 127);
    tmat_dequant(wdq, &m);
    for (int t = 0; t < T; t++) quant8_dequant(xdq + t * C, xq[t], xs[t], C);
    for (int i = 0; i < T * LD; i++) dy[i] = NAN; /* the padding past R must never be read */
    for (int t = 0; t < T; t++)
        for (int k = 0; k < R; k++) dy[t * LD + k] = grad_uniform(&r, -1, 1), wd[t * R + k] = dy[t * LD + k];
    grad_to_double(th, wdq, R * C), grad_to_double(th + R * C, xdq, T * C);
    mm_ctx c = {T, R, C, wd};
    for (int t = 0; t < T; t++) { /* the kernel computes W~ x~ */
        double want[R];
        for (int k = 0; k < R; k++) {
            want[k] = 0.0;
            for (int j = 0; j < C; j++) want[k] += th[k * C + j] * th[R * C + t * C + j];
        }
        matmul_forward(y, &m, xq[t], &xs[t], 1, NULL);
        grad_assert_close("matmul", y, want, R, 1e-6);
    }
    grad_fd(mm_ref, th, &c, 0, R * C + T * C, EPS, fd);
    matmul_backward(dx, dw, dy, LD, wdq, xdq, T, R, C);
    grad_check("matmul dW", dw, fd, R * C, TOL);
    grad_check("matmul dx", dx, fd + R * C, T * C, TOL);
    free(mem);
}
END_TEST

/* ---- conv over T rows: theta = h[T, D], W~[D, 5] ---- */
typedef struct {
    int T, D;
    const double *w;
    double *y;
} conv_ctx;

static double conv_ref(const double *th, const void *vc) {
    const conv_ctx *c = vc;
    int T = c->T, D = c->D;
    const double *h = th, *W = th + T * D;
    double f = 0.0;
    for (int t = 0; t < T; t++)
        for (int i = 0; i < D; i++) {
            double y = 0.0;
            for (int j = 0; j < 5; j++)
                if (t - 4 + j >= 0) y += W[i * 5 + j] * h[(t - 4 + j) * D + i];
            if (c->y) c->y[t * D + i] = y;
            f += c->w[t * D + i] * y;
        }
    return f;
}

START_TEST(conv_backward_matches_fd) {
    enum { T = 9, D = 7 };
    atome_rng r = {13};
    uint8_t *mem;
    atome_tmat m = grad_tmat(D, 5, 0.61f, &r, &mem);
    float h[T * D], w[T * D], wdq[D * 5], y[T * D], dh[T * D] = {0}, dw[D * 5] = {0};
    double th[T * D + D * 5], wd[T * D], ref[T * D], fd[T * D + D * 5];
    grad_fill(h, T * D, &r, -2, 2), grad_fill(w, T * D, &r, -1, 1);
    tmat_dequant(wdq, &m);
    grad_to_double(th, h, T * D), grad_to_double(th + T * D, wdq, D * 5), grad_to_double(wd, w, T * D);
    conv_ctx c = {T, D, wd, ref};
    conv_ref(th, &c);
    float hz[(T + 4) * D] = {0}; /* h behind 4 zero rows: the taps before position 0 */
    memcpy(hz + 4 * D, h, sizeof h);
    for (int t = 0; t < T; t++) conv_forward(y + t * D, &m, hz + t * D, D);
    grad_assert_close("conv", y, ref, T * D, 1e-6);
    c.y = NULL;
    grad_fd(conv_ref, th, &c, 0, T * D + D * 5, EPS, fd);
    conv_backward(dh, dw, w, h, wdq, T, D);
    grad_check("conv dh", dh, fd, T * D, TOL);
    grad_check("conv dW", dw, fd + T * D, D * 5, TOL);
    free(mem);
}
END_TEST

/* ---- SSM through time: theta = a_raw[D], b[D], c[D], h[T, D] ---- */
typedef struct {
    int T, D;
    const double *w;
    double *y;
} ssm_ctx;

static double ssm_ref(const double *th, const void *vc) {
    const ssm_ctx *c = vc;
    int T = c->T, D = c->D;
    const double *araw = th, *b = th + D, *cc = th + 2 * D, *h = th + 3 * D;
    double f = 0.0;
    for (int i = 0; i < D; i++) {
        double a = tanh(araw[i]), g = b[i] * cc[i], s = 0.0;
        for (int t = 0; t < T; t++) {
            s = a * s + h[t * D + i];
            if (c->y) c->y[t * D + i] = g * s;
            f += c->w[t * D + i] * g * s;
        }
    }
    return f;
}

START_TEST(ssm_backward_through_time_matches_fd) {
    enum { T = 12, D = 6 };
    atome_rng r = {14};
    float araw[D], b[D], cc[D], h[T * D], w[T * D], a[D], g[D], s[T * D], y[T * D];
    float dh[T * D] = {0}, da[D] = {0}, db[D] = {0}, dc[D] = {0};
    double th[3 * D + T * D], wd[T * D], ref[T * D], fd[3 * D + T * D];
    grad_fill(araw, D, &r, -1.0f, 2.5f), grad_fill(b, D, &r, 0.5f, 1.5f), grad_fill(cc, D, &r, -0.5f, 0.5f);
    grad_fill(h, T * D, &r, -1, 1), grad_fill(w, T * D, &r, -1, 1);
    for (int i = 0; i < D; i++) a[i] = atome_tanhf(araw[i]), g[i] = b[i] * cc[i]; /* as model_pack */
    grad_to_double(th, araw, D), grad_to_double(th + D, b, D), grad_to_double(th + 2 * D, cc, D), grad_to_double(th + 3 * D, h, T * D);
    grad_to_double(wd, w, T * D);
    ssm_ctx c = {T, D, wd, ref};
    ssm_ref(th, &c);
    const float zeros[D] = {0}; /* the state before position 0 */
    for (int t = 0; t < T; t++) ssm_forward(y + t * D, s + t * D, t ? s + (t - 1) * D : zeros, h + t * D, a, g, D);
    grad_assert_close("ssm", y, ref, T * D, 1e-5);
    c.y = NULL;
    grad_fd(ssm_ref, th, &c, 0, 3 * D + T * D, EPS, fd);
    ssm_backward(dh, da, db, dc, w, s, a, g, b, cc, T, D);
    grad_check("ssm d a_raw", da, fd, D, TOL);
    grad_check("ssm db", db, fd + D, D, TOL);
    grad_check("ssm dc", dc, fd + 2 * D, D, TOL);
    grad_check("ssm dh", dh, fd + 3 * D, T * D, TOL);
}
END_TEST

/* ---- attention of one query: theta = q~[Dh], k~[ring, Dh], v~[ring, D]; selection frozen ---- */
typedef struct {
    int ring, Dh, D, first, chosen;
    const int *sel;
    double inv;
    const double *w;
    double *y, *p;
} att_ctx;

static double att_ref(const double *th, const void *vc) {
    const att_ctx *c = vc;
    int Dh = c->Dh, D = c->D;
    const double *q = th, *k = th + Dh, *v = th + Dh + c->ring * Dh;
    double s[ATOME_TOPK], p[ATOME_TOPK], sum = 0.0, f = 0.0;
    for (int e = 0; e < c->chosen; e++) {
        int row = (c->first + c->sel[e]) % c->ring;
        s[e] = 0.0;
        for (int i = 0; i < Dh; i++) s[e] += q[i] * k[row * Dh + i];
        s[e] *= c->inv;
    }
    for (int e = 0; e < c->chosen; e++) sum += p[e] = exp(s[e] - s[0]);
    for (int i = 0; i < D; i++) {
        double y = 0.0;
        for (int e = 0; e < c->chosen; e++) y += p[e] / sum * v[((c->first + c->sel[e]) % c->ring) * D + i];
        if (c->y) c->y[i] = y;
        f += c->w[i] * y;
    }
    if (c->p)
        for (int e = 0; e < c->chosen; e++) c->p[e] = p[e] / sum;
    return f;
}

static void attention_case(int ring, int first, int n, uint64_t seed) {
    enum { Dh = 6, D = 5, MAXR = 12, LD = Dh + D };
    ck_assert_int_le(ring, MAXR);
    atome_rng r = {seed};
    int8_t q[Dh], k[MAXR * Dh], v[MAXR * D];
    float qs = 0.021f, ks[MAXR], vs[MAXR], w[D], y[D], p[ATOME_TOPK], scores[MAXR], dq[Dh] = {0};
    float dkv[MAXR * LD] = {0}, dk[MAXR * Dh], dv[MAXR * D];
    int sel[ATOME_TOPK];
    for (int i = 0; i < Dh; i++) q[i] = (int8_t)((int)atome_rng_below(&r, 255) - 127);
    for (int i = 0; i < ring * Dh; i++) k[i] = (int8_t)((int)atome_rng_below(&r, 255) - 127);
    for (int i = 0; i < ring * D; i++) v[i] = (int8_t)((int)atome_rng_below(&r, 255) - 127);
    grad_fill(ks, ring, &r, 0.01f, 0.03f), grad_fill(vs, ring, &r, 0.005f, 0.02f), grad_fill(w, D, &r, -1, 1);
    float inv = 1.0f / atome_sqrtf((float)Dh);
    int chosen = attention_forward(y, sel, p, scores, q, qs, k, ks, v, vs, first % ring, n, ring, Dh, D, inv);
    ck_assert_int_eq(chosen, n < ATOME_TOPK ? n : ATOME_TOPK);
    /* the selection is the top of the candidates, with a margin so that the frozen selection
     * of the reference is also its own top-k under the differences' small steps */
    for (int j = 0; j < n; j++) {
        int in = 0;
        for (int e = 0; e < chosen; e++) in |= sel[e] == j;
        if (!in) ck_assert_float_lt(scores[j] + 1e-2f, scores[sel[chosen - 1]]);
    }
    double th[Dh + MAXR * Dh + MAXR * D], wd[D], yref[D], pref[ATOME_TOPK], fd[Dh + MAXR * Dh + MAXR * D];
    for (int i = 0; i < Dh; i++) th[i] = qs * (float)q[i];
    for (int j = 0; j < ring; j++) {
        for (int i = 0; i < Dh; i++) th[Dh + j * Dh + i] = ks[j] * (float)k[j * Dh + i];
        for (int i = 0; i < D; i++) th[Dh + ring * Dh + j * D + i] = vs[j] * (float)v[j * D + i];
    }
    grad_to_double(wd, w, D);
    att_ctx c = {ring, Dh, D, first, chosen, sel, inv, wd, yref, pref};
    att_ref(th, &c);
    grad_assert_close("attention y", y, yref, D, 1e-5);
    grad_assert_close("attention p", p, pref, chosen, 1e-5);
    c.y = c.p = NULL;
    int nt = Dh + ring * Dh + ring * D;
    grad_fd(att_ref, th, &c, 0, nt, EPS, fd);
    attention_backward(dq, dkv, dkv + Dh, LD, w, sel, p, chosen, q, qs, k, ks, v, vs, first, ring, Dh, D, inv);
    for (int j = 0; j < ring; j++) {
        memcpy(dk + j * Dh, dkv + j * LD, Dh * sizeof(float));
        memcpy(dv + j * D, dkv + j * LD + Dh, D * sizeof(float));
    }
    grad_check("attention dq", dq, fd, Dh, TOL);
    grad_check("attention dk", dk, fd + Dh, ring * Dh, TOL);
    grad_check("attention dv", dv, fd + Dh + ring * Dh, ring * D, TOL);
}

START_TEST(attention_backward_matches_fd) {
    attention_case(12, 7, 9, 15); /* 9 candidates wrapping round a ring of 12: 5 left out */
    attention_case(3, 0, 3, 16);  /* fewer candidates than TOPK */
}
END_TEST

/* ---- router softmax: theta = logits[3] ---- */
static double router_ref(const double *th, const void *vc) {
    const double *w = vc;
    double m = fmax(th[0], fmax(th[1], th[2])), e[3], s = 0.0;
    for (int k = 0; k < 3; k++) s += e[k] = exp(th[k] - m);
    return (w[0] * e[0] + w[1] * e[1] + w[2] * e[2]) / s;
}

START_TEST(router_backward_matches_fd) {
    float logits[3] = {0.3f, -1.2f, 0.9f}, r[3], w[3] = {0.7f, -0.4f, 1.3f}, dl[3] = {0};
    double th[3] = {0.3f, -1.2f, 0.9f}, wd[3] = {0.7f, -0.4f, 1.3f}, fd[3];
    router_forward(r, logits, 0);
    grad_fd(router_ref, th, wd, 0, 3, EPS, fd);
    router_backward(dl, w, r);
    grad_check("router", dl, fd, 3, TOL);
}
END_TEST

/* ---- residual mix: theta = x_in[D], yc[D], ys[D], ya[D], r[3] ---- */
typedef struct {
    int D;
    const double *w;
} mix_ctx;

static double mix_ref(const double *th, const void *vc) {
    const mix_ctx *c = vc;
    int D = c->D;
    const double *x = th, *yc = th + D, *ys = th + 2 * D, *ya = th + 3 * D, *r = th + 4 * D;
    double f = 0.0;
    for (int i = 0; i < D; i++) f += c->w[i] * (x[i] + ((r[0] * yc[i] + r[1] * ys[i]) + r[2] * ya[i]));
    return f;
}

START_TEST(residual_backward_matches_fd) {
    enum { D = 8 };
    atome_rng rg = {17};
    float th_f[4 * D + 3], w[D], dyc[D] = {0}, dys[D] = {0}, dya[D] = {0}, dr[3] = {0};
    double th[4 * D + 3], wd[D], fd[4 * D + 3];
    grad_fill(th_f, 4 * D + 3, &rg, -1, 1), grad_fill(w, D, &rg, -1, 1);
    grad_to_double(th, th_f, 4 * D + 3), grad_to_double(wd, w, D);
    mix_ctx c = {D, wd};
    grad_fd(mix_ref, th, &c, 0, 4 * D + 3, EPS, fd);
    residual_backward(dyc, dys, dya, dr, w, th_f + D, th_f + 2 * D, th_f + 3 * D, th_f + 4 * D, D);
    grad_check("residual skip (identity: dx_in = dout)", w, fd, D, TOL);
    grad_check("residual dyc", dyc, fd + D, D, TOL);
    grad_check("residual dys", dys, fd + 2 * D, D, TOL);
    grad_check("residual dya", dya, fd + 3 * D, D, TOL);
    grad_check("residual dr", dr, fd + 4 * D, 3, TOL);
}
END_TEST

/* ---- embedding: theta = W~[R, D] ---- */
typedef struct {
    int D, token;
    const double *w;
} emb_ctx;

static double emb_ref(const double *th, const void *vc) {
    const emb_ctx *c = vc;
    double f = 0.0;
    for (int i = 0; i < c->D; i++) f += c->w[i] * th[c->token * c->D + i];
    return f;
}

START_TEST(embed_backward_matches_fd) {
    enum { R = 10, D = 7 };
    atome_rng r = {18};
    uint8_t *mem;
    atome_tmat m = grad_tmat(R, D, 0.8f, &r, &mem);
    float wdq[R * D], x[D], w[D], demb[R * D] = {0};
    double th[R * D], wd[D], fd[R * D], row[D];
    tmat_dequant(wdq, &m);
    grad_fill(w, D, &r, -1, 1);
    grad_to_double(th, wdq, R * D), grad_to_double(wd, w, D), grad_to_double(row, wdq + 3 * D, D);
    embed_forward(x, &m, 3);
    grad_assert_close("embed", x, row, D, 0.0);
    emb_ctx c = {D, 3, wd};
    grad_fd(emb_ref, th, &c, 0, R * D, EPS, fd);
    embed_backward(demb, w, 3, D);
    grad_check("embed", demb, fd, R * D, TOL);
    free(mem);
}
END_TEST

/* ---- cross-entropy: theta = logits[V] ---- */
static double ce_ref(const double *th, const void *vc) {
    int target = *(const int *)vc;
    double m = th[0], s = 0.0;
    for (int v = 1; v < ATOME_VOCAB; v++) m = fmax(m, th[v]);
    for (int v = 0; v < ATOME_VOCAB; v++) s += exp(th[v] - m);
    return log(s) + m - th[target];
}

START_TEST(crossentropy_backward_matches_fd) {
    enum { V = ATOME_VOCAB };
    atome_rng r = {19};
    for (int target = 0; target < V; target += 101) {
        float logits[V], probs[V];
        double th[V], fd[V];
        grad_fill(logits, V, &r, -6, 6);
        grad_to_double(th, logits, V);
        float loss = crossentropy_forward(probs, logits, target, V);
        double want = ce_ref(th, &target);
        ck_assert_msg(fabs(loss - want) <= 1e-5 * want, "loss %.9g, reference %.9g", loss, want);
        grad_fd(ce_ref, th, &target, 0, V, EPS, fd);
        crossentropy_backward(probs, probs, target, 1.0f, V);
        grad_check("cross-entropy", probs, fd, V, TOL);
    }
}
END_TEST

/* quant8 rounds, so its own derivative is 0 almost everywhere: the STE replaces it by the
 * identity, which is right to first order because the dequantised value stays within half a
 * step of x. Both halves of that claim are checked. */
START_TEST(quant8_backward_is_straight_through) {
    enum { N = 23 };
    atome_rng r = {20};
    float x[N], dq[N], dx[N], xd[N], s;
    int8_t q[N];
    grad_fill(x, N, &r, -3, 3), grad_fill(dq, N, &r, -1, 1), grad_fill(dx, N, &r, -1, 1);
    float before[N];
    memcpy(before, dx, sizeof dx);
    quant8_forward(q, &s, x, N);
    quant8_dequant(xd, q, s, N);
    for (int i = 0; i < N; i++) ck_assert_float_le(fabsf(xd[i] - x[i]), 0.5f * s * 1.0001f);
    quant8_backward(dx, dq, N);
    for (int i = 0; i < N; i++) ck_assert_float_eq(dx[i], before[i] + dq[i]);
}
END_TEST

TCase *grad_model_tcase(void); /* test_grad_model.c */

Suite *grad_suite(void) {
    Suite *s = suite_create("grad");
    TCase *t = tcase_create("ops");
    tcase_add_test(t, layernorm_backward_matches_fd);
    tcase_add_test(t, matmul_backward_matches_fd);
    tcase_add_test(t, conv_backward_matches_fd);
    tcase_add_test(t, ssm_backward_through_time_matches_fd);
    tcase_add_test(t, attention_backward_matches_fd);
    tcase_add_test(t, router_backward_matches_fd);
    tcase_add_test(t, residual_backward_matches_fd);
    tcase_add_test(t, embed_backward_matches_fd);
    tcase_add_test(t, crossentropy_backward_matches_fd);
    tcase_add_test(t, quant8_backward_is_straight_through);
    suite_add_tcase(s, t);
    suite_add_tcase(s, grad_model_tcase());
    return s;
}

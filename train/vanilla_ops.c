/* vanilla_ops.c — the vanilla GPT's own ops, forward beside backward (API in vanilla_ops.h).
 *
 * Shapes: T rows (row t = position t), D d_model, H heads, Dh = D/H, F d_ff, R × C a matrix,
 * n a vector length. qkv rows are [3D] (q | k | v). Every sum runs in a fixed order and no
 * thread runs in here, so the same inputs give the same bits.
 */
#include "vanilla_ops.h"
#include <cblas.h>
#include <string.h>
#include "../common/atome_math.h"
#include "ops_backward.h"

/* The array exp and tanh below are selects, not branches, only if the compiler may evaluate both
 * sides of a select: -fno-trapping-math allows that. It changes no value (only what the FPU's
 * exception flags may see), and no contraction or reassociation comes with it. */
#if defined(__GNUC__) && !defined(__clang__)
#define SELECTS __attribute__((optimize("no-trapping-math")))
#else
#define SELECTS
#endif

/* atome_expf over an array, written so that the compiler can vectorise it: the same float
 * operations in the same order on every element (so the same bits, which test_vanilla.c
 * checks), with the early returns turned into selects. The input is clamped below as well,
 * so that the integer conversion stays in range for the elements the select then discards. */
SELECTS void vanilla_expf_n(float *y, const float *x, int n) {
    for (int i = 0; i < n; i++) {
        float v = x[i] > 88.0f ? 88.0f : x[i];
        v = v < -88.0f ? -88.0f : v;
        float kf = v * 1.44269504f;
        int k = (int)(kf + (kf >= 0.0f ? 0.5f : -0.5f)); /* kf - 0.5f is kf + -0.5f, bit for bit */
        float r = (v - (float)k * 0.693145751953125f) - (float)k * 1.42860677e-06f;
        float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.66666672e-1f + r * (4.16666679e-2f +
                        r * (8.33333377e-3f + r * (1.38888892e-3f + r * 1.98412701e-4f))))));
        uint32_t bits = (uint32_t)(k + 127) << 23;
        float s;
        memcpy(&s, &bits, sizeof s);
        y[i] = x[i] < -87.3f ? 0.0f : p * s;
    }
}

/* atome_tanhf over an array, the same way: (e - 1)/(e + 1) with e = exp(2x), ±1 past ±9. */
SELECTS void vanilla_tanhf_n(float *y, const float *x, int n) {
    enum { CHUNK = 256 };
    float e[CHUNK];
    for (int i0 = 0; i0 < n; i0 += CHUNK) {
        int m = n - i0 < CHUNK ? n - i0 : CHUNK;
        for (int i = 0; i < m; i++) e[i] = 2.0f * x[i0 + i];
        vanilla_expf_n(e, e, m);
        for (int i = 0; i < m; i++) {
            float v = x[i0 + i], t = (e[i] - 1.0f) / (e[i] + 1.0f);
            y[i0 + i] = v > 9.0f ? 1.0f : v < -9.0f ? -1.0f : t;
        }
    }
}

void matmul_f32_forward(float *y, const float *x, const float *w, int T, int R, int C) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, R, C, 1.0f, x, C, w, C, 0.0f, y, R);
}

void encoder_forward(float *x, const float *wte, const float *wpe, const uint8_t *tok, int T, int D) {
    for (int t = 0; t < T; t++) {
        const float *e = wte + (long)tok[t] * D, *p = wpe + (long)t * D;
        float *xt = x + (long)t * D;
        for (int i = 0; i < D; i++) xt[i] = e[i] + p[i];
    }
}

/* Inverts encoder_forward: the sum passes its gradient to both embedding rows it read. */
void encoder_backward(float *dwte, float *dwpe, const float *dx, const uint8_t *tok, int T, int D) {
    for (int t = 0; t < T; t++) {
        embed_backward(dwte, dx + (long)t * D, tok[t], D);
        embed_backward(dwpe, dx + (long)t * D, t, D);
    }
}

#define GELU_C 0.797884561f /* sqrt(2/pi) */
#define GELU_A 0.044715f

void gelu_forward(float *y, float *th, const float *x, int n) {
    for (int i = 0; i < n; i++) {
        float v = x[i];
        th[i] = GELU_C * (v + GELU_A * (v * v * v));
    }
    vanilla_tanhf_n(th, th, n);
    for (int i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + th[i]);
}

/* Inverts gelu_forward, from the tanh it saved: d/dx of 0.5·x·(1 + tanh u(x)) with
 * u' = √(2/π)(1 + 3a·x²) and tanh' = 1 - tanh². */
void gelu_backward(float *dx, const float *dy, const float *x, const float *th, int n) {
    for (int i = 0; i < n; i++) {
        float v = x[i], t = th[i];
        float du = GELU_C * (1.0f + 3.0f * GELU_A * (v * v));
        dx[i] += dy[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * du);
    }
}

/* Per head, with sgemm over the T positions at once: S = scale·Q·K^T, P = causal row softmax
 * of S, Y = P·V. The upper triangle of S is computed and then discarded (P is 0 there), which
 * costs less than the scalar loops it replaces. */
void mha_forward(float *y, float *p, const float *qkv, int T, int D, int H, float scale) {
    int Dh = D / H, D3 = 3 * D;
    for (int h = 0; h < H; h++) {
        int o = h * Dh;
        float *ph = p + (long)h * T * T;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, Dh, scale, qkv + o, D3, qkv + D + o, D3, 0.0f,
                    ph, T);
        for (int t = 0; t < T; t++) {
            float *pt = ph + (long)t * T, m = pt[0];
            for (int u = 1; u <= t; u++)
                if (pt[u] > m) m = pt[u];
            for (int u = 0; u <= t; u++) pt[u] -= m;
            vanilla_expf_n(pt, pt, t + 1);
            float sum = 0.0f;
            for (int u = 0; u <= t; u++) sum += pt[u];
            float inv = 1.0f / sum;
            for (int u = 0; u <= t; u++) pt[u] *= inv;
            for (int u = t + 1; u < T; u++) pt[u] = 0.0f;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, Dh, T, 1.0f, ph, T, qkv + 2 * D + o, D3, 0.0f,
                    y + o, D);
    }
}

/* Inverts mha_forward. The softmax Jacobian is diag(p) - p·p^T, so the score gradient is
 * dS = P ⊙ (dP - rowsum(P ⊙ dP)) with dP = dY·V^T; the scores were scale·Q·K^T, which sends
 * scale·dS·K to Q and scale·dS^T·Q to K; Y = P·V sends P^T·dY to V. */
void mha_backward(float *dqkv, float *ds, const float *dy, const float *qkv, const float *p, int T, int D, int H,
                  float scale) {
    int Dh = D / H, D3 = 3 * D;
    for (int h = 0; h < H; h++) {
        int o = h * Dh;
        const float *ph = p + (long)h * T * T;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, Dh, 1.0f, dy + o, D, qkv + 2 * D + o, D3, 0.0f,
                    ds, T);
        for (int t = 0; t < T; t++) {
            const float *pt = ph + (long)t * T;
            float *dt = ds + (long)t * T, pdp = 0.0f;
            for (int u = 0; u <= t; u++) pdp += pt[u] * dt[u];
            for (int u = 0; u <= t; u++) dt[u] = pt[u] * (dt[u] - pdp);
            for (int u = t + 1; u < T; u++) dt[u] = 0.0f;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, Dh, T, scale, ds, T, qkv + D + o, D3, 1.0f,
                    dqkv + o, D3);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, Dh, T, scale, ds, T, qkv + o, D3, 1.0f,
                    dqkv + D + o, D3);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, Dh, T, 1.0f, ph, T, dy + o, D, 1.0f,
                    dqkv + 2 * D + o, D3);
    }
}

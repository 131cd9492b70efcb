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
#include "math_n.h"

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
    tanhf_n(th, th, n);
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
            expf_n(pt, pt, t + 1);
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

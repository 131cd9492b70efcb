/* atome_ops.c — forward kernels (shapes in atome_ops.h). */
#include "atome_ops.h"
#include "atome_math.h"
#include "atome_trits.h"

void embed_forward(float *x, const atome_tmat *emb, int token) {
    const uint8_t *row = emb->trits + (long)token * emb->row_bytes;
    float s = *emb->scale;
    for (int c = 0; c < emb->cols; c++)
        x[c] = s * (float)atome_trit(row[c % emb->row_bytes], c / emb->row_bytes);
}

void layernorm_forward(float *out, float *mean, float *rstd, const float *x, const float *g,
                       const float *b, int n) {
    float sum = 0.0f;
    for (int i = 0; i < n; i++) sum += x[i];
    float m = sum / (float)n;
    float var = 0.0f;
    for (int i = 0; i < n; i++) {
        float dx = x[i] - m;
        var += dx * dx;
    }
    float r = 1.0f / atome_sqrtf(var / (float)n + ATOME_LN_EPS);
    for (int i = 0; i < n; i++) out[i] = (x[i] - m) * r * g[i] + b[i];
    *mean = m;
    *rstd = r;
}

void quant8_forward(int8_t *q, float *scale, const float *x, int n, int npad) {
    float amax = 0.0f;
    for (int i = 0; i < n; i++) {
        float a = x[i] < 0.0f ? -x[i] : x[i];
        if (a > amax) amax = a;
    }
    float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
    for (int i = 0; i < n; i++) {
        float v = x[i] * inv;
        int r = v >= 0.0f ? (int)(v + 0.5f) : -(int)(0.5f - v);
        q[i] = (int8_t)(r > 127 ? 127 : r < -127 ? -127 : r);
    }
    for (int i = n; i < npad; i++) q[i] = 0;
    *scale = amax / 127.0f;
}

/* One packed row against int8 x: five planes of rb bytes, plane p against x[p·rb ..]. */
static int32_t dot_row(const uint8_t *row, const int8_t *x, int rb) {
    int32_t acc = 0;
    for (int p = 0; p < 5; p++) {
        const int8_t *xp = x + p * rb;
        uint8_t m = (uint8_t)(p == 0 ? 1 : p == 1 ? 3 : p == 2 ? 9 : p == 3 ? 27 : 81);
        for (int j = 0; j < rb; j++) {
            int t = (((uint8_t)(row[j] * m) * 3) >> 8) - 1;
            acc += t * xp[j];
        }
    }
    return acc;
}

void matmul_forward(float *y, const atome_tmat *w, const int8_t *xq, float xs) {
    float s = *w->scale * xs;
    for (int r = 0; r < w->rows; r++)
        y[r] = (float)dot_row(w->trits + (long)r * w->row_bytes, xq, w->row_bytes) * s;
}

void conv_forward(float *y, const atome_tmat *w, const float *const past[4], const float *h, int D) {
    float s = *w->scale;
    for (int i = 0; i < D; i++) {
        uint8_t taps = w->trits[i]; /* a row of 5 trits is one byte, digit j = tap j */
        float acc = 0.0f;
        for (int j = 0; j < 4; j++)
            if (past[j]) acc += (float)atome_trit(taps, j) * past[j][i];
        acc += (float)atome_trit(taps, 4) * h[i];
        y[i] = acc * s;
    }
}

void ssm_forward(float *y, float *s, const float *s_prev, const float *h, const float *a,
                 const float *g, int D) {
    for (int i = 0; i < D; i++) {
        float st = (s_prev ? a[i] * s_prev[i] : 0.0f) + h[i];
        s[i] = st;
        y[i] = g[i] * st;
    }
}


int attention_forward(float *y, int *sel, float *p, float *scores, const int8_t *q, float qs,
                      const int8_t *k, const float *ks, const int8_t *v, const float *vs, int first,
                      int n, int ring, int Dh, int D, float inv_sqrt_dh) {
    for (int j = 0; j < n; j++) {
        int row = (first + j) % ring;
        const int8_t *kr = k + (long)row * Dh;
        int32_t dot = 0;
        for (int i = 0; i < Dh; i++) dot += (int32_t)q[i] * kr[i];
        scores[j] = (float)dot * (qs * ks[row]) * inv_sqrt_dh;
    }
    int chosen = n < ATOME_TOPK ? n : ATOME_TOPK;
    for (int c = 0; c < chosen; c++) {
        int best = -1;
        for (int j = 0; j < n; j++) {
            int taken = 0;
            for (int e = 0; e < c; e++) taken |= sel[e] == j;
            if (!taken && (best < 0 || scores[j] > scores[best])) best = j; /* strict >: ties to the earliest */
        }
        sel[c] = best;
    }
    float top = scores[sel[0]], sum = 0.0f;
    for (int c = 0; c < chosen; c++) {
        p[c] = atome_expf(scores[sel[c]] - top);
        sum += p[c];
    }
    for (int i = 0; i < D; i++) y[i] = 0.0f;
    for (int c = 0; c < chosen; c++) {
        p[c] = p[c] / sum;
        int row = (first + sel[c]) % ring;
        const int8_t *vr = v + (long)row * D;
        float wv = p[c] * vs[row];
        for (int i = 0; i < D; i++) y[i] += wv * (float)vr[i];
    }
    return chosen;
}

void router_forward(float *r, const float *logits) {
    float m = logits[0];
    if (logits[1] > m) m = logits[1];
    if (logits[2] > m) m = logits[2];
    float e0 = atome_expf(logits[0] - m), e1 = atome_expf(logits[1] - m), e2 = atome_expf(logits[2] - m);
    float sum = e0 + e1 + e2;
    r[0] = e0 / sum, r[1] = e1 / sum, r[2] = e2 / sum;
}

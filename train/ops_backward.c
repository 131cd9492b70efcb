/* ops_backward.c — backward twins of the forward kernels, and the loss (API in ops_backward.h).
 *
 * Shapes: T rows (row t = position t of one sequence), D d_model, Dh d_head, R × C a matrix,
 * V vocab, n a vector length, ld a row stride in floats. Every sum runs in a fixed order (no
 * threads in here) so that the same inputs give the same bits.
 */
#include "ops_backward.h"
#include "math_n.h"
#include "dense.h"
#include "../common/atome_math.h"
#include "../common/atome_trits.h"

/* Walks the planar layout (element p·rb + j is digit p of byte j) rather than dividing. */
void tmat_dequant(float *w, const atome_tmat *m) {
    float s = *m->scale;
    int rb = m->row_bytes;
    for (int r = 0; r < m->rows; r++) {
        const uint8_t *row = m->trits + (long)r * rb;
        float *wr = w + (long)r * m->cols;
        for (int p = 0; p < 5; p++)
            for (int j = 0; j < rb && p * rb + j < m->cols; j++) wr[p * rb + j] = s * (float)atome_trit(row[j], p);
    }
}

void quant8_dequant(float *x, const int8_t *q, float scale, int n) {
    for (int i = 0; i < n; i++) x[i] = scale * (float)q[i];
}

/* Inverts embed_forward (x = W~[token]). */
void embed_backward(float *demb, const float *dx, int token, int D) {
    float *row = demb + (long)token * D;
    for (int i = 0; i < D; i++) row[i] += dx[i];
}

/* Inverts layernorm_forward. With x^ = (x - mean)·rstd and u = dout·g, the mean and variance
 * couple every x_i: dx = rstd·(u - mean(u) - x^·mean(u·x^)) (variance over n, eps inside). */
void layernorm_backward(float *dx, float *dg, float *db, const float *dout, const float *x, float mean,
                        float rstd, const float *g, int n) {
    float xh[ATOME_MAX_D], u[ATOME_MAX_D];
    for (int i = 0; i < n; i++) xh[i] = (x[i] - mean) * rstd, u[i] = dout[i] * g[i];
    float mu = bwd_sum(u, n) / (float)n, mux = bwd_dot(u, xh, n) / (float)n;
    for (int i = 0; i < n; i++) {
        dx[i] += rstd * ((u[i] - mu) - xh[i] * mux);
        dg[i] += dout[i] * xh[i];
        db[i] += dout[i];
    }
}

/* Inverts quant8_forward: round-to-int8 has zero gradient almost everywhere, so the STE
 * passes the gradient through unchanged (scale included). */
void quant8_backward(float *dx, const float *dq, int n) {
    for (int i = 0; i < n; i++) dx[i] += dq[i];
}

/* Inverts matmul_forward over T rows, straight through both quantisers. */
void matmul_backward(float *dx, float *dw, const float *dy, int ld, const float *w, const float *x, int T,
                     int R, int C) {
    if (dx) dense_dx(dx, dy, ld, w, T, R, C);
    if (dw) dense_dw(dw, dy, ld, x, T, R, C);
}

/* Inverts conv_forward: tap j of position t read h at t-4+j, so it sends the gradient back
 * there. The [D, 5] weights are walked tap-major in local copies so the inner loop is over
 * contiguous channels; dw still sums over t in order. */
void conv_backward(float *dh, float *dw, const float *dy, const float *h, const float *w, int T, int D) {
    float wt[ATOME_CONV_K][ATOME_MAX_D], dwt[ATOME_CONV_K][ATOME_MAX_D];
    for (int j = 0; j < ATOME_CONV_K; j++)
        for (int i = 0; i < D; i++) wt[j][i] = w[i * ATOME_CONV_K + j], dwt[j][i] = 0.0f;
    for (int t = 0; t < T; t++) {
        const float *dyt = dy + (long)t * D;
        for (int j = 0; j < ATOME_CONV_K; j++) {
            int u = t - (ATOME_CONV_K - 1) + j;
            if (u < 0) continue;
            const float *hu = h + (long)u * D;
            float *dhu = dh + (long)u * D, *wj = wt[j], *dwj = dwt[j];
            for (int i = 0; i < D; i++) {
                dhu[i] += wj[i] * dyt[i];
                dwj[i] += dyt[i] * hu[i];
            }
        }
    }
    for (int i = 0; i < D; i++)
        for (int j = 0; j < ATOME_CONV_K; j++) dw[i * ATOME_CONV_K + j] += dwt[j][i];
}

/* Inverts ssm_forward through time. ds_t = dL/ds_t = g·dy_t + a·ds_{t+1} runs backwards;
 * then dh_t = ds_t, dg = sum dy_t·s_t, da = sum ds_t·s_{t-1}. */
void ssm_backward(float *dh, float *d_araw, float *db, float *dc, const float *dy, const float *s,
                  const float *a, const float *g, const float *b, const float *c, int T, int D) {
    float carry[ATOME_MAX_D], da[ATOME_MAX_D], dg[ATOME_MAX_D];
    for (int i = 0; i < D; i++) carry[i] = da[i] = dg[i] = 0.0f;
    for (int t = T - 1; t >= 0; t--) {
        const float *dyt = dy + (long)t * D, *st = s + (long)t * D;
        float *dht = dh + (long)t * D;
        for (int i = 0; i < D; i++) {
            float ds = g[i] * dyt[i] + a[i] * carry[i];
            dht[i] += ds;
            dg[i] += dyt[i] * st[i];
            carry[i] = ds;
        }
        if (t > 0) {
            const float *sp = st - D;
            for (int i = 0; i < D; i++) da[i] += carry[i] * sp[i];
        }
    }
    for (int i = 0; i < D; i++) {
        d_araw[i] += da[i] * (1.0f - a[i] * a[i]); /* a = tanh(a_raw) */
        db[i] += dg[i] * c[i];                     /* g = b·c */
        dc[i] += dg[i] * b[i];
    }
}

/* Inverts attention_forward for one query: y = sum_c p_c·v~_c, p = softmax over the chosen
 * scores s_c = (q~·k~_c)·inv_sqrt_dh. dp_c = dy·v~_c, ds_c = p_c·(dp_c - sum_e p_e·dp_e).
 * The selection itself is constant (no gradient reaches the keys that were not chosen). */
void attention_backward(float *dq, float *dk, float *dv, int ld, const float *dy, const int *sel,
                        const float *p, int chosen, const int8_t *q, float qs, const int8_t *k,
                        const float *ks, const int8_t *v, const float *vs, int first, int ring, int Dh,
                        int D, float inv_sqrt_dh) {
    float dp[ATOME_TOPK], pdp = 0.0f, vt[ATOME_MAX_D];
    for (int c = 0; c < chosen; c++) {
        int row = (first + sel[c]) % ring;
        const int8_t *vr = v + (long)row * D;
        float *dvr = dv + (long)row * ld;
        for (int i = 0; i < D; i++) {
            vt[i] = (float)vr[i];
            dvr[i] += p[c] * dy[i];
        }
        dp[c] = bwd_dot(dy, vt, D) * vs[row];
        pdp += p[c] * dp[c];
    }
    for (int c = 0; c < chosen; c++) {
        int row = (first + sel[c]) % ring;
        const int8_t *kr = k + (long)row * Dh;
        float *dkr = dk + (long)row * ld;
        float ds = p[c] * (dp[c] - pdp) * inv_sqrt_dh;
        float dsk = ds * ks[row], dsq = ds * qs;
        for (int i = 0; i < Dh; i++) {
            dq[i] += dsk * (float)kr[i];
            dkr[i] += dsq * (float)q[i];
        }
    }
}

/* Inverts router_forward: the softmax Jacobian diag(r) - r·r^T. */
void router_backward(float *dlogits, const float *dr, const float *r) {
    float rdr = (r[0] * dr[0] + r[1] * dr[1]) + r[2] * dr[2];
    for (int k = 0; k < 3; k++) dlogits[k] += r[k] * (dr[k] - rdr);
}

/* The loss: softmax with the project's expf, then -ln p_target as ln(sum) - (logit - max). */
float crossentropy_forward(float *probs, const float *logits, int target, int V) {
    float m = logits[0];
    for (int v = 1; v < V; v++)
        if (logits[v] > m) m = logits[v];
    for (int v = 0; v < V; v++) probs[v] = logits[v] - m;
    expf_n(probs, probs, V); /* atome_expf, the same bits, in a loop the compiler vectorises */
    float sum = bwd_sum(probs, V);
    float inv = 1.0f / sum;
    for (int v = 0; v < V; v++) probs[v] *= inv;
    return (float)((double)atome_logf(sum) - (double)(logits[target] - m));
}

/* Inverts crossentropy_forward: d(-ln softmax_target)/dlogits = probs - onehot. */
void crossentropy_backward(float *dlogits, const float *probs, int target, float scale, int V) {
    for (int v = 0; v < V; v++) dlogits[v] = scale * probs[v];
    dlogits[target] -= scale;
}

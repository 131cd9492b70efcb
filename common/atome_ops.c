/* atome_ops.c — forward kernels (shapes in atome_ops.h).
 *
 * What keeps the bits exact is said where it matters (the order of each float sum, integer sums
 * where the order is free); a choice made only for the engine's code size says "bytes:" and what
 * it saves on a Cortex-M0, the smallest target (make mcu-sizes, firmware build). */
#include "atome_ops.h"
#include <string.h>
#include "atome_math.h"
#include "atome_trits.h"
#ifdef ATOME_FAST
#include "atome_fast.h"
#endif

void embed_forward(float *x, const atome_tmat *emb, uint8_t byte) {
    int rb = emb->row_bytes;
    const ATOME_ROM uint8_t *row = emb->trits + (long)byte * rb;
    float s = *emb->scale;
    uint8_t m = 1; /* 3^p: column c = p·rb + j is digit p of byte j */
    for (int c = 0, j = 0; c < emb->cols; c++, j++) {
        if (j == rb) j = 0, m = (uint8_t)(m * 3);
        x[c] = ATOME_MUL(s, ATOME_I2F(atome_trit_m(row[j], m)));
    }
}

void layernorm_forward(float *out, float *mean, float *rstd, const float *x, const ATOME_ROM float *g,
                       const ATOME_ROM float *b, int n) {
    float sum = 0.0f;
    for (int i = 0; i < n; i++) sum = ATOME_ADD(sum, x[i]);
    float m = ATOME_DIV_INT(sum, n);
    float var = 0.0f;
    for (int i = 0; i < n; i++) {
        float dx = out[i] = ATOME_SUB(x[i], m);
        var = atome_madd(dx, dx, var);
    }
    *mean = m;
    *rstd = ATOME_DIV(1.0f, atome_sqrtf(ATOME_ADD(ATOME_DIV_INT(var, n), ATOME_LN_EPS)));
    /* bytes: *rstd re-read rather than held, as conv_forward's scale: 4 B */
    for (int i = 0; i < n; i++) out[i] = atome_madd(ATOME_MUL(out[i], *rstd), g[i], b[i]);
}

/* quant8_forward's rounding needs >> of a negative int to floor: a compile error (an array of
 * size -1) where it does not. */
typedef char quant8_asr[(-3 >> 1) == -2 ? 1 : -1];

void quant8_forward(int8_t *q, float *scale, const float *x, int n) {
    /* max |x| as bits: on non-negative floats the integer order is the float order */
    union { float f; uint32_t u; } amax = {0.0f}, xi;
    for (int i = 0; i < n; i++) {
        xi.f = x[i];
        xi.u &= 0x7fffffffu;
        if (xi.u > amax.u) amax.u = xi.u;
    }
    /* An infinity or a NaN (bits above every finite float's, whatever sign or payload) makes the
     * vector quantise to 0 with scale 0: its products are then +0 on every target, where Inf·0
     * would be a NaN whose bits differ between targets, and no x·inv below meets it. */
    if (amax.u >= 0x7f800000u) {
        memset(q, 0, (size_t)n);
        *scale = 0.0f;
        return;
    }
    /* Every x is now finite with |x| <= max|x|. For max|x| >= 2^-120 (bits 7 << 23) 254/max|x| is
     * finite and exactly 2·fl(127/max|x|), so y = x·inv2 is exactly 2·fl(x·fl(127/max|x|)) (or,
     * below 2^-126, rounds to 0 either way), with |y| < 255: the conversion is always in range. */
    float inv2 = amax.u >= 0x03800000u ? ATOME_DIV(254.0f, amax.f) : 0.0f;
    /* q = y/2 rounded half away from zero, exactly, in integers: with t = trunc(y), it is
     * (t + 1)/2 for y >= 0 and (t - 1)/2 for y < 0 (t = 0 gives 0 both ways), / truncating; that
     * is floor((t + 1)/2) for t >= 0 and floor(t/2) for t < 0 ((t - 1)/2 rounded up), one shift.
     * bytes: >> of a negative int is implementation-defined in C99, an arithmetic shift (floor)
     * in GCC and Clang, the engine's compilers (quant8_asr above stops any other at compile time):
     * 8 B less than the division on the Cortex-M0 and M3 (make mcu-sizes). */
#ifdef ATOME_SF_M0
    /* the M0: this loop in Thumb-1 (atome_softf_m0_loops.h), where inv2 is not 0 (then normal) */
    if (amax.u >= 0x03800000u && n > 0) atome_sf_quant8_m0(q, x, inv2, n);
    else
#endif
    for (int i = 0; i < n; i++) {
        int t = ATOME_MUL_F2I(x[i], inv2);
        q[i] = (int8_t)((t + (t >= 0)) >> 1);
    }
    *scale = ATOME_DIV(amax.f, 127.0f);
}

/* One packed row against int8 x: five planes of rb bytes, plane p against x[p·rb ..]. One loop
 * over x, as embed_forward walks its row (bytes: 4 B less than a loop per plane on a Cortex-M0). */
static int32_t dot_row(const ATOME_ROM uint8_t *row, const int8_t *x, int rb) {
    int32_t acc = 0;
    uint8_t m = 1; /* 3^p: x[c], c = p·rb + j, meets digit p of byte j */
    for (int c = 0, j = 0; c < 5 * rb; c++, j++) {
        if (j == rb) j = 0, m = (uint8_t)(m * 3);
        acc += atome_trit_m(row[j], m) * x[c];
    }
    return acc;
}

#ifdef ATOME_LUT
/* log2 of the columns a table row holds for nv vectors of rb packed bytes: the power of two that
 * holds rb, and with nv vectors at least 16 entries, so that a row fills whole vectors. So
 * ATOME_LUT_STRIDE for one vector, and down to 4 for the trainer's 8 (a nano model's rb = 4
 * then builds a quarter of the table it would at 16). */
static int lut_shift(int rb, int nv) {
    int shift = 0;
    while ((1 << shift) < rb || (nv << shift) < 16) shift++;
    return shift;
}

/* dst[k·n + i][e] = (k - 1)·x[e] + src[i][e] for k = 0, 1, 2: one more trit in front of n sums. */
static inline __attribute__((always_inline)) void lut_digit(int16_t *dst, const int16_t *src, int n,
                                                              const int16_t *x, int width) {
    for (int i = 0; i < n; i++, dst += width, src += width)
        for (int e = 0; e < width; e++) {
            dst[e] = (int16_t)(src[e] - x[e]);
            dst[n * width + e] = src[e];
            dst[2 * n * width + e] = (int16_t)(src[e] + x[e]);
        }
}

/* A table row holds stride·nv entries, e = j·nv + t (column j, vector t). Digit by digit from the
 * last: sums over trits 4, then 3..4, then 2..4 (3, 9, 27 rows); the 9 sums of trits 0 and 1
 * alone; then each of the 243 table rows is one of the 27 plus one of the 9, a vector add. Inlined
 * with the width constant, every loop runs along e in whole vectors. */
static inline __attribute__((always_inline)) void lut_build(int16_t *lut, const int8_t *xq, int rb,
                                                              int nv, int stride) {
    enum { MAXW = ATOME_LUT_STRIDE(ATOME_MAX_D) * ATOME_LUT_ROWS };
    int16_t x[5][MAXW], zero[MAXW], s1[3 * MAXW], s2[9 * MAXW], s3[27 * MAXW], s01[9 * MAXW];
    int width = stride * nv;
    for (int p = 0; p < 5; p++)
        for (int j = 0; j < stride; j++)
            for (int t = 0; t < nv; t++)
                x[p][j * nv + t] = (int16_t)(j < rb ? xq[(long)t * 5 * rb + p * rb + j] : 0), zero[j * nv + t] = 0;
    lut_digit(s1, zero, 1, x[4], width);
    lut_digit(s2, s1, 3, x[3], width);
    lut_digit(s3, s2, 9, x[2], width);
    for (int k = 0; k < 9; k++)
        for (int e = 0; e < width; e++) s01[k * width + e] = (int16_t)((k / 3 - 1) * x[0][e] + (k % 3 - 1) * x[1][e]);
    for (int k = 0; k < 9; k++)
        for (int i = 0; i < 27; i++) {
            int n = k * 27 + i; /* the trits' number; its byte is ceil(n·256/243) (atome_trits.h) */
            int16_t *t = lut + (long)((n * 256 + 242) / 243) * width;
            for (int e = 0; e < width; e++) t[e] = (int16_t)(s3[i * width + e] + s01[k * width + e]);
        }
    /* The 13 byte values that no five trits pack to decode in place (atome_trit_m) to the digits of
     * the byte before them: they get that byte's row, so that the table and the in-place decode
     * agree on every byte a blob may hold (the loader need not refuse them; tests/test_kernels.c
     * derives this list from the packing). */
    static const uint8_t unpacked[13] = {1, 20, 40, 60, 79, 99, 119, 138, 158, 178, 197, 217, 237};
    for (int i = 0; i < 13; i++)
        memcpy(lut + (long)unpacked[i] * width, lut + (long)(unpacked[i] - 1) * width, (size_t)width * sizeof *lut);
}

void matmul_lut(int16_t *lut, const int8_t *xq, int rb, int n) {
    /* Rows 2^lut_shift columns wide; specialised for the engine's one vector and the trainer's
     * ATOME_LUT_ROWS at the presets' strides (D = 16 .. 256). */
    int stride = 1 << lut_shift(rb, n);
    if (n == 1 && stride == 16) lut_build(lut, xq, rb, 1, 16);
    else if (n == 1 && stride == 32) lut_build(lut, xq, rb, 1, 32);
    else if (n == 1 && stride == 64) lut_build(lut, xq, rb, 1, 64);
    else if (n == ATOME_LUT_ROWS && stride == 4) lut_build(lut, xq, rb, ATOME_LUT_ROWS, 4);
    else if (n == ATOME_LUT_ROWS && stride == 8) lut_build(lut, xq, rb, ATOME_LUT_ROWS, 8);
    else if (n == ATOME_LUT_ROWS && stride == 16) lut_build(lut, xq, rb, ATOME_LUT_ROWS, 16);
    else if (n == ATOME_LUT_ROWS && stride == 32) lut_build(lut, xq, rb, ATOME_LUT_ROWS, 32);
    else if (n == ATOME_LUT_ROWS && stride == 64) lut_build(lut, xq, rb, ATOME_LUT_ROWS, 64);
    else lut_build(lut, xq, rb, n, stride);
}

/* One vector: the rows of w against its table, two rows a pass (the column walk is shared).
 * Inlined with rb and shift constant for the presets' widths, the walk unrolls completely: one
 * byte load and one table load per packed byte, no loop counter. */
static inline __attribute__((always_inline)) void lut_rows(float *y, const atome_tmat *w, const int16_t *lut,
                                                             float s, int rb, int shift) {
    int r = 0;
    for (; r + 2 <= w->rows; r += 2) {
        const uint8_t *a = w->trits + (long)r * rb, *b = a + rb;
        int32_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
        int j = 0;
        for (; j + 2 <= rb; j += 2) {
            a0 += lut[(a[j] << shift) | j], a1 += lut[(a[j + 1] << shift) | (j + 1)];
            b0 += lut[(b[j] << shift) | j], b1 += lut[(b[j + 1] << shift) | (j + 1)];
        }
        if (j < rb) a0 += lut[(a[j] << shift) | j], b0 += lut[(b[j] << shift) | j];
        y[r] = (float)(a0 + a1) * s;
        y[r + 1] = (float)(b0 + b1) * s;
    }
    for (; r < w->rows; r++) {
        const uint8_t *a = w->trits + (long)r * rb;
        int32_t acc = 0;
        for (int j = 0; j < rb; j++) acc += lut[(a[j] << shift) | j];
        y[r] = (float)acc * s;
    }
}

/* nv vectors: per packed byte, the nv entries it selects are adjacent, and added to nv sums in
 * one vector when nv is the constant ATOME_LUT_ROWS. */
static inline __attribute__((always_inline)) void lut_rows_n(float *y, const atome_tmat *w,
                                                               const int16_t *lut, const float *xs, int nv, int rb,
                                                               int shift) {
    for (int r = 0; r < w->rows; r++) {
        const uint8_t *a = w->trits + (long)r * rb;
        int32_t acc[ATOME_LUT_ROWS] = {0};
        for (int j = 0; j < rb; j++) {
            const int16_t *e = lut + (long)((a[j] << shift) | j) * nv;
            for (int t = 0; t < nv; t++) acc[t] += e[t];
        }
        for (int t = 0; t < nv; t++) y[(long)t * w->rows + r] = (float)acc[t] * (*w->scale * xs[t]);
    }
}

#endif

#ifdef ATOME_FAST_LUT
/* Inlined with rb and shift constant, a row unrolls to one byte load, one table load and an add per
 * weight byte. */
static inline __attribute__((always_inline)) void fast_lut_rows(float *y, const atome_tmat *w, const uint16_t *lut,
                                                                  float s, int rb, int shift) {
    for (int r = 0; r < w->rows; r++) y[r] = ATOME_MUL(ATOME_I2F(fast_lut_dot(w->trits + (long)r * rb, lut, rb, shift)), s);
}
#endif

#ifdef ATOME_FAST_SPLIT
static inline __attribute__((always_inline)) void fast_split_rows(float *y, const atome_tmat *w, const uint16_t *split,
                                                                    float s, int rb) {
    for (int r = 0; r < w->rows; r++) y[r] = ATOME_MUL(ATOME_I2F(fast_split_dot(w->trits + (long)r * rb, split, rb)), s);
}

void matmul_split_forward(float *y, const atome_tmat *w, const uint16_t *split, const float *xs) {
    int rb = w->row_bytes;
    float s = ATOME_MUL(*w->scale, xs[0]);
    switch (rb) { /* the preset widths that fit ATOME_MAX_D, unrolled (fast_split_dot) */
    case 4: fast_split_rows(y, w, split, s, 4); return;
#if ATOME_ROW_BYTES(ATOME_MAX_D) >= 7
    case 7: fast_split_rows(y, w, split, s, 7); return;
#endif
#if ATOME_ROW_BYTES(ATOME_MAX_D) >= 13
    case 13: fast_split_rows(y, w, split, s, 13); return;
#endif
#if ATOME_ROW_BYTES(ATOME_MAX_D) >= 26
    case 26: fast_split_rows(y, w, split, s, 26); return;
#endif
    default: fast_split_rows(y, w, split, s, rb); return;
    }
}
#endif

void matmul_forward(float *y, const atome_tmat *w, const int8_t *xq, const float *xs, int n, const int16_t *lut) {
    int rb = w->row_bytes;
#ifdef ATOME_LUT
    if (lut && n == 1) {
        float s = *w->scale * *xs;
        switch (rb) { /* the preset widths D = 16, 32, 64, 128, 256 */
        case 4: lut_rows(y, w, lut, s, 4, 4); return; /* shift: lut_shift(rb, 1) */
        case 7: lut_rows(y, w, lut, s, 7, 4); return;
        case 13: lut_rows(y, w, lut, s, 13, 4); return;
        case 26: lut_rows(y, w, lut, s, 26, 5); return;
        case 52: lut_rows(y, w, lut, s, 52, 6); return;
        default: lut_rows(y, w, lut, s, rb, lut_shift(rb, 1)); return;
        }
    }
    if (lut && n == ATOME_LUT_ROWS) {
        switch (rb) {
        case 4: lut_rows_n(y, w, lut, xs, ATOME_LUT_ROWS, 4, 2); return; /* shift: lut_shift(rb, 8) */
        case 7: lut_rows_n(y, w, lut, xs, ATOME_LUT_ROWS, 7, 3); return;
        case 13: lut_rows_n(y, w, lut, xs, ATOME_LUT_ROWS, 13, 4); return;
        case 26: lut_rows_n(y, w, lut, xs, ATOME_LUT_ROWS, 26, 5); return;
        case 52: lut_rows_n(y, w, lut, xs, ATOME_LUT_ROWS, 52, 6); return;
        default: lut_rows_n(y, w, lut, xs, ATOME_LUT_ROWS, rb, lut_shift(rb, ATOME_LUT_ROWS)); return;
        }
    }
    if (lut) {
        lut_rows_n(y, w, lut, xs, n, rb, lut_shift(rb, n));
        return;
    }
#endif
    (void)lut;
    for (int t = 0; t < n; t++, y += w->rows, xq += 5 * rb) {
        float s = ATOME_MUL(*w->scale, xs[t]);
#ifdef ATOME_FAST_LUT
        if (lut) { /* the speed build's table (atome_fast.h): one load per weight byte */
            const uint16_t *t16 = (const uint16_t *)lut;
            switch (rb) { /* the preset widths that fit ATOME_MAX_D, unrolled: D = 16, 32, 64, 128, 256 */
            case 4: fast_lut_rows(y, w, t16, s, 4, 2); return;
#if ATOME_ROW_BYTES(ATOME_MAX_D) >= 7 /* widths a model of this build can have */
            case 7: fast_lut_rows(y, w, t16, s, 7, 3); return;
#endif
#if ATOME_ROW_BYTES(ATOME_MAX_D) >= 13
            case 13: fast_lut_rows(y, w, t16, s, 13, 4); return;
#endif
#if ATOME_ROW_BYTES(ATOME_MAX_D) >= 26
            case 26: fast_lut_rows(y, w, t16, s, 26, 5); return;
#endif
#if ATOME_ROW_BYTES(ATOME_MAX_D) >= 52
            case 52: fast_lut_rows(y, w, t16, s, 52, 6); return;
#endif
            default: fast_lut_rows(y, w, t16, s, rb, fast_lut_shift(rb)); return;
            }
        }
#endif
#if defined(ATOME_FAST)
        /* speed build, no table (the Cortex-M0): a byte's five trits from one table row (atome_fast.h) */
        for (int r = 0; r < w->rows; r++) y[r] = ATOME_MUL(ATOME_I2F(fast_table_dot(w->trits + (long)r * rb, xq, rb)), s);
        continue;
#endif
        for (int r = 0; r < w->rows; r++) y[r] = (float)dot_row(w->trits + (long)r * rb, xq, rb) * s;
    }
}

void conv_forward(float *y, const atome_tmat *w, const float *hist, int D) {
    for (int i = 0; i < D; i++) { /* a row of 5 trits is one byte, digit j = tap j */
        float acc = 0.0f;
#if defined(ATOME_FAST) && defined(ATOME_SOFT_FLOAT)
        /* speed build without FPU: adds of ±h, no multiply (atome_fast.h) */
        acc = fast_conv_taps(atome_trit_table[w->trits[i]], hist + i, D);
#elif defined(ATOME_FAST)
        const int8_t *t5 = atome_trit_table[w->trits[i]]; /* speed build: the same trits, one table row */
        for (int j = 0; j < 5; j++) acc = atome_madd((float)t5[j], hist[j * D + i], acc);
#else
        uint8_t m = 1; /* 3^j */
        for (int j = 0; j < 5; j++, m = (uint8_t)(m * 3)) {
            acc = atome_madd((float)atome_trit_m(w->trits[i], m), hist[j * D + i], acc);
        }
#endif
        /* bytes: the scale read here, not held in a local, which soft-float cores spill across the
         * library calls: 4 B less on a Cortex-M0 (make mcu-sizes); the same value either way */
        y[i] = ATOME_MUL(acc, *w->scale);
    }
}

void ssm_forward(float *y, float *s, const float *s_prev, const float *h, const ATOME_ROM float *a,
                 const ATOME_ROM float *g, int D) {
    for (int i = 0; i < D; i++) {
        float st = atome_madd(a[i], s_prev[i], h[i]);
        s[i] = st;
        y[i] = ATOME_MUL(g[i], st);
    }
}


void softmax_forward(float *p, int n) {
    float m = p[0], sum = 0.0f;
    for (int i = 1; i < n; i++)
        if (p[i] > m) m = p[i];
    for (int i = 0; i < n; i++) sum = ATOME_ADD(sum, p[i] = atome_expf_neg(ATOME_SUB(p[i], m)));
    for (int i = 0; i < n; i++) p[i] = ATOME_DIV(p[i], sum);
}

/* The size build's attention_topk; in the speed build, its fallback for scores holding a NaN. */
#ifdef ATOME_FAST
static int topk_passes(int *sel, float *p, const float *scores, int n) {
#else
int attention_topk(int *sel, float *p, const float *scores, int n) {
#endif
    /* The best of those not chosen yet, ATOME_TOPK times: descending, the lowest index on ties. */
    int chosen = 0;
    for (; chosen < ATOME_TOPK && chosen < n; chosen++) {
        int best = -1;
        for (int j = 0; j < n; j++) {
            int taken = 0;
            for (int c = 0; c < chosen; c++) taken |= sel[c] == j;
            if (!taken && (best < 0 || scores[j] > scores[best])) best = j;
        }
        sel[chosen] = best;
        p[chosen] = scores[best];
    }
    softmax_forward(p, chosen);
    return chosen;
}

#ifdef ATOME_FAST
int attention_topk(int *sel, float *p, const float *scores, int n) {
    /* speed build: one pass by integer keys (atome_fast.h), the passes' very choice; a NaN, -1 */
    int chosen = fast_topk(sel, scores, n);
    if (chosen < 0) return topk_passes(sel, p, scores, n);
    for (int c = 0; c < chosen; c++) p[c] = scores[sel[c]];
    softmax_forward(p, chosen);
    return chosen;
}
#endif

#if defined(ATOME_FAST) && defined(ATOME_FAST_SIMD32)
/* The speed build's scores on Armv7E-M (atome_fast.h): inlined with Dh constant, no loop per key. */
static inline __attribute__((always_inline)) void fast_scores(float *scores, const uint32_t *qx, float qs,
                                                                const int8_t *k, const float *ks, int row0, int n,
                                                                int ring, int Dh, float inv_sqrt_dh) {
    for (int j = 0, row = row0; j < n; j++, row = row + 1 == ring ? 0 : row + 1)
        scores[j] = (float)fast_dot_q(qx, k + (long)row * Dh, Dh) * (qs * ks[row]) * inv_sqrt_dh;
}
#endif

#if defined(ATOME_FAST) && defined(ATOME_SOFT_FLOAT)
/* The speed build's scores on a core without FPU: inlined with Dh constant, each key's dot unrolled
 * against q's values held in a local (the stores to scores may alias an int8 q: read from q, the
 * values would be loaded again for every key). */
static inline __attribute__((always_inline)) void fast_scores_soft(float *scores, const int8_t *q, float qs,
                                                                     const int8_t *k, const float *ks, int row0,
                                                                     int n, int ring, int Dh, float inv_sqrt_dh) {
    int32_t qv[ATOME_MAX_DHEAD];
    for (int i = 0; i < Dh; i++) qv[i] = q[i];
    /* 1/sqrt(Dh) a power of two (Dh = 4, 16, 64): its product is an exponent add (atome_softf.h) */
    uint32_t u = atome_sf_bits(inv_sqrt_dh);
    int pow2 = (u & 0x7fffffu) == 0 && (u << 1 >> 24) - 1u < 254u;
    for (int j = 0, row = row0; j < n; j++, row = row + 1 == ring ? 0 : row + 1) {
        const int8_t *kr = k + (long)row * Dh;
        int32_t dot = 0;
#pragma GCC unroll 64
        for (int i = 0; i < Dh; i++) dot += qv[i] * kr[i];
        float z = ATOME_MUL(ATOME_I2F(dot), ATOME_MUL(qs, ks[row]));
        scores[j] = pow2 ? atome_sf_mul_pow2(z, inv_sqrt_dh) : ATOME_MUL(z, inv_sqrt_dh);
    }
}
#endif

int attention_forward(float *y, int *sel, float *p, float *scores, const int8_t *q, float qs,
                      const int8_t *k, const float *ks, const int8_t *v, const float *vs, int row0,
                      int n, int ring, int Dh, int D, float inv_sqrt_dh) {
#if defined(ATOME_FAST) && defined(ATOME_FAST_SIMD32)
    uint32_t qx[ATOME_MAX_DHEAD / 2 + 2];
    if (Dh % 4 == 0) {
        fast_q_expand(qx, q, Dh);
        switch (Dh) { /* the presets' d_head, up to ATOME_MAX_DHEAD */
        case 4: fast_scores(scores, qx, qs, k, ks, row0, n, ring, 4, inv_sqrt_dh); break;
#if ATOME_MAX_DHEAD >= 8
        case 8: fast_scores(scores, qx, qs, k, ks, row0, n, ring, 8, inv_sqrt_dh); break;
#endif
#if ATOME_MAX_DHEAD >= 16
        case 16: fast_scores(scores, qx, qs, k, ks, row0, n, ring, 16, inv_sqrt_dh); break;
#endif
#if ATOME_MAX_DHEAD >= 32
        case 32: fast_scores(scores, qx, qs, k, ks, row0, n, ring, 32, inv_sqrt_dh); break;
#endif
#if ATOME_MAX_DHEAD >= 64
        case 64: fast_scores(scores, qx, qs, k, ks, row0, n, ring, 64, inv_sqrt_dh); break;
#endif
        default: fast_scores(scores, qx, qs, k, ks, row0, n, ring, Dh, inv_sqrt_dh); break;
        }
    } else
#elif defined(ATOME_FAST) && defined(ATOME_SOFT_FLOAT)
    switch (Dh) { /* the presets' d_head, up to ATOME_MAX_DHEAD */
    case 4: fast_scores_soft(scores, q, qs, k, ks, row0, n, ring, 4, inv_sqrt_dh); break;
#if ATOME_MAX_DHEAD >= 8
    case 8: fast_scores_soft(scores, q, qs, k, ks, row0, n, ring, 8, inv_sqrt_dh); break;
#endif
#if ATOME_MAX_DHEAD >= 16
    case 16: fast_scores_soft(scores, q, qs, k, ks, row0, n, ring, 16, inv_sqrt_dh); break;
#endif
#if ATOME_MAX_DHEAD >= 32
    case 32: fast_scores_soft(scores, q, qs, k, ks, row0, n, ring, 32, inv_sqrt_dh); break;
#endif
#if ATOME_MAX_DHEAD >= 64
    case 64: fast_scores_soft(scores, q, qs, k, ks, row0, n, ring, 64, inv_sqrt_dh); break;
#endif
    default: fast_scores_soft(scores, q, qs, k, ks, row0, n, ring, Dh, inv_sqrt_dh); break;
    }
    if (0) /* the loop below is the other builds' */
#endif
    for (int j = 0, row = row0; j < n; j++, row = row + 1 == ring ? 0 : row + 1) {
        const int8_t *kr = k + (long)row * Dh;
        int32_t dot = 0;
        for (int i = 0; i < Dh; i++) dot += (int32_t)q[i] * kr[i];
        scores[j] = ATOME_MUL(ATOME_MUL(ATOME_I2F(dot), ATOME_MUL(qs, ks[row])), inv_sqrt_dh);
    }
    int chosen = attention_topk(sel, p, scores, n);
#ifdef ATOME_FAST
    /* speed build: the first row's multiply-adds start from +0 themselves, without a memset and a
     * load of each y (the same operations on the same values) */
    if (chosen == 0) memset(y, 0, (size_t)D * sizeof *y);
    for (int c = 0; c < chosen; c++) {
        int row = row0 + sel[c] < ring ? row0 + sel[c] : row0 + sel[c] - ring;
        const int8_t *vr = v + (long)row * D;
        float wv = ATOME_MUL(p[c], vs[row]);
#ifdef ATOME_SF_M0
        if (atome_sf_madd_i8_row_m0(y, vr, wv, D, c == 0)) continue; /* the M0: the row as one loop */
#endif
        if (c == 0)
            for (int i = 0; i < D; i++) y[i] = ATOME_MADD_I8(wv, vr[i], 0.0f);
        else
            for (int i = 0; i < D; i++) y[i] = ATOME_MADD_I8(wv, vr[i], y[i]);
    }
#else
    memset(y, 0, (size_t)D * sizeof *y); /* +0.0f is all zero bits */
    for (int c = 0; c < chosen; c++) {
        int row = row0 + sel[c] < ring ? row0 + sel[c] : row0 + sel[c] - ring;
        const int8_t *vr = v + (long)row * D;
        float wv = ATOME_MUL(p[c], vs[row]);
        for (int i = 0; i < D; i++) y[i] = ATOME_MADD_I8(wv, vr[i], y[i]);
    }
#endif
    return chosen;
}

void router_forward(float *r, const float *logits, int drop) {
    for (int k = 0; k < 3; k++, drop >>= 1) r[k] = drop & 1 ? -1e30f : logits[k];
    softmax_forward(r, 3);
}


void mix_forward(float *x_out, const float *x_in, const float *r, const float *yc, const float *ys, const float *ya,
                 int D) {
    /* bytes: r[k] read in the loop, not held in locals, which a soft-float core spills across the
     * library calls: 12 B less on a Cortex-M0 (conv_forward) */
    for (int i = 0; i < D; i++) {
        float mix = ATOME_MUL(r[0], yc[i]);
        mix = atome_madd(r[1], ys[i], mix);
        mix = atome_madd(r[2], ya[i], mix);
        x_out[i] = ATOME_ADD(x_in[i], mix);
    }
}

uint8_t feature_quantise(float x, float min, float scale) {
    float v = (x - min) * scale;
    if (!(v > 0.0f)) return 0;
    if (v >= 255.0f) return 255;
    unsigned t = (unsigned)v;
    return (uint8_t)(v - (float)t >= 0.5f ? t + 1 : t);
}

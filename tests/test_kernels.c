/* test_kernels.c — each forward kernel and the own math against hand-computed values. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "../common/atome_fast.h"
#include "../common/atome_math.h"
#include "../common/atome_ops.h"
#include "../common/atome_rng.h"
#include "../common/atome_softf.h" /* atome_sf_bits, atome_sf_float */
#include "../common/atome_trits.h"

START_TEST(sqrt_is_correctly_rounded) {
    /* The double root rounded to float is the correctly rounded single root. */
    atome_rng r = {7};
    for (int i = 0; i < 200000; i++) {
        uint32_t u = (uint32_t)atome_rng_next(&r) & 0x7fffffffu;
        if (u < 0x00800000u || u >= 0x7f800000u) continue;
        float x = atome_sf_float(u);
        ck_assert_msg(atome_sf_bits(atome_sqrtf(x)) == atome_sf_bits((float)sqrt((double)x)), "sqrt(%a)", x);
    }
    ck_assert(atome_sqrtf(4.0f) == 2.0f && atome_sqrtf(1.0f) == 1.0f);
    /* outside the positive normals x comes back: the root for ±0, +inf and NaN */
    ck_assert(atome_sf_bits(atome_sqrtf(0.0f)) == 0u && atome_sf_bits(atome_sqrtf(-0.0f)) == 0x80000000u);
    ck_assert(atome_sf_bits(atome_sqrtf(atome_sf_float(0x7f800000u))) == 0x7f800000u);
    ck_assert(atome_sf_bits(atome_sqrtf(atome_sf_float(0x7fc00001u))) == 0x7fc00001u);
    ck_assert(atome_sqrtf(-1.0f) == -1.0f && atome_sf_bits(atome_sqrtf(atome_sf_float(1u))) == 1u);
    const float max_finite = atome_sf_float(0x7f7fffffu);
    ck_assert(atome_sf_bits(atome_sqrtf(max_finite)) == atome_sf_bits((float)sqrt((double)max_finite)));
}
END_TEST

START_TEST(sqrt_exhaustive_on_one_to_four) {
    /* every float in [1, 4): both exponent parities, every mantissa */
    for (uint32_t u = 0x3f800000u; u < 0x40800000u; u++) {
        float x = atome_sf_float(u);
        if (atome_sf_bits(atome_sqrtf(x)) != atome_sf_bits((float)sqrt((double)x))) ck_abort_msg("sqrt(%a)", x);
    }
}
END_TEST

START_TEST(expf_within_two_ulp) {
    for (float x = -87.0f; x <= 88.0f; x += 0.013f) {
        double want = exp((double)x), got = atome_expf(x);
        ck_assert_msg(fabs(got - want) <= 2.5e-7 * want, "exp(%g) = %.9g, want %.9g", x, got, want);
    }
    ck_assert(atome_expf(0.0f) == 1.0f);
    ck_assert(atome_expf(-100.0f) == 0.0f);
    ck_assert(fabsf(atome_tanhf(0.5f) - tanhf(0.5f)) < 1e-6f && atome_tanhf(20.0f) == 1.0f);
}
END_TEST

/* The size of an ulp at the float nearest y (y > 0 finite, or a denormal's 2^-149). */
static double ulp_at(double y) {
    int e;
    frexp(fabs(y), &e); /* |y| = f·2^e, f in [0.5, 1) */
    return ldexp(1.0, (e - 24 < -149 ? -149 : e - 24));
}

START_TEST(logf_within_one_ulp) {
    /* every 61st bit pattern of the positive finite floats (13.9 million, denormals included;
     * the whole range measured 0.84 ulp at worst), against double log */
    double worst = 0.0;
    for (uint32_t u = 1; u < 0x7f800000u; u += 61) {
        float x = atome_sf_float(u);
        double want = log((double)x), got = atome_logf(x);
        if (want == 0.0) {
            if (got != 0.0) ck_abort_msg("log(%a) = %a, want 0", x, got);
            continue;
        }
        double err = fabs(got - want) / ulp_at(want);
        if (err > worst) worst = err;
        if (err > 1.0) ck_abort_msg("log(%a) = %.9g, want %.9g (%.2f ulp)", x, got, want, err);
    }
    ck_assert_double_gt(worst, 0.3); /* the comparison ran */
    ck_assert(atome_logf(1.0f) == 0.0f);
    ck_assert(isinf(atome_logf(0.0f)) && atome_logf(0.0f) < 0 && isinf(atome_logf(-0.0f)) && atome_logf(-0.0f) < 0);
    ck_assert(isinf(atome_logf(INFINITY)) && atome_logf(INFINITY) > 0);
    ck_assert(isnan(atome_logf(-1.0f)) && isnan(atome_logf(NAN)) && isnan(atome_logf(-INFINITY)));
}
END_TEST

START_TEST(expf_neg_is_expf_below_zero) {
    /* softmax's expf: the same bits as atome_expf on every float from -0 down to below the
     * cut-off at -87.3 (2^24 of them, evenly spread over the bit patterns), and at +0 */
    for (uint32_t u = 0x80000000u; u < 0xc3000000u; u += 0x43u) {
        float x = atome_sf_float(u);
        if (atome_sf_bits(atome_expf_neg(x)) != atome_sf_bits(atome_expf(x))) ck_abort_msg("expf_neg(%a)", x);
    }
    ck_assert(atome_sf_bits(atome_expf_neg(-87.3f)) == atome_sf_bits(atome_expf(-87.3f)) && atome_expf_neg(-87.31f) == 0.0f);
    ck_assert(atome_expf_neg(0.0f) == 1.0f && atome_expf_neg(-1e30f) == 0.0f);
}
END_TEST

START_TEST(expf_defined_for_every_float) {
    /* NaN, both infinities, the largest and smallest floats: defined results, no conversion of an
     * out-of-range float (the sanitizer build checks float-cast-overflow) */
    const float nan = atome_sf_float(0x7fc00000u), nnan = atome_sf_float(0xffc00001u), inf = atome_sf_float(0x7f800000u);
    ck_assert(atome_expf(nan) != atome_expf(nan) && atome_expf(nnan) != atome_expf(nnan));
    ck_assert(atome_sf_bits(atome_expf(inf)) == atome_sf_bits(atome_expf(88.0f)) && isfinite(atome_expf(inf)));
    ck_assert(atome_sf_bits(atome_expf(1e30f)) == atome_sf_bits(atome_expf(88.0f)));
    ck_assert(atome_sf_bits(atome_expf(atome_sf_float(0x7f7fffffu))) == atome_sf_bits(atome_expf(88.0f)));
    ck_assert(atome_expf(-inf) == 0.0f && atome_expf(-1e30f) == 0.0f && atome_expf(atome_sf_float(0xff7fffffu)) == 0.0f);
    ck_assert(atome_expf(1e-30f) == 1.0f && atome_expf(atome_sf_float(1u)) == 1.0f && atome_expf(-1e-45f) == 1.0f);
    /* softmax's: every NaN, whatever its sign, gives 0 (a max-subtracted infinity is one), and
     * so do -inf and x > 87.3, which softmax never passes */
    ck_assert(atome_sf_bits(atome_expf_neg(nan)) == 0u && atome_sf_bits(atome_expf_neg(nnan)) == 0u);
    ck_assert(atome_sf_bits(atome_expf_neg(atome_sf_float(0x7f800001u))) == 0u &&
              atome_sf_bits(atome_expf_neg(atome_sf_float(0xffffffffu))) == 0u);
    ck_assert(atome_sf_bits(atome_expf_neg(-inf)) == 0u && atome_sf_bits(atome_expf_neg(inf)) == 0u);
    ck_assert(atome_expf_neg(1e30f) == 0.0f && atome_expf_neg(87.31f) == 0.0f);
    ck_assert(atome_expf_neg(-1e-45f) == 1.0f && atome_expf_neg(1e-45f) == 1.0f && atome_expf_neg(-0.0f) == 1.0f);
    /* 0 < x <= 87.3 is outside its use but defined: finite and within 1e-4 of e^x */
    for (float x = 1e-3f; x <= 87.3f; x *= 1.01f) {
        double want = exp((double)x), got = atome_expf_neg(x);
        ck_assert_msg(isfinite(got) && fabs(got - want) <= 1e-4 * want, "expf_neg(%g) = %g", x, got);
    }
    ck_assert(atome_tanhf(inf) == 1.0f && atome_tanhf(-inf) == -1.0f && atome_tanhf(nan) != atome_tanhf(nan));
}
END_TEST

START_TEST(all_243_codes_round_trip) {
    int seen[256] = {0};
    for (int n = 0; n < 243; n++) {
        int8_t t[5], back[5];
        for (int p = 4, v = n; p >= 0; p--, v /= 3) t[p] = (int8_t)(v % 3 - 1);
        uint8_t b = atome_pack5(t);
        ck_assert_int_eq(seen[b]++, 0); /* 243 distinct bytes */
        for (int p = 0; p < 5; p++) back[p] = (int8_t)atome_trit(b, p);
        ck_assert_mem_eq(t, back, 5);
    }
}
END_TEST

START_TEST(rows_of_odd_length_round_trip) {
    atome_rng r = {3};
    for (int n = 1; n <= 67; n++) {
        int8_t t[67], back[67];
        uint8_t packed[14];
        for (int i = 0; i < n; i++) t[i] = (int8_t)((int)atome_rng_below(&r, 3) - 1);
        atome_pack_row(packed, t, n);
        atome_unpack_row(back, packed, n);
        ck_assert_mem_eq(t, back, (size_t)n);
        /* digits past n are zero trits: the padded matmul input then adds nothing */
        for (int c = n; c < 5 * ATOME_ROW_BYTES(n); c++)
            ck_assert_int_eq(atome_trit(packed[c % ATOME_ROW_BYTES(n)], c / ATOME_ROW_BYTES(n)), 0);
    }
}
END_TEST

/* A ternary matrix in test storage: scale, packed rows. */
typedef struct {
    float scale;
    uint8_t bytes[64 * 14];
    atome_tmat m;
} tmat_buf;

static void make_tmat(tmat_buf *b, const int8_t *t, int rows, int cols, float scale) {
    b->scale = scale;
    b->m.scale = &b->scale;
    b->m.trits = b->bytes;
    b->m.rows = rows, b->m.cols = cols, b->m.row_bytes = ATOME_ROW_BYTES(cols);
    for (int r = 0; r < rows; r++) atome_pack_row(b->bytes + r * b->m.row_bytes, t + r * cols, cols);
}

START_TEST(matmul_by_hand) {
    const int8_t w[6] = {1, 0, -1, -1, 1, 1};
    tmat_buf b;
    make_tmat(&b, w, 2, 3, 0.5f);
    int8_t x[5] = {10, -3, 7, 0, 0};
    float y[2];
    const float xs = 0.1f;
    matmul_forward(y, &b.m, x, &xs, 1, NULL);
    /* acc0 = 10 - 7 = 3, acc1 = -10 - 3 + 7 = -6; times 0.5 · 0.1 */
    ck_assert(y[0] == 3.0f * (0.5f * 0.1f));
    ck_assert(y[1] == -6.0f * (0.5f * 0.1f));
}
END_TEST

START_TEST(matmul_both_paths_match_integer_loop) {
    atome_rng r = {11};
    /* every width matmul_forward and matmul_lut specialise (rb 4, 7, 13, 26, 52) and others; one
     * vector (the engine), ATOME_LUT_ROWS (the trainer's table) and fewer (a window's tail) */
    static const int widths[] = {1, 8, 15, 16, 20, 22, 32, 35, 57, 64, 65, 128, 130, 200, 256};
    static const int counts[] = {1, ATOME_LUT_ROWS, 3};
    enum { ROWS = 5, MAXK = 260 };
    for (unsigned k = 0; k < sizeof widths / sizeof widths[0]; k++)
        for (unsigned nk = 0; nk < 3; nk++) {
            int rows = ROWS, cols = widths[k], n = counts[nk]; /* odd rows: the two-row pass and the last row */
            int8_t w[ROWS * 256], x[ATOME_LUT_ROWS * MAXK] = {0};
            int K = 5 * ATOME_ROW_BYTES(cols); /* a vector and its padding, zero */
            for (int i = 0; i < rows * cols; i++) w[i] = (int8_t)((int)atome_rng_below(&r, 3) - 1);
            for (int t = 0; t < n; t++)
                for (int i = 0; i < cols; i++) x[t * K + i] = (int8_t)((int)atome_rng_below(&r, 255) - 127);
            tmat_buf b;
            make_tmat(&b, w, rows, cols, 1.0f);
            float y[ATOME_LUT_ROWS * ROWS], ylut[ATOME_LUT_ROWS * ROWS], xs[ATOME_LUT_ROWS];
            for (int t = 0; t < n; t++) xs[t] = 1.0f + (float)t;
            static int16_t lut[ATOME_LUT_SIZE(256) * ATOME_LUT_ROWS];
            matmul_forward(y, &b.m, x, xs, n, NULL);
            matmul_lut(lut, x, b.m.row_bytes, n);
            matmul_forward(ylut, &b.m, x, xs, n, lut);
            for (int t = 0; t < n; t++)
                for (int o = 0; o < rows; o++) {
                    int acc = 0;
                    for (int c = 0; c < cols; c++) acc += w[o * cols + c] * x[t * K + c];
                    ck_assert_msg(y[t * ROWS + o] == (float)acc * xs[t], "cols %d n %d t %d row %d", cols, n, t, o);
                    ck_assert(ylut[t * ROWS + o] == (float)acc * xs[t]); /* both paths, the same integers */
                }
        }
}
END_TEST

/* A blob may hold any byte, the 13 that no five trits pack to included (the loader does not refuse
 * them): the lookup table must give what the in-place decode gives for each of the 256 values. */
START_TEST(matmul_lut_agrees_on_every_byte_value) {
    static const int rbs[] = {4, 7, 13, 26, 52, 9};
    static const int counts[] = {1, ATOME_LUT_ROWS};
    static uint8_t trits[256 * 52];
    static int16_t lut[ATOME_LUT_SIZE(256) * ATOME_LUT_ROWS];
    atome_rng r = {12};
    for (unsigned k = 0; k < sizeof rbs / sizeof rbs[0]; k++)
        for (unsigned nk = 0; nk < 2; nk++) {
            int rb = rbs[k], n = counts[nk];
            for (int b = 0; b < 256; b++)
                for (int j = 0; j < rb; j++) trits[b * rb + j] = (uint8_t)b; /* row b: byte b everywhere */
            float scale = 1.0f, xs[ATOME_LUT_ROWS], y[ATOME_LUT_ROWS * 256], ylut[ATOME_LUT_ROWS * 256];
            atome_tmat m = {&scale, trits, 256, 5 * rb, rb};
            int8_t x[ATOME_LUT_ROWS * 260];
            for (int i = 0; i < n * 5 * rb; i++) x[i] = (int8_t)((int)atome_rng_below(&r, 255) - 127);
            for (int t = 0; t < n; t++) xs[t] = 1.0f;
            matmul_forward(y, &m, x, xs, n, NULL);
            matmul_lut(lut, x, rb, n);
            matmul_forward(ylut, &m, x, xs, n, lut);
            for (int i = 0; i < n * 256; i++) ck_assert_msg(y[i] == ylut[i], "rb %d n %d byte %d", rb, n, i % 256);
        }
}
END_TEST

/* The speed build's matmul kernels (common/atome_fast.h; the same C on the boards, which test_mcu.c
 * checks there): the integer of the plain decode for every byte value in every column and plane,
 * at the preset widths and odd ones, x over its whole range [-127, 127]. */
START_TEST(fast_kernels_match_integer_loop) {
    static const int rbs[] = {1, 2, 3, 4, 5, 7, 8, 13, 26, 52};
    static uint8_t row[64];
    static _Alignas(4) uint16_t lut[ATOME_FAST_LUT_SIZE(5 * 64)];
    static uint16_t split[ATOME_FAST_SPLIT_COL * 64];
    int8_t x[5 * 64];
    atome_rng r = {13};
    for (unsigned k = 0; k < sizeof rbs / sizeof rbs[0]; k++) {
        int rb = rbs[k];
        for (int trial = 0; trial < 40; trial++) {
            for (int i = 0; i < 5 * rb; i++) x[i] = (int8_t)((int)atome_rng_below(&r, 255) - 127);
            if (trial < 2) /* the extremes everywhere */
                for (int i = 0; i < 5 * rb; i++) x[i] = (int8_t)(trial ? -127 : 127);
            fast_lut_build(lut, x, rb);
            fast_split_build(split, x, rb);
            for (int b = 0; b < 256; b++) { /* every byte value in every column, with random others */
                for (int j = 0; j < rb; j++) row[j] = (uint8_t)(j == b % rb ? (uint32_t)b : atome_rng_below(&r, 256));
                int32_t want = 0;
                for (int c = 0; c < 5 * rb; c++) want += atome_trit(row[c % rb], c / rb) * x[c];
                ck_assert_msg(fast_lut_dot(row, lut, rb, fast_lut_shift(rb)) == want, "lut: rb %d byte %d", rb, b);
                ck_assert_msg(fast_table_dot(row, x, rb) == want, "table: rb %d byte %d", rb, b);
                ck_assert_msg(fast_split_dot(row, split, rb) == want, "split: rb %d byte %d", rb, b);
            }
        }
    }
    for (int b = 0; b < 256; b++) /* the table is atome_trit's digits, the 13 unpacked bytes included */
        for (int p = 0; p < 5; p++) ck_assert_int_eq(atome_trit_table[b][p], atome_trit((uint8_t)b, p));
}
END_TEST

/* The speed build's one-pass top-k picks what attention_topk's passes (the size build, here) pick,
 * order included, on scores full of ties, both zeros, infinities and subnormals; a NaN gives -1. */
START_TEST(fast_topk_matches_passes) {
    static const float pool[] = {0.0f, -0.0f, 1.0f, -1.0f, 2.5f, -2.5f, 1e-45f, -1e-45f, 3e38f, -3e38f};
    atome_rng r = {14};
    float inf = atome_sf_float(0x7f800000u), scores[70];
    for (int trial = 0; trial < 3000; trial++) {
        int n = (int)atome_rng_below(&r, 70);
        for (int j = 0; j < n; j++) {
            unsigned pick = atome_rng_below(&r, 12);
            scores[j] = pick < 10 ? pool[pick] : pick == 10 ? inf : -inf;
        }
        int want[ATOME_TOPK], got[ATOME_TOPK];
        float p[ATOME_TOPK];
        int nw = attention_topk(want, p, scores, n), ng = fast_topk(got, scores, n);
        ck_assert_int_eq(ng, nw);
        for (int c = 0; c < nw; c++) ck_assert_msg(got[c] == want[c], "trial %d n %d pick %d", trial, n, c);
    }
    scores[3] = atome_sf_float(0xffc00001u);
    int sel[ATOME_TOPK];
    ck_assert_int_eq(fast_topk(sel, scores, 5), -1);
}
END_TEST

START_TEST(layernorm_by_hand) {
    const float x[4] = {1, 2, 3, 4}, g[4] = {1, 1, 2, 1}, b[4] = {0, 0, 0, 0.5f};
    float out[4], mean, rstd;
    layernorm_forward(out, &mean, &rstd, x, g, b, 4);
    double r = 1.0 / sqrt(1.25 + 1e-5); /* variance of 1..4 is 1.25 */
    ck_assert(mean == 2.5f);
    ck_assert(fabs(rstd - r) < 1e-6);
    const double want[4] = {-1.5 * r, -0.5 * r, 2 * 0.5 * r, 1.5 * r + 0.5};
    for (int i = 0; i < 4; i++) ck_assert_msg(fabs(out[i] - want[i]) < 1e-6, "out[%d] = %g", i, out[i]);
}
END_TEST

START_TEST(quant8_by_hand) {
    const float x[4] = {0.5f, -1.0f, 0.25f, 0.0f};
    int8_t q[5] = {9, 9, 9, 9, 9};
    float s;
    quant8_forward(q, &s, x, 4);
    const int8_t want[5] = {64, -127, 32, 0, 9}; /* 63.5 rounds away from zero; q[4] is not written */
    ck_assert_mem_eq(q, want, 5);
    ck_assert(s == 1.0f / 127.0f);
    const float neg[2] = {-0.5f, 1.0f}; /* -63.5: away from zero on that side too */
    quant8_forward(q, &s, neg, 2);
    ck_assert(q[0] == -64 && q[1] == 127);
    const float zero[3] = {0, 0, 0};
    quant8_forward(q, &s, zero, 3);
    ck_assert(s == 0.0f && q[0] == 0 && q[2] == 0);
    /* max|x| = 2^-121: 254/max|x| would overflow, so q is 0 (and the scale stays max|x|/127) */
    const float tiny[2] = {0x1p-121f, -0x1p-123f};
    quant8_forward(q, &s, tiny, 2);
    ck_assert(q[0] == 0 && q[1] == 0 && s == 0x1p-121f / 127.0f);
    const float small[2] = {0x1p-120f, -0x1p-121f}; /* from 2^-120 on, the usual rule */
    quant8_forward(q, &s, small, 2);
    ck_assert(q[0] == 127 && q[1] == -64);
}
END_TEST

/* round half away from zero of a float, in double (exact there: y has 24 bits) */
static int round_away(float y) { return (int)(y >= 0 ? floor((double)y + 0.5) : -floor(0.5 - (double)y)); }

START_TEST(quant8_rounds_at_the_boundaries) {
    /* max|x| = 127: 127/max|x| = 1, so q is x itself rounded. 0.49999997 (0.5 - 2^-25) gives 0:
     * x + 0.5 in float rounds to 1, the defect of adding 0.5 before truncating. */
    const float x[] = {127.0f, 0.49999997f, -0.49999997f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 126.5f,
                       -126.5f, 126.49999f, -126.49999f, 0.0f, -0.0f, 1e-30f, 0.50000006f, -0.50000006f};
    const int8_t want[] = {127, 0, 0, 1, -1, 2, -2, 3, -3, 127, -127, 126, -126, 0, 0, 0, 1, -1};
    enum { N = sizeof x / sizeof x[0] };
    int8_t q[N];
    float s;
    quant8_forward(q, &s, x, N);
    for (int i = 0; i < N; i++) ck_assert_msg(q[i] == want[i], "q(%a) = %d, want %d", x[i], q[i], want[i]);
    ck_assert(s == 1.0f);
    /* a max of 127.49999: x·(127/max|x|) is 127 and -127, no further */
    const float top[3] = {127.49999f, -127.49999f, 0.49999997f};
    quant8_forward(q, &s, top, 3);
    ck_assert(q[0] == 127 && q[1] == -127 && q[2] == 0);
    /* random vectors of every magnitude against the rule written out: q = round(fl(x·fl(127/max))) */
    atome_rng r = {5};
    for (int v = 0; v < 20000; v++) {
        float xs[16], amax = 0.0f;
        int n = 1 + (int)atome_rng_below(&r, 16);
        for (int i = 0; i < n; i++) {
            uint32_t u = (uint32_t)atome_rng_next(&r);
            xs[i] = atome_sf_float((u & 0x807fffffu) | (uint32_t)(100 + (u >> 23) % 60) << 23); /* 2^-27 .. 2^32 */
            if (fabsf(xs[i]) > amax) amax = fabsf(xs[i]);
        }
        quant8_forward(q, &s, xs, n);
        float inv = 127.0f / amax;
        for (int i = 0; i < n; i++) {
            float y = xs[i] * inv;
            if (q[i] != round_away(y)) ck_abort_msg("q(%a) = %d, max %a: want %d", xs[i], q[i], amax, round_away(y));
        }
        ck_assert(s == amax / 127.0f);
    }
}
END_TEST

START_TEST(quant8_of_non_finite_is_zero) {
    /* an infinity or a NaN of either sign anywhere: q = 0 and scale +0, every q[0..n) written */
    const uint32_t bad[] = {0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00000u, 0x7f800001u};
    for (unsigned b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        float x[5] = {1.0f, -3.0f, 0.0f, 2.5f, 100.0f};
        x[b] = atome_sf_float(bad[b]);
        int8_t q[6] = {9, 9, 9, 9, 9, 9};
        float s = 7.0f;
        quant8_forward(q, &s, x, 5);
        const int8_t want[6] = {0, 0, 0, 0, 0, 9};
        ck_assert_mem_eq(q, want, 6);
        ck_assert(atome_sf_bits(s) == 0u);
    }
    /* the largest finite floats quantise as any others */
    const float big[2] = {atome_sf_float(0x7f7fffffu), -atome_sf_float(0x7f7fffffu) / 2};
    int8_t q[2];
    float s;
    quant8_forward(q, &s, big, 2);
    ck_assert(q[0] == 127 && q[1] == -64 && s == atome_sf_float(0x7f7fffffu) / 127.0f);
}
END_TEST

START_TEST(quant8_in_place_is_quant8) {
    /* the engine quantises its query into the query's own floats (infer/atome.h): the same q and
     * scale as from a separate buffer, for every length up to 64 and vectors with a tiny max, a
     * zero and an infinity */
    atome_rng r = {11};
    for (int trial = 0; trial < 400; trial++) {
        int n = 1 + trial % 64;
        float x[64], room[64];
        for (int i = 0; i < n; i++) {
            uint32_t u = (uint32_t)atome_rng_next(&r);
            x[i] = atome_sf_float((u & 0x807fffffu) | (uint32_t)(60 + (u >> 23) % 100) << 23);
        }
        if (trial % 7 == 3) x[trial % n] = 0.0f;
        if (trial % 11 == 5) x[trial % n] = atome_sf_float(0xff800000u);
        if (trial % 13 == 6)
            for (int i = 0; i < n; i++) x[i] = atome_sf_float(0x00400000u + (uint32_t)i); /* max < 2^-120 */
        int8_t want[64];
        float want_s, s;
        quant8_forward(want, &want_s, x, n);
        memcpy(room, x, sizeof room);
        quant8_forward((int8_t *)room, &s, room, n);
        ck_assert_mem_eq((int8_t *)room, want, (size_t)n);
        ck_assert(atome_sf_bits(s) == atome_sf_bits(want_s));
    }
}
END_TEST

START_TEST(embed_by_hand) {
    int8_t w[3 * 4] = {0};
    w[2 * 4 + 0] = 1, w[2 * 4 + 3] = -1;
    tmat_buf b;
    make_tmat(&b, w, 3, 4, 0.25f);
    float x[4];
    embed_forward(x, &b.m, 2);
    ck_assert(x[0] == 0.25f && x[1] == 0.0f && x[2] == 0.0f && x[3] == -0.25f);
}
END_TEST

START_TEST(conv_by_hand) {
    /* channel 0 taps (t-4..t) = +1 0 0 -1 +1, channel 1 = 0 0 0 0 -1 */
    const int8_t w[10] = {1, 0, 0, -1, 1, 0, 0, 0, 0, -1};
    tmat_buf b;
    make_tmat(&b, w, 2, 5, 2.0f);
    /* h at t-4 .. t as rows: t-4 = (1, 5), t-1 = (10, 6), t = (100, 7), zeros between */
    const float hist[10] = {1, 5, 0, 0, 0, 0, 10, 6, 100, 7};
    float y[2];
    conv_forward(y, &b.m, hist, 2);
    ck_assert(y[0] == 2.0f * (1 - 10 + 100));
    ck_assert(y[1] == 2.0f * -7);
    const float first[10] = {0, 0, 0, 0, 0, 0, 0, 0, 100, 7}; /* position 0: only the current input */
    conv_forward(y, &b.m, first, 2);
    ck_assert(y[0] == 200.0f && y[1] == -14.0f);
}
END_TEST

START_TEST(ssm_by_hand) {
    const float a[2] = {0.5f, -0.25f}, g[2] = {2, 3}, h1[2] = {1, 4}, h2[2] = {3, 8};
    float s[2], y[2];
    const float zero[2] = {0, 0}; /* the state before position 0 */
    ssm_forward(y, s, zero, h1, a, g, 2);
    ck_assert(s[0] == 1 && s[1] == 4 && y[0] == 2 && y[1] == 12);
    ssm_forward(y, s, s, h2, a, g, 2); /* in place, as the engine calls it */
    ck_assert(s[0] == 3.5f && s[1] == 7.0f && y[0] == 7.0f && y[1] == 21.0f);
}
END_TEST

START_TEST(attention_picks_top4_ties_earliest) {
    /* 6 keys of width 1 in a ring of 6 starting at row 2; scores = q·k with q = 1, scale 1. */
    const int8_t q[1] = {1};
    int8_t k[6], v[6 * 2];
    float ks[6], vs[6], scores[6], p[4], y[2];
    const int8_t kv_by_j[6] = {3, 5, 5, 1, 3, 0}; /* j = 0..5 */
    for (int j = 0; j < 6; j++) {
        int row = (2 + j) % 6;
        k[row] = kv_by_j[j], ks[row] = 1.0f, vs[row] = 0.5f;
        v[row * 2] = (int8_t)(10 * j), v[row * 2 + 1] = (int8_t)-j;
    }
    int sel[4];
    int n = attention_forward(y, sel, p, scores, q, 1.0f, k, ks, v, vs, 2, 6, 6, 1, 2, 1.0f);
    ck_assert_int_eq(n, 4);
    /* best 5 at j=1 and j=2 (tie: earlier first), then 3 at j=0 and j=4 (earlier first) */
    ck_assert(sel[0] == 1 && sel[1] == 2 && sel[2] == 0 && sel[3] == 4);
    double e3 = exp(-2.0), z = 2 + 2 * e3;
    ck_assert(fabs(p[0] - 1 / z) < 1e-7 && fabs(p[2] - e3 / z) < 1e-7);
    double want0 = 0.5 * (10 * p[0] + 20 * p[1] + 0 * p[2] + 40 * p[3]);
    ck_assert(fabs(y[0] - want0) < 1e-5);
    /* fewer candidates than 4: all are used */
    n = attention_forward(y, sel, p, scores, q, 1.0f, k, ks, v, vs, 2, 2, 6, 1, 2, 1.0f);
    ck_assert_int_eq(n, 2);
    ck_assert(sel[0] == 1 && sel[1] == 0);
}
END_TEST

START_TEST(router_softmax_by_hand) {
    const float l[3] = {1.0f, 2.0f, 0.0f};
    float r[3];
    router_forward(r, l, 0);
    double z = exp(-1.0) + 1 + exp(-2.0);
    ck_assert(fabs(r[0] - exp(-1.0) / z) < 1e-7 && fabs(r[1] - 1 / z) < 1e-7 && fabs(r[2] - exp(-2.0) / z) < 1e-7);
    router_forward(r, l, ATOME_DROP_SSM); /* an ablated pathway weighs exactly 0, the others share 1 */
    z = exp(-1.0) + exp(-2.0);
    ck_assert(r[1] == 0.0f && fabs(r[0] - exp(-1.0) / z) < 1e-7 && fabs(r[2] - exp(-2.0) / z) < 1e-7);
}
END_TEST

Suite *kernels_suite(void) {
    Suite *s = suite_create("kernels");
    TCase *t = tcase_create("forward");
    tcase_add_test(t, sqrt_is_correctly_rounded);
    tcase_add_test(t, sqrt_exhaustive_on_one_to_four);
    tcase_add_test(t, expf_within_two_ulp);
    tcase_add_test(t, expf_neg_is_expf_below_zero);
    tcase_add_test(t, expf_defined_for_every_float);
    tcase_add_test(t, logf_within_one_ulp);
    tcase_add_test(t, all_243_codes_round_trip);
    tcase_add_test(t, rows_of_odd_length_round_trip);
    tcase_add_test(t, matmul_by_hand);
    tcase_add_test(t, matmul_both_paths_match_integer_loop);
    tcase_add_test(t, matmul_lut_agrees_on_every_byte_value);
    tcase_add_test(t, fast_kernels_match_integer_loop);
    tcase_add_test(t, fast_topk_matches_passes);
    tcase_add_test(t, layernorm_by_hand);
    tcase_add_test(t, quant8_by_hand);
    tcase_add_test(t, quant8_rounds_at_the_boundaries);
    tcase_add_test(t, quant8_of_non_finite_is_zero);
    tcase_add_test(t, quant8_in_place_is_quant8);
    tcase_add_test(t, embed_by_hand);
    tcase_add_test(t, conv_by_hand);
    tcase_add_test(t, ssm_by_hand);
    tcase_add_test(t, attention_picks_top4_ties_earliest);
    tcase_add_test(t, router_softmax_by_hand);
    suite_add_tcase(s, t);
    return s;
}

/* test_softf.c — the speed build's integer soft float (common/atome_softf.h) and multiply-free conv
 * taps (fast_conv_taps) against the C operations, bit for bit: ×, +, -, (int)(a·b), × a power of
 * two, × an int8, ÷ a power of two, the int conversions.
 *
 * On the host the C operations are the FPU's IEEE single precision, round to nearest even: the
 * results atome_softf.h must reproduce. Inputs: every pair of a pool of edge values (zeros,
 * subnormals, the normal range's ends, infinities, NaNs), then a million random pairs and 600,000
 * around ties, drawn to hit what rounding and ranges make hard: nearby exponents (cancellation,
 * carries), mantissas with many trailing zeros (exact results and exact ties), exponents at the
 * overflow and underflow limits. The conversions: every int of |i| <= 2^24 and random ones;
 * random floats and those around random integers. */
#include <check.h>
#include <stdint.h>
#include <string.h>
#include "../common/atome_fast.h"
#include "../common/atome_rng.h"
#include "../common/atome_softf.h"

static uint32_t bits_of(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float float_of(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* ck_assert_msg marks a point per call (a message to the parent in fork mode): millions of checks
 * take seconds that way, so a check costs nothing until it fails */
#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) ck_abort_msg(__VA_ARGS__);                                                    \
    } while (0)

static uint32_t rnd32(atome_rng *r) { return (uint32_t)(atome_rng_next(r) >> 32); }

static const uint32_t edge[] = {
    0x00000000u, 0x00000001u, 0x00000002u, 0x007fffffu, 0x00400000u, 0x00800000u, 0x00800001u, 0x00ffffffu,
    0x01000000u, 0x0d800000u, 0x1f800000u, 0x30000000u, 0x33800000u, 0x34000000u, 0x3f000000u, 0x3f7fffffu,
    0x3f800000u, 0x3f800001u, 0x3fbfffffu, 0x3fc00000u, 0x3fffffffu, 0x40000000u, 0x4b000000u, 0x4b7fffffu,
    0x4effffffu, 0x4f000000u, 0x5f000000u, 0x7e800000u, 0x7effffffu, 0x7f000000u, 0x7f7fffffu, 0x7f800000u,
    0x7fc00000u, 0x7fc00001u, 0x7fa00000u, 0x3eaaaaabu, 0x3dcccccdu, 0x42fe0000u, 0x437f0000u, 0x3c010204u,
};
#define N_EDGE (int)(sizeof edge / sizeof edge[0])

/* A random float of the given biased exponent: random sign and mantissa, the mantissa's low bits
 * cleared by a random amount (exact results and ties become likely). */
static uint32_t rand_float(atome_rng *r, uint32_t e) {
    uint32_t m = rnd32(r) & 0x7fffffu, zeros = atome_rng_below(r, 24);
    if (atome_rng_below(r, 2)) m &= ~((1u << zeros) - 1u);
    return (rnd32(r) & 0x80000000u) | e << 23 | m;
}

/* Two random operands: exponents anywhere, or close together, or near the range's ends. */
static void rand_pair(atome_rng *r, uint32_t *a, uint32_t *b) {
    uint32_t kind = atome_rng_below(r, 4), ea, eb;
    if (kind == 0) {
        *a = rnd32(r), *b = rnd32(r);
        return;
    }
    if (kind == 1) ea = 1 + atome_rng_below(r, 254), eb = ea + atome_rng_below(r, 61) - 30;
    else if (kind == 2) ea = 1 + atome_rng_below(r, 254), eb = ea + atome_rng_below(r, 5) - 2;
    else ea = atome_rng_below(r, 2) ? atome_rng_below(r, 8) : 247 + atome_rng_below(r, 9),
    eb = atome_rng_below(r, 2) ? 127 + atome_rng_below(r, 9) - 4 : 254 - ea + atome_rng_below(r, 9) - 4;
    if ((int32_t)eb < 0) eb = 0;
    if (eb > 255) eb = 255;
    *a = rand_float(r, ea), *b = rand_float(r, eb);
}

static void check_pair(uint32_t ua, uint32_t ub) {
    float a = float_of(ua), b = float_of(ub);
    volatile float want_mul = a * b, want_add = a + b, want_sub = a - b;
    EXPECT(bits_of(atome_sf_mul(a, b)) == bits_of(want_mul), "mul %08x %08x: %08x, want %08x", ua, ub,
                  bits_of(atome_sf_mul(a, b)), bits_of(want_mul));
    EXPECT(bits_of(atome_sf_add(a, b)) == bits_of(want_add), "add %08x %08x: %08x, want %08x", ua, ub,
                  bits_of(atome_sf_add(a, b)), bits_of(want_add));
    EXPECT(bits_of(atome_sf_sub(a, b)) == bits_of(want_sub), "sub %08x %08x: %08x, want %08x", ua, ub,
                  bits_of(atome_sf_sub(a, b)), bits_of(want_sub));
    if ((bits_of(want_mul) & 0x7fffffffu) < 0x4f000000u) /* |a·b| < 2^31: the truncation is defined */
        EXPECT(atome_sf_mul_f2i(a, b) == (int32_t)want_mul, "mul_f2i %08x %08x", ua, ub);
    uint32_t up = ub & 0xff800000u; /* b's power of two */
    if ((up << 1 >> 24) - 1u < 254u) {
        volatile float want_pow2 = a * float_of(up);
        EXPECT(bits_of(atome_sf_mul_pow2(a, float_of(up))) == bits_of(want_pow2), "mul_pow2 %08x %08x", ua, up);
    }
}

START_TEST(softf_edge_pairs) {
    for (int i = 0; i < N_EDGE; i++)
        for (int j = 0; j < N_EDGE; j++)
            for (uint32_t s = 0; s < 4; s++) check_pair(edge[i] ^ (s & 1) << 31, edge[j] ^ (s >> 1) << 31);
}
END_TEST

START_TEST(softf_random_pairs) {
    atome_rng r = {31};
    for (int n = 0; n < 1000000; n++) {
        uint32_t a, b;
        rand_pair(&r, &a, &b);
        check_pair(a, b);
    }
}
END_TEST

/* Products and sums whose exact value is a tie between two floats, and the floats around it. */
START_TEST(softf_ties) {
    atome_rng r = {32};
    for (int n = 0; n < 100000; n++) {
        /* mul: odd mantissas of k and 25 - k significant bits multiply to 25 bits or a carry more */
        uint32_t k = 1 + atome_rng_below(&r, 23), ma = (rnd32(&r) | 1u) & ((1u << k) - 1u),
                 mb = (rnd32(&r) | 1u) & ((1u << (25 - k)) - 1u);
        ma |= 1u << (k - 1), mb |= 1u << (24 - k);
        uint32_t ua = (100u + atome_rng_below(&r, 40)) << 23 | (ma << (24 - k) & 0x7fffffu);
        uint32_t ub = (100u + atome_rng_below(&r, 40)) << 23 | (mb << (k - 1) & 0x7fffffu);
        for (int d = -1; d <= 1; d++) check_pair(ua + (uint32_t)d, ub);
        /* add: b's last bit lands just below a's: exponents 1..25 apart, b's mantissa odd */
        uint32_t ea = 30 + atome_rng_below(&r, 190), eb = ea - 1 - atome_rng_below(&r, 25);
        ua = ea << 23 | (rnd32(&r) & 0x7fffffu);
        ub = (rnd32(&r) & 0x80000000u) | eb << 23 | (rnd32(&r) & 0x7fffffu) | 1u;
        for (int d = -1; d <= 1; d++) check_pair(ua, ub + (uint32_t)d);
    }
}
END_TEST

START_TEST(softf_int_conversions) {
    for (int32_t i = -(1 << 24); i <= 1 << 24; i++)
        EXPECT(bits_of(atome_sf_i2f(i)) == bits_of((float)i), "i2f %d", i);
    atome_rng r = {33};
    static const int32_t big[] = {INT32_MIN, INT32_MIN + 1, INT32_MAX, INT32_MAX - 1, (1 << 24) + 1, -(1 << 24) - 1, 0x7ffffff3};
    for (unsigned k = 0; k < sizeof big / sizeof big[0]; k++)
        EXPECT(bits_of(atome_sf_i2f(big[k])) == bits_of((float)big[k]), "i2f %d", big[k]);
    for (int n = 0; n < 500000; n++) {
        int32_t i = (int32_t)rnd32(&r);
        EXPECT(bits_of(atome_sf_i2f(i)) == bits_of((float)i), "i2f %d", i);
        /* x / (float)n, n mostly powers of two (1 .. 2^25), x any float */
        int32_t dn = atome_rng_below(&r, 4) ? 1 << atome_rng_below(&r, 26) : (int32_t)atome_rng_below(&r, 200) - 100;
        float dx = float_of(rnd32(&r));
        volatile float want_div = dx / (float)dn;
        EXPECT(bits_of(atome_sf_div_int(dx, dn)) == bits_of(want_div), "div_int %08x %d", bits_of(dx), dn);
        /* f2i: any float of |x| < 2^31, around the integers and halves too */
        uint32_t u = rnd32(&r);
        if ((u & 0x7fffffffu) >= 0x4f000000u) u &= 0xbfffffffu; /* below 2^-63 .. 2^1 then */
        float x = float_of(u), y = (float)(int32_t)(rnd32(&r) >> atome_rng_below(&r, 32));
        EXPECT(atome_sf_f2i(x) == (int32_t)x, "f2i %08x", u);
        for (int d = -2; d <= 2; d++) {
            float z = float_of(bits_of(y) + (uint32_t)d);
            if ((bits_of(z) & 0x7fffffffu) < 0x4f000000u) EXPECT(atome_sf_f2i(z) == (int32_t)z, "f2i %08x", bits_of(z));
        }
    }
    for (int i = 0; i < N_EDGE; i++)
        for (uint32_t s = 0; s < 2; s++) {
            float x = float_of(edge[i] | s << 31);
            if ((edge[i] & 0x7fffffffu) < 0x4f000000u) EXPECT(atome_sf_f2i(x) == (int32_t)x, "f2i %08x", edge[i]);
        }
}
END_TEST

/* The M0's mantissa product (three 32-bit products) is the 64-bit one, value and sticky bit, on
 * random mantissas and their extremes. */
START_TEST(softf_mantissa_product_forms) {
    atome_rng r = {36};
    for (int n = 0; n < 2000000; n++) {
        uint32_t ua = rnd32(&r), ub = rnd32(&r);
        if (n < 4) ua = n & 1 ? 0x7fffffu : 0, ub = n & 2 ? 0x7fffffu : 0; /* mantissas 2^23 and 2^24 - 1 */
        uint32_t sh, sw, th = atome_sf_mul24_halves(ua, ub, &sh), tw = atome_sf_mul24_wide(ua, ub, &sw);
        EXPECT(th == tw && (sh != 0) == (sw != 0), "mul24 %08x %08x", ua, ub);
    }
}
END_TEST

/* w · (float)v for every int8 v, w the edge values and random floats of every exponent. */
START_TEST(softf_mul_by_int8) {
    atome_rng r = {35};
    for (int n = 0; n < 4000 + N_EDGE * 2; n++) {
        uint32_t u = n < N_EDGE * 2 ? edge[n / 2] ^ (uint32_t)(n & 1) << 31 : rand_float(&r, atome_rng_below(&r, 256));
        float w = float_of(u);
        for (int v = -128; v <= 127; v++) {
            volatile float want = w * (float)v;
            EXPECT(bits_of(atome_sf_mul_i8(w, v)) == bits_of(want), "mul_i8 %08x %d", u, v);
        }
    }
}
END_TEST

/* fast_conv_taps against the multiply-adds it stands for, on channels full of edge values. */
START_TEST(conv_taps_match_multiply_adds) {
    atome_rng r = {34};
    float h[5 * 3];
    for (int n = 0; n < 300000; n++) {
        const int8_t *t5 = atome_trit_table[atome_rng_below(&r, 256)];
        for (int j = 0; j < 5; j++) {
            uint32_t pick = atome_rng_below(&r, 8), u = rnd32(&r);
            if (pick == 0) u = edge[atome_rng_below(&r, N_EDGE)] ^ (u & 0x80000000u);
            else if (pick == 1) u &= 0x80000000u; /* ±0 */
            else if (pick == 2) u = (u & 0x807fffffu) | (250u + atome_rng_below(&r, 5)) << 23; /* sums overflow */
            else if (pick < 5) u = (u & 0x807fffffu) | (120u + atome_rng_below(&r, 8)) << 23;
            h[j * 3] = float_of(u);
        }
        float want = 0.0f;
        for (int j = 0; j < 5; j++) want = atome_madd((float)t5[j], h[j * 3], want);
        float got = fast_conv_taps(t5, h, 3);
        EXPECT(bits_of(got) == bits_of(want), "conv taps: %08x, want %08x", bits_of(got), bits_of(want));
    }
}
END_TEST

Suite *softf_suite(void) {
    Suite *s = suite_create("softf");
    TCase *t = tcase_create("same bits as the C operations");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, softf_edge_pairs);
    tcase_add_test(t, softf_random_pairs);
    tcase_add_test(t, softf_ties);
    tcase_add_test(t, softf_int_conversions);
    tcase_add_test(t, softf_mul_by_int8);
    tcase_add_test(t, softf_mantissa_product_forms);
    tcase_add_test(t, conv_taps_match_multiply_adds);
    suite_add_tcase(s, t);
    return s;
}

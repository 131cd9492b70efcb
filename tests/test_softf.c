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
 * random floats and those around random integers. The inputs are tests/tools/softf_cases.h's,
 * which the M0's firmware check (tests/tools/fw_softf_m0.c, its Thumb-1 operations against libgcc's
 * on the chip, under QEMU) draws from too; softf_m0_thumb1_matches_libgcc runs it. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "../common/atome_fast.h"
#include "../common/atome_rng.h"
#include "../common/atome_softf.h"
#include "tools/softf_cases.h"
#include "util.h"

/* ck_assert_msg marks a point per call (a message to the parent in fork mode): millions of checks
 * take seconds that way, so a check costs nothing until it fails */
#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) ck_abort_msg(__VA_ARGS__);                                                    \
    } while (0)

static void check_pair(uint32_t ua, uint32_t ub) {
    float a = atome_sf_float(ua), b = atome_sf_float(ub);
    volatile float want_mul = a * b, want_add = a + b, want_sub = a - b;
    EXPECT(atome_sf_bits(atome_sf_mul(a, b)) == atome_sf_bits(want_mul), "mul %08x %08x: %08x, want %08x", ua, ub,
                  atome_sf_bits(atome_sf_mul(a, b)), atome_sf_bits(want_mul));
    EXPECT(atome_sf_bits(atome_sf_add(a, b)) == atome_sf_bits(want_add), "add %08x %08x: %08x, want %08x", ua, ub,
                  atome_sf_bits(atome_sf_add(a, b)), atome_sf_bits(want_add));
    EXPECT(atome_sf_bits(atome_sf_sub(a, b)) == atome_sf_bits(want_sub), "sub %08x %08x: %08x, want %08x", ua, ub,
                  atome_sf_bits(atome_sf_sub(a, b)), atome_sf_bits(want_sub));
    if ((atome_sf_bits(want_mul) & 0x7fffffffu) < 0x4f000000u) /* |a·b| < 2^31: the truncation is defined */
        EXPECT(atome_sf_mul_f2i(a, b) == (int32_t)want_mul, "mul_f2i %08x %08x", ua, ub);
    uint32_t up = ub & 0xff800000u; /* b's power of two */
    if ((up << 1 >> 24) - 1u < 254u) {
        volatile float want_pow2 = a * atome_sf_float(up);
        EXPECT(atome_sf_bits(atome_sf_mul_pow2(a, atome_sf_float(up))) == atome_sf_bits(want_pow2),
               "mul_pow2 %08x %08x", ua, up);
    }
}

START_TEST(softf_edge_pairs) {
    for (int i = 0; i < SOFTF_N_EDGE; i++)
        for (int j = 0; j < SOFTF_N_EDGE; j++)
            for (uint32_t s = 0; s < 4; s++) check_pair(softf_edge[i] ^ (s & 1) << 31, softf_edge[j] ^ (s >> 1) << 31);
}
END_TEST

START_TEST(softf_random_pairs) {
    atome_rng r = {31};
    for (int n = 0; n < 1000000; n++) {
        uint32_t a, b;
        softf_rand_pair(&r, &a, &b);
        check_pair(a, b);
    }
}
END_TEST

/* Products and sums whose exact value is a tie between two floats, and the floats around it. */
START_TEST(softf_ties) {
    atome_rng r = {32};
    for (int n = 0; n < 100000; n++) {
        uint32_t ua, ub;
        softf_mul_tie(&r, &ua, &ub);
        for (int d = -1; d <= 1; d++) check_pair(ua + (uint32_t)d, ub);
        softf_add_tie(&r, &ua, &ub);
        for (int d = -1; d <= 1; d++) check_pair(ua, ub + (uint32_t)d);
    }
}
END_TEST

START_TEST(softf_int_conversions) {
    for (int32_t i = -(1 << 24); i <= 1 << 24; i++)
        EXPECT(atome_sf_bits(atome_sf_i2f(i)) == atome_sf_bits((float)i), "i2f %d", i);
    atome_rng r = {33};
    static const int32_t big[] = {INT32_MIN, INT32_MIN + 1, INT32_MAX, INT32_MAX - 1, (1 << 24) + 1, -(1 << 24) - 1, 0x7ffffff3};
    for (unsigned k = 0; k < sizeof big / sizeof big[0]; k++)
        EXPECT(atome_sf_bits(atome_sf_i2f(big[k])) == atome_sf_bits((float)big[k]), "i2f %d", big[k]);
    for (int n = 0; n < 500000; n++) {
        int32_t i = (int32_t)softf_rnd32(&r);
        EXPECT(atome_sf_bits(atome_sf_i2f(i)) == atome_sf_bits((float)i), "i2f %d", i);
        /* x / (float)n, n mostly powers of two (1 .. 2^25), x any float */
        int32_t dn = atome_rng_below(&r, 4) ? 1 << atome_rng_below(&r, 26) : (int32_t)atome_rng_below(&r, 200) - 100;
        float dx = atome_sf_float(softf_rnd32(&r));
        volatile float want_div = dx / (float)dn;
        EXPECT(atome_sf_bits(atome_sf_div_int(dx, dn)) == atome_sf_bits(want_div), "div_int %08x %d", atome_sf_bits(dx), dn);
        /* f2i: any float of |x| < 2^31, around the integers and halves too */
        uint32_t u = softf_rnd32(&r);
        if ((u & 0x7fffffffu) >= 0x4f000000u) u &= 0xbfffffffu; /* below 2^-63 .. 2^1 then */
        float x = atome_sf_float(u), y = (float)(int32_t)(softf_rnd32(&r) >> atome_rng_below(&r, 32));
        EXPECT(atome_sf_f2i(x) == (int32_t)x, "f2i %08x", u);
        for (int d = -2; d <= 2; d++) {
            float z = atome_sf_float(atome_sf_bits(y) + (uint32_t)d);
            if ((atome_sf_bits(z) & 0x7fffffffu) < 0x4f000000u)
                EXPECT(atome_sf_f2i(z) == (int32_t)z, "f2i %08x", atome_sf_bits(z));
        }
    }
    for (int i = 0; i < SOFTF_N_EDGE; i++)
        for (uint32_t s = 0; s < 2; s++) {
            float x = atome_sf_float(softf_edge[i] | s << 31);
            if ((softf_edge[i] & 0x7fffffffu) < 0x4f000000u) EXPECT(atome_sf_f2i(x) == (int32_t)x, "f2i %08x", softf_edge[i]);
        }
}
END_TEST

/* The M0's mantissa product (three 32-bit products) is the 64-bit one, value and sticky bit, on
 * random mantissas and their extremes. */
START_TEST(softf_mantissa_product_forms) {
    atome_rng r = {36};
    for (int n = 0; n < 2000000; n++) {
        uint32_t ua = softf_rnd32(&r), ub = softf_rnd32(&r);
        if (n < 4) ua = n & 1 ? 0x7fffffu : 0, ub = n & 2 ? 0x7fffffu : 0; /* mantissas 2^23 and 2^24 - 1 */
        uint32_t sh, sw, th = atome_sf_mul24_halves(ua, ub, &sh), tw = atome_sf_mul24_wide(ua, ub, &sw);
        EXPECT(th == tw && (sh != 0) == (sw != 0), "mul24 %08x %08x", ua, ub);
    }
}
END_TEST

/* w · (float)v for every int8 v, w the edge values and random floats of every exponent. */
START_TEST(softf_mul_by_int8) {
    atome_rng r = {35};
    for (int n = 0; n < 4000 + SOFTF_N_EDGE * 2; n++) {
        uint32_t u = n < SOFTF_N_EDGE * 2 ? softf_edge[n / 2] ^ (uint32_t)(n & 1) << 31 : softf_rand_float(&r, atome_rng_below(&r, 256));
        float w = atome_sf_float(u);
        for (int v = -128; v <= 127; v++) {
            volatile float want = w * (float)v;
            EXPECT(atome_sf_bits(atome_sf_mul_i8(w, v)) == atome_sf_bits(want), "mul_i8 %08x %d", u, v);
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
            uint32_t pick = atome_rng_below(&r, 8), u = softf_rnd32(&r);
            if (pick == 0) u = softf_edge[atome_rng_below(&r, SOFTF_N_EDGE)] ^ (u & 0x80000000u);
            else if (pick == 1) u &= 0x80000000u; /* ±0 */
            else if (pick == 2) u = (u & 0x807fffffu) | (250u + atome_rng_below(&r, 5)) << 23; /* sums overflow */
            else if (pick < 5) u = (u & 0x807fffffu) | (120u + atome_rng_below(&r, 8)) << 23;
            h[j * 3] = atome_sf_float(u);
        }
        float want = 0.0f;
        for (int j = 0; j < 5; j++) want = atome_madd((float)t5[j], h[j * 3], want);
        float got = fast_conv_taps(t5, h, 3);
        EXPECT(atome_sf_bits(got) == atome_sf_bits(want),
               "conv taps: %08x, want %08x", atome_sf_bits(got), atome_sf_bits(want));
    }
}
END_TEST

/* The Cortex-M0's Thumb-1 +, -, ×, a·b + c (common/atome_softf_m0.h) and its loops over a row
 * (atome_softf_m0_loops.h: the value rows, quantisation), which exist on the M0 only: its firmware
 * (tests/tools/fw_softf_m0.c, built by `make mcu`) checks them on the chip, under QEMU, against
 * libgcc's operations there, on these same kinds of inputs. */
START_TEST(softf_m0_thumb1_matches_libgcc) {
    const char *elf = "build/mcu/fast/m0-on-an385/softf-m0.elf";
    ck_assert_msg(access(elf, R_OK) == 0, "%s missing: `make mcu` builds it", elf);
    char cmd[256], out[512];
    snprintf(cmd, sizeof cmd,
             "timeout 300 qemu-system-arm -M mps2-an385 -nographic -semihosting-config enable=on,target=native "
             "-kernel %s </dev/null",
             elf);
    int rc = run_cmd(cmd, out, sizeof out);
    unsigned checks = 0;
    const char *ok = strstr(out, "softf-m0 ok ");
    ck_assert_msg(rc == 0 && ok && sscanf(ok, "softf-m0 ok %u", &checks) == 1, "%s: exit %d, output:\n%.300s", elf, rc, out);
    ck_assert_uint_ge(checks, 2000000);
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
    tcase_add_test(t, softf_m0_thumb1_matches_libgcc);
    suite_add_tcase(s, t);
    return s;
}

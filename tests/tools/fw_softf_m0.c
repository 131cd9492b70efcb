/* fw_softf_m0.c — a Cortex-M0 firmware (mk/mcu.mk: build/mcu/fast/m0-on-an385/softf-m0.elf) that
 * checks the M0's Thumb-1 float operations (common/atome_softf_m0*.h, through atome_softf.h's
 * atome_sf_add & co.) against the C operations on the chip itself, libgcc's IEEE soft float, bit
 * for bit: a + b, a - b, a · b, a · b + c, a / b (atome_sf_div, C), (int)(a · b), w · (float)v + c
 * for an int8 v (one at a time and by the attention's row loops), quant8_forward's loop
 * (atome_sf_quant8_m0), (float)i (atome_sf_i2f's table). Inputs: softf_cases.h's, as the host's
 * test (tests/test_softf.c) has them: every pair of edge values, random pairs, ties; for the int8
 * product every v with edge and random w. Prints "softf-m0 ok <checks>" and exits 0, or the first
 * mismatch and exits 1; tests/test_softf.c runs it under QEMU. */
#include <stdint.h>
#include <string.h>
#include "../../common/atome_math.h"
#include "../../infer/firmware/fw.h"
#include "../../infer/firmware/fw_digest.h"
#include "softf_cases.h"

#ifndef ATOME_SF_M0
#error "fw_softf_m0.c checks the M0 speed build's operations: -mcpu=cortex-m0 -DATOME_FAST"
#endif

static uint32_t checks;

static int fail(const char *op, uint32_t a, uint32_t b, uint32_t got, uint32_t want) {
    char line[120], *p = fw_put_str(line, "softf-m0 mismatch ");
    p = fw_put_str(p, op);
    p = fw_put_str(p, " ");
    p = fw_put_hex(p, a);
    p = fw_put_str(p, " ");
    p = fw_put_hex(p, b);
    p = fw_put_str(p, ": ");
    p = fw_put_hex(p, got);
    p = fw_put_str(p, ", want ");
    p = fw_put_hex(p, want);
    fw_put_str(p, "\n");
    fw_write(line);
    return 1;
}

/* The C operations, out of reach of constant folding: libgcc's __aeabi_fadd & co. */
static volatile float va, vb, vc;

/* a·b + c for each op and c; nonzero on a mismatch. */
static int check(uint32_t ua, uint32_t ub, uint32_t uc) {
    va = atome_sf_float(ua), vb = atome_sf_float(ub), vc = atome_sf_float(uc);
    float a = va, b = vb, c = vc;
    uint32_t want, got;
    want = atome_sf_bits(va + vb), got = atome_sf_bits(atome_sf_add(a, b));
    if (got != want) return fail("add", ua, ub, got, want);
    want = atome_sf_bits(va - vb), got = atome_sf_bits(atome_sf_sub(a, b));
    if (got != want) return fail("sub", ua, ub, got, want);
    float p = va * vb;
    want = atome_sf_bits(p), got = atome_sf_bits(atome_sf_mul(a, b));
    if (got != want) return fail("mul", ua, ub, got, want);
    vc = p;
    want = atome_sf_bits(vc + c), got = atome_sf_bits(atome_madd(a, b, c));
    if (got != want) return fail("madd", ua, ub, got, want);
    want = atome_sf_bits(va / vb), got = atome_sf_bits(atome_sf_div(a, b));
    if (got != want) return fail("div", ua, ub, got, want);
    if ((atome_sf_bits(p) & 0x7fffffffu) < 0x4f000000u) { /* |a·b| < 2^31: the truncation is defined */
        int32_t wi = (int32_t)p, gi = atome_sf_mul_f2i(a, b);
        if (gi != wi) return fail("mul_f2i", ua, ub, (uint32_t)gi, (uint32_t)wi);
    }
    checks += 6;
    return 0;
}

/* w · (float)v + c for every int8 v; nonzero on a mismatch. */
static int check_i8(uint32_t uw, uint32_t uc) {
    for (int32_t v = -128; v <= 127; v++) {
        va = atome_sf_float(uw), vb = (float)v, vc = atome_sf_float(uc);
        float p = va * vb;
        vb = p;
        uint32_t want = atome_sf_bits(vb + vc), got = atome_sf_bits(ATOME_MADD_I8(atome_sf_float(uw), v, atome_sf_float(uc)));
        if (got != want) return fail("madd_i8", uw, (uint32_t)v, got, want);
    }
    checks += 256;
    return 0;
}

/* The same products through the row loops (atome_sf_madd_i8_row_m0, the attention's value rows):
 * every v once, each y[k] c, a random float, an edge value or near minus the product (cancellation
 * in the add); the + y rows and the first row's + 0.0f; the whole row or its first n < 256 (the
 * elements past n must stay as they were). Nonzero on a mismatch. */
static int check_i8_row(uint32_t uw, uint32_t uc, atome_rng *r) {
    static int8_t v[256];
    static float y[256], y0[256];
    static uint32_t want[256], want0[256];
    for (int k = 0; k < 256; k++) {
        v[k] = (int8_t)(k ^ 0x80); /* -128..127 */
        va = atome_sf_float(uw), vb = (float)v[k];
        float p = va * vb;
        uint32_t u = softf_rnd32(r);
        switch (k & 3) {
        case 0: u = uc; break;
        case 1: u = softf_rand_float(r, atome_rng_below(r, 256)); break;
        case 2: u = softf_edge[atome_rng_below(r, SOFTF_N_EDGE)] ^ (u & 0x80000000u); break;
        default: u = atome_sf_bits(p) ^ 0x80000000u ^ (u & 0x3fu); break;
        }
        y[k] = atome_sf_float(u), y0[k] = atome_sf_float(u);
        vb = p, vc = y[k];
        want[k] = atome_sf_bits(vb + vc);
        vc = 0.0f;
        want0[k] = atome_sf_bits(vb + vc);
    }
    int n = atome_rng_below(r, 2) ? 256 : 1 + (int)atome_rng_below(r, 255);
    uint32_t past = n < 256 ? atome_sf_bits(y[n]) : 0u;
    if (!atome_sf_madd_i8_row_m0(y, v, atome_sf_float(uw), n, 0)) return 0; /* w outside the loops' range */
    atome_sf_madd_i8_row_m0(y0, v, atome_sf_float(uw), n, 1);
    for (int k = 0; k < n; k++) {
        if (atome_sf_bits(y[k]) != want[k]) return fail("madd_i8 row", uw, (uint32_t)v[k], atome_sf_bits(y[k]), want[k]);
        if (atome_sf_bits(y0[k]) != want0[k]) return fail("madd_i8 row0", uw, (uint32_t)v[k], atome_sf_bits(y0[k]), want0[k]);
    }
    if (n < 256 && (atome_sf_bits(y[n]) != past || atome_sf_bits(y0[n]) != past))
        return fail("madd_i8 row end", uw, (uint32_t)n, atome_sf_bits(y[n]), past);
    checks += 2 * (uint32_t)n;
    return 0;
}

/* quant8_forward's loop (atome_sf_quant8_m0) against (int)(x · inv2) and the halving, by libgcc:
 * inv2 = 254 / max|x| for a random max|x| >= 2^-120, and x of |x| <= max|x|: ±max|x|, random
 * floats up to 40 binades below it (subnormals and zeros too where it is small), and x near where
 * x · inv2 is an integer or a half (the truncation's and the rounding's edges). The first n of 256,
 * the byte past n unchanged. Nonzero on a mismatch. */
static int check_quant8(atome_rng *r) {
    static float x[256];
    static int8_t q[257];
    uint32_t ua = softf_rand_float(r, 7 + atome_rng_below(r, 248)) & 0x7fffffffu, ea = ua >> 23;
    va = atome_sf_float(ua), vb = 254.0f;
    vc = vb / va;
    float inv2 = vc;
    for (int k = 0; k < 256; k++) {
        uint32_t u = softf_rnd32(r), s = u & 0x80000000u, e;
        switch (k & 3) {
        case 0: u = ua; break;
        case 1:
            e = atome_rng_below(r, 41);
            u = e < ea ? softf_rand_float(r, ea - e) : u & 0x7fffffu >> atome_rng_below(r, 24);
            break;
        case 2:
            vb = (float)atome_rng_below(r, 510) * 0.5f;
            va = vb / vc;
            u = atome_sf_bits(va) + atome_rng_below(r, 5) - 2;
            break;
        default: u &= 0x7fffffu >> atome_rng_below(r, 24); break; /* subnormal or zero */
        }
        u &= 0x7fffffffu;
        x[k] = atome_sf_float((u > ua ? ua : u) | s);
    }
    int n = atome_rng_below(r, 2) ? 256 : 1 + (int)atome_rng_below(r, 255);
    q[n] = 0x55;
    atome_sf_quant8_m0(q, x, inv2, n);
    for (int k = 0; k < n; k++) {
        va = x[k];
        int t = (int)(va * vc);
        int8_t want = (int8_t)((t + (t < 0 ? -1 : 1)) / 2);
        if (q[k] != want) return fail("quant8", atome_sf_bits(x[k]), atome_sf_bits(inv2), (uint32_t)q[k], (uint32_t)want);
    }
    if (q[n] != 0x55) return fail("quant8 end", (uint32_t)n, 0, (uint32_t)q[n], 0x55);
    checks += (uint32_t)n;
    return 0;
}

int main(void) {
    atome_rng r = {41};
    for (int i = 0; i < SOFTF_N_EDGE; i++)
        for (int j = 0; j < SOFTF_N_EDGE; j++)
            for (uint32_t s = 0; s < 4; s++) {
                uint32_t c = softf_edge[atome_rng_below(&r, SOFTF_N_EDGE)] ^ (softf_rnd32(&r) & 0x80000000u);
                if (check(softf_edge[i] ^ (s & 1) << 31, softf_edge[j] ^ (s >> 1) << 31, c)) return 1;
            }
    for (int n = 0; n < 200000; n++) {
        uint32_t a, b, c, d;
        softf_rand_pair(&r, &a, &b);
        /* c: random, or near the product (cancellation in the add), or another pair's operand */
        softf_rand_pair(&r, &c, &d);
        if (n & 1) c = atome_sf_bits(atome_sf_float(a) * atome_sf_float(b)) ^ 0x80000000u ^ (softf_rnd32(&r) & 0x3fu);
        if (check(a, b, c)) return 1;
    }
    for (int n = 0; n < 50000; n++) {
        uint32_t a, b;
        softf_mul_tie(&r, &a, &b);
        for (uint32_t d = 0; d < 3; d++)
            if (check(a + d - 1, b, softf_rnd32(&r))) return 1;
        softf_add_tie(&r, &a, &b);
        for (uint32_t d = 0; d < 3; d++)
            if (check(a, b + d - 1, a)) return 1;
    }
    for (int n = 0; n < 3000 + SOFTF_N_EDGE * 2; n++) {
        uint32_t w = n < SOFTF_N_EDGE * 2 ? softf_edge[n / 2] ^ (uint32_t)(n & 1) << 31
                                          : softf_rand_float(&r, atome_rng_below(&r, 256));
        uint32_t c = n & 1 ? softf_edge[atome_rng_below(&r, SOFTF_N_EDGE)] : softf_rand_float(&r, atome_rng_below(&r, 256));
        if (check_i8(w, c)) return 1;
        if (check_i8_row(w, c, &r)) return 1;
    }
    for (int n = 0; n < 6000; n++)
        if (check_quant8(&r)) return 1;
    /* (float)i: every |i| < 2^17, the ends of the exact range, random ints of every size */
    static volatile int32_t vi;
    for (int32_t n = -(1 << 17); n < (1 << 17) + 400000; n++) {
        int32_t i = n < (1 << 17) ? n : (int32_t)(softf_rnd32(&r) >> atome_rng_below(&r, 32)) * (n & 1 ? -1 : 1);
        if (n == (1 << 17)) i = (1 << 24) - 1;
        if (n == (1 << 17) + 1) i = -(1 << 24);
        vi = i;
        uint32_t want = atome_sf_bits((float)vi), got = atome_sf_bits(atome_sf_i2f(i));
        if (got != want) return fail("i2f", (uint32_t)i, 0, got, want);
        checks++;
    }
    char line[40], *p = fw_put_str(line, "softf-m0 ok ");
    p = fw_put_uint(p, checks);
    fw_put_str(p, "\n");
    fw_write(line);
    return 0;
}

/* atome_softf.h — the speed build's single-precision ×, +, − and int conversions in integer code,
 * for the cores without an FPU (ATOME_SOFT_FLOAT and ATOME_FAST: atome_math.h's ATOME_MUL & co.).
 *
 * Shapes: scalars. Each function returns the bits of the C operation it stands for. IEEE 754
 * defines one result for each binary32 operation and input in round-to-nearest-even (the mode of
 * libgcc's soft float and of every FPU the project builds for), so an integer computation of that
 * result is the same bits by definition. The integer paths take the common case only: normal
 * operands and a normal result (and, for +, a nonzero one). Everything else — zeros, subnormals,
 * infinities, NaNs, overflow, underflow — is left to the C operation itself, so the rare cases are
 * the compiler's by construction. tests/test_kernels.c compares each with the operation over
 * random and edge-case inputs (ties, carries, cancellation, range limits).
 *
 * Why: libgcc's generic routines cost a Cortex-M0 113 instructions a multiply and 57 an add, and
 * rv32imac 104 and 62 (make mcu-profile); soft float was about 3/4 of one step on both. On the M0
 * the C below still cost ~70 and ~55; there +, -, ×, a·b + c and w·v + c are Thumb-1 assembly
 * (atome_softf_m0.h: ~41, ~30), / an exact long division, (float)i a table (ATOME_SF_M0 below).
 *
 * Layout of a mantissa: the 24 bits with the leading 1 at bit 30 (+) or 31 (×), the bits below
 * the last kept one are the rounding bits, and a "sticky" 1 is or-ed into bit 0 when anything
 * nonzero was shifted out below them. Rounding to nearest even then only asks whether the rounding
 * bits are above, at or below half, which the sticky bit answers as the lost bits would: it sits
 * at least two places below the half bit (a 0 there keeps an exact tie a tie; a 1 there makes
 * "half" into "above half", and "below half" stays below). */
#ifndef ATOME_SOFTF_H
#define ATOME_SOFTF_H
#include <stdint.h>
#include <string.h>

static inline uint32_t atome_sf_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static inline float atome_sf_float(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* floor(Ma·Mb / 2^16) of the 24-bit mantissas of ua and ub (implicit 1 included): a value in
 * [2^30, 2^32). *sticky is nonzero when the 16 bits below it are. Two forms, the same value
 * (tests/test_softf.c compares them): ARMv6-M multiplies 32 × 32 -> 32 only, so it takes Ma in
 * 16-bit halves (the high one 8 bits) and three products, floor(p / 2^16) = ah·Mb + al·bh +
 * floor(al·bl / 2^16), below 2^32; the other cores take the 64-bit product. */
static inline uint32_t atome_sf_mul24_halves(uint32_t ua, uint32_t ub, uint32_t *sticky) {
    uint32_t mb = (ub & 0x7fffffu) | 0x800000u, al = ua & 0xffffu, ah = (ua >> 16 & 0x7fu) | 0x80u;
    uint32_t lo = al * (mb & 0xffffu);
    *sticky = lo & 0xffffu;
    return ah * mb + al * (mb >> 16) + (lo >> 16);
}

static inline uint32_t atome_sf_mul24_wide(uint32_t ua, uint32_t ub, uint32_t *sticky) {
    /* (Ma·2^8)·(Mb·2^8) = Ma·Mb·2^16: its high word is the value, its low word the bits below */
    uint64_t p = (uint64_t)(ua << 8 | 0x80000000u) * (ub << 8 | 0x80000000u);
    *sticky = (uint32_t)p;
    return (uint32_t)(p >> 32);
}

static inline uint32_t atome_sf_mul24(uint32_t ua, uint32_t ub, uint32_t *sticky) {
#if defined(__ARM_ARCH_6M__) && __ARM_ARCH_6M__
    return atome_sf_mul24_halves(ua, ub, sticky);
#else
    return atome_sf_mul24_wide(ua, ub, sticky);
#endif
}

/* The rounded product of two normal floats' bits ua, ub as its 24-bit mantissa (bit 23 set, or
 * 2^24 after a carry) and biased exponent e, which is normal — or 0 where it might not be (then
 * the caller takes the C operation). */
static inline uint32_t atome_sf_mul_m(uint32_t ua, uint32_t ub, uint32_t *m) {
    uint32_t ea = ua << 1 >> 24, eb = ub << 1 >> 24;
    /* the product's biased exponent if Ma·Mb/2^46 is in [1, 2); one more if it is in [2, 4) */
    int32_t e = (int32_t)(ea + eb) - 127;
    /* both normal, and e in [1, 252]: the result is normal even after normalising (+1) and a
     * rounding carry (+1), so never an infinity or a subnormal */
    if (ea - 1u < 254u && eb - 1u < 254u && (uint32_t)(e - 1) < 252u) {
        uint32_t sticky, t = atome_sf_mul24(ua, ub, &sticky);
        if (t >> 31) e++;
        else t <<= 1; /* now the mantissa is t's bits 31..8 and the rounding bits t's 7..0 */
        uint32_t r = (t & 0xffu) | (sticky != 0);
        *m = t >> 8;
        *m += (r + (*m & 1u) + 0x7fu) >> 8; /* nearest, ties to even: +1 iff r > 0x80, or r = 0x80 and m odd */
        return (uint32_t)e;
    }
    return 0;
}

/* The Cortex-M0 (ARMv6-M) takes +, -, × and a·b + c from atome_softf_m0.h's Thumb-1 code (one
 * copy, in atome_math.c: the same bits, about half the instructions of gcc's for the C below);
 * ATOME_SF_M0 says so; and the loops of the value rows and quant8_forward (atome_softf_m0_loops.h:
 * a call a row, not an element). The C stays every other core's (and the host test's reference). */
#if defined(__ARM_ARCH_6M__) && __ARM_ARCH_6M__ && defined(ATOME_FAST)
#define ATOME_SF_M0 1
float atome_sf_add_m0(float a, float b);
float atome_sf_sub_m0(float a, float b);
float atome_sf_mul_m0(float a, float b);
float atome_sf_madd_m0(float a, float b, float c);
float atome_sf_madd_i8_m0(float w, int32_t v, float c);
void atome_sf_axpy_i8_m0(float *y, const int8_t *v, float w, int n);  /* y[i] = w·(float)v[i] + y[i] */
void atome_sf_scale_i8_m0(float *y, const int8_t *v, float w, int n); /* y[i] = w·(float)v[i] + 0.0f */
/* q[i] = t / 2 rounded half away from zero, t = (int)(x[i]·inv2), i < n: quant8_forward's loop, for
 * n >= 1, a normal inv2 > 0 and finite x[i] with |x[i]·inv2| < 255 */
void atome_sf_quant8_m0(int8_t *q, const float *x, float inv2, int n);
extern const uint8_t atome_sf_log2_m0[256]; /* floor(log2 k), k >= 1 */
#endif

/* a · b. */
static inline float atome_sf_mul(float a, float b) {
#ifdef ATOME_SF_M0
    return atome_sf_mul_m0(a, b);
#endif
    uint32_t ua = atome_sf_bits(a), ub = atome_sf_bits(b), m, e = atome_sf_mul_m(ua, ub, &m);
    /* m's implicit bit (or its carry to 2^24 when all ones round up) adds into the exponent */
    if (e) return atome_sf_float(((ua ^ ub) & 0x80000000u) | (((e - 1u) << 23) + m));
    /* a zero times a finite: a zero of the product's sign */
    if (((ua << 1) == 0u && (ub << 1) < 0xff000000u) || ((ub << 1) == 0u && (ua << 1) < 0xff000000u))
        return atome_sf_float((ua ^ ub) & 0x80000000u);
    return a * b;
}

static inline int32_t atome_sf_f2i(float x);

/* (int)(a · b), truncating, for |a · b| < 2^31: the rounded product's mantissa shifted down to the
 * integer (its value is m·2^(e-150)), without packing the float; on the M0 the product's bits by
 * its multiply, then the conversion. */
static inline int32_t atome_sf_mul_f2i(float a, float b) {
#ifdef ATOME_SF_M0
    return atome_sf_f2i(atome_sf_mul_m0(a, b));
#endif
    uint32_t ua = atome_sf_bits(a), ub = atome_sf_bits(b), m, e = atome_sf_mul_m(ua, ub, &m);
    if (e && e <= 150u) {
        int32_t v = 150u - e < 32u ? (int32_t)(m >> (150u - e)) : 0;
        return (int32_t)(ua ^ ub) < 0 ? -v : v;
    }
    return (int32_t)(a * b);
}

/* z · p for a power of two p (its mantissa bits 0, ep its biased exponent, 1..254): exact, an
 * exponent add, where z is normal and so is the result; else the C operation. */
static inline float atome_sf_mul_pow2(float z, float p) {
    uint32_t uz = atome_sf_bits(z), up = atome_sf_bits(p), ez = uz << 1 >> 24;
    uint32_t e = ez + (up << 1 >> 24) - 127u;
    if (ez - 1u < 254u && e - 1u < 254u) return atome_sf_float((uz ^ (up & 0x80000000u)) + ((e - ez) << 23));
    return z * p;
}

/* w · (float)v for |v| <= 128 (an int8 value): w's mantissa times |v| is exact in 32 bits, so one
 * multiply, a normalising shift and one rounding; (float)v itself is exact. */
static inline float atome_sf_mul_i8(float w, int32_t v) {
    uint32_t uw = atome_sf_bits(w), ew = uw << 1 >> 24, a = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
    uint32_t sign = (uw ^ (v < 0 ? 0x80000000u : 0u)) & 0x80000000u;
    /* w normal with ew <= 246: the result's exponent, ew + 0..7, is normal even after a carry */
    if (ew - 1u < 246u && a - 1u < 128u) {
        uint32_t p = ((uw & 0x7fffffu) | 0x800000u) * a, e = ew + 7; /* p in [2^23, 2^31) */
        if (p < 1u << 27) p <<= 4, e -= 4;
        if (p < 1u << 29) p <<= 2, e -= 2;
        if (p < 1u << 30) p <<= 1, e -= 1; /* now the leading 1 is at bit 30: e is the exponent */
        uint32_t r = p & 0x7fu, m = p >> 7;
        m += (r + (m & 1u) + 0x3fu) >> 7; /* nearest, ties to even (p is exact: no sticky bit) */
        return atome_sf_float(sign | (((e - 1u) << 23) + m));
    }
    if (!a && ew < 255u) return atome_sf_float(sign); /* a finite w times +0 */
    return w * (float)v;
}

/* ua + ub (as bits; flip ub's sign for a subtraction) on the integer path, or 0 with *ok = 0 where
 * the caller must take the C operation. */
static inline uint32_t atome_sf_add_bits(uint32_t ua, uint32_t ub, int *ok) {
    if ((ua & 0x7fffffffu) < (ub & 0x7fffffffu)) { /* |a| >= |b| from here; the sum has a's sign (or is +0) */
        uint32_t t = ua;
        ua = ub, ub = t;
    }
    uint32_t xa = ua & 0x7fffffffu, xb = ub & 0x7fffffffu;
    uint32_t ea = xa >> 23, eb = xb >> 23;
    /* a normal with ea <= 253 (a carry and a rounding carry reach at most 255, the exact overflow
     * to infinity); b nonzero exponent, so normal too (eb <= ea) */
    if (ea - 1u >= 253u || eb == 0u) {
        /* b a zero: a + ±0 is a for any finite nonzero a; two zeros give -0 only if both are -0 */
        if (xb == 0u && ea < 255u) return *ok = 1, xa ? ua : (ua & ub);
        return *ok = 0, 0u;
    }
    uint32_t d = ea - eb, e = ea;
    uint32_t ma = (xa << 8 | 0x80000000u) >> 1, mb = (xb << 8 | 0x80000000u) >> 1; /* leading 1 at bit 30 */
    if (d <= 7) mb >>= d; /* mb's 7 low bits are 0: nothing is shifted out */
    else if (d > 30) mb = 1; /* shifted out entirely: only the sticky bit is left (b is not 0) */
    else mb = mb >> d | (mb << (32 - d) != 0);
    uint32_t m;
    if ((int32_t)(ua ^ ub) >= 0) { /* same signs: a sum below 2^32 */
        m = ma + mb;
        if (m >> 31) m = m >> 1 | (m & 1u), e++;
    } else {
        m = ma - mb; /* >= 0: |a| >= |b|, and for d >= 1 mb < 2^30 <= ma */
        if (!m) return *ok = 1, 0u; /* x - x is +0 when rounding to nearest */
        /* at most one step unless d <= 1, when nothing was shifted out and the difference is exact */
        while (!(m >> 30)) m <<= 1, e--;
        if ((int32_t)e < 1) return *ok = 0, 0u; /* a subnormal result */
    }
    uint32_t r = m & 0x7fu;
    m >>= 7;
    m += (r + (m & 1u) + 0x3fu) >> 7; /* nearest, ties to even: +1 iff r > 0x40, or r = 0x40 and m odd */
    return *ok = 1, (ua & 0x80000000u) | (((e - 1u) << 23) + m);
}

/* y[i] = ATOME_MADD_I8(w, v[i], first ? 0.0f : y[i]) for i < n on the M0, as one Thumb-1 loop
 * (atome_softf_m0_loops.h) where w is normal with ew <= 246 (its product with any int8 is then
 * normal), checked once for the row; 0 else, and the caller loops over ATOME_MADD_I8. */
#ifdef ATOME_SF_M0
static inline int atome_sf_madd_i8_row_m0(float *y, const int8_t *v, float w, int n, int first) {
    if ((atome_sf_bits(w) << 1 >> 24) - 1u >= 246u || n < 1) return 0;
    if (first) atome_sf_scale_i8_m0(y, v, w, n);
    else atome_sf_axpy_i8_m0(y, v, w, n);
    return 1;
}
#endif

/* a + b. */
static inline float atome_sf_add(float a, float b) {
#ifdef ATOME_SF_M0
    return atome_sf_add_m0(a, b);
#endif
    int ok;
    uint32_t u = atome_sf_add_bits(atome_sf_bits(a), atome_sf_bits(b), &ok);
    return ok ? atome_sf_float(u) : a + b;
}

/* a - b: a + (-b), which IEEE defines it to be (the sign flip is exact). */
static inline float atome_sf_sub(float a, float b) {
#ifdef ATOME_SF_M0
    return atome_sf_sub_m0(a, b);
#endif
    int ok;
    uint32_t u = atome_sf_add_bits(atome_sf_bits(a), atome_sf_bits(b) ^ 0x80000000u, &ok);
    return ok ? atome_sf_float(u) : a - b;
}

/* (float)i: exact for |i| < 2^24 (the leading 1 shifted to bit 23 by halving steps); larger, the C
 * conversion (which rounds). */
static inline float atome_sf_i2f(int32_t i) {
    uint32_t s = i < 0 ? 0x80000000u : 0u, m = i < 0 ? 0u - (uint32_t)i : (uint32_t)i, e = 150;
    if (!m) return 0.0f;
    if (m >> 24) return (float)i;
#ifdef ATOME_SF_M0
    /* the M0: the leading 1's place from a table of the top nonzero byte's (no CLZ; the halving
     * steps below cost it ~30 instructions, their constants built anew at each) */
    uint32_t l = m >> 16 ? 16u + atome_sf_log2_m0[m >> 16] : m >> 8 ? 8u + atome_sf_log2_m0[m >> 8] : atome_sf_log2_m0[m];
    return atome_sf_float(s | (((126u + l) << 23) + (m << (23u - l))));
#endif
    if (m < 1u << 8) m <<= 16, e -= 16;
    if (m < 1u << 16) m <<= 8, e -= 8;
    if (m < 1u << 20) m <<= 4, e -= 4;
    if (m < 1u << 22) m <<= 2, e -= 2;
    if (m < 1u << 23) m <<= 1, e -= 1;
    return atome_sf_float(s | (((e - 1u) << 23) + m));
}

/* (int)x, truncating, for |x| < 2^31 (the C conversion is undefined beyond; a NaN or an infinity
 * goes to it too). */
static inline int32_t atome_sf_f2i(float x) {
    uint32_t u = atome_sf_bits(x), e = u << 1 >> 24;
    if (e < 127u) return 0; /* |x| < 1 (zeros and subnormals included) */
    if (e > 157u) return (int32_t)x;
    uint32_t m = (u << 8 | 0x80000000u) >> (158u - e); /* the 24-bit mantissa at bit 31, scaled to 2^(e-127) */
    return (int32_t)u < 0 ? -(int32_t)m : (int32_t)m;
}

/* x / (float)n. For n = 2^k below 2^24 the quotient x·2^-k is exact when x and it are normal: an
 * exponent subtract; else the C division. */
static inline float atome_sf_div_int(float x, int32_t n) {
    if (n > 0 && n < 1 << 24 && !(n & (n - 1))) {
        uint32_t ux = atome_sf_bits(x), ex = ux << 1 >> 24, k = (atome_sf_bits(atome_sf_i2f(n)) >> 23) - 127u;
        if (ex - 1u < 254u && ex - k - 1u < 254u) return atome_sf_float(ux - (k << 23));
    }
    return x / (float)n;
}

/* a / b on the M0, where libgcc's division costs ~375 instructions: normal a, b and a normal
 * quotient (biased exponent E in [1, 254]; a rounding carry to 255 is the infinity IEEE asks for),
 * by restoring division, one quotient bit a step: 24 bits and the round bit, the remainder as the
 * sticky bit (exact: the quotient's bits are those of the long division); else the C division.
 * Unrolled (the speed build's flash for ~170 instructions fewer a division). */
#ifdef ATOME_SF_M0
static inline float atome_sf_div(float a, float b) {
    uint32_t ua = atome_sf_bits(a), ub = atome_sf_bits(b), ea = ua << 1 >> 24, eb = ub << 1 >> 24;
    uint32_t ma = (ua & 0x7fffffu) | 0x800000u, mb = (ub & 0x7fffffu) | 0x800000u;
    int32_t e = (int32_t)ea - (int32_t)eb + 127;
    if (ma < mb) ma <<= 1, e--; /* ma / mb in [1, 2) */
    if (ea - 1u < 254u && eb - 1u < 254u && (uint32_t)(e - 1) < 254u) {
        uint32_t q = 0, r = ma;
#pragma GCC unroll 25
        for (int i = 0; i < 25; i++) {
            q <<= 1;
            if (r >= mb) r -= mb, q |= 1u;
            r <<= 1;
        }
        uint32_t m = q >> 1; /* 24 bits, bit 23 set; q's bit 0 the round bit */
        m += q & (r != 0 || (m & 1u)); /* nearest, ties (remainder 0) to even */
        return atome_sf_float(((ua ^ ub) & 0x80000000u) | ((((uint32_t)e - 1u) << 23) + m));
    }
    return a / b;
}
#endif

#endif

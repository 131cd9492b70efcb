/* float_bits.h — a float's IEEE binary32 bits and back, for the tests that compare results as bits
 * (tests/test_softf.c, tests/test_kernels.c, and tests/tools/fw_softf_m0.c on the chip). memcpy,
 * not a union or a cast: defined behaviour in C99, and one load or move once compiled. */
#ifndef FLOAT_BITS_H
#define FLOAT_BITS_H
#include <stdint.h>
#include <string.h>

static inline uint32_t bits_of(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static inline float float_of(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}
#endif

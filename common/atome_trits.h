/* atome_trits.h — base-3 packing of ternary weights, 5 trits per byte.
 *
 * A ternary matrix [R, C] is stored row by row; a row takes RB = ceil(C/5) bytes.
 * Inside a row the layout is planar: element c lives in byte (c mod RB) as digit
 * (c div RB). The matmul then walks five contiguous planes of RB bytes, each against
 * a contiguous slice of the input, which a compiler vectorises on the host.
 *
 * A byte holds n = sum_p (t_p + 1)·3^(4-p), t_p in {-1, 0, 1}, stored as
 * ceil(n·256/243): digit p is then ((uint8)(byte·3^p) · 3) >> 8, two multiplies and
 * a shift, no table and no division (the layout of ggml's TQ1_0).
 */
#ifndef ATOME_TRITS_H
#define ATOME_TRITS_H
#include <stdint.h>

#define ATOME_ROW_BYTES(cols) (((cols) + 4) / 5)

/* The digit of a packed byte that the multiplier m3p = 3^p selects, as -1, 0 or +1. Loops over
 * the digits keep m3p and multiply it by 3 (as a uint8_t) for the next one: no table. */
static inline int atome_trit_m(uint8_t byte, uint8_t m3p) { return (((uint8_t)(byte * m3p) * 3) >> 8) - 1; }

/* Digit p (0..4) of a packed byte, as -1, 0 or +1. */
static inline int atome_trit(uint8_t byte, int p) {
    static const uint8_t pow3[5] = {1, 3, 9, 27, 81};
    return atome_trit_m(byte, pow3[p]);
}

/* Packs five trits (each -1, 0, +1) into one byte. */
uint8_t atome_pack5(const int8_t t[5]);
/* Packs a row of n trits into ATOME_ROW_BYTES(n) bytes (missing digits are 0). */
void atome_pack_row(uint8_t *dst, const int8_t *t, int n);
/* Unpacks a row of n trits. */
void atome_unpack_row(int8_t *dst, const uint8_t *src, int n);

#endif

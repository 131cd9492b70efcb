/* atome_trits.c — packing and unpacking of 5-trit bytes. Shapes: n trits, RB = ceil(n/5). */
#include "atome_trits.h"

uint8_t atome_pack5(const int8_t t[5]) {
    unsigned n = 0;
    for (int p = 0; p < 5; p++) n = n * 3 + (unsigned)(t[p] + 1);
    return (uint8_t)((n * 256 + 242) / 243);
}

void atome_pack_row(uint8_t *dst, const int8_t *t, int n) {
    int rb = ATOME_ROW_BYTES(n);
    for (int j = 0; j < rb; j++) {
        int8_t five[5];
        for (int p = 0; p < 5; p++) {
            int c = p * rb + j;
            five[p] = c < n ? t[c] : 0;
        }
        dst[j] = atome_pack5(five);
    }
}

void atome_unpack_row(int8_t *dst, const uint8_t *src, int n) {
    int rb = ATOME_ROW_BYTES(n);
    for (int c = 0; c < n; c++) dst[c] = (int8_t)atome_trit(src[c % rb], c / rb);
}

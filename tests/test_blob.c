/* test_blob.c — the loader against every truncation, every flipped header byte, payload damage
 * (hostile values under a valid CRC: test_hostile.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_blob.h"
#include "util.h"

static const atome_config nano = {ATOME_VOCAB, 16, 2, 4, 64, 0, 0, 0, 0};

START_TEST(fresh_blob_opens) {
    size_t len;
    uint8_t *blob = make_blob(&nano, 1, &len);
    atome_weights w;
    ck_assert_int_eq(atome_blob_open(blob, len, &w), ATOME_OK);
    ck_assert_int_eq(w.cfg.d_model, 16);
    ck_assert_int_eq(w.cfg.n_layers, 2);
    ck_assert_ptr_eq(w.emb.scale, (const float *)(const void *)(blob + ATOME_HEADER_BYTES));
    /* every float array is 4-byte aligned inside the blob */
    ck_assert_int_eq(((const uint8_t *)w.layer[1].ssm_g - blob) % 4, 0);
    ck_assert_int_eq(((const uint8_t *)w.unemb.scale - blob) % 4, 0);
    free(blob);
}
END_TEST

START_TEST(every_truncation_is_truncated) {
    size_t len;
    uint8_t *blob = make_blob(&nano, 2, &len);
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exactly n bytes, so ASan sees any read past them */
        memcpy(copy, blob, n);
        atome_weights w;
        ck_assert_msg(atome_blob_open(copy, n, &w) == ATOME_ERR_TRUNCATED, "length %zu", n);
        free(copy);
    }
    free(blob);
}
END_TEST

/* The error a flip of header byte i (xor 0xff) must give. */
static int expected_for_header_byte(int i) {
    if (i < 4) return ATOME_ERR_MAGIC;
    if (i < 8) return ATOME_ERR_VERSION;
    if (i == 24) return ATOME_ERR_CRC; /* window 64 ^ 0xff = 191 is a valid window: the CRC catches it */
    if (i < 52) return ATOME_ERR_DIMS;     /* dims, conv_k, top_k, packing, flags, payload length, classes */
    if (i < 60) return ATOME_ERR_RESERVED; /* a language model's; checked before the CRC: a header's own fault */
    return ATOME_ERR_CRC;                  /* the CRC itself */
}

START_TEST(every_flipped_header_byte_is_named) {
    size_t len;
    uint8_t *blob = make_blob(&nano, 3, &len);
    for (int i = 0; i < ATOME_HEADER_BYTES; i++) {
        blob[i] ^= 0xff;
        atome_weights w;
        int err = atome_blob_open(blob, len, &w);
        ck_assert_msg(err == expected_for_header_byte(i), "byte %d: got %d (%s)", i, err, atome_strerror(err));
        blob[i] ^= 0xff;
        for (int bit = 0; bit < 8; bit++) { /* single bits: never accepted */
            blob[i] ^= (uint8_t)(1u << bit);
            ck_assert_msg(atome_blob_open(blob, len, &w) != ATOME_OK, "byte %d bit %d", i, bit);
            blob[i] ^= (uint8_t)(1u << bit);
        }
    }
    free(blob);
}
END_TEST

START_TEST(every_flipped_payload_byte_fails_crc) {
    size_t len;
    uint8_t *blob = make_blob(&nano, 4, &len);
    for (size_t i = ATOME_HEADER_BYTES; i < len; i++) {
        blob[i] ^= 0x10;
        atome_weights w;
        ck_assert_msg(atome_blob_open(blob, len, &w) == ATOME_ERR_CRC, "byte %zu", i);
        blob[i] ^= 0x10;
    }
    free(blob);
}
END_TEST

START_TEST(trailing_and_misaligned) {
    size_t len;
    uint8_t *blob = make_blob(&nano, 5, &len);
    uint8_t *longer = aligned_alloc(4, len + 4);
    memcpy(longer, blob, len);
    longer[len] = 0;
    atome_weights w;
    ck_assert_int_eq(atome_blob_open(longer, len + 1, &w), ATOME_ERR_TRAILING);
    memmove(longer + 1, blob, len);
    ck_assert_int_eq(atome_blob_open(longer + 1, len, &w), ATOME_ERR_ALIGN);
    free(longer);
    free(blob);
}
END_TEST

START_TEST(sizes_of_presets) {
    /* default preset within atome-lm's base-3 size; parameter formula at the documented points */
    atome_config c;
    ck_assert_int_eq(atome_preset("default", &c), 0);
    ck_assert_int_eq(atome_param_count(&c), 60800);
    ck_assert_uint_le(ATOME_HEADER_BYTES + atome_blob_bind(&c, 0, 0), 17600);
    ck_assert_int_eq(atome_preset("prod", &c), 0);
    ck_assert_int_eq(atome_param_count(&c), 944640);
    ck_assert_int_eq(atome_preset("huge", &c), -1);
}
END_TEST

Suite *blob_suite(void) {
    Suite *s = suite_create("blob");
    TCase *t = tcase_create("loader");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, fresh_blob_opens);
    tcase_add_test(t, every_truncation_is_truncated);
    tcase_add_test(t, every_flipped_header_byte_is_named);
    tcase_add_test(t, every_flipped_payload_byte_fails_crc);
    tcase_add_test(t, trailing_and_misaligned);
    tcase_add_test(t, sizes_of_presets);
    suite_add_tcase(s, t);
    return s;
}

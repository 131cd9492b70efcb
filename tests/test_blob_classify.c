/* test_blob_classify.c — a classifier blob through the loader and the engine's classify entry
 * points: what it binds, each malformed class field and its error, and class logits that are
 * the head's at the last byte (the same head_forward as a language model's). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_ops.h"
#include "../infer/atome.h"
#include "util.h"

/* Three classes, two sensor features: names "a", "bb", "ccc" (9 bytes, then 3 of padding). */
static const char names[] = "a\0bb\0ccc";
static const float feat_min[2] = {-1.5f, 20.0f}, feat_scale[2] = {12.75f, 0.0f};
static const atome_config cls = {ATOME_VOCAB, 16, 2, 4, 16, 0, 3, 2, 9};

static uint8_t *classifier(size_t *len) { return make_classifier_blob(&cls, 7, feat_min, feat_scale, names, len); }

/* A valid CRC for whatever the blob now holds, as an attacker would write it, then the loader's verdict. */
static int reseal_open(uint8_t *blob, size_t len) {
    blob_reseal(blob, len);
    atome_weights w;
    return atome_blob_open(blob, len, &w);
}

START_TEST(classifier_binds_head_features_and_labels) {
    size_t len;
    uint8_t *blob = classifier(&len);
    static atome_model m;
    ck_assert_int_eq(atome_load(&m, blob, len), ATOME_OK);
    ck_assert_int_eq(m.w.unemb.rows, 3); /* the class head, where the unembedding is */
    ck_assert_int_eq(m.w.cfg.n_features, 2);
    ck_assert_mem_eq(m.w.feature_min, feat_min, sizeof feat_min);
    ck_assert_mem_eq(m.w.feature_scale, feat_scale, sizeof feat_scale);
    ck_assert_str_eq(atome_label(&m, 0), "a");
    ck_assert_str_eq(atome_label(&m, 1), "bb");
    ck_assert_str_eq(atome_label(&m, 2), "ccc");
    ck_assert_ptr_null(atome_label(&m, 3));
    ck_assert_ptr_null(atome_label(&m, -1));
    ck_assert_uint_eq(len, ATOME_HEADER_BYTES + atome_blob_bind(&cls, 0, 0));
    free(blob);
}
END_TEST

START_TEST(classify_is_the_head_at_the_last_byte) {
    size_t len;
    uint8_t *blob = classifier(&len);
    static atome_model m;
    static atome_state st, ref;
    ck_assert_int_eq(atome_load(&m, blob, len), ATOME_OK);
    const float raw[2] = {0.25f, 1e9f};
    uint8_t bytes[2];
    atome_features(&m, raw, bytes);
    ck_assert_uint_eq(bytes[0], feature_quantise(0.25f, feat_min[0], feat_scale[0]));
    ck_assert_uint_eq(bytes[0], 22); /* (0.25 + 1.5) · 12.75 = 22.3125 */
    ck_assert_uint_eq(bytes[1], 0);  /* scale 0: a feature constant on the training rows */
    const uint8_t text[] = "turn the lights on";
    int k = atome_classify(&m, &st, text, sizeof text - 1);
    /* the same bytes stepped one by one: the logits after the last step are the class logits */
    atome_reset(&ref);
    const float *l = 0;
    for (size_t i = 0; i < sizeof text - 1; i++) l = atome_step(&m, &ref, text[i]);
    ck_assert_mem_eq(st.logits, l, 3 * sizeof(float));
    ck_assert_int_eq(k, atome_argmax(l, 3));
    ck_assert_int_eq(atome_classify(&m, &st, text, 0), -1); /* no byte: no answer */
    /* atome_logits before any byte */
    atome_reset(&ref);
    ck_assert_ptr_null(atome_logits(&m, &ref));
    free(blob);
}
END_TEST

START_TEST(language_model_is_not_a_classifier) {
    const atome_config lm = {ATOME_VOCAB, 16, 2, 4, 16, 0, 0, 0, 0};
    size_t len;
    uint8_t *blob = make_blob(&lm, 3, &len);
    static atome_model m;
    static atome_state st;
    ck_assert_int_eq(atome_load(&m, blob, len), ATOME_OK);
    ck_assert_int_eq(atome_classify(&m, &st, (const uint8_t *)"x", 1), -1);
    ck_assert_ptr_null(atome_label(&m, 0));
    free(blob);
}
END_TEST

START_TEST(malformed_label_names_are_refused) {
    size_t len;
    uint8_t *blob = classifier(&len);
    uint8_t *at = blob + len - 12; /* the 9 name bytes, then 3 of padding */
    ck_assert_mem_eq(at, names, 9);
    const struct {
        int i;
        uint8_t v;
    } cases[] = {
        {0, 0},     /* an empty first name (then four names in all) */
        {2, 0x1f},  /* a control byte */
        {3, 0x7f},  /* DEL */
        {8, 'd'},   /* the last name without its NUL */
        {6, 0},     /* "ccc" cut in two: four names */
        {9, 1},     /* padding not zero */
        {11, 0x80}, /* padding not zero */
    };
    for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint8_t keep = at[cases[c].i];
        at[cases[c].i] = cases[c].v;
        ck_assert_msg(reseal_open(blob, len) == ATOME_ERR_LABELS, "case %u", c);
        at[cases[c].i] = keep;
    }
    ck_assert_int_eq(reseal_open(blob, len), ATOME_OK);
    ck_assert_str_eq(atome_strerror(ATOME_ERR_LABELS), "classifier blob has malformed label names");
    free(blob);
}
END_TEST

/* A name of 63 bytes is admitted, one of 64 refused (ATOME_MAX_LABEL), and UTF-8 bytes pass. */
START_TEST(label_length_limit) {
    char long_names[64 + 1 + 3] = {0};
    memset(long_names, 'x', 63);
    memcpy(long_names + 64, "\xc3\xa9", 2); /* "é" */
    atome_config c = cls;
    c.n_features = 0, c.n_classes = 2, c.label_bytes = 67;
    size_t len;
    uint8_t *blob = make_classifier_blob(&c, 1, 0, 0, long_names, &len);
    atome_weights w;
    ck_assert_int_eq(atome_blob_open(blob, len, &w), ATOME_OK);
    ck_assert_ptr_null(w.feature_min); /* a text classifier has no feature constants */
    free(blob);
    memset(long_names, 'x', 64);
    long_names[64] = 0, long_names[65] = 'y', long_names[66] = 0;
    c.label_bytes = 67;
    blob = make_classifier_blob(&c, 1, 0, 0, long_names, &len);
    ck_assert_int_eq(atome_blob_open(blob, len, &w), ATOME_ERR_LABELS);
    free(blob);
}
END_TEST

START_TEST(bad_feature_constants_are_refused) {
    size_t len;
    uint8_t *blob = classifier(&len);
    atome_weights w;
    ck_assert_int_eq(atome_blob_open(blob, len, &w), ATOME_OK);
    float *mn = (float *)(void *)w.feature_min, *sc = (float *)(void *)w.feature_scale;
    const struct {
        float *at, v;
        int err;
    } cases[] = {
        {mn, 3e38f, ATOME_OK},      /* any finite minimum (a pressure in Pa is above 2^16) */
        {mn, -3e38f, ATOME_OK},
        {mn, 1.0f / 0.0f, ATOME_ERR_FLOAT},
        {mn + 1, 0.0f / 0.0f, ATOME_ERR_FLOAT},
        {sc, 0.0f, ATOME_OK},
        {sc, 3e38f, ATOME_OK},
        {sc, -0.0f, ATOME_ERR_RANGE},
        {sc + 1, -1.0f, ATOME_ERR_RANGE},
        {sc, 1.0f / 0.0f, ATOME_ERR_FLOAT},
        {sc, -(0.0f / 0.0f), ATOME_ERR_FLOAT},
    };
    for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        float keep = *cases[c].at;
        memcpy(cases[c].at, &cases[c].v, 4);
        int err = reseal_open(blob, len);
        ck_assert_msg(err == cases[c].err, "case %u: got %d (%s)", c, err, atome_strerror(err));
        memcpy(cases[c].at, &keep, 4);
    }
    free(blob);
}
END_TEST

/* Header fields 48..59 of a classifier: each out of its range is DIMS. */
START_TEST(bad_class_fields_are_dims) {
    size_t len;
    uint8_t *blob = classifier(&len);
    const struct {
        int field;
        uint32_t v;
    } cases[] = {
        {12, 1},    /* one class */
        {12, 257},  /* more than 256 */
        {12, 5},    /* 5 classes, 3 names: the payload length disagrees too */
        {13, 4097}, /* features past ATOME_MAX_FEATURES */
        {14, 5},    /* fewer name bytes than 2 per class */
        {14, 3 * 64 + 1},
        {14, 0x80000000u},
    };
    for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint8_t keep[4];
        memcpy(keep, blob + 4 * cases[c].field, 4);
        for (int i = 0; i < 4; i++) blob[4 * cases[c].field + i] = (uint8_t)(cases[c].v >> 8 * i);
        int err = reseal_open(blob, len);
        ck_assert_msg(err == ATOME_ERR_DIMS, "case %u: got %d (%s)", c, err, atome_strerror(err));
        memcpy(blob + 4 * cases[c].field, keep, 4);
    }
    /* and cut anywhere, it is truncated */
    for (size_t n = 64; n < len; n += 7) {
        atome_weights w;
        ck_assert_int_eq(atome_blob_open(blob, n, &w), ATOME_ERR_TRUNCATED);
    }
    free(blob);
}
END_TEST

Suite *blob_classify_suite(void) {
    Suite *s = suite_create("blob_classify");
    TCase *t = tcase_create("classifier");
    tcase_add_test(t, classifier_binds_head_features_and_labels);
    tcase_add_test(t, classify_is_the_head_at_the_last_byte);
    tcase_add_test(t, language_model_is_not_a_classifier);
    tcase_add_test(t, malformed_label_names_are_refused);
    tcase_add_test(t, label_length_limit);
    tcase_add_test(t, bad_feature_constants_are_refused);
    tcase_add_test(t, bad_class_fields_are_dims);
    suite_add_tcase(s, t);
    return s;
}

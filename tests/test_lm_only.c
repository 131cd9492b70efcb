/* test_lm_only.c — a language model's firmware engine: the language-model-only engine without the
 * loader's value check (ATOME_CLASSIFIER 0, ATOME_CHECK_VALUES 0, common/atome_config.h), built into
 * build/tools/lm-only (tests/tools/lm_only.c, mk/tests.mk): a language model gives the very parity
 * text (the CRC-32 of the logits at every position) the full engine computes here, a classifier is
 * refused with ATOME_ERR_CLASSIFIER, which the full engine loads, the checks the two share still
 * refuse what they refused, and a blob whose floats only the value check refuses loads and runs.
 * The firmware of every language model is this build too (mk/mcu.mk): tests/test_mcu.c runs it on
 * the boards against the full engine here.
 */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../infer/atome.h"
#include "../infer/firmware/fw_digest.h"
#include "util.h"

#define LM_ONLY "build/tools/lm-only"

static atome_model model;
static atome_state state;

/* The full engine's parity text of the blob at path (an "error ..." line if it refuses it), and
 * its load status in *err; malloc'd. */
static char *full_digest(const char *path, int *err) {
    size_t len;
    char *blob = read_all(path, &len); /* malloc'd: aligned enough for a blob */
    text_buf t = {0};
    text_append("", &t);
    *err = fw_digest((const uint8_t *)blob, len, &model, &state, text_append, &t);
    free(blob);
    return t.p;
}

/* Runs lm-only on path; its stdout and stderr into out[CAP], its exit status returned. */
enum { CAP = 1 << 20 };
static int lm_only(const char *path, char *out) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, LM_ONLY " %s", path);
    return run_cmd(cmd, out, CAP);
}

static void expect_same(const char *path, int want_err) {
    int err;
    char *want = full_digest(path, &err), *out = malloc(CAP);
    ck_assert_int_eq(err, want_err);
    ck_assert_msg(lm_only(path, out) == want_err, "%s: %.200s", path, out);
    ck_assert_msg(strcmp(out, want) == 0, "%s: lm-only printed\n%.200s\nthe full engine\n%.200s", path, out, want);
    free(want), free(out);
}

static void setup(void) { ck_assert_int_eq(run_cmd("make -s " LM_ONLY, NULL, 0), 0); }

/* Every checkpoint, and blobs whose window (8) the key/value ring wraps many times, of two shapes. */
START_TEST(language_model_gives_the_same_logits) {
    glob_t g;
    ck_assert_msg(glob("checkpoints/*.bin", 0, NULL, &g) == 0, "no checkpoints/*.bin");
    for (size_t i = 0; i < g.gl_pathc; i++) expect_same(g.gl_pathv[i], ATOME_OK);
    globfree(&g);
    const atome_config shapes[2] = {{ATOME_VOCAB, 24, 2, 8, 8, 0, 0, 0, 0}, {ATOME_VOCAB, 16, 3, 4, 8, 2, 0, 0, 0}};
    for (int k = 0; k < 2; k++) {
        write_model("build/lm-only-w8.bin", &shapes[k], 5 + (uint64_t)k);
        expect_same("build/lm-only-w8.bin", ATOME_OK);
    }
}
END_TEST

/* A sensor classifier (3 classes, 2 features) and a text one (no features): the full engine loads
 * both, the language-model-only engine refuses both, with its own error. */
START_TEST(classifier_is_refused) {
    static const char names[] = "a\0bb\0ccc";
    static const float fmin[2] = {-1.5f, 20.0f}, fscale[2] = {12.75f, 0.0f};
    const atome_config sensor = {ATOME_VOCAB, 16, 2, 4, 16, 0, 3, 2, 9}, text = {ATOME_VOCAB, 16, 2, 4, 16, 0, 3, 0, 9};
    const atome_config *cls[2] = {&sensor, &text};
    char want[200], *out = malloc(CAP);
    snprintf(want, sizeof want, "error %s\n", atome_strerror(ATOME_ERR_CLASSIFIER));
    ck_assert_str_eq(atome_strerror(ATOME_ERR_CLASSIFIER),
                     "classifier blob, but this engine loads language models only (ATOME_CLASSIFIER 0)");
    for (int k = 0; k < 2; k++) {
        size_t len;
        uint8_t *blob = make_classifier_blob(cls[k], 7, cls[k]->n_features ? fmin : NULL,
                                             cls[k]->n_features ? fscale : NULL, names, &len);
        ck_assert_int_eq(atome_load(&model, blob, len), ATOME_OK);
        write_file("build/lm-only-cls.bin", blob, len);
        ck_assert_int_eq(lm_only("build/lm-only-cls.bin", out), ATOME_ERR_CLASSIFIER);
        ck_assert_str_eq(out, want);
        free(blob);
    }
    free(out);
}
END_TEST

/* What both engines check of a language model's header still fails the same way in this one: a
 * nonzero reserved byte (52..59), a damaged weight byte (the CRC). */
START_TEST(shared_checks_still_refuse) {
    size_t len;
    const atome_config c = {ATOME_VOCAB, 16, 2, 4, 16, 0, 0, 0, 0};
    uint8_t *blob = make_blob(&c, 9, &len);
    blob[56] = 1; /* label_bytes of a language model: reserved */
    blob_reseal(blob, len);
    write_file("build/lm-only-bad.bin", blob, len);
    expect_same("build/lm-only-bad.bin", ATOME_ERR_RESERVED);
    blob[56] = 0, blob[len - 1] ^= 1; /* now the CRC no longer matches */
    write_file("build/lm-only-bad.bin", blob, len);
    expect_same("build/lm-only-bad.bin", ATOME_ERR_CRC);
    free(blob);
}
END_TEST

/* A NaN weight and a gain of 10^6 under a valid CRC: the full engine refuses them by name, the
 * firmware's engine (no value check) loads them, and its kernels, defined for every value, give the
 * same parity text on a second run. The firmware's blobs are atome-header's, which refuses these
 * (tests/test_mcu.c's atome-header cases). */
START_TEST(values_are_not_checked) {
    const atome_config c = {ATOME_VOCAB, 16, 2, 4, 16, 0, 0, 0, 0};
    const float bad[2] = {0.0f / 0.0f, 1e6f};
    const int full_err[2] = {ATOME_ERR_FLOAT, ATOME_ERR_RANGE};
    char *out = malloc(CAP), *again = malloc(CAP);
    for (int k = 0; k < 2; k++) {
        size_t len;
        uint8_t *blob = make_blob(&c, 11, &len);
        atome_weights w;
        ck_assert_int_eq(atome_blob_open(blob, len, &w), ATOME_OK);
        memcpy((void *)&w.layer[1].ln_g[3], &bad[k], 4); /* w points into blob */
        blob_reseal(blob, len);
        ck_assert_int_eq(atome_blob_open(blob, len, &w), full_err[k]);
        write_file("build/lm-only-values.bin", blob, len);
        ck_assert_msg(lm_only("build/lm-only-values.bin", out) == ATOME_OK, "%.200s", out);
        ck_assert_msg(strncmp(out, "error", 5) != 0 && strlen(out) > 0, "%.200s", out);
        ck_assert_int_eq(lm_only("build/lm-only-values.bin", again), ATOME_OK);
        ck_assert_str_eq(out, again);
        free(blob);
    }
    free(out), free(again);
}
END_TEST

Suite *lm_only_suite(void) {
    Suite *s = suite_create("lm_only");
    TCase *t = tcase_create("ATOME_CLASSIFIER 0, ATOME_CHECK_VALUES 0");
    tcase_add_checked_fixture(t, setup, NULL);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, language_model_gives_the_same_logits);
    tcase_add_test(t, classifier_is_refused);
    tcase_add_test(t, shared_checks_still_refuse);
    tcase_add_test(t, values_are_not_checked);
    suite_add_tcase(s, t);
    return s;
}

/* test_vanilla_run.c — the vanilla GPT baseline as the trainer runs it: the same bits for 1 or 2
 * threads, sequences independent of their batch, bad shapes refused, and the model file (round
 * trip, and every kind of bad file named in one line). The gradient checks are in test_vanilla.c.
 *
 * Shapes: B sequences, T predicted positions, V vocab (256), P parameters.
 */
#include <check.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../common/atome_blob.h"
#include "../common/atome_rng.h"
#include "../train/vanilla.h"
#include "util.h"

static void random_tokens(uint8_t *tok, long n, uint64_t seed) {
    atome_rng r = {seed};
    for (long i = 0; i < n; i++) tok[i] = (uint8_t)atome_rng_below(&r, 256);
}

START_TEST(vanilla_gradients_same_bits_1_or_2_threads) {
    vanilla_config c;
    vanilla_preset("param-fair", &c);
    enum { B = 5, T = 64 };
    long P = vanilla_param_count(&c);
    float *w = malloc((size_t)P * 4), *g1 = malloc((size_t)P * 4), *g2 = malloc((size_t)P * 4);
    float *l1 = malloc(B * T * 256 * 4), *l2 = malloc(B * T * 256 * 4);
    uint8_t tok[B * (T + 1)];
    ck_assert(w && g1 && g2 && l1 && l2);
    vanilla_init(w, &c, 3);
    random_tokens(tok, sizeof tok, 37);
    vfb_context *f = vfb_create(&c, B, T);
    ck_assert_ptr_nonnull(f);
    int keep = omp_get_max_threads();
    omp_set_num_threads(1);
    double s1 = vfb_step(f, w, tok, g1), f1 = vfb_forward(f, w, tok, l1, NULL);
    omp_set_num_threads(2);
    ck_assert_int_eq(omp_get_max_threads(), 2);
    double s2 = vfb_step(f, w, tok, g2), f2 = vfb_forward(f, w, tok, l2, NULL);
    omp_set_num_threads(keep);
    ck_assert_mem_eq(g1, g2, (size_t)P * 4);
    ck_assert_mem_eq(l1, l2, (size_t)B * T * 256 * 4);
    ck_assert_mem_eq(&s1, &s2, sizeof s1);
    ck_assert_mem_eq(&f1, &f2, sizeof f1);
    double norm = 0.0;
    for (long i = 0; i < P; i++) norm += (double)g1[i] * g1[i];
    ck_assert_double_gt(norm, 0.0); /* equal because computed, not because empty */
    vfb_free(f);
    free(w), free(g1), free(g2), free(l1), free(l2);
}
END_TEST

/* A sequence's logits do not depend on its batch: window 2 of a batch of 3 gives the same bits
 * as the same window alone (no state leaks from one sequence's slot into another's). */
START_TEST(vanilla_sequences_independent_of_batch) {
    vanilla_config c;
    vanilla_preset("flash-fair", &c);
    enum { B = 3, T = 40 };
    long P = vanilla_param_count(&c);
    float *w = malloc((size_t)P * 4), *lb = malloc(B * T * 256 * 4), *l1 = malloc(T * 256 * 4);
    float lossb[B * T], loss1[T];
    uint8_t tok[B * (T + 1)];
    ck_assert(w && lb && l1);
    vanilla_init(w, &c, 4);
    random_tokens(tok, sizeof tok, 38);
    vfb_context *fb = vfb_create(&c, B, T), *f1 = vfb_create(&c, 1, T);
    ck_assert(fb && f1);
    double sum = vfb_forward(fb, w, tok, lb, lossb);
    vfb_forward(f1, w, tok + 2 * (T + 1), l1, loss1);
    ck_assert_mem_eq(lb + 2 * T * 256, l1, (size_t)T * 256 * 4);
    ck_assert_mem_eq(lossb + 2 * T, loss1, sizeof loss1);
    double s = 0.0;
    for (int i = 0; i < B * T; i++) s += lossb[i];
    ck_assert_double_eq_tol(s, sum, 1e-9 * sum);
    vfb_free(fb), vfb_free(f1);
    free(w), free(lb), free(l1);
}
END_TEST

/* Causal: changing the input byte at position j leaves the logits of positions 0..j-1 the same
 * bits and changes those of position j (a model that peeked ahead would score far too well). */
START_TEST(vanilla_is_causal) {
    vanilla_config c;
    vanilla_preset("param-fair", &c);
    enum { T = 64 };
    long P = vanilla_param_count(&c);
    float *w = malloc((size_t)P * 4), *a = malloc(T * 256 * 4), *b = malloc(T * 256 * 4);
    uint8_t tok[T + 1], alt[T + 1];
    ck_assert(w && a && b);
    vanilla_init(w, &c, 9);
    random_tokens(tok, sizeof tok, 39);
    vfb_context *f = vfb_create(&c, 1, T);
    ck_assert_ptr_nonnull(f);
    vfb_forward(f, w, tok, a, NULL);
    for (int j = 0; j < T; j += 9) {
        memcpy(alt, tok, sizeof tok);
        alt[j] ^= 0x55;
        vfb_forward(f, w, alt, b, NULL);
        if (j) ck_assert_mem_eq(a, b, (size_t)j * 256 * 4);
        ck_assert_int_ne(memcmp(a + j * 256, b + j * 256, 256 * 4), 0);
    }
    vfb_free(f);
    free(w), free(a), free(b);
}
END_TEST

START_TEST(vanilla_refuses_bad_shapes) {
    vanilla_config c;
    vanilla_preset("param-fair", &c);
    ck_assert_ptr_null(vanilla_config_check(&c));
    ck_assert_ptr_null(vfb_create(&c, 1, 65)); /* past the positional table */
    ck_assert_ptr_null(vfb_create(&c, 0, 8));
    ck_assert_ptr_null(vfb_create(&c, 1, 0));
    vanilla_config bad = c;
    bad.n_heads = 5;
    ck_assert_ptr_nonnull(vanilla_config_check(&bad));
    ck_assert_ptr_null(vfb_create(&bad, 1, 8));
    bad = c, bad.n_layers = VANILLA_MAX_LAYERS + 1;
    ck_assert_ptr_nonnull(strstr(vanilla_config_check(&bad), "n_layers"));
    bad = c, bad.context = 0;
    ck_assert_ptr_nonnull(strstr(vanilla_config_check(&bad), "context"));
    bad = c, bad.d_ff = 0;
    ck_assert_ptr_nonnull(strstr(vanilla_config_check(&bad), "d_ff"));
    ck_assert_ptr_nonnull(vanilla_config_check(NULL));
}
END_TEST

/* ---- the model file ---- */

static char *tmp_dir(void) {
    char *d = strdup("/tmp/atome_vanilla_XXXXXX");
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static void write_bytes(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(p, 1, n, f), n);
    fclose(f);
}

static uint8_t *read_bytes(const char *path, size_t *n) { return (uint8_t *)read_all(path, n); }

/* Loading path must fail with a message containing `want`, and hand back no weights. */
static void expect_load_error(const char *path, const char *want) {
    vanilla_config c;
    float *w = (float *)1;
    char err[256] = "";
    ck_assert_int_eq(vanilla_load(path, &c, &w, err, sizeof err), -1);
    ck_assert_ptr_null(w);
    ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" does not say \"%s\"", err, want);
    ck_assert_msg(strstr(err, path) != NULL, "error \"%s\" does not name the file", err);
    ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(vanilla_file_roundtrip) {
    vanilla_config c, back;
    vanilla_preset("flash-fair", &c);
    long P = vanilla_param_count(&c);
    float *w = malloc((size_t)P * 4), *r = NULL;
    ck_assert_ptr_nonnull(w);
    vanilla_init(w, &c, 5);
    char *dir = tmp_dir(), path[256], err[256];
    snprintf(path, sizeof path, "%s/model.vnl", dir);
    ck_assert_int_eq(vanilla_save(path, &c, w, err, sizeof err), 0);
    size_t n;
    uint8_t *bytes = read_bytes(path, &n);
    ck_assert_uint_eq(n, VANILLA_HEADER_BYTES + (size_t)vanilla_disk_bytes(&c));
    ck_assert_mem_eq(bytes, "ATVN", 4);
    ck_assert_int_eq(vanilla_load(path, &back, &r, err, sizeof err), 0);
    ck_assert_mem_eq(&back, &c, sizeof c);
    ck_assert_mem_eq(r, w, (size_t)P * 4);
    /* nothing but the file itself is left in the directory (no temporary) */
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ck_assert_int_ne(access(tmp, F_OK), 0);
    unlink(path), rmdir(dir);
    free(bytes), free(w), free(r), free(dir);
}
END_TEST

START_TEST(vanilla_file_bad_input) {
    vanilla_config c;
    vanilla_preset("flash-fair", &c);
    long P = vanilla_param_count(&c);
    float *w = malloc((size_t)P * 4);
    ck_assert_ptr_nonnull(w);
    vanilla_init(w, &c, 6);
    char *dir = tmp_dir(), good[256], bad[256], err[256];
    snprintf(good, sizeof good, "%s/good.vnl", dir);
    snprintf(bad, sizeof bad, "%s/bad.vnl", dir);
    ck_assert_int_eq(vanilla_save(good, &c, w, err, sizeof err), 0);
    size_t n;
    uint8_t *f = read_bytes(good, &n);

    expect_load_error(bad, "cannot read"); /* missing */
    expect_load_error(dir, "directory");
    write_bytes(bad, f, 0);
    expect_load_error(bad, "empty");
    write_bytes(bad, "ATOM", 4);
    expect_load_error(bad, "bad magic");
    write_bytes(bad, f, 40);
    expect_load_error(bad, "truncated");
    write_bytes(bad, f, n - 1);
    expect_load_error(bad, "truncated");
    uint8_t *g = malloc(n + 1);
    ck_assert_ptr_nonnull(g);
    memcpy(g, f, n), g[n] = 0;
    write_bytes(bad, g, n + 1);
    expect_load_error(bad, "trailing");
    g[4] = 2;
    write_bytes(bad, g, n);
    expect_load_error(bad, "version 2");
    memcpy(g, f, n), g[n / 2] ^= 0x10; /* one bit of one weight */
    write_bytes(bad, g, n);
    expect_load_error(bad, "CRC");
    memcpy(g, f, n), g[20] = 3; /* 3 heads do not divide d_model 8: the CRC is fixed up to match */
    uint32_t crc = atome_crc32(atome_crc32(0, g, 60), g + 64, n - 64);
    for (int i = 0; i < 4; i++) g[60 + i] = (uint8_t)(crc >> (8 * i));
    write_bytes(bad, g, n);
    expect_load_error(bad, "dimensions");

    /* saving where it cannot write leaves nothing and says so */
    char nowhere[300];
    snprintf(nowhere, sizeof nowhere, "%s/no/such/dir/m.vnl", dir);
    ck_assert_int_eq(vanilla_save(nowhere, &c, w, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot write"));
    vanilla_config badc = c;
    badc.n_heads = 3;
    ck_assert_int_eq(vanilla_save(bad, &badc, w, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "n_heads"));

    unlink(good), unlink(bad), rmdir(dir);
    free(f), free(g), free(w), free(dir);
}
END_TEST

TCase *vanilla_run_tcase(void) {
    TCase *t = tcase_create("run");
    tcase_set_timeout(t, 600);
    tcase_add_test(t, vanilla_gradients_same_bits_1_or_2_threads);
    tcase_add_test(t, vanilla_sequences_independent_of_batch);
    tcase_add_test(t, vanilla_is_causal);
    tcase_add_test(t, vanilla_refuses_bad_shapes);
    tcase_add_test(t, vanilla_file_roundtrip);
    tcase_add_test(t, vanilla_file_bad_input);
    return t;
}

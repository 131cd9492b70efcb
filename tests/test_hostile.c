/* test_hostile.c — blobs an attacker or a bad flash write could hold: the loader refuses every value
 * outside what the blob may hold (PAPER.md, section 3) with its own error, and the forward stays
 * defined (no sanitizer report, the same output twice) for every value, admitted or not. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_blob.h"
#include "../common/atome_math.h"
#include "../common/atome_softf.h" /* atome_sf_float */
#include "../infer/atome.h"
#include "util.h"

/* The shipped nano checkpoint, malloc'd (so 4-aligned); its weights bound into *w. */
static uint8_t *nano_blob(size_t *len, atome_weights *w) {
    uint8_t *blob = (uint8_t *)read_all("checkpoints/nano.bin", len);
    ck_assert_int_eq(atome_blob_open(blob, *len, w), ATOME_OK);
    return blob;
}

/* Stores v at p (a float inside the blob), reseals, and returns what the loader says. */
static int open_with(uint8_t *blob, size_t len, const float *p, float v) {
    memcpy((void *)p, &v, 4);
    blob_reseal(blob, len);
    atome_weights w;
    memset(&w, 0x5a, sizeof w);
    int err = atome_blob_open(blob, len, &w);
    if (err != ATOME_OK) { /* *w untouched on error */
        const uint8_t *b = (const uint8_t *)&w;
        for (size_t i = 0; i < sizeof w; i++) ck_assert_int_eq(b[i], 0x5a);
    }
    return err;
}

START_TEST(hostile_blobs_are_refused_by_name) {
    size_t len;
    atome_weights w;
    uint8_t *blob = nano_blob(&len, &w);
    const float nan = atome_sf_float(0x7fc00000u), inf = atome_sf_float(0x7f800000u);
    const struct {
        const float *at;
        float v;
        int err;
    } cases[] = {
        {&w.lnf_g[0], 3e38f, ATOME_ERR_RANGE}, /* the finite gain */
        {&w.lnf_g[0], 65536.0f, ATOME_OK},     /* the bound itself is admitted */
        {&w.lnf_g[0], -65536.0f, ATOME_OK},
        {&w.lnf_g[0], atome_sf_float(0x47800001u), ATOME_ERR_RANGE}, /* the next float above it */
        {&w.layer[1].ln_g[3], nan, ATOME_ERR_FLOAT},
        {&w.layer[1].ln_g[3], atome_sf_float(0xffc00001u), ATOME_ERR_FLOAT}, /* a negative NaN */
        {&w.layer[0].ln_b[15], -inf, ATOME_ERR_FLOAT},
        {&w.layer[1].ssm_g[0], inf, ATOME_ERR_FLOAT},
        {w.layer[0].wv.scale, -0.5f, ATOME_ERR_RANGE}, /* a negative ternary scale */
        {w.layer[0].wv.scale, -0.0f, ATOME_ERR_RANGE},
        {w.layer[0].wv.scale, 0.0f, ATOME_OK},
        {w.layer[0].wv.scale, inf, ATOME_ERR_FLOAT},
        {w.unemb.scale, nan, ATOME_ERR_FLOAT},
        {w.emb.scale, 1e5f, ATOME_ERR_RANGE},
        {&w.layer[1].ssm_a[7], 1.0f, ATOME_ERR_RANGE}, /* |a| >= 1: the recurrence would not decay */
        {&w.layer[1].ssm_a[7], -1.0f, ATOME_ERR_RANGE},
        {&w.layer[1].ssm_a[7], 0.99999994f, ATOME_OK}, /* the largest float below 1 */
        {&w.layer[1].ssm_a[7], -0.99999994f, ATOME_OK},
        {&w.layer[0].ssm_a[0], 2.0f, ATOME_ERR_RANGE},
        {&w.layer[0].ssm_a[0], nan, ATOME_ERR_FLOAT},
        {&w.layer[0].ssm_g[0], -3000.0f, ATOME_OK}, /* a gain may be negative */
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float keep;
        memcpy(&keep, cases[i].at, 4);
        int err = open_with(blob, len, cases[i].at, cases[i].v);
        ck_assert_msg(err == cases[i].err, "case %u (%g): got %d (%s), want %d", i, (double)cases[i].v, err,
                      atome_strerror(err), cases[i].err);
        ck_assert_int_eq(open_with(blob, len, cases[i].at, keep), ATOME_OK);
    }
    /* a class count of 1 (no classifier has fewer than 2) */
    blob[48] = 1;
    blob_reseal(blob, len);
    ck_assert_int_eq(atome_blob_open(blob, len, &w), ATOME_ERR_DIMS);
    blob[48] = 0;
    /* each reserved header byte of a language model, set to 1 under a valid CRC */
    for (int i = 52; i < 60; i++) {
        blob[i] = 1;
        blob_reseal(blob, len);
        ck_assert_int_eq(atome_blob_open(blob, len, &w), ATOME_ERR_RESERVED);
        blob[i] = 0;
    }
    /* three distinct one-line messages */
    ck_assert_str_eq(atome_strerror(ATOME_ERR_RESERVED), "model blob has a nonzero reserved header byte");
    ck_assert_str_eq(atome_strerror(ATOME_ERR_FLOAT), "model blob holds a NaN or infinite weight");
    ck_assert_str_eq(atome_strerror(ATOME_ERR_RANGE), "model blob holds a weight out of its range");
    free(blob);
}
END_TEST

/* Every float of the payload, in every layer, is checked: NaN there gives FLOAT, 1e6 RANGE. */
START_TEST(every_payload_float_is_checked) {
    size_t len;
    atome_weights w;
    uint8_t *blob = nano_blob(&len, &w);
    int D = w.cfg.d_model, checked = 0;
    const float *at[ATOME_MAX_LAYERS * 9 + 4];
    int count[ATOME_MAX_LAYERS * 9 + 4], parts = 0;
#define PART(p, n) (at[parts] = (p), count[parts++] = (n))
    PART(w.emb.scale, 1);
    for (int l = 0; l < w.cfg.n_layers; l++) {
        const atome_layer *y = &w.layer[l];
        PART(y->ln_g, D), PART(y->ln_b, D), PART(y->conv.scale, 1), PART(y->ssm_a, D), PART(y->ssm_g, D);
        PART(y->wq.scale, 1), PART(y->wk.scale, 1), PART(y->wv.scale, 1), PART(y->router.scale, 1);
    }
    PART(w.lnf_g, D), PART(w.lnf_b, D), PART(w.unemb.scale, 1);
#undef PART
    for (int p = 0; p < parts; p++)
        for (int i = 0; i < count[p]; i++) {
            float keep = at[p][i];
            ck_assert_msg(open_with(blob, len, at[p] + i, atome_sf_float(0x7fc00000u)) == ATOME_ERR_FLOAT, "part %d [%d]", p, i);
            ck_assert_msg(open_with(blob, len, at[p] + i, 1e6f) == ATOME_ERR_RANGE, "part %d [%d]", p, i);
            ck_assert_int_eq(open_with(blob, len, at[p] + i, keep), ATOME_OK);
            checked++;
        }
    ck_assert_int_eq(checked, 2 + w.cfg.n_layers * (4 * D + 5) + 2 * D);
    free(blob);
}
END_TEST

START_TEST(atome_infer_names_a_hostile_blob) {
    char dir[64], path[128], cmd[512];
    scratch_dir(dir, sizeof dir, "atome-hostile");
    snprintf(path, sizeof path, "%s/m.bin", dir);
    snprintf(cmd, sizeof cmd, "./atome-infer --model %s --prompt Once -n 30", path);
    size_t len;
    atome_weights w;
    uint8_t *blob = nano_blob(&len, &w);
    float *g = (float *)(void *)w.lnf_g, keep = g[0];
    g[0] = 3e38f;
    blob_reseal(blob, len);
    write_file(path, blob, len);
    expect_one_line_error(cmd, 1, "holds a weight out of its range");
    g[0] = atome_sf_float(0x7fc00000u);
    blob_reseal(blob, len);
    write_file(path, blob, len);
    expect_one_line_error(cmd, 1, "holds a NaN or infinite weight");
    g[0] = keep;
    blob[56] = 1; /* a language model's label_bytes, reserved */
    blob_reseal(blob, len);
    write_file(path, blob, len);
    expect_one_line_error(cmd, 1, "nonzero reserved header byte");
    free(blob);
    scratch_remove(dir);
}
END_TEST

static atome_state st;

/* Steps "Once" and then 30 greedy bytes; the last logits and the bytes into out. Nothing checks
 * the weights here: m is bound directly, so any value reaches the kernels. */
static void run_30(const atome_model *m, float *logits, uint8_t *gen) {
    atome_reset(&st);
    const float *l = 0;
    for (const char *p = "Once"; *p; p++) l = atome_step(m, &st, (uint8_t)*p);
    for (int i = 0; i < 30; i++) l = atome_step(m, &st, gen[i] = (uint8_t)atome_argmax(l, ATOME_VOCAB));
    memcpy(logits, l, ATOME_VOCAB * sizeof(float));
}

/* The model of blob as the engine would hold it, bound without the loader's value checks. */
static void bind_unchecked(atome_model *m, const uint8_t *blob) {
    const uint32_t *h = (const uint32_t *)(const void *)blob;
    atome_config c = {(int)h[2], (int)h[3], (int)h[4], (int)h[5], (int)h[6], (int)h[10], (int)h[12], (int)h[13], (int)h[14]};
    atome_blob_bind(&c, blob + ATOME_HEADER_BYTES, &m->w);
    m->inv_sqrt_dh = 1.0f / atome_sqrtf((float)c.d_head); /* as atome_load */
}

/* Runs the model twice: the same bytes and logits both times, and logits never NaN (every
 * unembedding scale below is finite: a product with a finite scale and int32 sums is no NaN). */
static void expect_defined(const atome_model *m, const char *what, int want_finite) {
    float a[ATOME_VOCAB], b[ATOME_VOCAB];
    uint8_t ga[30], gb[30];
    run_30(m, a, ga);
    run_30(m, b, gb);
    ck_assert_msg(!memcmp(a, b, sizeof a) && !memcmp(ga, gb, sizeof ga), "%s: two runs differ", what);
    for (int i = 0; i < ATOME_VOCAB; i++) {
        ck_assert_msg(a[i] == a[i], "%s: logit %d is NaN", what, i);
        if (want_finite) ck_assert_msg(isfinite(a[i]), "%s: logit %d = %g", what, i, (double)a[i]);
    }
}

/* The largest values the loader admits everywhere: every gain, bias and scale 2^16 (biases of
 * alternating sign), every decay ±(1 - 2^-24). 34 positions under UBSan, float-cast-overflow
 * included: no report, finite logits, the same twice. */
START_TEST(extreme_admitted_blob_steps_defined) {
    size_t len;
    atome_weights w;
    uint8_t *blob = nano_blob(&len, &w);
    int D = w.cfg.d_model;
    float *s;
#define SET(p, v) (s = (float *)(void *)(p), *s = (v))
    SET(w.emb.scale, 65536.0f), SET(w.unemb.scale, 65536.0f);
    for (int l = 0; l < w.cfg.n_layers; l++) {
        const atome_layer *y = &w.layer[l];
        SET(y->conv.scale, 65536.0f), SET(y->wq.scale, 65536.0f), SET(y->wk.scale, 65536.0f);
        SET(y->wv.scale, 65536.0f), SET(y->router.scale, 65536.0f);
        for (int i = 0; i < D; i++) {
            SET(y->ln_g + i, 65536.0f), SET(y->ln_b + i, i & 1 ? -65536.0f : 65536.0f);
            SET(y->ssm_a + i, i & 2 ? -0.99999994f : 0.99999994f), SET(y->ssm_g + i, 65536.0f);
        }
    }
    for (int i = 0; i < D; i++) SET(w.lnf_g + i, 65536.0f), SET(w.lnf_b + i, i & 1 ? 65536.0f : -65536.0f);
#undef SET
    blob_reseal(blob, len);
    static atome_model m;
    ck_assert_int_eq(atome_load(&m, blob, len), ATOME_OK);
    expect_defined(&m, "extreme admitted", 1);
    free(blob);
}
END_TEST

/* Values the loader refuses, put past it: the kernels are defined for them too. The issue's
 * lnf_gamma[0] = 3e38 and NaN gain, infinities, a decay of 1.5 (the SSM state grows to inf). */
START_TEST(refused_values_still_step_defined) {
    size_t len;
    atome_weights w;
    uint8_t *blob = nano_blob(&len, &w);
    const float nan = atome_sf_float(0x7fc00000u), inf = atome_sf_float(0x7f800000u);
    const struct {
        const float *at;
        int n;
        float v;
        int finite;
        const char *what;
    } cases[] = {
        {w.lnf_g, 1, 3e38f, 0, "lnf_gamma[0] = 3e38"},
        {w.lnf_g, 16, 3e38f, 0, "lnf_gamma = 3e38"},
        {w.layer[0].ln_g, 1, nan, 1, "ln_gamma[0] = NaN"},
        {w.layer[1].ln_g, 1, atome_sf_float(0xffc00000u), 1, "ln_gamma[0] = -NaN"},
        {w.layer[0].ln_b, 16, -inf, 1, "ln_beta = -inf"},
        {w.layer[0].ssm_a, 16, 1.5f, 1, "ssm_a = 1.5"},
        {w.layer[1].ssm_g, 16, inf, 1, "ssm_g = inf"},
        {w.layer[0].wv.scale, 1, inf, 1, "wv scale = inf"},
        {w.layer[0].wq.scale, 1, nan, 1, "wq scale = NaN"},
        {w.layer[1].router.scale, 1, 3e38f, 1, "router scale = 3e38"},
        {w.emb.scale, 1, 3e38f, 1, "embedding scale = 3e38"},
    };
    static atome_model m;
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float keep[16];
        memcpy(keep, cases[i].at, (size_t)cases[i].n * 4);
        for (int k = 0; k < cases[i].n; k++) memcpy((void *)(cases[i].at + k), &cases[i].v, 4);
        bind_unchecked(&m, blob);
        expect_defined(&m, cases[i].what, cases[i].finite);
        memcpy((void *)cases[i].at, keep, (size_t)cases[i].n * 4);
    }
    /* A NaN gain makes LN's output NaN, which quant8 turns into a zero vector: logits all +0 */
    memcpy((void *)w.lnf_g, &nan, 4);
    bind_unchecked(&m, blob);
    float l[ATOME_VOCAB];
    uint8_t gen[30];
    run_30(&m, l, gen);
    for (int i = 0; i < ATOME_VOCAB; i++) ck_assert_msg(l[i] == 0.0f && !signbit(l[i]), "logit %d = %g", i, (double)l[i]);
    free(blob);
}
END_TEST

START_TEST(argmax_with_nan_is_defined) {
    /* NaN never compares greater: one at index 0 wins (nothing beats it), elsewhere it is skipped */
    const float nan = atome_sf_float(0x7fc00000u);
    const float a[4] = {nan, 1, 3, 2}, b[5] = {1, nan, 3, 3, nan}, c[3] = {-1, atome_sf_float(0xffc00000u), -2};
    ck_assert_int_eq(atome_argmax(a, 4), 0);
    ck_assert_int_eq(atome_argmax(b, 5), 2);
    ck_assert_int_eq(atome_argmax(c, 3), 0);
}
END_TEST

Suite *hostile_suite(void) {
    Suite *s = suite_create("hostile");
    TCase *t = tcase_create("values");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, hostile_blobs_are_refused_by_name);
    tcase_add_test(t, every_payload_float_is_checked);
    tcase_add_test(t, atome_infer_names_a_hostile_blob);
    tcase_add_test(t, extreme_admitted_blob_steps_defined);
    tcase_add_test(t, refused_values_still_step_defined);
    tcase_add_test(t, argmax_with_nan_is_defined);
    suite_add_tcase(s, t);
    return s;
}

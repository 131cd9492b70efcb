/* test_engine.c — streaming decode against a whole-window forward; the engine links nothing
 * it must not. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_math.h"
#include "../infer/atome.h"
#include "util.h"

/* The whole-window order of the trainer: layer by layer over all T positions, activations
 * kept per position, keys and values in a ring as long as the sequence. It decodes trits in
 * place (lut NULL), the firmware's path, while the host engine uses the lookup table. */
static void window_forward(const atome_weights *w, const uint8_t *tok, int T, float *logits) {
    const atome_config *c = &w->cfg;
    int D = c->d_model, Dh = c->d_head, DP = ATOME_PAD5(D), L = c->n_layers;
    /* h behind 4 zero rows, so that rows t-4..t are the conv's input at every t */
    float *x = calloc((size_t)T * D, sizeof(float)), *h0 = calloc((size_t)(T + 4) * D, sizeof(float)), *h = h0 + 4 * D;
    float *s = calloc((size_t)T * D, sizeof(float)), *tmp = calloc((size_t)8 * D + 2 * T + 64, sizeof(float));
    float *zeros = calloc((size_t)D, sizeof(float)); /* the SSM state before position 0 */
    int8_t *k = calloc((size_t)T * Dh, 1), *v = calloc((size_t)T * D, 1), *q8 = calloc((size_t)DP + Dh, 1);
    float *ks = calloc((size_t)T, sizeof(float)), *vs = calloc((size_t)T, sizeof(float));
    float inv = 1.0f / atome_sqrtf((float)Dh), mean, rstd, hs, qs, p[4], rl[3], r[3];
    int sel[4], n, first;
    for (int t = 0; t < T; t++) embed_forward(x + t * D, &w->emb, tok[t]);
    for (int l = 0; l < L; l++) {
        atome_kv kv = {k, ks, v, vs, T};
        for (int t = 0; t < T; t++) {
            atome_block_acts a = {.ln_mean = &mean, .ln_rstd = &rstd, .hq = q8, .hs = &hs, .yc = tmp, .ys = tmp + D,
                                  .ya = tmp + 2 * D, .q = tmp + 3 * D, .qq = q8 + DP, .qs = &qs, .kf = tmp + 4 * D,
                                  .vf = tmp + 5 * D, .scores = tmp + 6 * D, .att_sel = sel, .att_p = p, .att_n = &n,
                                  .att_first = &first, .router_logits = rl, .router = r, .lut = NULL};
            block_forward(x + t * D, x + t * D, &w->layer[l], c, t, h + (t - 4) * D, t ? s + (t - 1) * D : zeros,
                          s + t * D, &kv, inv, &a);
        }
    }
    for (int t = 0; t < T; t++) {
        atome_head_acts ha = {.h = tmp, .ln_mean = &mean, .ln_rstd = &rstd, .hq = q8, .hs = &hs, .lut = NULL};
        head_forward(1, logits + t * ATOME_VOCAB, x + t * D, w, &ha);
    }
    free(x), free(h0), free(s), free(tmp), free(zeros), free(k), free(v), free(q8), free(ks), free(vs);
}

static atome_state st; /* as a firmware holds it: static */

START_TEST(streaming_equals_window_forward_past_w) {
    /* window 8 so that 40 positions slide it five times; three different texts */
    const atome_config c = {ATOME_VOCAB, 24, 3, 8, 8, 0, 0, 0, 0};
    const char *texts[3] = {"Once upon a time, there was a little girl named Lily.",
                            "The quick brown fox jumps over the lazy dog again and again",
                            "\x01\xff\x02 binary bytes \x80\x7f and 1234567890 digits, and a longer tail!"};
    size_t len;
    uint8_t *blob = make_blob(&c, 42, &len);
    atome_model m;
    ck_assert_int_eq(atome_load(&m, blob, len), ATOME_OK);
    for (int i = 0; i < 3; i++) {
        enum { T = 50 };
        uint8_t tok[T];
        ck_assert_uint_ge(strlen(texts[i]), T);
        for (int t = 0; t < T; t++) tok[t] = (uint8_t)texts[i][t];
        float *want = malloc((size_t)T * ATOME_VOCAB * sizeof(float));
        window_forward(&m.w, tok, T, want);
        atome_reset(&st);
        for (int t = 0; t < T; t++) {
            const float *got = atome_step(&m, &st, tok[t]);
            ck_assert_msg(memcmp(got, want + t * ATOME_VOCAB, ATOME_VOCAB * sizeof(float)) == 0,
                          "text %d position %d", i, t);
        }
        free(want);
    }
    free(blob);
}
END_TEST

START_TEST(dropped_pathways_get_zero_weight) {
    /* an ablation blob: the flags travel in the header, the router gives the pathway nothing */
    for (int flags = 1; flags < 7; flags++) {
        const atome_config c = {ATOME_VOCAB, 16, 2, 4, 8, flags, 0, 0, 0};
        size_t len;
        uint8_t *blob = make_blob(&c, 11, &len);
        atome_model m;
        ck_assert_int_eq(atome_load(&m, blob, len), ATOME_OK);
        ck_assert_int_eq(m.w.cfg.flags, flags);
        enum { T = 20 };
        uint8_t tok[T];
        for (int t = 0; t < T; t++) tok[t] = (uint8_t)("ablations of pathways"[t]);
        float *want = malloc((size_t)T * ATOME_VOCAB * sizeof(float));
        window_forward(&m.w, tok, T, want);
        atome_reset(&st);
        for (int t = 0; t < T; t++) {
            const float *got = atome_step(&m, &st, tok[t]);
            ck_assert(memcmp(got, want + t * ATOME_VOCAB, ATOME_VOCAB * sizeof(float)) == 0);
            for (int l = 0; l < c.n_layers; l++)
                for (int k = 0; k < 3; k++)
                    ck_assert_msg((st.layer[l].router[k] == 0.0f) == ((flags >> k) & 1),
                                  "flags %d layer %d pathway %d: %g", flags, l, k, st.layer[l].router[k]);
        }
        free(want);
        free(blob);
    }
}
END_TEST

START_TEST(reset_restarts_the_stream) {
    const atome_config c = {ATOME_VOCAB, 16, 2, 4, 4, 0, 0, 0, 0};
    size_t len;
    uint8_t *blob = make_blob(&c, 9, &len);
    atome_model m;
    ck_assert_int_eq(atome_load(&m, blob, len), ATOME_OK);
    float first[ATOME_VOCAB];
    atome_reset(&st);
    for (int t = 0; t < 20; t++) memcpy(first, atome_step(&m, &st, 'a' + t), sizeof first);
    atome_reset(&st);
    const float *again = 0;
    for (int t = 0; t < 20; t++) again = atome_step(&m, &st, 'a' + t);
    ck_assert_mem_eq(first, again, sizeof first);
    ck_assert_int_eq(st.pos, 20);
    /* a different history gives different logits: the state is really used */
    atome_reset(&st);
    for (int t = 0; t < 20; t++) again = atome_step(&m, &st, t == 0 ? 'z' : 'a' + t);
    ck_assert(memcmp(first, again, sizeof first) != 0);
    free(blob);
}
END_TEST


START_TEST(block_forward_writes_h_into_the_newest_history_row) {
    /* The conv's history is the only home of h: block_forward writes LN(x_in) into row 4, reads
     * rows 0..3 as they are and changes nothing else there, whatever row 4 held before. */
    const atome_config c = {ATOME_VOCAB, 16, 1, 4, 8, 0, 0, 0, 0};
    size_t len;
    uint8_t *blob = make_blob(&c, 5, &len);
    atome_model m;
    ck_assert_int_eq(atome_load(&m, blob, len), ATOME_OK);
    enum { D = 16, Dh = 4, W = 8 };
    float x[D], hist[ATOME_HIST_ROWS * D], hist2[ATOME_HIST_ROWS * D], out[D], out2[D], want[D], mean, rstd;
    for (int i = 0; i < D; i++) x[i] = (float)(i * 7 % 5) - 1.5f;
    for (int i = 0; i < 4 * D; i++) hist[i] = hist2[i] = (float)(i % 9) * 0.25f;
    for (int i = 4 * D; i < 5 * D; i++) hist[i] = 1e30f, hist2[i] = -3.0f; /* stale: must not matter */
    layernorm_forward(want, &mean, &rstd, x, m.w.layer[0].ln_g, m.w.layer[0].ln_b, D);
    for (int run = 0; run < 2; run++) {
        float *hh = run ? hist2 : hist, *o = run ? out2 : out;
        int8_t k[W][Dh] = {{0}}, v[W][D] = {{0}}, hq[ATOME_PAD5(D)] = {0}, qq[Dh];
        float ks[W] = {0}, vs[W] = {0}, s[D] = {0}, ys[3 * D + 2 * Dh + D + W], hs, qs, p[4], rl[3], r[3];
        int sel[4], n, first;
        atome_kv kv = {k[0], ks, v[0], vs, W};
        atome_block_acts a = {.ln_mean = &mean, .ln_rstd = &rstd, .hq = hq, .hs = &hs, .yc = ys, .ys = ys + D,
                              .ya = ys + 2 * D, .q = ys + 3 * D, .qq = qq, .qs = &qs, .kf = ys + 3 * D + Dh,
                              .vf = ys + 3 * D + 2 * Dh, .scores = ys + 4 * D + 2 * Dh, .att_sel = sel, .att_p = p,
                              .att_n = &n, .att_first = &first, .router_logits = rl, .router = r, .lut = NULL};
        block_forward(o, x, &m.w.layer[0], &c, 4, hh, s, s, &kv, m.inv_sqrt_dh, &a);
        ck_assert_mem_eq(ATOME_HIST_NOW(hh, D), want, sizeof want);
        for (int i = 0; i < 4 * D; i++) ck_assert(hh[i] == (float)(i % 9) * 0.25f);
    }
    ck_assert_mem_eq(out, out2, sizeof out);
    free(blob);
}
END_TEST

START_TEST(engine_head_scratch_is_the_block_scratch) {
    /* atome_step puts the head's LN output in st.s.yc (atome.h), not in the conv history: after a
     * step every layer's row 4 is still the copy of row 3 that the shift left. */
    const atome_config c = {ATOME_VOCAB, 16, 2, 4, 8, 0, 0, 0, 0};
    size_t len;
    uint8_t *blob = make_blob(&c, 7, &len);
    atome_model m;
    ck_assert_int_eq(atome_load(&m, blob, len), ATOME_OK);
    atome_reset(&st);
    for (int t = 0; t < 6; t++) atome_step(&m, &st, (uint8_t)("scratch"[t]));
    enum { D = 16 };
    float want[D], mean, rstd;
    layernorm_forward(want, &mean, &rstd, st.x, m.w.lnf_g, m.w.lnf_b, D);
    ck_assert_mem_eq(st.s.yc, want, sizeof want);
    for (int l = 0; l < c.n_layers; l++)
        ck_assert_mem_eq(ATOME_HIST_NOW(st.layer[l].hist, D), st.layer[l].hist + 3 * D, D * sizeof(float));
    free(blob);
}
END_TEST
START_TEST(argmax_ties_to_lowest) {
    const float v[5] = {1, 3, 3, -1, 2};
    ck_assert_int_eq(atome_argmax(v, 5), 1);
}
END_TEST

/* Every undefined symbol of the engine objects, linked together (ld -r), must be on this list: the engine calls no
 * allocator, no stdio, no syscalls and no libm. The list is three of the four functions GCC requires of even a
 * freestanding environment. */
static int allowed(const char *sym) {
    static const char *const ok[] = {"memcpy", "memmove", "memset", NULL};
    for (int i = 0; ok[i]; i++)
        if (!strcmp(sym, ok[i])) return 1;
    /* the compiler's own helpers: soft-float and integer division on Cortex-M */
    return !strncmp(sym, "__aeabi_", 8) || !strncmp(sym, "__gcc_", 6);
}

static void check_undefined(const char *ld, const char *objects) {
    char cmd[2048], out[8192];
    snprintf(cmd, sizeof cmd, "rm -f build/engine-all.o && %s -r -o build/engine-all.o %s && nm -u build/engine-all.o", ld, objects);
    ck_assert_int_eq(run_cmd(cmd, out, sizeof out), 0);
    int n = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        char *sym = strstr(line, " U ");
        if (!sym) continue;
        sym += 3;
        ck_assert_msg(allowed(sym), "engine needs '%s'", sym);
        n++;
    }
    ck_assert_int_gt(n, 0); /* the scan saw symbols at all (memset at least) */
}

#define ENGINE_SRC "common/atome_config.c common/atome_math.c common/atome_trits.c common/atome_blob.c " \
                   "common/atome_ops.c common/atome_block.c infer/atome.c"

START_TEST(engine_links_only_allowlisted_symbols) {
    /* host objects, built as atome-infer uses them */
    ck_assert_int_eq(run_cmd("make -s build/host/infer/atome.o build/host/common/atome_block.o", NULL, 0), 0);
    check_undefined("ld", "build/host/common/atome_config.o build/host/common/atome_math.o "
                          "build/host/common/atome_trits.o build/host/common/atome_blob.o build/host/common/atome_ops.o "
                          "build/host/common/atome_block.o build/host/infer/atome.o");
    /* Cortex-M0 objects: soft-float, the smallest target (make test installs the compiler) */
    ck_assert_int_eq(run_cmd("rm -rf build/nm-m0 && mkdir -p build/nm-m0 && cd build/nm-m0 && for f in " ENGINE_SRC
                             "; do arm-none-eabi-gcc -std=c99 -mcpu=cortex-m0 -mthumb -Os -ffp-contract=off "
                             "-fno-math-errno -c ../../$f || exit 1; done",
                             NULL, 0),
                     0);
    check_undefined("arm-none-eabi-ld", "build/nm-m0/*.o");
}
END_TEST

Suite *engine_suite(void) {
    Suite *s = suite_create("engine");
    TCase *t = tcase_create("stream");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, streaming_equals_window_forward_past_w);
    tcase_add_test(t, reset_restarts_the_stream);
    tcase_add_test(t, dropped_pathways_get_zero_weight);
    tcase_add_test(t, argmax_ties_to_lowest);
    tcase_add_test(t, block_forward_writes_h_into_the_newest_history_row);
    tcase_add_test(t, engine_head_scratch_is_the_block_scratch);
    tcase_add_test(t, engine_links_only_allowlisted_symbols);
    suite_add_tcase(s, t);
    return s;
}

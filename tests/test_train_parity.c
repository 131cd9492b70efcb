/* test_train_parity.c — the trainer's forward is the engine's: fb_forward's logits (and router
 * weights) are memcmp-equal to atome_step's from the same blob, at every position of every
 * window, past the attention window W (where the engine's key/value ring wraps and the
 * trainer's, as long as the sequence, does not).
 *
 * Shapes: B windows (prompts), T positions each, L layers, V vocab.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "../infer/atome.h"
#include "../train/fb.h"
#include "util.h"

static atome_state st; /* as a firmware holds it: static */

static const char *PROMPTS[3] = {
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the sun. One day, "
    "she saw a big, red ball in the park and ran to get it, but a small dog got there first.",
    "The quick brown fox jumps over the lazy dog; the lazy dog does not mind, it sleeps all day long and "
    "dreams of bones, sticks and the long walks by the river that it takes every single morning.",
    "\x01\xff\x02 binary bytes \x80\x7f then digits 0123456789 and punctuation !?;:()[]{} and a "
    "longer tail of ordinary words so that the window slides a few times over mixed content here.",
};

/* B windows of T+1 bytes from the prompts (cycled if short). */
static void windows(uint8_t *tok, int B, int T) {
    for (int b = 0; b < B; b++) {
        const char *p = PROMPTS[b % 3];
        size_t len = strlen(p);
        for (int t = 0; t <= T; t++) tok[b * (T + 1) + t] = (uint8_t)p[t % len];
    }
}

/* fb_forward against atome_step, byte by byte, for every window: logits and router weights. */
static void assert_parity(const atome_config *c, const uint8_t *blob, size_t len, int B, int T) {
    int V = c->vocab, L = c->n_layers;
    uint8_t *tok = malloc((size_t)B * (T + 1));
    float *logits = malloc((size_t)B * T * V * sizeof(float));
    ck_assert(tok && logits);
    windows(tok, B, T);
    fb_context *f = fb_create(c, B, T);
    ck_assert_ptr_nonnull(f);
    double loss = fb_forward(f, blob, tok, logits, NULL);
    ck_assert(loss > 0.0);
    const float *router = fb_router(f);
    atome_model m;
    ck_assert_int_eq(atome_load(&m, blob, len), ATOME_OK);
    for (int b = 0; b < B; b++) {
        atome_reset(&st);
        for (int t = 0; t < T; t++) {
            const float *want = atome_step(&m, &st, tok[b * (T + 1) + t]);
            ck_assert_msg(memcmp(logits + ((long)b * T + t) * V, want, (size_t)V * sizeof(float)) == 0,
                          "logits differ: window %d, position %d (W = %d)", b, t, c->window);
            for (int l = 0; l < L; l++)
                ck_assert_msg(memcmp(router + (((long)b * T + t) * L + l) * 3, st.layer[l].router, 3 * sizeof(float)) == 0,
                              "router differs: window %d, position %d, layer %d", b, t, l);
        }
    }
    fb_free(f);
    free(tok), free(logits);
}

START_TEST(parity_after_training) {
    /* W = 8, T = 40: the window slides 32 times. The model is trained first (plain SGD on
     * fb_step's gradient), so the parity holds for weights that moved away from the init,
     * routers that are no longer uniform. */
    const atome_config c = {ATOME_VOCAB, 16, 2, 4, 8, 0, 0, 0, 0};
    enum { TB = 4, TT = 32, STEPS = 30 };
    long P = atome_param_count(&c);
    size_t len = model_blob_bytes(&c);
    float *master = malloc((size_t)P * sizeof(float)), *grad = malloc((size_t)P * sizeof(float));
    uint8_t *blob = aligned_alloc(64, (len + 63) & ~(size_t)63), tok[TB * (TT + 1)];
    ck_assert(master && grad && blob);
    model_init(master, &c, 1234, 1.0f);
    model_params mp;
    model_params_bind(&mp, &c, master);
    fb_context *f = fb_create(&c, TB, TT);
    ck_assert_ptr_nonnull(f);
    windows(tok, TB, TT);
    double first = 0.0, last = 0.0;
    for (int s = 0; s < STEPS; s++) {
        model_pack(blob, &mp, &c);
        last = fb_step(f, blob, &mp, tok, grad) / (TB * TT);
        if (s == 0) first = last;
        for (long i = 0; i < P; i++) master[i] -= 1.0f * grad[i];
    }
    model_pack(blob, &mp, &c);
    fb_free(f);
    ck_assert_msg(last < first - 0.1, "training did not move the model: loss %.4f -> %.4f", first, last);
    assert_parity(&c, blob, len, 3, 40);
    free(master), free(grad), free(blob);
}
END_TEST

START_TEST(parity_default_preset_past_the_window) {
    atome_config c;
    ck_assert_int_eq(atome_preset("default", &c), 0);
    size_t len;
    uint8_t *blob = make_blob(&c, 99, &len);
    assert_parity(&c, blob, len, 3, 2 * c.window + 20); /* 148 positions, W = 64 */
    free(blob);
}
END_TEST

START_TEST(parity_sequence_shorter_than_window) {
    const atome_config c = {ATOME_VOCAB, 24, 3, 8, 32, 0, 0, 0, 0};
    size_t len;
    uint8_t *blob = make_blob(&c, 7, &len);
    assert_parity(&c, blob, len, 3, 10);
    free(blob);
}
END_TEST

Suite *train_parity_suite(void) {
    Suite *s = suite_create("train_parity");
    TCase *t = tcase_create("parity");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, parity_after_training);
    tcase_add_test(t, parity_default_preset_past_the_window);
    tcase_add_test(t, parity_sequence_shorter_than_window);
    suite_add_tcase(s, t);
    return s;
}

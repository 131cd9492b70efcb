/* test_optim.c — the trainer's library parts: AdamW against hand-computed values, the schedule,
 * clipping, accumulation, the decay mask, the data loader, the checkpoint format. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../common/atome_le.h"
#include "../train/adamw.h"
#include "../train/checkpoint.h"
#include "../train/data.h"
#include "../train/model.h"
#include "util.h"

/* Two AdamW steps worked by hand (bc with scale 20): β1 0.9, β2 0.999, eps 1e-8, lr 0.01,
 * wd 0.1; w0 decays, w1 does not.
 *   step 1, g = (0.5, -0.25): m = (0.05, -0.025), v = (2.5e-4, 6.25e-5); m̂ = g, v̂ = g², so each
 *     moves lr·sign(g) = 0.01: w0 = 1·(1 − 0.001) − 0.01 = 0.989, w1 = −2 + 0.01 = −1.99.
 *   step 2, g = (0.5, 0.75): m0 = 0.095, v0 = 4.9975e-4, m̂0 = 0.5, v̂0 = 0.25 → w0 = 0.989·0.999 − 0.01
 *     = 0.978011; m1 = 0.0525, v1 = 6.249375e-4, m̂1 = 0.2763157895, v̂1 = 0.3126250625,
 *     step 0.01·m̂1/√v̂1 = 0.0049418982 → w1 = −1.9949418982. */
START_TEST(adamw_hand_values) {
    float w[2] = {1.0f, -2.0f}, m[2] = {0}, v[2] = {0};
    const uint8_t decay[2] = {1, 0};
    const adamw_config h = {0.9, 0.999, 1e-8, 0.1};
    const float g1[2] = {0.5f, -0.25f}, g2[2] = {0.5f, 0.75f};
    adamw_update(w, g1, m, v, decay, 2, 1, 0.01, &h);
    ck_assert_float_eq_tol(m[0], 0.05f, 1e-9f);
    ck_assert_float_eq_tol(v[1], 6.25e-5f, 1e-11f);
    ck_assert_float_eq_tol(w[0], 0.989f, 2e-6f);
    ck_assert_float_eq_tol(w[1], -1.99f, 2e-6f);
    adamw_update(w, g2, m, v, decay, 2, 2, 0.01, &h);
    ck_assert_float_eq_tol(w[0], 0.978011f, 2e-6f);
    ck_assert_float_eq_tol(w[1], -1.9949419f, 2e-6f);
}
END_TEST

/* Weight decay alone (zero gradient): w shrinks by exactly (1 − lr·wd) where decay is on. */
START_TEST(adamw_decay_only) {
    float w[2] = {3.0f, 3.0f}, m[2] = {0}, v[2] = {0};
    const uint8_t decay[2] = {1, 0};
    const float g[2] = {0, 0};
    const adamw_config h = {0.9, 0.95, 1e-8, 0.5};
    adamw_update(w, g, m, v, decay, 2, 1, 0.1, &h);
    ck_assert_float_eq(w[0], 3.0f * 0.95f); /* shrink = (float)(1 − 0.1·0.5) */
    ck_assert_float_eq(w[1], 3.0f);
}
END_TEST

START_TEST(decay_mask_layout) {
    atome_config c;
    ck_assert_int_eq(atome_preset("nano", &c), 0);
    long P = atome_param_count(&c), D = c.d_model, V = c.vocab, Dh = c.d_head;
    uint8_t *mask = malloc((size_t)P);
    float *arena = calloc((size_t)P, sizeof(float));
    adamw_decay_mask(mask, &c);
    model_params p;
    model_params_bind(&p, &c, arena);
    long on = 0;
    for (long i = 0; i < P; i++) on += mask[i];
    ck_assert_int_eq(on, 2 * V * D + c.n_layers * (D * 5 + 2 * Dh * D + D * D + 3 * D));
    ck_assert_int_eq(mask[p.emb - arena], 1);
    ck_assert_int_eq(mask[p.unemb + V * D - 1 - arena], 1);
    ck_assert_int_eq(mask[p.layer[1].wv - arena], 1);
    ck_assert_int_eq(mask[p.layer[0].ln_g - arena], 0);
    ck_assert_int_eq(mask[p.layer[1].ssm_araw + D - 1 - arena], 0);
    ck_assert_int_eq(mask[p.layer[0].ssm_c - arena], 0);
    ck_assert_int_eq(mask[p.lnf_b - arena], 0);
    free(mask);
    free(arena);
}
END_TEST

START_TEST(schedule_values) {
    /* warmup 10 of 111 steps, then 101 cosine steps from 1e-3 to 1e-4 */
    ck_assert_double_eq_tol(lr_at(0, 111, 10, 1e-3, 0.1, SCHED_COSINE), 1e-4, 1e-15);
    ck_assert_double_eq_tol(lr_at(4, 111, 10, 1e-3, 0.1, SCHED_COSINE), 5e-4, 1e-15);
    ck_assert_double_eq_tol(lr_at(9, 111, 10, 1e-3, 0.1, SCHED_COSINE), 1e-3, 1e-15);
    ck_assert_double_eq_tol(lr_at(10, 111, 10, 1e-3, 0.1, SCHED_COSINE), 1e-3, 1e-15);
    ck_assert_double_eq_tol(lr_at(60, 111, 10, 1e-3, 0.1, SCHED_COSINE), 5.5e-4, 1e-15);
    ck_assert_double_eq_tol(lr_at(110, 111, 10, 1e-3, 0.1, SCHED_COSINE), 1e-4, 1e-15);
    /* a quarter of the way: lo + (lr − lo)·(1 + cos(π/4))/2 */
    ck_assert_double_eq_tol(lr_at(35, 111, 10, 1e-3, 0.1, SCHED_COSINE),
                            1e-4 + 9e-4 * (1 + 0.70710678118654752) / 2, 1e-15);
    /* decreasing after warmup */
    for (long s = 10; s < 110; s++)
        ck_assert(lr_at(s + 1, 111, 10, 1e-3, 0.1, SCHED_COSINE) < lr_at(s, 111, 10, 1e-3, 0.1, SCHED_COSINE));
    /* constant: warmup, then flat */
    ck_assert_double_eq_tol(lr_at(0, 100, 4, 3e-4, 0.1, SCHED_CONSTANT), 7.5e-5, 1e-16);
    ck_assert_double_eq(lr_at(50, 100, 4, 3e-4, 0.1, SCHED_CONSTANT), 3e-4);
    ck_assert_double_eq(lr_at(99, 100, 0, 3e-4, 0.1, SCHED_CONSTANT), 3e-4);
}
END_TEST

START_TEST(own_math) {
    ck_assert_double_eq(cos_pi(0.0), 1.0);
    ck_assert_double_eq_tol(cos_pi(1.0 / 3.0), 0.5, 1e-15);
    ck_assert_double_eq_tol(cos_pi(0.25), 0.70710678118654752, 1e-15);
    ck_assert_double_eq_tol(cos_pi(0.5), 0.0, 1e-15);
    ck_assert_double_eq_tol(cos_pi(0.9), -0.95105651629515357, 1e-15);
    ck_assert_double_eq_tol(cos_pi(1.0), -1.0, 1e-15);
    ck_assert_double_eq(pow_int(0.5, 10), 1.0 / 1024.0);
    ck_assert_double_eq(pow_int(3.0, 0), 1.0);
    ck_assert_double_eq_tol(pow_int(0.999, 1000), 0.36769542477096404, 1e-14);
}
END_TEST

START_TEST(clip_by_global_norm) {
    float g[2] = {3.0f, 4.0f};
    double n = grad_norm(g, 2);
    ck_assert_double_eq(n, 5.0);
    ck_assert_float_eq(grad_clip(g, 2, n, 10.0), 1.0f); /* under the limit: untouched */
    ck_assert_float_eq(g[0], 3.0f);
    ck_assert_float_eq(grad_clip(g, 2, n, 0.0), 1.0f); /* 0: off */
    ck_assert_float_eq(g[1], 4.0f);
    ck_assert_float_eq(grad_clip(g, 2, n, 1.0), 0.2f);
    ck_assert_float_eq_tol(g[0], 0.6f, 1e-7f);
    ck_assert_float_eq_tol(g[1], 0.8f, 1e-7f);
    ck_assert_double_eq_tol(grad_norm(g, 2), 1.0, 1e-7);
}
END_TEST

START_TEST(accumulation_is_the_mean) {
    float acc[3] = {1, 2, 3};
    const float g2[3] = {3, 2, -1}, g3[3] = {2, 5, 1};
    grad_add(acc, g2, 3);
    grad_add(acc, g3, 3);
    grad_scale(acc, 3, 1.0f / 3.0f);
    ck_assert_float_eq_tol(acc[0], 2.0f, 1e-7f);
    ck_assert_float_eq_tol(acc[1], 3.0f, 1e-7f);
    ck_assert_float_eq_tol(acc[2], 1.0f, 1e-7f);
}
END_TEST

/* ---- data ---- */

static char tmpdir[64];

static void make_tmp(void) { scratch_dir(tmpdir, sizeof tmpdir, "atome-optim"); }
static void rm_tmp(void) { scratch_remove(tmpdir); }

static char *write_tmp(const char *name, const void *bytes, size_t n) {
    static char path[4][128];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, 128, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
    fclose(f);
    return p;
}

START_TEST(data_split_and_windows) {
    make_tmp();
    uint8_t text[1000];
    for (int i = 0; i < 1000; i++) text[i] = (uint8_t)(i % 251);
    char *path = strdup(write_tmp("d.txt", text, sizeof text));
    dataset d;
    char err[256];
    ck_assert_int_eq(data_open(&d, path, NULL, 31, err, sizeof err), 0);
    ck_assert_uint_eq(d.n_train, 900);
    ck_assert_uint_eq(d.n_valid, 100);
    ck_assert_int_eq(d.valid[0], 900 % 251);
    /* windows of 32 bytes sharing their boundary byte: (n − 1) / 31 of them */
    ck_assert_int_eq(data_eval_windows(d.n_valid, 31), 3);
    ck_assert_int_eq(data_eval_windows(63, 31), 2);
    ck_assert_int_eq(data_eval_windows(32, 31), 1);
    ck_assert_int_eq(data_eval_windows(31, 31), 0);
    /* windows are slices of the train bytes, reproducible from the seed */
    uint8_t tok[8 * 32], tok2[8 * 32];
    atome_rng r = {42}, r2 = {42};
    data_sample(&d, &r, 8, 31, tok);
    data_sample(&d, &r2, 8, 31, tok2);
    ck_assert_mem_eq(tok, tok2, sizeof tok);
    ck_assert_uint_eq(r.s, r2.s);
    ck_assert_uint_ne(r.s, 42); /* the sampler advanced: the next batch differs */
    for (int b = 0; b < 8; b++) {
        int s = tok[b * 32];
        for (int t = 1; t < 32; t++) ck_assert_int_eq(tok[b * 32 + t], (s + t) % 251); /* contiguous */
    }
    data_close(&d);
    /* a 320-byte file holds a 32-byte valid window only if 10% of it is >= 32 */
    ck_assert_int_eq(data_open(&d, write_tmp("s.txt", text, 319), NULL, 31, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "too short"));
    ck_assert_int_eq(data_open(&d, write_tmp("s.txt", text, 320), NULL, 31, err, sizeof err), 0);
    data_close(&d);
    ck_assert_int_eq(data_open(&d, write_tmp("e.txt", text, 0), NULL, 31, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "is empty"));
    ck_assert_int_eq(data_open(&d, tmpdir, NULL, 31, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "is a directory"));
    ck_assert_int_eq(data_open(&d, "/nonexistent/x", NULL, 31, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "No such file"));
    /* with --valid: each file needs one window */
    ck_assert_int_eq(data_open(&d, path, write_tmp("v.txt", text, 31), 31, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "v.txt is too short"));
    ck_assert_int_eq(data_open(&d, path, write_tmp("v.txt", text, 32), 31, err, sizeof err), 0);
    ck_assert_uint_eq(d.n_train, 1000);
    ck_assert_uint_eq(d.n_valid, 32);
    data_close(&d);
    free(path);
    rm_tmp();
}
END_TEST

/* ---- checkpoint ---- */

static void fill_state(train_state *s) {
    memset(s, 0, sizeof *s);
    ck_assert_int_eq(atome_preset("nano", &s->set.cfg), 0);
    s->set.steps = 1234, s->set.batch = 3, s->set.seq = 17, s->set.accum = 2, s->set.warmup = 5;
    s->set.eval_every = 7, s->set.schedule = SCHED_CONSTANT, s->set.lr = 1e-3, s->set.final_lr_frac = 0.25;
    s->set.weight_decay = 0.5, s->set.clip = 2.0, s->set.beta1 = 0.8, s->set.beta2 = 0.9, s->set.eps = 1e-7;
    s->set.seed = 0xfeedfacecafebeefull, s->set.train_bytes = 111, s->set.valid_bytes = 22;
    s->set.train_crc = 0x12345678, s->set.valid_crc = 0x9abcdef0, s->set.init_scale = 0.75;
    s->step = 99, s->last_eval = 98, s->best_step = 91, s->best_bpb = 2.5, s->last_bpb = 2.75;
    s->last_loss = 1.875, s->rng = 0x0123456789abcdefull, s->windows = 594;
    ck_assert_int_eq(state_alloc(s), 0);
    for (long i = 0; i < s->n_params; i++) s->params[i] = (float)i * 0.5f, s->m[i] = -(float)i, s->v[i] = (float)i * 2;
    for (size_t i = 0; i < s->blob_bytes; i++) s->best_blob[i] = (uint8_t)(i * 7);
}

START_TEST(checkpoint_round_trip) {
    make_tmp();
    train_state s, r;
    fill_state(&s);
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/ck.bin", tmpdir);
    ck_assert_int_eq(checkpoint_save(path, &s, err, sizeof err), 0);
    ck_assert_int_eq(access(strcat(strcpy(err, path), ".tmp"), F_OK), -1); /* no temporary left */
    ck_assert_int_eq(checkpoint_load(path, &r, err, sizeof err), 0);
    ck_assert_mem_eq(&r.set, &s.set, sizeof s.set);
    ck_assert_int_eq(r.step, 99);
    ck_assert_int_eq(r.last_eval, 98);
    ck_assert_int_eq(r.best_step, 91);
    ck_assert_double_eq(r.best_bpb, 2.5);
    ck_assert_double_eq(r.last_bpb, 2.75);
    ck_assert_double_eq(r.last_loss, 1.875);
    ck_assert_uint_eq(r.rng, s.rng);
    ck_assert_uint_eq(r.windows, 594);
    ck_assert_int_eq(r.n_params, s.n_params);
    ck_assert_mem_eq(r.params, s.params, (size_t)s.n_params * 4);
    ck_assert_mem_eq(r.m, s.m, (size_t)s.n_params * 4);
    ck_assert_mem_eq(r.v, s.v, (size_t)s.n_params * 4);
    ck_assert_mem_eq(r.best_blob, s.best_blob, s.blob_bytes);
    state_free(&r);
    state_free(&s);
    rm_tmp();
}
END_TEST

/* Every damaged copy is refused with a line naming the file and the problem. */
START_TEST(checkpoint_rejects_damage) {
    make_tmp();
    train_state s, r;
    fill_state(&s);
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/ck.bin", tmpdir);
    ck_assert_int_eq(checkpoint_save(path, &s, err, sizeof err), 0);
    size_t size;
    uint8_t *good = (uint8_t *)read_all(path, &size), *bad = malloc(size);
    long n = (long)size;
    /* one flipped bit anywhere past the magic and version */
    for (long at = 8; at < n; at += at < 300 ? 1 : 997) {
        memcpy(bad, good, (size_t)n);
        bad[at] ^= 0x10;
        char *p = write_tmp("bad.bin", bad, (size_t)n);
        ck_assert_msg(checkpoint_load(p, &r, err, sizeof err) == -1, "flip at %ld accepted", at);
        ck_assert_ptr_nonnull(strstr(err, "bad.bin: "));
        ck_assert_msg(strstr(err, "corrupt") || strstr(err, "truncated"), "flip at %ld: %s", at, err);
        ck_assert_ptr_null(r.params);
    }
    /* truncated at every length up to the header, then at a few more */
    for (long len = 0; len < n; len += len < 200 ? 1 : 1009) {
        char *p = write_tmp("short.bin", good, (size_t)len);
        ck_assert_int_eq(checkpoint_load(p, &r, err, sizeof err), -1);
        ck_assert_msg(strstr(err, "truncated") || strstr(err, "bad magic") || strstr(err, "empty"), "%s", err);
    }
    memcpy(bad, good, (size_t)n);
    bad[0] = 'X';
    ck_assert_int_eq(checkpoint_load(write_tmp("m.bin", bad, (size_t)n), &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "bad magic"));
    memcpy(bad, good, (size_t)n);
    bad[4] = 9;
    ck_assert_int_eq(checkpoint_load(write_tmp("v.bin", bad, (size_t)n), &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "version 9"));
    ck_assert_int_eq(checkpoint_load(write_tmp("x.bin", good, (size_t)n), &r, err, sizeof err), 0);
    state_free(&r);
    ck_assert_int_eq(checkpoint_load(tmpdir, &r, err, sizeof err), -1);
    free(good);
    free(bad);
    state_free(&s);
    rm_tmp();
}
END_TEST

/* float_act round-trips, and a version-2 checkpoint (before the field was appended: the same
 * file without the header's last 4 bytes) still loads, as an int8 run; a float_act other
 * than 0 or 1, or on the vanilla model, is refused. */
/* --init-scale: every normally drawn weight and the SSM's c exactly scaled (the same draws),
 * LayerNorm, a_raw and b untouched. */
START_TEST(init_scale_scales_the_weights) {
    atome_config c;
    ck_assert_int_eq(atome_preset("nano", &c), 0);
    long P = atome_param_count(&c);
    float *a = malloc((size_t)P * sizeof *a), *b = malloc((size_t)P * sizeof *b);
    ck_assert(a && b);
    model_init(a, &c, 5, 1.0f);
    model_init(b, &c, 5, 0.5f);
    model_params pa, pb;
    model_params_bind(&pa, &c, a), model_params_bind(&pb, &c, b);
    long V = c.vocab, D = c.d_model, Dh = c.d_head, halved = 0;
#define HALF(f, n) for (long i = 0; i < (n); i++, halved++) ck_assert(pb.f[i] == 0.5f * pa.f[i] && pa.f[i] != 0.0f)
#define SAME(f, n) for (long i = 0; i < (n); i++) ck_assert(pb.f[i] == pa.f[i])
    HALF(emb, V * D);
    HALF(unemb, V * D);
    SAME(lnf_g, D);
    SAME(lnf_b, D);
    for (int l = 0; l < c.n_layers; l++) {
        HALF(layer[l].conv, D * ATOME_CONV_K);
        HALF(layer[l].wq, Dh * D);
        HALF(layer[l].wk, Dh * D);
        HALF(layer[l].wv, D * D);
        HALF(layer[l].router, 3 * D);
        HALF(layer[l].ssm_c, D);
        SAME(layer[l].ln_g, D);
        SAME(layer[l].ln_b, D);
        SAME(layer[l].ssm_araw, D);
        SAME(layer[l].ssm_b, D);
    }
#undef HALF
#undef SAME
    ck_assert_int_eq(halved, P - c.n_layers * 4 * D - 2 * D);
    free(a), free(b);
}
END_TEST

/* buf[n] (a checkpoint) rewritten as an older version: the last cut bytes of its header dropped,
 * version, lengths and CRC fixed up. Returns the new length. */
static size_t older_version(uint8_t *dst, const uint8_t *src, size_t n, uint32_t version, uint32_t cut) {
    uint32_t h = atome_le_get_u32(src + 12);
    uint64_t total = atome_le_get_u64(src + 16);
    memcpy(dst, src, h - cut), memcpy(dst + h - cut, src + h, n - h);
    h -= cut, total -= cut;
    atome_le_put_u32(dst + 4, version), atome_le_put_u32(dst + 12, h), atome_le_put_u64(dst + 16, total);
    atome_le_put_u32(dst + 8, atome_crc32(0, dst + 12, n - cut - 12));
    return n - cut;
}

START_TEST(checkpoint_float_act_init_scale_and_older_versions) {
    make_tmp();
    train_state s, r;
    fill_state(&s);
    s.set.float_act = 1, s.set.init_scale = 0.25;
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/ck.bin", tmpdir);
    ck_assert_int_eq(checkpoint_save(path, &s, err, sizeof err), 0);
    ck_assert_int_eq(checkpoint_load(path, &r, err, sizeof err), 0);
    ck_assert_int_eq(r.set.float_act, 1);
    ck_assert(r.set.init_scale == 0.25);
    ck_assert_mem_eq(&r.set, &s.set, sizeof s.set);
    state_free(&r);
    size_t n;
    uint8_t *v4 = (uint8_t *)read_all(path, &n), *old = malloc(n);
    ck_assert_ptr_nonnull(old);
    /* version 4 (without the 52 bytes of the task and class fields) loads as a language-model run;
     * version 3 (no init_scale either) with init_scale 1; version 2 (no float_act either) as int8 */
    for (uint32_t version = 4; version >= 2; version--) {
        size_t m = older_version(old, v4, n, version, 52 + (version == 3 ? 8 : version == 2 ? 12 : 0));
        ck_assert_msg(checkpoint_load(write_tmp("old.bin", old, m), &r, err, sizeof err) == 0, "%s", err);
        ck_assert(r.set.init_scale == (version == 4 ? 0.25 : 1.0));
        ck_assert_int_eq(r.set.float_act, version >= 3 ? 1 : 0);
        ck_assert_int_eq(r.set.task, TASK_LM);
        ck_assert_int_eq(r.set.cfg.n_classes, 0);
        ck_assert_mem_eq(r.params, s.params, (size_t)s.n_params * 4);
        state_free(&r);
    }
    /* float_act 2, then 1 on the vanilla model: CRC fixed up, still refused */
    uint32_t h = atome_le_get_u32(v4 + 12);
    for (int k = 0; k < 2; k++) {
        if (k == 0) atome_le_put_u32(v4 + h - 52 - 12, 2); /* float_act: before init_scale and v5's fields */
        else atome_le_put_u32(v4 + 24, ARCH_VANILLA);
        atome_le_put_u32(v4 + 8, atome_crc32(0, v4 + 12, n - 12));
        ck_assert_int_eq(checkpoint_load(write_tmp("bad.bin", v4, n), &r, err, sizeof err), -1);
        ck_assert_msg(strstr(err, "model dimensions invalid"), "%s", err);
    }
    free(v4), free(old);
    state_free(&s);
    rm_tmp();
}
END_TEST

Suite *optim_suite(void) {
    Suite *s = suite_create("optim");
    TCase *t = tcase_create("optim");
    tcase_add_test(t, adamw_hand_values);
    tcase_add_test(t, adamw_decay_only);
    tcase_add_test(t, decay_mask_layout);
    tcase_add_test(t, schedule_values);
    tcase_add_test(t, own_math);
    tcase_add_test(t, clip_by_global_norm);
    tcase_add_test(t, accumulation_is_the_mean);
    tcase_add_test(t, data_split_and_windows);
    tcase_add_test(t, checkpoint_round_trip);
    tcase_add_test(t, checkpoint_rejects_damage);
    tcase_add_test(t, checkpoint_float_act_init_scale_and_older_versions);
    tcase_add_test(t, init_scale_scales_the_weights);
    suite_add_tcase(s, t);
    return s;
}

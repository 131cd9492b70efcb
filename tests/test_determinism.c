/* test_determinism.c — the trainer writes the same bytes on every CPU: each dense-kernel path
 * (ATOME_CPU), 1 and 2 threads, an x86-64 without AVX (qemu-x86_64 -cpu Nehalem) and an
 * aarch64 build (qemu-aarch64) train one short nano run to the same model.bin and
 * checkpoint.bin; and each path's products equal, bit for bit, the summation order dense.h
 * writes down.
 *
 * Shapes: T rows, R × C a matrix, ld >= R the row stride of dy.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_rng.h"
#include "../train/dense.h"
#include "../train/exact_sum.h"
#include "../train/math_n.h"
#include "util.h"

static const char *const paths[] = {"generic", "avx2", "avx512"};
enum { N_PATHS = 3 };

/* 1 if this machine runs the path (dense_choose refuses it otherwise); the selection is
 * restored to the automatic one. */
static int path_runs(const char *p) {
    int ok = dense_choose(p, NULL, 0) == 0;
    dense_choose(NULL, NULL, 0);
    return ok;
}

/* ---------------------------------------------------------------- the kernels, in process */

/* dense.h's order, written out: s = +0, then the products in ascending summed index, then the
 * old value + s. */
static void ref_dx(float *dx, const float *dy, int ld, const float *w, int T, int R, int C) {
    for (int t = 0; t < T; t++)
        for (int c = 0; c < C; c++) {
            float s = 0.0f;
            for (int r = 0; r < R; r++) {
                float p = dy[(long)t * ld + r] * w[(long)r * C + c];
                s += p;
            }
            dx[(long)t * C + c] = dx[(long)t * C + c] + s;
        }
}

static void ref_dw(float *dw, const float *dy, int ld, const float *x, int T, int R, int C) {
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) {
            float s = 0.0f;
            for (int t = 0; t < T; t++) {
                float p = dy[(long)t * ld + r] * x[(long)t * C + c];
                s += p;
            }
            dw[(long)r * C + c] = dw[(long)r * C + c] + s;
        }
}

static void fill(float *a, long n, atome_rng *g) {
    for (long i = 0; i < n; i++) a[i] = (atome_rng_uniform(g) - 0.5f) * 4.0f;
}

/* Shapes with every tail: rows not a multiple of 4, columns not of any vector width. */
START_TEST(every_path_sums_in_the_written_order) {
    static const int shapes[][3] = {{1, 1, 1}, {5, 7, 3}, {4, 16, 16}, {33, 19, 37}, {64, 84, 64}, {17, 256, 40},
                                    {9, 3, 95}};
    int ran = 0;
    for (int p = 0; p < N_PATHS; p++) {
        if (!path_runs(paths[p])) continue;
        ck_assert_int_eq(dense_choose(paths[p], NULL, 0), 0);
        ck_assert_str_eq(dense_path(), paths[p]);
        ran++;
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            int T = shapes[s][0], R = shapes[s][1], C = shapes[s][2], ld = R + 5;
            atome_rng g = {1000u + s};
            float *dy = malloc(sizeof(float) * T * ld), *w = malloc(sizeof(float) * R * C);
            float *x = malloc(sizeof(float) * T * C), *dx = malloc(sizeof(float) * T * C);
            float *dx0 = malloc(sizeof(float) * T * C), *dw = malloc(sizeof(float) * R * C);
            float *dw0 = malloc(sizeof(float) * R * C);
            fill(dy, (long)T * ld, &g), fill(w, (long)R * C, &g), fill(x, (long)T * C, &g);
            fill(dx, (long)T * C, &g), fill(dw, (long)R * C, &g);
            memcpy(dx0, dx, sizeof(float) * T * C), memcpy(dw0, dw, sizeof(float) * R * C);
            dense_dx(dx, dy, ld, w, T, R, C);
            ref_dx(dx0, dy, ld, w, T, R, C);
            dense_dw(dw, dy, ld, x, T, R, C);
            ref_dw(dw0, dy, ld, x, T, R, C);
            ck_assert_msg(!memcmp(dx, dx0, sizeof(float) * T * C), "dense_dx, path %s, T %d R %d C %d", paths[p], T,
                          R, C);
            ck_assert_msg(!memcmp(dw, dw0, sizeof(float) * R * C), "dense_dw, path %s, T %d R %d C %d", paths[p], T,
                          R, C);
            free(dy), free(w), free(x), free(dx), free(dx0), free(dw), free(dw0);
        }
    }
    dense_choose(NULL, NULL, 0);
    ck_assert_int_ge(ran, 1);
}
END_TEST

START_TEST(unknown_path_is_refused) {
    char err[128];
    ck_assert_int_eq(dense_choose("sse9", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "ATOME_CPU=sse9: unknown path"), "%s", err);
    expect_one_line_error("ATOME_CPU=sse9 ./atome-train --data data/tinystories_valid.txt --preset nano --steps 1 "
                          "--out /tmp/atome-det-never",
                          1, "ATOME_CPU=sse9: unknown path");
    ck_assert_int_ne(system("test -e /tmp/atome-det-never"), 0);
}
END_TEST

/* ---------------------------------------------------------------- the exact sum */

/* The exact sum of g[order[0..n-1]], folding the lanes after every `fold` terms. */
static exact_acc acc_of(const float *g, const int *order, int n, int fold) {
    exact_acc acc = 0;
    int64_t hi = 0, lo = 0;
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(exact_add(&hi, &lo, &g[order[i]], 1), 0);
        if ((i + 1) % fold == 0) exact_fold(&acc, &hi, &lo, 1);
    }
    exact_fold(&acc, &hi, &lo, 1);
    ck_assert(hi == 0 && lo == 0);
    return acc;
}

static float sum_of(const float *g, const int *order, int n) {
    exact_acc acc = acc_of(g, order, n, EXACT_MAX_ADDS);
    float out;
    exact_to_float(&out, &acc, 1);
    return out;
}

START_TEST(exact_sum_is_order_free_and_rounds_once) {
    /* A float of magnitude >= 2^-57 is a whole number of 2^-80 units: it comes back as it was. */
    static const float keep[] = {1.0f, -1.0f, 0x1.fffffep9f, -0x1.fffffep9f, 0x1p-57f, 3.14159274f, -1e-9f,
                                 0x1.234566p-30f};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        int o = 0;
        ck_assert_msg(sum_of(&keep[i], &o, 1) == keep[i], "%a", keep[i]);
    }
    /* Below 2^-80 truncated toward zero, on either side. */
    float tiny[] = {0x1p-81f, -0x1p-81f, 0x1.8p-80f, -0x1.8p-80f, 0x1p-140f};
    float tiny_want[] = {0.0f, 0.0f, 0x1p-80f, -0x1p-80f, 0.0f};
    for (int i = 0; i < 5; i++) {
        int o = i;
        ck_assert_msg(sum_of(tiny, &o, 1) == tiny_want[i], "%a", tiny[i]);
    }
    /* 1 + 2^-24 + 2^-24: float addition in this order gives 1 (each 2^-24 is half an ulp and
     * ties to even), in the other 1 + 2^-23; the exact sum gives 1 + 2^-23 in every order. */
    float g[3] = {1.0f, 0x1p-24f, 0x1p-24f};
    int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (int p = 0; p < 6; p++) ck_assert(sum_of(g, perms[p], 3) == 1.0f + 0x1p-23f);
    /* Rounded to nearest, ties to even, once: 1 + 2^-24 (a tie) to 1; 1 + 2^-24 + 2^-60 up. */
    float h[3] = {1.0f, 0x1p-24f, 0x1p-60f};
    ck_assert(sum_of(h, perms[0], 2) == 1.0f);
    ck_assert(sum_of(h, perms[0], 3) == 1.0f + 0x1p-23f);
    /* Many terms, two orders, two partitions: the same bits. */
    enum { N = 4096 };
    static float r[N];
    static int fwd[N], rev[N];
    atome_rng rng = {7};
    for (int i = 0; i < N; i++) r[i] = (atome_rng_uniform(&rng) - 0.5f) * 0x1p-8f, fwd[i] = i, rev[i] = N - 1 - i;
    float a = sum_of(r, fwd, N), b = sum_of(r, rev, N);
    exact_acc p1 = 0, p2 = 0;
    int64_t h1 = 0, l1 = 0, h2 = 0, l2 = 0;
    for (int i = 0; i < N; i++) exact_add(i % 3 ? &h2 : &h1, i % 3 ? &l2 : &l1, &r[i], 1); /* two "ranks" */
    exact_fold(&p1, &h1, &l1, 1), exact_fold(&p2, &h2, &l2, 1);
    p1 += p2;
    float c;
    exact_to_float(&c, &p1, 1);
    ck_assert(a == b && a == c);
    /* Folding often or once: the same integer. */
    ck_assert(acc_of(r, fwd, N, 7) == acc_of(r, rev, N, N));
    /* The largest terms, EXACT_MAX_ADDS of them between folds: no lane overflows. */
    static float big[EXACT_MAX_ADDS];
    static int ord[EXACT_MAX_ADDS];
    for (int i = 0; i < EXACT_MAX_ADDS; i++) big[i] = -0x1.fffffep9f, ord[i] = i;
    exact_acc ab = acc_of(big, ord, EXACT_MAX_ADDS, EXACT_MAX_ADDS);
    float fb;
    exact_to_float(&fb, &ab, 1);
    ck_assert(fb == -0x1.fffffep9f * (float)EXACT_MAX_ADDS);
    /* Not finite, or not below 2^10: refused (nothing added), flagged. */
    float bad[] = {NAN, INFINITY, -INFINITY, 0x1p10f, -0x1p10f};
    for (int i = 0; i < 5; i++) {
        int64_t hi = 0, lo = 0;
        ck_assert_int_eq(exact_add(&hi, &lo, &bad[i], 1), 1);
        ck_assert(hi == 0 && lo == 0);
    }
}
END_TEST

/* exact_add's lanes are integers: every path (it follows dense_path) gives the same ones, refused
 * terms included, over lengths with vector tails. */
START_TEST(exact_add_same_lanes_on_every_path) {
    enum { N = 1003 };
    static float g[N];
    static int64_t hi[N_PATHS][N], lo[N_PATHS][N];
    atome_rng rng = {11};
    for (int i = 0; i < N; i++) g[i] = (atome_rng_uniform(&rng) - 0.5f) * 0x1p-3f * atome_rng_uniform(&rng);
    g[5] = NAN, g[77] = 0x1p10f, g[500] = -INFINITY, g[901] = 0x1p-130f;
    int ran = 0;
    for (int p = 0; p < N_PATHS; p++) {
        if (!path_runs(paths[p])) continue;
        ck_assert_int_eq(dense_choose(paths[p], NULL, 0), 0);
        for (int k = 0; k < 3; k++) ck_assert_int_eq(exact_add(hi[p], lo[p], g, N - k), 1);
        if (ran++) ck_assert_msg(!memcmp(hi[p], hi[0], sizeof hi[0]) && !memcmp(lo[p], lo[0], sizeof lo[0]),
                                 "path %s", paths[p]);
    }
    dense_choose(NULL, NULL, 0);
    ck_assert(hi[0][5] == 0 && lo[0][5] == 0 && hi[0][77] == 0 && hi[0][500] == 0);
}
END_TEST

START_TEST(exp2_d_within_two_ulp) {
    for (double x = -1000.0; x <= 1000.0; x += 0.0123) {
        double want = exp2(x), got = exp2_d(x);
        ck_assert_msg(fabs(got - want) <= 2.0 * 0x1p-52 * want, "exp2(%.17g) = %.17g, want %.17g", x, got, want);
    }
    ck_assert(exp2_d(8.0) == 256.0 && exp2_d(0.0) == 1.0 && exp2_d(-1.0) == 0.5);
    ck_assert(isinf(exp2_d(2000.0)) && exp2_d(-2000.0) == 0.0 && isnan(exp2_d(NAN)));
}
END_TEST

/* ---------------------------------------------------------------- whole runs, as processes */

static char dir[64]; /* scratch: train.txt, valid.txt (scratch_data_dir), one directory per run */
static void setup(void) { scratch_data_dir(dir, sizeof dir, "atome-det"); }
static void teardown(void) { scratch_remove(dir); }

/* Runs `prefix trainer` on the short nano run into dir/name, checks it exits 0 and (kernels
 * not NULL) names `kernels` as its path on its first line. */
static void train(const char *prefix, const char *trainer, const char *name, int threads, const char *kernels) {
    char cmd[1024], out[4096], want[64];
    snprintf(cmd, sizeof cmd,
             "%s %s --preset nano --batch 3 --seq 16 --steps 16 --eval-every 16 --sample 0 --threads %d "
             "--data %s/train.txt --valid %s/valid.txt --out %s/%s",
             prefix, trainer, threads, dir, dir, dir, name);
    ck_assert_msg(run_cmd(cmd, out, sizeof out) == 0, "%s:\n%s", cmd, out);
    if (!kernels) return;
    snprintf(want, sizeof want, "| kernels %s\n", kernels);
    char *nl = strchr(out, '\n');
    ck_assert_msg(nl && strstr(out, want) && strstr(out, want) < nl + 1, "%s: first line lacks '%s':\n%s", cmd,
                  want, out);
}

/* dir/name wrote the bytes of dir/ref. */
static void same_as(const char *ref, const char *name, const char *what) {
    char a[160], b[160];
    snprintf(a, sizeof a, "%s/%s", dir, ref);
    snprintf(b, sizeof b, "%s/%s", dir, name);
    expect_same_run(a, b, what);
}

/* The weights, Adam moments and best blob of a checkpoint: what follows its header (whose
 * length is the 32-bit word at byte 12). */
static char *checkpoint_body(const char *path, size_t *n) {
    size_t len;
    char *f = read_all(path, &len);
    uint32_t head;
    ck_assert(len >= 16);
    memcpy(&head, f + 12, 4);
    ck_assert(head <= len);
    *n = len - head;
    memmove(f, f + head, *n);
    return f;
}

/* The same 4 windows per update as one micro-batch of 4, two of 2 or four of 1 (data_sample
 * draws them in the same order): the exact sum makes the weights and moments the same bytes
 * (each micro-batch's mean and the 1/accum average are scalings by powers of 2, exact). The
 * checkpoints' headers differ: they record --batch and --accum, and the loss is a double sum
 * in micro-batch order. */
START_TEST(micro_batch_split_same_model) {
    static const char *const split[][2] = {{"4", "1"}, {"2", "2"}, {"1", "4"}};
    for (int i = 0; i < 3; i++) {
        char cmd[1024], out[4096];
        snprintf(cmd, sizeof cmd,
                 "./atome-train --preset nano --batch %s --accum %s --seq 16 --steps 12 --eval-every 12 --sample 0 "
                 "--data %s/train.txt --valid %s/valid.txt --out %s/split%d",
                 split[i][0], split[i][1], dir, dir, dir, i);
        ck_assert_msg(run_cmd(cmd, out, sizeof out) == 0, "%s:\n%s", cmd, out);
    }
    char a[160], b[160];
    size_t na, nb;
    snprintf(a, sizeof a, "%s/split0/checkpoint.bin", dir);
    char *body0 = checkpoint_body(a, &na);
    for (int i = 1; i < 3; i++) {
        snprintf(a, sizeof a, "%s/split0/model.bin", dir);
        snprintf(b, sizeof b, "%s/split%d/model.bin", dir, i);
        ck_assert_msg(same_file(a, b), "model.bin differs: --batch %s --accum %s", split[i][0], split[i][1]);
        snprintf(b, sizeof b, "%s/split%d/checkpoint.bin", dir, i);
        char *body = checkpoint_body(b, &nb);
        ck_assert_msg(na == nb && !memcmp(body0, body, na), "checkpoint weights differ: --batch %s --accum %s",
                      split[i][0], split[i][1]);
        free(body);
    }
    free(body0);
}
END_TEST

START_TEST(every_path_and_thread_count_one_run) {
    train("ATOME_CPU=generic", "./atome-train", "ref", 1, "generic");
    int ran = 0;
    for (int p = 0; p < N_PATHS; p++) {
        if (!path_runs(paths[p])) continue;
        for (int th = 1; th <= 2; th++) {
            char env[64], name[32], what[64];
            snprintf(env, sizeof env, "ATOME_CPU=%s", paths[p]);
            snprintf(name, sizeof name, "%s-%d", paths[p], th);
            snprintf(what, sizeof what, "ATOME_CPU=%s at %d thread(s)", paths[p], th);
            train(env, "./atome-train", name, th, paths[p]);
            same_as("ref", name, what);
            ran++;
        }
    }
    ck_assert_int_ge(ran, 2);
}
END_TEST

/* An x86-64 of 2008 (SSE4.2, no AVX, no FMA), emulated: the trainer chooses the generic path
 * by itself there (the first line says so: it ran under QEMU, not re-executed outside it). */
START_TEST(an_x86_64_without_avx_same_run) {
    train("ATOME_CPU=generic", "./atome-train", "ref", 2, "generic");
    train("env -u ATOME_CPU qemu-x86_64 -cpu Nehalem", "./atome-train", "nehalem", 2, "generic");
    same_as("ref", "nehalem", "qemu-x86_64 -cpu Nehalem");
    expect_one_line_error("ATOME_CPU=avx2 qemu-x86_64 -cpu Nehalem ./atome-train --data data/tinystories_valid.txt "
                          "--preset nano --steps 1 --out /tmp/atome-det-never",
                          1, "ATOME_CPU=avx2: this CPU does not run that path");
}
END_TEST

/* The aarch64 build (make build/aarch64/atome-train), emulated: another ISA, compiler back end,
 * libm and libgomp. */
START_TEST(aarch64_same_run) {
    train("", "./atome-train", "ref", 2, NULL);
    train("qemu-aarch64", "build/aarch64/atome-train", "aarch64", 2, "generic");
    same_as("ref", "aarch64", "the aarch64 build under qemu-aarch64");
}
END_TEST

/* The shipped nano checkpoint is what its command (scripts/make_checkpoints.sh, the one place the
 * commands are written) trains on this machine, byte for byte; and every shipped blob is the one
 * checkpoints/SHA256SUMS names, which checkpoints/README.md quotes. */
START_TEST(shipped_nano_retrains_to_its_bytes) {
    char cmd[512], out[4096];
    snprintf(cmd, sizeof cmd, "scripts/make_checkpoints.sh --into %s/ship nano", dir);
    ck_assert_msg(run_cmd(cmd, out, sizeof out) == 0, "%s:\n%s", cmd, out);
    char got[160];
    snprintf(got, sizeof got, "%s/ship/nano.bin", dir);
    ck_assert_msg(same_file(got, "checkpoints/nano.bin"), "%s is not checkpoints/nano.bin", got);
    ck_assert_msg(run_cmd("cd checkpoints && sha256sum --quiet -c SHA256SUMS", out, sizeof out) == 0, "%s", out);
    /* checkpoints/README.md quotes SHA256SUMS line for line */
    size_t ns, nr;
    char *sums = read_all("checkpoints/SHA256SUMS", &ns), *readme = read_all("checkpoints/README.md", &nr);
    for (char *line = strtok(sums, "\n"); line; line = strtok(NULL, "\n"))
        ck_assert_msg(strstr(readme, line) != NULL, "checkpoints/README.md does not list: %s", line);
    free(sums), free(readme);
}
END_TEST

Suite *determinism_suite(void) {
    Suite *s = suite_create("determinism");
    TCase *k = tcase_create("kernels");
    tcase_add_test(k, every_path_sums_in_the_written_order);
    tcase_add_test(k, unknown_path_is_refused);
    tcase_add_test(k, exact_sum_is_order_free_and_rounds_once);
    tcase_add_test(k, exp2_d_within_two_ulp);
    tcase_add_test(k, exact_add_same_lanes_on_every_path);
    suite_add_tcase(s, k);
    TCase *t = tcase_create("runs");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, micro_batch_split_same_model);
    tcase_add_test(t, every_path_and_thread_count_one_run);
    tcase_add_test(t, an_x86_64_without_avx_same_run);
    tcase_add_test(t, aarch64_same_run);
    tcase_add_test(t, shipped_nano_retrains_to_its_bytes);
    suite_add_tcase(s, t);
    return s;
}

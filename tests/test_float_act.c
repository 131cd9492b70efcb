/* test_float_act.c — the --float-act ablation (train/float_act.h): float activations where the
 * engine has int8 ones. Its gradient check is in test_grad_model.c, beside the int8 one; here:
 * that the flag changes the forward at all, and atome-train --float-act as a user runs it — the
 * same checkpoint bytes for 1 and 2 threads, no model.bin, a logged bpb that is the float
 * forward's, --resume that follows the checkpoint, and the settings it refuses.
 *
 * Shapes: B windows, T predicted bytes each, V vocab, P parameters.
 *
 * Runs are tiny (nano preset, a 60 KB slice of the bundled TinyStories, windows of 33 bytes):
 * what is compared is bytes, so size does not weaken it. */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../train/checkpoint.h"
#include "../train/fb.h"
#include "util.h"

/* The same weights through the int8 forward and the float one: the logits and gradients must
 * differ (else the flag would do nothing), yet stay the same model's — the loss within 5%. */
START_TEST(float_logits_differ_from_int8) {
    atome_config c;
    ck_assert_int_eq(atome_preset("nano", &c), 0);
    enum { B = 2, T = 24, V = ATOME_VOCAB };
    long P = atome_param_count(&c);
    float *master = malloc((size_t)P * sizeof(float)), *gi = malloc((size_t)P * sizeof(float));
    float *gf = malloc((size_t)P * sizeof(float)), *li = malloc((size_t)B * T * V * sizeof(float));
    float *lf = malloc((size_t)B * T * V * sizeof(float));
    uint8_t *blob = aligned_alloc(64, (model_blob_bytes(&c) + 63) & ~(size_t)63), tok[B * (T + 1)];
    ck_assert(master && gi && gf && li && lf && blob);
    model_init(master, &c, 3, 1.0f);
    model_params mp;
    model_params_bind(&mp, &c, master);
    model_pack(blob, &mp, &c);
    const char *text = "Once upon a time, there was a little cat who liked to sleep in the sun.";
    for (int i = 0; i < B * (T + 1); i++) tok[i] = (uint8_t)text[i];
    fb_context *fi = fb_create(&c, B, T), *ff = fb_create_float_act(&c, B, T);
    ck_assert(fi && ff);
    double loss_i = fb_forward(fi, blob, tok, li, NULL), loss_f = fb_forward(ff, blob, tok, lf, NULL);
    ck_assert(isfinite(loss_i) && isfinite(loss_f));
    long differ = 0;
    for (long i = 0; i < (long)B * T * V; i++) differ += li[i] != lf[i];
    ck_assert_msg(differ > (long)B * T * V / 2, "only %ld of %d logits differ", differ, B * T * V);
    ck_assert_msg(loss_f != loss_i && fabs(loss_f - loss_i) < 0.05 * loss_i, "loss int8 %.9g, float %.9g", loss_i,
                  loss_f);
    ck_assert(fb_step(fi, blob, &mp, tok, gi) == loss_i);
    ck_assert(fb_step(ff, blob, &mp, tok, gf) == loss_f);
    ck_assert(memcmp(gi, gf, (size_t)P * sizeof(float)) != 0);
    fb_free(fi), fb_free(ff);
    free(master), free(gi), free(gf), free(li), free(lf), free(blob);
}
END_TEST

/* ---- atome-train --float-act ---- */

static char dir[32]; /* this test's scratch directory: train.txt and valid.txt (scratch_data_dir) */

static void setup(void) { scratch_data_dir(dir, sizeof dir, "atome-float-act"); }
static void teardown(void) { scratch_remove(dir); }

#define TINY "--preset nano --batch 4 --seq 32 --sample 0 --data %1$s/train.txt --valid %1$s/valid.txt "

static char out[1 << 16];

/* Runs ./atome-train with args (a format: %1$s is the scratch directory, then the rest);
 * returns its exit status, its stdout and stderr in out. */
static int train(const char *fmt, ...) {
    char args[1024], cmd[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "./atome-train %s", args);
    return run_cmd(cmd, out, sizeof out);
}

/* read_all and same_file of files in the scratch directory */
static char *slurp(const char *sub, size_t *n) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    return read_all(path, n);
}

static int same_in_dir(const char *a, const char *b) {
    char pa[128], pb[128];
    snprintf(pa, sizeof pa, "%s/%s", dir, a), snprintf(pb, sizeof pb, "%s/%s", dir, b);
    return same_file(pa, pb);
}

/* 1 if @dir/sub holds exactly checkpoint.bin and log.jsonl: no model.bin, no temporaries. */
static int only_ckpt_and_log(const char *sub) {
    char cmd[160];
    snprintf(cmd, sizeof cmd, "test \"$(ls -A %s/%s | tr '\\n' ' ')\" = 'checkpoint.bin log.jsonl '", dir, sub);
    return system(cmd) == 0;
}

static void load(const char *sub, train_state *s) {
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/%s/checkpoint.bin", dir, sub);
    ck_assert_msg(checkpoint_load(path, s, err, sizeof err) == 0, "%s", err);
}

/* The nats of the float forward over every valid window (data.h's walk, all at once). */
static double float_valid_bpb(const uint8_t *blob, size_t bytes, int float_act) {
    size_t nv;
    char *valid = slurp("valid.txt", &nv);
    atome_config c;
    atome_preset("nano", &c);
    int T = 32, nw = (int)((nv - 1) / T);
    uint8_t *win = malloc((size_t)nw * (T + 1)), *b4 = aligned_alloc(4, (bytes + 3) & ~(size_t)3);
    memcpy(b4, blob, bytes);
    for (int i = 0; i < nw; i++) memcpy(win + (size_t)i * (T + 1), valid + (size_t)i * T, (size_t)T + 1);
    fb_context *f = float_act ? fb_create_float_act(&c, nw, T) : fb_create(&c, nw, T);
    ck_assert_ptr_nonnull(f);
    double bpb = fb_forward(f, b4, win, NULL, NULL) / ((double)nw * T) / log(2.0);
    fb_free(f), free(win), free(b4), free(valid);
    return bpb;
}

/* 1 and 2 threads give the same checkpoint bytes; the int8 run of the same seed another; no
 * model.bin, and the run says why; the checkpoint records the flag; the logged bpb is the float
 * forward's on the best model (and not the int8 forward's). */
START_TEST(float_act_run) {
    ck_assert_int_eq(train("--help"), 0);
    ck_assert_ptr_nonnull(strstr(out, "--float-act"));
    const char *run = TINY "--steps 20 --eval-every 10 --float-act --threads %2$d --out %1$s/%3$s";
    ck_assert_int_eq(train(run, dir, 1, "t1"), 0);
    ck_assert_ptr_nonnull(strstr(out, "float activations (ablation: no model.bin)"));
    ck_assert_ptr_nonnull(strstr(out, "step 20/20"));
    ck_assert_ptr_nonnull(strstr(out, "--float-act: no model.bin written"));
    ck_assert_ptr_null(strstr(out, "model.bin ("));
    ck_assert_int_eq(train(run, dir, 2, "t2"), 0);
    ck_assert_int_eq(train(TINY "--steps 20 --eval-every 10 --threads 2 --out %1$s/i8", dir), 0);
    ck_assert_msg(only_ckpt_and_log("t1") && only_ckpt_and_log("t2"), "a --float-act run left other files");
    ck_assert_msg(same_in_dir("t1/checkpoint.bin", "t2/checkpoint.bin"), "checkpoint differs between 1 and 2 threads");
    ck_assert_msg(!same_in_dir("t1/checkpoint.bin", "i8/checkpoint.bin"), "--float-act trained as the int8 run did");

    train_state s;
    load("t1", &s);
    ck_assert_int_eq(s.set.float_act, 1);
    ck_assert_int_eq(s.best_step, 20);
    size_t nl;
    char *lg = slurp("t1/log.jsonl", &nl);
    const char *last = strrchr(lg, '{');
    double logged, bpb = float_valid_bpb(s.best_blob, s.blob_bytes, 1);
    ck_assert_int_eq(sscanf(strstr(last, "\"best_bpb\": "), "\"best_bpb\": %lf", &logged), 1);
    ck_assert_msg(fabs(bpb - logged) < 2e-6, "recomputed %.7f, logged %.7f", bpb, logged);
    ck_assert(fabs(float_valid_bpb(s.best_blob, s.blob_bytes, 0) - logged) > 1e-5);
    free(lg);
    state_free(&s);
}
END_TEST

/* The log without its wall-clock times. */
static char *log_without_times(const char *sub) {
    size_t n;
    char *s = slurp(sub, &n), *o = s;
    for (char *p = s; *p;) {
        if (!strncmp(p, ", \"time_s\": ", 12))
            while (*p != '}') p++;
        else *o++ = *p++;
    }
    *o = 0;
    return s;
}

/* Stopped by SIGTERM and resumed without the flag, a --float-act run follows its checkpoint
 * and ends as the run never stopped; an int8 run refuses --float-act on resume, and the vanilla
 * model refuses it outright: one line each, nothing written. */
START_TEST(float_act_resume) {
    const char *run = TINY "--steps 300 --eval-every 150 --save-every 20 --threads 1 --out %1$s/%2$s%3$s";
    ck_assert_int_eq(train(run, dir, "ref", " --float-act"), 0);
    char cmd[1200], ck[96];
    snprintf(ck, sizeof ck, "%s/cut/checkpoint.bin", dir);
    char args[1024];
    snprintf(args, sizeof args, run, dir, "cut", " --float-act");
    snprintf(cmd, sizeof cmd, "exec ./atome-train %s > /dev/null 2>&1", args);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    ck_assert_int_gt(pid, 0);
    int st;
    for (int i = 0; i < 60000 && access(ck, F_OK) != 0; i++) {
        ck_assert_msg(waitpid(pid, &st, WNOHANG) == 0, "the run ended before its first checkpoint");
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM, "status %d: the run ended before the signal", st);
    train_state s;
    load("cut", &s);
    ck_assert_msg(s.step > 0 && s.step < 300, "stopped at step %lld", (long long)s.step);
    state_free(&s);
    ck_assert_int_eq(train(run, dir, "cut", " --resume"), 0); /* no --float-act: the checkpoint's */
    ck_assert_ptr_nonnull(strstr(out, "resumed at step"));
    ck_assert_msg(same_in_dir("ref/checkpoint.bin", "cut/checkpoint.bin"), "the resumed run's checkpoint differs");
    char *la = log_without_times("ref/log.jsonl"), *lb = log_without_times("cut/log.jsonl");
    ck_assert_str_eq(la, lb);
    free(la), free(lb);
    ck_assert(only_ckpt_and_log("cut"));

    ck_assert_int_eq(train(TINY "--steps 3 --out %1$s/i8", dir), 0);
    snprintf(cmd, sizeof cmd, "cp %1$s/i8/checkpoint.bin %1$s/i8.bak && ls -l --time-style=+%%s %1$s/i8 > %1$s/ls.before",
             dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "./atome-train " TINY "--steps 3 --out %1$s/i8 --resume --float-act", dir);
    expect_one_line_error(cmd, 1, "atome-train: --resume: --float-act differs from the run in");
    snprintf(cmd, sizeof cmd, "./atome-train --data %1$s/train.txt --seq 32 --out %1$s/vo --arch vanilla --float-act", dir);
    expect_one_line_error(cmd, 1, "atome-train: --float-act is an option of --arch atome");
    snprintf(cmd, sizeof cmd, "cmp %1$s/i8/checkpoint.bin %1$s/i8.bak && ls -l --time-style=+%%s %1$s/i8 | cmp - %1$s/ls.before "
             "&& test ! -e %1$s/vo", dir);
    ck_assert_msg(system(cmd) == 0, "a refused run changed files");
}
END_TEST

Suite *float_act_suite(void) {
    Suite *s = suite_create("float_act");
    TCase *t = tcase_create("float_act");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, float_logits_differ_from_int8);
    tcase_add_test(t, float_act_run);
    tcase_add_test(t, float_act_resume);
    suite_add_tcase(s, t);
    return s;
}

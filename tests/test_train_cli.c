/* test_train_cli.c — ./atome-train as a user runs it (a subprocess): bad input, reproducibility
 * across thread counts, resume after SIGTERM and after kill -9, the NaN stop, the evaluation's
 * definition, the passive OpenMP wait policy; for --arch vanilla (the GPT baseline) bad input,
 * reproducibility, the evaluation and resume after SIGTERM.
 *
 * Runs are tiny (nano preset, a 60 KB slice of the bundled TinyStories, windows of 33 bytes) so
 * that the suite takes seconds; what is compared is bytes, so size does not weaken it. */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../common/host_file.h"
#include "../train/checkpoint.h"
#include "../train/fb.h"
#include "../train/model.h"
#include "../train/options.h"
#include "../train/vanilla.h"
#include "train_cli.h"
#include "util.h"


START_TEST(help_and_usage) {
    ck_assert_int_eq(train("--help"), 0);
    ck_assert_ptr_nonnull(strstr(out_text, "usage: atome-train --data FILE --out DIR"));
    ck_assert_ptr_nonnull(strstr(out_text, "--resume"));
}
END_TEST

/* Each bad input: exit 1, one line on stderr naming the problem, nothing created or changed. */
START_TEST(bad_input) {
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "cd %s && : > empty.txt && head -c 100 train.txt > short.txt && head -c 10 train.txt > tiny.txt && "
             "echo x > file.txt && mkdir -p ro damaged nockpt && cp train.txt unreadable.txt && chmod 000 unreadable.txt",
             cli_dir);
    ck_assert_int_eq(system(cmd), 0);
    /* A damaged checkpoint to resume from: a real one with one byte flipped. */
    ck_assert_int_eq(train(TINY " --steps 2 --out @D/damaged --sample 0"), 0);
    snprintf(cmd, sizeof cmd, "cd %s/damaged && rm model.bin log.jsonl", cli_dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/damaged/checkpoint.bin", cli_dir);
    FILE *f = fopen(cmd, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, 1000, SEEK_SET);
    int byte = fgetc(f);
    fseek(f, 1000, SEEK_SET);
    fputc(byte ^ 0x40, f); /* one bit of the master weights */
    fclose(f);
    int root = geteuid() == 0;
    if (!root) ck_assert_int_eq(chmod(strcat(strcpy(cmd, cli_dir), "/ro"), 0555), 0);
    static const struct {
        const char *args, *want;
    } cases[] = {
        {"--data @D/missing.txt --out @D/o", "cannot open @D/missing.txt: No such file or directory"},
        {"--data @D/empty.txt --out @D/o", "@D/empty.txt is empty"},
        {"--data @D --out @D/o", "@D is a directory"},
        {"--data @D/short.txt --out @D/o", "@D/short.txt is too short: 100 bytes"},
        {"--data @D/train.txt --valid @D/tiny.txt --out @D/o", "@D/tiny.txt is too short: 10 bytes"},
        {"--data @D/train.txt --out @D/o --steps 0", "--steps needs an integer from 1"},
        {"--data @D/train.txt --out @D/o --steps -5", "--steps needs an integer from 1"},
        {"--data @D/train.txt --out @D/o --steps", "--steps needs a value"},
        {"--data @D/train.txt --out @D/o --lr abc", "--lr needs a finite number > 0"},
        {"--data @D/train.txt --out @D/o --lr 0", "--lr needs a finite number > 0"},
        {"--data @D/train.txt --out @D/o --beta2 1", "--beta2 needs a finite number"},
        {"--data @D/train.txt --out @D/o --init-scale 0", "--init-scale needs a finite number"},
        {"--data @D/train.txt --out @D/o --batch 2 --batch 3", "--batch given twice"},
        {"--data @D/train.txt --out @D/o --d-model 300", "does not fit the engine: --d-model"},
        {"--data @D/train.txt --out @D/o --n-layers 9", "does not fit the engine: --n-layers"},
        {"--data @D/train.txt --out @D/o --window 5000", "does not fit the engine: --window"},
        {"--data @D/train.txt --out @D/o --preset huge", "unknown preset 'huge'"},
        {"--data @D/train.txt --out @D/o --schedule linear", "--schedule must be cosine or constant"},
        {"--data @D/train.txt --out @D/o --bogus 1", "unknown option '--bogus'"},
        {"--out @D/o", "--data FILE is required"},
        {"--data @D/train.txt", "--out DIR is required"},
        {"--data @D/train.txt --out @D/file.txt", "--out @D/file.txt exists and is not a directory"},
        {"--data @D/train.txt --out @D/train.txt/dir", "cannot create output directory @D/train.txt/dir"}, /* a file as a parent */
        {"--data @D/train.txt --out @D/nockpt --resume", "--resume: cannot open @D/nockpt/checkpoint.bin: No such file"},
        {"--data @D/train.txt --out @D/damaged --resume", "@D/damaged/checkpoint.bin: corrupt (CRC mismatch)"},
    };
    char *before = listing();
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0] + 2; i++) {
        const char *args, *want;
        if (i < sizeof cases / sizeof cases[0]) args = cases[i].args, want = cases[i].want;
        else if (i == sizeof cases / sizeof cases[0])
            /* root reads anything: /proc/self/mem opens but fails to read at offset 0 */
            args = root ? "--data /proc/self/mem --out @D/o" : "--data @D/unreadable.txt --out @D/o",
            want = root ? "cannot read /proc/self/mem" : "cannot open @D/unreadable.txt: Permission denied";
        else
            /* root writes anywhere but sysfs */
            args = root ? "--data @D/train.txt --out /sys" : "--data @D/train.txt --out @D/ro",
            want = root ? "output directory /sys is not writable" : "output directory @D/ro is not writable";
        char full[256];
        snprintf(full, sizeof full, "--seq 32 %s", args);
        refused(full, want, before);
    }
    free(before);
    /* A finished run is not silently overwritten, and --resume refuses other settings. */
    ck_assert_int_eq(train(TINY " --steps 3 --out @D/run --sample 0"), 0);
    before = listing();
    ck_assert_int_eq(train(TINY " --steps 3 --out @D/run"), 1);
    ck_assert_ptr_nonnull(strstr(err_text, "checkpoint.bin exists: add --resume"));
    ck_assert_int_eq(train(TINY " --steps 3 --out @D/run --resume --lr 0.5"), 1);
    ck_assert_ptr_nonnull(strstr(err_text, "--resume: --lr differs from the run"));
    ck_assert_int_eq(train(TINY " --steps 3 --out @D/run --resume --init-scale 0.5"), 1);
    ck_assert_ptr_nonnull(strstr(err_text, "--resume: --init-scale differs from the run"));
    ck_assert_int_eq(train(TINY " --steps 4 --out @D/run --resume"), 1);
    ck_assert_ptr_nonnull(strstr(err_text, "--resume: --steps differs"));
    ck_assert_int_eq(train("--preset small --batch 4 --seq 32 --data @D/train.txt --valid @D/valid.txt --out @D/run --resume"), 1);
    ck_assert_ptr_nonnull(strstr(err_text, "--resume: the model given"));
    ck_assert_int_eq(train("--preset nano --batch 4 --seq 32 --data @D/short.txt --valid @D/valid.txt --out @D/run --resume"), 1);
    ck_assert_ptr_nonnull(strstr(err_text, "the training bytes differ"));
    char *after = listing();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}
END_TEST


/* Same data, config and seed: the same checkpoint and blob bytes with 1 thread or 2. A third run
 * with another seed differs, so the comparison is able to fail. */
START_TEST(reproducible_across_threads) {
    const char *run = TINY " --steps 40 --eval-every 20 --sample 32 --out @D/%s --threads %d --seed %d";
    ck_assert_int_eq(train(run, "t1", 1, 7), 0);
    ck_assert_ptr_null(strchr(out_text, '\r')); /* not a terminal: plain lines */
    ck_assert_ptr_nonnull(strstr(out_text, "step 40/40"));
    ck_assert_ptr_nonnull(strstr(out_text, "sample (greedy"));
    ck_assert_int_eq(train(run, "t2", 2, 7), 0);
    ck_assert_int_eq(train(run, "s2", 2, 8), 0);
    static const char *const other[][2] = {{"s2", "seed"}};
    same_across_threads("model.bin", other, 1);
    ck_assert_msg(only_run_files("t1", "model.bin"), "stray files in the run's directory");
}
END_TEST

/* --accum 2 of batch 2 draws the same four windows as one batch of 4, so one update sees the
 * same mean gradient up to float summation order: Adam's v = (1−β2)·g² agrees to float
 * rounding (a sum instead of a mean would make it 4×), and so does the logged loss. */
START_TEST(accumulation_equals_larger_batch) {
    const char *run = "--preset nano --seq 32 --data @D/train.txt --valid @D/valid.txt --steps 1 --sample 0 --clip 0 "
                      "--batch %d --accum %d --out @D/%s";
    ck_assert_int_eq(train(run, 4, 1, "b4"), 0);
    ck_assert_int_eq(train(run, 2, 2, "a2"), 0);
    train_state a, b;
    char pa[96], pb[96], err[512];
    snprintf(pa, sizeof pa, "%s/b4/checkpoint.bin", cli_dir);
    snprintf(pb, sizeof pb, "%s/a2/checkpoint.bin", cli_dir);
    ck_assert_msg(checkpoint_load(pa, &a, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(checkpoint_load(pb, &b, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(a.windows, 4);
    ck_assert_uint_eq(b.windows, 4);
    ck_assert_uint_eq(a.rng, b.rng);
    ck_assert_double_eq_tol(a.last_loss, b.last_loss, 1e-6);
    long compared = 0;
    for (long i = 0; i < a.n_params; i++) {
        if (a.v[i] < 1e-14f) continue;
        ck_assert_msg(fabsf(a.v[i] - b.v[i]) <= 1e-3f * a.v[i], "v[%ld]: %g vs %g", i, a.v[i], b.v[i]);
        compared++;
    }
    ck_assert_int_gt(compared, a.n_params / 2);
    state_free(&a);
    state_free(&b);
}
END_TEST

START_TEST(resume_after_sigterm) { stop_and_resume(SIGTERM, TINY, "model.bin"); }
END_TEST

START_TEST(resume_after_kill9) { stop_and_resume(SIGKILL, TINY, "model.bin"); }
END_TEST

/* Loads the checkpoint at path into *s, failing the test if it cannot. */
static void load_ok(const char *path, train_state *s) {
    char err[512];
    ck_assert_msg(checkpoint_load(path, s, err, sizeof err) == 0, "%s", err);
}

/* A loss that is not finite stops the run with exit 3 and one line, leaving the last good
 * checkpoint as it was. The weights are made NaN in a checkpoint (its CRC recomputed) and the
 * run resumed from it: the next update's loss is NaN, whatever the learning rate would do. */
START_TEST(nan_stops_and_keeps_checkpoint) {
    ck_assert_int_eq(train(TINY " --steps 20 --eval-every 10 --sample 0 --out @D/nan"), 0);
    char ck[128], err[512];
    snprintf(ck, sizeof ck, "%s/nan/checkpoint.bin", cli_dir);
    train_state s;
    load_ok(ck, &s);
    s.step = s.last_eval = s.best_step = 10;
    for (long i = 0; i < s.n_params; i++) s.params[i] = NAN;
    ck_assert_msg(checkpoint_save(ck, &s, err, sizeof err) == 0, "%s", err);
    state_free(&s);
    size_t n0, n1;
    char *before = read_all(ck, &n0);
    ck_assert_int_eq(train(TINY " --out @D/nan --resume"), 3);
    ck_assert_int_eq(count_lines(err_text), 1);
    const char *want = "the training loss is not finite (NaN or Inf) at step 11; training stopped. The last good "
                       "checkpoint";
    ck_assert_msg(strstr(err_text, want) != NULL, "%s", err_text);
    ck_assert_ptr_nonnull(strstr(err_text, "is untouched"));
    char *after = read_all(ck, &n1);
    ck_assert_msg(n0 == n1 && !memcmp(before, after, n0), "the checkpoint changed");
    free(after);
    /* resuming repeats the same divergence at the same step */
    ck_assert_int_eq(train(TINY " --out @D/nan --resume"), 3);
    ck_assert_msg(strstr(err_text, want) != NULL, "%s", err_text);
    free(before);
}
END_TEST

/* Every numeric option's range, from the one table (options.c) the checkpoint loader uses too:
 * a value past either bound is refused with a message that states the bound, and a closed bound
 * itself is accepted (--help after the options: parsed, then nothing run). */
START_TEST(option_ranges_are_stated) {
    char *before = listing();
    for (int i = 0; i < n_option_ranges; i++) {
        const option_range *r = &option_ranges[i];
        char range[96], want[160], args[256];
        option_range_text(r, range, sizeof range);
        snprintf(want, sizeof want, "%s needs %s, got '", r->name, range);
        double bad[2] = {r->lo_open ? r->lo : r->kind == 'i' ? r->lo - 1 : r->lo > 0 ? r->lo / 2 : -1,
                         r->hi_open ? r->hi : r->kind == 'i' ? r->hi + 1 : 2 * r->hi};
        for (int k = 0; k < 2; k++) {
            if (!isfinite(bad[k])) continue;
            snprintf(args, sizeof args, "--data @D/train.txt --out @D/o %s %.17g", r->name, bad[k]);
            refused(args, want, before);
        }
        double good[2] = {r->lo_open ? NAN : r->lo, r->hi_open ? NAN : r->hi};
        for (int k = 0; k < 2; k++) {
            if (!isfinite(good[k])) continue;
            ck_assert_msg(train("%s %.17g --help", r->name, good[k]) == 0, "%s %g refused: %s", r->name, good[k],
                          err_text);
        }
    }
    /* the messages the issue found wrong */
    refused("--data @D/train.txt --out @D/o --init-scale 2000000", "--init-scale needs a finite number >= 1e-06 and "
            "<= 1e+06, got '2000000'", before);
    refused("--data @D/train.txt --out @D/o --lr 1e30", "--lr needs a finite number > 0 and <= 10, got '1e30'", before);
    free(before);
}
END_TEST

/* A checkpoint whose settings or counters are out of range, written with a valid CRC, is refused
 * by --resume in one line naming the file and the field, exit 1, nothing written: every saved
 * entry of the option table past its lower bound and as NaN or past its upper bound, and the
 * counters, the figures and the schedule. */
START_TEST(checkpoint_fields_are_checked) {
    ck_assert_int_eq(train(TINY " --steps 4 --eval-every 2 --sample 0 --out @D/ck"), 0);
    char ck[128], err[512];
    snprintf(ck, sizeof ck, "%s/ck/checkpoint.bin", cli_dir);
    train_state s;
    load_ok(ck, &s);
    s.step = s.last_eval = s.best_step = 2; /* mid-run, so that a run would start */
    const char *resume = "--data @D/train.txt --valid @D/valid.txt --out @D/ck --resume";
    int cases = 0;
    for (int i = 0; i < n_option_ranges; i++) {
        const option_range *r = &option_ranges[i];
        if (r->offset < 0) continue;
        char *at = (char *)&s.set + r->offset, keep[8];
        memcpy(keep, at, 8);
        for (int k = 0; k < 2; k++) {
            if (r->kind == 'i') {
                int64_t v = k == 0 ? (int64_t)r->lo - 1 : (int64_t)r->hi + 1;
                memcpy(at, &v, 8);
            } else {
                double v = k == 0 ? NAN : isfinite(r->hi) ? 2 * r->hi : -1.0;
                memcpy(at, &v, 8);
            }
            ck_assert_msg(checkpoint_save(ck, &s, err, sizeof err) == 0, "%s", err);
            char want[160], *before = listing();
            snprintf(want, sizeof want, "--resume: @D/ck/checkpoint.bin: field %s = ", r->field);
            refused(resume, want, before);
            free(before);
            cases++;
        }
        memcpy(at, keep, 8);
    }
    ck_assert_int_ge(cases, 2 * 12);
    static const struct {
        const char *field;
        double v;
    } more[] = {{"step", -7}, {"step", 1e6}, {"last_eval", -1}, {"best_step", 1e9}, {"schedule", 9},
                {"best_bpb", NAN}, {"last_loss", INFINITY}, {"batch", 1099511627776.0}, {"eval_every", 0}};
    for (unsigned i = 0; i < sizeof more / sizeof more[0]; i++) {
        train_state t = s;
        const char *f = more[i].field;
        if (!strcmp(f, "step")) t.step = (int64_t)more[i].v;
        else if (!strcmp(f, "last_eval")) t.last_eval = (int64_t)more[i].v;
        else if (!strcmp(f, "best_step")) t.best_step = (int64_t)more[i].v;
        else if (!strcmp(f, "schedule")) t.set.schedule = (int32_t)more[i].v;
        else if (!strcmp(f, "best_bpb")) t.best_bpb = more[i].v;
        else if (!strcmp(f, "last_loss")) t.last_loss = more[i].v;
        else if (!strcmp(f, "batch")) t.set.batch = (int64_t)more[i].v;
        else t.set.eval_every = (int64_t)more[i].v;
        ck_assert_msg(checkpoint_save(ck, &t, err, sizeof err) == 0, "%s", err);
        char want[160], *before = listing();
        snprintf(want, sizeof want, "--resume: @D/ck/checkpoint.bin: field %s = ", f);
        refused(resume, want, before);
        free(before);
    }
    /* the same state within range resumes and finishes */
    ck_assert_msg(checkpoint_save(ck, &s, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(train("--sample 0 %s", resume), 0);
    state_free(&s);
}
END_TEST

/* A failed write ends the run with one line and exit 1: stdout on /dev/full (the progress, and
 * --help), and log.jsonl on /dev/full (a symlink to it in --out). */
START_TEST(write_errors_are_reported) {
    char cmd[1024], *args;
    args = expand_dir("{ ./atome-train " TINY " --steps 3 --sample 0 --out @D/full1 > /dev/full; }");
    expect_one_line_error(args, 1, "atome-train: cannot write the standard output: No space left on device");
    free(args);
    expect_one_line_error("{ ./atome-train --help > /dev/full; }", 1, "cannot write the standard output");
    snprintf(cmd, sizeof cmd, "mkdir %s/full2 && ln -s /dev/full %s/full2/log.jsonl", cli_dir, cli_dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(train(TINY " --steps 3 --eval-every 1 --sample 0 --out @D/full2"), 1);
    char *want = expand_dir("atome-train: cannot write @D/full2/log.jsonl: No space left on device\n");
    ck_assert_str_eq(err_text, want);
    free(want);
}
END_TEST

/* A second run on a directory a run is using is refused in one line, exit 1, nothing touched,
 * whether new or --resume; the lock goes with its process, kill -9 included. The first run is
 * stopped (SIGSTOP) while the second tries, so that its own writes cannot change the listing. */
START_TEST(out_dir_is_locked) {
    const char *run = TINY " --steps 3000 --eval-every 3000 --save-every 40 --sample 0 --out @D/busy";
    pid_t pid = train_bg(run);
    char ck[128];
    snprintf(ck, sizeof ck, "%s/busy/checkpoint.bin", cli_dir);
    wait_for_file(ck, pid);
    ck_assert_int_eq(kill(pid, SIGSTOP), 0);
    char *before = listing();
    const char *want = "--out @D/busy is in use by another atome-train run";
    refused(TINY " --steps 3 --out @D/busy", want, before);
    refused(TINY " --steps 3000 --eval-every 3000 --save-every 40 --out @D/busy --resume", want, before);
    free(before);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    ck_assert_int_eq(wait_status(pid), 128 + SIGKILL);
    /* no lock left: a resume gets as far as comparing its settings */
    ck_assert_int_eq(train(TINY " --steps 5 --out @D/busy --resume"), 1);
    ck_assert_msg(strstr(err_text, "--resume: --steps differs") != NULL, "%s", err_text);
}
END_TEST

/* The logged validation figure is, by definition, summed cross-entropy in nats over the
 * (T+1)-byte windows of the valid file that share their boundary byte (window i = bytes
 * iT..iT+T) / predicted bytes / ln 2. Recompute it from model.bin with one fb_forward over all
 * windows at once, and check that atome-infer --eval, the engine's own loop, agrees. */
START_TEST(evaluation_definition) {
    ck_assert_int_eq(train(TINY " --steps 30 --eval-every 30 --sample 0 --out @D/ev"), 0);
    char p[128];
    size_t nb, nv, nl;
    snprintf(p, sizeof p, "%s/ev/model.bin", cli_dir);
    char *blob = read_all(p, &nb);
    uint8_t *b4 = aligned_alloc(4, (nb + 3) & ~(size_t)3);
    memcpy(b4, blob, nb);
    snprintf(p, sizeof p, "%s/valid.txt", cli_dir);
    char *valid = read_all(p, &nv);
    snprintf(p, sizeof p, "%s/ev/log.jsonl", cli_dir);
    char *lg = read_all(p, &nl);
    atome_config c;
    atome_preset("nano", &c);
    int T = 32, nw = (int)((nv - 1) / T);
    uint8_t *win = malloc((size_t)nw * (T + 1));
    for (int i = 0; i < nw; i++) memcpy(win + (size_t)i * (T + 1), valid + (size_t)i * T, (size_t)T + 1);
    fb_context *f = fb_create(&c, nw, T);
    ck_assert_ptr_nonnull(f);
    double nats = fb_forward(f, b4, win, NULL, NULL);
    double bpb = nats / ((double)nw * T) / log(2.0);
    double logged;
    ck_assert_int_eq(sscanf(strstr(lg, "\"val_bpb\": "), "\"val_bpb\": %lf", &logged), 1);
    ck_assert_msg(fabs(bpb - logged) < 2e-6, "recomputed %.7f, logged %.7f", bpb, logged);
    long bytes;
    ck_assert_int_eq(sscanf(strstr(lg, "\"val_bytes\": "), "\"val_bytes\": %ld", &bytes), 1);
    ck_assert_int_eq(bytes, (long)nw * T);
    double ppl;
    ck_assert_int_eq(sscanf(strstr(lg, "\"val_ppl\": "), "\"val_ppl\": %lf", &ppl), 1);
    ck_assert_double_eq_tol(ppl, pow(2.0, logged), 1e-4);
    char cmd[256], out[512];
    snprintf(cmd, sizeof cmd, "./atome-infer --model %s/ev/model.bin --eval %s/valid.txt --seq 32 > %s/ev.txt", cli_dir, cli_dir, cli_dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(p, sizeof p, "%s/ev.txt", cli_dir);
    slurp(p, out, sizeof out);
    double engine;
    const char *at = strstr(out, "bits per byte ");
    ck_assert_msg(at && sscanf(at, "bits per byte %lf", &engine) == 1, "%s", out);
    ck_assert_msg(fabs(engine - logged) < 1e-4, "atome-infer %.4f, atome-train %.6f", engine, logged);
    free(win);
    fb_free(f);
    free(blob);
    free(b4);
    free(valid);
    free(lg);
}
END_TEST

Suite *train_cli_suite(void) {
    Suite *s = suite_create("train_cli");
    TCase *t = tcase_create("train_cli");
    tcase_add_checked_fixture(t, train_cli_setup, train_cli_teardown);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, help_and_usage);
    tcase_add_test(t, bad_input);
    tcase_add_test(t, reproducible_across_threads);
    tcase_add_test(t, accumulation_equals_larger_batch);
    tcase_add_test(t, resume_after_sigterm);
    tcase_add_test(t, resume_after_kill9);
    tcase_add_test(t, nan_stops_and_keeps_checkpoint);
    tcase_add_test(t, option_ranges_are_stated);
    tcase_add_test(t, checkpoint_fields_are_checked);
    tcase_add_test(t, write_errors_are_reported);
    tcase_add_test(t, out_dir_is_locked);
    tcase_add_test(t, evaluation_definition);
    suite_add_tcase(s, t);
    return s;
}

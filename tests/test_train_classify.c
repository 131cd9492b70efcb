/* test_train_classify.c — atome-train --task classify end to end: the same bytes for 1 and 2
 * threads, a model.bin the engine loads with the data's labels and feature constants and whose
 * class logits are the trainer's bit for bit, kill -9 and SIGTERM + --resume byte-identical, the
 * refusals (malformed rows, the other task's checkpoint, other data), --init's backbone, and a
 * quick look at SMS spam (above the majority class).
 *
 * Shapes: C classes, F features, B examples per batch, T the longest example after the cut.
 *
 * The data are written by the tests into the scratch directory: cls.tsv (3 classes, texts of 9 to
 * 41 bytes, so that --seq 20 cuts some) and cls.csv (2 classes, 3 features, the label column
 * between them), each split seeded and stratified by the trainer (no --valid/--test files), plus
 * malformed variants.
 */
#include <check.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_le.h"
#include "../common/classify_data.h"
#include "../infer/atome.h"
#include "../train/checkpoint.h"
#include "../train/classify_run.h"
#include "../train/model.h"
#include "train_cli.h"
#include "util.h"

/* The tiny sets: 96 text rows, 80 table rows. */
static void write_sets(void) {
    static const char *const label[3] = {"down", "stay", "up"}, *const what[3] = {"move it down", "keep it", "lift up"};
    char *tsv = malloc(1 << 16), *csv = malloc(1 << 16), *p = tsv;
    for (int i = 0; i < 96; i++) {
        int k = (i * 7) % 3;
        p += sprintf(p, "%s\t%s %d%s\n", label[k], what[k], i, i % 5 == 0 ? " right now, thank you very much" : "");
    }
    char path[128];
    snprintf(path, sizeof path, "%s/cls.tsv", cli_dir);
    write_file(path, tsv, (size_t)(p - tsv));
    p = csv + sprintf(csv, "temp,state,humidity,light\n");
    for (int i = 0; i < 80; i++) {
        double light = (i * 37) % 600, temp = 20.0 + (i % 9) * 0.25, hum = 30.0 - (i % 7) * 0.5;
        p += sprintf(p, "%.2f,%s,%.1f,%.0f\n", temp, light > 300 ? "occupied" : "empty", hum, light);
    }
    snprintf(path, sizeof path, "%s/cls.csv", cli_dir);
    write_file(path, csv, (size_t)(p - csv));
    free(tsv), free(csv);
}

static void setup(void) {
    train_cli_setup();
    write_sets();
}

#define TSV_DATA "--task classify --preset nano --seq 20 --data @D/cls.tsv"
#define TSV TSV_DATA " --batch 8"
#define CSV "--task classify --preset nano --batch 8 --data @D/cls.csv --label-col state"

/* system() of a command with @D expanded. */
static int run_in_dir(const char *cmd) {
    char *c = expand_dir(cmd);
    int rc = system(c);
    free(c);
    return rc;
}

/* Trains with OMP_NUM_THREADS = threads. */
static int train_threads(int threads, const char *args, const char *out) {
    char n[8];
    snprintf(n, sizeof n, "%d", threads);
    setenv("OMP_NUM_THREADS", n, 1);
    int code = train("%s --out @D/%s", args, out);
    unsetenv("OMP_NUM_THREADS");
    return code;
}

static void expect_same(const char *a, const char *b, const char *file, int same) {
    char pa[128], pb[128];
    snprintf(pa, sizeof pa, "%s/%s/%s", cli_dir, a, file);
    snprintf(pb, sizeof pb, "%s/%s/%s", cli_dir, b, file);
    ck_assert_msg(same_file(pa, pb) == same, "%s of %s and %s: %s", file, a, b, same ? "differ" : "the same");
}

/* The text and the table each: 1 and 2 threads write the same model and checkpoint; another seed
 * does not (so the comparison can fail). */
START_TEST(same_bytes_for_1_and_2_threads) {
    const char *sets[2] = {TSV " --steps 12 --eval-every 4", CSV " --steps 12 --eval-every 4"};
    for (int k = 0; k < 2; k++) {
        ck_assert_msg(train_threads(1, sets[k], "t1") == 0, "%s", err_text);
        ck_assert_msg(strstr(out_text, "| 1 threads |") != NULL, "%s", out_text);
        ck_assert_msg(train_threads(2, sets[k], "t2") == 0, "%s", err_text);
        ck_assert_msg(strstr(out_text, "| 2 threads |") != NULL, "%s", out_text);
        char other[256];
        snprintf(other, sizeof other, "%s --seed 2", sets[k]);
        ck_assert_int_eq(train_threads(2, other, "s2"), 0);
        expect_same("t1", "t2", "model.bin", 1);
        expect_same("t1", "t2", "checkpoint.bin", 1);
        expect_same("t1", "s2", "model.bin", 0);
        ck_assert(only_run_files("t1", "model.bin"));
        ck_assert_int_eq(run_in_dir("rm -rf @D/t1 @D/t2 @D/s2"), 0);
    }
}
END_TEST

/* atome-infer --classify on split sp written back as a TSV, with --seq max_bytes: its --logits are
 * the trainer's (the same classify_cut on both sides). */
static void compare_infer(const char *model, const classify_dataset *d, const classify_split *sp, size_t max_bytes,
                          const float *logits, int C) {
    char tsv[128], out[128], cmd[512];
    snprintf(tsv, sizeof tsv, "%s/split.tsv", cli_dir);
    snprintf(out, sizeof out, "%s/split.logits", cli_dir);
    FILE *fp = fopen(tsv, "wb");
    ck_assert_ptr_nonnull(fp);
    for (uint32_t i = 0; i < sp->n; i++) {
        fprintf(fp, "%s\t", d->label[sp->label[i]]);
        fwrite(sp->bytes + sp->start[i], 1, sp->start[i + 1] - sp->start[i], fp);
        fputc('\n', fp);
    }
    ck_assert_int_eq(fclose(fp), 0);
    snprintf(cmd, sizeof cmd, "./atome-infer --model %s --classify %s --seq %zu --logits %s", model, tsv, max_bytes, out);
    ck_assert_msg(run_cmd(cmd, NULL, 0) == 0, "%s", cmd);
    size_t n;
    char *got = read_all(out, &n);
    ck_assert_uint_eq(n, (size_t)sp->n * (size_t)C * sizeof(float));
    ck_assert_mem_eq(got, logits, n); /* little-endian floats: the host's own layout */
    free(got);
    remove(tsv), remove(out);
}

/* model.bin as the engine loads it: a classifier of the data's classes, their names in order, the
 * table's feature constants; and for every validation and test example the engine's class logits
 * (atome_classify over the example's cut bytes, the table's from atome_features of its raw floats)
 * memcmp-equal the trainer's (fb_classify_forward on the same blob). */
static void check_model(const char *args, const char *label_col, const char *data, size_t max_bytes) {
    ck_assert_msg(train("%s --steps 20 --eval-every 10 --out @D/m", args) == 0, "%s", err_text);
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/m/model.bin", cli_dir);
    size_t n;
    uint8_t *blob = (uint8_t *)read_all(path, &n);
    static atome_model m;
    static atome_state st;
    ck_assert_int_eq(atome_load(&m, blob, n), ATOME_OK);

    classify_options o;
    classify_options_default(&o);
    char *file = expand_dir(data);
    o.data = file, o.label_col = label_col;
    classify_dataset d;
    ck_assert_msg(classify_load(&o, &d, err, sizeof err) == 0, "%s", err);
    const atome_config *c = &m.w.cfg;
    ck_assert_int_eq(c->n_classes, (int)d.n_classes);
    ck_assert_int_eq(c->n_features, d.is_table ? (int)d.n_features : 0);
    for (uint32_t k = 0; k < d.n_classes; k++) ck_assert_str_eq(atome_label(&m, (int)k), d.label[k]);
    ck_assert_ptr_null(atome_label(&m, (int)d.n_classes));
    if (d.is_table) {
        ck_assert_mem_eq(m.w.feature_min, d.fmin, d.n_features * sizeof(float));
        ck_assert_mem_eq(m.w.feature_scale, d.fscale, d.n_features * sizeof(float));
    }
    int C = c->n_classes, checked = 0, cut = 0;
    for (int k = CLASSIFY_VALID; k <= CLASSIFY_TEST; k++) {
        const classify_split *sp = &d.split[k];
        int T;
        fb_example *ex = classify_examples(sp, max_bytes, &T);
        ck_assert(ex && sp->n > 0);
        fb_context *f = fb_create(c, (int)sp->n, T);
        float *logits = malloc(sp->n * C * sizeof(float));
        ck_assert(f && logits);
        ck_assert(!isnan(fb_classify_forward(f, blob, ex, (int)sp->n, logits, NULL)));
        for (uint32_t i = 0; i < sp->n; i++) {
            uint8_t feat[64];
            const uint8_t *bytes = ex[i].bytes;
            if (d.is_table) { /* the firmware's path: raw floats in */
                atome_features(&m, sp->value + (size_t)i * d.n_features, feat);
                ck_assert_mem_eq(feat, ex[i].bytes, d.n_features);
                bytes = feat;
            }
            int got = atome_classify(&m, &st, bytes, (size_t)ex[i].len);
            ck_assert_mem_eq(st.logits, logits + (long)i * C, (size_t)C * sizeof(float));
            ck_assert_int_eq(got, atome_argmax(logits + (long)i * C, C));
            cut += (size_t)ex[i].len < sp->start[i + 1] - sp->start[i];
            checked++;
        }
        if (!d.is_table) compare_infer(path, &d, sp, max_bytes, logits, C);
        fb_free(f), free(logits), free(ex);
    }
    ck_assert_int_ge(checked, 16);
    if (!d.is_table) ck_assert_int_gt(cut, 0); /* the cut was exercised */
    classify_free(&d);
    free(file), free(blob);
}

START_TEST(engine_logits_equal_the_trainers) {
    check_model(TSV, NULL, "@D/cls.tsv", 20);
    ck_assert_int_eq(run_in_dir("rm -rf @D/m"), 0);
    check_model(CSV, "state", "@D/cls.csv", CLASSIFY_DEFAULT_MAX_BYTES);
}
END_TEST

/* A run stopped by sig (kill -9: back to its last save; SIGTERM: saved at a step boundary) and
 * resumed ends with the same model, checkpoint and log as one never stopped. */
static void stop_and_resume_classify(int sig) {
    const char *run = TSV_DATA " --batch 4 --steps 600 --eval-every 150 --save-every 40 --out @D/%s%s";
    ck_assert_int_eq(train(run, "ref", ""), 0);
    pid_t pid = train_bg(run, "cut", "");
    char ck[128], err[512];
    snprintf(ck, sizeof ck, "%s/cut/checkpoint.bin", cli_dir);
    wait_for_file(ck, pid);
    ck_assert_int_eq(kill(pid, sig), 0);
    ck_assert_int_eq(wait_status(pid), 128 + sig);
    train_state s;
    ck_assert_msg(checkpoint_load(ck, &s, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(s.step > 0 && s.step < 600, "stopped at step %lld", (long long)s.step);
    ck_assert_int_eq(s.set.task, TASK_CLASSIFY);
    if (sig == SIGKILL) ck_assert_int_eq(s.step % 40, 0);
    int64_t stopped = s.step;
    state_free(&s);
    ck_assert_msg(train(run, "cut", " --resume") == 0, "%s", err_text);
    char want[64];
    snprintf(want, sizeof want, "resumed at step %lld/600", (long long)stopped);
    ck_assert_msg(strstr(out_text, want) != NULL, "%s", out_text);
    expect_same("ref", "cut", "model.bin", 1);
    expect_same("ref", "cut", "checkpoint.bin", 1);
    ck_assert(only_run_files("cut", "model.bin"));
}

START_TEST(resume_after_kill9) { stop_and_resume_classify(SIGKILL); }
END_TEST

START_TEST(resume_after_sigterm) { stop_and_resume_classify(SIGTERM); }
END_TEST

/* Each bad input: one line naming it (FILE:LINE for a row), exit 1, nothing written. */
START_TEST(bad_input_is_refused) {
    char path[128];
    static const struct {
        const char *name, *text;
    } bad[] = {
        {"notab.tsv", "up\tlift it\ndown\tmove it\nstay keep it\n"},
        {"one.tsv", "up\tlift it\nup\tlift it again\nup\tand again\n"},
        {"test.tsv", "up\tlift\nsideways\tslide\n"},
        {"nonnum.csv", "temp,state,humidity,light\n20.5,empty,30,100\n21,occupied,31,400\n21,empty,3x,20\n"},
        {"cols.csv", "temp,state,humidity,light\n20.5,empty,30,100\n21,occupied,400\n"},
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", cli_dir, bad[i].name);
        write_file(path, bad[i].text, strlen(bad[i].text));
    }
    const char *o = "--task classify --preset nano --out @D/o";
    static const char *const cases[][2] = {
        {"--data @D/notab.tsv", "@D/notab.tsv:3: no tab: a row is label<TAB>text"},
        {"--data @D/one.tsv --valid @D/one.tsv --test @D/one.tsv", "@D/one.tsv: 1 class (up): a classifier needs at least 2"},
        {"--data @D/cls.tsv --test @D/test.tsv", "@D/test.tsv:2: unknown label 'sideways' (not in the training file)"},
        {"--data @D/nonnum.csv --label-col state", "@D/nonnum.csv:4: feature 'humidity': '3x' is not a number"},
        {"--data @D/cols.csv --label-col state", "@D/cols.csv:3: 3 fields, the header has 4"},
        {"--data @D/cls.csv --label-col state --seq 2", "--seq 2 is below the 3 features of a row of @D/cls.csv"},
        {"--data @D/cls.tsv --label-col state", "@D/cls.tsv:1: "},
        {"--data @D/cls.tsv --sample 5", "--sample is an option of --task lm"},
        {"--data @D/cls.tsv --float-act", "--float-act is an option of --task lm"},
        {"--data @D/cls.tsv --init @D/none.bin", "--init: "},
        {"--data @D/cls.tsv --init checkpoints/nano.bin --d-model 32", "--init: checkpoints/nano.bin: its backbone is D 16"},
    };
    char *before = listing();
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char args[512];
        snprintf(args, sizeof args, "%s %s", o, cases[i][0]);
        refused(args, cases[i][1], before);
    }
    refused("--data @D/train.txt --test @D/cls.tsv --out @D/o", "--test is an option of --task classify", before);
    refused("--data @D/train.txt --label-col x --out @D/o", "--label-col is an option of --task classify", before);
    refused("--task classify --arch vanilla --data @D/cls.tsv --out @D/o", "--task classify trains the atome model only", before);
    refused("--task sort --data @D/cls.tsv --out @D/o", "--task must be lm or classify, got 'sort'", before);
    free(before);
}
END_TEST

/* --resume refuses the other task's checkpoint, other data and another split, and a checkpoint
 * whose task fields disagree (written with a valid CRC). */
START_TEST(resume_refuses_other_runs) {
    ck_assert_int_eq(train(TSV " --steps 4 --eval-every 2 --out @D/c"), 0);
    ck_assert_int_eq(train(TINY " --steps 2 --sample 0 --out @D/l"), 0);
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/changed.tsv", cli_dir);
    size_t n;
    snprintf(path, sizeof path, "%s/cls.tsv", cli_dir);
    char *tsv = read_all(path, &n);
    snprintf(path, sizeof path, "%s/changed.tsv", cli_dir);
    tsv[0] = 's', tsv[1] = 't', tsv[2] = 'a', tsv[3] = 'y'; /* the first row "down" becomes "stay" */
    write_file(path, tsv, n);
    free(tsv);
    char *before = listing();
    refused(TSV " --out @D/l --resume", "--resume: @D/l/checkpoint.bin is a run of --task lm; this command is --task classify",
            before);
    refused("--data @D/train.txt --out @D/c --resume", "--resume: @D/c/checkpoint.bin is a run of --task classify; this command "
            "is --task lm", before);
    refused("--task classify --seq 20 --data @D/changed.tsv --out @D/c --resume", "--resume: the training examples differ",
            before);
    refused(TSV " --out @D/c --resume --split-seed 2", "--resume: --split-seed differs", before);
    refused("--task classify --seq 30 --data @D/cls.tsv --out @D/c --resume", "--resume: --seq differs", before);
    snprintf(path, sizeof path, "%s/c/checkpoint.bin", cli_dir);
    train_state s;
    ck_assert_msg(checkpoint_load(path, &s, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(s.set.cfg.n_classes, 3);
    ck_assert(s.best_acc >= 0 && s.best_acc <= 1 && s.best_step > 0 && s.last_eval == 4);
    static const struct {
        int task;
        double acc;
        const char *want;
    } bad[] = {{7, 0.5, "field task = 7"}, {TASK_LM, 0.5, "field n_classes = 3 does not fit the task"},
               {TASK_CLASSIFY, 1.5, "field best_acc = 1.5 is out of range"}};
    for (int i = 0; i < 3; i++) {
        train_state t = s;
        t.set.task = bad[i].task, t.best_acc = bad[i].acc;
        ck_assert_msg(checkpoint_save(path, &t, err, sizeof err) == 0, "%s", err);
        char *b2 = listing(), want[160];
        snprintf(want, sizeof want, "@D/c/checkpoint.bin: %s", bad[i].want);
        refused(TSV " --out @D/c --resume", want, b2);
        free(b2);
    }
    state_free(&s);
    free(before);
}
END_TEST

/* --init LM.bin: the packed classifier's backbone is the language model's, byte for byte (the
 * embedding, every block, the final LayerNorm), its head fresh; and the CLI takes the blob's
 * dimensions when none are given. */
START_TEST(init_takes_the_backbone) {
    size_t n;
    uint8_t *lm = (uint8_t *)read_all("checkpoints/nano.bin", &n);
    atome_weights w;
    ck_assert_int_eq(atome_blob_open(lm, n, &w), ATOME_OK);
    atome_config c = w.cfg;
    c.n_classes = 3, c.label_bytes = 6;
    long P = atome_param_count(&c);
    float *params = malloc((size_t)P * sizeof(float));
    uint8_t *blob = aligned_alloc(64, (model_blob_bytes(&c) + 63) & ~(size_t)63);
    char err[256];
    model_init(params, &c, 1, 1.0f);
    ck_assert_msg(classify_backbone(params, &c, &w, err, sizeof err) == 0, "%s", err);
    model_params mp;
    model_params_bind(&mp, &c, params);
    model_pack(blob, &mp, &c);
    size_t backbone = (size_t)((const uint8_t *)w.unemb.scale - lm); /* header + payload up to the head */
    ck_assert_mem_eq(blob + ATOME_HEADER_BYTES, lm + ATOME_HEADER_BYTES, backbone - ATOME_HEADER_BYTES);
    free(params), free(blob), free(lm);
    ck_assert_msg(train("--task classify --data @D/cls.tsv --init checkpoints/nano.bin --steps 3 --out @D/i") == 0, "%s",
                  err_text);
    ck_assert_msg(strstr(out_text, "d_model 16 n_layers 2 d_head 4 window 64") != NULL, "%s", out_text);
    ck_assert_msg(strstr(out_text, "backbone from checkpoints/nano.bin") != NULL, "%s", out_text);
}
END_TEST

/* SMS spam, a few hundred steps of nano: clearly above the majority class on the test file
 * (printed; the figure itself is not held to anything tighter). */
START_TEST(sms_beats_the_majority_class) {
    ck_assert_msg(train("--task classify --preset nano --data data/sms_spam_train.tsv --test data/sms_spam_test.tsv "
                        "--steps 300 --batch 16 --eval-every 100 --out @D/sms") == 0, "%s", err_text);
    const char *t = strstr(out_text, "test (best model");
    ck_assert_ptr_nonnull(t);
    double acc;
    ck_assert_int_eq(sscanf(strstr(t, "acc ") + 4, "%lf", &acc), 1);
    double majority = 100.0 * 904 / 1035; /* ham, data/SOURCES.md */
    printf("sms_spam, nano, 300 steps of 16: test accuracy %.2f%% (majority class %.2f%%)\n", acc, majority);
    ck_assert_msg(acc > majority + 2.0, "test accuracy %.2f%%, the majority class %.2f%%", acc, majority);
}
END_TEST

Suite *train_classify_suite(void) {
    Suite *s = suite_create("train_classify");
    TCase *t = tcase_create("cli");
    tcase_add_checked_fixture(t, setup, train_cli_teardown);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, same_bytes_for_1_and_2_threads);
    tcase_add_test(t, engine_logits_equal_the_trainers);
    tcase_add_test(t, resume_after_kill9);
    tcase_add_test(t, resume_after_sigterm);
    tcase_add_test(t, bad_input_is_refused);
    tcase_add_test(t, resume_refuses_other_runs);
    tcase_add_test(t, init_takes_the_backbone);
    tcase_add_test(t, sms_beats_the_majority_class);
    suite_add_tcase(s, t);
    return s;
}

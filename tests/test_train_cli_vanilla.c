/* test_train_cli_vanilla.c — ./atome-train --arch vanilla (the FP32 GPT baseline) as a user runs it:
 * bad input, reproducibility across thread counts, the evaluation, resume after SIGTERM; and the
 * passive OpenMP wait policy atome-train sets for itself. Runs are tiny (the fixtures of
 * train_cli.h); what is compared is bytes. */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/host_file.h"
#include "../train/vanilla.h"
#include "train_cli.h"
#include "util.h"

/* ---- --arch vanilla: the GPT baseline in the same loop ---- */

/* Options of one architecture given to the other, unknown names, a window longer than the
 * vanilla positional table, and --resume with another model: each refused in one line, nothing
 * written. */
START_TEST(vanilla_bad_input) {
    ck_assert_int_eq(train(VTINY " --steps 3 --out @D/vrun --sample 0"), 0);
    ck_assert_int_eq(train(TINY " --steps 3 --out @D/run --sample 0"), 0);
    static const struct {
        const char *args, *want;
    } cases[] = {
        {"--arch gpt", "--arch must be atome or vanilla, got 'gpt'"},
        {"--arch vanilla --vanilla-preset huge", "unknown --vanilla-preset 'huge' (presets: param-fair, flash-fair)"},
        {"--arch vanilla --vanilla-init xavier", "--vanilla-init must be gpt2 or torch, got 'xavier'"},
        {"--arch vanilla --preset nano", "--preset is an option of --arch atome"},
        {"--arch vanilla --d-model 32", "--d-model is an option of --arch atome"},
        {"--arch vanilla --window 32", "--window is an option of --arch atome"},
        {"--arch vanilla --drop conv", "--drop is an option of --arch atome"},
        {"--vanilla-preset flash-fair", "--vanilla-preset is an option of --arch vanilla"},
        {"--arch atome --vanilla-init torch", "--vanilla-init is an option of --arch vanilla"},
        {"--arch vanilla --init-scale 0.5", "--init-scale is an option of --arch atome"},
        {"--arch vanilla --seq 65", "--seq 65 is longer than the vanilla model's positional table: at most 64"},
        {"--arch vanilla --vanilla-preset flash-fair --seq 32 --batch 4 --out @D/run --resume",
         "--resume: the model given (vanilla flash-fair, gpt2 init) is not the one in @D/run/checkpoint.bin (atome "
         "d_model 16"},
        {"--preset nano --seq 32 --batch 4 --out @D/vrun --resume",
         "--resume: the model given (atome d_model 16, n_layers 2, d_head 4, window 64) is not the one in "
         "@D/vrun/checkpoint.bin (vanilla flash-fair, gpt2 init)"},
        {"--arch vanilla --vanilla-preset flash-fair --vanilla-init torch --seq 32 --batch 4 --out @D/vrun --resume",
         "--resume: the model given (vanilla flash-fair, torch init) is not the one in"},
    };
    char *before = listing();
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char args[512];
        snprintf(args, sizeof args, "--data @D/train.txt --valid @D/valid.txt %s%s", cases[i].args,
                 strstr(cases[i].args, "--out") ? "" : " --out @D/o");
        refused(args, cases[i].want, before);
    }
    free(before);
}
END_TEST

/* A short vanilla run: the same checkpoint and model.vnl bytes with 1 thread or 2 (another seed
 * and the other initialisation give others); model.vnl loads as the preset; the logged best bits
 * per byte is model.vnl's, recomputed by one vfb_forward over every valid window (the definition
 * the atome model's evaluation_definition test checks). */
START_TEST(vanilla_run) {
    const char *run = VTINY " --steps 20 --eval-every 10 --sample 24 --out @D/%s --threads %d --seed %d%s";
    ck_assert_int_eq(train(run, "t1", 1, 7, ""), 0);
    ck_assert_ptr_nonnull(strstr(out_text, "vanilla flash-fair, gpt2 init | d_model 8 n_layers 2 n_heads 4 d_ff 24"));
    ck_assert_ptr_nonnull(strstr(out_text, "5968 params, FP32 weights 23872 B, model.vnl 23936 B"));
    ck_assert_ptr_nonnull(strstr(out_text, "step 20/20"));
    ck_assert_ptr_nonnull(strstr(out_text, "sample (greedy"));
    ck_assert_int_eq(train(run, "t2", 2, 7, ""), 0);
    ck_assert_int_eq(train(run, "s2", 2, 8, ""), 0);
    ck_assert_int_eq(train(run, "torch", 1, 7, " --vanilla-init torch"), 0);
    ck_assert_ptr_nonnull(strstr(out_text, "vanilla flash-fair, torch init"));
    static const char *const other[][2] = {{"s2", "seed"}, {"torch", "initialisation"}};
    same_across_threads("model.vnl", other, 2);
    char a[128];
    ck_assert_msg(only_run_files("t1", "model.vnl"), "stray files in the run's directory");

    vanilla_config c, want;
    float *w;
    char err[256];
    snprintf(a, sizeof a, "%s/t1/model.vnl", cli_dir);
    ck_assert_msg(vanilla_load(a, &c, &w, err, sizeof err) == 0, "%s", err);
    vanilla_preset("flash-fair", &want);
    ck_assert_mem_eq(&c, &want, sizeof c);
    size_t nv, nl;
    snprintf(a, sizeof a, "%s/valid.txt", cli_dir);
    char *valid = read_all(a, &nv);
    snprintf(a, sizeof a, "%s/t1/log.jsonl", cli_dir);
    char *lg = read_all(a, &nl);
    ck_assert_int_eq(count_lines(lg), 2);
    const char *last = strchr(lg, '\n') + 1;
    double logged;
    ck_assert_int_eq(sscanf(strstr(last, "\"best_bpb\": "), "\"best_bpb\": %lf", &logged), 1);
    int T = 32, nw = (int)((nv - 1) / T);
    uint8_t *win = malloc((size_t)nw * (T + 1));
    for (int i = 0; i < nw; i++) memcpy(win + (size_t)i * (T + 1), valid + (size_t)i * T, (size_t)T + 1);
    vfb_context *f = vfb_create(&c, nw, T);
    ck_assert_ptr_nonnull(f);
    double bpb = vfb_forward(f, w, win, NULL, NULL) / ((double)nw * T) / log(2.0);
    ck_assert_msg(fabs(bpb - logged) < 2e-6, "recomputed %.7f, logged %.7f", bpb, logged);
    ck_assert_double_lt(logged, 8.0); /* it learned something in 20 steps: below uniform */
    vfb_free(f);
    free(win), free(valid), free(lg), free(w);
}
END_TEST

START_TEST(vanilla_resume_after_sigterm) { stop_and_resume(SIGTERM, VTINY, "model.vnl"); }
END_TEST

/* libgomp reads OMP_WAIT_POLICY before main; a constructor of atome-train that runs before
 * libgomp's defaults it to passive. OMP_DISPLAY_ENV shows what the process runs with: spin
 * count 0 is passive; and it is shown once, so the process did not re-execute itself. */
static const char *last_spincount(const char *s) {
    const char *last = NULL;
    for (const char *p = s; (p = strstr(p, "GOMP_SPINCOUNT = '")); p++) last = p + strlen("GOMP_SPINCOUNT = '");
    return last;
}

START_TEST(passive_wait_policy) {
    char cmd[256], path[96];
    snprintf(path, sizeof path, "%s/omp.txt", cli_dir);
    snprintf(cmd, sizeof cmd, "env -u OMP_WAIT_POLICY OMP_DISPLAY_ENV=verbose ./atome-train --help > /dev/null 2> %s", path);
    ck_assert_int_eq(system(cmd), 0);
    slurp(path, err_text, sizeof err_text);
    const char *sc = last_spincount(err_text);
    ck_assert_msg(sc && !strncmp(sc, "0'", 2), "%s", err_text);
    const char *first = strstr(err_text, "OPENMP DISPLAY ENVIRONMENT BEGIN");
    ck_assert_msg(first && !strstr(first + 1, "OPENMP DISPLAY ENVIRONMENT BEGIN"), "%s", err_text);
    /* a policy the user set is kept */
    snprintf(cmd, sizeof cmd, "OMP_WAIT_POLICY=active OMP_DISPLAY_ENV=verbose ./atome-train --help > /dev/null 2> %s", path);
    ck_assert_int_eq(system(cmd), 0);
    slurp(path, err_text, sizeof err_text);
    sc = last_spincount(err_text);
    ck_assert_msg(sc && strncmp(sc, "0'", 2), "%s", err_text);
}
END_TEST

Suite *train_vanilla_cli_suite(void) {
    Suite *s = suite_create("train_vanilla_cli");
    TCase *t = tcase_create("train_vanilla_cli");
    tcase_add_checked_fixture(t, train_cli_setup, train_cli_teardown);
    tcase_set_timeout(t, 600);
    tcase_add_test(t, vanilla_bad_input);
    tcase_add_test(t, vanilla_run);
    tcase_add_test(t, vanilla_resume_after_sigterm);
    tcase_add_test(t, passive_wait_policy);
    suite_add_tcase(s, t);
    return s;
}

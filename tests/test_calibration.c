/* test_calibration.c — the rank statistics of atome-infer --calibrate against hand-computed
 * cases and brute force (ties included), and the mode as a user runs it: the loss it averages is
 * --eval's, the same file on both sides gives AUROC 0.5, bad input gets one line and exit 1. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../infer/calibration.h"
#include "util.h"

START_TEST(spearman_by_hand) {
    /* y has a tie: ranks 1, 2, 3.5, 5, 3.5; rho = 8 / sqrt(10 · 9.5) */
    const double x[5] = {1, 2, 3, 4, 5}, y[5] = {5, 6, 7, 8, 7};
    ck_assert_double_eq_tol(calib_spearman(x, y, 5), 8.0 / sqrt(95.0), 1e-12);
    /* ties on both sides, no association: ranks 1.5 1.5 3.5 3.5 against 1.5 3.5 1.5 3.5 */
    const double a[4] = {1, 1, 2, 2}, b[4] = {1, 2, 1, 2};
    ck_assert_double_eq_tol(calib_spearman(a, b, 4), 0.0, 1e-12);
    /* any increasing map gives 1, any decreasing one -1; the order of the pairs does not matter */
    const double c[4] = {3, 1, 4, 2}, c3[4] = {27, 1, 64, 8}, neg[4] = {-30, -10, -40, -20};
    ck_assert_double_eq_tol(calib_spearman(c, c3, 4), 1.0, 1e-12);
    ck_assert_double_eq_tol(calib_spearman(c, neg, 4), -1.0, 1e-12);
    /* undefined: fewer than two pairs, or a constant variable */
    const double k[4] = {7, 7, 7, 7};
    ck_assert(isnan(calib_spearman(x, y, 1)));
    ck_assert(isnan(calib_spearman(k, c, 4)));
    ck_assert(isnan(calib_spearman(c, k, 4)));
}
END_TEST

START_TEST(spearman_matches_the_classic_formula_without_ties) {
    /* distinct values: rho = 1 - 6 Σd² / (n(n²-1)), computed from ranks found by counting */
    enum { N = 41 };
    double x[N], y[N];
    for (int i = 0; i < N; i++) x[i] = (i * 17) % N + 0.25, y[i] = (i * 29 + 5) % N * 1.5 - 3.0;
    double d2 = 0.0;
    for (int i = 0; i < N; i++) {
        int rx = 1, ry = 1;
        for (int j = 0; j < N; j++) rx += x[j] < x[i], ry += y[j] < y[i];
        d2 += (double)(rx - ry) * (rx - ry);
    }
    ck_assert_double_eq_tol(calib_spearman(x, y, N), 1.0 - 6.0 * d2 / (N * (N * N - 1.0)), 1e-12);
}
END_TEST

START_TEST(auroc_by_hand) {
    const double hi[2] = {3, 4}, lo[2] = {1, 2};
    ck_assert_double_eq_tol(calib_auroc(hi, 2, lo, 2), 1.0, 1e-12);
    ck_assert_double_eq_tol(calib_auroc(lo, 2, hi, 2), 0.0, 1e-12);
    /* pairs: 2>1, 2=2 (half), 2<4, 3>1, 3>2, 3<4 -> 3.5 of 6 */
    const double p[2] = {2, 3}, n[3] = {1, 2, 4};
    ck_assert_double_eq_tol(calib_auroc(p, 2, n, 3), 3.5 / 6.0, 1e-12);
    const double same[3] = {5, 5, 5};
    ck_assert_double_eq_tol(calib_auroc(same, 2, same, 3), 0.5, 1e-12);
    ck_assert(isnan(calib_auroc(p, 0, n, 3)));
    ck_assert(isnan(calib_auroc(p, 2, n, 0)));
}
END_TEST

START_TEST(auroc_matches_pair_counting) {
    /* many ties (scores 0..4): the rank sum against counting every pair, a tie as half */
    enum { NP = 37, NN = 23 };
    double p[NP], n[NN];
    unsigned s = 12345;
    for (int i = 0; i < NP; i++) s = s * 1103515245u + 12345u, p[i] = (s >> 16) % 5;
    for (int i = 0; i < NN; i++) s = s * 1103515245u + 12345u, n[i] = (s >> 16) % 4;
    double wins = 0.0;
    for (int i = 0; i < NP; i++)
        for (int j = 0; j < NN; j++) wins += p[i] > n[j] ? 1.0 : p[i] == n[j] ? 0.5 : 0.0;
    ck_assert_double_eq_tol(calib_auroc(p, NP, n, NN), wins / (NP * NN), 1e-12);
    ck_assert_double_eq_tol(calib_auroc(n, NN, p, NP), 1.0 - wins / (NP * NN), 1e-12);
}
END_TEST

/* ---------------------------------------------------------------- the CLI mode */

static char dir[64], model[128], text[160], line[160];

static void setup(void) {
    scratch_dir(dir, sizeof dir, "atome-calib-test");
    const atome_config c = {ATOME_VOCAB, 16, 2, 4, 16, 0, 0, 0, 0};
    snprintf(model, sizeof model, "%s/m.bin", dir);
    write_model(model, &c, 41);
    char buf[1000];
    for (int i = 0; i < 1000; i++) buf[i] = "Once upon a time, a cat sat on the mat.\n"[i % 40];
    snprintf(text, sizeof text, "%s/text.txt", dir);
    write_file(text, buf, sizeof buf);
    snprintf(line, sizeof line, "%s/line.txt", dir);
    write_file(line, "just one line\n", 14);
}

static void teardown(void) { scratch_remove(dir); }

static int infer(const char *args, char *out, size_t cap) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "./atome-infer --model %s %s", model, args);
    return run_cmd(cmd, out, cap);
}

/* The numbers of the table row that starts with "| name |". */
static int row(const char *out, const char *name, double *v, int n) {
    char head[96];
    snprintf(head, sizeof head, "\n| %s |", name);
    const char *p = strstr(out, head);
    if (!p) return 0;
    p += strlen(head);
    int got = 0;
    while (got < n && sscanf(p, " %lf |", &v[got]) == 1) got++, p = strchr(p, '|') + 1;
    return got;
}

START_TEST(calibrate_scores_like_eval) {
    char args[512], out[8192], ev[4096];
    /* the same file on both sides: every signal's AUROC is exactly one half */
    snprintf(args, sizeof args, "--calibrate %s --ood %s", text, text);
    ck_assert_int_eq(infer(args, out, sizeof out), 0);
    ck_assert_ptr_nonnull(strstr(out, "15 windows of 64, 960 bytes predicted"));
    double v[5];
    ck_assert_int_eq(row(out, "router entropy H(r)/ln 3, mean over layers", v, 5), 5);
    ck_assert(v[0] >= -1.0 && v[0] <= 1.0);
    ck_assert_double_eq_tol(v[2], 0.5, 1e-9);
    ck_assert_double_eq_tol(v[3], v[4], 1e-9);
    ck_assert(v[3] >= 0.0 && v[3] <= 1.0);
    ck_assert_int_eq(row(out, "router entropy, layer 1", v, 5), 5);
    ck_assert_int_eq(row(out, "router entropy, layer 2", v, 5), 0); /* the model has two layers */
    /* its loss is --eval's: the same bits per byte on the same windows */
    snprintf(args, sizeof args, "--eval %s", text);
    ck_assert_int_eq(infer(args, ev, sizeof ev), 0);
    double a, b;
    ck_assert_int_eq(sscanf(strstr(ev, "bits per byte"), "bits per byte %lf", &a), 1);
    ck_assert_int_eq(sscanf(strstr(out, "predicted, "), "predicted, %lf bits per byte", &b), 1);
    ck_assert_double_eq(a, b);
    /* a one-line file is too short for windows of 64, but enough for windows of 4 */
    snprintf(args, sizeof args, "--calibrate %s --ood %s --seq 4", text, line);
    ck_assert_int_eq(infer(args, out, sizeof out), 0);
    ck_assert_ptr_nonnull(strstr(out, "out-of-domain " ));
    ck_assert_ptr_nonnull(strstr(out, "3 windows of 4, 12 bytes predicted"));
}
END_TEST

static void expect_infer_error(const char *args, int status, const char *needle) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "./atome-infer --model %s %s", model, args);
    expect_one_line_error(cmd, status, needle);
}

START_TEST(calibrate_errors_are_named) {
    char args[512];
    snprintf(args, sizeof args, "--calibrate /nonexistent/in.txt --ood %s", text);
    expect_infer_error(args, 1, "cannot read '/nonexistent/in.txt': No such file");
    snprintf(args, sizeof args, "--calibrate %s --ood /nonexistent/ood.txt", text);
    expect_infer_error(args, 1, "cannot read '/nonexistent/ood.txt': No such file");
    snprintf(args, sizeof args, "--calibrate %s --ood %s", text, dir);
    expect_infer_error(args, 1, "Is a directory");
    snprintf(args, sizeof args, "--calibrate %s --ood %s", line, text);
    expect_infer_error(args, 1, "is too short to calibrate: it needs at least 65 bytes");
    snprintf(args, sizeof args, "--calibrate %s --ood %s", text, line);
    expect_infer_error(args, 1, "line.txt' is too short to calibrate");
    snprintf(args, sizeof args, "--calibrate %s", text);
    expect_infer_error(args, 2, "--calibrate FILE needs --ood FILE");
    snprintf(args, sizeof args, "--ood %s", text);
    expect_infer_error(args, 2, "--ood FILE goes with --calibrate FILE");
    expect_infer_error("--calibrate", 2, "--calibrate needs a value");
}
END_TEST

Suite *calibration_suite(void) {
    Suite *s = suite_create("calibration");
    TCase *stats = tcase_create("stats");
    tcase_add_test(stats, spearman_by_hand);
    tcase_add_test(stats, spearman_matches_the_classic_formula_without_ties);
    tcase_add_test(stats, auroc_by_hand);
    tcase_add_test(stats, auroc_matches_pair_counting);
    suite_add_tcase(s, stats);
    TCase *cli = tcase_create("cli");
    tcase_add_checked_fixture(cli, setup, teardown);
    tcase_set_timeout(cli, 120);
    tcase_add_test(cli, calibrate_scores_like_eval);
    tcase_add_test(cli, calibrate_errors_are_named);
    suite_add_tcase(s, cli);
    return s;
}

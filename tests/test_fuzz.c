/* test_fuzz.c — a short smoke run of every libFuzzer harness of tests/fuzz/ (mk/fuzz.mk builds
 * them and their seeds; `make test` makes both first).
 *
 * seeds_run_clean: each harness executes its seed corpus (the shipped checkpoints, and what a
 * tiny training run writes) under ASan + UBSan and must exit 0: the files the project ships
 * and writes load, step and parse without a finding.
 *
 * regressions_and_mutations runs each harness on its reproducers (tests/fuzz/regress/NAME/),
 * then for FUZZ_SMOKE_RUNS mutations of its seeds (at most 10 s each; 2000 by default, 0 in the
 * environment skips it). Each reproducer is a finding that was fixed (tests/fuzz/README.md).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"

#ifndef FUZZ_SMOKE_RUNS_DEFAULT
#define FUZZ_SMOKE_RUNS_DEFAULT 2000
#endif

static const char *const harnesses[] = {"blob", "parity", "checkpoint", "vanilla", "data", "classify", "infer_text", "train_log"};
#define N_HARNESSES (sizeof harnesses / sizeof harnesses[0])

static long smoke_runs(void) {
    const char *v = getenv("FUZZ_SMOKE_RUNS");
    return v && *v ? atol(v) : FUZZ_SMOKE_RUNS_DEFAULT;
}

/* Runs one harness with args; fails the test unless it exits 0 having run `want` inputs or more,
 * with no sanitizer report. */
static void run_harness(const char *name, const char *args, long want) {
    char cmd[1024];
    static char out[1 << 16];
    /* a finding leaves its input in /tmp/atome-fuzz-smoke-crash-* */
    snprintf(cmd, sizeof cmd, "UBSAN_OPTIONS=print_stacktrace=1 build/fuzz/fuzz_%s -artifact_prefix=/tmp/atome-fuzz-smoke- %s",
             name, args);
    int st = run_cmd(cmd, out, sizeof out);
    size_t len = strlen(out);
    const char *tail = len > 2000 ? out + len - 2000 : out; /* libcheck messages are short */
    const char *report = strstr(out, "ERROR:") ? strstr(out, "ERROR:") : strstr(out, "runtime error");
    ck_assert_msg(!report, "fuzz_%s reported:\n%.2000s", name, report);
    ck_assert_msg(st == 0, "fuzz_%s exited %d:\n%s", name, st, tail);
    /* libFuzzer ends with "Done N runs" (corpus runs) or "Executed FILE" per file it was given */
    const char *done = strstr(out, "Done ");
    long runs = done ? atol(done + 5) : 0;
    if (!done)
        for (const char *p = out; (p = strstr(p, "Executed ")); p++) runs++;
    ck_assert_msg(runs >= want, "fuzz_%s ran %ld inputs, expected at least %ld:\n%s", name, runs, want, tail);
}

static long files_in(const char *dir) {
    DIR *d = opendir(dir);
    long n = 0;
    if (!d) return 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

START_TEST(seeds_run_clean) {
    for (size_t i = 0; i < N_HARNESSES; i++) {
        char dir[128], args[256];
        snprintf(dir, sizeof dir, "build/fuzz/seed/%s", harnesses[i]);
        long n = files_in(dir);
        ck_assert_msg(n > 0, "%s holds no seeds (make fuzz-build makes them)", dir);
        snprintf(args, sizeof args, "-runs=0 %s", dir);
        run_harness(harnesses[i], args, n);
    }
}
END_TEST

START_TEST(regressions_and_mutations) {
    long runs = smoke_runs();
    for (size_t i = 0; i < N_HARNESSES; i++) {
        char dir[128], args[512], scratch[64];
        snprintf(dir, sizeof dir, "tests/fuzz/regress/%s", harnesses[i]);
        long n = files_in(dir);
        if (n > 0) {
            snprintf(args, sizeof args, "%s/*", dir);
            run_harness(harnesses[i], args, n);
        }
        scratch_dir(scratch, sizeof scratch, "atome-fuzz-smoke");
        snprintf(args, sizeof args, "-seed=1 -runs=%ld -max_total_time=10 %s build/fuzz/seed/%s", runs, scratch,
                 harnesses[i]);
        run_harness(harnesses[i], args, 1);
        scratch_remove(scratch);
    }
}
END_TEST

Suite *fuzz_suite(void) {
    Suite *s = suite_create("fuzz");
    TCase *t = tcase_create("fuzz");
    tcase_set_timeout(t, 600);
    tcase_add_test(t, seeds_run_clean);
    if (smoke_runs() > 0) tcase_add_test(t, regressions_and_mutations);
    suite_add_tcase(s, t);
    return s;
}

/* test_infer_cli.c — atome-infer as a user runs it: bad models and flags get one line and a
 * non-zero exit; greedy and seeded sampling are reproducible; --eval prints bits per byte. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>
#include "util.h"

static char dir[64];
static char model[128];

static void setup(void) {
    scratch_dir(dir, sizeof dir, "atome-infer-test");
    const atome_config c = {ATOME_VOCAB, 16, 2, 4, 16, 0, 0, 0, 0};
    snprintf(model, sizeof model, "%s/m.bin", dir);
    write_model(model, &c, 77);
}

static void teardown(void) { scratch_remove(dir); }

/* Runs atome-infer with args; returns the exit status, output in out. */
static int infer(const char *args, char *out, size_t cap) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "./atome-infer %s", args);
    return run_cmd(cmd, out, cap);
}

/* The shipped build and the sanitized one (mk/tests.mk): every error path is also run under
 * AddressSanitizer, whose leak check fails it if the path forgets to free what it read. */
static const char *const builds[2] = {"./atome-infer", "build/asan/atome-infer"};

static void expect_infer_error(const char *args, int status, const char *needle) {
    char cmd[1024];
    for (int b = 0; b < 2; b++) {
        snprintf(cmd, sizeof cmd, "%s %s", builds[b], args);
        expect_one_line_error(cmd, status, needle);
    }
}

/* `{ ./atome-infer ARGS > SINK; }`: stdout to SINK, stderr captured. */
static void expect_write_error(const char *args, const char *sink, const char *needle) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "{ ./atome-infer %s > %s; }", args, sink);
    expect_one_line_error(cmd, 1, needle);
}

START_TEST(bad_models_are_named) {
    char args[512], path[160];
    expect_infer_error("--model /nonexistent/m.bin", 1, "cannot read model '/nonexistent/m.bin'");
    snprintf(args, sizeof args, "--model %s", dir); /* a directory */
    expect_infer_error(args, 1, "Is a directory");

    size_t len;
    const atome_config c = {ATOME_VOCAB, 16, 2, 4, 16, 0, 0, 0, 0};
    uint8_t *blob = make_blob(&c, 5, &len);
    snprintf(path, sizeof path, "%s/cut.bin", dir);
    write_file(path, blob, len / 2);
    snprintf(args, sizeof args, "--model %s", path);
    expect_infer_error(args, 1, "is truncated");
    blob[len - 1] ^= 1;
    write_file(path, blob, len);
    expect_infer_error(args, 1, "corrupt (CRC mismatch)");
    write_file(path, (const uint8_t *)"hello, not a model at all........................................", 66);
    expect_infer_error(args, 1, "bad magic");
    write_file(path, blob, 0);
    expect_infer_error(args, 1, "is truncated");
    free(blob);
}
END_TEST

START_TEST(bad_flags_are_named) {
    char args[512];
    expect_infer_error("", 2, "--model FILE is required");
    snprintf(args, sizeof args, "--model %s --bogus 1", model);
    expect_infer_error(args, 2, "unknown option '--bogus'");
    snprintf(args, sizeof args, "--model %s -n many", model);
    expect_infer_error(args, 2, "-n wants a whole number");
    snprintf(args, sizeof args, "--model %s --top-p 1.5", model);
    expect_infer_error(args, 2, "--top-p wants a number in 0..1");
    snprintf(args, sizeof args, "--model %s --temperature", model);
    expect_infer_error(args, 2, "--temperature needs a value");
    snprintf(args, sizeof args, "--model %s --eval /nonexistent.txt", model);
    expect_infer_error(args, 1, "cannot read '/nonexistent.txt'");
}
END_TEST

START_TEST(generation_is_reproducible) {
    char args[512], a[4096], b[4096];
    snprintf(args, sizeof args, "--model %s --prompt 'Once upon' -n 80", model);
    ck_assert_int_eq(infer(args, a, sizeof a), 0);
    ck_assert_int_eq(infer(args, b, sizeof b), 0);
    ck_assert_str_eq(a, b);
    ck_assert_uint_eq(strlen(a), strlen("Once upon") + 80 + 1); /* prompt, 80 bytes, newline */
    ck_assert(!strncmp(a, "Once upon", 9));
    snprintf(args, sizeof args, "--model %s --prompt 'Once upon' -n 80 --temperature 1 --top-p 0.95 --seed 3", model);
    ck_assert_int_eq(infer(args, a, sizeof a), 0);
    ck_assert_int_eq(infer(args, b, sizeof b), 0);
    ck_assert_str_eq(a, b); /* same seed, same text */
    snprintf(args, sizeof args, "--model %s --prompt 'Once upon' -n 80 --temperature 1 --top-p 0.95 --seed 4", model);
    ck_assert_int_eq(infer(args, b, sizeof b), 0);
    ck_assert_str_ne(a, b); /* another seed, another text */
}
END_TEST

START_TEST(eval_prints_bits_per_byte) {
    char args[512], out[4096], path[160];
    snprintf(path, sizeof path, "%s/text.txt", dir);
    uint8_t text[1000];
    for (int i = 0; i < 1000; i++) text[i] = (uint8_t)"the cat sat on the mat. "[i % 24];
    write_file(path, text, sizeof text);
    snprintf(args, sizeof args, "--model %s --eval %s --seq 64", model, path);
    ck_assert_int_eq(infer(args, out, sizeof out), 0);
    double bpb = 0, ppl = 0;
    const char *at = strstr(out, "bits per byte");
    ck_assert_ptr_nonnull(at);
    ck_assert_int_eq(sscanf(at, "bits per byte %lf per-byte perplexity %lf", &bpb, &ppl), 2);
    ck_assert(bpb > 0.0 && bpb < 16.0);
    ck_assert_double_eq_tol(ppl, pow(2.0, bpb), 1e-3 * ppl);
    ck_assert_ptr_nonnull(strstr(out, "960 bytes predicted")); /* 15 windows of 64 */
    write_file(path, text, 10);
    expect_infer_error(args, 1, "too short to evaluate");
}
END_TEST

/* A write that fails is one line and exit 1, never a cut output with exit 0: /dev/full for each
 * mode, and a file past the size limit (ulimit -f, SIGXFSZ ignored: writes then fail with EFBIG,
 * as on a full small filesystem). */
START_TEST(write_errors_are_reported) {
    char args[512], path[160], cmd[1024];
    const char *full = "cannot write the output: No space left on device";
    snprintf(path, sizeof path, "%s/text.txt", dir);
    uint8_t text[1000];
    for (int i = 0; i < 1000; i++) text[i] = (uint8_t)"the cat sat on the mat. "[i % 24];
    write_file(path, text, sizeof text);
    snprintf(args, sizeof args, "--model %s -n 200000", model);
    expect_write_error(args, "/dev/full", full);
    snprintf(args, sizeof args, "--model %s --eval %s --seq 64", model, path);
    expect_write_error(args, "/dev/full", full);
    expect_write_error("--presets", "/dev/full", full);
    expect_write_error("--help", "/dev/full", full);
    snprintf(args, sizeof args, "--model %s --bench -n 8", model);
    expect_write_error(args, "/dev/full", full);
    snprintf(cmd, sizeof cmd, "{ printf 'hi\\n' | ./atome-infer --model %s --interactive -n 4 > /dev/full; }", model);
    expect_one_line_error(cmd, 1, full);
    snprintf(cmd, sizeof cmd, "{ trap '' XFSZ; ulimit -f 8; ./atome-infer --model %s -n 200000 > %s/cut.txt; }", model,
             dir);
    expect_one_line_error(cmd, 1, "cannot write the output: File too large");
    /* the same modes to a working file succeed */
    snprintf(args, sizeof args, "./atome-infer --presets > %s/ok.txt", dir);
    ck_assert_int_eq(run_cmd(args, NULL, 0), 0);
}
END_TEST

Suite *infer_cli_suite(void) {
    Suite *s = suite_create("atome-infer");
    TCase *t = tcase_create("cli");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, bad_models_are_named);
    tcase_add_test(t, bad_flags_are_named);
    tcase_add_test(t, generation_is_reproducible);
    tcase_add_test(t, eval_prints_bits_per_byte);
    tcase_add_test(t, write_errors_are_reported);
    suite_add_tcase(s, t);
    return s;
}

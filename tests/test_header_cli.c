/* test_header_cli.c — atome-header's hostile cases: an output that is the input (by name, hard
 * link, symlink, or as the config header beside OUT.h), an output that is not a regular file, a
 * write that fails, an input named like the old temporary, and the usage errors. Each: one line,
 * non-zero exit, the input's bytes unchanged, nothing left behind. (The good and bad blobs are
 * test_mcu.c's atome-header cases.) */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util.h"

static char dir[64];
static char model[128];
static char *model_bytes;
static size_t model_len;

static void setup(void) {
    scratch_dir(dir, sizeof dir, "atome-header-cli");
    const atome_config c = {ATOME_VOCAB, 16, 2, 4, 16, 0, 0, 0, 0};
    snprintf(model, sizeof model, "%s/m.bin", dir);
    write_model(model, &c, 3);
    model_bytes = read_all(model, &model_len);
}

static void teardown(void) {
    free(model_bytes);
    scratch_remove(dir);
}

/* The file at path holds exactly the model's bytes. */
static void unchanged(const char *path) {
    size_t n;
    char *b = read_all(path, &n);
    ck_assert_msg(n == model_len && !memcmp(b, model_bytes, n), "%s was changed", path);
    free(b);
}

/* `ls -A dir` is want (names, one per line). */
static void dir_holds(const char *want) {
    char cmd[160], out[1024];
    snprintf(cmd, sizeof cmd, "ls -A %s", dir);
    ck_assert_int_eq(run_cmd(cmd, out, sizeof out), 0);
    ck_assert_str_eq(out, want);
}

START_TEST(output_is_never_the_input) {
    char cmd[512];
    const char *why = "is the input MODEL.bin: it would be overwritten";
    snprintf(cmd, sizeof cmd, "./atome-header %s %s", model, model);
    expect_one_line_error(cmd, 2, why);
    snprintf(cmd, sizeof cmd, "ln %s %s/hard.h && ln -s m.bin %s/soft.h", model, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "./atome-header %s %s/hard.h", model, dir);
    expect_one_line_error(cmd, 2, why);
    snprintf(cmd, sizeof cmd, "./atome-header %s/m.bin %s/./soft.h", dir, dir);
    expect_one_line_error(cmd, 2, why);
    /* OUT.h's config header, OUT_config.h, is the input */
    snprintf(cmd, sizeof cmd, "cp %s %s/x_config.h", model, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "./atome-header %s/x_config.h %s/x.h", dir, dir);
    expect_one_line_error(cmd, 2, why);
    unchanged(model);
    snprintf(cmd, sizeof cmd, "%s/x_config.h", dir);
    unchanged(cmd);
    dir_holds("hard.h\nm.bin\nsoft.h\nx_config.h\n");
}
END_TEST

/* An existing output that is no regular file (here a FIFO; /dev/full would be one too) is
 * refused: the rename would replace it. */
START_TEST(output_must_be_a_regular_file) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "mkfifo %s/pipe.h", dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "./atome-header %s %s/pipe.h", model, dir);
    expect_one_line_error(cmd, 2, "pipe.h exists and is not a regular file");
    snprintf(cmd, sizeof cmd, "test -p %s/pipe.h", dir);
    ck_assert_int_eq(system(cmd), 0);
    dir_holds("m.bin\npipe.h\n");
}
END_TEST

/* A write that fails (the file size limit, as a full filesystem would) is one line, exit 1, and
 * leaves neither header nor a temporary. */
START_TEST(write_error_leaves_nothing) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "{ trap '' XFSZ; ulimit -f 2; ./atome-header %s %s/out.h; }", model, dir);
    expect_one_line_error(cmd, 1, "cannot write");
    dir_holds("m.bin\n");
}
END_TEST

/* An input named as OUT.h's temporary used to be (OUT.h.tmp) is read, not overwritten. */
START_TEST(input_named_like_a_temporary) {
    char cmd[1024], path[160];
    snprintf(path, sizeof path, "%s/o.h.tmp", dir);
    snprintf(cmd, sizeof cmd, "cp %s %s && ./atome-header %s %s/o.h", model, path, path, dir);
    ck_assert_int_eq(run_cmd(cmd, NULL, 0), 0);
    unchanged(path);
    dir_holds("m.bin\no.h\no.h.tmp\no_config.h\n");
}
END_TEST

START_TEST(usage_errors_are_one_line) {
    char cmd[512];
    expect_one_line_error("./atome-header", 2, "MODEL.bin and OUT.h are required (see --help)");
    snprintf(cmd, sizeof cmd, "./atome-header %s", model);
    expect_one_line_error(cmd, 2, "OUT.h is required (see --help)");
    expect_one_line_error("./atome-header --bogus", 2, "unknown option '--bogus'");
    expect_one_line_error("./atome-header a b c", 2, "too many arguments");
    expect_one_line_error("./atome-header a b --name", 2, "--name needs a C identifier");
    expect_one_line_error("{ ./atome-header --help > /dev/full; }", 1, "cannot write");
}
END_TEST

Suite *header_cli_suite(void) {
    Suite *s = suite_create("header_cli");
    TCase *t = tcase_create("header_cli");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, output_is_never_the_input);
    tcase_add_test(t, output_must_be_a_regular_file);
    tcase_add_test(t, write_error_leaves_nothing);
    tcase_add_test(t, input_named_like_a_temporary);
    tcase_add_test(t, usage_errors_are_one_line);
    suite_add_tcase(s, t);
    return s;
}

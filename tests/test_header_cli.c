/* test_header_cli.c — atome-header's hostile cases: an output that is the input (by name, hard
 * link, symlink, or as the config header beside OUT.h), an output that is not a regular file, a
 * write that fails, an input named like the old temporary, and the usage errors. Each: one line,
 * non-zero exit, the input's bytes unchanged, nothing left behind. (The good and bad blobs are
 * test_mcu.c's atome-header cases.) Also: a classifier's header compiled gives back its labels and
 * feature constants exactly. */
#include <check.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../train/model.h"
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

/* A classifier's header: its counts, its labels and its feature constants, compiled by the host
 * compiler as C99, give back the blob's names byte for byte and its constants bit for bit, also
 * where a decimal literal would be risky (-0, subnormals, the largest float, 0.1) and the names
 * hold a quote, a backslash, a trigraph and UTF-8 before a digit. ATOME_MAX_LOGITS is C, and a
 * smaller one in force stops the build. A text classifier has no feature arrays. */
static const char cls_names[] = "a\"b\0back\\slash\0?\?=tri\0caf\xc3\xa9" "1";
enum { CLS_C = 4, CLS_F = 6 };

static void write_classifier(const char *path, int features) {
    const atome_config c = {ATOME_VOCAB, 16, 2, 4, 16, 0, CLS_C, features, (int)sizeof cls_names};
    const float fmin[CLS_F] = {-0.0f, 0x1p-149f, -FLT_MAX, 0.1f, 23.75f, -0x1.fffffcp-127f};
    const float fscale[CLS_F] = {0.0f, 0x1p-149f, FLT_MAX, 61.0047798f, 1.0f / 3.0f, 255.0f};
    size_t len;
    uint8_t *blob = make_blob(&c, 5, &len);
    model_set_classes(blob, &c, fmin, fscale, cls_names);
    atome_weights w;
    ck_assert_int_eq(atome_blob_open(blob, len, &w), ATOME_OK);
    write_file(path, blob, len);
    free(blob);
}

START_TEST(classifier_header_round_trips) {
    char path[160], cmd[1024], out[2048], want[2048];
    snprintf(path, sizeof path, "%s/cls.bin", dir);
    write_classifier(path, CLS_F);
    snprintf(cmd, sizeof cmd, "./atome-header %s %s/c.h --name head", path, dir);
    ck_assert_int_eq(run_cmd(cmd, out, sizeof out), 0);
    /* prints the counts, every label's bytes in hex, every constant's bits */
    snprintf(path, sizeof path, "%s/t.c", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "#include <stdio.h>\n#include <string.h>\n#include \"c.h\"\n"
               "int main(void) {\n"
               "  printf(\"%%d %%d %%d\\n\", head_CLASSES, head_FEATURES, ATOME_MAX_LOGITS);\n"
               "  for (int k = 0; k < head_CLASSES; k++) {\n"
               "    for (const char *s = head_labels[k]; *s; s++) printf(\"%%02x\", (unsigned char)*s);\n"
               "    printf(\"\\n\");\n  }\n"
               "  for (int i = 0; i < head_FEATURES; i++) {\n"
               "    unsigned a, b;\n"
               "    memcpy(&a, &head_feature_min[i], 4), memcpy(&b, &head_feature_scale[i], 4);\n"
               "    printf(\"%%08x %%08x\\n\", a, b);\n  }\n"
               "  return 0;\n}\n");
    fclose(f);
    snprintf(cmd, sizeof cmd, "cc -std=c99 -pedantic -Wall -Wextra -Werror -o %s/t %s/t.c && %s/t", dir, dir, dir);
    ck_assert_msg(run_cmd(cmd, out, sizeof out) == 0, "%s", out);
    size_t len;
    snprintf(path, sizeof path, "%s/cls.bin", dir);
    uint8_t *blob = (uint8_t *)read_all(path, &len);
    atome_weights w;
    ck_assert_int_eq(atome_blob_open(blob, len, &w), ATOME_OK);
    char *p = want + sprintf(want, "%d %d %d\n", CLS_C, CLS_F, CLS_C);
    for (const char *s = cls_names; s < cls_names + sizeof cls_names; s++)
        p += *s ? sprintf(p, "%02x", (unsigned char)*s) : sprintf(p, "\n");
    for (int i = 0; i < CLS_F; i++) {
        uint32_t a, b;
        memcpy(&a, &w.feature_min[i], 4), memcpy(&b, &w.feature_scale[i], 4);
        p += sprintf(p, "%08x %08x\n", a, b);
    }
    ck_assert_str_eq(out, want);
    ck_assert(strstr(want, "\n80000000 00000000\n00000001 00000001\n")); /* -0 and the subnormals are there */
    free(blob);
    /* the state in force must hold C logits */
    snprintf(cmd, sizeof cmd, "cc -std=c99 -DATOME_MAX_LOGITS=3 -fsyntax-only %s/t.c", dir);
    ck_assert_int_ne(run_cmd(cmd, out, sizeof out), 0);
    ck_assert_msg(strstr(out, "c.h: ATOME_MAX_LOGITS in force is smaller than this classifier's 4 classes"), "%s", out);
    /* a text classifier: no feature arrays, FEATURES 0 */
    snprintf(path, sizeof path, "%s/text.bin", dir);
    write_classifier(path, 0);
    snprintf(cmd, sizeof cmd, "./atome-header %s %s/x.h --name txt && grep -c 'feature_' %s/x.h; grep -c '^#define txt_FEATURES 0$' %s/x.h",
             path, dir, dir, dir);
    run_cmd(cmd, out, sizeof out);
    ck_assert_str_eq(out, "0\n1\n");
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
    tcase_add_test(t, classifier_header_round_trips);
    suite_add_tcase(s, t);
    return s;
}

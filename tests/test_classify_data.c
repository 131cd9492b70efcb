/* test_classify_data.c — the classifier's data (common/classify_data.h, classify_split.h): every
 * malformed row named as FILE:LINE (through the API and through atome-logreg --check-data, one
 * line, exit 1), the label table's order, the quantisation's exact bytes at its boundaries and
 * its fit on the training split only, the stratified split's determinism and proportions, the
 * baseline's reproducibility, and that tools/datasets reproduces data/'s committed files. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../common/atome_ops.h"
#include "../common/classify_data.h"
#include "util.h"

static char dir[64];
static void setup(void) { scratch_dir(dir, sizeof dir, "atome-classify-test"); }
static void teardown(void) { scratch_remove(dir); }

/* dir/name holding text; its path (static buffers, 64 in turn). */
static const char *put(const char *name, const char *text) {
    static char paths[64][256];
    static int turn;
    char *p = paths[turn++ % 64];
    snprintf(p, 256, "%s/%s", dir, name);
    write_file(p, text, strlen(text));
    return p;
}

/* Loads and expects failure with exactly the message want (its @ replaced by the scratch dir). */
static void expect_load_error(const char *data, const char *valid, const char *test, const char *label_col,
                              const char *want) {
    classify_options o;
    classify_options_default(&o);
    o.data = data, o.valid = valid, o.test = test, o.label_col = label_col;
    classify_dataset d;
    char err[1024], full[1024], *w = full;
    for (const char *p = want; *p; p++) w += *p == '@' ? sprintf(w, "%s", dir) : (*w = *p, 1);
    *w = 0;
    ck_assert_int_eq(classify_load(&o, &d, err, sizeof err), -1);
    ck_assert_str_eq(err, full);
    ck_assert_uint_eq(d.n_classes, 0);
    ck_assert_ptr_null(d.split[0].label);
}

START_TEST(malformed_text_rows) {
    const char *good = put("good.tsv", "a\tone\nb\ttwo\na\tthree\nb\tfour\n");
    expect_load_error(put("t.tsv", "a\tone\nno tab here\n"), good, good, NULL,
                      "@/t.tsv:2: no tab: a row is label<TAB>text");
    expect_load_error(put("t.tsv", "a\tone\nb\t\n"), good, good, NULL, "@/t.tsv:2: empty text");
    expect_load_error(put("t.tsv", "a\tone\r\nb\t\r\n"), good, good, NULL, "@/t.tsv:2: empty text");
    expect_load_error(put("t.tsv", "\tone\n"), good, good, NULL, "@/t.tsv:1: empty label");
    expect_load_error(put("t.tsv", "a\tone\n\n"), good, good, NULL, "@/t.tsv:2: empty line");
    expect_load_error(good, put("v.tsv", "a\tx\nc\ty\n"), good, NULL,
                      "@/v.tsv:2: unknown label 'c' (not in the training file)");
    expect_load_error(good, good, put("u.tsv", "B\tx\n"), NULL,
                      "@/u.tsv:1: unknown label 'B' (not in the training file)");
    char long_label[200];
    memset(long_label, 'x', 64);
    strcpy(long_label + 64, "\ttext\n");
    expect_load_error(put("t.tsv", long_label), good, good, NULL,
                      "@/t.tsv:1: label 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is 64 bytes, at most 63");
    /* 257 labels: the 257th row is the one named. */
    char *many = malloc(257 * 16), *m = many;
    for (int i = 0; i < 257; i++) m += sprintf(m, "c%d\tt\n", i);
    expect_load_error(put("t.tsv", many), good, good, NULL,
                      "@/t.tsv:257: label 'c256' would be class 257: at most 256 classes");
    free(many);
    /* An empty file is the error of its line 1; a control byte in a label is shown as ?. */
    expect_load_error(put("e.tsv", ""), good, good, NULL, "@/e.tsv:1: empty file: no rows");
    expect_load_error(good, put("e.tsv", ""), good, NULL, "@/e.tsv:1: empty file: no rows");
    expect_load_error(good, good, put("e.tsv", ""), NULL, "@/e.tsv:1: empty file: no rows");
    expect_load_error(put("t.tsv", "a\tone\nb\x1b[2J\ttwo\n"), good, good, NULL,
                      "@/t.tsv:2: label 'b?[2J' holds a control byte");
    expect_load_error(good, put("v.tsv", "a\tx\nzz\x01\ty\n"), good, NULL,
                      "@/v.tsv:2: label 'zz?' holds a control byte");
}
END_TEST

START_TEST(malformed_table_rows) {
    const char *good = put("good.csv", "t,h,y\n1,2,a\n3,4,b\n5,6,a\n7,8,b\n");
    expect_load_error(put("t.csv", "t,h,y\n1,x,a\n"), good, good, "y", "@/t.csv:2: feature 'h': 'x' is not a number");
    expect_load_error(put("t.csv", "t,h,y\n1,x\x1by\x01,a\n"), good, good, "y",
                      "@/t.csv:2: feature 'h': 'x?y?' is not a number");
    expect_load_error(put("t.csv", ""), good, good, "y", "@/t.csv:1: empty file: no rows");
    expect_load_error(put("t.csv", "t,h\x02,y\n1,2,a\n"), good, good, "y",
                      "@/t.csv:1: column 2's name holds a control byte");
    expect_load_error(put("t.csv", "t,h,y\n1,2,a\n1,2\n"), good, good, "y", "@/t.csv:3: 2 fields, the header has 3");
    expect_load_error(put("t.csv", "t,h,y\n1,2,a\n\r\n"), good, good, "y", "@/t.csv:3: empty line");
    expect_load_error(put("t.csv", "t,h,y\n1,2,a,4\n"), good, good, "y", "@/t.csv:2: 4 fields, the header has 3");
    expect_load_error(put("t.csv", "t,h,y\n1,,a\n"), good, good, "y", "@/t.csv:2: feature 'h' is empty");
    expect_load_error(put("t.csv", "t,h,y\n1,2.5e,a\n"), good, good, "y",
                      "@/t.csv:2: feature 'h': '2.5e' is not a number");
    expect_load_error(put("t.csv", "t,h,y\n1, 2,a\n"), good, good, "y", "@/t.csv:2: feature 'h': ' 2' is not a number");
    expect_load_error(put("t.csv", "t,h,y\nnan,2,a\n"), good, good, "y",
                      "@/t.csv:2: feature 't': 'nan' is not a finite float");
    expect_load_error(put("t.csv", "t,h,y\n1e39,2,a\n"), good, good, "y",
                      "@/t.csv:2: feature 't': '1e39' is not a finite float");
    expect_load_error(put("t.csv", "t,h,y\n1,2,\n"), good, good, "y", "@/t.csv:2: empty label");
    expect_load_error(put("t.csv", "t,h,y\n"), good, good, "y", "@/t.csv:2: no rows after the header");
    expect_load_error(put("t.csv", "t,h,z\n1,2,a\n"), good, good, "y",
                      "@/t.csv:1: no column named 'y' (--label-col) in the header");
    expect_load_error(put("t.csv", "t,t,y\n1,2,a\n"), good, good, "y", "@/t.csv:1: column 't' appears twice");
    expect_load_error(put("t.csv", "y\na\n"), good, good, "y", "@/t.csv:1: no feature column besides 'y'");
    expect_load_error(good, put("v.csv", "h,t,y\n1,2,a\n"), good, "y",
                      "@/v.csv:1: the header differs from the training file's");
    expect_load_error(good, good, put("u.csv", "t,h,y\n1,2,c\n"), "y",
                      "@/u.csv:2: unknown label 'c' (not in the training file)");
    expect_load_error(good, good, put("u.csv", "t,h,y\n1,2,a\n1,2,b,3\n"), "y",
                      "@/u.csv:3: 4 fields, the header has 3");
}
END_TEST

/* The CLI's side of a bad row: one line holding FILE:LINE, exit 1, nothing else printed. */
START_TEST(check_data_cli_errors) {
    char cmd[1024], needle[512];
    const char *bad = put("bad.tsv", "a\tone\nno tab\n");
    snprintf(cmd, sizeof cmd, "build/tools/atome-logreg --check-data --data %s", bad);
    snprintf(needle, sizeof needle, "atome-logreg: %s:2: no tab", bad);
    expect_one_line_error(cmd, 1, needle);
    const char *train = put("tr.csv", "t,y\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n7,a\n8,b\n9,a\n10,b\n11,a\n12,b\n");
    const char *test = put("te.csv", "t,y\n1,a\nabc,b\n");
    snprintf(cmd, sizeof cmd, "build/tools/atome-logreg --check-data --data %s --test %s --label-col y", train, test);
    snprintf(needle, sizeof needle, "atome-logreg: %s:3: feature 't': 'abc' is not a number", test);
    expect_one_line_error(cmd, 1, needle);
    snprintf(cmd, sizeof cmd, "build/tools/atome-logreg --check-data --data %s --test %s", train, train);
    snprintf(needle, sizeof needle, "atome-logreg: %s:1: no tab", train);
    expect_one_line_error(cmd, 1, needle);
    snprintf(cmd, sizeof cmd, "build/tools/atome-logreg --check-data --data %s --label-col y", train);
    char out[4096];
    ck_assert_int_eq(run_cmd(cmd, out, sizeof out), 0);
    ck_assert_ptr_nonnull(strstr(out, "data: table, 1 features, label column 'y', 2 classes"));
}
END_TEST

START_TEST(label_table_sorted_and_text_bytes) {
    classify_options o;
    classify_options_default(&o);
    o.data = put("t.tsv", "b\tfirst\r\nab\tsecond\twith a tab\na\tthird\nb\tfourth");
    o.valid = put("v.tsv", "a\tv\n");
    o.test = put("u.tsv", "ab\tw\n");
    classify_dataset d;
    char err[512];
    ck_assert_int_eq(classify_load(&o, &d, err, sizeof err), 0);
    ck_assert_uint_eq(d.n_classes, 3);
    ck_assert_str_eq(d.label[0], "a");
    ck_assert_str_eq(d.label[1], "ab");
    ck_assert_str_eq(d.label[2], "b");
    const classify_split *s = &d.split[CLASSIFY_TRAIN];
    ck_assert_uint_eq(s->n, 4);
    static const char *const text[4] = {"first", "second\twith a tab", "third", "fourth"};
    static const uint8_t label[4] = {2, 1, 0, 2};
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(s->label[i], label[i]);
        ck_assert_uint_eq(s->start[i + 1] - s->start[i], strlen(text[i]));
        ck_assert(memcmp(s->bytes + s->start[i], text[i], strlen(text[i])) == 0);
    }
    ck_assert_uint_eq(d.split[CLASSIFY_VALID].label[0], 0);
    ck_assert_uint_eq(d.split[CLASSIFY_TEST].label[0], 1);
    ck_assert_ptr_null(s->value);
    classify_free(&d);
}
END_TEST

START_TEST(quantisation_bytes) {
    /* scale 1: the byte is x rounded half away from zero, clamped. */
    float s1 = classify_scale(0.0f, 255.0f);
    ck_assert(s1 == 1.0f);
    ck_assert_uint_eq(feature_quantise(0.0f, 0.0f, s1), 0);
    ck_assert_uint_eq(feature_quantise(0.49999997f, 0.0f, s1), 0); /* v + 0.5f would round up to 1 */
    ck_assert_uint_eq(feature_quantise(0.5f, 0.0f, s1), 1);
    ck_assert_uint_eq(feature_quantise(1.5f, 0.0f, s1), 2);
    ck_assert_uint_eq(feature_quantise(2.5f, 0.0f, s1), 3);
    ck_assert_uint_eq(feature_quantise(254.49998f, 0.0f, s1), 254);
    ck_assert_uint_eq(feature_quantise(254.5f, 0.0f, s1), 255);
    ck_assert_uint_eq(feature_quantise(255.0f, 0.0f, s1), 255);
    ck_assert_uint_eq(feature_quantise(-0.0f, 0.0f, s1), 0);
    ck_assert_uint_eq(feature_quantise(-1.0f, 0.0f, s1), 0);
    ck_assert_uint_eq(feature_quantise(1e30f, 0.0f, s1), 255);
    ck_assert_uint_eq(feature_quantise(-1e30f, 0.0f, s1), 0);
    ck_assert_uint_eq(feature_quantise(INFINITY, 0.0f, s1), 255);
    /* [-1, 1]: scale 127.5, the centre 0 lies on a half and goes up. */
    float s2 = classify_scale(-1.0f, 1.0f);
    ck_assert(s2 == 127.5f);
    ck_assert_uint_eq(feature_quantise(-1.0f, -1.0f, s2), 0);
    ck_assert_uint_eq(feature_quantise(0.0f, -1.0f, s2), 128);
    ck_assert_uint_eq(feature_quantise(1.0f, -1.0f, s2), 255);
    ck_assert_uint_eq(feature_quantise(nextafterf(-1.0f, 0.0f), -1.0f, s2), 0);
    ck_assert_uint_eq(feature_quantise(-0.99609375f, -1.0f, s2), 0); /* v = 2^-8 * 127.5 = 0.498..., exact */
    ck_assert_uint_eq(feature_quantise(-0.9921875f, -1.0f, s2), 1);  /* v = 2^-7 * 127.5 = 0.996..., exact */
    /* A degenerate column: scale 0, every value to 0, even beyond it. */
    float s0 = classify_scale(3.0f, 3.0f);
    ck_assert(s0 == 0.0f);
    ck_assert_uint_eq(feature_quantise(3.0f, 3.0f, s0), 0);
    ck_assert_uint_eq(feature_quantise(1e6f, 3.0f, s0), 0);
    ck_assert_uint_eq(feature_quantise(-1e6f, 3.0f, s0), 0);
    /* The constant is one float division of 255 by one float subtraction. */
    float lo = 0.1f, hi = 0.7f;
    volatile float span = hi - lo;
    ck_assert(classify_scale(lo, hi) == 255.0f / span);
}
END_TEST

/* min / max fitted on the training rows only; valid and test clamp to them. */
START_TEST(quantisation_fit_on_train_only) {
    char *csv = malloc(64 * 200), *p = csv;
    p += sprintf(p, "x,const,y\n");
    for (int i = 0; i < 100; i++) p += sprintf(p, "%d,7,%c\n", i, i % 2 ? 'o' : 'e');
    classify_options o;
    classify_options_default(&o);
    o.data = put("t.csv", csv);
    o.test = put("u.csv", "x,const,y\n-5,7,o\n1000,8,e\n");
    o.label_col = "y";
    free(csv);
    classify_dataset d;
    char err[512];
    ck_assert_int_eq(classify_load(&o, &d, err, sizeof err), 0);
    const classify_split *tr = &d.split[CLASSIFY_TRAIN], *va = &d.split[CLASSIFY_VALID], *te = &d.split[CLASSIFY_TEST];
    ck_assert_uint_eq(tr->n + va->n, 100);
    ck_assert_uint_eq(va->n, 10);
    float lo = 1e9f, hi = -1e9f;
    for (uint32_t i = 0; i < tr->n; i++) {
        float x = tr->value[i * 2];
        lo = x < lo ? x : lo, hi = x > hi ? x : hi;
    }
    ck_assert(d.fmin[0] == lo && d.fmax[0] == hi);
    ck_assert(d.fscale[0] == classify_scale(lo, hi));
    ck_assert(d.fmin[1] == 7.0f && d.fmax[1] == 7.0f && d.fscale[1] == 0.0f);
    for (int k = 0; k < 3; k++)
        for (uint32_t i = 0; i < d.split[k].n; i++)
            for (int f = 0; f < 2; f++)
                ck_assert_uint_eq(d.split[k].bytes[d.split[k].start[i] + f],
                                  feature_quantise(d.split[k].value[i * 2 + f], d.fmin[f], d.fscale[f]));
    ck_assert_uint_eq(te->bytes[0], 0);
    ck_assert_uint_eq(te->bytes[1], 0);
    ck_assert_uint_eq(te->bytes[2], 255);
    ck_assert_uint_eq(te->bytes[3], 0);
    classify_free(&d);
}
END_TEST

START_TEST(stratified_split) {
    enum { N = 100 };
    uint8_t label[N], a[N], b[N], c[N];
    for (int i = 0; i < N; i++) label[i] = i < 50 ? 0 : i < 80 ? 1 : i < 99 ? 2 : 3; /* 50, 30, 19, 1 */
    ck_assert_int_eq(classify_split_stratified(label, N, 4, 7, 10, 20, a), 0);
    ck_assert_int_eq(classify_split_stratified(label, N, 4, 7, 10, 20, b), 0);
    ck_assert_int_eq(classify_split_stratified(label, N, 4, 8, 10, 20, c), 0);
    ck_assert(memcmp(a, b, N) == 0);
    ck_assert(memcmp(a, c, N) != 0);
    /* per class: test round(m/5), valid round(m/10), a lone row stays in train */
    static const unsigned want[4][3] = {{35, 5, 10}, {21, 3, 6}, {13, 2, 4}, {1, 0, 0}};
    for (int cl = 0; cl < 4; cl++) {
        unsigned got[3] = {0}, got_c[3] = {0};
        for (int i = 0; i < N; i++)
            if (label[i] == cl) got[a[i]]++, got_c[c[i]]++;
        for (int p = 0; p < 3; p++) {
            ck_assert_uint_eq(got[p], want[cl][p]);
            ck_assert_uint_eq(got_c[p], want[cl][p]);
        }
    }
    ck_assert_uint_eq(classify_split_share(5, 10), 1);
    ck_assert_uint_eq(classify_split_share(4, 10), 0);
    ck_assert_uint_eq(classify_split_share(1035, 20), 207);
    /* Two classes of two rows with 50 % test and 50 % valid: each keeps one training row. */
    uint8_t two[4] = {0, 0, 1, 1}, part[4];
    ck_assert_int_eq(classify_split_stratified(two, 4, 2, 1, 50, 50, part), 0);
    ck_assert_uint_eq((part[0] == CLASSIFY_TRAIN) + (part[1] == CLASSIFY_TRAIN), 1);
    ck_assert_uint_eq((part[2] == CLASSIFY_TRAIN) + (part[3] == CLASSIFY_TRAIN), 1);
    ck_assert_uint_eq((part[0] == CLASSIFY_TEST) + (part[1] == CLASSIFY_TEST), 1);
}
END_TEST

/* The reader's held-out split: printed, the same for the same --split-seed, another for another. */
START_TEST(held_out_split_is_seeded) {
    char cmd[512], out1[16384], out2[16384], out3[16384];
    snprintf(cmd, sizeof cmd, "build/tools/atome-logreg --data data/sms_spam_train.tsv --epochs 2 --split-seed 5");
    ck_assert_int_eq(run_cmd(cmd, out1, sizeof out1), 0);
    ck_assert_int_eq(run_cmd(cmd, out2, sizeof out2), 0);
    ck_assert_str_eq(out1, out2);
    ck_assert_ptr_nonnull(
        strstr(out1, "valid     413 rows  data/sms_spam_train.tsv (held out: seeded stratified 10%, --split-seed 5)"));
    ck_assert_ptr_nonnull(strstr(out1, "ham 361 spam 52"));
    snprintf(cmd, sizeof cmd, "build/tools/atome-logreg --data data/sms_spam_train.tsv --epochs 2 --split-seed 6");
    ck_assert_int_eq(run_cmd(cmd, out3, sizeof out3), 0);
    ck_assert_str_ne(out1, out3);
}
END_TEST

/* data/classify.sha256 matches the committed files; the converters rebuild them byte for byte
 * from the staged sources when those are here (ATOME_SHARED_DATA, else ../shared/data). */
START_TEST(datasets_reproduce) {
    char out[8192];
    ck_assert_msg(run_cmd("cd data && sha256sum --quiet -c classify.sha256", out, sizeof out) == 0, "%s", out);
    const char *env = getenv("ATOME_SHARED_DATA"), *src = NULL;
    static const char *const guesses[] = {"../shared/data", "../../shared/data"};
    struct stat st;
    if (env) src = env;
    for (int g = 0; !src && g < 2; g++)
        if (stat(guesses[g], &st) == 0) src = guesses[g];
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "build/tools/atome-datasets %s/missing %s", dir, dir);
    expect_one_line_error(cmd, 1, "atome-datasets: cannot open");
    if (!src) {
        fprintf(stderr, "datasets_reproduce: no staged sources (set ATOME_SHARED_DATA): only the sha256 is checked\n");
        return;
    }
    snprintf(cmd, sizeof cmd, "build/tools/atome-datasets %s %s", src, dir);
    ck_assert_msg(run_cmd(cmd, out, sizeof out) == 0, "%s", out);
    static const char *const files[] = {"clinc150_train.tsv", "clinc150_valid.tsv", "clinc150_test.tsv",
                                        "sms_spam_train.tsv", "sms_spam_test.tsv", "occupancy_train.csv",
                                        "occupancy_test1.csv", "occupancy_test2.csv", "magic_wand_train.csv",
                                        "magic_wand_test.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/%s", dir, files[i]);
        snprintf(b, sizeof b, "data/%s", files[i]);
        ck_assert_msg(same_file(a, b), "%s differs from %s", a, b);
    }
}
END_TEST

/* A converter given a broken source: one line naming FILE:LINE, exit 1, nothing written. */
static void expect_convert_error(const char *set, const char *file, const char *text, const char *want) {
    char src[128], path[384], out[128], cmd[2048], needle[1024];
    snprintf(src, sizeof src, "%s/src", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(cmd, sizeof cmd,
             "rm -rf %s %s && mkdir -p %s/clinc150 %s/sms_spam %s/occupancy %s/magic_wand_digits %s", src, out,
             src, src, src, src, out);
    ck_assert_int_eq(run_cmd(cmd, NULL, 0), 0);
    snprintf(path, sizeof path, "%s/%s", src, file);
    write_file(path, text, strlen(text));
    snprintf(cmd, sizeof cmd, "build/tools/atome-datasets %s %s %s", src, out, set);
    snprintf(needle, sizeof needle, "atome-datasets: %s:%s", path, want);
    expect_one_line_error(cmd, 1, needle);
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s)\"", out);
    ck_assert_msg(run_cmd(cmd, NULL, 0) == 0, "%s: something was written in %s", set, out);
}

START_TEST(converters_refuse_broken_sources) {
    expect_convert_error("clinc150", "clinc150/data_full.json",
                         "{\n\"train\": [\n[\"hi\", \"greet\"],\n[\"x\" \"y\"]\n]}",
                         "4: expected ','");
    expect_convert_error("clinc150", "clinc150/data_full.json", "{\"train\": [[\"a\\tb\", \"greet\"]]}",
                         "1: a text that is empty or holds a tab or line end");
    expect_convert_error("clinc150", "clinc150/data_full.json", "{\"train\": []}", "1: no \"oos_train\" key");
    expect_convert_error("sms_spam", "sms_spam/SMSSpamCollection", "ham\thi\nspam\tyo\nspam\thi\n",
                         "3: the text of line 1 with another label");
    expect_convert_error("sms_spam", "sms_spam/SMSSpamCollection", "ham\thi\nham hi\n", "2: not label<TAB>text");
    expect_convert_error("occupancy", "occupancy/datatraining.txt", "\"date\",\"Light\"\n",
                         "1: not the expected header");
    expect_convert_error("magic_wand", "magic_wand_digits/petewarden_0.json",
                         "{\"strokes\": [{\"label\": \"x\", \"strokePoints\": [{\"x\": 1, \"y\": 2}]}]}",
                         "1: a stroke whose label is not one digit");
}
END_TEST

START_TEST(logreg_is_reproducible) {
    char out1[16384], out2[16384];
    const char *cmd = "build/tools/atome-logreg --data data/magic_wand_train.csv --test data/magic_wand_test.csv "
                      "--label-col digit --epochs 3 --lr 0.05";
    ck_assert_int_eq(run_cmd(cmd, out1, sizeof out1), 0);
    ck_assert_int_eq(run_cmd(cmd, out2, sizeof out2), 0);
    ck_assert_str_eq(out1, out2);
    ck_assert_ptr_nonnull(strstr(out1, "majority ('0'): test accuracy 0.1000"));
    const char *t = strstr(out1, "logreg (epoch");
    ck_assert_ptr_nonnull(t);
    double acc = atof(strstr(t, "test accuracy") + strlen("test accuracy"));
    ck_assert_msg(acc > 0.9, "%s", t);
    /* A digit never seen in training, called by abstention: its recall comes from the threshold alone. */
    const char *abstain = "build/tools/atome-logreg --data data/magic_wand_train.csv --test data/magic_wand_test.csv "
                          "--label-col digit --epochs 3 --lr 0.05 --abstain 9";
    ck_assert_int_eq(run_cmd(abstain, out1, sizeof out1), 0);
    ck_assert_int_eq(run_cmd(abstain, out2, sizeof out2), 0);
    ck_assert_str_eq(out1, out2);
    t = strstr(out1, "logreg (epoch");
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(strstr(t, "threshold"));
    double recall = atof(strstr(t, "recall") + strlen("recall"));
    ck_assert_msg(recall > 0.5, "%s", t);
}
END_TEST

Suite *classify_data_suite(void) {
    Suite *s = suite_create("classify_data");
    TCase *t = tcase_create("readers");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, malformed_text_rows);
    tcase_add_test(t, malformed_table_rows);
    tcase_add_test(t, check_data_cli_errors);
    tcase_add_test(t, label_table_sorted_and_text_bytes);
    tcase_add_test(t, quantisation_bytes);
    tcase_add_test(t, quantisation_fit_on_train_only);
    tcase_add_test(t, stratified_split);
    tcase_add_test(t, held_out_split_is_seeded);
    tcase_add_test(t, datasets_reproduce);
    tcase_add_test(t, converters_refuse_broken_sources);
    tcase_add_test(t, logreg_is_reproducible);
    suite_add_tcase(s, t);
    return s;
}

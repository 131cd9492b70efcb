/* test_classify_eval.c — atome-infer --classify: the figures on cases worked out by hand
 * (infer/classify_metrics.h), the evaluation reader against a model's own labels and feature
 * constants (classify_load_fixed), and the CLI on random classifier blobs: its figures and
 * --logits equal what atome_classify gives in this process (bytes), its error paths one line,
 * exit 1 and no output file, its plots PNGs when gnuplot is there. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../common/atome_le.h"
#include "../common/atome_math.h"
#include "../common/atome_ops.h"
#include "../common/classify_data.h"
#include "../infer/atome.h"
#include "../infer/classify_metrics.h"
#include "../train/model.h"
#include "util.h"

/* ---------------------------------------------------------------- the figures, by hand */

START_TEST(accuracy_f1_confusion) {
    /* C = 5: class 3 is predicted once and never true (F1 0, counted), class 4 absent (not counted) */
    const uint8_t truth[10] = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2}, pred[10] = {0, 0, 0, 1, 1, 1, 3, 2, 0, 2};
    uint32_t counts[25];
    eval_class k[5];
    eval_confusion(truth, pred, 10, 5, counts);
    const uint32_t want[25] = {3, 1, 0, 0, 0, /**/ 0, 2, 0, 1, 0, /**/ 1, 0, 2, 0, 0, /**/ 0, 0, 0, 0, 0, /**/ 0};
    ck_assert_mem_eq(counts, want, sizeof want);
    eval_per_class(counts, 5, k);
    ck_assert_double_eq_tol(k[0].precision, 0.75, 1e-12); ck_assert_double_eq_tol(k[0].recall, 0.75, 1e-12);
    ck_assert_double_eq_tol(k[1].precision, 2.0 / 3, 1e-12); ck_assert_double_eq_tol(k[1].recall, 2.0 / 3, 1e-12);
    ck_assert_double_eq_tol(k[2].precision, 1.0, 1e-12); ck_assert_double_eq_tol(k[2].recall, 2.0 / 3, 1e-12);
    ck_assert_double_eq_tol(k[2].f1, 0.8, 1e-12);
    ck_assert_uint_eq(k[2].support, 3); ck_assert_uint_eq(k[2].predicted, 2);
    ck_assert_double_eq(k[3].precision, 0.0); ck_assert_double_eq(k[3].f1, 0.0);
    ck_assert_uint_eq(k[3].predicted, 1); ck_assert_uint_eq(k[4].support + k[4].predicted, 0);
    ck_assert_double_eq_tol(eval_accuracy(k, 5), 0.7, 1e-12);
    ck_assert_double_eq_tol(eval_macro_f1(k, 5), (0.75 + 2.0 / 3 + 0.8 + 0.0) / 4, 1e-12);
    ck_assert_double_eq_tol(eval_macro_f1(k, 4), (0.75 + 2.0 / 3 + 0.8 + 0.0) / 4, 1e-12);
}
END_TEST

START_TEST(softmax_margin) {
    const float two[2] = {1.0986123f, 0.0f}; /* ln 3: p = 3/4, 1/4 */
    ck_assert_float_eq_tol(eval_margin(two, 2), 0.5f, 1e-6f);
    const float tie[3] = {1.0f, 0.0f, 1.0f}; /* a tie at the top */
    ck_assert_float_eq(eval_margin(tie, 3), 0.0f);
    const float three[3] = {2.0f, 0.0f, 1.0f}; /* top2 is the last */
    double e = exp(1.0);
    ck_assert_float_eq_tol(eval_margin(three, 3), (float)((e * e - e) / (e * e + 1 + e)), 1e-6f);
    /* the bits: atome_expf_neg, a float sum in index order, two divisions */
    const float z[4] = {-0.3f, 2.5f, 2.25f, -7.0f};
    float sum = 0.0f;
    for (int c = 0; c < 4; c++) sum += atome_expf_neg(z[c] - z[1]);
    float want = atome_expf_neg(0.0f) / sum - atome_expf_neg(z[2] - z[1]) / sum;
    ck_assert_mem_eq(&(float){eval_margin(z, 4)}, &want, sizeof want);
}
END_TEST

START_TEST(risk_coverage_aurc) {
    const float margin[5] = {0.6f, 0.9f, 0.7f, 0.5f, 0.8f};
    const uint8_t wrong[5] = {0, 0, 1, 1, 0}; /* by margin: ok ok wrong ok wrong */
    eval_point p[5];
    ck_assert_int_eq(eval_risk_coverage(margin, wrong, 5, p), 5);
    const uint32_t acc[5] = {1, 2, 3, 4, 5}, err[5] = {0, 0, 1, 1, 2};
    const float thr[5] = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f};
    for (int i = 0; i < 5; i++) {
        ck_assert_uint_eq(p[i].accepted, acc[i]);
        ck_assert_uint_eq(p[i].errors, err[i]);
        ck_assert_float_eq(p[i].threshold, thr[i]);
    }
    ck_assert_double_eq_tol(eval_aurc(p, 5, 5), (0 + 0 + 1.0 / 3 + 1.0 / 4 + 2.0 / 5) / 5, 1e-12);
    ck_assert_int_eq(eval_coverage_at_risk(p, 5, 1), 1); /* 2 rows of 5 at risk 0 */
    ck_assert_int_eq(eval_coverage_at_risk(p, 5, 5), 1);
    ck_assert_int_eq(eval_coverage_at_risk(p, 5, 25), 3); /* risk exactly 1/4: kept (integers) */
    ck_assert_int_eq(eval_coverage_at_risk(p, 5, 24), 1);
    ck_assert_int_eq(eval_coverage_at_risk(p, 5, 40), 4);
    const uint8_t first_wrong[5] = {0, 1, 0, 0, 0};
    ck_assert_int_eq(eval_risk_coverage(margin, first_wrong, 5, p), 5);
    ck_assert_int_eq(eval_coverage_at_risk(p, 5, 5), -1); /* the most confident row is wrong */
}
END_TEST

START_TEST(tied_margins) {
    /* one row at 0.9, then three tied at 0.5 holding one error: 2 points, and an AURC that does not
     * depend on where the error sits among the tied rows */
    const float margin[4] = {0.5f, 0.5f, 0.9f, 0.5f};
    const uint8_t wrong_a[4] = {1, 0, 0, 0}, wrong_b[4] = {0, 0, 0, 1};
    eval_point p[4], q[4];
    ck_assert_int_eq(eval_risk_coverage(margin, wrong_a, 4, p), 2);
    ck_assert_int_eq(eval_risk_coverage(margin, wrong_b, 4, q), 2);
    ck_assert_mem_eq(p, q, 2 * sizeof *p);
    ck_assert_uint_eq(p[0].accepted, 1); ck_assert_uint_eq(p[0].errors, 0);
    ck_assert_uint_eq(p[1].accepted, 4); ck_assert_uint_eq(p[1].errors, 1);
    ck_assert_float_eq(p[1].threshold, 0.5f);
    double want = (0.0 + (1.0 / 3) / 2 + (2.0 / 3) / 3 + 1.0 / 4) / 4;
    ck_assert_double_eq_tol(eval_aurc(p, 2, 4), want, 1e-12);
    ck_assert_int_eq(eval_coverage_at_risk(p, 2, 1), 0);
    ck_assert_int_eq(eval_coverage_at_risk(p, 2, 25), 1);
}
END_TEST

START_TEST(oos_threshold) {
    const int oos = 2;
    const uint8_t truth[6] = {0, 1, 2, 2, 0, 2}, pred[6] = {0, 1, 0, 2, 0, 1};
    const float margin[6] = {0.9f, 0.8f, 0.1f, 0.5f, 0.2f, 0.3f};
    double acc, recall;
    eval_oos(truth, pred, margin, 6, oos, 0.0f, &acc, &recall); /* (a): oos as a class */
    ck_assert_double_eq(acc, 1.0); ck_assert_double_eq_tol(recall, 1.0 / 3, 1e-12);
    /* scores by tau (in right, oos right of 3 + 3): 0 (3, 1), 0.2 (3, 2), 0.3 (2, 2), 0.5 (2, 3),
     * 0.8 (2, 3), 0.9 (1, 3), 2 (0, 3): the best sum 1 + 2/3, first at 0.2 */
    float tau = -1.0f;
    ck_assert_int_eq(eval_choose_oos_threshold(truth, pred, margin, 6, oos, &tau), 0);
    ck_assert_float_eq(tau, 0.2f);
    eval_oos(truth, pred, margin, 6, oos, tau, &acc, &recall);
    ck_assert_double_eq(acc, 1.0); ck_assert_double_eq_tol(recall, 2.0 / 3, 1e-12);
    /* all oos right only when everything is called oos: tau 2 */
    const uint8_t t2[2] = {0, 2}, p2[2] = {1, 0};
    const float m2[2] = {0.4f, 0.6f};
    ck_assert_int_eq(eval_choose_oos_threshold(t2, p2, m2, 2, oos, &tau), 0);
    ck_assert_float_eq(tau, 2.0f);
    /* rows of one kind only: no threshold */
    ck_assert_int_eq(eval_choose_oos_threshold(truth, pred, margin, 2, oos, &tau), -1);
    eval_oos(truth, pred, margin, 2, oos, 0.0f, &acc, &recall);
    ck_assert(isnan(recall));
}
END_TEST

/* ---------------------------------------------------------------- files and blobs */

static char dir[64];
static void setup(void) { scratch_dir(dir, sizeof dir, "atome-classify-eval"); }
static void teardown(void) { scratch_remove(dir); }

/* dir/name holding text; its path (static buffers, in turn). */
static const char *put(const char *name, const char *text) {
    static char paths[32][256];
    static int turn;
    char *p = paths[turn++ % 32];
    snprintf(p, 256, "%s/%s", dir, name);
    if (text) write_file(p, text, strlen(text));
    return p;
}

static const float FMIN[3] = {-1.0f, 0.0f, 10.0f}, FSCALE[3] = {50.0f, 25.5f, 2.0f};

/* A random classifier of C classes named names (NUL-separated) over F features (0: text), as
 * the trainer will pack one; written to dir/name, its path returned. */
static const char *write_classifier(const char *name, int C, int F, const char *names, size_t label_bytes) {
    const atome_config c = {ATOME_VOCAB, 16, 2, 4, 16, 0, C, F, (int)label_bytes};
    size_t len;
    uint8_t *blob = make_blob(&c, 11, &len);
    model_set_classes(blob, &c, FMIN, FSCALE, names);
    const char *path = put(name, NULL);
    write_file(path, blob, len);
    free(blob);
    return path;
}

static atome_model model;
static atome_state state;
static uint8_t *blob_bytes;

static void load(const char *path) {
    size_t n;
    free(blob_bytes);
    blob_bytes = (uint8_t *)read_all(path, &n);
    ck_assert_int_eq(atome_load(&model, blob_bytes, n), ATOME_OK);
}

/* The value on the line of out that starts with `name `, or NAN. */
static double figure(const char *out, const char *name) {
    size_t k = strlen(name);
    for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (!strncmp(p, name, k) && p[k] == ' ') return strtod(p + k + 1, NULL);
    return NAN;
}

static int count_lines_starting(const char *out, const char *prefix) {
    int n = 0;
    for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        n += !strncmp(p, prefix, strlen(prefix));
    return n;
}

static const char TEXT_TEST[] = "alpha\tturn on the light\nbeta\twhat time is it\noos\tsing me a song\n"
                                "alpha\tlights on please\nbeta\ttell me the time\noos\twho won the match\n"
                                "alpha\tswitch the lamp on\nbeta\tthe hour now\noos\tbuy me a boat\nalpha\tbright\n";
/* the test rows in reverse: on them, the random model of write_classifier has a threshold inside (0, 2) */
static const char TEXT_VALID[] = "alpha\tbright\noos\tbuy me a boat\nbeta\tthe hour now\nalpha\tswitch the lamp on\n"
                                 "oos\twho won the match\nbeta\ttell me the time\nalpha\tlights on please\n"
                                 "oos\tsing me a song\nbeta\twhat time is it\nalpha\tturn on the light\n";
static const char NAMES3[] = "alpha\0beta\0oos"; /* 15 bytes with the last NUL */

/* Every row of s through atome_classify here: logits[n][C] as little-endian bytes, pred, margin;
 * returns the bytes of logits. */
static size_t classify_here(const classify_split *s, int C, uint8_t *le, uint8_t *pred, float *margin) {
    for (uint32_t i = 0; i < s->n; i++) {
        pred[i] = (uint8_t)atome_classify(&model, &state, s->bytes + s->start[i], s->start[i + 1] - s->start[i]);
        for (int c = 0; c < C; c++) atome_le_put_f32(le + ((size_t)i * C + c) * 4, state.logits[c]);
        margin[i] = eval_margin(state.logits, C);
    }
    return (size_t)s->n * C * 4;
}

/* classify_load_fixed with the loaded model's table. */
static int load_fixed(const char *test, const char *valid, const char *label_col, classify_dataset *d, char *err) {
    const char *labels[CLASSIFY_MAX_CLASSES];
    for (int c = 0; c < model.w.cfg.n_classes; c++) labels[c] = atome_label(&model, c);
    classify_model_table t = {(uint32_t)model.w.cfg.n_classes, labels, (uint32_t)model.w.cfg.n_features,
                              model.w.feature_min, model.w.feature_scale};
    classify_options o;
    classify_options_default(&o);
    o.test = test, o.valid = valid, o.label_col = label_col;
    return classify_load_fixed(&o, &t, d, err, 1024);
}

START_TEST(fixed_reader) {
    load(write_classifier("t.bin", 3, 0, NAMES3, sizeof NAMES3));
    classify_dataset d;
    char err[1024];
    /* the model's class order, whatever the file's */
    ck_assert_int_eq(load_fixed(put("t.tsv", "oos\tx\r\nalpha\tyz\n"), NULL, NULL, &d, err), 0);
    ck_assert_uint_eq(d.split[CLASSIFY_TEST].n, 2); ck_assert_uint_eq(d.split[CLASSIFY_VALID].n, 0);
    ck_assert_uint_eq(d.split[CLASSIFY_TEST].label[0], 2); ck_assert_uint_eq(d.split[CLASSIFY_TEST].label[1], 0);
    ck_assert_mem_eq(d.split[CLASSIFY_TEST].bytes, "xyz", 3);
    classify_free(&d);
    ck_assert_int_eq(load_fixed(put("t.tsv", "beta\tx\ngamma\ty\n"), NULL, NULL, &d, err), -1);
    ck_assert_str_eq(err + strlen(dir), "/t.tsv:2: unknown label 'gamma' (not a class of the model)");
    ck_assert_int_eq(load_fixed(put("t.tsv", "beta\tx\n"), put("v.tsv", "beta\t\n"), NULL, &d, err), -1);
    ck_assert_str_eq(err + strlen(dir), "/v.tsv:1: empty text");
    ck_assert_int_eq(load_fixed(put("t.tsv", "beta\tx\n"), NULL, "y", &d, err), -1);
    ck_assert_ptr_nonnull(strstr(err, "the model reads text"));
    /* a table: the model's constants, the header's feature count, the valid file repeating it */
    load(write_classifier("f.bin", 3, 3, NAMES3, sizeof NAMES3));
    ck_assert_int_eq(load_fixed(put("t.csv", "a,y,b,c\n0.5,beta,2,11\n-3,oos,1e9,10.25\n"), NULL, "y", &d, err), 0);
    const float raw[2][3] = {{0.5f, 2.0f, 11.0f}, {-3.0f, 1e9f, 10.25f}};
    const classify_split *s = &d.split[CLASSIFY_TEST];
    for (int i = 0; i < 2; i++)
        for (int f = 0; f < 3; f++)
            ck_assert_uint_eq(s->bytes[i * 3 + f], feature_quantise(raw[i][f], FMIN[f], FSCALE[f]));
    ck_assert_uint_eq(s->bytes[0], 75); ck_assert_uint_eq(s->bytes[3], 0); ck_assert_uint_eq(s->bytes[4], 255);
    ck_assert_uint_eq(s->label[0], 1);
    classify_free(&d);
    ck_assert_int_eq(load_fixed(put("t.csv", "a,y,b\n0.5,beta,2\n"), NULL, "y", &d, err), -1);
    ck_assert_str_eq(err + strlen(dir), "/t.csv:1: 2 feature columns besides 'y': the model reads 3");
    const char *reordered = put("v.csv", "y,a,b,c\nbeta,1,2,3\n");
    ck_assert_int_eq(load_fixed(put("t.csv", "a,y,b,c\n0.5,beta,2,1\n"), reordered, "y", &d, err), -1);
    char want[512];
    snprintf(want, sizeof want, "%s/v.csv:1: the header differs from %s/t.csv's", dir, dir);
    ck_assert_str_eq(err, want);
    ck_assert_int_eq(load_fixed(put("t.csv", "a,y,b,c\n0.5,beta,2,1\n"), NULL, NULL, &d, err), -1);
    ck_assert_str_eq(err, "the model reads 3 features from a CSV: give --label-col NAME");
    free(blob_bytes), blob_bytes = NULL;
}
END_TEST

/* ---------------------------------------------------------------- the CLI */

static const char *const builds[2] = {"./atome-infer", "build/asan/atome-infer"};

static void expect_infer_error(const char *args, int status, const char *needle) {
    char cmd[2048];
    for (int b = 0; b < 2; b++) {
        snprintf(cmd, sizeof cmd, "%s %s", builds[b], args);
        expect_one_line_error(cmd, status, needle);
    }
}

/* 1 if dir holds nothing but the files named (space-separated, each followed by a space). */
static int dir_holds_only(const char *names) {
    char cmd[256], out[4096];
    snprintf(cmd, sizeof cmd, "cd %s && LC_ALL=C ls | tr '\\n' ' '", dir);
    run_cmd(cmd, out, sizeof out);
    return strcmp(out, names) == 0;
}

START_TEST(cli_text_figures_and_logits) {
    const char *m = write_classifier("t.bin", 3, 0, NAMES3, sizeof NAMES3);
    const char *test = put("test.tsv", TEXT_TEST), *valid = put("valid.tsv", TEXT_VALID);
    char args[1024], *out = malloc(1 << 16);
    snprintf(args, sizeof args, "./atome-infer --model %s --classify %s --oos-label oos --valid %s --logits %s/l.bin",
             m, test, valid, dir);
    ck_assert_msg(run_cmd(args, out, 1 << 16) == 0, "%s", out);
    /* the same rows through atome_classify here */
    load(m);
    classify_dataset d;
    char err[1024];
    ck_assert_int_eq(load_fixed(test, valid, NULL, &d, err), 0);
    const classify_split *ts = &d.split[CLASSIFY_TEST], *vs = &d.split[CLASSIFY_VALID];
    uint8_t le[10 * 3 * 4], vle[10 * 3 * 4], pred[10], vpred[10], wrong[10];
    float margin[10], vmargin[10];
    size_t bytes = classify_here(ts, 3, le, pred, margin);
    size_t n;
    char *got = read_all(put("l.bin", NULL), &n);
    ck_assert_uint_eq(n, bytes);
    ck_assert_mem_eq(got, le, bytes); /* the engine's logits, bit for bit, in file order */
    free(got);
    int right = 0;
    for (uint32_t i = 0; i < 10; i++) right += pred[i] == ts->label[i], wrong[i] = pred[i] != ts->label[i];
    ck_assert_double_eq(figure(out, "rows"), 10);
    ck_assert_double_eq_tol(figure(out, "accuracy"), right / 10.0, 5e-5);
    uint32_t counts[9];
    eval_class k[3];
    eval_confusion(ts->label, pred, 10, 3, counts);
    eval_per_class(counts, 3, k);
    ck_assert_double_eq_tol(figure(out, "macro_f1"), eval_macro_f1(k, 3), 5e-5);
    eval_point p[10];
    long np = eval_risk_coverage(margin, wrong, 10, p);
    ck_assert_double_eq_tol(figure(out, "aurc"), eval_aurc(p, (size_t)np, 10), 5e-5);
    long c5 = eval_coverage_at_risk(p, (size_t)np, 5);
    ck_assert_double_eq_tol(figure(out, "coverage@5%"), c5 < 0 ? 0.0 : p[c5].accepted / 10.0, 5e-5);
    /* the curve's first point: the most confident rows, at the largest margin (its bits, %.9g) */
    const char *curve = strstr(out, "risk-coverage curve");
    double cov, risk;
    float thr;
    ck_assert_ptr_nonnull(curve);
    ck_assert_int_eq(sscanf(strchr(curve, '\n') + 1, "  coverage %lf  risk %lf  threshold %f", &cov, &risk, &thr), 3);
    ck_assert_float_eq(thr, p[0].threshold);
    ck_assert_double_eq_tol(risk, (double)p[0].errors / p[0].accepted, 5e-5);
    ck_assert_int_eq(count_lines_starting(out, "class "), 3); /* 3 classes: every row */
    /* out of scope, (a) and (b) */
    double acc, recall;
    eval_oos(ts->label, pred, margin, 10, 2, 0.0f, &acc, &recall);
    ck_assert_double_eq_tol(figure(out, "in_scope_accuracy"), acc, 5e-5);
    ck_assert_double_eq_tol(figure(out, "oos_recall"), recall, 5e-5);
    classify_here(vs, 3, vle, vpred, vmargin);
    float tau;
    ck_assert_int_eq(eval_choose_oos_threshold(vs->label, vpred, vmargin, 10, 2, &tau), 0);
    ck_assert(tau > 0.0f && tau < 1.0f); /* a threshold that some rows pass and some do not */
    ck_assert_float_eq((float)figure(out, "oos_threshold"), tau); /* printed with %.9g: the same float */
    eval_oos(ts->label, pred, margin, 10, 2, tau, &acc, &recall);
    ck_assert_double_eq_tol(figure(out, "in_scope_accuracy@margin"), acc, 5e-5);
    ck_assert_double_eq_tol(figure(out, "oos_recall@margin"), recall, 5e-5);
    classify_free(&d);
    free(out), free(blob_bytes), blob_bytes = NULL;
}
END_TEST

START_TEST(cli_table_logits_match_features) {
    const char *m = write_classifier("f.bin", 3, 3, NAMES3, sizeof NAMES3);
    const char *test = put("t.csv", "a,y,b,c\n0.5,beta,2,11\n-3,oos,1e9,10.25\n0.01,alpha,9.5,80\n0.02,alpha,3,12.5\n");
    char args[1024], out[8192];
    snprintf(args, sizeof args, "./atome-infer --model %s --classify %s --label-col y --logits %s/l.bin", m, test, dir);
    ck_assert_msg(run_cmd(args, out, sizeof out) == 0, "%s", out);
    /* a firmware's loop: raw floats, atome_features, atome_classify */
    load(m);
    const float raw[4][3] = {{0.5f, 2, 11}, {-3, 1e9f, 10.25f}, {0.01f, 9.5f, 80}, {0.02f, 3, 12.5f}};
    uint8_t le[4 * 3 * 4], bytes[3];
    for (int i = 0; i < 4; i++) {
        atome_features(&model, raw[i], bytes);
        atome_classify(&model, &state, bytes, 3);
        for (int c = 0; c < 3; c++) atome_le_put_f32(le + (i * 3 + c) * 4, state.logits[c]);
    }
    size_t n;
    char *got = read_all(put("l.bin", NULL), &n);
    ck_assert_uint_eq(n, sizeof le);
    ck_assert_mem_eq(got, le, sizeof le);
    free(got), free(blob_bytes), blob_bytes = NULL;
    ck_assert_ptr_nonnull(strstr(out, "a table of features"));
}
END_TEST

START_TEST(cli_many_classes) {
    /* 30 classes: the 10 worst per-class rows and the largest confusions, unless --per-class */
    char names[30 * 4], *w = names, text[30 * 2 * 16], *t = text;
    for (int c = 0; c < 30; c++) w += sprintf(w, "c%02d", c) + 1;
    for (int i = 0; i < 60; i++) t += sprintf(t, "c%02d\trow %d %s\n", i % 30, i, i % 3 ? "x" : "yy");
    const char *m = write_classifier("m.bin", 30, 0, names, (size_t)(w - names));
    const char *test = put("t.tsv", text);
    char args[1024], *out = malloc(1 << 16);
    snprintf(args, sizeof args, "./atome-infer --model %s --classify %s", m, test);
    ck_assert_int_eq(run_cmd(args, out, 1 << 16), 0);
    ck_assert_int_eq(count_lines_starting(out, "class "), 10);
    ck_assert_int_ge(count_lines_starting(out, "confusion "), 1);
    ck_assert_int_le(count_lines_starting(out, "confusion "), 10);
    ck_assert_ptr_nonnull(strstr(out, "--plot writes the whole matrix"));
    snprintf(args, sizeof args, "./atome-infer --model %s --classify %s --per-class", m, test);
    ck_assert_int_eq(run_cmd(args, out, 1 << 16), 0);
    ck_assert_int_eq(count_lines_starting(out, "class "), 30);
    free(out);
}
END_TEST

START_TEST(cli_errors) {
    const char *m = write_classifier("t.bin", 3, 0, NAMES3, sizeof NAMES3);
    const char *f = write_classifier("f.bin", 3, 3, NAMES3, sizeof NAMES3);
    const char *test = put("test.tsv", TEXT_TEST), *lm = put("lm.bin", NULL);
    const atome_config lc = {ATOME_VOCAB, 16, 2, 4, 16, 0, 0, 0, 0};
    write_model(lm, &lc, 3);
    const char *bad = put("bad.tsv", "alpha\tok\nbeta\tfine\nzeta\tnot a class\n");
    const char *csv = put("t.csv", "a,b,c,d\n1,2,3,4\n");
    const char *only_oos = put("v.tsv", "oos\ta\noos\tb\n");
    char args[1024], want[256];
#define EXPECT(status, needle, ...)                                        \
    do {                                                                   \
        snprintf(args, sizeof args, __VA_ARGS__);                          \
        expect_infer_error(args, status, needle);                          \
    } while (0)
    EXPECT(1, "cannot open", "--model %s --classify %s/missing.tsv --logits %s/l.bin --plot %s/p", m, dir, dir, dir);
    snprintf(want, sizeof want, "%s:3: unknown label 'zeta' (not a class of the model)", bad);
    EXPECT(1, want, "--model %s --classify %s --logits %s/l.bin --plot %s/p", m, bad, dir, dir);
    snprintf(want, sizeof want, "%s:1: no column named 'y' (--label-col) in the header", csv);
    EXPECT(1, want, "--model %s --classify %s --label-col y --logits %s/l.bin", f, csv, dir);
    EXPECT(1, "give --label-col NAME", "--model %s --classify %s", f, csv);
    EXPECT(1, "the model reads text", "--model %s --classify %s --label-col y", m, test);
    snprintf(want, sizeof want, "%s is a language model, not a classifier", lm);
    EXPECT(1, want, "--model %s --classify %s --logits %s/l.bin", lm, test, dir);
    snprintf(want, sizeof want, "%s is a classifier with 3 classes: use --classify FILE", m);
    EXPECT(1, want, "--model %s -n 5", m);
    EXPECT(1, want, "--model %s --eval %s", m, test);
    EXPECT(1, want, "--model %s --bench", m);
    EXPECT(1, "--oos-label 'nope' is not a class of", "--model %s --classify %s --oos-label nope --logits %s/l.bin", m,
           test, dir);
    snprintf(want, sizeof want, "%s has no row of a class other than 'oos': the oos threshold is chosen on rows of both "
             "kinds", only_oos);
    EXPECT(1, want, "--model %s --classify %s --oos-label oos --valid %s --logits %s/l.bin", m, test,
           only_oos, dir);
    EXPECT(2, "--valid goes with --oos-label NAME", "--model %s --classify %s --valid %s", m, test, test);
    EXPECT(2, "--plot goes with --classify FILE", "--model %s --plot %s/p", m, dir);
    EXPECT(2, "--per-class goes with --classify FILE", "--model %s --per-class", m);
    EXPECT(1, "cannot write '/nonexistent/l.bin'", "--model %s --classify %s --logits /nonexistent/l.bin", m, test);
#undef EXPECT
    /* a --plot that cannot run gnuplot (none on the PATH) leaves nothing, --logits included */
    for (int b = 0; b < 2; b++) {
        snprintf(args, sizeof args, "PATH=/nonexistent %s --model %s --classify %s --logits %s/l.bin --plot %s/p",
                 builds[b], m, test, dir, dir);
        expect_one_line_error(args, 1, "--plot needs gnuplot, which is not installed (scripts/deps.sh plot)");
    }
    /* a gnuplot that fails (a stand-in on the PATH): its last line named, every file of the run removed */
    char fake[256];
    snprintf(fake, sizeof fake, "%s/bin", dir);
    snprintf(args, sizeof args, "mkdir %s && printf '#!/bin/sh\\necho warming up\\necho \"line 3: boom\"\\nexit 1\\n' > %s/gnuplot"
             " && chmod +x %s/gnuplot", fake, fake, fake);
    ck_assert_int_eq(system(args), 0);
    for (int b = 0; b < 2; b++) {
        snprintf(args, sizeof args, "PATH=%s:$PATH %s --model %s --classify %s --logits %s/l.bin --plot %s/p", fake,
                 builds[b], m, test, dir, dir);
        snprintf(want, sizeof want, "gnuplot failed on '%s/p.gp': line 3: boom", dir);
        expect_one_line_error(args, 1, want);
    }
    snprintf(args, sizeof args, "rm -r %s", fake);
    ck_assert_int_eq(system(args), 0);
    snprintf(args, sizeof args, "{ ./atome-infer --model %s --classify %s > /dev/full; }", m, test);
    expect_one_line_error(args, 1, "cannot write the output: No space left on device");
    ck_assert(dir_holds_only("bad.tsv f.bin lm.bin t.bin t.csv test.tsv v.tsv "));
}
END_TEST

START_TEST(cli_plot) {
    if (system("command -v gnuplot > /dev/null 2>&1") != 0) return; /* scripts/deps.sh plot */
    const char *m = write_classifier("t.bin", 3, 0, NAMES3, sizeof NAMES3);
    const char *test = put("test.tsv", TEXT_TEST);
    char args[1024], out[8192];
    snprintf(args, sizeof args, "./atome-infer --model %s --classify %s --plot %s/p", m, test, dir);
    ck_assert_msg(run_cmd(args, out, sizeof out) == 0, "%s", out);
    static const uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const char *pngs[2] = {"p-risk.png", "p-confusion.png"};
    for (int i = 0; i < 2; i++) {
        size_t n;
        char *b = read_all(put(pngs[i], NULL), &n);
        ck_assert_uint_gt(n, 1000);
        ck_assert_mem_eq(b, png, 8);
        free(b);
    }
    ck_assert(dir_holds_only("p-confusion.dat p-confusion.png p-confusion.tsv p-risk.dat p-risk.png p.gp t.bin "
                             "test.tsv "));
    size_t n;
    char *tsv = read_all(put("p-confusion.tsv", NULL), &n);
    ck_assert(!strncmp(tsv, "true\\predicted\talpha\tbeta\toos\nalpha\t", 36));
    free(tsv);
}
END_TEST

Suite *classify_eval_suite(void) {
    Suite *s = suite_create("classify-eval");
    TCase *t = tcase_create("metrics");
    tcase_add_test(t, accuracy_f1_confusion);
    tcase_add_test(t, softmax_margin);
    tcase_add_test(t, risk_coverage_aurc);
    tcase_add_test(t, tied_margins);
    tcase_add_test(t, oos_threshold);
    suite_add_tcase(s, t);
    TCase *c = tcase_create("cli");
    tcase_add_checked_fixture(c, setup, teardown);
    tcase_set_timeout(c, 120);
    tcase_add_test(c, fixed_reader);
    tcase_add_test(c, cli_text_figures_and_logits);
    tcase_add_test(c, cli_table_logits_match_features);
    tcase_add_test(c, cli_many_classes);
    tcase_add_test(c, cli_errors);
    tcase_add_test(c, cli_plot);
    suite_add_tcase(s, c);
    return s;
}

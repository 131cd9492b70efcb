/* classify_cli.c — atome-infer --classify TEST: a classifier blob scored on a labelled file.
 *
 * Every input is read and checked first (the test file, and --valid, against the blob's own labels
 * and feature constants: common/classify_data.h, classify_load_fixed); then every row runs through
 * atome_classify, the engine's entry point; then the output files are written (--logits, --plot),
 * and only then the figures are printed, so that a failure is one line on stderr and nothing else.
 *
 * Shapes: n rows of the test file, C classes, logits[n][C] in file order, truth/pred/wrong[n],
 * margin[n] (classify_metrics.h), counts[C][C] truth-major.
 */
#define _POSIX_C_SOURCE 200809L
#include "classify_cli.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../common/atome_le.h"
#include "../common/classify_data.h"
#include "classify_metrics.h"

#define ALL_ROWS_UP_TO 20 /* classes up to which every per-class row is printed by default */
#define MATRIX_UP_TO 12   /* classes up to which the confusion matrix is printed whole */
#define TICKS_UP_TO 40    /* classes up to which the heat map names its axes' classes */
#define WORST 10          /* per-class rows (by F1) and confusions shown when there are more */

/* One split's rows through the engine. */
typedef struct {
    const classify_split *s;
    float *logits;  /* [n][C] */
    uint8_t *pred, *wrong;
    float *margin;
} scored;

/* The bytes the engine reads for row i: the text's first max_bytes bytes (classify_cut, the
 * trainer's one rule, so that these logits are the trainer's), or the F quantised features
 * (never cut: the trainer refuses a --seq below F). */
static const uint8_t *row_bytes(const classify_split *s, uint32_t i, size_t max_bytes, size_t *n) {
    *n = classify_cut(s->start[i + 1] - s->start[i], max_bytes);
    return s->bytes + s->start[i];
}

static int score(const atome_model *m, atome_state *st, const classify_split *s, size_t max_bytes, scored *r) {
    int C = m->w.cfg.n_classes;
    r->s = s;
    r->logits = malloc((size_t)(s->n ? s->n : 1) * (size_t)C * sizeof *r->logits);
    r->pred = malloc(s->n ? s->n : 1), r->wrong = malloc(s->n ? s->n : 1);
    r->margin = malloc((s->n ? s->n : 1) * sizeof *r->margin);
    if (!r->logits || !r->pred || !r->wrong || !r->margin) return -1;
    for (uint32_t i = 0; i < s->n; i++) {
        size_t len;
        const uint8_t *bytes = row_bytes(s, i, max_bytes, &len);
        int k = atome_classify(m, st, bytes, len); /* len > 0: the readers refuse an empty row */
        float *z = r->logits + (size_t)i * (size_t)C;
        memcpy(z, st->logits, (size_t)C * sizeof *z);
        r->pred[i] = (uint8_t)k, r->wrong[i] = k != s->label[i];
        r->margin[i] = eval_margin(z, C);
    }
    return 0;
}

static void scored_free(scored *r) { free(r->logits), free(r->pred), free(r->wrong), free(r->margin); }

/* ---------------------------------------------------------------- output files */

/* The files of one run: all are removed when the run fails, so that none is left partial. */
typedef struct {
    char *path[8];
    int n;
} outputs;

/* Records prefix + suffix as an output of the run; returns the path, or NULL if out of memory. */
static const char *out_track(outputs *o, const char *prefix, const char *suffix, char *err, size_t cap) {
    size_t len = strlen(prefix) + strlen(suffix) + 1;
    char *p = malloc(len);
    if (!p) return snprintf(err, cap, "out of memory"), NULL;
    snprintf(p, len, "%s%s", prefix, suffix);
    return o->path[o->n++] = p;
}

/* Opens prefix + suffix for writing and tracks it (a file that cannot be opened is not tracked: a
 * failure never removes what the run did not write). */
static FILE *out_open(outputs *o, const char *prefix, const char *suffix, char *err, size_t cap) {
    const char *p = out_track(o, prefix, suffix, err, cap);
    FILE *f = p ? fopen(p, "wb") : NULL;
    if (p && !f) {
        snprintf(err, cap, "cannot write '%s': %s", p, strerror(errno));
        free(o->path[--o->n]);
    }
    return f;
}

/* Closes f (the last file opened), checking every write to it. */
static int out_close(outputs *o, FILE *f, char *err, size_t cap) {
    errno = 0;
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        snprintf(err, cap, "cannot write '%s': %s", o->path[o->n - 1], strerror(errno ? errno : EIO));
        return -1;
    }
    return 0;
}

static void out_finish(outputs *o, int failed) {
    for (int i = 0; i < o->n; i++) {
        if (failed) remove(o->path[i]);
        free(o->path[i]);
    }
    o->n = 0;
}

/* --logits: row after row, C float32 each, little-endian (the trainer's dump compares by memcmp). */
static int write_logits(outputs *o, const char *path, const scored *r, int C, char *err, size_t cap) {
    FILE *f = out_open(o, path, "", err, cap);
    if (!f) return -1;
    uint8_t b[4];
    for (size_t i = 0; i < (size_t)r->s->n * (size_t)C; i++) {
        atome_le_put_f32(b, r->logits[i]);
        fwrite(b, 1, 4, f);
    }
    return out_close(o, f, err, cap);
}

/* s as a gnuplot string in single quotes (only the quote is special: doubled). */
static void gp_string(FILE *f, const char *s) {
    fputc('\'', f);
    for (; *s; s++) fputs(*s == '\'' ? "''" : (char[2]){*s, 0}, f);
    fputc('\'', f);
}

/* s as one shell word in single quotes. */
static void sh_word(char *out, size_t cap, const char *s) {
    size_t k = 0;
    out[k++] = '\'';
    for (; *s && k + 5 < cap; s++) {
        if (*s == '\'') memcpy(out + k, "'\\''", 4), k += 4;
        else out[k++] = *s;
    }
    out[k++] = '\'', out[k] = 0;
}

typedef struct {
    const classify_args *a;
    const classify_dataset *d;
    const scored *test;
    const uint32_t *counts;
    const eval_point *pts;
    long np;
    double accuracy, aurc;
} report;

static int write_plot_data(outputs *o, const report *r, char *err, size_t cap) {
    const char *P = r->a->plot;
    uint32_t C = r->d->n_classes;
    FILE *f = out_open(o, P, "-risk.dat", err, cap);
    if (!f) return -1;
    fprintf(f, "# risk-coverage of the top-1 - top-2 softmax margin: a row is accepted when its margin >= threshold\n"
               "# coverage\trisk\tthreshold\taccepted\terrors\n");
    for (long p = 0; p < r->np; p++)
        fprintf(f, "%.6f\t%.6f\t%.9g\t%u\t%u\n", (double)r->pts[p].accepted / r->test->s->n,
                (double)r->pts[p].errors / r->pts[p].accepted, r->pts[p].threshold, r->pts[p].accepted,
                r->pts[p].errors);
    if (out_close(o, f, err, cap)) return -1;
    /* the full matrix, labelled, for a person or a script */
    if (!(f = out_open(o, P, "-confusion.tsv", err, cap))) return -1;
    fprintf(f, "true\\predicted");
    for (uint32_t c = 0; c < C; c++) fprintf(f, "\t%s", r->d->label[c]);
    for (uint32_t t = 0; t < C; t++) {
        fprintf(f, "\n%s", r->d->label[t]);
        for (uint32_t c = 0; c < C; c++) fprintf(f, "\t%u", r->counts[(size_t)t * C + c]);
    }
    fputc('\n', f);
    if (out_close(o, f, err, cap)) return -1;
    /* the heat map's cells: the share of the true class's rows, so that rare classes show too */
    if (!(f = out_open(o, P, "-confusion.dat", err, cap))) return -1;
    fprintf(f, "# true\tpredicted\tfraction of the true class's rows\tcount\n");
    for (uint32_t t = 0; t < C; t++) {
        uint32_t support = 0;
        for (uint32_t c = 0; c < C; c++) support += r->counts[(size_t)t * C + c];
        for (uint32_t c = 0; c < C; c++) {
            uint32_t k = r->counts[(size_t)t * C + c];
            fprintf(f, "%u\t%u\t%.6f\t%u\n", t, c, support ? (double)k / support : 0.0, k);
        }
    }
    return out_close(o, f, err, cap);
}

static int write_plot_script(outputs *o, const report *r, char *err, size_t cap) {
    const char *P = r->a->plot;
    uint32_t C = r->d->n_classes;
    char name[4096];
    FILE *f = out_open(o, P, ".gp", err, cap);
    if (!f) return -1;
    fprintf(f, "# written by atome-infer --classify; run again with: gnuplot %s.gp\n", P);
    fprintf(f, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) { set terminal pngcairo size 960,640 font ',10' }"
               " else { set terminal png size 960,640 }\n"
               "set termoption noenhanced\n"); /* names hold _, which would be subscripts */
    snprintf(name, sizeof name, "%s-risk.png", P);
    fputs("set output ", f), gp_string(f, name);
    snprintf(name, sizeof name, "risk-coverage of the top-1 - top-2 softmax margin: %s on %s (%u rows)",
             r->a->model_path, r->a->test, r->test->s->n);
    fputs("\nset title ", f), gp_string(f, name);
    fprintf(f, "\nset xlabel 'coverage: share of the rows accepted, most confident first'\n"
               "set ylabel 'risk: error rate among the accepted rows'\n"
               "set xrange [0:1]\nset yrange [0:*]\nset grid\nset key below\nplot ");
    snprintf(name, sizeof name, "%s-risk.dat", P);
    gp_string(f, name);
    fprintf(f, " using 1:2 with lines lw 2 title 'AURC %.4f, accuracy %.4f', 0.01 with lines dt 2 title 'risk 1%%', "
               "0.05 with lines dt 3 title 'risk 5%%'\n", r->aurc, r->accuracy);
    fprintf(f, "reset\nset size square\n");
    snprintf(name, sizeof name, "%s-confusion.png", P);
    fputs("set output ", f), gp_string(f, name);
    snprintf(name, sizeof name, "confusion of %s on %s: share of each true class's rows", r->a->model_path, r->a->test);
    fputs("\nset title ", f), gp_string(f, name);
    fprintf(f, "\nset xlabel 'predicted class%s'\nset ylabel 'true class'\n",
            C <= TICKS_UP_TO ? "" : " (indices: the order of the rows of -confusion.tsv)");
    fprintf(f, "set xrange [-0.5:%u.5]\nset yrange [%u.5:-0.5]\nset cbrange [0:1]\n"
               "set palette defined (0 'white', 0.3 '#6baed6', 1 '#08306b')\nset tics out\n",
            C - 1, C - 1);
    if (C <= TICKS_UP_TO)
        for (int axis = 0; axis < 2; axis++) {
            fprintf(f, "set %stics (", axis ? "y" : "x");
            for (uint32_t c = 0; c < C; c++) {
                fputs(c ? ", " : "", f);
                gp_string(f, r->d->label[c]);
                fprintf(f, " %u", c);
            }
            fprintf(f, ")%s font ',8'\n", axis ? "" : " rotate by 90 right");
        }
    snprintf(name, sizeof name, "%s-confusion.dat", P);
    fputs("plot ", f), gp_string(f, name);
    fputs(" using 2:1:3 with image notitle", f);
    if (C <= MATRIX_UP_TO) fputs(", '' using 2:1:(sprintf('%d', $4)) with labels notitle", f);
    fputc('\n', f);
    return out_close(o, f, err, cap);
}

/* Runs gnuplot on PREFIX.gp; its last line of output names a failure. */
static int run_gnuplot(outputs *o, const char *prefix, char *err, size_t cap) {
    char script[4096], word[8200], cmd[8300], line[512], last[512] = "";
    snprintf(script, sizeof script, "%s.gp", prefix);
    sh_word(word, sizeof word, script);
    snprintf(cmd, sizeof cmd, "gnuplot %s 2>&1", word);
    /* the PNGs are outputs of this run too: removed with the rest if anything fails */
    if (!out_track(o, prefix, "-risk.png", err, cap) || !out_track(o, prefix, "-confusion.png", err, cap)) return -1;
    FILE *p = popen(cmd, "r");
    if (!p) return snprintf(err, cap, "cannot run gnuplot: %s", strerror(errno)), -1;
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = 0;
        if (*line) strcpy(last, line);
    }
    int st = pclose(p);
    if (st != 0) return snprintf(err, cap, "gnuplot failed on '%s': %s", script, *last ? last : "no message"), -1;
    return 0;
}

/* ---------------------------------------------------------------- printing */

static const eval_class *sort_k;
static int by_f1(const void *a, const void *b) {
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (sort_k[i].f1 != sort_k[j].f1) return sort_k[i].f1 < sort_k[j].f1 ? -1 : 1;
    return (i > j) - (i < j);
}

static void print_per_class(const report *r, const eval_class *k) {
    uint32_t C = r->d->n_classes, shown[CLASSIFY_MAX_CLASSES], n = 0;
    int all = r->a->per_class || C <= ALL_ROWS_UP_TO;
    for (uint32_t c = 0; c < C; c++)
        if (all || k[c].support + k[c].predicted) shown[n++] = c;
    if (!all) {
        sort_k = k;
        qsort(shown, n, sizeof *shown, by_f1);
        if (n > WORST) n = WORST;
        printf("per-class: the %u of %u classes with the lowest F1 (--per-class prints every class)\n", n, C);
    } else {
        printf("per-class:\n");
    }
    printf("      %-32s %9s %9s %9s %8s\n", "name", "precision", "recall", "f1", "support");
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = shown[i];
        printf("class %-32s %9.4f %9.4f %9.4f %8u\n", r->d->label[c], k[c].precision, k[c].recall, k[c].f1,
               k[c].support);
    }
}

static void print_confusion(const report *r) {
    uint32_t C = r->d->n_classes;
    const uint32_t *m = r->counts;
    if (C <= MATRIX_UP_TO) {
        printf("confusion matrix: row t the true class t, column p the rows predicted p\n  %-24s", "");
        for (uint32_t c = 0; c < C; c++) printf(" %6u", c);
        printf("\n");
        for (uint32_t t = 0; t < C; t++) {
            printf("  %3u %-20s", t, r->d->label[t]);
            for (uint32_t c = 0; c < C; c++) printf(" %6u", m[(size_t)t * C + c]);
            printf("\n");
        }
        return;
    }
    /* the WORST largest off-diagonal cells, ties in (true, predicted) order */
    uint64_t best[WORST];
    int n = 0;
    for (uint32_t t = 0; t < C; t++)
        for (uint32_t c = 0; c < C; c++) {
            uint32_t k = m[(size_t)t * C + c];
            if (t == c || k == 0) continue;
            uint64_t key = (uint64_t)k << 32 | (uint32_t)~(t * C + c); /* larger: more rows, then earlier */
            if (n < WORST) best[n++] = key;
            else if (key > best[WORST - 1]) best[WORST - 1] = key;
            else continue;
            for (int j = n - 1; j > 0 && best[j] > best[j - 1]; j--) {
                uint64_t x = best[j];
                best[j] = best[j - 1], best[j - 1] = x;
            }
        }
    printf("confusions: the %d largest off-diagonal cells of %u x %u (true -> predicted: rows)%s\n", n, C, C,
           r->a->plot ? "" : "; --plot writes the whole matrix");
    for (int i = 0; i < n; i++) {
        uint32_t cell = ~(uint32_t)best[i];
        printf("confusion %s -> %s: %u\n", r->d->label[cell / C], r->d->label[cell % C], (uint32_t)(best[i] >> 32));
    }
}

/* AURC of the ideal margin (every error ranked last) for e errors of n rows. */
static double ideal_aurc(uint32_t e, uint32_t n) {
    double s = 0.0;
    for (uint32_t k = n - e + 1; k <= n; k++) s += (double)(k - (n - e)) / k;
    return n ? s / n : 0.0;
}

static void print_abstention(const report *r) {
    uint32_t n = r->test->s->n, errors = r->np ? r->pts[r->np - 1].errors : 0;
    printf("abstention by the top-1 - top-2 softmax margin (a row is accepted when margin >= threshold):\n");
    printf("aurc %.4f  (lower is better: %.4f, the error rate, for a margin that ranks at random; %.4f for a "
           "perfect one)\n", r->aurc, n ? (double)errors / n : 0.0, ideal_aurc(errors, n));
    const uint32_t pct[2] = {1, 5};
    for (int i = 0; i < 2; i++) {
        long p = eval_coverage_at_risk(r->pts, (size_t)r->np, pct[i]);
        if (p < 0) printf("coverage@%u%% 0.0000  (no threshold keeps the risk at or below %u%%)\n", pct[i], pct[i]);
        else
            printf("coverage@%u%% %.4f  threshold %.9g, risk %.4f (%u errors in %u rows)\n", pct[i],
                   (double)r->pts[p].accepted / n, r->pts[p].threshold, (double)r->pts[p].errors / r->pts[p].accepted,
                   r->pts[p].errors, r->pts[p].accepted);
    }
    printf("risk-coverage curve, at the first point reaching each tenth of the rows:\n");
    long p = 0, last = -1;
    for (int tenth = 1; tenth <= 10; tenth++) {
        while (p + 1 < r->np && (uint64_t)r->pts[p].accepted * 10 < (uint64_t)tenth * n) p++;
        if (p < r->np && p != last)
            printf("  coverage %.4f  risk %.4f  threshold %.9g\n", (double)r->pts[p].accepted / n,
                   (double)r->pts[p].errors / r->pts[p].accepted, r->pts[p].threshold);
        last = p;
    }
}

/* ---------------------------------------------------------------- the mode */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int classify_run(const atome_model *m, atome_state *st, const classify_args *a) {
    const int C = m->w.cfg.n_classes;
    const size_t max_bytes = a->max_bytes ? a->max_bytes : CLASSIFY_DEFAULT_MAX_BYTES;
    const char *labels[CLASSIFY_MAX_CLASSES];
    for (int c = 0; c < C; c++) labels[c] = atome_label(m, c);
    classify_model_table t = {(uint32_t)C, labels, (uint32_t)m->w.cfg.n_features, m->w.feature_min,
                              m->w.feature_scale};
    classify_options o;
    classify_options_default(&o);
    o.test = a->test, o.valid = a->valid, o.label_col = a->label_col;
    classify_dataset d;
    char err[8192]; /* a path of up to 4096 bytes and a line of gnuplot's */
    int status = 1, oos = -1;
    scored test = {0}, valid = {0};
    uint32_t *counts = NULL;
    eval_point *pts = NULL;
    eval_class k[CLASSIFY_MAX_CLASSES];
    outputs out = {{0}, 0};
    if (a->plot && system("command -v gnuplot > /dev/null 2>&1") != 0) {
        fprintf(stderr, "atome-infer: --plot needs gnuplot, which is not installed (scripts/deps.sh plot)\n");
        return 1;
    }
    if (classify_load_fixed(&o, &t, &d, err, sizeof err)) {
        fprintf(stderr, "atome-infer: %s\n", err);
        return 1;
    }
    if (a->oos_label && (oos = classify_find_label(&d, a->oos_label, strlen(a->oos_label))) < 0) {
        fprintf(stderr, "atome-infer: --oos-label '%s' is not a class of %s\n", a->oos_label, a->model_path);
        goto done;
    }
    const classify_split *ts = &d.split[CLASSIFY_TEST];
    counts = malloc((size_t)C * C * sizeof *counts);
    pts = malloc(ts->n * sizeof *pts);
    double t0 = now();
    if (!counts || !pts || score(m, st, ts, max_bytes, &test)) {
        fprintf(stderr, "atome-infer: out of memory scoring %u rows\n", ts->n);
        goto done;
    }
    double seconds = now() - t0;
    float tau = 0.0f;
    if (a->valid) {
        const classify_split *vs = &d.split[CLASSIFY_VALID];
        uint32_t n_oos = 0;
        for (uint32_t i = 0; i < vs->n; i++) n_oos += vs->label[i] == oos;
        if (n_oos == 0 || n_oos == vs->n) {
            fprintf(stderr, "atome-infer: %s has no row %s '%s': the oos threshold is chosen on rows of both kinds\n",
                    a->valid, n_oos ? "of a class other than" : "of", a->oos_label);
            goto done;
        }
        if (score(m, st, vs, max_bytes, &valid) ||
            eval_choose_oos_threshold(vs->label, valid.pred, valid.margin, vs->n, oos, &tau)) {
            fprintf(stderr, "atome-infer: out of memory scoring %u rows\n", vs->n);
            goto done;
        }
    }
    eval_confusion(ts->label, test.pred, ts->n, (uint32_t)C, counts);
    eval_per_class(counts, (uint32_t)C, k);
    report r = {a, &d, &test, counts, pts, eval_risk_coverage(test.margin, test.wrong, ts->n, pts), 0.0, 0.0};
    if (r.np < 0) {
        fprintf(stderr, "atome-infer: out of memory sorting %u rows\n", ts->n);
        goto done;
    }
    r.accuracy = eval_accuracy(k, (uint32_t)C);
    r.aurc = eval_aurc(pts, (size_t)r.np, ts->n);
    if ((a->logits && write_logits(&out, a->logits, &test, C, err, sizeof err)) ||
        (a->plot && (write_plot_data(&out, &r, err, sizeof err) || write_plot_script(&out, &r, err, sizeof err) ||
                     run_gnuplot(&out, a->plot, err, sizeof err)))) {
        fprintf(stderr, "atome-infer: %s\n", err);
        out_finish(&out, 1);
        goto done;
    }
    printf("classify %s: %u rows, %d classes, %s, model %s (%.0f rows/s)\n", a->test, ts->n, C,
           d.is_table ? "a table of features" : "texts", a->model_path, ts->n / (seconds > 0 ? seconds : 1e-9));
    printf("rows %u\naccuracy %.4f\nmacro_f1 %.4f\n", ts->n, r.accuracy, eval_macro_f1(k, (uint32_t)C));
    print_per_class(&r, k);
    print_confusion(&r);
    print_abstention(&r);
    if (oos >= 0) {
        double in_acc, recall;
        uint32_t n_oos = k[oos].support;
        printf("out of scope '%s': %u of the %u rows\n(a) as a class: a row is out of scope when its argmax is '%s'\n",
               a->oos_label, n_oos, ts->n, a->oos_label);
        eval_oos(ts->label, test.pred, test.margin, ts->n, oos, 0.0f, &in_acc, &recall);
        printf("in_scope_accuracy %.4f\noos_recall %.4f\n", in_acc, recall);
        if (a->valid) {
            double v_acc, v_recall;
            eval_oos(valid.s->label, valid.pred, valid.margin, valid.s->n, oos, tau, &v_acc, &v_recall);
            printf("(b) by abstention: also out of scope when its margin < threshold, the threshold that maximises "
                   "in-scope accuracy + oos recall on %s (the smallest on ties; there %.4f + %.4f)\n",
                   a->valid, v_acc, v_recall);
            printf("oos_threshold %.9g\n", tau);
            eval_oos(ts->label, test.pred, test.margin, ts->n, oos, tau, &in_acc, &recall);
            printf("in_scope_accuracy@margin %.4f\noos_recall@margin %.4f\n", in_acc, recall);
        } else {
            printf("(b) by abstention: --valid FILE chooses its margin threshold\n");
        }
    }
    for (int i = 0; i < out.n; i++) printf("wrote %s\n", out.path[i]);
    out_finish(&out, 0);
    status = 0;
done:
    scored_free(&test), scored_free(&valid);
    free(counts), free(pts);
    classify_free(&d);
    return status;
}

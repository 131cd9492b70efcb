/* atome_logreg.c — the classifier baselines, on the same data and splits the
 * classifier heads read (common/classify_data.h): the majority class, and what a user would
 * pick instead of a tiny model, a float multinomial logistic regression
 *   - text: on hashed byte n-grams (n = 1..--ngram-max, default 3) into --buckets buckets;
 *     every n-gram occurrence of a text adds 1/sqrt(N) to its bucket, N the text's n-grams;
 *   - table: on the raw features standardised by the training split's mean and deviation.
 *
 * Shapes: C classes, B inputs (buckets, or F features), W[B][C] bucket-major plus bias[C], so
 * that one input's update touches C adjacent floats (the loops run across outputs).
 *
 * Training is plain SGD on the cross-entropy, one example at a time, --epochs passes over the
 * training rows in an order drawn by the seeded RNG (atome_rng) each pass, lr constant; float
 * ops in one fixed order and the repo's own expf / sqrtf, so a run's figures are the same on
 * every machine. After each pass the validation accuracy is measured; the test figures
 * printed are those of the pass with the best one (the earliest on ties).
 *
 * Usage: atome-logreg --data FILE [--valid FILE] [--test FILE] [--label-col NAME]
 *        [--split-seed N] [--seed N] [--buckets N] [--ngram-max N] [--epochs N] [--lr X]
 *        [--focus LABEL] [--abstain LABEL] [--check-data]
 * --focus LABEL prints that class's precision / recall / F1 and the accuracy on the rows of
 * every other class (CLINC150: --focus oos gives out-of-scope recall and in-scope accuracy).
 * --abstain LABEL predicts LABEL by abstention instead of as a class: its training rows are left
 * out, the other classes compete, and a row whose top-1 probability is below a threshold is
 * called LABEL; the threshold is the one with the best validation accuracy, chosen each epoch
 * (the CLINC150 paper's "oos-threshold" setting). It implies --focus LABEL.
 * --check-data reads and describes the data, then exits: bad data is one line and exit 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_math.h"
#include "../common/atome_rng.h"
#include "../common/classify_data.h"

typedef struct {
    classify_options data;
    uint64_t seed;
    uint32_t buckets, ngram_max, epochs;
    float lr;
    const char *focus, *abstain;
    int check_only;
} logreg_options;

static void die(const char *fmt, const char *arg) {
    fputs("atome-logreg: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

static unsigned long long parse_count(const char *flag, const char *s, unsigned long long lo, unsigned long long hi) {
    char *e;
    unsigned long long v = strtoull(s, &e, 10);
    if (!*s || *e || *s == '-' || v < lo || v > hi) {
        fprintf(stderr, "atome-logreg: %s wants an integer in [%llu, %llu], not '%s'\n", flag, lo, hi, s);
        exit(1);
    }
    return v;
}

static void parse_args(int argc, char **argv, logreg_options *o) {
    memset(o, 0, sizeof *o);
    classify_options_default(&o->data);
    o->seed = 1, o->buckets = 1u << 16, o->ngram_max = 3, o->epochs = 10, o->lr = 0.5f;
    for (int a = 1; a < argc; a++) {
        const char *f = argv[a];
        if (strcmp(f, "--check-data") == 0) {
            o->check_only = 1;
            continue;
        }
        if (a + 1 >= argc) die("%s wants a value (see the top of tools/atome_logreg.c)", f);
        const char *v = argv[++a];
        if (strcmp(f, "--data") == 0) o->data.data = v;
        else if (strcmp(f, "--valid") == 0) o->data.valid = v;
        else if (strcmp(f, "--test") == 0) o->data.test = v;
        else if (strcmp(f, "--label-col") == 0) o->data.label_col = v;
        else if (strcmp(f, "--split-seed") == 0) o->data.split_seed = parse_count(f, v, 0, ~0ull);
        else if (strcmp(f, "--seed") == 0) o->seed = parse_count(f, v, 0, ~0ull);
        else if (strcmp(f, "--buckets") == 0) o->buckets = (uint32_t)parse_count(f, v, 1, 1u << 26);
        else if (strcmp(f, "--ngram-max") == 0) o->ngram_max = (uint32_t)parse_count(f, v, 1, 8);
        else if (strcmp(f, "--epochs") == 0) o->epochs = (uint32_t)parse_count(f, v, 1, 10000);
        else if (strcmp(f, "--focus") == 0) o->focus = v;
        else if (strcmp(f, "--abstain") == 0) o->abstain = v;
        else if (strcmp(f, "--lr") == 0) {
            char *e;
            o->lr = strtof(v, &e);
            if (!*v || *e || !(o->lr > 0.0f) || !isfinite(o->lr)) die("--lr wants a positive number, not '%s'", v);
        } else die("unknown option %s (see the top of tools/atome_logreg.c)", f);
    }
    if (!o->data.data) die("%s", "--data FILE is required");
}

/* One row's sparse inputs: n (index, value) pairs in a fixed order. */
typedef struct {
    uint32_t n, cap;
    uint32_t *idx;
    float *val;
} sparse_row;

static void sparse_push(sparse_row *r, uint32_t i, float v) {
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->idx = realloc(r->idx, r->cap * sizeof *r->idx);
        r->val = realloc(r->val, r->cap * sizeof *r->val);
        if (!r->idx || !r->val) die("%s", "out of memory");
    }
    r->idx[r->n] = i, r->val[r->n++] = v;
}

/* Row k of split s as inputs: hashed n-grams (text) or standardised features (table). */
static void row_inputs(const classify_dataset *d, const classify_split *s, uint32_t k, const logreg_options *o,
                       const float *mean, const float *inv_std, sparse_row *r) {
    r->n = 0;
    if (d->is_table) {
        const float *x = s->value + (size_t)k * d->n_features;
        for (uint32_t f = 0; f < d->n_features; f++) sparse_push(r, f, (x[f] - mean[f]) * inv_std[f]);
        return;
    }
    const uint8_t *t = s->bytes + s->start[k];
    size_t len = s->start[k + 1] - s->start[k];
    for (size_t i = 0; i < len; i++)
        for (uint32_t n = 1; n <= o->ngram_max && i + n <= len; n++) {
            uint64_t h = 0xcbf29ce484222325ull ^ n; /* FNV-1a over the n-gram, seeded by its length */
            for (uint32_t b = 0; b < n; b++) h = (h ^ t[i + b]) * 0x100000001b3ull;
            sparse_push(r, (uint32_t)(h % o->buckets), 1.0f);
        }
    float v = 1.0f / atome_sqrtf((float)r->n);
    for (uint32_t j = 0; j < r->n; j++) r->val[j] = v;
}

/* logits[C] = bias + sum over the row's inputs, in their order. */
static void forward(const float *W, const float *bias, uint32_t C, const sparse_row *r, float *logits) {
    for (uint32_t c = 0; c < C; c++) logits[c] = bias[c];
    for (uint32_t j = 0; j < r->n; j++) {
        const float *w = W + (size_t)r->idx[j] * C;
        float v = r->val[j];
        for (uint32_t c = 0; c < C; c++) logits[c] += w[c] * v;
    }
}

typedef struct {
    double accuracy, macro_f1, focus_p, focus_r, focus_f1, other_accuracy;
} scores;

/* Scores of predictions pred[n] against truth[n]. Macro-F1 averages over the classes present
 * in the truth or the predictions. */
static scores score(const uint8_t *truth, const uint8_t *pred, uint32_t n, uint32_t C, int focus) {
    uint32_t tp[CLASSIFY_MAX_CLASSES] = {0}, fp[CLASSIFY_MAX_CLASSES] = {0}, fn[CLASSIFY_MAX_CLASSES] = {0};
    uint32_t right = 0, other = 0, other_right = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (truth[i] == pred[i]) right++, tp[truth[i]]++;
        else fp[pred[i]]++, fn[truth[i]]++;
        if ((int)truth[i] != focus) other++, other_right += truth[i] == pred[i];
    }
    scores s = {0};
    s.accuracy = n ? (double)right / n : 0;
    s.other_accuracy = other ? (double)other_right / other : 0;
    double sum = 0;
    uint32_t present = 0;
    for (uint32_t c = 0; c < C; c++) {
        if (tp[c] + fp[c] + fn[c] == 0) continue;
        present++;
        double f1 = 2.0 * tp[c] / (2.0 * tp[c] + fp[c] + fn[c]);
        sum += f1;
        if ((int)c == focus) {
            s.focus_p = tp[c] + fp[c] ? (double)tp[c] / (tp[c] + fp[c]) : 0;
            s.focus_r = tp[c] + fn[c] ? (double)tp[c] / (tp[c] + fn[c]) : 0;
            s.focus_f1 = f1;
        }
    }
    s.macro_f1 = present ? sum / present : 0;
    return s;
}

static void print_scores(const char *what, const scores *s, const classify_dataset *d, int focus) {
    printf("%s: test accuracy %.4f  macro-F1 %.4f", what, s->accuracy, s->macro_f1);
    if (focus >= 0)
        printf("  '%s' precision %.4f recall %.4f F1 %.4f  accuracy on the other classes %.4f", d->label[focus],
               s->focus_p, s->focus_r, s->focus_f1, s->other_accuracy);
    printf("\n");
}

/* p[C] = softmax of z over every class but skip (p[skip] = 0; skip < 0: none). Returns the
 * most probable class (the largest logit, the lowest index on ties). */
static uint32_t softmax(const float *z, uint32_t C, int skip, float *p) {
    uint32_t top = skip == 0 ? 1 : 0;
    for (uint32_t c = top + 1; c < C; c++)
        if ((int)c != skip && z[c] > z[top]) top = c;
    float sum = 0.0f;
    for (uint32_t c = 0; c < C; c++) sum += (p[c] = (int)c == skip ? 0.0f : atome_expf_neg(z[c] - z[top]));
    for (uint32_t c = 0; c < C; c++) p[c] = p[c] / sum;
    return top;
}

/* For every row of s: pred, the most probable class but skip, and conf, its probability. */
static void predict(const classify_dataset *d, const classify_split *s, const logreg_options *o, const float *W,
                    const float *bias, const float *mean, const float *inv_std, int skip, sparse_row *r, float *z,
                    float *p, uint8_t *pred, float *conf) {
    for (uint32_t k = 0; k < s->n; k++) {
        row_inputs(d, s, k, o, mean, inv_std, r);
        forward(W, bias, d->n_classes, r, z);
        uint32_t top = softmax(z, d->n_classes, skip, p);
        pred[k] = (uint8_t)top, conf[k] = p[top];
    }
}

static const float *sort_key;
static int by_conf(const void *a, const void *b) {
    float x = sort_key[*(const uint32_t *)a], y = sort_key[*(const uint32_t *)b];
    return (x > y) - (x < y);
}

/* The abstention threshold tau (a row is called `abstain` when conf < tau) that maximises the
 * accuracy over the n rows, the smallest on ties; candidates are the conf values and 2 (all). */
static float choose_threshold(const float *conf, const uint8_t *pred, const uint8_t *truth, uint32_t n, int abstain) {
    uint32_t *ix = malloc((n ? n : 1) * sizeof *ix);
    if (!ix) die("%s", "out of memory");
    uint32_t right = 0;
    for (uint32_t i = 0; i < n; i++) ix[i] = i, right += pred[i] == truth[i];
    sort_key = conf;
    qsort(ix, n, sizeof *ix, by_conf);
    uint32_t best = right; /* k = 0: abstain on nothing */
    float tau = 0.0f;
    for (uint32_t k = 1; k <= n; k++) { /* abstain on the k least confident */
        uint32_t i = ix[k - 1];
        right += ((int)truth[i] == abstain) - (pred[i] == truth[i]);
        if (k < n && conf[ix[k]] == conf[i]) continue; /* a threshold cannot split equal confidences */
        if (right > best) best = right, tau = k < n ? conf[ix[k]] : 2.0f;
    }
    free(ix);
    return tau;
}

static void apply_threshold(const float *conf, uint8_t *pred, uint32_t n, int abstain, float tau) {
    for (uint32_t i = 0; i < n; i++)
        if (conf[i] < tau) pred[i] = (uint8_t)abstain;
}

int main(int argc, char **argv) {
    logreg_options o;
    parse_args(argc, argv, &o);
    classify_dataset d;
    char err[1024];
    if (classify_load(&o.data, &d, err, sizeof err)) die("%s", err);
    classify_describe(&d, &o.data, stdout);
    if (o.check_only) {
        classify_free(&d);
        return 0;
    }
    int focus = -1, abstain = -1;
    if (o.abstain && (abstain = classify_find_label(&d, o.abstain, strlen(o.abstain))) < 0)
        die("--abstain: no class named '%s'", o.abstain);
    if (!o.focus) o.focus = o.abstain;
    if (o.focus && (focus = classify_find_label(&d, o.focus, strlen(o.focus))) < 0)
        die("--focus: no class named '%s'", o.focus);
    const classify_split *train = &d.split[CLASSIFY_TRAIN], *valid = &d.split[CLASSIFY_VALID],
                         *test = &d.split[CLASSIFY_TEST];
    uint32_t C = d.n_classes, B = d.is_table ? d.n_features : o.buckets;

    /* The majority class of the training split (the lowest index on ties). */
    uint32_t count[CLASSIFY_MAX_CLASSES] = {0}, major = 0;
    for (uint32_t i = 0; i < train->n; i++) count[train->label[i]]++;
    for (uint32_t c = 1; c < C; c++)
        if (count[c] > count[major]) major = c;
    uint32_t most = (test->n > valid->n ? test->n : valid->n) + 1;
    uint8_t *pred = malloc(most), *best_pred = malloc(most);
    float *conf = malloc(most * sizeof *conf);
    if (!pred || !best_pred || !conf) die("%s", "out of memory");
    memset(pred, (int)major, test->n);
    scores maj = score(test->label, pred, test->n, C, focus);
    char what[256];
    snprintf(what, sizeof what, "majority ('%s')", d.label[major]);
    print_scores(what, &maj, &d, focus);

    /* Standardisation constants of the table features (training split, double sums in row order). */
    float *mean = calloc(B, sizeof *mean), *inv_std = calloc(B, sizeof *inv_std);
    float *W = calloc((size_t)B * C, sizeof *W), *bias = calloc(C, sizeof *bias), *z = malloc(C * sizeof *z);
    float *g = malloc(C * sizeof *g);
    uint32_t *order = malloc((train->n ? train->n : 1) * sizeof *order);
    if (!mean || !inv_std || !W || !bias || !z || !g || !order) die("%s", "out of memory");
    if (d.is_table)
        for (uint32_t f = 0; f < B; f++) {
            double s = 0, s2 = 0;
            for (uint32_t i = 0; i < train->n; i++) s += train->value[(size_t)i * B + f];
            double m = s / train->n;
            for (uint32_t i = 0; i < train->n; i++) {
                double e = train->value[(size_t)i * B + f] - m;
                s2 += e * e;
            }
            float sd = atome_sqrtf((float)(s2 / train->n));
            mean[f] = (float)m, inv_std[f] = sd > 0.0f ? 1.0f / sd : 0.0f;
        }
    if (d.is_table)
        printf("logreg: %u standardised features, %u classes, %zu bytes of fp32 weights", B, C,
               (size_t)(B + 1) * C * 4);
    else
        printf("logreg: hashed byte 1-%u-grams, %u buckets, %u classes, %zu bytes of fp32 weights", o.ngram_max, B, C,
               (size_t)(B + 1) * C * 4);
    printf(", seed %llu, %u epochs, lr %g\n", (unsigned long long)o.seed, o.epochs, o.lr);
    if (abstain >= 0)
        printf("  '%s' by abstention: its training rows left out, the threshold on the top-1 probability chosen "
               "for the best valid accuracy\n", d.label[abstain]);

    /* The training rows (less the abstention class's), reshuffled each epoch. */
    uint32_t n_train = 0;
    for (uint32_t i = 0; i < train->n; i++)
        if ((int)train->label[i] != abstain) order[n_train++] = i;
    atome_rng rng = {o.seed};
    sparse_row r = {0};
    double best_valid = -1;
    uint32_t best_epoch = 0;
    float best_tau = 0.0f;
    for (uint32_t epoch = 1; epoch <= o.epochs; epoch++) {
        for (uint32_t i = n_train; i-- > 1;) {
            uint32_t j = atome_rng_below(&rng, i + 1), t = order[i];
            order[i] = order[j], order[j] = t;
        }
        double loss = 0;
        for (uint32_t i = 0; i < n_train; i++) {
            uint32_t k = order[i], y = train->label[k];
            row_inputs(&d, train, k, &o, mean, inv_std, &r);
            forward(W, bias, C, &r, z);
            softmax(z, C, abstain, g);
            loss -= log(g[y] > 1e-30f ? g[y] : 1e-30f); /* printed only */
            g[y] -= 1.0f;
            for (uint32_t c = 0; c < C; c++) bias[c] -= o.lr * g[c];
            for (uint32_t j = 0; j < r.n; j++) {
                float *w = W + (size_t)r.idx[j] * C, step = o.lr * r.val[j];
                for (uint32_t c = 0; c < C; c++) w[c] -= step * g[c];
            }
        }
        predict(&d, valid, &o, W, bias, mean, inv_std, abstain, &r, z, g, pred, conf);
        float tau = 0.0f;
        if (abstain >= 0) {
            tau = choose_threshold(conf, pred, valid->label, valid->n, abstain);
            apply_threshold(conf, pred, valid->n, abstain, tau);
        }
        scores v = score(valid->label, pred, valid->n, C, focus);
        printf("  epoch %3u  train loss %.4f  valid accuracy %.4f  macro-F1 %.4f", epoch, loss / n_train, v.accuracy,
               v.macro_f1);
        if (abstain >= 0) printf("  threshold %.4f", tau);
        printf("\n");
        if (v.accuracy > best_valid) {
            best_valid = v.accuracy, best_epoch = epoch, best_tau = tau;
            predict(&d, test, &o, W, bias, mean, inv_std, abstain, &r, z, g, best_pred, conf);
            if (abstain >= 0) apply_threshold(conf, best_pred, test->n, abstain, tau);
        }
    }
    scores t = score(test->label, best_pred, test->n, C, focus);
    int k = snprintf(what, sizeof what, "logreg (epoch %u, the best valid accuracy %.4f", best_epoch, best_valid);
    if (abstain >= 0) snprintf(what + k, sizeof what - (size_t)k, ", threshold %.4f", best_tau);
    strncat(what, ")", sizeof what - strlen(what) - 1);
    print_scores(what, &t, &d, focus);
    free(r.idx), free(r.val), free(g), free(pred), free(best_pred), free(conf), free(mean), free(inv_std);
    free(W), free(bias), free(z), free(order);
    classify_free(&d);
    return 0;
}

/* classify_metrics.c — accuracy, macro-F1, the confusion matrix, the margin, the risk-coverage
 * curve and the out-of-scope threshold (definitions and shapes in classify_metrics.h). */
#include "classify_metrics.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_math.h"

void eval_confusion(const uint8_t *truth, const uint8_t *pred, size_t n, uint32_t C, uint32_t *counts) {
    memset(counts, 0, (size_t)C * C * sizeof *counts);
    for (size_t i = 0; i < n; i++) counts[(size_t)truth[i] * C + pred[i]]++;
}

void eval_per_class(const uint32_t *counts, uint32_t C, eval_class *k) {
    for (uint32_t c = 0; c < C; c++) {
        eval_class *e = &k[c];
        memset(e, 0, sizeof *e);
        e->tp = counts[(size_t)c * C + c];
        for (uint32_t o = 0; o < C; o++) {
            e->support += counts[(size_t)c * C + o];
            e->predicted += counts[(size_t)o * C + c];
        }
        e->precision = e->predicted ? (double)e->tp / e->predicted : 0.0;
        e->recall = e->support ? (double)e->tp / e->support : 0.0;
        uint32_t denom = e->support + e->predicted; /* 2·tp + fp + fn */
        e->f1 = denom ? 2.0 * e->tp / denom : 0.0;
    }
}

double eval_accuracy(const eval_class *k, uint32_t C) {
    uint64_t right = 0, n = 0;
    for (uint32_t c = 0; c < C; c++) right += k[c].tp, n += k[c].support;
    return n ? (double)right / (double)n : 0.0;
}

double eval_macro_f1(const eval_class *k, uint32_t C) {
    double sum = 0.0;
    uint32_t present = 0;
    for (uint32_t c = 0; c < C; c++)
        if (k[c].support + k[c].predicted) sum += k[c].f1, present++;
    return present ? sum / present : 0.0;
}

float eval_margin(const float *z, int C) {
    int top1 = 0;
    for (int c = 1; c < C; c++)
        if (z[c] > z[top1]) top1 = c;
    int top2 = top1 == 0 ? 1 : 0;
    for (int c = top2 + 1; c < C; c++)
        if (c != top1 && z[c] > z[top2]) top2 = c;
    float sum = 0.0f;
    for (int c = 0; c < C; c++) sum += atome_expf_neg(z[c] - z[top1]);
    return atome_expf_neg(z[top1] - z[top1]) / sum - atome_expf_neg(z[top2] - z[top1]) / sum;
}

/* Row indices by margin: descending (the risk-coverage curve) or ascending (the threshold). */
static const float *sort_margin;
static int by_margin_down(const void *a, const void *b) {
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    float x = sort_margin[i], y = sort_margin[j];
    return x != y ? (x < y) - (x > y) : (i > j) - (i < j);
}

static uint32_t *sorted_rows(const float *margin, size_t n, int descending) {
    uint32_t *ix = malloc((n ? n : 1) * sizeof *ix);
    if (!ix) return NULL;
    for (size_t i = 0; i < n; i++) ix[i] = (uint32_t)i;
    sort_margin = margin;
    qsort(ix, n, sizeof *ix, by_margin_down);
    if (!descending)
        for (size_t a = 0, b = n; a + 1 < b; a++, b--) {
            uint32_t t = ix[a];
            ix[a] = ix[b - 1], ix[b - 1] = t;
        }
    return ix;
}

long eval_risk_coverage(const float *margin, const uint8_t *wrong, size_t n, eval_point *pts) {
    uint32_t *ix = sorted_rows(margin, n, 1);
    if (!ix) return -1;
    long np = 0;
    uint32_t errors = 0;
    for (size_t k = 1; k <= n; k++) {
        errors += wrong[ix[k - 1]] != 0;
        if (k < n && margin[ix[k]] == margin[ix[k - 1]]) continue; /* inside a group of equal margins */
        pts[np].accepted = (uint32_t)k, pts[np].errors = errors, pts[np].threshold = margin[ix[k - 1]];
        np++;
    }
    free(ix);
    return np;
}

double eval_aurc(const eval_point *pts, size_t np, size_t n) {
    if (n == 0) return 0.0;
    double sum = 0.0;
    uint32_t k0 = 0, e0 = 0;
    for (size_t p = 0; p < np; p++) {
        uint32_t s = pts[p].accepted - k0, g = pts[p].errors - e0;
        for (uint32_t j = 1; j <= s; j++) sum += (e0 + (double)g * j / s) / (double)(k0 + j);
        k0 = pts[p].accepted, e0 = pts[p].errors;
    }
    return sum / (double)n;
}

long eval_coverage_at_risk(const eval_point *pts, size_t np, uint32_t pct) {
    for (size_t p = np; p-- > 0;)
        if ((uint64_t)pts[p].errors * 100 <= (uint64_t)pct * pts[p].accepted) return (long)p;
    return -1;
}

void eval_oos(const uint8_t *truth, const uint8_t *pred, const float *margin, size_t n, int oos, float tau,
              double *in_scope_accuracy, double *oos_recall) {
    size_t in = 0, in_right = 0, out = 0, out_right = 0;
    for (size_t i = 0; i < n; i++) {
        int p = margin[i] < tau ? oos : pred[i];
        if (truth[i] == oos) out++, out_right += p == oos;
        else in++, in_right += p == truth[i];
    }
    *in_scope_accuracy = in ? (double)in_right / (double)in : NAN;
    *oos_recall = out ? (double)out_right / (double)out : NAN;
}

int eval_choose_oos_threshold(const uint8_t *truth, const uint8_t *pred, const float *margin, size_t n, int oos,
                              float *tau) {
    uint64_t n_in = 0, n_out = 0, in_right = 0, out_right = 0;
    for (size_t i = 0; i < n; i++) {
        if (truth[i] == oos) n_out++, out_right += pred[i] == oos;
        else n_in++, in_right += pred[i] == truth[i];
    }
    if (!n_in || !n_out) return -1;
    uint32_t *ix = sorted_rows(margin, n, 0);
    if (!ix) return -1;
    /* in_right / n_in + out_right / n_out, scaled by n_in · n_out: compared exactly */
    uint64_t best = in_right * n_out + out_right * n_in;
    float best_tau = 0.0f;
    for (size_t k = 1; k <= n; k++) { /* the k smallest margins called oos */
        uint32_t i = ix[k - 1];
        if (pred[i] != oos) {
            if (truth[i] == oos) out_right++;
            else in_right -= pred[i] == truth[i];
        }
        if (k < n && margin[ix[k]] == margin[i]) continue; /* a threshold cannot split equal margins */
        uint64_t score = in_right * n_out + out_right * n_in;
        if (score > best) best = score, best_tau = k < n ? margin[ix[k]] : 2.0f;
    }
    free(ix);
    *tau = best_tau;
    return 0;
}

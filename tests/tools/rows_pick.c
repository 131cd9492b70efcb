/* rows_pick.c — picking a classifier firmware's test rows (rules in rows_pick.h). */
#include "rows_pick.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../common/classify_data.h"

static int by_value(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* The model's class index of a label name, or -1. */
static int model_class(const atome_weights *w, const char *name) {
    const char *p = w->labels;
    for (int k = 0; k < w->cfg.n_classes; k++, p += strlen(p) + 1)
        if (strcmp(p, name) == 0) return k;
    return -1;
}

int rows_pick(const atome_weights *w, const char *test, const char *label_col, uint32_t n_pick, rows_picked *out,
              char *err, size_t cap) {
    memset(out, 0, sizeof *out);
    if (w->cfg.n_classes == 0 || n_pick == 0) {
        snprintf(err, cap, "%s", w->cfg.n_classes ? "no rows asked for" : "the model is a language model, no classifier");
        return -1;
    }
    /* The file alone: it is data, valid and test split, so every row is kept in file order. */
    classify_options o;
    classify_options_default(&o);
    o.data = o.valid = o.test = test;
    o.label_col = label_col;
    classify_dataset d;
    if (classify_load(&o, &d, err, cap)) return -1;
    const classify_split *s = &d.split[CLASSIFY_TEST];
    uint32_t F = d.n_features, n = s->n;
    if ((int)F != w->cfg.n_features) {
        snprintf(err, cap, "%s: %u features a row, the model reads %d", test, F, w->cfg.n_features);
        classify_free(&d);
        return -1;
    }
    int model_k[CLASSIFY_MAX_CLASSES];
    for (uint32_t k = 0; k < d.n_classes; k++)
        if ((model_k[k] = model_class(w, d.label[k])) < 0) {
            snprintf(err, cap, "%s: label '%s' is not one of the model's %d classes", test, d.label[k], w->cfg.n_classes);
            classify_free(&d);
            return -1;
        }
    size_t *len = malloc(n * sizeof *len);
    if (!len) abort();
    for (uint32_t i = 0; i < n; i++) len[i] = s->start[i + 1] - s->start[i];
    qsort(len, n, sizeof *len, by_value);
    size_t median = len[n / 2];
    uint32_t typical = 0;
    while (s->start[typical + 1] - s->start[typical] != median) typical++;
    free(len);

    if (n_pick > n) n_pick = n;
    uint32_t *pick = malloc((n_pick + 1) * sizeof *pick), m = 0;
    if (!pick) abort();
    for (uint32_t i = 0; i < n_pick; i++) {
        uint32_t r = (uint32_t)((uint64_t)i * n / n_pick);
        if (typical < r && (m == 0 || pick[m - 1] < typical)) pick[m++] = typical;
        pick[m++] = r;
    }
    if (m == 0 || pick[m - 1] < typical) pick[m++] = typical;
    size_t total = 0;
    for (uint32_t j = 0; j < m; j++) total += s->start[pick[j] + 1] - s->start[pick[j]];
    out->line = malloc(m * sizeof *out->line), out->label = malloc(m);
    out->start = malloc((m + 1) * sizeof *out->start);
    out->bytes = F ? NULL : malloc(total ? total : 1);
    out->raw = F ? malloc((size_t)m * F * sizeof *out->raw) : NULL;
    if (!out->line || !out->label || !out->start || (F ? !out->raw : !out->bytes)) abort();
    uint32_t at = 0;
    for (uint32_t j = 0; j < m; j++) {
        uint32_t r = pick[j];
        size_t k = s->start[r + 1] - s->start[r];
        out->line[j] = r + (label_col ? 2 : 1);
        out->label[j] = (uint8_t)model_k[s->label[r]];
        if (r == typical) out->rows.typical = j;
        out->start[j] = at;
        if (F) memcpy(out->raw + (size_t)j * F, s->value + (size_t)r * F, F * sizeof *out->raw);
        else memcpy(out->bytes + at, s->bytes + s->start[r], k);
        at += F ? 0 : (uint32_t)k;
    }
    out->start[m] = at;
    out->rows.n = m, out->rows.features = F;
    out->rows.label = out->label, out->rows.start = out->start, out->rows.bytes = out->bytes, out->rows.raw = out->raw;
    free(pick);
    classify_free(&d);
    return 0;
}

void rows_free(rows_picked *r) {
    free(r->line), free(r->label), free(r->start), free(r->bytes), free(r->raw);
    memset(r, 0, sizeof *r);
}

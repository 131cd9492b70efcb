/* classify_run.c — a classifier run's examples, draw, score, data identity and --init backbone
 * (API in classify_run.h). */
#include "classify_run.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_le.h"
#include "../infer/atome.h"
#include "model.h"

fb_example *classify_examples(const classify_split *s, size_t max_bytes, int *longest) {
    fb_example *ex = malloc((s->n ? s->n : 1) * sizeof *ex);
    *longest = 0;
    if (!ex) return NULL;
    for (uint32_t i = 0; i < s->n; i++) {
        size_t len = classify_cut(s->start[i + 1] - s->start[i], max_bytes);
        ex[i] = (fb_example){s->bytes + s->start[i], (int)len, s->label[i]};
        if ((int)len > *longest) *longest = (int)len;
    }
    return ex;
}

void classify_draw(atome_rng *rng, const fb_example *train, uint32_t n, int B, fb_example *batch) {
    for (int b = 0; b < B; b++) batch[b] = train[atome_rng_below(rng, n)];
}

int classify_score_split(fb_context *f, int B, const uint8_t *blob, const fb_example *ex, uint32_t n, int C,
                         classify_score *sc, volatile sig_atomic_t *stop) {
    float *logits = malloc((size_t)B * C * sizeof *logits), *loss = malloc((size_t)B * sizeof *loss);
    uint32_t *tp = calloc((size_t)C * 3, sizeof *tp), *fp = tp + C, *fn = fp + C;
    int rc = logits && loss && tp ? 0 : -1;
    double total = 0.0;
    uint32_t correct = 0;
    for (uint32_t first = 0; rc == 0 && first < n; first += (uint32_t)B) {
        if (stop && *stop) rc = -1;
        int nb = n - first < (uint32_t)B ? (int)(n - first) : B;
        if (rc || isnan(fb_classify_forward(f, blob, ex + first, nb, logits, loss))) rc = -1;
        for (int b = 0; rc == 0 && b < nb; b++) {
            int want = ex[first + b].label, got = atome_argmax(logits + (long)b * C, C);
            total += loss[b];
            if (got == want) correct++, tp[want]++;
            else fp[got]++, fn[want]++;
        }
    }
    if (rc == 0) {
        double f1 = 0.0;
        int present = 0;
        for (int c = 0; c < C; c++) {
            uint32_t denom = 2 * tp[c] + fp[c] + fn[c];
            if (denom == 0) continue;
            f1 += 2.0 * tp[c] / denom;
            present++;
        }
        *sc = (classify_score){n, correct, n ? total / n : 0.0, n ? (double)correct / n : 0.0,
                               present ? f1 / present : 0.0};
    }
    free(logits), free(loss), free(tp);
    return rc;
}

void classify_split_id(const classify_dataset *d, int k, uint64_t *bytes, uint32_t *crc) {
    const classify_split *s = &d->split[k];
    uint32_t c = 0;
    if (k == CLASSIFY_TRAIN) {
        for (uint32_t i = 0; i < d->n_classes; i++) c = atome_crc32(c, (const uint8_t *)d->label[i], strlen(d->label[i]) + 1);
        if (d->is_table) {
            c = atome_crc32(c, (const uint8_t *)d->fmin, d->n_features * sizeof(float));
            c = atome_crc32(c, (const uint8_t *)d->fscale, d->n_features * sizeof(float));
        }
    }
    for (uint32_t i = 0; i < s->n; i++) {
        uint8_t head[5] = {s->label[i]};
        atome_le_put_u32(head + 1, (uint32_t)(s->start[i + 1] - s->start[i]));
        c = atome_crc32(c, head, sizeof head);
        c = atome_crc32(c, s->bytes + s->start[i], s->start[i + 1] - s->start[i]);
    }
    *bytes = s->start[s->n] - s->start[0];
    *crc = c;
}

char *classify_names(const classify_dataset *d, int *label_bytes) {
    size_t n = 0;
    for (uint32_t i = 0; i < d->n_classes; i++) n += strlen(d->label[i]) + 1;
    char *names = malloc(n ? n : 1), *at = names;
    *label_bytes = (int)n;
    if (!names) return NULL;
    for (uint32_t i = 0; i < d->n_classes; i++) {
        size_t len = strlen(d->label[i]) + 1;
        memcpy(at, d->label[i], len);
        at += len;
    }
    return names;
}

int classify_backbone(float *params, const atome_config *c, const atome_weights *w, char *err, size_t n) {
    const atome_config *b = &w->cfg;
    if (b->d_model != c->d_model || b->n_layers != c->n_layers || b->d_head != c->d_head || b->window != c->window ||
        b->flags != c->flags) {
        snprintf(err, n, "its backbone is D %d, L %d, Dh %d, W %d, flags %d; this run's is D %d, L %d, Dh %d, W %d, "
                 "flags %d (give no --preset or dimensions to take the blob's)", b->d_model, b->n_layers, b->d_head,
                 b->window, b->flags, c->d_model, c->n_layers, c->d_head, c->window, c->flags);
        return -1;
    }
    long P = atome_param_count(b), head = (long)(b->n_classes ? b->n_classes : b->vocab) * b->d_model;
    float *all = malloc((size_t)P * sizeof *all);
    if (!all) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    int rc = model_from_blob(all, w, err, n);
    /* model_params_bind's order: the backbone comes first, the head last */
    if (rc == 0) memcpy(params, all, (size_t)(P - head) * sizeof *all);
    free(all);
    return rc;
}

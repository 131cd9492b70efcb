/* data.c — corpus loading, split, sampling and evaluation (contracts in data.h). */
#include "data.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/host_file.h"

int data_read_file(const char *path, uint8_t **bytes, size_t *n, char *err, size_t errlen) {
    if (host_read_file(path, SIZE_MAX, bytes, n, err, errlen)) return -1;
    if (*n > 0) return 0;
    snprintf(err, errlen, "%s is empty", path);
    free(*bytes);
    *bytes = NULL;
    return -1;
}

int data_open(dataset *d, const char *train_path, const char *valid_path, int T, char *err, size_t errlen) {
    memset(d, 0, sizeof *d);
    size_t n, w = (size_t)T + 1;
    if (data_read_file(train_path, &d->train_buf, &n, err, errlen)) return -1;
    if (n > 0xFFFFFFFFu) { /* window starts are drawn as 32-bit numbers */
        snprintf(err, errlen, "%s is too large: %zu bytes, at most 4 GiB", train_path, n);
        goto fail;
    }
    if (valid_path) {
        if (n < w) {
            snprintf(err, errlen, "%s is too short: %zu bytes, a training window (--seq %d) needs %zu",
                     train_path, n, T, w);
            goto fail;
        }
        size_t nv;
        if (data_read_file(valid_path, &d->valid_buf, &nv, err, errlen)) goto fail;
        if (nv < w) {
            snprintf(err, errlen, "%s is too short: %zu bytes, an evaluation window (--seq %d) needs %zu",
                     valid_path, nv, T, w);
            goto fail;
        }
        d->train = d->train_buf, d->n_train = n;
        d->valid = d->valid_buf, d->n_valid = nv;
    } else {
        size_t nv = n / 10;
        if (nv < w) {
            snprintf(err, errlen,
                     "%s is too short: %zu bytes; without --valid its last 10%% is held out and must hold "
                     "a %zu-byte window (--seq %d), so it needs at least %zu",
                     train_path, n, w, T, 10 * w);
            goto fail;
        }
        d->train = d->train_buf, d->n_train = n - nv;
        d->valid = d->train_buf + (n - nv), d->n_valid = nv;
    }
    d->train_crc = atome_crc32(0, d->train, d->n_train);
    d->valid_crc = atome_crc32(0, d->valid, d->n_valid);
    return 0;
fail:
    data_close(d);
    return -1;
}

void data_close(dataset *d) {
    free(d->train_buf);
    free(d->valid_buf);
    memset(d, 0, sizeof *d);
}

void data_sample(const dataset *d, atome_rng *rng, int B, int T, uint8_t *tokens) {
    uint32_t starts = (uint32_t)(d->n_train - (size_t)T); /* windows [s, s+T] with s+T < n_train */
    for (int b = 0; b < B; b++) {
        uint32_t s = atome_rng_below(rng, starts);
        memcpy(tokens + (size_t)b * (T + 1), d->train + s, (size_t)T + 1);
    }
}

void data_draw(const dataset *d, atome_rng *rng, int T, uint8_t *window) {
    uint32_t s = atome_rng_below(rng, (uint32_t)(d->n_train - (size_t)T)); /* as data_sample draws */
    if (window) memcpy(window, d->train + s, (size_t)T + 1);
}

long data_eval_windows(size_t n, int T) { return n > 0 ? (long)((n - 1) / (size_t)T) : 0; }

double data_evaluate_with(data_forward_fn *forward, void *ctx, const dataset *d, int B, int T, uint8_t *tokens,
                          float *loss_pos, long *predicted, volatile sig_atomic_t *stop) {
    long nw = data_eval_windows(d->n_valid, T);
    size_t w = (size_t)T + 1;
    double total = 0.0;
    for (long first = 0; first < nw; first += B) {
        if (stop && *stop) return -1.0;
        int real = nw - first < B ? (int)(nw - first) : B;
        /* A short last batch repeats its last window in the unused slots; only real ones count. */
        for (int b = 0; b < B; b++)
            memcpy(tokens + b * w, d->valid + (size_t)(first + (b < real ? b : real - 1)) * (size_t)T, w);
        forward(ctx, tokens, loss_pos);
        for (long i = 0; i < (long)real * T; i++) total += loss_pos[i];
    }
    *predicted = nw * T;
    return total;
}

void data_evaluate_range(data_forward_fn *forward, void *ctx, const dataset *d, int B, int T, long first, long count,
                         uint8_t *tokens, float *loss_pos, float *out) {
    size_t w = (size_t)T + 1;
    for (long done = 0; done < count; done += B) {
        int real = count - done < B ? (int)(count - done) : B;
        for (int b = 0; b < B; b++)
            memcpy(tokens + b * w, d->valid + (size_t)(first + done + (b < real ? b : real - 1)) * (size_t)T, w);
        forward(ctx, tokens, loss_pos);
        memcpy(out + done * T, loss_pos, (size_t)real * T * sizeof *out);
    }
}

typedef struct {
    fb_context *f;
    const uint8_t *blob;
} fb_eval;

static void fb_eval_forward(void *ctx, const uint8_t *tokens, float *loss_pos) {
    const fb_eval *e = ctx;
    fb_forward(e->f, e->blob, tokens, NULL, loss_pos);
}

double data_evaluate(fb_context *f, const uint8_t *blob, const dataset *d, int B, int T, uint8_t *tokens,
                     float *loss_pos, long *predicted, volatile sig_atomic_t *stop) {
    fb_eval e = {f, blob};
    return data_evaluate_with(fb_eval_forward, &e, d, B, T, tokens, loss_pos, predicted, stop);
}

/* fb_classify.c — a classifier's forward and backward over a batch of examples (API in
 * fb_classify.h). The blocks are fb.c's (fb_forward_blocks, fb_backward_blocks over the example's
 * n positions); this file adds the class head at the last position and its loss.
 *
 * Shapes: B examples, T positions each at most, n = an example's length, L layers, D d_model,
 * DP = ATOME_PAD5(D), C classes, V vocab (the arena's logit rows hold V >= C floats), P parameters.
 */
#include "fb_classify.h"
#include <math.h>
#include <omp.h>
#include <string.h>
#include "block_backward.h"
#include "fb_internal.h"
#include "ops_backward.h"

/* 0 if every example fits the context: 1..T bytes, a class below C. */
static int check_examples(const fb_context *f, const fb_example *ex, int nb) {
    if (!ex || nb < 1 || nb > f->B || f->c.n_classes == 0) return -1;
    for (int b = 0; b < nb; b++)
        if (!ex[b].bytes || ex[b].len < 1 || ex[b].len > f->T || ex[b].label < 0 || ex[b].label >= f->c.n_classes)
            return -1;
    return 0;
}

/* The last block's output at example b's last position. */
static const float *last_row(const fb_context *f, int b, int n) {
    int T = f->T, L = f->c.n_layers, D = f->c.d_model;
    return f->x + (((long)b * (L + 1) + L) * T + (n - 1)) * D;
}

/* Example b's forward: the blocks over its n bytes, the head at position n - 1 (its activations
 * in row b·T of the head arrays), the loss over C classes (probabilities left in f->dlog). */
static double forward_example(fb_context *f, const atome_weights *w, const fb_example *e, int b) {
    int D = f->c.d_model, V = f->c.vocab, C = f->c.n_classes;
    long o = (long)b * f->T;
    fb_forward_blocks(f, w, e->bytes, b, e->len);
    atome_head_acts ha = {.h = f->hf + o * D, .ln_mean = f->hf_mean + o, .ln_rstd = f->hf_rstd + o,
                          .hq = f->hf_q + o * ATOME_PAD5(D), .hs = f->hf_s + o, .lut = fb_seq_lut(f, b)};
    head_forward(1, f->logits + o * V, last_row(f, b, e->len), w, &ha);
    f->loss[o] = crossentropy_forward(f->dlog + o * V, f->logits + o * V, e->label, C);
    return f->loss[o];
}

/* Example b's backward into slot [P] (overwritten): the loss, the head at the last position
 * (the one row with a gradient from above), then the blocks over all n positions. */
static void backward_example(fb_context *f, const atome_weights *w, const model_params *master, const fb_example *e,
                             int b, float scale, float *slot) {
    int D = f->c.d_model, V = f->c.vocab, C = f->c.n_classes, n = e->len;
    long o = (long)b * f->T;
    memset(slot, 0, (size_t)f->P * sizeof(float));
    model_params g;
    model_params_bind(&g, &f->c, slot);
    float *dlog = f->dlog + o * V, *dx = f->dx + o * D;
    crossentropy_backward(dlog, dlog, e->label, scale, C);
    memset(dx, 0, (size_t)n * D * sizeof(float));
    head_saved hsv = {(float *)last_row(f, b, n), f->hf + o * D, f->hf_mean + o, f->hf_rstd + o,
                      f->hf_q + o * ATOME_PAD5(D), f->hf_s + o, 0};
    head_backward(dx + (long)(n - 1) * D, g.unemb, g.lnf_g, g.lnf_b, dlog, f->wun, w->lnf_g, &hsv, f->ht + o * D,
                  f->dh + o * D, 1, D, C);
    fb_backward_blocks(f, w, master, e->bytes, b, n, &g);
}

/* The summed loss in example order, and the time of each example's task into f->times. */
static double finish(fb_context *f, int nb) {
    double sum = 0.0;
    for (int b = 0; b < nb; b++) {
        const double *t = f->seq_time + 3 * b;
        f->times.forward += t[0], f->times.backward += t[1], f->times.reduce += t[2];
        sum += f->seq_loss[b];
    }
    return sum;
}

double fb_classify_forward(fb_context *f, const uint8_t *blob, const fb_example *ex, int nb, float *logits,
                           float *loss) {
    atome_weights w;
    if (check_examples(f, ex, nb) || fb_bind_blob(f, blob, &w)) return NAN;
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < nb; b++) {
        double t0 = omp_get_wtime();
        f->seq_loss[b] = forward_example(f, &w, &ex[b], b);
        double *st = f->seq_time + 3 * b;
        st[0] = omp_get_wtime() - t0, st[1] = st[2] = 0.0;
    }
    int C = f->c.n_classes;
    for (int b = 0; b < nb; b++) {
        long o = (long)b * f->T;
        if (logits) memcpy(logits + (long)b * C, f->logits + o * f->c.vocab, (size_t)C * sizeof(float));
        if (loss) loss[b] = f->loss[o];
    }
    return finish(f, nb);
}

double fb_classify_accumulate(fb_context *f, const uint8_t *blob, const model_params *master, const fb_example *ex,
                              int nb) {
    atome_weights w;
    if (check_examples(f, ex, nb) || fb_bind_blob(f, blob, &w)) return NAN;
    if (fb_begin_backward(f, &w)) return NAN;
    float scale = 1.0f / (float)f->B;
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < nb; b++) {
        float *slot = f->tslot + (long)omp_get_thread_num() * f->P;
        double t0 = omp_get_wtime();
        f->seq_loss[b] = forward_example(f, &w, &ex[b], b);
        double t1 = omp_get_wtime();
        backward_example(f, &w, master, &ex[b], b, scale, slot);
        double t2 = omp_get_wtime();
        fb_add_exact(f, slot);
        double *st = f->seq_time + 3 * b;
        st[0] = t1 - t0, st[1] = t2 - t1, st[2] = omp_get_wtime() - t2;
    }
    fb_fold(f, nb);
    return finish(f, nb);
}

/* fb.c — forward and backward over a batch of windows (API in fb.h).
 *
 * Shapes: B sequences, T positions each, L layers, D d_model, DP = ATOME_PAD5(D), Dh d_head,
 * V vocab, W window, NC = 2·Dh + D + 3, P = atome_param_count. Activations are laid out
 * [B][L][T][·] (llm.c style: one arena, a table of pointers), so that one layer of one
 * sequence is a contiguous [T, ·] block: block_project and block_mix write row t of it, and
 * the backward reads it whole, its matmuls one dense product over the T rows (dense.h). A
 * classifier's example (fb_classify.c) uses the first n <= T rows of its sequence's blocks only.
 *
 * Threads: a sequence is one task (its forward, then its backward, on one thread), writing
 * its weight gradients in float into its thread's slot, which is then added into the
 * thread's exact fixed-point accumulator (exact_sum.h). fb_gradient adds the threads'
 * accumulators and rounds once: integer sums, so no result depends on which thread ran what,
 * on the thread count or on how the windows of an update were split into micro-batches.
 */
#include "fb_internal.h"
#include <omp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_block.h"
#include "../common/atome_math.h"
#include "arena.h"
#include "block_backward.h"
#include "exact_sum.h"
#include "float_act.h"
#include "ops_backward.h"


/* Sizes (base NULL) or binds every array of f into the arena at base; returns the bytes. */
static size_t layout(fb_context *f, char *base) {
    size_t off = 0;
    long B = f->B, T = f->T, L = f->c.n_layers, D = f->c.d_model, DP = ATOME_PAD5(D), Dh = f->c.d_head;
    long V = f->c.vocab, W = f->c.window, BLT = B * L * T, BT = B * T;
#define FL(n) ((float *)arena_take(base, &off, (size_t)(n) * sizeof(float)))
#define I8(n) ((int8_t *)arena_take(base, &off, (size_t)(n)))
#define IN(n) ((int *)arena_take(base, &off, (size_t)(n) * sizeof(int)))
    f->x = FL(B * (L + 1) * T * D);
    f->h = FL(BLT * D), f->mean = FL(BLT), f->rstd = FL(BLT), f->hq = I8(BLT * DP), f->hs = FL(BLT);
    f->yc = FL(BLT * D), f->ys = FL(BLT * D), f->ya = FL(BLT * D), f->s = FL(BLT * D);
    f->qq = I8(BLT * Dh), f->qs = FL(BLT), f->kq = I8(BLT * Dh), f->ks = FL(BLT);
    f->vq = I8(BLT * D), f->vs = FL(BLT);
    f->sel = IN(BLT * ATOME_TOPK), f->p = FL(BLT * ATOME_TOPK), f->n = IN(BLT), f->first = IN(BLT);
    f->router = FL(BT * L * 3);
    if (f->float_act) f->qflt = FL(BLT * Dh), f->kflt = FL(BLT * Dh), f->vflt = FL(BLT * D);
    f->hf = FL(BT * D), f->hf_mean = FL(BT), f->hf_rstd = FL(BT), f->hf_q = I8(BT * DP), f->hf_s = FL(BT);
    f->logits = FL(BT * V), f->loss = FL(BT);
    f->fss = R16(W) + 2 * R16(T * Dh) + R16(T * D) + R16(3 * T) + R16(LUT_FLOATS(D));
    f->fscratch = FL(B * f->fss);
    f->dlog = FL(BT * V), f->dx = FL(BT * D), f->dh = FL(BT * D), f->dyc = FL(BT * D), f->dys = FL(BT * D);
    f->dya = FL(BT * D), f->ht = FL(BT * D), f->dy = FL(BT * f->ld);
    f->wcat = FL(L * f->NC * D), f->wconv = FL(L * D * ATOME_CONV_K), f->wun = FL(V * D);
    f->dense_layer = (2 * Dh + D + 3) * D;
    if (f->float_act) f->dense = FL(L * f->dense_layer + V * D);
    f->zeros = FL(D), f->hist0 = FL(B * 5 * D);
    f->acc = (exact_acc *)arena_take(base, &off, (size_t)f->P * sizeof(exact_acc));
    f->seq_loss = (double *)arena_take(base, &off, (size_t)B * sizeof(double));
    f->seq_time = (double *)arena_take(base, &off, (size_t)B * 3 * sizeof(double));
#undef FL
#undef I8
#undef IN
    return off;
}

static fb_context *create(const atome_config *c, int B, int T, int float_act) {
    if (!c || !atome_config_fits(c) || B < 1 || B > EXACT_MAX_ADDS || T < 1) return NULL;
    if (float_act && c->n_classes) return NULL; /* no classifier has float activations */
    fb_context *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->c = *c, f->B = B, f->T = T, f->float_act = float_act;
    f->NC = 2 * c->d_head + c->d_model + 3;
    f->ld = (f->NC + 15) & ~15; /* 64-byte rows of dy */
    f->P = atome_param_count(c);
    f->inv_sqrt_dh = 1.0f / atome_sqrtf((float)c->d_head); /* as atome_load computes it */
    size_t bytes = layout(f, NULL);
    f->arena = arena_alloc(bytes);
    if (!f->arena) {
        free(f);
        return NULL;
    }
    layout(f, f->arena);
    return f;
}

fb_context *fb_create(const atome_config *c, int B, int T) { return create(c, B, T, 0); }

fb_context *fb_create_float_act(const atome_config *c, int B, int T) { return create(c, B, T, 1); }

void fb_free(fb_context *f) {
    if (!f) return;
    free(f->tslot), free(f->tlanes), free(f->tbad);
    free(f->arena);
    free(f);
}

const float *fb_router(const fb_context *f) { return f->router; }

fb_times fb_get_times(const fb_context *f) { return f->times; }

/* Adds the per-sequence task times of the last call's nb sequences into f->times. */
static void add_times(fb_context *f, int nb) {
    for (int b = 0; b < nb; b++) {
        const double *t = f->seq_time + 3 * b;
        f->times.forward += t[0], f->times.backward += t[1], f->times.reduce += t[2];
    }
}

#include "../common/atome_le.h"
static uint32_t rd32(const uint8_t *p) { return atome_le_get_u32(p); }

int fb_bind_blob(const fb_context *f, const uint8_t *blob, atome_weights *w) {
    const atome_config *c = &f->c;
    if (!blob || ((uintptr_t)blob & 3u) || rd32(blob) != ATOME_MAGIC || rd32(blob + 4) != ATOME_VERSION ||
        rd32(blob + 8) != (uint32_t)c->vocab || rd32(blob + 12) != (uint32_t)c->d_model ||
        rd32(blob + 16) != (uint32_t)c->n_layers || rd32(blob + 20) != (uint32_t)c->d_head ||
        rd32(blob + 24) != (uint32_t)c->window || rd32(blob + 48) != (uint32_t)c->n_classes ||
        rd32(blob + 52) != (uint32_t)c->n_features || rd32(blob + 56) != (uint32_t)c->label_bytes)
        return -1;
    atome_blob_bind(c, blob + ATOME_HEADER_BYTES, w);
    return 0;
}

int16_t *fb_seq_lut(const fb_context *f, int b) {
    long T = f->T, D = f->c.d_model, Dh = f->c.d_head;
    float *rl = f->fscratch + (long)b * f->fss + R16(f->c.window) + 2 * R16(T * Dh) + R16(T * D);
    return LUT_FLOATS(D) ? (int16_t *)(void *)(rl + R16(3 * T)) : NULL;
}

/* The forward of sequence b, layer by layer: block_project over its n positions (the matmuls
 * ATOME_LUT_ROWS positions at a time on one lookup table), then block_mix position by position,
 * each seeing exactly what the engine's block_forward would at that position: its input row,
 * the 4 previous h rows, the previous SSM state and the key/value rows of the earlier positions.
 * The functions atome_step calls, with the same lookup-table switch (ATOME_LUT; the table in the
 * sequence's scratch), so the same bits; only the scratch differs: rows of the arena that the
 * backward reads. With --float-act, float_block_forward runs per position instead, and q, k, v
 * go to their per-layer arrays. */
void fb_forward_blocks(fb_context *f, const atome_weights *w, const uint8_t *tok, int b, int n) {
    const atome_config *c = &f->c;
    int T = f->T, L = c->n_layers, D = c->d_model, DP = ATOME_PAD5(D), Dh = c->d_head;
    float *scores = f->fscratch + (long)b * f->fss, *kf = scores + R16(c->window), *vf = kf + R16((long)T * Dh);
    float *q = vf + R16((long)T * D), *rl = q + R16((long)T * Dh);
    int16_t *lut = fb_seq_lut(f, b);
    float *h5 = f->hist0 + (long)b * ATOME_HIST_ROWS * D;
    for (int t = 0; t < n; t++) embed_forward(f->x + ((long)b * (L + 1) * T + t) * D, &w->emb, tok[t]);
    for (int l = 0; l < L; l++) {
        long bl = ((long)b * L + l) * T; /* row of (b, l, t = 0) */
        float *xin = f->x + ((long)b * (L + 1) + l) * T * D, *xout = xin + (long)T * D;
        atome_kv kv = {f->kq + bl * Dh, f->ks + bl, f->vq + bl * D, f->vs + bl, T};
        float_act_layer wd = {0};
        if (f->float_act) {
            const float *dl = f->dense + l * f->dense_layer;
            wd = (float_act_layer){dl, dl + Dh * D, dl + 2 * Dh * D, dl + (2 * Dh + D) * D};
        } else {
            atome_block_acts rows = {.ln_mean = f->mean + bl, .ln_rstd = f->rstd + bl, .hq = f->hq + bl * DP,
                                     .hs = f->hs + bl, .q = q, .kf = kf, .vf = vf, .router_logits = rl, .lut = lut};
            block_project(n, xin, f->h + bl * D, &w->layer[l], c, &rows);
        }
        for (int t = 0; t < n; t++) {
            long o = bl + t;
            atome_block_acts a = {.ln_mean = f->mean + o, .ln_rstd = f->rstd + o, .yc = f->yc + o * D,
                                  .ys = f->ys + o * D, .ya = f->ya + o * D,
                                  .q = f->float_act ? f->qflt + o * Dh : q + (long)t * Dh, .qq = f->qq + o * Dh,
                                  .qs = f->qs + o, .kf = kf + (long)t * Dh, .vf = vf + (long)t * D, .scores = scores,
                                  .att_sel = f->sel + o * ATOME_TOPK, .att_p = f->p + o * ATOME_TOPK,
                                  .att_n = f->n + o, .att_first = f->first + o, .router_logits = rl + 3L * t,
                                  .router = f->router + (((long)b * T + t) * L + l) * 3};
            /* The conv's history, whose row 4 is h at t: in place from position 4 on (rows t-4..t
             * of this layer's h); before that the rows that exist behind zero rows, in h5 (and
             * with --float-act, which writes row 4 itself, h copied from there to its row). */
            float *hist = f->h + (o - 4) * D;
            if (t < 4) {
                hist = h5;
                memset(h5, 0, (size_t)(4 - t) * D * sizeof(float));
                memcpy(h5 + (4 - t) * D, f->h + (o - t) * D, (size_t)(t + 1) * D * sizeof(float));
            }
            const float *s_prev = t ? f->s + (o - 1) * D : f->zeros;
            if (f->float_act) {
                float_block_forward(xout + (long)t * D, xin + (long)t * D, &w->layer[l], &wd, c, t, hist, s_prev,
                                    f->s + o * D, f->kflt + bl * Dh, f->vflt + bl * D, f->inv_sqrt_dh, &a);
                if (t < 4) memcpy(f->h + o * D, ATOME_HIST_NOW(h5, D), (size_t)D * sizeof(float));
            } else {
                block_mix(xout + (long)t * D, xin + (long)t * D, &w->layer[l], c, t, hist, s_prev, f->s + o * D, &kv,
                          f->inv_sqrt_dh, &a);
            }
        }
    }
}

/* A window's forward: the blocks over its T positions, then head_forward over them (with
 * --float-act, float_head_forward per position) and the loss at each. */
static double forward_seq(fb_context *f, const atome_weights *w, const uint8_t *tok, int b) {
    int T = f->T, L = f->c.n_layers, D = f->c.d_model, DP = ATOME_PAD5(D), V = f->c.vocab;
    fb_forward_blocks(f, w, tok, b, T);
    const float *xl = f->x + ((long)b * (L + 1) + L) * T * D;
    long o0 = (long)b * T;
    if (f->float_act) {
        for (int t = 0; t < T; t++) {
            long o = o0 + t;
            atome_head_acts ha = {.h = f->hf + o * D, .ln_mean = f->hf_mean + o, .ln_rstd = f->hf_rstd + o};
            float_head_forward(f->logits + o * V, xl + (long)t * D, w, f->dense + L * f->dense_layer, &ha);
        }
    } else {
        atome_head_acts ha = {.h = f->hf + o0 * D, .ln_mean = f->hf_mean + o0, .ln_rstd = f->hf_rstd + o0,
                              .hq = f->hf_q + o0 * DP, .hs = f->hf_s + o0, .lut = fb_seq_lut(f, b)};
        head_forward(T, f->logits + o0 * V, xl, w, &ha);
    }
    double sum = 0.0;
    for (int t = 0; t < T; t++) {
        long o = o0 + t;
        f->loss[o] = crossentropy_forward(f->dlog + o * V, f->logits + o * V, tok[t + 1], V);
        sum += f->loss[o];
    }
    return sum;
}

/* --float-act: the ternary matrices of the current blob as floats for float_matmul (serial, small). */
static void decode_weights(fb_context *f, const atome_weights *w) {
    if (!f->float_act) return;
    int D = f->c.d_model, Dh = f->c.d_head;
    for (int l = 0; l < f->c.n_layers; l++) {
        const atome_layer *y = &w->layer[l];
        float *dl = f->dense + l * f->dense_layer;
        float_decode(dl, &y->wq);
        float_decode(dl + Dh * D, &y->wk);
        float_decode(dl + 2 * Dh * D, &y->wv);
        float_decode(dl + (2 * Dh + D) * D, &y->router);
    }
    float_decode(f->dense + f->c.n_layers * f->dense_layer, &w->unemb);
}

void fb_backward_blocks(fb_context *f, const atome_weights *w, const model_params *master, const uint8_t *tok,
                        int b, int n, const model_params *g) {
    const atome_config *c = &f->c;
    int T = f->T, L = c->n_layers, D = c->d_model, Dh = c->d_head, DP = ATOME_PAD5(D);
    long bt = (long)b * T;
    float *dx = f->dx + bt * D;
    block_scratch sc = {f->dh + bt * D, f->dyc + bt * D, f->dys + bt * D, f->dya + bt * D, f->ht + bt * D,
                        f->dy + bt * f->ld, f->ld};
    for (int l = L - 1; l >= 0; l--) {
        long o = ((long)b * L + l) * T;
        block_saved a = {f->x + ((long)b * (L + 1) + l) * T * D, f->h + o * D, f->mean + o, f->rstd + o,
                         f->hq + o * DP, f->hs + o, f->yc + o * D, f->ys + o * D, f->ya + o * D,
                         f->qq + o * Dh, f->qs + o, f->kq + o * Dh, f->vq + o * D, f->ks + o, f->vs + o,
                         f->sel + o * ATOME_TOPK, f->p + o * ATOME_TOPK, f->n + o, f->first + o, f->s + o * D,
                         f->router + (bt * L + l) * 3, L * 3, f->float_act ? f->qflt + o * Dh : NULL,
                         f->float_act ? f->kflt + o * Dh : NULL, f->float_act ? f->vflt + o * D : NULL};
        const atome_layer *wl = &w->layer[l];
        block_weights bw = {f->wcat + (long)l * f->NC * D, f->wconv + (long)l * D * ATOME_CONV_K, wl->ln_g,
                            wl->ssm_a, wl->ssm_g, master->layer[l].ssm_b, master->layer[l].ssm_c};
        block_backward(dx, &g->layer[l], &bw, &a, &sc, c, n, f->inv_sqrt_dh);
    }
    for (int t = 0; t < n; t++) embed_backward(g->emb, dx + (long)t * D, tok[t], D);
}

/* The backward of window b into slot [P] (overwritten), top down: loss, head, blocks, embedding. */
static void backward_seq(fb_context *f, const atome_weights *w, const model_params *master, const uint8_t *tok,
                         int b, float scale, float *slot) {
    const atome_config *c = &f->c;
    int T = f->T, L = c->n_layers, D = c->d_model, V = c->vocab;
    memset(slot, 0, (size_t)f->P * sizeof(float));
    model_params g;
    model_params_bind(&g, c, slot);

    long bt = (long)b * T;
    float *dlog = f->dlog + bt * V, *dx = f->dx + bt * D;
    for (int t = 0; t < T; t++) crossentropy_backward(dlog + (long)t * V, dlog + (long)t * V, tok[t + 1], scale, V);
    memset(dx, 0, (size_t)T * D * sizeof(float));
    head_saved hsv = {f->x + ((long)b * (L + 1) + L) * T * D, f->hf + bt * D, f->hf_mean + bt, f->hf_rstd + bt,
                      f->hf_q + bt * ATOME_PAD5(D), f->hf_s + bt, f->float_act};
    head_backward(dx, g.unemb, g.lnf_g, g.lnf_b, dlog, f->wun, w->lnf_g, &hsv, f->ht + bt * D, f->dh + bt * D, T,
                  D, V);
    fb_backward_blocks(f, w, master, tok, b, T, &g);
}

/* The float matrices the backward multiplies by: W~ of every ternary tensor but the embedding. */
static void dequant_weights(fb_context *f, const atome_weights *w) {
    int D = f->c.d_model, Dh = f->c.d_head;
    for (int l = 0; l < f->c.n_layers; l++) {
        const atome_layer *y = &w->layer[l];
        float *wc = f->wcat + (long)l * f->NC * D;
        tmat_dequant(wc, &y->wq);
        tmat_dequant(wc + (long)Dh * D, &y->wk);
        tmat_dequant(wc + 2L * Dh * D, &y->wv);
        tmat_dequant(wc + (2L * Dh + D) * D, &y->router);
        tmat_dequant(f->wconv + (long)l * D * ATOME_CONV_K, &y->conv);
    }
    tmat_dequant(f->wun, &w->unemb);
}

double fb_forward(fb_context *f, const uint8_t *blob, const uint8_t *tokens, float *logits, float *loss_pos) {
    atome_weights w;
    if (f->c.n_classes || fb_bind_blob(f, blob, &w)) return NAN; /* a classifier: fb_classify.h */
    decode_weights(f, &w);
    int B = f->B, T = f->T;
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < B; b++) {
        double t0 = omp_get_wtime();
        f->seq_loss[b] = forward_seq(f, &w, tokens + (long)b * (T + 1), b);
        double *st = f->seq_time + 3 * b;
        st[0] = omp_get_wtime() - t0, st[1] = st[2] = 0.0;
    }
    add_times(f, B);
    double sum = 0.0;
    for (int b = 0; b < B; b++) sum += f->seq_loss[b];
    if (logits) memcpy(logits, f->logits, (size_t)B * T * f->c.vocab * sizeof(float));
    if (loss_pos) memcpy(loss_pos, f->loss, (size_t)B * T * sizeof(float));
    return sum;
}

/* Makes the per-thread slots and lanes cover n threads (the lanes are all zero between calls:
 * fb_fold folds them). Returns 0, or -1 if out of memory. */
static int grow_threads(fb_context *f, int n) {
    if (n <= f->n_threads) return 0;
    size_t P = (size_t)f->P;
    free(f->tslot), free(f->tlanes), free(f->tbad);
    f->tslot = malloc(n * P * sizeof *f->tslot);
    f->tlanes = calloc(2 * n * P, sizeof *f->tlanes);
    f->tbad = calloc(n, sizeof *f->tbad);
    f->n_threads = f->tslot && f->tlanes && f->tbad ? n : 0;
    return f->n_threads ? 0 : -1;
}

int fb_begin_backward(fb_context *f, const atome_weights *w) {
    if (grow_threads(f, omp_get_max_threads())) {
        f->failed = 1;
        return -1;
    }
    double td = omp_get_wtime();
    dequant_weights(f, w); /* serial: it is small next to the batch */
    decode_weights(f, w);
    f->times.backward += omp_get_wtime() - td;
    return 0;
}

void fb_add_exact(fb_context *f, const float *slot) {
    long P = f->P;
    int th = omp_get_thread_num();
    int64_t *hi = f->tlanes + 2L * th * P;
    if (exact_add(hi, hi + P, slot, P)) f->tbad[th] = 1; /* at most B <= EXACT_MAX_ADDS per fold */
}

void fb_fold(fb_context *f, int nb) {
    long P = f->P;
    double t3 = omp_get_wtime();
    int nt = f->n_threads;
    const long chunk = 4096;
#pragma omp parallel for schedule(static)
    for (long i0 = 0; i0 < P; i0 += chunk) {
        long n = P - i0 < chunk ? P - i0 : chunk;
        for (int t = 0; t < nt; t++) {
            int64_t *hi = f->tlanes + 2L * t * P;
            exact_fold(f->acc + i0, hi + i0, hi + P + i0, n);
        }
    }
    f->times.reduce += (omp_get_wtime() - t3) * omp_get_max_threads();
    f->windows += (uint64_t)nb;
}

double fb_accumulate(fb_context *f, const uint8_t *blob, const model_params *master, const uint8_t *tokens) {
    return fb_accumulate_n(f, blob, master, tokens, f->B);
}

double fb_accumulate_n(fb_context *f, const uint8_t *blob, const model_params *master, const uint8_t *tokens,
                       int nb) {
    atome_weights w;
    if (nb < 1 || nb > f->B || f->c.n_classes || fb_bind_blob(f, blob, &w)) return NAN;
    if (fb_begin_backward(f, &w)) return NAN;
    int B = f->B, T = f->T;
    long P = f->P;
    /* The mean over the context's B·T bytes even for fewer windows: a share of a batch split
     * over processes (shard.h) weighs its windows as the whole batch does. */
    float scale = 1.0f / (float)((long)B * T);
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < nb; b++) {
        const uint8_t *tok = tokens + (long)b * (T + 1);
        float *slot = f->tslot + (long)omp_get_thread_num() * P;
        double t0 = omp_get_wtime();
        f->seq_loss[b] = forward_seq(f, &w, tok, b);
        double t1 = omp_get_wtime();
        backward_seq(f, &w, master, tok, b, scale, slot);
        double t2 = omp_get_wtime();
        fb_add_exact(f, slot);
        double *st = f->seq_time + 3 * b;
        st[0] = t1 - t0, st[1] = t2 - t1, st[2] = omp_get_wtime() - t2;
    }
    add_times(f, nb);
    fb_fold(f, nb);
    /* The loss stays a float-then-double sum in window order, as fb_forward's. */
    double sum = 0.0;
    for (int b = 0; b < nb; b++) sum += f->seq_loss[b];
    return sum;
}

const double *fb_window_losses(const fb_context *f) { return f->seq_loss; }

void fb_set_reducer(fb_context *f, fb_reducer *reduce) { f->reduce = reduce; }

int fb_gradient(fb_context *f, float *grad) {
    long P = f->P;
    int bad = f->failed || f->windows > ((uint64_t)1 << 32);
    f->failed = 0;
    for (int t = 0; t < f->n_threads; t++) bad |= f->tbad[t], f->tbad[t] = 0;
    f->windows = 0;
    double t0 = omp_get_wtime();
    if (f->reduce) bad = f->reduce(f->acc, P, bad); /* every process's windows, still exact */
    const long chunk = 4096;
#pragma omp parallel for schedule(static)
    for (long i0 = 0; i0 < P; i0 += chunk) {
        long n = P - i0 < chunk ? P - i0 : chunk;
        exact_to_float(grad + i0, f->acc + i0, n);
        memset(f->acc + i0, 0, (size_t)n * sizeof *f->acc);
    }
    f->times.reduce += (omp_get_wtime() - t0) * omp_get_max_threads();
    if (!bad) return 0;
    for (long i = 0; i < P; i++) grad[i] = NAN;
    return -1;
}

double fb_step(fb_context *f, const uint8_t *blob, const model_params *master, const uint8_t *tokens,
               float *grad) {
    atome_weights w;
    if (fb_bind_blob(f, blob, &w)) return NAN;
    double sum = fb_accumulate(f, blob, master, tokens);
    fb_gradient(f, grad);
    return sum;
}

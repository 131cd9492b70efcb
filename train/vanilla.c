/* vanilla.c — the vanilla GPT baseline: parameters, init, and forward/backward over a batch
 * (API in vanilla.h; its own ops in vanilla_ops.h; the model file in vanilla_file.c).
 *
 * Shapes: B sequences, T positions each, L layers, D d_model, H heads, F d_ff, V vocab,
 * C context, P = vanilla_param_count. Activations are laid out [B][L][T][·] (llm.c style: one
 * arena, a table of pointers), so one layer of one sequence is a contiguous [T, ·] block and
 * every matmul, forward or backward, is one sgemm over its T rows.
 *
 * Threads: a sequence is one task (its forward, then its backward, on one thread), writing its
 * weight gradients into its own slot; the slots are then summed in sequence order. No result
 * depends on which thread ran what. OpenBLAS runs single-threaded inside those tasks.
 */
#include "vanilla.h"
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_config.h"
#include "../common/atome_math.h"
#include "../common/atome_ops.h"
#include "../common/atome_rng.h"
#include "arena.h"
#include "ops_backward.h"
#include "vanilla_ops.h"

/* ---------------------------------------------------------------- config and parameters */

static const struct {
    const char *name;
    vanilla_config c;
} presets[] = {
    {"param-fair", {44, 3, 4, 44, 64}},
    {"flash-fair", {8, 2, 4, 24, 64}},
};
#define N_PRESETS ((int)(sizeof presets / sizeof presets[0]))

int vanilla_preset(const char *name, vanilla_config *c) {
    for (int i = 0; i < N_PRESETS; i++)
        if (name && strcmp(name, presets[i].name) == 0) {
            *c = presets[i].c;
            return 0;
        }
    return -1;
}

const char *vanilla_preset_name(int i) { return i >= 0 && i < N_PRESETS ? presets[i].name : NULL; }

const char *vanilla_config_check(const vanilla_config *c) {
    if (!c) return "no vanilla config";
    if (c->d_model < 1 || c->d_model > 4096) return "vanilla d_model must be in 1..4096";
    if (c->n_layers < 1 || c->n_layers > VANILLA_MAX_LAYERS) return "vanilla n_layers must be in 1..16";
    if (c->n_heads < 1 || c->d_model % c->n_heads) return "vanilla n_heads must divide d_model";
    if (c->d_ff < 1 || c->d_ff > 16384) return "vanilla d_ff must be in 1..16384";
    if (c->context < 1 || c->context > VANILLA_MAX_CONTEXT) return "vanilla context must be in 1..1024";
    return NULL;
}

long vanilla_param_count(const vanilla_config *c) {
    long V = VANILLA_VOCAB, D = c->d_model, L = c->n_layers, F = c->d_ff, C = c->context;
    return 2 * V * D + C * D + L * (4 * D * D + 2 * D * F + 4 * D) + 2 * D;
}

long vanilla_disk_bytes(const vanilla_config *c) { return 4 * vanilla_param_count(c); }

void vanilla_params_bind(vanilla_params *p, const vanilla_config *c, float *arena) {
    long V = VANILLA_VOCAB, D = c->d_model, F = c->d_ff;
    float *a = arena;
#define TAKE(n) (a += (n), a - (n))
    p->wte = TAKE(V * D);
    p->wpe = TAKE((long)c->context * D);
    for (int l = 0; l < c->n_layers; l++) {
        vanilla_layer *y = &p->layer[l];
        y->ln1_g = TAKE(D), y->ln1_b = TAKE(D);
        y->wqkv = TAKE(3 * D * D), y->wo = TAKE(D * D);
        y->ln2_g = TAKE(D), y->ln2_b = TAKE(D);
        y->w1 = TAKE(F * D), y->w2 = TAKE(D * F);
    }
    p->lnf_g = TAKE(D), p->lnf_b = TAKE(D);
    p->head = TAKE(V * D);
#undef TAKE
}

static void fill_normal(float *w, long n, float std, atome_rng *r) {
    for (long i = 0; i < n; i++) w[i] = std * atome_rng_normal(r);
}

static void fill_const(float *w, long n, float v) {
    for (long i = 0; i < n; i++) w[i] = v;
}

void vanilla_init(float *arena, const vanilla_config *c, uint64_t seed) {
    vanilla_params p;
    vanilla_params_bind(&p, c, arena);
    atome_rng r = {seed};
    long V = VANILLA_VOCAB, D = c->d_model, F = c->d_ff;
    const float std = 0.02f, proj = std / atome_sqrtf(2.0f * (float)c->n_layers);
    fill_normal(p.wte, V * D, std, &r);
    fill_normal(p.wpe, (long)c->context * D, std, &r);
    for (int l = 0; l < c->n_layers; l++) {
        vanilla_layer *y = &p.layer[l];
        fill_const(y->ln1_g, D, 1.0f), fill_const(y->ln1_b, D, 0.0f);
        fill_normal(y->wqkv, 3 * D * D, std, &r);
        fill_normal(y->wo, D * D, proj, &r);
        fill_const(y->ln2_g, D, 1.0f), fill_const(y->ln2_b, D, 0.0f);
        fill_normal(y->w1, F * D, std, &r);
        fill_normal(y->w2, D * F, proj, &r);
    }
    fill_const(p.lnf_g, D, 1.0f), fill_const(p.lnf_b, D, 0.0f);
    fill_normal(p.head, V * D, std, &r);
}

static void fill_uniform(float *w, long n, float bound, atome_rng *r) {
    for (long i = 0; i < n; i++) w[i] = bound * (2.0f * atome_rng_uniform(r) - 1.0f);
}

void vanilla_init_torch(float *arena, const vanilla_config *c, uint64_t seed) {
    vanilla_params p;
    vanilla_params_bind(&p, c, arena);
    atome_rng r = {seed};
    long V = VANILLA_VOCAB, D = c->d_model, F = c->d_ff;
    const float bd = 1.0f / atome_sqrtf((float)D), bf = 1.0f / atome_sqrtf((float)F); /* 1/√fan_in */
    fill_normal(p.wte, V * D, 1.0f, &r);
    fill_normal(p.wpe, (long)c->context * D, 1.0f, &r);
    for (int l = 0; l < c->n_layers; l++) {
        vanilla_layer *y = &p.layer[l];
        fill_const(y->ln1_g, D, 1.0f), fill_const(y->ln1_b, D, 0.0f);
        fill_uniform(y->wqkv, 3 * D * D, bd, &r);
        fill_uniform(y->wo, D * D, bd, &r);
        fill_const(y->ln2_g, D, 1.0f), fill_const(y->ln2_b, D, 0.0f);
        fill_uniform(y->w1, F * D, bd, &r);
        fill_uniform(y->w2, D * F, bf, &r);
    }
    fill_const(p.lnf_g, D, 1.0f), fill_const(p.lnf_b, D, 0.0f);
    fill_uniform(p.head, V * D, bd, &r);
}

void vanilla_decay_mask(uint8_t *decay, const vanilla_config *c) {
    long P = vanilla_param_count(c), V = VANILLA_VOCAB, D = c->d_model, F = c->d_ff;
    memset(decay, 1, (size_t)P);
    /* Walks the arena in vanilla_params_bind's order, clearing the LayerNorm vectors. */
    long off = V * D + (long)c->context * D;
    for (int l = 0; l < c->n_layers; l++) {
        memset(decay + off, 0, (size_t)(2 * D)); /* ln1_g, ln1_b */
        off += 2 * D + 4 * D * D;
        memset(decay + off, 0, (size_t)(2 * D)); /* ln2_g, ln2_b */
        off += 2 * D + 2 * D * F;
    }
    memset(decay + off, 0, (size_t)(2 * D)); /* lnf_g, lnf_b */
}

/* ---------------------------------------------------------------- forward and backward */

struct vfb_context {
    vanilla_config c;
    int B, T;
    long P;
    float scale; /* 1/√Dh, the attention score scale */
    void *arena;
    /* Saved by the forward. x: [B][L+1][T][D], x[., l] the input of layer l, x[., L] of LNf. */
    float *x;
    /* [B][L][T][·]: h1, att, xm (= x + attention), h2 [D]; mean, rstd [1]; qkv [3D]; f1 (W1·h2),
     * th (its GELU tanh), g (= gelu(f1)) [F]; p [H·T] (so one layer holds mha's p [H, T, T]). */
    float *h1, *mean1, *rstd1, *qkv, *p, *att, *xm, *h2, *mean2, *rstd2, *f1, *th, *g;
    /* Head, [B][T][·]: hf [D], logits [V], probs then dlogits [V], loss [1]. */
    float *hf, *meanf, *rstdf, *logits, *dlog, *loss;
    /* Backward scratch per sequence, [B][T][·]: dx, dh, datt [D], dqkv [3D], dg, df [F], ds [T]. */
    float *dx, *dh, *datt, *dqkv, *dg, *df, *ds;
    float *slots;     /* [B][P] per-sequence gradients */
    double *seq_loss; /* [B] */
};

/* Sizes (base NULL) or binds every array of f into the arena at base; returns the bytes. */
static size_t layout(vfb_context *f, char *base) {
    size_t off = 0;
    long B = f->B, T = f->T, L = f->c.n_layers, D = f->c.d_model, H = f->c.n_heads, F = f->c.d_ff;
    long V = VANILLA_VOCAB, BLT = B * L * T, BT = B * T;
#define FL(n) ((float *)arena_take(base, &off, (size_t)(n) * sizeof(float)))
    f->x = FL(B * (L + 1) * T * D);
    f->h1 = FL(BLT * D), f->mean1 = FL(BLT), f->rstd1 = FL(BLT), f->qkv = FL(BLT * 3 * D);
    f->p = FL(BLT * H * T), f->att = FL(BLT * D), f->xm = FL(BLT * D);
    f->h2 = FL(BLT * D), f->mean2 = FL(BLT), f->rstd2 = FL(BLT);
    f->f1 = FL(BLT * F), f->th = FL(BLT * F), f->g = FL(BLT * F);
    f->hf = FL(BT * D), f->meanf = FL(BT), f->rstdf = FL(BT);
    f->logits = FL(BT * V), f->dlog = FL(BT * V), f->loss = FL(BT);
    f->dx = FL(BT * D), f->dh = FL(BT * D), f->datt = FL(BT * D), f->dqkv = FL(BT * 3 * D);
    f->dg = FL(BT * F), f->df = FL(BT * F), f->ds = FL(BT * T);
    f->slots = FL(B * f->P);
    f->seq_loss = (double *)arena_take(base, &off, (size_t)B * sizeof(double));
#undef FL
    return off;
}

vfb_context *vfb_create(const vanilla_config *c, int B, int T) {
    if (vanilla_config_check(c) || B < 1 || T < 1 || T > c->context) return NULL;
    vfb_context *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->c = *c, f->B = B, f->T = T;
    f->P = vanilla_param_count(c);
    f->scale = 1.0f / atome_sqrtf((float)(c->d_model / c->n_heads));
    size_t bytes = layout(f, NULL);
    f->arena = arena_alloc(bytes);
    if (!f->arena) {
        free(f);
        return NULL;
    }
    layout(f, f->arena);
    /* Parallelism is across sequences; a multi-threaded sgemm inside them would oversubscribe. */
    openblas_set_num_threads(1);
    return f;
}

void vfb_free(vfb_context *f) {
    if (!f) return;
    free(f->arena);
    free(f);
}

/* The forward of sequence b: embeddings, L blocks, the head and the loss (probabilities left in
 * dlog for the backward). Returns the summed cross-entropy of its T positions. */
static double forward_seq(vfb_context *f, const vanilla_params *w, const uint8_t *tok, int b) {
    int T = f->T, L = f->c.n_layers, D = f->c.d_model, H = f->c.n_heads, F = f->c.d_ff, V = VANILLA_VOCAB;
    float *x = f->x + (long)b * (L + 1) * T * D;
    encoder_forward(x, w->wte, w->wpe, tok, T, D);
    for (int l = 0; l < L; l++) {
        const vanilla_layer *y = &w->layer[l];
        long o = ((long)b * L + l) * T; /* row of (b, l, t = 0) */
        float *xin = x + (long)l * T * D, *xout = xin + (long)T * D;
        float *h1 = f->h1 + o * D, *qkv = f->qkv + o * 3 * D, *att = f->att + o * D, *xm = f->xm + o * D;
        float *h2 = f->h2 + o * D, *f1 = f->f1 + o * F, *g = f->g + o * F;
        for (int t = 0; t < T; t++)
            layernorm_forward(h1 + (long)t * D, f->mean1 + o + t, f->rstd1 + o + t, xin + (long)t * D, y->ln1_g,
                              y->ln1_b, D);
        matmul_f32_forward(qkv, h1, y->wqkv, T, 3 * D, D);
        mha_forward(att, f->p + o * H * T, qkv, T, D, H, f->scale);
        matmul_f32_forward(xm, att, y->wo, T, D, D);
        for (long i = 0; i < (long)T * D; i++) xm[i] += xin[i];
        for (int t = 0; t < T; t++)
            layernorm_forward(h2 + (long)t * D, f->mean2 + o + t, f->rstd2 + o + t, xm + (long)t * D, y->ln2_g,
                              y->ln2_b, D);
        matmul_f32_forward(f1, h2, y->w1, T, F, D);
        gelu_forward(g, f->th + o * F, f1, T * F);
        matmul_f32_forward(xout, g, y->w2, T, D, F);
        for (long i = 0; i < (long)T * D; i++) xout[i] += xm[i];
    }
    long bt = (long)b * T;
    const float *xl = x + (long)L * T * D;
    float *hf = f->hf + bt * D, *logits = f->logits + bt * V;
    for (int t = 0; t < T; t++)
        layernorm_forward(hf + (long)t * D, f->meanf + bt + t, f->rstdf + bt + t, xl + (long)t * D, w->lnf_g,
                          w->lnf_b, D);
    matmul_f32_forward(logits, hf, w->head, T, V, D);
    double sum = 0.0;
    for (int t = 0; t < T; t++) {
        long r = bt + t;
        f->loss[r] = crossentropy_forward(f->dlog + r * V, f->logits + r * V, tok[t + 1], V);
        sum += f->loss[r];
    }
    return sum;
}

/* The backward of sequence b into its gradient slot, top down: loss, head, blocks, embeddings.
 * dx carries d(loss)/d(residual stream) down through the layers. */
static void backward_seq(vfb_context *f, const vanilla_params *w, const uint8_t *tok, int b, float scale) {
    int T = f->T, L = f->c.n_layers, D = f->c.d_model, H = f->c.n_heads, F = f->c.d_ff, V = VANILLA_VOCAB;
    float *slot = f->slots + (long)b * f->P;
    memset(slot, 0, (size_t)f->P * sizeof(float));
    vanilla_params gp;
    vanilla_params_bind(&gp, &f->c, slot);

    long bt = (long)b * T, TD = (long)T * D;
    const float *x = f->x + (long)b * (L + 1) * T * D;
    float *dlog = f->dlog + bt * V, *dx = f->dx + bt * D, *dh = f->dh + bt * D, *datt = f->datt + bt * D;
    float *dqkv = f->dqkv + bt * 3 * D, *dg = f->dg + bt * F, *df = f->df + bt * F;
    for (int t = 0; t < T; t++) crossentropy_backward(dlog + (long)t * V, dlog + (long)t * V, tok[t + 1], scale, V);
    memset(dh, 0, (size_t)TD * sizeof(float));
    matmul_backward(dh, gp.head, dlog, V, w->head, f->hf + bt * D, T, V, D);
    memset(dx, 0, (size_t)TD * sizeof(float));
    const float *xl = x + (long)L * TD;
    for (int t = 0; t < T; t++)
        layernorm_backward(dx + (long)t * D, gp.lnf_g, gp.lnf_b, dh + (long)t * D, xl + (long)t * D,
                           f->meanf[bt + t], f->rstdf[bt + t], w->lnf_g, D);

    for (int l = L - 1; l >= 0; l--) {
        const vanilla_layer *y = &w->layer[l];
        vanilla_layer *gy = &gp.layer[l];
        long o = ((long)b * L + l) * T;
        const float *xin = x + (long)l * TD, *xm = f->xm + o * D;
        /* x_out = xm + W2·gelu(W1·LN2(xm)): dx flows to xm unchanged and through the FFN. */
        memset(dg, 0, (size_t)T * F * sizeof(float));
        matmul_backward(dg, gy->w2, dx, D, y->w2, f->g + o * F, T, D, F);
        memset(df, 0, (size_t)T * F * sizeof(float));
        gelu_backward(df, dg, f->f1 + o * F, f->th + o * F, T * F);
        memset(dh, 0, (size_t)TD * sizeof(float));
        matmul_backward(dh, gy->w1, df, F, y->w1, f->h2 + o * D, T, F, D);
        for (int t = 0; t < T; t++)
            layernorm_backward(dx + (long)t * D, gy->ln2_g, gy->ln2_b, dh + (long)t * D, xm + (long)t * D,
                               f->mean2[o + t], f->rstd2[o + t], y->ln2_g, D);
        /* xm = x_in + Wo·mha(Wqkv·LN1(x_in)): the same again. */
        memset(datt, 0, (size_t)TD * sizeof(float));
        matmul_backward(datt, gy->wo, dx, D, y->wo, f->att + o * D, T, D, D);
        memset(dqkv, 0, (size_t)TD * 3 * sizeof(float));
        mha_backward(dqkv, f->ds + bt * T, datt, f->qkv + o * 3 * D, f->p + o * H * T, T, D, H, f->scale);
        memset(dh, 0, (size_t)TD * sizeof(float));
        matmul_backward(dh, gy->wqkv, dqkv, 3 * D, y->wqkv, f->h1 + o * D, T, 3 * D, D);
        for (int t = 0; t < T; t++)
            layernorm_backward(dx + (long)t * D, gy->ln1_g, gy->ln1_b, dh + (long)t * D, xin + (long)t * D,
                               f->mean1[o + t], f->rstd1[o + t], y->ln1_g, D);
    }
    encoder_backward(gp.wte, gp.wpe, dx, tok, T, D);
}

double vfb_forward(vfb_context *f, const float *params, const uint8_t *tokens, float *logits, float *loss_pos) {
    vanilla_params w;
    vanilla_params_bind(&w, &f->c, (float *)params); /* read only: the forward never writes w */
    int B = f->B, T = f->T;
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < B; b++) f->seq_loss[b] = forward_seq(f, &w, tokens + (long)b * (T + 1), b);
    double sum = 0.0;
    for (int b = 0; b < B; b++) sum += f->seq_loss[b];
    if (logits) memcpy(logits, f->logits, (size_t)B * T * VANILLA_VOCAB * sizeof(float));
    if (loss_pos) memcpy(loss_pos, f->loss, (size_t)B * T * sizeof(float));
    return sum;
}

double vfb_step(vfb_context *f, const float *params, const uint8_t *tokens, float *grad) {
    vanilla_params w;
    vanilla_params_bind(&w, &f->c, (float *)params);
    int B = f->B, T = f->T;
    long P = f->P;
    float scale = 1.0f / (float)((long)B * T);
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < B; b++) {
        const uint8_t *tok = tokens + (long)b * (T + 1);
        f->seq_loss[b] = forward_seq(f, &w, tok, b);
        backward_seq(f, &w, tok, b, scale);
    }
    /* grad = slot 0 + slot 1 + ... in that order for every element, whatever the thread split. */
    const long chunk = 4096;
#pragma omp parallel for schedule(static)
    for (long i0 = 0; i0 < P; i0 += chunk) {
        long n = P - i0 < chunk ? P - i0 : chunk;
        memcpy(grad + i0, f->slots + i0, (size_t)n * sizeof(float));
        for (int b = 1; b < B; b++) {
            const float *sl = f->slots + (long)b * P + i0;
            for (long i = 0; i < n; i++) grad[i0 + i] += sl[i];
        }
    }
    double sum = 0.0;
    for (int b = 0; b < B; b++) sum += f->seq_loss[b];
    return sum;
}

/* atome_block.h — a block and the head: the model's whole forward.
 *
 * The one forward of the project. A block is block_project (what depends on the block's input
 * alone: LN, int8 h, the key, value, query and router-logit matmuls), for n positions at once,
 * then block_mix (conv, SSM, attention, router, residual mix) at one position. The engine
 * (atome_step, hence the firmware) calls block_forward, which is block_project with n = 1 then
 * block_mix, for each layer of each byte, and head_forward with n = 1. The trainer (train/fb.c)
 * calls block_project over all positions of a layer, then block_mix position by position, and
 * head_forward over all positions, with buffers in its activation arena so that its backward
 * finds every intermediate. Each position's values go through the same functions in the same
 * order, hence the same bits; only the scratch differs, and n, which changes no bit (each
 * position's sums are its own, and integer where they are batched).
 *
 * Shapes: n positions, D d_model, DP = ATOME_PAD5(D), Dh d_head, V vocab, W window, R ring rows.
 */
#ifndef ATOME_BLOCK_H
#define ATOME_BLOCK_H
#include "atome_ops.h"

/* Keys and values of one layer, int8 with a scale per row; position t lives in row t mod R. */
typedef struct {
    int8_t *k;      /* [R, Dh] */
    float *k_scale; /* [R] */
    int8_t *v;      /* [R, D] */
    float *v_scale; /* [R] */
    int ring;       /* R: at least W; the trainer uses its sequence length */
} atome_kv;

/* What a block computes (every pointer caller-owned, each written before it is read). Build it
 * with designated initialisers: twenty pointers, many of one type, which a positional list could
 * swap without a warning. block_project writes n rows of the fields marked [n]; block_mix reads
 * row 0 of those (point them at its position's row) and writes the others. */
typedef struct {
    float *ln_mean, *ln_rstd; /* [n] LN statistics of x_in */
    int8_t *hq;               /* [n][DP] int8 h; the padding past D is never written and must hold 0 */
    float *hs;                /* [n] scale of hq */
    float *yc, *ys, *ya;      /* [D] conv, SSM and attention pathways */
    float *q;                 /* [n][Dh] query before quantisation */
    int8_t *qq;               /* [Dh]; may be q's own room (the engine's is): quant8_forward in place */
    float *qs;                /* [1] */
    float *kf, *vf;           /* [n][Dh], [n][D] key and value before quantisation into the cache */
    float *scores;            /* [W] attention scores of the candidates; may share vf's room (the
                               * engine's does): block_mix has read vf when it writes a score */
    int *att_sel;             /* [TOPK] chosen candidates, as offsets from the oldest */
    float *att_p;             /* [TOPK] their softmax weights */
    int *att_n;               /* [1] how many were chosen */
    int *att_first;           /* [1] position of the oldest candidate */
    float *router_logits;     /* [n][3] */
    float *router;            /* [3] weights of conv, SSM, attention */
    int16_t *lut;             /* with -DATOME_LUT, ATOME_LUT_SIZE(D) · min(n, ATOME_LUT_ROWS) int16 of
                               * scratch, or NULL: see matmul_forward */
} atome_block_acts;

/* The conv's input: h = LN(x) of one layer at pos-4 .. pos, five rows of D, oldest first. */
#define ATOME_HIST_ROWS 5
/* The row of a history that holds h at pos itself. */
#define ATOME_HIST_NOW(hist, D) ((hist) + (ATOME_HIST_ROWS - 1) * (D))

/* x_out[D] = x_in + r0·conv(h) + r1·ssm(h) + r2·attention(h), h = LN(x_in), at position pos.
 * hist: ATOME_HIST_ROWS rows of D; rows 0..3 hold h at pos-4..pos-1 (zero rows before 0), and
 * block_forward writes h itself into row 4 (ATOME_HIST_NOW), where the conv reads it: h has no
 * other home, so no caller can pass one h to the conv and another to the rest.
 * s_prev/s: SSM state before and after (may alias; s_prev a zero row at pos 0). Writes the key
 * and value rows of pos into kv. x_out may alias x_in. inv_sqrt_dh = 1 / atome_sqrtf(Dh). */
void block_forward(float *x_out, const float *x_in, const atome_layer *w, const atome_config *c, int pos,
                   float *hist, const float *s_prev, float *s, atome_kv *kv, float inv_sqrt_dh,
                   const atome_block_acts *a);

/* block_forward's first half for the n positions of x_in [n][D]: h [n][D] = LN(x_in), int8 h,
 * and the matmuls into a->kf, vf, q, router_logits (all [n] rows, see atome_block_acts). */
void block_project(int n, const float *x_in, float *h, const atome_layer *w, const atome_config *c,
                   const atome_block_acts *a);
/* block_forward's second half at pos, from row 0 of a->kf, vf, q, router_logits. It reads h only
 * from row 4 of hist: block_project must have written it there (block_forward does; the
 * trainer's hist is a window of its array of h rows). */
void block_mix(float *x_out, const float *x_in, const atome_layer *w, const atome_config *c, int pos,
               const float *hist, const float *s_prev, float *s, atome_kv *kv, float inv_sqrt_dh,
               const atome_block_acts *a);

/* What the head computes at n positions. */
typedef struct {
    float *h;                 /* [n][D] final LN */
    float *ln_mean, *ln_rstd; /* [n] */
    int8_t *hq;               /* [n][DP], padding 0 as in atome_block_acts */
    float *hs;                /* [n] */
    int16_t *lut;             /* as in atome_block_acts */
} atome_head_acts;

/* logits[n][V] = unembed · int8(LN_f(x)), x [n][D]; a classifier's class logits [n][C] = head ·
 * int8(LN_f(x)) the same way (its head is bound where the unembedding is). */
void head_forward(int n, float *logits, const float *x, const atome_weights *w, const atome_head_acts *a);

#endif

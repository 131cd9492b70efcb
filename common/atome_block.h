/* atome_block.h — one block and the head at one position: the model's whole forward.
 *
 * The one forward of the project. The engine (atome_step) calls block_forward for each layer of
 * each byte it is fed and head_forward once after the last layer; the trainer (train/fb.c) calls
 * the same two functions for each (sequence, layer, position) and each (sequence, position), with
 * buffers in its activation arena so that its backward finds every intermediate it needs; the
 * firmware is the engine. The float operations are therefore the same ones in the same order,
 * hence the same bits. Only the scratch differs: where the engine overwrites one buffer per step,
 * the trainer points each field at row (sequence, layer, position) of an array.
 *
 * Shapes: D d_model, DP = ATOME_PAD5(D), Dh d_head, V vocab, W window, R ring rows.
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

/* What one block computes at one position (every pointer caller-owned, each written before it is
 * read). Build it with designated initialisers: twenty pointers, many of one type, which a
 * positional list could swap without a warning. */
typedef struct {
    float *ln_mean, *ln_rstd; /* [1] LN statistics of x_in (h itself goes to the conv's history) */
    int8_t *hq;               /* [DP] int8 h; its padding past D is never written and must hold 0 */
    float *hs;                /* [1]  scale of hq */
    float *yc, *ys, *ya;      /* [D]  conv, SSM and attention pathways */
    float *q;                 /* [Dh] query before quantisation */
    int8_t *qq;               /* [Dh] */
    float *qs;                /* [1] */
    float *kf, *vf;           /* [Dh], [D] key and value before quantisation into the cache */
    float *scores;            /* [W]  attention scores of the candidates */
    int *att_sel;             /* [TOPK] chosen candidates, as offsets from the oldest */
    float *att_p;             /* [TOPK] their softmax weights */
    int *att_n;               /* [1] how many were chosen */
    int *att_first;           /* [1] position of the oldest candidate */
    float *router_logits;     /* [3] */
    float *router;            /* [3]  weights of conv, SSM, attention */
    int16_t *lut;             /* ATOME_LUT_SIZE(D) scratch with -DATOME_LUT, or NULL: see matmul_forward */
} atome_block_acts;

/* The conv's input: h = LN(x) of one layer at pos-4 .. pos, five rows of D, oldest first. */
#define ATOME_HIST_ROWS 5
/* The row of a history that block_forward writes: h at pos itself. */
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

/* What the head computes at one position. */
typedef struct {
    float *h;                 /* [D] final LN */
    float *ln_mean, *ln_rstd; /* [1] */
    int8_t *hq;               /* [DP], padding 0 as in atome_block_acts */
    float *hs;                /* [1] */
    int16_t *lut;             /* as in atome_block_acts */
} atome_head_acts;

/* logits[V] = unembed · int8(LN_f(x)) */
void head_forward(float *logits, const float *x, const atome_weights *w, const atome_head_acts *a);

#endif

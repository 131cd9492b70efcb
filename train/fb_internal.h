/* fb_internal.h — fb_context's insides, shared by fb.c (the language model's windows) and
 * fb_classify.c (a classifier's examples): the arena, and the pieces of a sequence's forward and
 * backward that both run. Nothing outside those two files includes it.
 *
 * Shapes: B sequences, T positions each (a sequence uses its first n <= T of them), L layers,
 * D d_model, DP = ATOME_PAD5(D), Dh d_head, V vocab, W window, NC = 2·Dh + D + 3,
 * P = atome_param_count.
 */
#ifndef TRAIN_FB_INTERNAL_H
#define TRAIN_FB_INTERNAL_H
#include "fb.h"
#include "../common/atome_block.h"

/* A row stride rounded up to 16 floats (64 bytes), so that every scratch row starts aligned. */
#define R16(n) (((n) + 15) & ~15L)
/* matmul_forward's lookup table for inputs of D values, in floats; 0 where it is compiled out. */
#ifdef ATOME_LUT
#define LUT_FLOATS(D) ((long)ATOME_LUT_SIZE(D) * ATOME_LUT_ROWS / 2)
#else
#define LUT_FLOATS(D) 0L
#endif

struct fb_context {
    atome_config c;
    int B, T, NC, ld;
    long P;
    float inv_sqrt_dh;
    void *arena;
    /* Saved by the forward, [B][L][T][·] (x: [B][L+1][T][D], x[., l] the input of layer l). */
    float *x, *h, *mean, *rstd, *hs, *yc, *ys, *ya, *qs, *ks, *vs, *p, *s;
    int8_t *hq, *qq, *kq, *vq;
    int *sel, *n, *first;
    float *router; /* [B][T][L][3], the layout fb_router promises */
    /* --float-act only (fb_create_float_act): q, k, v of every layer as the float forward used
     * them, [B][L][T][Dh], [B][L][T][Dh], [B][L][T][D]; the int8 arrays above stay unused. */
    int float_act;
    float *qflt, *kflt, *vflt;
    /* Head, [B][T][·]. */
    float *hf, *hf_mean, *hf_rstd, *hf_s, *logits, *loss;
    int8_t *hf_q;
    /* Forward scratch per sequence, overwritten at every layer: [B][fss], each holding the
     * attention scores [W], block_project's keys, values and queries before quantisation
     * [T][Dh], [T][D], [T][Dh] and router logits [T][3], and matmul_forward's lookup table
     * (ATOME_LUT_SIZE(D)·ATOME_LUT_ROWS int16). */
    float *fscratch;
    long fss;
    /* Backward per sequence, [B][T][·]: probs then dlogits [V]; dx, dh, dyc, dys, dya, ht [D]; dy [ld]. */
    float *dlog, *dx, *dh, *dyc, *dys, *dya, *ht, *dy;
    /* Dequantised weights of the current blob: wcat [L][NC][D], wconv [L][D][5], wun [V][D]. */
    float *wcat, *wconv, *wun;
    float *dense;      /* --float-act only: the ternary matrices as floats for float_matmul, per
                        * layer wq, wk, wv, router, then the unembedding (float_decode) */
    long dense_layer;  /* floats per layer */
    float *zeros;      /* [D], never written: the SSM state before position 0 */
    float *hist0;      /* [B][5][D] per sequence: the conv's history at positions 0..3 (zero rows
                        * before 0), where h does not yet have 4 rows before it */
    double *seq_loss;  /* [B] */
    double *seq_time;  /* [B][3] forward, backward and exact-add seconds of each sequence's task */
    exact_acc *acc;   /* [P] the exact sum of every window since the last fb_gradient */
    /* Per thread, outside the arena (the thread count may grow after fb_create): a float
     * gradient slot [n_threads][P], the int64 lanes hi, lo [n_threads][2][P] of exact_add,
     * folded into acc at the end of every fb_accumulate, and a flag of a term it refused. */
    int n_threads;
    float *tslot;
    int64_t *tlanes;
    int *tbad;
    uint64_t windows; /* since the last fb_gradient, for the 2^32 bound of exact_sum.h */
    int failed;       /* an fb_accumulate since then ran out of memory */
    fb_reducer *reduce; /* fb_set_reducer: the sum across processes, before rounding */
    fb_times times;
};

/* Binds *w to a blob of f's config (header dimensions and class fields checked; no CRC: the
 * trainer packs the blob in memory every step). Returns 0, or -1. */
int fb_bind_blob(const fb_context *f, const uint8_t *blob, atome_weights *w);
/* The matmul lookup table in sequence b's forward scratch (NULL where it is compiled out). */
int16_t *fb_seq_lut(const fb_context *f, int b);
/* Sequence b's forward up to the head: the embedding of tok[0..n-1], then every block over
 * those n positions (1 <= n <= T), saved in the arena for the backward; the last block's output
 * is f->x rows [b][L][0..n-1]. */
void fb_forward_blocks(fb_context *f, const atome_weights *w, const uint8_t *tok, int b, int n);
/* Sequence b's backward below the head: dx [n][D] (f->dx of b) holds the gradient of the last
 * block's output; adds every block's and the embedding's gradients into *g. */
void fb_backward_blocks(fb_context *f, const atome_weights *w, const model_params *master, const uint8_t *tok,
                        int b, int n, const model_params *g);
/* Before a batch's backward: the dequantised (and, for --float-act, decoded) weights of the
 * blob, and thread slots for omp_get_max_threads(). Returns 0, or -1 if out of memory (the
 * context then fails its next fb_gradient). */
int fb_begin_backward(fb_context *f, const atome_weights *w);
/* Sequence b's gradient, in the calling thread's slot, into that thread's exact lanes. */
void fb_add_exact(fb_context *f, const float *slot);
/* After a batch: folds every thread's lanes into the exact sum, counts nb more windows. */
void fb_fold(fb_context *f, int nb);

#endif

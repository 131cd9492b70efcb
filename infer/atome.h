/* atome.h — the atome inference engine: two files a firmware drops in.
 *
 * No malloc, no stdio, no syscalls, no libm. The model blob is read in place (from
 * flash); all mutable state is one atome_state, sized at compile time by ATOME_MAX_*
 * (common/atome_config.h). There too: -DATOME_CLASSIFIER=0 builds a language-model-only engine,
 * whose loader has no classifier path and refuses a classifier blob (ATOME_ERR_CLASSIFIER), and
 * -DATOME_CHECK_VALUES=0 a loader without the check of every weight float, for a blob that
 * atome-header baked into the firmware (it checked them): what a language model's firmware
 * carries (mk/mcu.mk; CMake -DATOME_CLASSIFIER=OFF -DATOME_CHECK_VALUES=OFF).
 * Each atome_step costs O(L·D² + L·W·D): the conv keeps its last 4 inputs, the SSM its state,
 * attention a ring of the last W keys and values.
 *
 *     static atome_model model;
 *     static atome_state state;
 *     if (atome_load(&model, blob, blob_len) != ATOME_OK) fail();
 *     atome_reset(&state);
 *     const float *logits = 0;
 *     for (const char *p = prompt; *p; p++) logits = atome_step(&model, &state, (uint8_t)*p);
 *     for (int i = 0; i < n; i++) {
 *         int next = atome_argmax(logits, ATOME_VOCAB);
 *         emit(next);
 *         logits = atome_step(&model, &state, (uint8_t)next);
 *     }
 */
#ifndef ATOME_H
#define ATOME_H
#include <stddef.h>
#include <stdint.h>
#include "../common/atome_block.h"

typedef struct {
    atome_weights w;
    float inv_sqrt_dh;
} atome_model;

/* One layer's memory of the bytes before. bytes: of all 5,040 orders of these fields, those with
 * k_scale, router and hist adjacent so gave the least Cortex-M0 code in the size table (make
 * mcu-sizes; here 16 B less than hist first, with the scratch below as it is). No bit depends on
 * the order. */
typedef struct {
    float v_scale[ATOME_MAX_WINDOW], k_scale[ATOME_MAX_WINDOW];
    float router[3]; /* the last step's pathway mix */
    float hist[ATOME_HIST_ROWS * ATOME_MAX_D]; /* the conv's input, rows of d_model: block_forward
                                                * writes LN(x) of pos into row 4 (atome_block.h), and
                                                * atome_step then shifts the rows one older */
    float ssm[ATOME_MAX_D];
    int8_t k[ATOME_MAX_WINDOW][ATOME_MAX_DHEAD];
    int8_t v[ATOME_MAX_WINDOW][ATOME_MAX_D];
} atome_layer_state;

/* bytes: small fields first. On a Cortex-M0 an address near the start of a struct takes fewer
 * instructions to form: 24 B less engine code than the scratch placed after the layers (make
 * mcu-sizes); the scratch arrays in the order of the 720 that gave the least with the layer order
 * above (4 B less than yc, ys, ya first). No bit depends on the layout. */
typedef struct {
    int pos; /* bytes consumed since atome_reset */
    struct { /* scratch of one block at one position, overwritten by every layer; after the last
              * block, the head's too: its LN output goes to yc, which the mix has consumed */
        float mean, rstd, hs, qs, att_p[ATOME_TOPK], router_logits[3];
        int att_sel[ATOME_TOPK], att_n, att_first;
        float ys[ATOME_MAX_D], kf[ATOME_MAX_DHEAD];
        float q[ATOME_MAX_DHEAD]; /* then qq, the int8 query, in its first Dh bytes (quant8_forward in
                                   * place, atome_ops.h: Dh bytes of RAM less) */
        /* vf, then the attention's scores: block_mix has quantised vf into the cache before the
         * first score is written (W floats of RAM less) */
        float vf_scores[ATOME_MAX_D > ATOME_MAX_WINDOW ? ATOME_MAX_D : ATOME_MAX_WINDOW];
        float ya[ATOME_MAX_D], yc[ATOME_MAX_D];
#ifdef ATOME_LUT
        int16_t lut[ATOME_LUT_SIZE(ATOME_MAX_D)]; /* host builds: see matmul_forward */
#elif defined(ATOME_FAST_LUT)
        int16_t lut[ATOME_FAST_LUT_SIZE(ATOME_MAX_D)]; /* the speed build's: atome_ops.h; after floats, so
                                                        * 4-byte aligned, as fast_lut_build assumes */
#endif
        int8_t hq[ATOME_PAD5(ATOME_MAX_D)];
    } s;
    float x[ATOME_MAX_D];
    atome_layer_state layer[ATOME_MAX_LAYERS];
    float logits[ATOME_MAX_LOGITS]; /* V next-byte logits, or a classifier's C */
} atome_state;

/* Checks the blob, a language model or a classifier (m->w.cfg.n_classes > 0; not with
 * ATOME_CLASSIFIER 0), and points the model into it (no copy). Returns ATOME_OK or ATOME_ERR_*. */
int atome_load(atome_model *m, const ATOME_ROM uint8_t *blob, size_t len);
/* Forgets every byte seen: the next step is position 0. */
void atome_reset(atome_state *st);
/* Feeds one byte; returns the logits of the next byte (inside st, valid until the next step).
 * A byte, not an int: a caller holding getchar's -1 (EOF) must decide what it means before it
 * gets here (converted, it is byte 255; it never indexes outside the embedding). */
const float *atome_step(const atome_model *m, atome_state *st, uint8_t byte);
/* atome_step in two halves. atome_feed runs the blocks on one byte: the state moves on, no head is
 * computed (a classifier feeds every byte of an example so, and a prompt could). atome_logits runs
 * the head on the state the last byte left: V next-byte logits, or a classifier's C class logits,
 * inside st; NULL before the first byte. atome_step(m, st, b) is atome_feed then atome_logits. */
void atome_feed(const atome_model *m, atome_state *st, uint8_t byte);
const float *atome_logits(const atome_model *m, atome_state *st);

/* A classifier. atome_classify resets st, feeds the n bytes of one example (a text's bytes, or the
 * F bytes of atome_features) and returns its class, the largest logit (atome_argmax), the C logits
 * left in st->logits; -1 for n = 0 (the classifier reads at least one byte) or a language model.
 * atome_features turns F raw sensor floats into those F bytes (feature_quantise, atome_ops.h).
 * atome_label is the NUL-terminated name of class k, inside the blob; NULL for k out of range. */
int atome_classify(const atome_model *m, atome_state *st, const uint8_t *bytes, size_t n);
void atome_features(const atome_model *m, const float *raw, uint8_t *bytes);
const ATOME_ROM char *atome_label(const atome_model *m, int k);
/* Index of the largest of n values, the lowest index on ties; a NaN never counts as larger (one at
 * index 0 wins). Logits of a blob atome_load accepts are never NaN (PAPER.md, section 3). */
int atome_argmax(const float *v, int n);

#endif

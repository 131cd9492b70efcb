/* model.h — the trainer's FP32 master weights, and their export into a blob.
 *
 * Shapes: V vocab, D d_model, L layers, Dh d_head.
 * All parameters live in one arena of atome_param_count(cfg) floats; model_params is a
 * table of pointers into it (gradients and Adam moments use the same table over their own
 * arenas). The forward never reads these floats directly: model_pack quantises them
 * (BitNet b1.58 absmean per tensor, straight-through in the backward) into the blob
 * format, and the trainer runs the common/ kernels on that blob, exactly as the engine does.
 */
#ifndef TRAIN_MODEL_H
#define TRAIN_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include "../common/atome_blob.h"
#include "../common/atome_rng.h"

typedef struct {
    float *ln_g, *ln_b;          /* [D] */
    float *conv;                 /* [D, 5] */
    float *ssm_araw, *ssm_b, *ssm_c; /* [D]; a = tanh(a_raw) */
    float *wq, *wk;              /* [Dh, D] */
    float *wv;                   /* [D, D] */
    float *router;               /* [3, D] */
} layer_params;

typedef struct {
    float *emb;                  /* [V, D] */
    layer_params layer[ATOME_MAX_LAYERS];
    float *lnf_g, *lnf_b;        /* [D] */
    float *unemb;                /* [V, D] */
} model_params;

/* Points *p into arena (atome_param_count(c) floats) in the order above. */
void model_params_bind(model_params *p, const atome_config *c, float *arena);

/* Seeded initialisation: the embedding N(0, 1), conv taps N(0, 1/5), the other ternary matrices
 * N(0, 1/D), LN gamma 1 beta 0, a in [0.5, 0.99) spread across channels, b = 1, c = 1/sqrt(D);
 * scale multiplies every std and c (--init-scale: a small learning rate wants small weights, so
 * that the straight-through updates still flip trits). */
void model_init(float *arena, const atome_config *c, uint64_t seed, float scale);

/* A sensor classifier's embedding (its bytes are quantised numbers, not characters): row v a
 * thermometer code, channel j +scale if v >= (j + 1)·V/(D + 1), else -scale, the sign flipped on odd
 * channels (a constant row, which rows 0 and 255 would be, has LayerNorm's variance 0), so that nearby values
 * start with nearby rows (v and w differ in about |v - w|·(D + 1)/V channels) and a value never seen
 * in training still lands between the values around it. A random embedding would have to learn
 * each of the 256 rows from the rows that hold it. Its ternary form is these signs, scale scale. */
void model_init_ordinal_embedding(float *arena, const atome_config *c, float scale);

/* Total blob bytes (header + payload) of config c. */
size_t model_blob_bytes(const atome_config *c);

/* Quantises and packs the master weights into blob (model_blob_bytes(c) bytes, 4-aligned),
 * header and CRC included (a classifier's head where the unembedding is; its names and feature
 * constants zero: model_set_classes). Ternary: scale = mean|W|, trit = clamp(round(W/scale), -1, 1). */
void model_pack(uint8_t *blob, const model_params *p, const atome_config *c);

/* A classifier's blob (c->n_classes > 0), packed by model_pack: writes what model_pack leaves zero,
 * the F feature constants (none for text) and the label_bytes of names (C names, each followed by
 * a NUL: atome_blob.h), and seals it again. */
void model_set_classes(uint8_t *blob, const atome_config *c, const float *feature_min, const float *feature_scale,
                       const char *names);

/* --init: master weights (arena of atome_param_count(&w->cfg) floats) that model_pack turns back
 * into the blob bound in *w, or within an ulp of its scales: LN and ssm floats copied, a_raw the
 * float whose atome_tanhf is a (model_tanh_preimage), b = 1 and c = g, and each ternary tensor a
 * nonzero trit t as t·scale·n/nnz (so that the absmean is the scale again), 0 for a zero trit.
 * Returns 0, or -1 with one line in err (an a that no a_raw gives). */
int model_from_blob(float *arena, const atome_weights *w, char *err, size_t cap);

/* The float a_raw in [-20, 20] with atome_tanhf(a_raw) == a exactly (bisection on the float
 * order, then the nearest of the floats around it); 0, or -1 if none is found. */
int model_tanh_preimage(float a, float *a_raw);

#endif

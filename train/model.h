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

/* Total blob bytes (header + payload) of config c. */
size_t model_blob_bytes(const atome_config *c);

/* Quantises and packs the master weights into blob (model_blob_bytes(c) bytes, 4-aligned),
 * header and CRC included. Ternary: scale = mean|W|, trit = clamp(round(W/scale), -1, 1). */
void model_pack(uint8_t *blob, const model_params *p, const atome_config *c);

#endif

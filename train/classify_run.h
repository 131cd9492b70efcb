/* classify_run.h — a classifier run's pieces around fb_classify.h: the examples of a split with the
 * cut applied, the seeded draw of a batch, the score of a model on a split, the identity of the
 * data a checkpoint was trained on, and a backbone taken from another model's blob.
 * classify_train.c drives them (atome-train --task classify); the tests call them directly.
 *
 * Shapes: n examples of a split, B per batch, C classes, D d_model, P parameters.
 */
#ifndef TRAIN_CLASSIFY_RUN_H
#define TRAIN_CLASSIFY_RUN_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "../common/atome_blob.h"
#include "../common/atome_rng.h"
#include "../common/classify_data.h"
#include "fb_classify.h"

/* ex[n] of split s, each row's bytes cut to classify_cut(len, max_bytes) (pointers into s);
 * malloc'd, NULL if out of memory. *longest gets the longest example's length. */
fb_example *classify_examples(const classify_split *s, size_t max_bytes, int *longest);

/* B training examples drawn uniformly with replacement by rng, one atome_rng_below(n) each, in order. */
void classify_draw(atome_rng *rng, const fb_example *train, uint32_t n, int B, fb_example *batch);

/* What a model scores on a split. */
typedef struct {
    uint32_t n, correct; /* examples, and those whose top class (atome_argmax: ties to the lower
                          * index, as the engine picks) is their label */
    double loss;         /* mean cross-entropy, nats per example (a double sum in example order) */
    double acc;          /* correct / n */
    double macro_f1;     /* mean over the classes that occur as a label or a prediction of
                          * F1 = 2·tp / (2·tp + fp + fn) */
} classify_score;

/* Scores the packed blob on ex[n], B at a time through f (fb_create'd for B examples of the
 * split's longest). Returns 0, or -1 if *stop became non-zero between batches (sc unset), or if
 * fb_classify_forward refused (a blob of another config). */
int classify_score_split(fb_context *f, int B, const uint8_t *blob, const fb_example *ex, uint32_t n, int C,
                         classify_score *sc, volatile sig_atomic_t *stop);

/* The identity of split k of d for a checkpoint: *bytes its examples' bytes (uncut), *crc the
 * CRC-32 of every row's label byte, length (u32 little-endian) and bytes in order; the training
 * split's CRC also covers the label names and, for a table, the feature constants. */
void classify_split_id(const classify_dataset *d, int k, uint64_t *bytes, uint32_t *crc);

/* The label names as a classifier blob holds them (atome_blob.h): C names, each NUL-terminated,
 * back to back; malloc'd (NULL if out of memory), *label_bytes their length. */
char *classify_names(const classify_dataset *d, int *label_bytes);

/* --init BLOB for a classifier: the master weights of w's backbone (the embedding, every block, the
 * final LayerNorm: model_from_blob's preimages) into params (atome_param_count(c) floats of the
 * run's config c, whose backbone dimensions must be w's), the class head left as it is; w's own
 * head (a language model's unembedding, or another classifier's) is dropped. Returns 0, or -1
 * with one line in err. */
int classify_backbone(float *params, const atome_config *c, const atome_weights *w, char *err, size_t n);

#endif

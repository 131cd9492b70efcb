/* fb_classify.h — forward and backward of a classifier over a batch of examples.
 *
 * Shapes: B examples per batch (the context's), T the longest example it takes, C classes,
 * D d_model, P = atome_param_count (the class head [C, D] in place of the unembedding).
 *
 * A classifier (config n_classes = C > 0) reads one example as the engine's atome_classify does:
 * from a fresh state, its bytes one position each (1..T of them: the caller has applied the cut,
 * classify_cut in common/classify_data.h), then the head at the LAST position only: the C class
 * logits = head · int8(LN_f(x)), head_forward with n = 1. The loss is the cross-entropy over the C
 * classes; the backward runs through the class head (head_backward on that one row) and the whole
 * backbone over the example's own positions, so an example costs in proportion to its length.
 *
 * The context is fb_create's, made for a classifier config and B, T (fb_forward and
 * fb_accumulate refuse it; --float-act has no classifier). The guarantees are fb.h's: each
 * example's gradient is one exact term of the sum (exact_sum.h), so fb_gradient's result is the
 * same bits for any thread count and any split of an update's examples; the loss sums run in
 * example order; the logits are the engine's bit for bit.
 */
#ifndef TRAIN_FB_CLASSIFY_H
#define TRAIN_FB_CLASSIFY_H
#include <stdint.h>
#include "fb.h"

/* One example: len bytes (1..T) and its class (0..C-1). */
typedef struct {
    const uint8_t *bytes;
    int len, label;
} fb_example;

/* Forward only over nb examples (1 <= nb <= B) on the packed classifier blob. Returns the summed
 * cross-entropy in nats; logits (if not NULL) gets [nb][C], loss (if not NULL) [nb]. NaN for a
 * blob of another config, an nb out of range, or an example whose length or label is. */
double fb_classify_forward(fb_context *f, const uint8_t *blob, const fb_example *ex, int nb, float *logits,
                           float *loss);

/* Forward and backward over nb examples (1 <= nb <= B), each example's gradient of its loss
 * weighed 1/B (the mean over a batch of B), ADDED exactly into the context's sum: fb_gradient
 * then gives the gradient. Returns the summed cross-entropy (fb_classify_forward's bits), NaN as
 * fb_classify_forward refuses (nothing added) or if out of memory (fb_gradient then fails). The
 * blob must be model_pack(master). */
double fb_classify_accumulate(fb_context *f, const uint8_t *blob, const model_params *master, const fb_example *ex,
                              int nb);

#endif

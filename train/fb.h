/* fb.h — forward and backward over a batch of windows: the trainer's one contact with the model.
 *
 * Shapes: B sequences per batch, T predicted positions per sequence (a window holds T+1
 * bytes: inputs tokens[b][0..T-1], targets tokens[b][1..T]), V vocab, D d_model, L layers.
 *
 * The forward runs the engine's functions (block_project, block_mix, head_forward) on a packed
 * blob, the same bytes the engine loads, so logits here equal the engine's bit for bit (not
 * those of a context from fb_create_float_act, the float-activation ablation). The backward
 * treats every quantiser as the identity (straight-through) and writes gradients with
 * respect to the FP32 master weights (layout of model_params_bind).
 *
 * Threads: sequences are spread over OpenMP threads. The gradients of the windows are summed
 * exactly (fixed point, exact_sum.h), so they are the same bits for any thread count and any
 * split of an update's windows into micro-batches; the loss sums run in window order.
 */
#ifndef TRAIN_FB_H
#define TRAIN_FB_H
#include <stdint.h>
#include "exact_sum.h"
#include "model.h"

typedef struct fb_context fb_context;

/* Activation arena for B windows of T positions of config c; NULL if out of memory, or if c
 * does not fit the engine (atome_config_fits) or B or T < 1. For a classifier config (n_classes
 * > 0) it serves fb_classify.h alone: fb_forward and fb_accumulate(_n) return NaN for it. */
fb_context *fb_create(const atome_config *c, int B, int T);
/* As fb_create, for the --float-act ablation (float_act.h): the forward keeps h, the final h,
 * q, k and v in float where the engine quantises them to int8 (the weights stay the blob's
 * ternary ones), and the backward reads those floats. Its logits are not the engine's. NULL for a
 * classifier config. */
fb_context *fb_create_float_act(const atome_config *c, int B, int T);
void fb_free(fb_context *f);

/* Forward only over B windows of T+1 bytes (tokens[b*(T+1) + t]) on the packed blob
 * (model_blob_bytes long, 4-aligned, of the context's config: NaN is returned otherwise).
 * Returns the summed cross-entropy in nats over the B·T predicted bytes; if logits is not
 * NULL it receives them as [B][T][V]. If loss_pos is not NULL it receives the per-position
 * cross-entropy [B][T] (for evaluation and router-entropy studies). */
double fb_forward(fb_context *f, const uint8_t *blob, const uint8_t *tokens, float *logits, float *loss_pos);

/* Forward and backward over B windows, their gradients of the mean loss over these B·T bytes
 * ADDED, exactly, into the context's sum (started empty by fb_create and by fb_gradient).
 * Returns the summed cross-entropy in nats (the same bits as fb_forward's), NaN for a blob as
 * fb_forward refuses (nothing added) or if out of memory (fb_gradient then fails). The blob
 * must be model_pack(master): the backward reads the ternary weights from the blob and, of the
 * master, only ssm_b and ssm_c (the blob holds their product). */
double fb_accumulate(fb_context *f, const uint8_t *blob, const model_params *master, const uint8_t *tokens);
/* fb_accumulate over the first nb windows of tokens only (1 <= nb <= B), each still weighed
 * 1/(B·T), as in the whole batch: a process's share of a batch split over processes. NaN (nothing
 * added) for an nb out of range. */
double fb_accumulate_n(fb_context *f, const uint8_t *blob, const model_params *master, const uint8_t *tokens,
                       int nb);
/* Per-window summed cross-entropy (nats) of the last fb_accumulate(_n): [nb] doubles, whose sum
 * in window order is what it returned. */
const double *fb_window_losses(const fb_context *f);

/* A sum across processes (dist_sum_exact): acc[0..n-1] holds this process's exact sum and gets
 * every process's; returns the flag of a bad term anywhere (bad: this process's). */
typedef int fb_reducer(exact_acc *acc, long n, int bad);
/* fb_gradient calls reduce (NULL: none, the default) after adding the threads' sums and
 * before rounding, so the gradient is that of every process's windows. */
void fb_set_reducer(fb_context *f, fb_reducer *reduce);

/* grad (atome_param_count floats) = the sum of every fb_accumulate since the last call,
 * rounded once to float, and empties the sum. Returns 0, or -1 if a window's gradient element
 * was not finite or not below 2^15 in magnitude, or more than 2^32 windows were summed, or an
 * fb_accumulate ran out of memory: grad is then all NaN. */
int fb_gradient(fb_context *f, float *grad);
/* fb_accumulate then fb_gradient: overwrites grad with d(mean loss)/d(master) over these B
 * windows. NaN, and grad untouched, for a blob as fb_forward refuses. */
double fb_step(fb_context *f, const uint8_t *blob, const model_params *master, const uint8_t *tokens,
               float *grad);

/* Router weights of the last fb_forward/fb_step: [B][T][L][3] (pathway mix per position). */
const float *fb_router(const fb_context *f);

/* Where the time went since fb_create, in seconds summed over threads: the forward (the
 * common/ kernels and the loss), the backward, and the exact sum of the per-sequence
 * gradients (exact_add and fb_gradient). For benchmark output. */
typedef struct {
    double forward, backward, reduce;
} fb_times;
fb_times fb_get_times(const fb_context *f);

#endif

/* shard.h — an update's windows and an evaluation's windows split over MPI ranks (dist.h), with
 * the numbers one process computing them all would get: the data-parallel trainer.
 *
 * Shapes: N ranks, A micro-batches of B windows per update (A·B windows, the global batch), T
 * predicted bytes per window, nw evaluation windows, P parameters.
 *
 * Every rank draws the update's A·B window starts from the run's one seeded stream, in order,
 * and computes only its contiguous share (dist_share_of: floor or ceil of A·B/N windows), in
 * micro-batches of up to B. Why the bytes do not depend on N:
 *  - the gradient: each window's gradient (of the mean over B·T bytes, as in one process) is
 *    added as an exact integer (exact_sum.h) and the ranks' integer sums are added exactly
 *    (dist_sum_exact), so it is a function of the set of windows, rounded once;
 *  - the training loss: the per-window losses are gathered in window order and summed as one
 *    process sums them (a double per micro-batch of B, those added in order);
 *  - the evaluation: the windows are split the same way, their per-byte float losses gathered
 *    and summed in order, as data_evaluate_with does;
 * and every rank then runs the same clip and AdamW on the same numbers.
 * The atome model only: the vanilla baseline's float gradient (OpenBLAS) has no exact sum.
 */
#ifndef TRAIN_SHARD_H
#define TRAIN_SHARD_H
#include <stdint.h>
#include "arch.h"
#include "data.h"

typedef struct {
    double *window_loss; /* [A·B] */
    float *eval_loss;    /* [nw][T] */
} shard;

/* Buffers for the run of m on d; makes m's gradient sum cross ranks. Returns 0, or -1 if out of memory. */
int shard_open(shard *sh, arch_model *m, const dataset *d);
void shard_close(shard *sh);

/* This rank's share of one update's forward and backward (m prepared), the windows drawn from
 * rng, which ends where one process's would; then arch_gradient gives every rank the whole
 * gradient. Returns the summed cross-entropy in nats over all A·B windows. */
double shard_accumulate(shard *sh, arch_model *m, const dataset *d, atome_rng *rng, uint8_t *tokens);

/* arch_evaluate over the ranks: every rank gets the summed cross-entropy over every evaluation
 * window (and *predicted), the same double on every rank and for every N. */
double shard_evaluate(shard *sh, arch_model *m, const dataset *d, uint8_t *tokens, float *loss_pos, long *predicted);

/* Refuses the job (dist_check_same) unless every rank read the same data (sizes and CRC-32s of
 * both splits) and, when resumed, the same checkpoint state (its arrays, step and sampler). */
void shard_check_same(const dataset *d, const train_state *s, int resumed);

#endif

/* data.h — the byte corpus: loading, the train/valid split, window sampling, evaluation.
 *
 * Shapes: B windows per batch, T predicted bytes per window; a window holds T+1 bytes
 * (inputs bytes 0..T-1, targets bytes 1..T), stored [B][T+1].
 *
 * Training windows start anywhere in the train bytes, drawn by the seeded RNG. Evaluation
 * walks the valid bytes from the start in windows of T+1 bytes that share their boundary byte
 * (window i is bytes iT..iT+T), each from a fresh state: every byte but the first is predicted
 * exactly once (a tail too short for a window is left out), as atome-infer --eval does:
 *   bits per byte = summed cross-entropy in nats / predicted bytes / ln 2,  ppl = 2^bpb.
 */
#ifndef TRAIN_DATA_H
#define TRAIN_DATA_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "../common/atome_rng.h"
#include "fb.h"

typedef struct {
    uint8_t *train_buf, *valid_buf; /* owned; valid_buf NULL when valid is a slice of train_buf */
    const uint8_t *train, *valid;
    size_t n_train, n_valid;
    uint32_t train_crc, valid_crc; /* CRC-32 of each split, so that --resume can tell the data changed */
} dataset;

/* Reads a whole file. Returns 0, or -1 with one line in err naming the file and the problem
 * (missing, unreadable, a directory, empty). */
int data_read_file(const char *path, uint8_t **bytes, size_t *n, char *err, size_t errlen);

/* Loads train_path and valid_path (NULL: the last 10% of train_path is held out) for
 * windows of T+1 bytes. Returns 0, or -1 with one line in err (also: too short for a window). */
int data_open(dataset *d, const char *train_path, const char *valid_path, int T, char *err, size_t errlen);
void data_close(dataset *d);

/* Fills tokens[B][T+1] with B windows whose starts are drawn uniformly from the train bytes. */
void data_sample(const dataset *d, atome_rng *rng, int B, int T, uint8_t *tokens);

/* One window of data_sample's draw into window[T+1] (NULL: the draw only, to keep the stream). */
void data_draw(const dataset *d, atome_rng *rng, int T, uint8_t *window);

/* Evaluation windows in n bytes: (n − 1) / T. */
long data_eval_windows(size_t n, int T);

/* Summed cross-entropy (nats) of the blob over every evaluation window of the valid bytes,
 * B at a time through f (made for B windows of T). *predicted gets the number of predicted
 * bytes. tokens holds B·(T+1) bytes, loss_pos B·T floats (scratch). If *stop becomes non-zero
 * between batches, gives up and returns -1. */
double data_evaluate(fb_context *f, const uint8_t *blob, const dataset *d, int B, int T, uint8_t *tokens,
                     float *loss_pos, long *predicted, volatile sig_atomic_t *stop);

/* The same walk with any forward: forward(ctx, tokens, loss_pos) runs B windows of T + 1 bytes
 * and writes the losses of their B·T predicted bytes. The vanilla baseline evaluates with it. */
typedef void data_forward_fn(void *ctx, const uint8_t *tokens, float *loss_pos);
double data_evaluate_with(data_forward_fn *forward, void *ctx, const dataset *d, int B, int T, uint8_t *tokens,
                          float *loss_pos, long *predicted, volatile sig_atomic_t *stop);

/* The per-byte losses of evaluation windows first..first+count-1 only, B at a time through
 * forward, into out[count][T]: a process's share of the walk (shard.h); their sum in order over
 * every window is data_evaluate_with's. */
void data_evaluate_range(data_forward_fn *forward, void *ctx, const dataset *d, int B, int T, long first, long count,
                         uint8_t *tokens, float *loss_pos, float *out);

#endif

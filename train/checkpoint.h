/* checkpoint.h — the whole training state, and its file.
 *
 * Shapes: P parameters, Bb bytes of a model snapshot. For the routed-ternary model (arch atome)
 * P = atome_param_count and the snapshot is its blob (model_blob_bytes); for the vanilla GPT
 * baseline (arch vanilla, vanilla.h) P = vanilla_param_count and the snapshot is the FP32
 * weights, Bb = 4P.
 *
 * A checkpoint holds everything a run needs to continue as if never stopped: the settings
 * that decide its numbers, the master weights and both Adam moments, the step, the sampler's
 * RNG and window count, the last evaluation, the best validation result and that best model.
 * It holds nothing that depends on the machine, the time or the thread count, so the same
 * run writes the same bytes. File layout (little-endian):
 *
 *     0  magic "ATCK"   4  version (CKPT_VERSION, 5)   8  CRC-32 of bytes 12..end   12  header bytes H
 *    16  u64 file bytes (H + 12P + Bb)   24  the fields of header_fields() in checkpoint.c, up to H
 *     H  master f32[P], Adam m f32[P], Adam v f32[P], best model u8[Bb]
 * A reader checks magic, version, length and CRC before it believes any field, then holds every
 * setting to the command line's own ranges (option_ranges, settings.h) and the counters to the run
 * (0 <= last_eval, best_step <= step <= steps): a CRC proves the bytes are as written, not that
 * the writer was sane. Version 2 added
 * the architecture (the first field) and the vanilla config and initialisation (after the atome
 * config); version 3 appended float_act, version 4 init_scale, version 5 the task and a
 * classifier's fields (the last header fields). Versions 2 to 4 still load, as language-model
 * runs with int8 activations (float_act 0) and init_scale 1, so that runs cached before them can
 * resume; version 1 files are refused by version.
 *
 * Files are replaced atomically: written to a temporary name in the same directory, flushed
 * with fsync, renamed over the old one, then the directory is fsynced. A crash at any moment
 * leaves either the old file or the new one, whole.
 */
#ifndef TRAIN_CHECKPOINT_H
#define TRAIN_CHECKPOINT_H
#include <stddef.h>
#include <stdint.h>
#include "../common/atome_config.h"
#include "settings.h"

#define CKPT_MAGIC 0x4B435441u /* "ATCK" read little-endian */
#define CKPT_VERSION 5
#define CKPT_VERSION_MIN 2 /* the oldest version checkpoint_load reads */


typedef struct {
    train_settings set;
    int64_t step;       /* optimizer updates done */
    int64_t last_eval;  /* step of the last finished evaluation (0: none) */
    int64_t best_step;  /* step of the best validation result (0: none yet) */
    double best_bpb;    /* its bits per byte (classify: its mean cross-entropy, nats per example) */
    double last_bpb;    /* the last evaluation's */
    double best_acc;    /* classify: the best validation accuracy (0..1), which picks the model */
    double last_acc;    /* classify: the last evaluation's */
    double last_loss;   /* mean training loss (nats per byte) of the last update */
    uint64_t rng;       /* the window sampler's state */
    uint64_t windows;   /* training windows drawn so far */
    long n_params;      /* P */
    size_t blob_bytes;  /* Bb */
    float *params, *m, *v; /* [P] each */
    uint8_t *best_blob;    /* [Bb], the model of best_step (zeros before the first evaluation) */
} train_state;

/* Allocates the arrays of s for s->set.arch and its config (zeroed). Returns 0, or -1 if out of memory. */
int state_alloc(train_state *s);
void state_free(train_state *s);

/* Writes s to path atomically. Returns 0, or -1 with one line in err. */
int checkpoint_save(const char *path, const train_state *s, char *err, size_t errlen);

/* Reads path into s (allocating its arrays). Returns 0, or -1 with one line in err naming the
 * file and the problem: missing, not a checkpoint, another version, truncated, corrupt,
 * dimensions this build cannot hold, or a field out of range ("field lr = nan ..."). s is left
 * empty on error. */
int checkpoint_load(const char *path, train_state *s, char *err, size_t errlen);

/* Writes n buffers to path atomically (temporary file "path.tmp" beside it, fsync, rename,
 * fsync of the directory). Returns 0, or -1 with one line in err; on error nothing is left. */
int write_atomic(const char *path, const void *const *bufs, const size_t *lens, int n, char *err, size_t errlen);

#endif

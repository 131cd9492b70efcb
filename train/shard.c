/* shard.c — an update's and an evaluation's windows split over MPI ranks (API and the argument
 * why the bytes are those of one process: shard.h).
 *
 * Shapes: A micro-batches of B windows of T predicted bytes, nw evaluation windows.
 */
#include "shard.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_blob.h"
#include "dist.h"

int shard_open(shard *sh, arch_model *m, const dataset *d) {
    const train_settings *s = m->set;
    long windows = (long)(s->accum * s->batch), nw = data_eval_windows(d->n_valid, (int)s->seq);
    sh->window_loss = malloc((size_t)windows * sizeof *sh->window_loss);
    sh->eval_loss = malloc((size_t)nw * (size_t)s->seq * sizeof *sh->eval_loss);
    if (!sh->window_loss || !sh->eval_loss) {
        shard_close(sh);
        return -1;
    }
    fb_set_reducer(m->fb, dist_sum_exact);
    return 0;
}

void shard_close(shard *sh) {
    free(sh->window_loss);
    free(sh->eval_loss);
    memset(sh, 0, sizeof *sh);
}

double shard_accumulate(shard *sh, arch_model *m, const dataset *d, atome_rng *rng, uint8_t *tokens) {
    const train_settings *s = m->set;
    int B = (int)s->batch, T = (int)s->seq;
    long total = (long)(s->accum * B), first, count;
    dist_share_of(total, dist_rank(), &first, &count);
    int fill = 0;
    long done = 0;
    for (long g = 0; g < total; g++) {
        int mine = g >= first && g < first + count;
        /* Every window is drawn, so that the stream stays the one of a single process. */
        data_draw(d, rng, T, mine ? tokens + (size_t)fill * (T + 1) : NULL);
        if (!mine || (++fill < B && g < first + count - 1)) continue;
        double *wl = sh->window_loss + first + done;
        if (isnan(fb_accumulate_n(m->fb, m->blob, &m->master, tokens, fill)))
            for (int i = 0; i < fill; i++) wl[i] = NAN; /* out of memory: the diverged path stops the run */
        else memcpy(wl, fb_window_losses(m->fb), (size_t)fill * sizeof *wl);
        done += fill, fill = 0;
    }
    dist_gather(sh->window_loss, total, sizeof(double));
    double nats = 0.0;
    for (long a = 0; a < total; a += B) {
        double batch = 0.0; /* fb_accumulate's sum of one micro-batch, then the update's */
        for (int b = 0; b < B; b++) batch += sh->window_loss[a + b];
        nats += batch;
    }
    return nats;
}

double shard_evaluate(shard *sh, arch_model *m, const dataset *d, uint8_t *tokens, float *loss_pos, long *predicted) {
    int T = (int)m->set->seq;
    long nw = data_eval_windows(d->n_valid, T), first, count;
    dist_share_of(nw, dist_rank(), &first, &count);
    arch_evaluate_range(m, d, first, count, tokens, loss_pos, sh->eval_loss + first * T);
    dist_gather(sh->eval_loss, nw, T * (int)sizeof(float));
    double total = 0.0;
    for (long i = 0; i < nw * T; i++) total += sh->eval_loss[i];
    *predicted = nw * T;
    return total;
}

void shard_check_same(const dataset *d, const train_state *s, int resumed) {
    uint64_t data = ((uint64_t)d->train_crc << 32 | d->valid_crc) ^ ((uint64_t)d->n_train * 0x9e3779b97f4a7c15ull) ^
                    ((uint64_t)d->n_valid * 0xc2b2ae3d27d4eb4full);
    uint64_t state = 0;
    if (resumed) {
        size_t pb = (size_t)s->n_params * sizeof(float);
        uint32_t c = atome_crc32(0, (const uint8_t *)s->params, pb);
        c = atome_crc32(c, (const uint8_t *)s->m, pb);
        c = atome_crc32(c, (const uint8_t *)s->v, pb);
        c = atome_crc32(c, s->best_blob, s->blob_bytes);
        state = ((uint64_t)c << 32 | (uint32_t)s->step) ^ s->rng ^ (s->windows * 0x9e3779b97f4a7c15ull);
    }
    dist_check_same(data, state);
}

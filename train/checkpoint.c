/* checkpoint.c — the training state's file format and atomic writes (layout in checkpoint.h). */
#include "checkpoint.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../common/atome_blob.h"
#include "../common/atome_le.h"
#include "../common/host_file.h"
#include "model.h"
#include "settings.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checkpoint.c writes arrays as they lie in memory: little-endian hosts only"
#endif

/* P and the snapshot bytes of the model s->set describes (0 and 0 if it is not one). */
static void model_sizes(train_state *s) {
    const train_settings *t = &s->set;
    s->n_params = 0, s->blob_bytes = 0;
    if (t->float_act != 0 && !(t->float_act == 1 && t->arch == ARCH_ATOME)) return; /* float acts: atome only */
    if (t->arch == ARCH_ATOME && atome_config_fits(&t->cfg)) {
        s->n_params = atome_param_count(&t->cfg);
        s->blob_bytes = model_blob_bytes(&t->cfg);
    } else if (t->arch == ARCH_VANILLA && !vanilla_config_check(&t->vcfg) &&
               (t->vinit == VINIT_GPT2 || t->vinit == VINIT_TORCH)) {
        s->n_params = vanilla_param_count(&t->vcfg);
        s->blob_bytes = (size_t)s->n_params * sizeof(float);
    }
}

int state_alloc(train_state *s) {
    model_sizes(s);
    if (s->n_params == 0) return -1;
    size_t P = (size_t)s->n_params;
    s->params = calloc(P, sizeof(float));
    s->m = calloc(P, sizeof(float));
    s->v = calloc(P, sizeof(float));
    s->best_blob = calloc(s->blob_bytes, 1);
    if (s->params && s->m && s->v && s->best_blob) return 0;
    state_free(s);
    return -1;
}

void state_free(train_state *s) {
    free(s->params);
    free(s->m);
    free(s->v);
    free(s->best_blob);
    s->params = s->m = s->v = NULL;
    s->best_blob = NULL;
}

/* ---- header fields: one list, walked by both the writer and the reader ---- */

typedef struct {
    uint8_t *p;
    size_t off, cap;
    int writing, short_read;
} cursor;

/* 1 if n more bytes fit; else marks a short read. */
static int room(cursor *c, size_t n) {
    if (c->off + n <= c->cap) return 1;
    c->short_read = 1;
    return 0;
}

static void u32f(cursor *c, uint32_t *x) {
    if (!room(c, 4)) return;
    if (c->writing) atome_le_put_u32(c->p + c->off, *x);
    else *x = atome_le_get_u32(c->p + c->off);
    c->off += 4;
}

static void u64f(cursor *c, uint64_t *x) {
    if (!room(c, 8)) return;
    if (c->writing) atome_le_put_u64(c->p + c->off, *x);
    else *x = atome_le_get_u64(c->p + c->off);
    c->off += 8;
}

static void f64f(cursor *c, double *x) {
    if (!room(c, 8)) return;
    if (c->writing) atome_le_put_f64(c->p + c->off, *x);
    else *x = atome_le_get_f64(c->p + c->off);
    c->off += 8;
}

/* Signed fields travel as their two's-complement bits. */
static void i32f(cursor *c, int32_t *x) {
    uint32_t u = (uint32_t)*x;
    u32f(c, &u);
    if (!c->writing) *x = u <= INT32_MAX ? (int32_t)u : (int32_t)(u - 0x80000000u) - INT32_MAX - 1;
}

static void i64f(cursor *c, int64_t *x) {
    uint64_t u = (uint64_t)*x;
    u64f(c, &u);
    if (!c->writing) *x = u <= INT64_MAX ? (int64_t)u : (int64_t)(u - 0x8000000000000000u) - INT64_MAX - 1;
}

static void intf(cursor *c, int *x) {
    int32_t v = (int32_t)*x;
    i32f(c, &v);
    if (!c->writing) *x = v;
}

static void header_fields(cursor *c, train_state *s, uint32_t version) {
    train_settings *t = &s->set;
    i32f(c, &t->arch);
    intf(c, &t->cfg.vocab);
    intf(c, &t->cfg.d_model);
    intf(c, &t->cfg.n_layers);
    intf(c, &t->cfg.d_head);
    intf(c, &t->cfg.window);
    intf(c, &t->cfg.flags);
    intf(c, &t->vcfg.d_model);
    intf(c, &t->vcfg.n_layers);
    intf(c, &t->vcfg.n_heads);
    intf(c, &t->vcfg.d_ff);
    intf(c, &t->vcfg.context);
    i32f(c, &t->vinit);
    i64f(c, &t->steps);
    i64f(c, &t->batch);
    i64f(c, &t->seq);
    i64f(c, &t->accum);
    i64f(c, &t->warmup);
    i64f(c, &t->eval_every);
    i32f(c, &t->schedule);
    f64f(c, &t->lr);
    f64f(c, &t->final_lr_frac);
    f64f(c, &t->weight_decay);
    f64f(c, &t->clip);
    f64f(c, &t->beta1);
    f64f(c, &t->beta2);
    f64f(c, &t->eps);
    u64f(c, &t->seed);
    u64f(c, &t->train_bytes);
    u64f(c, &t->valid_bytes);
    u32f(c, &t->train_crc);
    u32f(c, &t->valid_crc);
    i64f(c, &s->step);
    i64f(c, &s->last_eval);
    i64f(c, &s->best_step);
    f64f(c, &s->best_bpb);
    f64f(c, &s->last_bpb);
    f64f(c, &s->last_loss);
    u64f(c, &s->rng);
    u64f(c, &s->windows);
    if (version >= 3) i32f(c, &t->float_act);
    if (version >= 4) f64f(c, &t->init_scale);
    else t->init_scale = 1.0;
    if (version >= 5) { /* older files are language-model runs: every field below stays 0 */
        i32f(c, &t->task);
        intf(c, &t->cfg.n_classes);
        intf(c, &t->cfg.n_features);
        intf(c, &t->cfg.label_bytes);
        u64f(c, &t->split_seed);
        u64f(c, &t->test_bytes);
        u32f(c, &t->test_crc);
        f64f(c, &s->best_acc);
        f64f(c, &s->last_acc);
    }
}

#define PREFIX 24 /* magic, version, CRC, header bytes, total bytes */
#define HEAD_MAX 512

/* Bytes after the header: three float arrays of P and the best blob. */
static uint64_t body_bytes(const train_state *s) {
    return 3 * (uint64_t)s->n_params * sizeof(float) + s->blob_bytes;
}

int checkpoint_save(const char *path, const train_state *s, char *err, size_t errlen) {
    uint8_t head[HEAD_MAX] = {0};
    cursor c = {head, PREFIX, HEAD_MAX, 1, 0};
    header_fields(&c, (train_state *)s, CKPT_VERSION); /* writing: the fields are only read */
    size_t P = (size_t)s->n_params * sizeof(float);
    uint64_t total = c.off + body_bytes(s);
    atome_le_put_u32(head, CKPT_MAGIC);
    atome_le_put_u32(head + 4, CKPT_VERSION);
    atome_le_put_u32(head + 12, (uint32_t)c.off);
    atome_le_put_u64(head + 16, total);
    uint32_t crc = atome_crc32(0, head + 12, c.off - 12);
    crc = atome_crc32(crc, (const uint8_t *)s->params, P);
    crc = atome_crc32(crc, (const uint8_t *)s->m, P);
    crc = atome_crc32(crc, (const uint8_t *)s->v, P);
    crc = atome_crc32(crc, s->best_blob, s->blob_bytes);
    atome_le_put_u32(head + 8, crc);
    const void *bufs[5] = {head, s->params, s->m, s->v, s->best_blob};
    const size_t lens[5] = {c.off, P, P, P, s->blob_bytes};
    return write_atomic(path, bufs, lens, 5, err, errlen);
}

/* Checks in the order: magic, version, length, CRC, then that the fields describe this length;
 * only a file that passed the CRC is parsed. Returns NULL or the problem. */
static const char *parse(const uint8_t *f, size_t n, train_state *s, char *buf, size_t buflen) {
    if (n == 0) return "empty file, not a checkpoint";
    if (n < 4 || atome_le_get_u32(f) != CKPT_MAGIC) return "not an atome-train checkpoint (bad magic)";
    if (n < 8) return "truncated";
    uint32_t version = atome_le_get_u32(f + 4);
    if (version < CKPT_VERSION_MIN || version > CKPT_VERSION) {
        snprintf(buf, buflen, "checkpoint format version %u, this build reads versions %d to %d", version,
                 CKPT_VERSION_MIN, CKPT_VERSION);
        return buf;
    }
    if (n < PREFIX) return "truncated";
    uint64_t total = atome_le_get_u64(f + 16);
    if (n < total) {
        snprintf(buf, buflen, "truncated (%zu bytes of %llu)", n, (unsigned long long)total);
        return buf;
    }
    if (n > total) return "corrupt (trailing bytes, or a damaged length)";
    if (atome_crc32(0, f + 12, n - 12) != atome_le_get_u32(f + 8)) return "corrupt (CRC mismatch)";
    size_t hlen = atome_le_get_u32(f + 12);
    if (hlen < PREFIX || hlen > HEAD_MAX || hlen > n) return "corrupt (bad header length)";
    cursor c = {(uint8_t *)f, PREFIX, hlen, 0, 0};
    header_fields(&c, s, version);
    if (c.short_read || c.off != hlen) return "corrupt (header length does not match its fields)";
    model_sizes(s);
    if (s->n_params == 0) return "model dimensions invalid or larger than this build allows";
    if (hlen + body_bytes(s) != n) return "corrupt (its length does not match its model)";
    /* The CRC says the bytes are as written, not that a writer was sane: every setting and
     * counter is held to what the command line would accept before the run may use it. */
    const char *bad = settings_check(&s->set, buf, buflen);
    if (bad) return bad;
    if (s->set.arch == ARCH_VANILLA && s->set.seq > s->set.vcfg.context) {
        snprintf(buf, buflen, "field seq = %lld is out of range (at most the vanilla context, %d)",
                 (long long)s->set.seq, s->set.vcfg.context);
        return buf;
    }
    const struct {
        const char *name;
        int64_t v, hi;
    } counters[] = {{"step", s->step, s->set.steps}, {"last_eval", s->last_eval, s->step},
                    {"best_step", s->best_step, s->step}};
    for (int i = 0; i < 3; i++)
        if (counters[i].v < 0 || counters[i].v > counters[i].hi) {
            snprintf(buf, buflen, "field %s = %lld is out of range (0 to %lld)", counters[i].name,
                     (long long)counters[i].v, (long long)counters[i].hi);
            return buf;
        }
    const struct {
        const char *name;
        double v;
    } figures[] = {{"best_bpb", s->best_bpb}, {"last_bpb", s->last_bpb}, {"last_loss", s->last_loss},
                   {"best_acc", s->best_acc}, {"last_acc", s->last_acc}};
    for (int i = 0; i < 5; i++)
        if (!(figures[i].v >= 0 && isfinite(figures[i].v)) || (i >= 3 && figures[i].v > 1)) {
            snprintf(buf, buflen, "field %s = %g is out of range (%s)", figures[i].name, figures[i].v,
                     i >= 3 ? "a number from 0 to 1" : "a finite number >= 0");
            return buf;
        }
    if (state_alloc(s)) return "out of memory";
    size_t P = (size_t)s->n_params * sizeof(float);
    const uint8_t *p = f + hlen;
    memcpy(s->params, p, P);
    memcpy(s->m, p + P, P);
    memcpy(s->v, p + 2 * P, P);
    memcpy(s->best_blob, p + 3 * P, s->blob_bytes);
    return NULL;
}

int checkpoint_load(const char *path, train_state *s, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    uint8_t *f;
    size_t n;
    if (host_read_file(path, SIZE_MAX, &f, &n, err, errlen)) return -1;
    char buf[160];
    const char *why = parse(f, n, s, buf, sizeof buf);
    free(f);
    if (!why) return 0;
    snprintf(err, errlen, "%s: %s", path, why);
    state_free(s);
    memset(s, 0, sizeof *s);
    return -1;
}

/* ---- atomic replacement ---- */

static int fsync_dir_of(const char *path) {
    char *copy = strdup(path);
    if (!copy) return -1;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    free(copy);
    if (fd < 0) return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

int write_atomic(const char *path, const void *const *bufs, const size_t *lens, int n, char *err, size_t errlen) {
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 5);
    if (!tmp) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    const char *step = NULL;
    for (int i = 0; i < n && !step; i++) {
        const uint8_t *p = bufs[i];
        size_t left = lens[i];
        while (left > 0) {
            ssize_t w = write(fd, p, left);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                step = "write";
                break;
            }
            p += w, left -= (size_t)w;
        }
    }
    if (!step && fsync(fd) != 0) step = "fsync";
    int saved = errno;
    if (close(fd) != 0 && !step) step = "close", saved = errno;
    if (!step && rename(tmp, path) != 0) step = "rename", saved = errno;
    if (step) {
        snprintf(err, errlen, "cannot write %s (%s: %s)", path, step, strerror(saved ? saved : EIO));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    /* The rename is durable only once the directory entry is on disk. */
    if (fsync_dir_of(path) != 0) {
        snprintf(err, errlen, "cannot sync the directory of %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* vanilla_file.c — the vanilla model's file: a 64-byte header and the FP32 weights (format in
 * vanilla.h). Shapes: P parameters (vanilla_param_count).
 *
 * Checked before anything is believed, in the order: size, magic, version, CRC, dimensions,
 * then that the parameter count and the length agree with the dimensions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_blob.h"
#include "checkpoint.h"
#include "vanilla.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the model file stores floats as they lie in memory: a little-endian host is assumed"
#endif

static void put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int vanilla_save(const char *path, const vanilla_config *c, const float *params, char *err, size_t errlen) {
    const char *bad = vanilla_config_check(c);
    if (bad) {
        snprintf(err, errlen, "%s: %s", path, bad);
        return -1;
    }
    long P = vanilla_param_count(c);
    uint8_t h[VANILLA_HEADER_BYTES] = {0};
    put32(h, VANILLA_MAGIC), put32(h + 4, VANILLA_VERSION), put32(h + 8, VANILLA_VOCAB);
    put32(h + 12, (uint32_t)c->d_model), put32(h + 16, (uint32_t)c->n_layers);
    put32(h + 20, (uint32_t)c->n_heads), put32(h + 24, (uint32_t)c->d_ff);
    put32(h + 28, (uint32_t)c->context), put32(h + 32, (uint32_t)P);
    uint32_t crc = atome_crc32(0, h, 60);
    crc = atome_crc32(crc, (const uint8_t *)params, (size_t)P * sizeof(float));
    put32(h + 60, crc);
    const void *bufs[2] = {h, params};
    size_t lens[2] = {sizeof h, (size_t)P * sizeof(float)};
    return write_atomic(path, bufs, lens, 2, err, errlen);
}

/* Returns NULL, or the problem with the n bytes of f. */
static const char *parse(const uint8_t *f, size_t n, vanilla_config *c, char *msg, size_t msglen) {
    if (n == 0) return "empty file, not a vanilla model";
    if (n < 4 || get32(f) != VANILLA_MAGIC) return "not a vanilla model file (bad magic)";
    if (n < VANILLA_HEADER_BYTES) return "truncated (shorter than its header)";
    if (get32(f + 4) != VANILLA_VERSION) {
        snprintf(msg, msglen, "vanilla model format version %u, this build reads version %d", get32(f + 4),
                 VANILLA_VERSION);
        return msg;
    }
    /* A length that does not fit the header's count is truncation or trailing bytes, named as
     * such; anything else is left to the CRC. */
    uint64_t P = get32(f + 32), want = VANILLA_HEADER_BYTES + 4 * P;
    if (n < want) return "truncated (shorter than its parameter count says)";
    if (n > want) return "trailing bytes after the weights (longer than its parameter count says)";
    uint32_t crc = atome_crc32(atome_crc32(0, f, 60), f + VANILLA_HEADER_BYTES, n - VANILLA_HEADER_BYTES);
    if (crc != get32(f + 60)) return "corrupt (CRC mismatch)";
    c->d_model = (int)get32(f + 12), c->n_layers = (int)get32(f + 16), c->n_heads = (int)get32(f + 20);
    c->d_ff = (int)get32(f + 24), c->context = (int)get32(f + 28);
    if (get32(f + 8) != VANILLA_VOCAB || get32(f + 12) > 4096 || get32(f + 16) > 4096 || get32(f + 20) > 4096 ||
        get32(f + 24) > 16384 || get32(f + 28) > 4096 || vanilla_config_check(c))
        return "bad dimensions (vocab not 256, or a config this build cannot run)";
    if ((uint64_t)vanilla_param_count(c) != P) return "corrupt (parameter count does not match its dimensions)";
    return NULL;
}

int vanilla_load(const char *path, vanilla_config *c, float **params, char *err, size_t errlen) {
    *params = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 1 << 16;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf), fclose(fp);
                snprintf(err, errlen, "%s: out of memory", path);
                return -1;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0) break;
    }
    int rerr = ferror(fp);
    fclose(fp);
    if (rerr) {
        free(buf);
        snprintf(err, errlen, "cannot read %s (is it a directory?)", path);
        return -1;
    }
    vanilla_config cc;
    char msg[96];
    const char *bad = parse(buf, n, &cc, msg, sizeof msg);
    if (bad) {
        free(buf);
        snprintf(err, errlen, "%s: %s", path, bad);
        return -1;
    }
    size_t bytes = n - VANILLA_HEADER_BYTES;
    float *w = malloc(bytes);
    if (!w) {
        free(buf);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    memcpy(w, buf + VANILLA_HEADER_BYTES, bytes);
    free(buf);
    *c = cc;
    *params = w;
    return 0;
}

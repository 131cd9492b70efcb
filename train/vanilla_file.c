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
#include "../common/atome_le.h"
#include "../common/host_file.h"
#include "checkpoint.h"
#include "vanilla.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the model file stores floats as they lie in memory: a little-endian host is assumed"
#endif

int vanilla_save(const char *path, const vanilla_config *c, const float *params, char *err, size_t errlen) {
    const char *bad = vanilla_config_check(c);
    if (bad) {
        snprintf(err, errlen, "%s: %s", path, bad);
        return -1;
    }
    long P = vanilla_param_count(c);
    uint8_t h[VANILLA_HEADER_BYTES] = {0};
    const uint32_t head[9] = {VANILLA_MAGIC, VANILLA_VERSION, VANILLA_VOCAB, (uint32_t)c->d_model,
                              (uint32_t)c->n_layers, (uint32_t)c->n_heads, (uint32_t)c->d_ff,
                              (uint32_t)c->context, (uint32_t)P};
    for (int i = 0; i < 9; i++) atome_le_put_u32(h + 4 * i, head[i]);
    uint32_t crc = atome_crc32(0, h, 60);
    crc = atome_crc32(crc, (const uint8_t *)params, (size_t)P * sizeof(float));
    atome_le_put_u32(h + 60, crc);
    const void *bufs[2] = {h, params};
    size_t lens[2] = {sizeof h, (size_t)P * sizeof(float)};
    return write_atomic(path, bufs, lens, 2, err, errlen);
}

/* Returns NULL, or the problem with the n bytes of f. */
static const char *parse(const uint8_t *f, size_t n, vanilla_config *c, char *msg, size_t msglen) {
    if (n == 0) return "empty file, not a vanilla model";
    if (n < 4 || atome_le_get_u32(f) != VANILLA_MAGIC) return "not a vanilla model file (bad magic)";
    if (n < VANILLA_HEADER_BYTES) return "truncated (shorter than its header)";
    if (atome_le_get_u32(f + 4) != VANILLA_VERSION) {
        snprintf(msg, msglen, "vanilla model format version %u, this build reads version %d", atome_le_get_u32(f + 4),
                 VANILLA_VERSION);
        return msg;
    }
    /* A length that does not fit the header's count is truncation or trailing bytes, named as
     * such; anything else is left to the CRC. */
    uint64_t P = atome_le_get_u32(f + 32), want = VANILLA_HEADER_BYTES + 4 * P;
    if (n < want) return "truncated (shorter than its parameter count says)";
    if (n > want) return "trailing bytes after the weights (longer than its parameter count says)";
    uint32_t crc = atome_crc32(atome_crc32(0, f, 60), f + VANILLA_HEADER_BYTES, n - VANILLA_HEADER_BYTES);
    if (crc != atome_le_get_u32(f + 60)) return "corrupt (CRC mismatch)";
    uint32_t dim[5]; /* d_model, n_layers, n_heads, d_ff, context */
    for (int i = 0; i < 5; i++) dim[i] = atome_le_get_u32(f + 12 + 4 * i);
    c->d_model = (int)dim[0], c->n_layers = (int)dim[1], c->n_heads = (int)dim[2];
    c->d_ff = (int)dim[3], c->context = (int)dim[4];
    if (atome_le_get_u32(f + 8) != VANILLA_VOCAB || dim[0] > 4096 || dim[1] > 4096 || dim[2] > 4096 ||
        dim[3] > 16384 || dim[4] > 4096 || vanilla_config_check(c))
        return "bad dimensions (vocab not 256, or a config this build cannot run)";
    if ((uint64_t)vanilla_param_count(c) != P) return "corrupt (parameter count does not match its dimensions)";
    return NULL;
}

int vanilla_load(const char *path, vanilla_config *c, float **params, char *err, size_t errlen) {
    *params = NULL;
    uint8_t *buf;
    size_t n;
    if (host_read_file(path, SIZE_MAX, &buf, &n, NULL, 0)) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
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

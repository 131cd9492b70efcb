/* atome_blob.c — laying out, checking and binding the model blob (format in atome_blob.h). */
#include "atome_blob.h"
#include "atome_trits.h"

static void put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* Bitwise CRC-32 (IEEE, reflected 0xEDB88320): no 1 KB table in flash for a check run once. */
uint32_t atome_crc32(uint32_t crc, const uint8_t *p, size_t n) {
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* The layout walk shared by reader and writer: at offset *off, claim n bytes, 4-aligned. */
static const uint8_t *claim(const uint8_t *base, size_t *off, size_t n) {
    const uint8_t *p = base ? base + *off : 0;
    *off += (n + 3) & ~(size_t)3;
    return p;
}

static const float *floats(const uint8_t *base, size_t *off, int n) {
    return (const float *)(const void *)claim(base, off, (size_t)n * 4);
}

static void tmat(atome_tmat *m, const uint8_t *base, size_t *off, int rows, int cols) {
    m->rows = rows, m->cols = cols, m->row_bytes = ATOME_ROW_BYTES(cols);
    m->scale = floats(base, off, 1);
    m->trits = claim(base, off, (size_t)rows * (size_t)m->row_bytes);
}

size_t atome_blob_bind(const atome_config *c, const uint8_t *payload, atome_weights *w) {
    atome_weights scratch;
    if (!w) w = &scratch;
    int D = c->d_model, Dh = c->d_head;
    size_t off = 0;
    w->cfg = *c;
    tmat(&w->emb, payload, &off, c->vocab, D);
    for (int l = 0; l < c->n_layers; l++) {
        atome_layer *y = &w->layer[l];
        y->ln_g = floats(payload, &off, D);
        y->ln_b = floats(payload, &off, D);
        tmat(&y->conv, payload, &off, D, ATOME_CONV_K);
        y->ssm_a = floats(payload, &off, D);
        y->ssm_g = floats(payload, &off, D);
        tmat(&y->wq, payload, &off, Dh, D);
        tmat(&y->wk, payload, &off, Dh, D);
        tmat(&y->wv, payload, &off, D, D);
        tmat(&y->router, payload, &off, 3, D);
    }
    w->lnf_g = floats(payload, &off, D);
    w->lnf_b = floats(payload, &off, D);
    tmat(&w->unemb, payload, &off, c->vocab, D);
    return off;
}

int atome_blob_open(const uint8_t *blob, size_t len, atome_weights *w) {
    if ((uintptr_t)blob & 3u) return ATOME_ERR_ALIGN;
    if (len < ATOME_HEADER_BYTES) return ATOME_ERR_TRUNCATED;
    const uint32_t *h = (const uint32_t *)(const void *)blob; /* aligned; every target is little-endian */
    if (h[0] != ATOME_MAGIC) return ATOME_ERR_MAGIC;
    if (h[1] != ATOME_VERSION) return ATOME_ERR_VERSION;
    /* A field above INT_MAX turns negative here, which atome_config_fits rejects. */
    atome_config c = {(int)h[2], (int)h[3], (int)h[4], (int)h[5], (int)h[6], (int)h[10]};
    if (!atome_config_fits(&c)) return ATOME_ERR_DIMS; /* before bind, which walks c.n_layers */
    size_t payload = atome_blob_bind(&c, 0, 0);
    if (h[7] != ATOME_CONV_K || h[8] != ATOME_TOPK || h[9] != ATOME_PACK_BASE3 || h[11] != payload)
        return ATOME_ERR_DIMS;
    if (len < ATOME_HEADER_BYTES + payload) return ATOME_ERR_TRUNCATED;
    if (len > ATOME_HEADER_BYTES + payload) return ATOME_ERR_TRAILING;
    if (atome_crc32(atome_crc32(0, blob, 60), blob + ATOME_HEADER_BYTES, payload) != h[15]) return ATOME_ERR_CRC;
    atome_blob_bind(&c, blob + ATOME_HEADER_BYTES, w);
    return ATOME_OK;
}

void atome_blob_seal(uint8_t *blob, const atome_config *c) {
    size_t payload = atome_blob_bind(c, 0, 0);
    const uint32_t head[12] = {ATOME_MAGIC, ATOME_VERSION, (uint32_t)c->vocab, (uint32_t)c->d_model,
                               (uint32_t)c->n_layers, (uint32_t)c->d_head, (uint32_t)c->window,
                               ATOME_CONV_K, ATOME_TOPK, ATOME_PACK_BASE3, (uint32_t)c->flags, (uint32_t)payload};
    for (int i = 0; i < 15; i++) put_u32(blob + 4 * i, i < 12 ? head[i] : 0);
    uint32_t crc = atome_crc32(0, blob, 60);
    put_u32(blob + 60, atome_crc32(crc, blob + ATOME_HEADER_BYTES, payload));
}

const char *atome_strerror(int err) {
    switch (err) {
    case ATOME_OK: return "ok";
    case ATOME_ERR_TRUNCATED: return "model blob is truncated";
    case ATOME_ERR_MAGIC: return "not an atome model (bad magic)";
    case ATOME_ERR_VERSION: return "unknown model format version";
    case ATOME_ERR_DIMS: return "model dimensions invalid or larger than this build allows";
    case ATOME_ERR_CRC: return "model blob is corrupt (CRC mismatch)";
    case ATOME_ERR_TRAILING: return "model blob has trailing bytes";
    case ATOME_ERR_ALIGN: return "model blob is not 4-byte aligned";
    default: return "unknown error";
    }
}

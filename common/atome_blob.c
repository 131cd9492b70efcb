/* atome_blob.c — laying out, checking and binding the model blob (format in atome_blob.h). */
#include "atome_blob.h"
#include <stddef.h>
#include "atome_le.h"
#include "atome_trits.h"

static void put_u32(uint8_t *p, uint32_t v) { atome_le_put_u32(p, v); }

/* Bitwise CRC-32 (IEEE, reflected 0xEDB88320): no 1 KB table in flash for a check run once. */
uint32_t atome_crc32(uint32_t crc, const uint8_t *p, size_t n) {
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* The payload tensor by tensor, in blob order: the embedding, the nine tensors of a layer (walked
 * n_layers times, layer l's fields l·sizeof(atome_layer) further on), the final norm and the
 * unembedding. A float vector [cols] has rows 0, a packed matrix [rows, cols]; each dimension an
 * index into dim[] below. */
enum { DIM_0, DIM_V, DIM_D, DIM_DH, DIM_3, DIM_K };
/* The fields are pointers and ints: a pointer's size divides every offset (4 on 32-bit cores, 2 on
 * an 8-bit AVR). */
#define FIELD_UNIT sizeof(const float *)
static const struct {
    uint8_t dims;  /* rows << 4 | cols */
    uint8_t field; /* offset in atome_weights / FIELD_UNIT: FIELD checks at compile time that it fits */
} parts[] = {
/* offsetof(atome_weights, f) / FIELD_UNIT, or a compile error (an array of size -1) if f is not
 * aligned so or lies past 255 units, so that a larger atome_weights cannot truncate it silently.
 * One byte, not a size_t: the table takes 26 B of flash instead of 104 on a 32-bit core. */
#define FIELD(f) (offsetof(atome_weights, f) / FIELD_UNIT + \
                  0 * sizeof(char[offsetof(atome_weights, f) % FIELD_UNIT == 0 && offsetof(atome_weights, f) / FIELD_UNIT <= 255 ? 1 : -1]))
#define VEC(cols, f) {DIM_0 << 4 | cols, FIELD(f)}
#define MAT(rows, cols, f) {rows << 4 | cols, FIELD(f)}
    MAT(DIM_V, DIM_D, emb),
    VEC(DIM_D, layer[0].ln_g),       VEC(DIM_D, layer[0].ln_b),      MAT(DIM_D, DIM_K, layer[0].conv),
    VEC(DIM_D, layer[0].ssm_a),      VEC(DIM_D, layer[0].ssm_g),     MAT(DIM_DH, DIM_D, layer[0].wq),
    MAT(DIM_DH, DIM_D, layer[0].wk), MAT(DIM_D, DIM_D, layer[0].wv), MAT(DIM_3, DIM_D, layer[0].router),
    VEC(DIM_D, lnf_g),               VEC(DIM_D, lnf_b),              MAT(DIM_V, DIM_D, unemb),
#undef VEC
#undef MAT
#undef FIELD
};
enum { FIRST_LAYER_PART = 1, SSM_A_PART = 4, LAST_LAYER_PART = 9, N_PARTS = 13 };

/* atome_blob_bind, and with err not NULL the loader's value check on the same walk: every float of
 * the payload against what it may hold (atome_blob.h), a matrix's one scale, a vector's cols
 * floats. Compared as bits, which order non-negative floats as floats do, so that no float
 * comparison meets a NaN: a scale with its sign bit, which puts every negative scale above the
 * limit, a vector's values shifted left by one, which drops the sign (the limit shifted too).
 * The first part holding a bad float stops the walk, its error in *err (0 returned). */
static size_t walk(const atome_config *c, const uint8_t *payload, atome_weights *w, int *err) {
    const int dim[] = {0, c->vocab, c->d_model, c->d_head, 3, ATOME_CONV_K};
    size_t off = 0; /* every tensor starts 4-aligned */
    if (w) w->cfg = *c;
    for (int i = 0, l = 0; i < N_PARTS; i++) {
        int rows = dim[parts[i].dims >> 4], cols = dim[parts[i].dims & 15], rb = ATOME_ROW_BYTES(cols);
        if (err) {
            const uint32_t *v = (const uint32_t *)(const void *)(payload + off);
            int n = rows ? 1 : cols, shift = rows ? 0 : 1;
            /* 2^16 = 0x47800000; 1 - 2^-24 = 0x3f7fffff, shifted 0x7efffffe */
            uint32_t limit = rows ? 0x47800000u : i == SSM_A_PART ? 0x7efffffeu : 0x8f000000u;
            while (n--)
                if (v[n] << shift > limit) /* out of range; NaN or inf if |v| >= inf (0x7f800000) */
                    return *err = v[n] << 1 >= 0xff000000u ? ATOME_ERR_FLOAT : ATOME_ERR_RANGE, 0;
        }
        if (w) {
            char *at = (char *)w + FIELD_UNIT * parts[i].field;
            if (i >= FIRST_LAYER_PART && i <= LAST_LAYER_PART) at += (size_t)l * sizeof(atome_layer);
            const float *p = (const float *)(const void *)(payload + off);
            if (rows) {
                atome_tmat *m = (atome_tmat *)(void *)at;
                m->scale = p, m->trits = (const uint8_t *)(p + 1), m->rows = rows, m->cols = cols, m->row_bytes = rb;
            } else {
                *(const float **)(void *)at = p;
            }
        }
        /* a vector: cols floats; a matrix: its scale, then rows·rb bytes padded to 4 */
        off += rows ? 4 + (((size_t)rows * (size_t)rb + 3) & ~(size_t)3) : 4 * (size_t)cols;
        if (i == LAST_LAYER_PART && ++l < c->n_layers) i = FIRST_LAYER_PART - 1;
    }
    return off;
}

size_t atome_blob_bind(const atome_config *c, const uint8_t *payload, atome_weights *w) {
    return walk(c, payload, w, 0);
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
    if (h[12] | h[13] | h[14]) return ATOME_ERR_RESERVED;
    if (len < ATOME_HEADER_BYTES + payload) return ATOME_ERR_TRUNCATED;
    if (len > ATOME_HEADER_BYTES + payload) return ATOME_ERR_TRAILING;
    if (atome_crc32(atome_crc32(0, blob, 60), blob + ATOME_HEADER_BYTES, payload) != h[15]) return ATOME_ERR_CRC;
    int err = ATOME_OK;
    walk(&c, blob + ATOME_HEADER_BYTES, 0, &err); /* the values, before *w is written */
    if (err != ATOME_OK) return err;
    walk(&c, blob + ATOME_HEADER_BYTES, w, 0);
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
    case ATOME_ERR_RESERVED: return "model blob has a nonzero reserved header byte";
    case ATOME_ERR_FLOAT: return "model blob holds a NaN or infinite weight";
    case ATOME_ERR_RANGE: return "model blob holds a weight out of its range";
    default: return "unknown error";
    }
}

/* atome_blob.c — laying out, checking and binding the model blob (format in atome_blob.h). */
#include "atome_blob.h"
#include <stddef.h>
#include "atome_le.h"
#include "atome_trits.h"

static void put_u32(uint8_t *p, uint32_t v) { atome_le_put_u32(p, v); }

/* Bitwise CRC-32 (IEEE, reflected 0xEDB88320): no 1 KB table in flash for a check run once. */
uint32_t atome_crc32(uint32_t crc, const ATOME_ANY uint8_t *p, size_t n) {
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* The payload tensor by tensor, in blob order: the embedding, the nine tensors of a layer (walked
 * n_layers times, layer l's fields l·sizeof(atome_layer) further on), the final norm, the
 * unembedding (a classifier's head: DIM_OUT rows) and a classifier's feature constants. A float vector [cols] has rows
 * 0, a packed matrix [rows, cols]; each dimension an index into dim[] below. */
#if ATOME_CLASSIFIER
enum { DIM_0, DIM_V, DIM_D, DIM_DH, DIM_3, DIM_K, DIM_OUT, DIM_F };
#else
enum { DIM_0, DIM_V, DIM_D, DIM_DH, DIM_3, DIM_K, DIM_OUT = DIM_V }; /* the head: the unembedding */
#endif
/* A config's class count and label bytes as the loader reads them: 0 in a language-model-only
 * engine (ATOME_CLASSIFIER 0), whose loader refuses a classifier before it walks, so that the
 * compiler drops the head's dimension and the label names from the walk. */
#if ATOME_CLASSIFIER
#define N_CLASSES(c) ((c)->n_classes)
#define LABEL_BYTES(c) ((size_t)(c)->label_bytes)
#else
#define N_CLASSES(c) 0
#define LABEL_BYTES(c) (size_t)0
#endif
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
    VEC(DIM_D, lnf_g),               VEC(DIM_D, lnf_b),              MAT(DIM_OUT, DIM_D, unemb),
#if ATOME_CLASSIFIER
    VEC(DIM_F, feature_min),         VEC(DIM_F, feature_scale),
#endif
#undef VEC
#undef MAT
#undef FIELD
};
/* A language-model-only engine (ATOME_CLASSIFIER 0) walks no feature tensors: the table ends at the
 * unembedding, and FMIN_PART, FSCALE_PART never match. */
enum { FIRST_LAYER_PART = 1, SSM_A_PART = 4, LAST_LAYER_PART = 9, FMIN_PART = 13, FSCALE_PART = 14,
       N_PARTS = ATOME_CLASSIFIER ? 15 : 13 };

/* atome_blob_bind, and with err not NULL the loader's value check on the same walk (compiled out
 * with ATOME_CHECK_VALUES 0): every float of the payload against what it may hold (atome_blob.h),
 * a matrix's one scale, a vector's cols floats. Compared as bits, which order non-negative floats as floats do, so that no float
 * comparison meets a NaN: |v| as the bits shifted left by one, which drops the sign, against the
 * limit shifted too, and a scale's (or a feature scale's) sign bit on its own (bytes: one shift for
 * every part rather than a shift chosen per part, 4 B on a Cortex-M0, make mcu-sizes). The first
 * part holding a bad float stops the walk, its error in *err (0 returned). A classifier's label
 * names follow the parts: bytes, checked by check_labels. */
static size_t walk(const atome_config *c, const ATOME_ROM uint8_t *payload, atome_weights *w, int *err) {
    const int dim[] = {0, c->vocab, c->d_model, c->d_head, 3, ATOME_CONV_K,
#if ATOME_CLASSIFIER
                       c->n_classes ? c->n_classes : c->vocab, c->n_features
#endif
    };
    size_t off = 0; /* every tensor starts 4-aligned */
    if (w) w->cfg = *c;
    for (int i = 0, l = 0; i < N_PARTS; i++) {
        int rows = dim[parts[i].dims >> 4], cols = dim[parts[i].dims & 15], rb = ATOME_ROW_BYTES(cols);
        if (ATOME_CHECK_VALUES && err) {
            const ATOME_ROM uint32_t *v = (const ATOME_ROM uint32_t *)(const ATOME_ROM void *)(payload + off);
            int n = rows ? 1 : cols, signed_ok = !rows && i != FSCALE_PART;
            /* |v| shifted left by one: 2^16 = 0x47800000, shifted 0x8f000000; 1 - 2^-24 = 0x3f7fffff,
             * shifted 0x7efffffe; the largest finite float 0x7f7fffff, shifted 0xfefffffe */
            uint32_t limit = i == SSM_A_PART ? 0x7efffffeu : i == FMIN_PART || i == FSCALE_PART ? 0xfefffffeu
                                                                                              : 0x8f000000u;
            while (n--) {
                uint32_t a = v[n] << 1;
                if (a > limit || (v[n] >> 31 > (uint32_t)signed_ok)) /* out of range, or negative */
                    return *err = a >= 0xff000000u ? ATOME_ERR_FLOAT : ATOME_ERR_RANGE, 0;
            }
        }
        if (w) {
            char *at = (char *)w + FIELD_UNIT * parts[i].field;
            if (i >= FIRST_LAYER_PART && i <= LAST_LAYER_PART) at += (size_t)l * sizeof(atome_layer);
            const ATOME_ROM float *p = (const ATOME_ROM float *)(const ATOME_ROM void *)(payload + off);
            if (rows) {
                atome_tmat *m = (atome_tmat *)(void *)at;
                m->scale = p, m->trits = (const ATOME_ROM uint8_t *)(p + 1), m->rows = rows, m->cols = cols;
                m->row_bytes = rb;
            } else {
                /* a text classifier's features: none (a language model's vectors all have D) */
                *(const ATOME_ROM float **)(void *)at = cols || !ATOME_CLASSIFIER ? p : 0;
            }
        }
        /* a vector: cols floats; a matrix: its scale, then rows·rb bytes padded to 4 */
        off += rows ? 4 + (((size_t)rows * (size_t)rb + 3) & ~(size_t)3) : 4 * (size_t)cols;
        if (i == LAST_LAYER_PART && ++l < c->n_layers) i = FIRST_LAYER_PART - 1;
    }
#if ATOME_CLASSIFIER
    if (w) w->labels = c->n_classes ? (const ATOME_ROM char *)(payload + off) : 0;
#endif
    return off + ((LABEL_BYTES(c) + 3) & ~(size_t)3);
}

size_t atome_blob_bind(const atome_config *c, const ATOME_ROM uint8_t *payload, atome_weights *w) {
    return walk(c, payload, w, 0);
}

/* A classifier's names (atome_blob.h): exactly C of 1..ATOME_MAX_LABEL printable-or-UTF-8 bytes
 * (none below 0x20, no 0x7f), each ending in a NUL, in label_bytes bytes; the padding zero.
 * 1 if so. */
static int check_labels(const atome_config *c, const ATOME_ROM uint8_t *names) {
    int count = 0, len = 0, n = c->label_bytes;
    for (int i = 0; i < n; i++) {
        uint8_t b = names[i];
        if (b == 0) {
            if (len == 0) return 0;
            count++, len = 0;
        } else if (b < 0x20 || b == 0x7f || ++len > ATOME_MAX_LABEL) {
            return 0;
        }
    }
    for (int i = n; i & 3; i++)
        if (names[i]) return 0;
    return count == c->n_classes && len == 0;
}

int atome_blob_open(const ATOME_ROM uint8_t *blob, size_t len, atome_weights *w) {
    if ((uintptr_t)blob & 3u) return ATOME_ERR_ALIGN;
    if (len < ATOME_HEADER_BYTES) return ATOME_ERR_TRUNCATED;
    /* aligned; every target is little-endian */
    const ATOME_ROM uint32_t *h = (const ATOME_ROM uint32_t *)(const ATOME_ROM void *)blob;
    if (h[0] != ATOME_MAGIC) return ATOME_ERR_MAGIC;
    if (h[1] != ATOME_VERSION) return ATOME_ERR_VERSION;
    /* Bytes 52..59 of a language model's header are reserved (its class count, 48, is 0). */
#if ATOME_CLASSIFIER
    if (h[12] == 0 && (h[13] | h[14])) return ATOME_ERR_RESERVED;
    /* A field above INT_MAX turns negative here, which atome_config_fits rejects. */
    atome_config c = {(int)h[2], (int)h[3], (int)h[4], (int)h[5], (int)h[6], (int)h[10],
                      (int)h[12], (int)h[13], (int)h[14]};
#else
    if (h[12]) return ATOME_ERR_CLASSIFIER; /* this engine has no classifier's head (atome_config.h) */
    if (h[13] | h[14]) return ATOME_ERR_RESERVED;
    atome_config c = {(int)h[2], (int)h[3], (int)h[4], (int)h[5], (int)h[6], (int)h[10], 0, 0, 0};
#endif
    if (!atome_config_fits(&c)) return ATOME_ERR_DIMS; /* before bind, which walks c.n_layers */
    size_t payload = atome_blob_bind(&c, 0, 0);
    if (h[7] != ATOME_CONV_K || h[8] != ATOME_TOPK || h[9] != ATOME_PACK_BASE3 || h[11] != payload)
        return ATOME_ERR_DIMS;
    if (len < ATOME_HEADER_BYTES + payload) return ATOME_ERR_TRUNCATED;
    if (len > ATOME_HEADER_BYTES + payload) return ATOME_ERR_TRAILING;
    if (atome_crc32(atome_crc32(0, blob, 60), blob + ATOME_HEADER_BYTES, payload) != h[15]) return ATOME_ERR_CRC;
    if (ATOME_CHECK_VALUES) { /* the values, before *w is written (a baked-in blob's: atome_config.h) */
        int err = ATOME_OK;
        walk(&c, blob + ATOME_HEADER_BYTES, 0, &err);
        if (err != ATOME_OK) return err;
    }
    size_t names = payload - ((LABEL_BYTES(&c) + 3) & ~(size_t)3); /* a classifier's, after the tensors */
    if (N_CLASSES(&c) && !check_labels(&c, blob + ATOME_HEADER_BYTES + names)) return ATOME_ERR_LABELS;
    walk(&c, blob + ATOME_HEADER_BYTES, w, 0);
    return ATOME_OK;
}

void atome_blob_seal(uint8_t *blob, const atome_config *c) {
    size_t payload = atome_blob_bind(c, 0, 0);
    const uint32_t head[15] = {ATOME_MAGIC, ATOME_VERSION, (uint32_t)c->vocab, (uint32_t)c->d_model,
                               (uint32_t)c->n_layers, (uint32_t)c->d_head, (uint32_t)c->window,
                               ATOME_CONV_K, ATOME_TOPK, ATOME_PACK_BASE3, (uint32_t)c->flags, (uint32_t)payload,
                               (uint32_t)c->n_classes, (uint32_t)c->n_features, (uint32_t)c->label_bytes};
    for (int i = 0; i < 15; i++) put_u32(blob + 4 * i, head[i]);
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
    case ATOME_ERR_LABELS: return "classifier blob has malformed label names";
    case ATOME_ERR_CLASSIFIER: return "classifier blob, but this engine loads language models only (ATOME_CLASSIFIER 0)";
    default: return "unknown error";
    }
}

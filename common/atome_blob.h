/* atome_blob.h — the model blob: a 64-byte header, then the payload, read in place.
 *
 * Header, little-endian uint32 fields:
 *    0 magic "ATOM"       4 version (1)       8 vocab (256)     12 d_model
 *   16 n_layers          20 d_head           24 window          28 conv_k (5)
 *   32 top_k (4)         36 packing (1: base-3, 5 trits/byte)   40 flags (ATOME_DROP_*, 0)
 *   44 payload bytes     48 n_classes C (0: a language model)   52 n_features F
 *   56 label_bytes (0 for a language model)                       60 CRC-32 of bytes 0..59 and the payload
 *
 * Payload, in this order; every tensor starts 4-byte aligned (zero padding):
 *   tensor     := float32 scale, then R rows of ceil(C/5) packed bytes  (atome_trits.h)
 *   embedding  tensor [V, D]
 *   per block  ln_gamma f32[D], ln_beta f32[D], conv tensor [D, 5],
 *              ssm_a f32[D] (= tanh(a_raw)), ssm_g f32[D] (= b·c),
 *              wq tensor [Dh, D], wk tensor [Dh, D], wv tensor [D, D], router tensor [3, D]
  *   final      lnf_gamma f32[D], lnf_beta f32[D]
 *   unembed    tensor [V, D]             (a language model), or, for a classifier (C > 0):
 *   head       tensor [C, D], then feature_min f32[F], feature_scale f32[F] (each >= 0), then the
 *              label names: C names of 1..ATOME_MAX_LABEL bytes, none below 0x20 nor 0x7f, each
 *              followed by a NUL, label_bytes in all, then zero padding to 4 bytes.
 * The blob must start 4-byte aligned, so that the float arrays can be read where they lie.
 */
#ifndef ATOME_BLOB_H
#define ATOME_BLOB_H
#include <stddef.h>
#include <stdint.h>
#include "atome_config.h"

/* Where a blob lies. Both empty on every target but an 8-bit AVR built as GNU C (avr-gcc
 * -std=gnu99): flash is its own address space there (Harvard), read by other instructions than RAM,
 * and the nano preset's 3 KB blob does not fit the ATmega2560's 8 KB RAM beside its state
 * (mk/avr.mk). ATOME_ROM, the blob and every pointer into it, is then __flash: the low 64 KB of
 * flash, read in line (LPM). Not __memx (24-bit, flash or RAM): avr-gcc 5.4 drops a __memx float
 * load whose pointer it read from memory when the other operand of the product is a load too, as
 * in *w->scale * xs[t] (results/avr.md). ATOME_ANY, what atome_crc32 reads, is __memx: the blob, or
 * a buffer in RAM. Elsewhere the preprocessed engine is the same tokens: the same code and bits. */
#if defined(__AVR__) && defined(__FLASH) && defined(__MEMX)
#define ATOME_ROM __flash
#define ATOME_ANY __memx
#else
#define ATOME_ROM
#define ATOME_ANY
#endif

#define ATOME_MAGIC 0x4D4F5441u /* "ATOM" read little-endian */
#define ATOME_VERSION 1
#define ATOME_HEADER_BYTES 64
#define ATOME_PACK_BASE3 1

enum {
    ATOME_OK = 0,
    ATOME_ERR_TRUNCATED = 1, /* shorter than its header says */
    ATOME_ERR_MAGIC = 2,     /* not an atome blob */
    ATOME_ERR_VERSION = 3,   /* a format version this engine does not read */
    ATOME_ERR_DIMS = 4,      /* dimensions invalid, or larger than the compiled ATOME_MAX_* */
    ATOME_ERR_CRC = 5,       /* contents damaged */
    ATOME_ERR_TRAILING = 6,  /* longer than its header says */
    ATOME_ERR_ALIGN = 7,     /* the blob does not start on a 4-byte boundary */
    ATOME_ERR_RESERVED = 8,  /* a reserved header byte (52..59 of a language model) is not 0 */
    ATOME_ERR_FLOAT = 9,     /* a float of the payload is NaN or infinite */
    ATOME_ERR_RANGE = 10,    /* a finite float outside its range (below) */
    ATOME_ERR_LABELS = 11,   /* a classifier's label names are malformed */
    ATOME_ERR_CLASSIFIER = 12 /* a classifier, and the engine is built without them (ATOME_CLASSIFIER 0) */
};
/* What a payload float may hold besides being finite: a LayerNorm gain or bias, an SSM gain and a
 * ternary scale at most 2^16 in magnitude (trained models stay below 20); a ternary scale not
 * negative (-0 is refused too); an SSM decay a = tanh(a_raw) inside (-1, 1); a feature minimum
 * any finite float, a feature scale finite and not negative. With these, the
 * logits of every step are finite and the same bits on every target (PAPER.md, section 3). */

/* A packed ternary matrix inside a blob: value[r][c] = *scale · trit(r, c). */
typedef struct {
    const ATOME_ROM float *scale;
    const ATOME_ROM uint8_t *trits; /* rows · row_bytes packed bytes */
    int rows, cols, row_bytes;
} atome_tmat;

typedef struct {
    const ATOME_ROM float *ln_g, *ln_b; /* [D] */
    atome_tmat conv;                    /* [D, 5] */
    const ATOME_ROM float *ssm_a;       /* [D] decay, tanh(a_raw) */
    const ATOME_ROM float *ssm_g;       /* [D] output gain, b·c */
    atome_tmat wq, wk;                  /* [Dh, D] */
    atome_tmat wv;                      /* [D, D] */
    atome_tmat router;                  /* [3, D] */
} atome_layer;

/* A table of pointers into one blob's payload. */
typedef struct {
    atome_config cfg;
    atome_tmat emb; /* [V, D] */
    const ATOME_ROM float *lnf_g, *lnf_b; /* [D] */
    atome_tmat unemb;                     /* [V, D]; a classifier's head [C, D] */
#if ATOME_CLASSIFIER /* none in a language-model-only engine (atome_config.h) */
    /* A classifier's (NULL for a language model; the feature arrays NULL for text too): */
    const ATOME_ROM float *feature_min, *feature_scale; /* [F] */
    const ATOME_ROM char *labels;                       /* label_bytes: C NUL-terminated names */
#endif
    atome_layer layer[ATOME_MAX_LAYERS];
} atome_weights;

/* Payload bytes of a model of config c. If w is not NULL, also points *w into payload. */
size_t atome_blob_bind(const atome_config *c, const ATOME_ROM uint8_t *payload, atome_weights *w);

/* Checks a blob (in the order: alignment, length, magic, version, reserved bytes, dimensions,
 * length, CRC, every float of the payload in blob order unless ATOME_CHECK_VALUES is 0
 * (atome_config.h), a classifier's label names) and binds *w to it. Returns ATOME_OK or one
 * ATOME_ERR_*; *w is untouched on error. */
int atome_blob_open(const ATOME_ROM uint8_t *blob, size_t len, atome_weights *w);

/* Writes a header for config c and a payload already in place at blob + 64, CRC included. */
void atome_blob_seal(uint8_t *blob, const atome_config *c);

/* One line naming the error. */
const char *atome_strerror(int err);

uint32_t atome_crc32(uint32_t crc, const ATOME_ANY uint8_t *p, size_t n);

#endif

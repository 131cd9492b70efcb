/* atome_config.h — model dimensions, compile-time maxima and presets.
 *
 * Shapes used across the project:
 *   V  vocabulary (always 256: the model reads bytes)
 *   D  d_model, channels of the residual stream
 *   L  number of blocks
 *   Dh d_head, width of the attention query/key
 *   W  attention window: a position attends to itself and the W-1 before it
 *   K  conv taps (always 5), TOPK keys kept per query (always 4)
 *
 * The engine's state is a static struct sized by the ATOME_MAX_* defines; a firmware
 * sets them to its model's exact sizes (-DATOME_MAX_D=32 ...) to spend no RAM twice.
 * A blob whose dimensions exceed them is refused by the loader.
 */
#ifndef ATOME_CONFIG_H
#define ATOME_CONFIG_H

#define ATOME_VOCAB 256
#define ATOME_CONV_K 5
#define ATOME_TOPK 4
#define ATOME_LN_EPS 1e-5f

#ifndef ATOME_MAX_D
#define ATOME_MAX_D 256
#endif
#ifndef ATOME_MAX_LAYERS
#define ATOME_MAX_LAYERS 8
#endif
#ifndef ATOME_MAX_DHEAD
#define ATOME_MAX_DHEAD 64
#endif
#ifndef ATOME_MAX_WINDOW
#define ATOME_MAX_WINDOW 256
#endif
/* The head's outputs the state holds: 256 for a language model; a classifier-only firmware may set
 * its class count (-DATOME_MAX_LOGITS=12) to spend less RAM, and then loads no language model. */
#ifndef ATOME_MAX_LOGITS
#define ATOME_MAX_LOGITS ATOME_VOCAB
#endif
/* 1 (the default): the engine loads both kinds of blob, a language model and a classifier (a
 * ternary head [C, D] on the last position, its feature constants and label names; atome_blob.h).
 * 0: a language-model-only engine, for a firmware that never loads a classifier: the loader's
 * classifier path (the head's dimension, the feature tensors, the label check, the class fields'
 * ranges) is compiled out, and a classifier blob is refused with ATOME_ERR_CLASSIFIER. The same
 * bits for a language model either way (tests/test_lm_only.c); the size table measures this build
 * (make mcu-sizes). atome_classify, atome_features and atome_label stay, and find no classes. */
#ifndef ATOME_CLASSIFIER
#define ATOME_CLASSIFIER 1
#endif
/* 1 (the default): the loader checks every float of the payload (atome_blob.h: NaN, infinity, range)
 * and refuses a blob that fails with ATOME_ERR_FLOAT or ATOME_ERR_RANGE, as a blob from outside (a
 * file, a download, an update over the air) needs. 0: for a firmware whose blob is baked into its own
 * flash by atome-header, which refuses a blob that fails them (it runs this loader on the host): the
 * check is compiled out, and the header, dimensions, length, CRC and label checks stay. The
 * kernels are defined for every value either way (PAPER.md, section 3); the same bits for a blob that
 * passes (tests/test_lm_only.c). A language model's firmware here is built so (mk/mcu.mk). */
#ifndef ATOME_CHECK_VALUES
#define ATOME_CHECK_VALUES 1
#endif
/* Sensor features of a classifier: at most this many per example. */
#define ATOME_MAX_FEATURES 4096
/* Bytes of one label name, its NUL not counted. */
#define ATOME_MAX_LABEL 63

/* int8 vectors fed to the ternary matmul fill a multiple of 5 (whole packed bytes); the padding
 * meets 0 trits, so it adds nothing (matmul_forward). */
#define ATOME_PAD5(n) ((((n) + 4) / 5) * 5)

typedef struct {
    int vocab;    /* V */
    int d_model;  /* D */
    int n_layers; /* L */
    int d_head;   /* Dh */
    int window;   /* W */
    int flags;    /* ATOME_DROP_*: pathways switched off, for ablations; 0 = all three */
    /* A classifier (n_classes > 0) ends in a ternary head [C, D] on the last position instead of
     * the unembedding [V, D], and its blob carries the label names and, for sensor features, each
     * feature's quantisation constants (atome_blob.h). All three are 0 for a language model. */
    int n_classes;   /* C: 0, or 2..ATOME_MAX_LOGITS */
    int n_features;  /* F: sensor features per example, one byte each (0: the bytes of a text) */
    int label_bytes; /* bytes of the label names, each NUL-terminated: 2·C..(ATOME_MAX_LABEL + 1)·C */
} atome_config;

/* A dropped pathway gets router weight 0 (its logit is set to -1e30 before the softmax). */
#define ATOME_DROP_CONV 1
#define ATOME_DROP_SSM 2
#define ATOME_DROP_ATTN 4

/* Fills *c with the named preset (nano, small, default, mid, prod); returns 0, or -1 if unknown. */
int atome_preset(const char *name, atome_config *c);
/* Name of the i-th preset, NULL past the last. */
const char *atome_preset_name(int i);
/* Trainable parameters, atome-lm's formula 2VD + 2D + L(D^2 + 13D + 2·Dh·D); a classifier has
 * VD + CD + ... (its head [C, D] in place of the unembedding [V, D]). */
long atome_param_count(const atome_config *c);
/* 1 if c has the fixed V, every dimension in 1..its ATOME_MAX_*, at least one pathway, and either
 * the language model's zero class fields with ATOME_MAX_LOGITS >= V, or a classifier's in their
 * ranges (atome_config above), else 0. */
int atome_config_fits(const atome_config *c);

#endif

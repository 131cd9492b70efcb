/* classify_data.h — a classifier's labelled data: the readers, the label table, the split and
 * the one-byte quantisation of sensor features.
 *
 * Shapes: C classes (1..256), F features (tables only), per split n rows; a row is its class
 * index and its bytes: a text's own bytes, or F quantised feature bytes (table) whose floats
 * are also kept, value[n][F].
 *
 * Formats (both: one row per line, `\n` line ends, one `\r` before it is dropped):
 *  - text (no --label-col): `label<TAB>text`. The label is the bytes before the first tab
 *    (1..63 of them, no control byte), the text every byte after it (further tabs included).
 *    An empty text is refused: the classifier would see nothing but its start state, so such a
 *    row is a data error far more often than a meaningful example.
 *  - table (--label-col NAME): CSV, a header line of unique column names, then rows of exactly
 *    as many fields, separated by `,`, no quoting. The NAME column is the label; every other
 *    column is a feature, read by strtof and refused unless the whole field is a finite number.
 * Label table: the distinct labels of the --data file, sorted by their bytes (memcmp order,
 * a prefix first), so that reordering or reshuffling a file never renumbers the classes.
 * A --valid/--test row whose label is not in it is an error, as is a 257th label. To evaluate a
 * trained model, classify_load_fixed reads files against the model's own table and constants instead.
 *
 * Splits: --valid / --test files are used as given; a missing one is held out of the --data
 * rows by classify_split_stratified (valid_pct / test_pct percent, split_seed).
 *
 * Quantisation (tables), fitted on the TRAINING split only (never valid or test rows):
 *   min_f, max_f = the smallest and largest float of feature f over the training rows;
 *   scale_f      = 255.0f / (max_f - min_f)  (one float subtraction, one float division,
 *                  computed once), or 0.0f when max_f == min_f (the feature then maps to 0);
 *   q(x)         = v = (x - min_f) * scale_f     (float subtraction, then float multiply)
 *                  0 if !(v > 0); 255 if v >= 255; else t = (unsigned)v (truncation) and
 *                  t + 1 if v - (float)t >= 0.5f (v - t is exact by Sterbenz: round half away from zero), else t.
 * All in IEEE single precision with no contraction (-ffp-contract=off), so a firmware given the
 * stored min_f and scale_f bits computes the same byte from the same float (feature_quantise, common/atome_ops.h, which the engine runs too).
 *
 * Errors: classify_load returns -1 with ONE line in err, `FILE:LINE: what is wrong` for a bad
 * row (empty line, missing tab, empty label or text, a control byte in a label or column
 * name, unknown label, non-numeric or non-finite feature, wrong field count, more than 256
 * classes) and for an empty file (line 1) or a header-only one; nothing is kept. Bytes of
 * the file echoed in a message are at most 40, control bytes shown as ?, so that the message
 * stays one line.
 */
#ifndef TRAIN_CLASSIFY_DATA_H
#define TRAIN_CLASSIFY_DATA_H
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "classify_split.h"

#define CLASSIFY_MAX_CLASSES 256
#define CLASSIFY_MAX_LABEL 63 /* bytes of a label name */

typedef struct {
    const char *data, *valid, *test; /* paths; valid / test NULL: held out of data */
    const char *label_col;           /* NULL: text TSV; else CSV with this label column */
    uint64_t split_seed;
    uint32_t valid_pct, test_pct; /* the held-out shares when valid / test is NULL */
} classify_options;

typedef struct {
    uint32_t n;     /* rows */
    uint8_t *label; /* [n] class index */
    size_t *start;  /* [n + 1] row i's bytes are bytes[start[i] .. start[i + 1]) */
    uint8_t *bytes; /* texts back to back, or [n][F] quantised features */
    float *value;   /* tables: [n][F] the features as read; NULL for text */
} classify_split;

typedef struct {
    int is_table;
    uint32_t n_classes;
    char label[CLASSIFY_MAX_CLASSES][CLASSIFY_MAX_LABEL + 1];
    uint32_t n_features;  /* tables */
    char **feature_name;  /* [F] */
    float *fmin, *fscale; /* [F] the quantisation constants */
    float *fmax;          /* [F] */
    classify_split split[3];    /* CLASSIFY_TRAIN, _VALID, _TEST */
    int held_out[3];            /* 1 where the split was drawn from the data file */
    const char *source[3];      /* the file each split comes from */
} classify_dataset;

/* data/valid/test NULL, no label column, split seed 1, 10 % valid and 10 % test. */
void classify_options_default(classify_options *o);

/* Returns 0, or -1 with one line in err and d left empty. */
int classify_load(const classify_options *o, classify_dataset *d, char *err, size_t errlen);

/* A model's own classes and feature constants (atome-infer --classify reads them from the blob). */
typedef struct {
    uint32_t n_classes;         /* C */
    const char *const *label;   /* [C] NUL-terminated names, in class order */
    uint32_t n_features;        /* F; 0: the model reads text */
    const float *fmin, *fscale; /* [F] the quantisation constants */
} classify_model_table;

/* Evaluation files read against a trained model: o->test (required) into split[CLASSIFY_TEST] and
 * o->valid (optional) into split[CLASSIFY_VALID]; o->data and the split options are not used, the
 * training split stays empty. The label table and the quantisation constants are t's, never refitted:
 * a row whose label is not one of t's classes is `FILE:LINE: unknown label 'x' (not a class of the
 * model)`. o->label_col must be given exactly when t has features; the test file's header fixes the
 * columns (F of them besides the label, or `FILE:1: ... the model reads F`), and the valid file must
 * repeat it byte for byte. d->fmax is NULL (the model keeps no maximum); d->fmin, d->fscale are
 * copies of t's. Same errors and return as classify_load. */
int classify_load_fixed(const classify_options *o, const classify_model_table *t, classify_dataset *d, char *err,
                        size_t errlen);
void classify_free(classify_dataset *d);

/* The cut, the one rule for how much of an example a classifier reads: its FIRST max_bytes bytes
 * (a longer text loses its tail). Returns min(n, max_bytes). atome-train --task classify trains
 * on exactly these bytes (max_bytes = its --seq, by default CLASSIFY_DEFAULT_MAX_BYTES), so an
 * evaluator that feeds the engine classify_cut(n, the same max_bytes) bytes gets the trainer's
 * logits bit for bit; a firmware reading a stream simply stops after max_bytes bytes, with no
 * buffer. The blob does not record max_bytes: a text no longer than it is read whole either way
 * (all of CLINC150 at the default; 54 of the 5,171 SMS texts are longer). A table's row is its F
 * feature bytes, never cut (the trainer refuses a --seq below F). */
#define CLASSIFY_DEFAULT_MAX_BYTES 256
size_t classify_cut(size_t n, size_t max_bytes);

/* 255.0f / (max - min), or 0.0f when max == min. */
float classify_scale(float min, float max);

/* Index of the label named name (length len), or -1. */
int classify_find_label(const classify_dataset *d, const char *name, size_t len);

/* One paragraph: kind, classes, each split's rows and source (and how it was held out). */
void classify_describe(const classify_dataset *d, const classify_options *o, FILE *out);

/* The whole file at path (the project's reader; the one place the classifier reads a file). */
int classify_read_file(const char *path, uint8_t **bytes, size_t *n, char *err, size_t errlen);

#endif

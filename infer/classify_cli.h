/* classify_cli.h — atome-infer --classify: a classifier blob evaluated on a labelled file (host
 * only: it reads files, allocates, prints and runs gnuplot; the model runs through the engine API,
 * atome_classify, exactly as a firmware would). The output format is in atome-infer --help. */
#ifndef ATOME_CLASSIFY_CLI_H
#define ATOME_CLASSIFY_CLI_H
#include "atome.h"

typedef struct {
    const char *model_path; /* for messages */
    const char *test;       /* --classify FILE */
    const char *label_col;  /* --label-col NAME: a CSV of features (NULL: a TSV of texts) */
    const char *valid;      /* --valid FILE: where the out-of-scope threshold is chosen */
    const char *oos_label;  /* --oos-label NAME */
    const char *plot;       /* --plot PREFIX */
    const char *logits;     /* --logits FILE: every row's C logits, float32 little-endian */
    int per_class;          /* --per-class: every class's row, not just the worst */
    size_t max_bytes;       /* --seq N: a text's first N bytes are read (classify_cut), as atome-train
                             * --seq N trained on them; 0: CLASSIFY_DEFAULT_MAX_BYTES, its default */
} classify_args;

/* Runs the mode; returns the exit status: 0, or 1 after one line on stderr (bad input: nothing
 * is printed on stdout and no output file is left). */
int classify_run(const atome_model *m, atome_state *st, const classify_args *a);

#endif

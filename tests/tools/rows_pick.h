/* rows_pick.h — the test-set rows a classifier firmware classifies, picked on the host.
 *
 * Shapes: N rows of the test file's n (all if N >= n), F features (0 for a text classifier).
 * The rows i·n/N for i = 0..N-1 (integer division: spread over the file, whose classes often come
 * in runs), and the typical row if it is not among them, kept in file order. Typical: the first
 * row whose length (bytes of the text; F for a sensor row) is the median of all n rows' lengths,
 * lengths[n / 2] in sorted order. Labels are mapped by name to the model's class indices.
 *
 * cls-rows writes the picked rows into a firmware's atome_rows.h; the parity test builds them here
 * again from the same file, so that host and firmware classify the same rows.
 */
#ifndef TESTS_ROWS_PICK_H
#define TESTS_ROWS_PICK_H
#include <stddef.h>
#include "../../common/atome_blob.h"
#include "../../infer/firmware/fw_rows.h"

typedef struct {
    fw_rows rows;      /* points into the arrays below */
    uint32_t *line;    /* [n] each row's line in the test file (1-based; a CSV's header is line 1) */
    uint8_t *label;    /* [n] */
    uint32_t *start;   /* [n + 1] */
    uint8_t *bytes;    /* text */
    float *raw;        /* [n][F] */
} rows_picked;

/* Picks up to n_pick rows of test (a text TSV; a CSV with label_col) for the classifier w. Returns 0,
 * or -1 with one line in err: the file's own error, a file of the other kind or of another feature
 * count than the model's, or a label that is none of the model's classes. */
int rows_pick(const atome_weights *w, const char *test, const char *label_col, uint32_t n_pick, rows_picked *out,
              char *err, size_t cap);
void rows_free(rows_picked *r);

#endif

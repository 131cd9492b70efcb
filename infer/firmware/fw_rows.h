/* fw_rows.h — rows of a classifier's test set, for the classifier parity run (fw_classify.h).
 *
 * Shapes: n rows; F raw floats per row for a sensor classifier (features = F), or, for a text
 * classifier (features = 0), the rows' bytes back to back, row i at bytes[start[i] .. start[i + 1]).
 * label[i] is row i's true class, an index into the model's labels. The firmware's rows are baked
 * into flash by cls-rows (tests/tools/cls_rows.c, a generated atome_rows.h); the host builds the
 * same rows in memory from the same test file (tests/tools/rows_pick.h).
 */
#ifndef FW_ROWS_H
#define FW_ROWS_H
#include <stdint.h>

typedef struct {
    uint32_t n;            /* rows */
    uint32_t features;     /* F, or 0: the rows are texts */
    uint32_t typical;      /* a row of the test file's median length: the one the speed run times */
    const uint8_t *label;  /* [n] */
    const uint32_t *start; /* text: [n + 1] */
    const uint8_t *bytes;  /* text: start[n] bytes */
    const float *raw;      /* sensor: [n][F] */
} fw_rows;

#endif

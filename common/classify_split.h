/* classify_split.h — the seeded stratified split of a classifier's labelled rows.
 *
 * Shapes: n rows, label[n] in [0, n_classes), part[n] out: CLASSIFY_TRAIN / _VALID / _TEST.
 *
 * Per class c in index order: the rows of class c, in file order, are shuffled by Fisher–Yates
 * (i from the last down to 1, j = atome_rng_below(rng, i + 1), swap) with ONE splitmix64 stream
 * seeded once with seed and shared by the classes in turn. Of the m shuffled rows the first
 * round(m · test_pct / 100) go to test, the next round(m · valid_pct / 100) to valid (integer
 * rounding, halves up: (m · pct + 50) / 100), the rest to train; a class keeps at least one
 * training row (valid gives way first, then test). Only integers are involved, so the split is
 * the same on every machine; the converters in tools/datasets/ use it to cut the bundled sets.
 */
#ifndef TRAIN_CLASSIFY_SPLIT_H
#define TRAIN_CLASSIFY_SPLIT_H
#include <stdint.h>

enum { CLASSIFY_TRAIN = 0, CLASSIFY_VALID = 1, CLASSIFY_TEST = 2 };

/* Returns 0, or -1 if out of memory. */
int classify_split_stratified(const uint8_t *label, uint32_t n, uint32_t n_classes, uint64_t seed,
                              uint32_t valid_pct, uint32_t test_pct, uint8_t *part);

/* The number of rows a class of m rows gives to a part of pct percent, before the clamp. */
uint32_t classify_split_share(uint32_t m, uint32_t pct);

#endif

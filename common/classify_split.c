/* classify_split.c — the seeded stratified split (contract in classify_split.h). */
#include "classify_split.h"
#include <stdlib.h>
#include "atome_rng.h"

uint32_t classify_split_share(uint32_t m, uint32_t pct) { return (uint32_t)(((uint64_t)m * pct + 50) / 100); }

int classify_split_stratified(const uint8_t *label, uint32_t n, uint32_t n_classes, uint64_t seed,
                              uint32_t valid_pct, uint32_t test_pct, uint8_t *part) {
    uint32_t *rows = malloc((n ? n : 1) * sizeof *rows);
    if (!rows) return -1;
    atome_rng rng = {seed};
    for (uint32_t c = 0; c < n_classes; c++) {
        uint32_t m = 0;
        for (uint32_t i = 0; i < n; i++)
            if (label[i] == c) rows[m++] = i;
        for (uint32_t i = m; i-- > 1;) {
            uint32_t j = atome_rng_below(&rng, i + 1), t = rows[i];
            rows[i] = rows[j], rows[j] = t;
        }
        uint32_t k_test = classify_split_share(m, test_pct), k_valid = classify_split_share(m, valid_pct);
        if (m == 0) continue;
        if (k_test > m - 1) k_test = m - 1;
        if (k_valid > m - 1 - k_test) k_valid = m - 1 - k_test;
        for (uint32_t i = 0; i < m; i++)
            part[rows[i]] = i < k_test ? CLASSIFY_TEST : i < k_test + k_valid ? CLASSIFY_VALID : CLASSIFY_TRAIN;
    }
    free(rows);
    return 0;
}

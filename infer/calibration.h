/* calibration.h — is router entropy an uncertainty signal? The rank statistics and atome-infer's
 * --calibrate mode (host only: it reads files, allocates and prints; the model runs through the
 * engine API alone). */
#ifndef ATOME_CALIBRATION_H
#define ATOME_CALIBRATION_H
#include <stddef.h>
#include "atome.h"

/* Spearman's rank correlation of n pairs (x[i], y[i]): Pearson's correlation of their ranks,
 * tied values sharing their average rank. NAN if n < 2, x or y is constant, or memory runs out. */
double calib_spearman(const double *x, const double *y, size_t n);

/* Area under the ROC curve of telling pos from neg by score (higher = more likely pos): the
 * Mann–Whitney U from the rank sum, over npos·nneg; a tie between a pos and a neg counts half.
 * NAN if either side is empty or memory runs out. */
double calib_auroc(const double *pos, size_t npos, const double *neg, size_t nneg);

/* atome-infer --calibrate IN --ood OOD [--seq N]: IN and OOD cut into windows as --eval cuts them
 * (each read from a reset state). Prints a markdown table: per position of IN, the Spearman
 * correlation of router entropy with the next byte's loss; per window, the AUROC of telling OOD
 * windows from IN ones by mean router entropy, beside the model's own mean loss. Returns the
 * exit status: 0, or 1 (2 for a missing flag) after one line on stderr and nothing on stdout. */
int calibrate(const atome_model *m, atome_state *st, const char *in_path, const char *ood_path, int seq);

#endif

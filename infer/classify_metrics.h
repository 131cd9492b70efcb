/* classify_metrics.h — the figures atome-infer --classify prints, on plain arrays (host only; no
 * file, no model: tests/test_classify_eval.c checks each on cases worked out by hand).
 *
 * Shapes: n rows, C classes (1..256); truth[n], pred[n] class indices; counts[C][C] the confusion
 * matrix, counts[t·C + p] = rows of true class t predicted p (truth-major: a row of the matrix is
 * a true class); margin[n] each row's top-1 − top-2 softmax probability, in [0, 1].
 *
 * Definitions:
 *   precision_c = tp / predicted_c, recall_c = tp / support_c (0 where the count is 0),
 *   F1_c = 2·tp / (2·tp + fp + fn) (0 when the class is neither true nor predicted anywhere);
 *   accuracy = Σ tp / n; macro-F1 = mean of F1_c over the classes that are true or predicted at
 *   least once (sklearn's default set of labels: absent classes neither help nor hurt).
 * Abstention by margin: a threshold τ accepts the rows with margin >= τ. Sorted by margin,
 * largest first, the rows form groups of equal margin that no τ can split; a curve point is the
 * end of a group: accepted rows k, errors among them e, risk e / k, coverage k / n, τ the group's
 * margin. AURC = (1/n) Σ_{k=1..n} e(k) / k, inside a group of s rows holding g errors e(k) taken
 * as the errors before it plus g·j/s at its j-th row: the expected value over every order of the
 * tied rows, so that the figure does not depend on the file's row order. Coverage at risk r %:
 * the largest k / n of a curve point with e·100 <= r·k (integers: exact), 0 if none.
 */
#ifndef ATOME_CLASSIFY_METRICS_H
#define ATOME_CLASSIFY_METRICS_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t tp, support, predicted; /* support: rows of the class; predicted: rows called it */
    double precision, recall, f1;
} eval_class;

/* counts[C·C] (zeroed here) from n rows. */
void eval_confusion(const uint8_t *truth, const uint8_t *pred, size_t n, uint32_t C, uint32_t *counts);
/* Per class from the matrix: k[C]. */
void eval_per_class(const uint32_t *counts, uint32_t C, eval_class *k);
/* Σ tp / n (0 for no rows). */
double eval_accuracy(const eval_class *k, uint32_t C);
/* Mean F1 over the classes true or predicted at least once (0 if none). */
double eval_macro_f1(const eval_class *k, uint32_t C);

/* The softmax of logits z[C] (C >= 2) with the project's atome_expf: e_c = atome_expf_neg(z_c −
 * z_max) in float, their float sum in index order, p_c = e_c / sum; returns p[top1] − p[top2], the
 * two largest logits, the lowest index first on ties (a tie at the top gives 0). */
float eval_margin(const float *z, int C);

typedef struct {
    uint32_t accepted, errors; /* k rows with margin >= threshold, e of them wrong */
    float threshold;           /* τ: the smallest margin accepted */
} eval_point;

/* The risk-coverage curve: pts[0..return) by coverage ascending (one per distinct margin, so at
 * most n; pts has room for n). wrong[i] is 1 where row i is misclassified. Returns -1 if out of
 * memory. */
long eval_risk_coverage(const float *margin, const uint8_t *wrong, size_t n, eval_point *pts);
/* AURC of a curve of np points over n rows (definition above; 0 for n = 0). */
double eval_aurc(const eval_point *pts, size_t np, size_t n);
/* The point of the largest coverage whose risk is at most pct percent, or -1 if none. */
long eval_coverage_at_risk(const eval_point *pts, size_t np, uint32_t pct);

/* Out of scope (the class oos): the prediction of row i is oos if pred[i] == oos or margin[i] <
 * tau (tau = 0: oos as a class alone, since a margin is never negative). In-scope accuracy: right
 * among the rows whose truth is not oos; oos recall: rows of truth oos predicted oos. Either is NAN
 * when it has no rows. */
void eval_oos(const uint8_t *truth, const uint8_t *pred, const float *margin, size_t n, int oos, float tau,
              double *in_scope_accuracy, double *oos_recall);
/* The tau that maximises in-scope accuracy + oos recall over these n rows (compared exactly, as
 * integers), the smallest on ties; candidates are 0, each row's margin and 2 (every row oos).
 * Returns -1 (tau untouched) when the rows hold no oos row or no in-scope one, or memory runs out. */
int eval_choose_oos_threshold(const uint8_t *truth, const uint8_t *pred, const float *margin, size_t n, int oos,
                              float *tau);

#endif

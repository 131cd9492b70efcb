/* calibration.c — router entropy against the model's loss, and as an out-of-domain detector.
 *
 * The router's mix r (conv, SSM, attention) is there at every step for free, before the next
 * byte is known. If its entropy rose where the model is about to be wrong, or on text unlike
 * the training text, a firmware could use it as a cheap confidence signal. This file measures
 * whether it does, through the engine API alone (atome_reset per window, atome_step, st->router).
 *
 * Shapes: V vocab (256), L layers, T positions per window (--seq), N windows of a file,
 * P = N·T positions, S = L + 3 signals per position (the S_* below). Position t of a window
 * has read bytes 0..t of it and predicts byte t+1.
 */
#define _POSIX_C_SOURCE 200809L
#include "calibration.h"
#include "host_util.h"
#include "../common/host_file.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Signals per position: S_MEAN router entropy H(r)/ln 3 averaged over layers; S_MEAN+1+l that of
 * layer l; then (S_PRED) the entropy of the next-byte distribution in nats, a reference the
 * router's should be held against; and (S_LOSS) the next byte's cross-entropy in nats. */
#define S_MEAN 0
#define S_PRED(L) ((L) + 1)
#define S_LOSS(L) ((L) + 2)
#define N_SIG(L) ((L) + 3)

/* ---------------------------------------------------------------- rank statistics */

typedef struct {
    double v;
    size_t i;
} keyed;

static int cmp_keyed(const void *a, const void *b) {
    const keyed *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* rank[i] = rank of v[i] among v[0..n), from 1; equal values share the mean of their ranks. */
static int average_ranks(const double *v, size_t n, double *rank) {
    keyed *k = malloc(n * sizeof *k);
    if (!k) return -1;
    for (size_t i = 0; i < n; i++) k[i].v = v[i], k[i].i = i;
    qsort(k, n, sizeof *k, cmp_keyed);
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && k[b].v == k[a].v) b++;
        for (size_t j = a; j < b; j++) rank[k[j].i] = 0.5 * (double)(a + 1 + b); /* mean of a+1..b */
        a = b;
    }
    free(k);
    return 0;
}

double calib_spearman(const double *x, const double *y, size_t n) {
    if (n < 2) return NAN;
    double *rx = malloc(2 * n * sizeof *rx);
    if (!rx) return NAN;
    double *ry = rx + n, rho = NAN;
    if (!average_ranks(x, n, rx) && !average_ranks(y, n, ry)) {
        /* average ranks keep the mean rank at (n+1)/2 */
        double mean = 0.5 * (double)(n + 1), sxy = 0.0, sxx = 0.0, syy = 0.0;
        for (size_t i = 0; i < n; i++) {
            double dx = rx[i] - mean, dy = ry[i] - mean;
            sxy += dx * dy, sxx += dx * dx, syy += dy * dy;
        }
        if (sxx > 0.0 && syy > 0.0) rho = sxy / sqrt(sxx * syy);
    }
    free(rx);
    return rho;
}

double calib_auroc(const double *pos, size_t npos, const double *neg, size_t nneg) {
    if (!npos || !nneg) return NAN;
    size_t n = npos + nneg;
    double *v = malloc(2 * n * sizeof *v);
    if (!v) return NAN;
    double *rank = v + n, auc = NAN;
    memcpy(v, pos, npos * sizeof *v);
    memcpy(v + npos, neg, nneg * sizeof *v);
    if (!average_ranks(v, n, rank)) {
        double rsum = 0.0;
        for (size_t i = 0; i < npos; i++) rsum += rank[i];
        /* U = pairs (pos, neg) where pos scores higher, ties half: the rank sum less its minimum */
        auc = (rsum - 0.5 * (double)npos * (double)(npos + 1)) / ((double)npos * (double)nneg);
    }
    free(v);
    return auc;
}

/* ---------------------------------------------------------------- scoring a file */

typedef struct {
    const char *path;
    uint8_t *text;
    size_t len, n; /* bytes; N windows */
    double *win;   /* [S][N] means over each window */
    double *pos;   /* [S][P] per position, or NULL */
    double nats;   /* loss summed in reading order, as --eval sums it */
} scored;

/* The S signals of the step that returned logits, whose next byte is `next`. */
static void signals(int L, const atome_state *st, const float *logits, int next, double *v) {
    double mean = 0.0;
    for (int l = 0; l < L; l++) mean += v[S_MEAN + 1 + l] = router_entropy(st->layer[l].router);
    v[S_MEAN] = mean / L;
    /* the loss exactly as atome-infer --eval computes it, so the two bpb agree */
    double top = logits[atome_argmax(logits, ATOME_VOCAB)], e[ATOME_VOCAB], z = 0.0, ed = 0.0;
    for (int i = 0; i < ATOME_VOCAB; i++) z += e[i] = exp((double)logits[i] - top);
    for (int i = 0; i < ATOME_VOCAB; i++) ed += e[i] * ((double)logits[i] - top);
    v[S_PRED(L)] = log(z) - ed / z;
    v[S_LOSS(L)] = log(z) - ((double)logits[next] - top);
}

static int score(const atome_model *m, atome_state *st, int T, int keep, scored *f) {
    int L = m->w.cfg.n_layers, S = N_SIG(L);
    size_t N = f->n, P = N * (size_t)T;
    f->win = malloc((size_t)S * N * sizeof(double));
    f->pos = keep ? malloc((size_t)S * P * sizeof(double)) : NULL;
    if (!f->win || (keep && !f->pos)) return -1;
    for (size_t w = 0; w < N; w++) {
        const unsigned char *x = f->text + w * (size_t)T;
        double sum[N_SIG(ATOME_MAX_LAYERS)] = {0}, v[N_SIG(ATOME_MAX_LAYERS)];
        atome_reset(st);
        for (int t = 0; t < T; t++) {
            signals(L, st, atome_step(m, st, x[t]), x[t + 1], v);
            for (int k = 0; k < S; k++) {
                sum[k] += v[k];
                if (keep) f->pos[(size_t)k * P + w * (size_t)T + (size_t)t] = v[k];
            }
            f->nats += v[S_LOSS(L)];
        }
        for (int k = 0; k < S; k++) f->win[(size_t)k * N + w] = sum[k] / T;
    }
    return 0;
}

static double mean_of(const double *v, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += v[i];
    return s / (double)n;
}

/* Spearman of signal k with the loss over windows at each position t in turn, averaged over t:
 * what is left of the correlation once "early in the window" is taken out of both. */
static double spearman_at_fixed_t(const scored *f, int T, int k, int k_loss) {
    size_t N = f->n, P = N * (size_t)T;
    double *x = malloc(2 * N * sizeof *x), sum = 0.0;
    int used = 0;
    if (!x) return NAN;
    for (int t = 0; t < T; t++) {
        for (size_t w = 0; w < N; w++) {
            x[w] = f->pos[(size_t)k * P + w * (size_t)T + (size_t)t];
            x[N + w] = f->pos[(size_t)k_loss * P + w * (size_t)T + (size_t)t];
        }
        double r = calib_spearman(x, x + N, N);
        if (!isnan(r)) sum += r, used++;
    }
    free(x);
    return used ? sum / used : NAN;
}

static void print_row(const char *name, const scored *in, const scored *ood, int T, int k, int k_loss) {
    size_t P = in->n * (size_t)T;
    printf("| %s | ", name);
    if (k == k_loss) printf("— | — | ");
    else printf("%.3f | %.3f | ", calib_spearman(in->pos + (size_t)k * P, in->pos + (size_t)k_loss * P, P),
                spearman_at_fixed_t(in, T, k, k_loss));
    const double *a = ood->win + (size_t)k * ood->n, *b = in->win + (size_t)k * in->n;
    printf("%.3f | %.4f | %.4f |\n", calib_auroc(a, ood->n, b, in->n), mean_of(b, in->n), mean_of(a, ood->n));
}

/* ---------------------------------------------------------------- the --calibrate mode */

int calibrate(const atome_model *m, atome_state *st, const char *in_path, const char *ood_path, int seq) {
    if (!in_path || !ood_path) {
        fprintf(stderr, "atome-infer: %s\n", in_path ? "--calibrate FILE needs --ood FILE (see --help)"
                                                     : "--ood FILE goes with --calibrate FILE (see --help)");
        return 2;
    }
    scored f[2] = {{in_path, NULL, 0, 0, NULL, NULL, 0.0}, {ood_path, NULL, 0, 0, NULL, NULL, 0.0}};
    int status = 1;
    for (int i = 0; i < 2; i++) { /* every input is checked before anything is computed or printed */
        if (host_read_file(f[i].path, (size_t)1 << 30, &f[i].text, &f[i].len, NULL, 0)) {
            fprintf(stderr, "atome-infer: cannot read '%s': %s\n", f[i].path, strerror(errno));
            goto done;
        }
        if (f[i].len < (size_t)seq + 1) {
            fprintf(stderr, "atome-infer: '%s' is too short to calibrate: it needs at least %d bytes (--seq %d + 1)\n",
                    f[i].path, seq + 1, seq);
            goto done;
        }
        f[i].n = (f[i].len - 1) / (size_t)seq; /* windows of seq+1 bytes sharing their boundary byte */
    }
    if (score(m, st, seq, 1, &f[0]) || score(m, st, seq, 0, &f[1])) {
        fprintf(stderr, "atome-infer: out of memory scoring %zu + %zu windows\n", f[0].n, f[1].n);
        goto done;
    }
    int L = m->w.cfg.n_layers, k_loss = S_LOSS(L);
    for (int i = 0; i < 2; i++)
        printf("- %s %s: %zu windows of %d, %zu bytes predicted, %.4f bits per byte\n", i ? "out-of-domain" : "in-domain",
               f[i].path, f[i].n, seq, f[i].n * (size_t)seq, f[i].nats / (double)(f[i].n * (size_t)seq) / log(2.0));
    printf("\n| signal | Spearman ρ with the next byte's loss, per position (in-domain) "
           "| ρ at a fixed position, mean over t | AUROC out-of-domain vs in-domain, window means "
           "| mean in-domain | mean out-of-domain |\n|---|---|---|---|---|---|\n");
    print_row("router entropy H(r)/ln 3, mean over layers", &f[0], &f[1], seq, S_MEAN, k_loss);
    for (int l = 0; l < L; l++) {
        char name[48];
        snprintf(name, sizeof name, "router entropy, layer %d", l);
        print_row(name, &f[0], &f[1], seq, S_MEAN + 1 + l, k_loss);
    }
    print_row("entropy of the next-byte distribution, nats (reference)", &f[0], &f[1], seq, S_PRED(L), k_loss);
    print_row("the model's own loss, nats (needs the next byte)", &f[0], &f[1], seq, k_loss, k_loss);
    double auc = calib_auroc(f[1].win, f[1].n, f[0].win, f[0].n);
    printf("\nAUROC above 0.5: the signal is higher on out-of-domain windows. Mean router entropy is %s "
           "out of domain (AUROC %.3f).\n", auc > 0.5 ? "higher" : auc < 0.5 ? "lower" : "no different", auc);
    status = 0;
done:
    for (int i = 0; i < 2; i++) free(f[i].text), free(f[i].win), free(f[i].pos);
    return status;
}

/* magic_wand.c — Pete Warden's magic wand digits (petewarden/magic_wand_digit_data,
 * petewarden_0.json .. petewarden_9.json: 100 strokes of each digit, one writer) to
 * magic_wand_train.csv and magic_wand_test.csv, one stroke a row: `digit,x0,y0,...,x31,y31`.
 *
 * A stroke is n >= 1 points p[0..n-1] (2-D positions the board integrates from its gyroscope),
 * n from 32 to 145. Its fixed-length features, all in float (IEEE single, no contraction):
 * 1. Resample to K = 32 points by point index: for k = 0..K-1, num = k·(n−1) (integer),
 *    i = num / (K−1), r = num % (K−1); q[k] = p[i] if r == 0 (or n == 1), else
 *    q[k] = p[i] + (p[i+1] − p[i]) · t with t = (float)r / (float)(K−1), per coordinate.
 * 2. Centre and scale by the bounding box of q: cx = (xmin + xmax) · 0.5f, cy likewise,
 *    s = max(xmax − xmin, ymax − ymin) (1 if 0); feature = (q − c) / s + 0.0f (the + 0.0f turns
 *    a −0 into 0), so that where and how large the digit was drawn does not matter; every
 *    feature lies in [−0.5, 0.5].
 * 3. Printed with "%.4f" (the CSV is the data: 1e-4 is far below a quantisation step, 1/255).
 * Split: classify_split_stratified, classes "0".."9", DATASETS_SPLIT_SEED, 20 % test, no valid.
 * One writer drew every stroke, so a random split flatters: test strokes are the same hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../common/classify_split.h"
#include "datasets.h"
#include "json_lite.h"

#define MW_POINTS 32
#define MW_MAX_IN 4096 /* points of one stroke, far above the 145 of the data */

/* q[MW_POINTS][2] from p[n][2] (steps 1 and 2 above). */
static void stroke_features(const float (*p)[2], unsigned n, float (*q)[2]) {
    for (unsigned k = 0; k < MW_POINTS; k++) {
        unsigned num = k * (n - 1), i = num / (MW_POINTS - 1), r = num % (MW_POINTS - 1);
        for (int d = 0; d < 2; d++) {
            if (n == 1 || r == 0) {
                q[k][d] = p[i][d];
            } else {
                float t = (float)r / (float)(MW_POINTS - 1);
                q[k][d] = p[i][d] + (p[i + 1][d] - p[i][d]) * t;
            }
        }
    }
    float lo[2] = {q[0][0], q[0][1]}, hi[2] = {q[0][0], q[0][1]};
    for (unsigned k = 1; k < MW_POINTS; k++)
        for (int d = 0; d < 2; d++) {
            if (q[k][d] < lo[d]) lo[d] = q[k][d];
            if (q[k][d] > hi[d]) hi[d] = q[k][d];
        }
    float w = hi[0] - lo[0], h = hi[1] - lo[1], s = w > h ? w : h;
    if (s == 0.0f) s = 1.0f;
    float c[2] = {(lo[0] + hi[0]) * 0.5f, (lo[1] + hi[1]) * 0.5f};
    for (unsigned k = 0; k < MW_POINTS; k++)
        for (int d = 0; d < 2; d++) q[k][d] = (q[k][d] - c[d]) / s + 0.0f;
}

/* One {"x": .., "y": ..} point. */
static int read_point(json_cursor *j, float *xy) {
    int first = 1, r, got = 0;
    char key[16];
    if (json_expect(j, '{')) return -1;
    while ((r = json_next(j, '}', &first)) == 1) {
        if (json_string(j, key, sizeof key, NULL) || json_expect(j, ':')) return -1;
        int d = strcmp(key, "x") == 0 ? 0 : strcmp(key, "y") == 0 ? 1 : -1;
        if (d < 0 ? json_skip(j) : json_float(j, &xy[d])) return -1;
        if (d >= 0) got |= 1 << d;
    }
    if (r == 0 && got != 3) return json_fail(j, "a point without x and y");
    return r;
}

/* One stroke object: its label (one digit) and its row appended to b. */
static int read_stroke(json_cursor *j, text_buf *b, uint8_t *label, float (*p)[2]) {
    int first = 1, r;
    unsigned n = 0;
    char key[32], lab[16] = "";
    if (json_expect(j, '{')) return -1;
    while ((r = json_next(j, '}', &first)) == 1) {
        if (json_string(j, key, sizeof key, NULL) || json_expect(j, ':')) return -1;
        if (strcmp(key, "label") == 0) {
            if (json_string(j, lab, sizeof lab, NULL)) return -1;
        } else if (strcmp(key, "strokePoints") == 0) {
            int f2 = 1, r2;
            if (json_expect(j, '[')) return -1;
            while ((r2 = json_next(j, ']', &f2)) == 1) {
                if (n == MW_MAX_IN) return json_fail(j, "a stroke of more than 4096 points");
                if (read_point(j, p[n++])) return -1;
            }
            if (r2 < 0) return -1;
        } else if (json_skip(j)) {
            return -1;
        }
    }
    if (r < 0) return -1;
    if (strlen(lab) != 1 || lab[0] < '0' || lab[0] > '9') return json_fail(j, "a stroke whose label is not one digit");
    if (n == 0) return json_fail(j, "a stroke with no points");
    float q[MW_POINTS][2];
    stroke_features((const float (*)[2])p, n, q);
    *label = (uint8_t)(lab[0] - '0');
    tb_printf(b, "%c", lab[0]);
    for (unsigned k = 0; k < MW_POINTS; k++) tb_printf(b, ",%.4f,%.4f", q[k][0], q[k][1]);
    tb_put(b, "\n", 1);
    return 0;
}

int convert_magic_wand(const char *shared, const char *out) {
    text_buf rows = {0}, split[2] = {{0}};
    size_t cap = 2048, n_rows = 0, *row_at = malloc(cap * sizeof *row_at);
    uint8_t *label = malloc(cap), *part = NULL;
    float (*p)[2] = malloc(MW_MAX_IN * sizeof *p);
    int rc = -1;
    if (!row_at || !label || !p) goto oom;
    for (int digit = 0; digit < 10; digit++) {
        char name[64], path[4096], *src;
        size_t n;
        snprintf(name, sizeof name, "magic_wand_digits/petewarden_%d.json", digit);
        if (read_source(shared, name, &src, &n, path, sizeof path)) goto done;
        json_cursor j;
        json_init(&j, path, src, n);
        int first = 1, r, bad = json_expect(&j, '{');
        char key[32];
        while (!bad && (r = json_next(&j, '}', &first)) == 1) {
            if (json_string(&j, key, sizeof key, NULL) || json_expect(&j, ':')) {
                bad = 1;
            } else if (strcmp(key, "strokes") == 0) {
                int f2 = 1, r2;
                if (json_expect(&j, '[')) bad = 1;
                while (!bad && (r2 = json_next(&j, ']', &f2)) == 1) {
                    if (n_rows == cap) {
                        json_fail(&j, "more than 2048 strokes in all");
                        bad = 1;
                        break;
                    }
                    row_at[n_rows] = rows.n;
                    if (read_stroke(&j, &rows, &label[n_rows], p)) bad = 1;
                    else n_rows++;
                }
                if (!bad && r2 < 0) bad = 1;
            } else if (json_skip(&j)) {
                bad = 1;
            }
        }
        if (!bad && (r < 0 || json_end(&j))) bad = 1;
        free(src);
        if (bad) {
            fprintf(stderr, "atome-datasets: %s\n", j.err[0] ? j.err : "bad JSON");
            goto done;
        }
    }
    part = malloc(n_rows ? n_rows : 1);
    if (!part || classify_split_stratified(label, (uint32_t)n_rows, 10, DATASETS_SPLIT_SEED, 0, 20, part)) goto oom;
    char header[1024];
    int k = snprintf(header, sizeof header, "digit");
    for (unsigned i = 0; i < MW_POINTS; i++) k += snprintf(header + k, sizeof header - (size_t)k, ",x%u,y%u", i, i);
    snprintf(header + k, sizeof header - (size_t)k, "\n");
    tb_put(&split[0], header, strlen(header));
    tb_put(&split[1], header, strlen(header));
    unsigned count[2] = {0};
    for (size_t i = 0; i < n_rows; i++) {
        int t = part[i] == CLASSIFY_TEST;
        size_t end = i + 1 < n_rows ? row_at[i + 1] : rows.n;
        tb_put(&split[t], rows.p + row_at[i], end - row_at[i]);
        count[t]++;
    }
    printf("magic_wand: %zu strokes, %d points each; train %u, test %u (seed %d)\n", n_rows, MW_POINTS, count[0],
           count[1], DATASETS_SPLIT_SEED);
    if (write_output(out, "magic_wand_train.csv", &split[0]) || write_output(out, "magic_wand_test.csv", &split[1]))
        goto done;
    rc = 0;
    goto done;
oom:
    fprintf(stderr, "atome-datasets: out of memory\n");
done:
    tb_free(&rows), tb_free(&split[0]), tb_free(&split[1]);
    free(row_at), free(label), free(part), free(p);
    return rc;
}

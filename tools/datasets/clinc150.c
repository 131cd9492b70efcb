/* clinc150.c — CLINC150 "full" (clinc/oos-eval data/data_full.json) to clinc150_{train,valid,
 * test}.tsv, `intent<TAB>text` per line: the official train / val / test items in the file's
 * order, each followed by its split's out-of-scope items (oos_train, oos_val, oos_test), kept
 * under the label `oos` so that out-of-scope is a 151st class in all three files. The texts are
 * the JSON strings decoded (\" and \u2019 escapes) to UTF-8 and refused if they hold a tab, a
 * line end or nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "datasets.h"
#include "json_lite.h"

static const char *const keys[6] = {"train", "oos_train", "val", "oos_val", "test", "oos_test"};

/* One split's [[text, intent], ...] array appended to b as TSV rows; its item count in *n. */
static int read_items(json_cursor *j, text_buf *b, unsigned *n) {
    char text[4096], label[128];
    size_t tl, ll;
    int first = 1, r;
    if (json_expect(j, '[')) return -1;
    while ((r = json_next(j, ']', &first)) == 1) {
        if (json_expect(j, '[') || json_string(j, text, sizeof text, &tl) || json_expect(j, ',') ||
            json_string(j, label, sizeof label, &ll) || json_expect(j, ']'))
            return -1;
        if (tl == 0 || strpbrk(text, "\t\n\r")) return json_fail(j, "a text that is empty or holds a tab or line end");
        if (ll == 0 || strpbrk(label, "\t\n\r")) return json_fail(j, "an empty intent, or one with a tab or line end");
        tb_put(b, label, ll);
        tb_put(b, "\t", 1);
        tb_put(b, text, tl);
        tb_put(b, "\n", 1);
        (*n)++;
    }
    return r;
}

int convert_clinc150(const char *shared, const char *out) {
    char path[4096], *src;
    size_t n;
    if (read_source(shared, "clinc150/data_full.json", &src, &n, path, sizeof path)) return -1;
    json_cursor j;
    json_init(&j, path, src, n);
    text_buf part[6] = {{0}};
    unsigned count[6] = {0};
    int seen[6] = {0}, first = 1, r, rc = -1;
    if (json_expect(&j, '{')) goto done;
    while ((r = json_next(&j, '}', &first)) == 1) {
        char key[64];
        if (json_string(&j, key, sizeof key, NULL) || json_expect(&j, ':')) goto done;
        int k = -1;
        for (int i = 0; i < 6; i++)
            if (strcmp(key, keys[i]) == 0) k = i;
        if (k < 0) {
            if (json_skip(&j)) goto done;
            continue;
        }
        if (seen[k]++) {
            json_fail(&j, "a split key appears twice");
            goto done;
        }
        if (read_items(&j, &part[k], &count[k])) goto done;
    }
    if (r < 0 || json_end(&j)) goto done;
    for (int i = 0; i < 6; i++)
        if (!seen[i]) {
            char what[64];
            snprintf(what, sizeof what, "no \"%s\" key", keys[i]);
            json_fail(&j, what);
            goto done;
        }
    static const char *const names[3] = {"clinc150_train.tsv", "clinc150_valid.tsv", "clinc150_test.tsv"};
    printf("clinc150: train %u + %u oos, valid %u + %u oos, test %u + %u oos\n", count[0], count[1], count[2],
           count[3], count[4], count[5]);
    for (int s = 0; s < 3; s++) {
        tb_put(&part[2 * s], part[2 * s + 1].p, part[2 * s + 1].n);
        if (write_output(out, names[s], &part[2 * s])) goto done;
    }
    rc = 0;
done:
    if (j.err[0]) fprintf(stderr, "atome-datasets: %s\n", j.err);
    for (int i = 0; i < 6; i++) tb_free(&part[i]);
    free(src);
    return rc;
}

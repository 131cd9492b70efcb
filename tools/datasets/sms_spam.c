/* sms_spam.c — the SMS Spam Collection v.1 (one `ham|spam<TAB>text` per line, no official split)
 * to sms_spam_train.tsv and sms_spam_test.tsv.
 *
 * 1. Deduplicate: a row whose text (every byte after the first tab) equals an earlier row's is
 *    dropped, the first occurrence kept (5574 rows, 5171 distinct texts; no text carries both
 *    labels, which is checked), so that no message is on both sides of the split.
 * 2. Split: classify_split_stratified over the kept rows with classes sorted by name (ham 0,
 *    spam 1), DATASETS_SPLIT_SEED, 20 % test, no valid; each file keeps the source's order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../common/classify_split.h"
#include "datasets.h"

typedef struct {
    const char *label, *text;
    size_t label_len, text_len;
    unsigned line;
} sms_row;

static uint64_t fnv1a(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
    return h;
}

int convert_sms_spam(const char *shared, const char *out) {
    char path[4096], *src;
    size_t n;
    if (read_source(shared, "sms_spam/SMSSpamCollection", &src, &n, path, sizeof path)) return -1;
    size_t lines = 1;
    for (size_t i = 0; i < n; i++) lines += src[i] == '\n';
    sms_row *rows = malloc(lines * sizeof *rows);
    size_t slots = 1;
    while (slots < 2 * lines) slots *= 2;
    int32_t *seen = malloc(slots * sizeof *seen); /* open addressing over the kept texts: row index or -1 */
    uint8_t *label = malloc(lines), *part = malloc(lines);
    text_buf b[2] = {{0}};
    int rc = -1;
    if (!rows || !seen || !label || !part) {
        fprintf(stderr, "atome-datasets: out of memory\n");
        goto done;
    }
    memset(seen, 0xff, slots * sizeof *seen);
    unsigned line = 0, kept = 0, dropped = 0;
    for (char *s = src; *s;) {
        char *nl = strchr(s, '\n');
        if (!nl) {
            fprintf(stderr, "atome-datasets: %s:%u: the last line has no line end\n", path, line + 1);
            goto done;
        }
        line++;
        char *tab = memchr(s, '\t', (size_t)(nl - s));
        if (!tab || tab == s || tab + 1 == nl || nl[-1] == '\r') {
            fprintf(stderr, "atome-datasets: %s:%u: not label<TAB>text\n", path, line);
            goto done;
        }
        sms_row r = {s, tab + 1, (size_t)(tab - s), (size_t)(nl - tab - 1), line};
        size_t h = (size_t)fnv1a(r.text, r.text_len) & (slots - 1);
        int dup = 0;
        for (; seen[h] >= 0; h = (h + 1) & (slots - 1)) {
            const sms_row *o = &rows[seen[h]];
            if (o->text_len == r.text_len && memcmp(o->text, r.text, r.text_len) == 0) {
                if (o->label_len != r.label_len || memcmp(o->label, r.label, r.label_len)) {
                    fprintf(stderr, "atome-datasets: %s:%u: the text of line %u with another label\n", path, line,
                            o->line);
                    goto done;
                }
                dup = 1;
                break;
            }
        }
        if (dup) {
            dropped++;
        } else {
            seen[h] = (int32_t)kept;
            rows[kept++] = r;
        }
        s = nl + 1;
    }
    for (unsigned i = 0; i < kept; i++) {
        int ham = rows[i].label_len == 3 && memcmp(rows[i].label, "ham", 3) == 0;
        int spam = rows[i].label_len == 4 && memcmp(rows[i].label, "spam", 4) == 0;
        if (!ham && !spam) {
            fprintf(stderr, "atome-datasets: %s:%u: the label is neither ham nor spam\n", path, rows[i].line);
            goto done;
        }
        label[i] = (uint8_t)spam; /* classes sorted by name: ham 0, spam 1 */
    }
    if (classify_split_stratified(label, kept, 2, DATASETS_SPLIT_SEED, 0, 20, part)) {
        fprintf(stderr, "atome-datasets: out of memory\n");
        goto done;
    }
    unsigned count[2][2] = {{0}};
    for (unsigned i = 0; i < kept; i++) {
        int t = part[i] == CLASSIFY_TEST;
        count[t][label[i]]++;
        tb_put(&b[t], rows[i].label, rows[i].label_len + 1 + rows[i].text_len + 1);
    }
    printf("sms_spam: %u rows, %u duplicates dropped; train ham %u spam %u, test ham %u spam %u (seed %d)\n", line,
           dropped, count[0][0], count[0][1], count[1][0], count[1][1], DATASETS_SPLIT_SEED);
    if (write_output(out, "sms_spam_train.tsv", &b[0]) || write_output(out, "sms_spam_test.tsv", &b[1])) goto done;
    rc = 0;
done:
    tb_free(&b[0]), tb_free(&b[1]);
    free(rows), free(seen), free(label), free(part), free(src);
    return rc;
}

/* classify_data.c — the classifier's readers, label table, split and quantisation (contracts
 * and formats in classify_data.h). A file is parsed whole into rows that point into its bytes,
 * the label table is built from the training file, then the splits are copied out. */
#include "classify_data.h"
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "atome_ops.h"
#include "host_file.h"

int classify_read_file(const char *path, uint8_t **bytes, size_t *n, char *err, size_t errlen) {
    if (host_read_file(path, SIZE_MAX, bytes, n, err, errlen)) return -1;
    if (*n > 0) return 0;
    /* an empty file is a data error of its first line, named like the others */
    snprintf(err, errlen, "%s:1: empty file: no rows", path);
    free(*bytes);
    *bytes = NULL;
    return -1;
}

/* Up to 40 bytes of s for a message, control bytes shown as ?, so that the message stays one line. */
static const char *shown(const uint8_t *s, size_t n, char *buf) {
    size_t k = n < 40 ? n : 40;
    for (size_t i = 0; i < k; i++) buf[i] = s[i] < 0x20 || s[i] == 0x7f ? '?' : (char)s[i];
    strcpy(buf + k, n > 40 ? "..." : "");
    return buf;
}

void classify_options_default(classify_options *o) {
    memset(o, 0, sizeof *o);
    o->split_seed = 1;
    o->valid_pct = 10;
    o->test_pct = 10;
}

float classify_scale(float min, float max) { return max == min ? 0.0f : 255.0f / (max - min); }

size_t classify_cut(size_t n, size_t max_bytes) { return n < max_bytes ? n : max_bytes; }


/* One parsed file: its bytes and, per row, where its label and text (or its floats) are. */
typedef struct {
    const char *path;
    uint8_t *buf;
    size_t n;
    uint32_t rows, cap;
    uint32_t *line;
    size_t *lab_off, *txt_off, *txt_len;
    uint8_t *lab_len;
    uint16_t *cls; /* class index (training file: first-seen until the table is sorted) */
    float *value;  /* [rows][F] */
} parsed_file;

typedef struct {
    int is_table;
    uint32_t n_cols, label_col, n_features;
    const uint8_t *header; /* the training file's header line, for the others to match */
    size_t header_len;
    char **feature_name;
    /* the label table while the training file is read, first-seen order */
    uint32_t n_labels;
    char names[CLASSIFY_MAX_CLASSES][CLASSIFY_MAX_LABEL + 1];
    uint8_t name_len[CLASSIFY_MAX_CLASSES];
    /* classify_load_fixed: the table is a model's, no file adds to it; the first file read fixes
     * the columns and header_owner names it for the others (NULL: the training file) */
    int fixed_labels;
    const char *header_owner;
} reader;

static int fail(char *err, size_t errlen, const char *path, uint32_t line, const char *fmt, ...) {
    int k = snprintf(err, errlen, "%s:%u: ", path, line);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < errlen) vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

static void parsed_free(parsed_file *p) {
    free(p->buf), free(p->line), free(p->lab_off), free(p->txt_off), free(p->txt_len);
    free(p->lab_len), free(p->cls), free(p->value);
    memset(p, 0, sizeof *p);
}

/* What both loaders leave behind: the reader, its feature names and the three parsed files. */
static void reader_free(reader *r, parsed_file *files) {
    if (r->feature_name) {
        for (uint32_t f = 0; f < r->n_cols; f++) free(r->feature_name[f]);
        free(r->feature_name);
    }
    for (int k = 0; k < 3; k++) parsed_free(&files[k]);
    free(r);
}

static int parsed_grow(parsed_file *p, uint32_t F) {
    if (p->rows < p->cap) return 0;
    uint32_t cap = p->cap ? p->cap * 2 : 1024;
    void *a = realloc(p->line, cap * sizeof *p->line);
    if (a) p->line = a;
    void *b = realloc(p->lab_off, cap * sizeof *p->lab_off);
    if (b) p->lab_off = b;
    void *c = realloc(p->txt_off, cap * sizeof *p->txt_off);
    if (c) p->txt_off = c;
    void *d = realloc(p->txt_len, cap * sizeof *p->txt_len);
    if (d) p->txt_len = d;
    void *e = realloc(p->lab_len, cap * sizeof *p->lab_len);
    if (e) p->lab_len = e;
    void *f = realloc(p->cls, cap * sizeof *p->cls);
    if (f) p->cls = f;
    void *g = F ? realloc(p->value, (size_t)cap * F * sizeof *p->value) : (void *)1;
    if (F && g) p->value = g;
    if (!a || !b || !c || !d || !e || !f || !g) return -1;
    p->cap = cap;
    return 0;
}

/* The label's class: its index in the table, a new entry (training file), or an error. */
static int label_class(reader *r, parsed_file *p, int is_train, const uint8_t *lab, size_t len, uint32_t line,
                       char *err, size_t errlen) {
    char buf[48];
    if (len == 0) return fail(err, errlen, p->path, line, "empty label");
    for (size_t i = 0; i < len; i++)
        if (lab[i] < 0x20 || lab[i] == 0x7f)
            return fail(err, errlen, p->path, line, "label '%s' holds a control byte", shown(lab, len, buf));
    if (len > CLASSIFY_MAX_LABEL)
        return fail(err, errlen, p->path, line, "label '%s' is %zu bytes, at most %d", shown(lab, len, buf), len,
                    CLASSIFY_MAX_LABEL);
    for (uint32_t c = 0; c < r->n_labels; c++)
        if (r->name_len[c] == len && memcmp(r->names[c], lab, len) == 0) return (int)c;
    if (!is_train || r->fixed_labels)
        return fail(err, errlen, p->path, line, "unknown label '%s' (%s)", shown(lab, len, buf),
                    r->fixed_labels ? "not a class of the model" : "not in the training file");
    if (r->n_labels == CLASSIFY_MAX_CLASSES)
        return fail(err, errlen, p->path, line, "label '%s' would be class %d: at most %d classes",
                    shown(lab, len, buf), CLASSIFY_MAX_CLASSES + 1, CLASSIFY_MAX_CLASSES);
    memcpy(r->names[r->n_labels], lab, len);
    r->names[r->n_labels][len] = 0;
    r->name_len[r->n_labels] = (uint8_t)len;
    return (int)r->n_labels++;
}

/* Header of a CSV: the training file fixes the columns, the others must repeat it byte for byte. */
static int read_header(reader *r, parsed_file *p, int is_train, const char *label_col, const uint8_t *s, size_t len,
                       char *err, size_t errlen) {
    if (!is_train) {
        if (len != r->header_len || memcmp(s, r->header, len) != 0)
            return r->header_owner ? fail(err, errlen, p->path, 1, "the header differs from %s's", r->header_owner)
                                   : fail(err, errlen, p->path, 1, "the header differs from the training file's");
        return 0;
    }
    char buf[48];
    r->header = s, r->header_len = len;
    uint32_t n = 1;
    for (size_t i = 0; i < len; i++) n += s[i] == ',';
    char **names = calloc(n, sizeof *names);
    if (!names) return fail(err, errlen, p->path, 1, "out of memory");
    r->feature_name = names; /* freed by the caller's cleanup, even on error */
    r->n_cols = n;
    int found = 0;
    uint32_t f = 0;
    size_t a = 0;
    for (uint32_t col = 0; col < n; col++) {
        size_t b = a;
        while (b < len && s[b] != ',') b++;
        if (b == a) return fail(err, errlen, p->path, 1, "column %u has an empty name", col + 1);
        for (size_t i = a; i < b; i++)
            if (s[i] < 0x20 || s[i] == 0x7f)
                return fail(err, errlen, p->path, 1, "column %u's name holds a control byte", col + 1);
        for (uint32_t k = 0; k < f; k++)
            if (strlen(names[k]) == b - a && memcmp(names[k], s + a, b - a) == 0)
                return fail(err, errlen, p->path, 1, "column '%s' appears twice", shown(s + a, b - a, buf));
        if (strlen(label_col) == b - a && memcmp(label_col, s + a, b - a) == 0) {
            if (found) return fail(err, errlen, p->path, 1, "column '%s' appears twice", label_col);
            found = 1, r->label_col = col;
        } else {
            names[f] = malloc(b - a + 1);
            if (!names[f]) return fail(err, errlen, p->path, 1, "out of memory");
            memcpy(names[f], s + a, b - a);
            names[f++][b - a] = 0;
        }
        a = b + 1;
    }
    if (!found) return fail(err, errlen, p->path, 1, "no column named '%s' (--label-col) in the header", label_col);
    if (f == 0) return fail(err, errlen, p->path, 1, "no feature column besides '%s'", label_col);
    r->n_features = f;
    return 0;
}

/* A CSV row: n_cols fields, the label one and F finite floats. */
static int read_table_row(reader *r, parsed_file *p, const uint8_t *s, size_t len, uint32_t line, size_t *lab_a,
                          size_t *lab_b, char *err, size_t errlen) {
    uint32_t fields = 1;
    for (size_t i = 0; i < len; i++) fields += s[i] == ',';
    if (fields != r->n_cols)
        return fail(err, errlen, p->path, line, "%u fields, the header has %u", fields, r->n_cols);
    char buf[48];
    float *v = p->value + (size_t)p->rows * r->n_features;
    uint32_t f = 0;
    size_t a = 0;
    for (uint32_t col = 0; col < r->n_cols; col++) {
        size_t b = a;
        while (b < len && s[b] != ',') b++;
        if (col == r->label_col) {
            *lab_a = a, *lab_b = b;
        } else {
            char tmp[64], *end;
            size_t k = b - a;
            if (k == 0)
                return fail(err, errlen, p->path, line, "feature '%s' is empty", r->feature_name[f]);
            if (k >= sizeof tmp || s[a] == ' ' || s[a] == '\t')
                return fail(err, errlen, p->path, line, "feature '%s': '%s' is not a number", r->feature_name[f],
                            shown(s + a, k, buf));
            memcpy(tmp, s + a, k);
            tmp[k] = 0;
            float x = strtof(tmp, &end);
            if (end != tmp + k)
                return fail(err, errlen, p->path, line, "feature '%s': '%s' is not a number", r->feature_name[f],
                            shown(s + a, k, buf));
            if (!isfinite(x))
                return fail(err, errlen, p->path, line, "feature '%s': '%s' is not a finite float", r->feature_name[f],
                            tmp);
            v[f++] = x;
        }
        a = b + 1;
    }
    return 0;
}

static int parse_file(reader *r, parsed_file *p, const char *path, int is_train, const char *label_col, char *err,
                      size_t errlen) {
    p->path = path;
    if (classify_read_file(path, &p->buf, &p->n, err, errlen)) return -1;
    uint32_t line = 0;
    for (size_t pos = 0; pos < p->n;) {
        const uint8_t *s = p->buf + pos, *nl = memchr(s, '\n', p->n - pos);
        size_t len = nl ? (size_t)(nl - s) : p->n - pos;
        pos += len + (nl != NULL);
        line++;
        if (len && s[len - 1] == '\r') len--;
        if (r->is_table && line == 1) {
            if (read_header(r, p, is_train, label_col, s, len, err, errlen)) return -1;
            continue;
        }
        if (len == 0) return fail(err, errlen, path, line, "empty line");
        if (parsed_grow(p, r->n_features)) return fail(err, errlen, path, line, "out of memory");
        size_t lab_a = 0, lab_b = 0, txt_a = 0, txt_b = 0;
        if (r->is_table) {
            if (read_table_row(r, p, s, len, line, &lab_a, &lab_b, err, errlen)) return -1;
        } else {
            const uint8_t *tab = memchr(s, '\t', len);
            if (!tab) return fail(err, errlen, path, line, "no tab: a row is label<TAB>text");
            lab_a = 0, lab_b = (size_t)(tab - s), txt_a = lab_b + 1, txt_b = len;
            if (txt_b == txt_a) return fail(err, errlen, path, line, "empty text");
        }
        int c = label_class(r, p, is_train, s + lab_a, lab_b - lab_a, line, err, errlen);
        if (c < 0) return -1;
        uint32_t i = p->rows++;
        p->line[i] = line;
        p->lab_off[i] = (size_t)(s - p->buf) + lab_a;
        p->lab_len[i] = (uint8_t)(lab_b - lab_a);
        p->txt_off[i] = (size_t)(s - p->buf) + txt_a;
        p->txt_len[i] = txt_b - txt_a;
        p->cls[i] = (uint16_t)c;
    }
    if (p->rows == 0)
        return fail(err, errlen, path, line + 1, r->is_table ? "no rows after the header" : "no rows");
    return 0;
}

static int by_name(const void *a, const void *b) {
    const char *x = a, *y = b;
    size_t nx = strlen(x), ny = strlen(y);
    int c = memcmp(x, y, nx < ny ? nx : ny);
    return c ? c : (nx > ny) - (nx < ny);
}

/* Sorts the label table and renumbers the training rows' classes to it. */
static void sort_labels(reader *r, parsed_file *train) {
    char sorted[CLASSIFY_MAX_CLASSES][CLASSIFY_MAX_LABEL + 1];
    memcpy(sorted, r->names, sizeof sorted);
    qsort(sorted, r->n_labels, sizeof sorted[0], by_name);
    uint16_t to_sorted[CLASSIFY_MAX_CLASSES];
    for (uint32_t c = 0; c < r->n_labels; c++)
        for (uint32_t s = 0; s < r->n_labels; s++)
            if (strcmp(r->names[c], sorted[s]) == 0) to_sorted[c] = (uint16_t)s;
    for (uint32_t i = 0; i < train->rows; i++) train->cls[i] = to_sorted[train->cls[i]];
    memcpy(r->names, sorted, sizeof sorted);
    for (uint32_t c = 0; c < r->n_labels; c++) r->name_len[c] = (uint8_t)strlen(r->names[c]);
}

/* Copies the rows of p whose part is want (part NULL: all) into split s. */
static int build_split(const reader *r, const parsed_file *p, const uint8_t *part, int want, const classify_dataset *d,
                       classify_split *s) {
    uint32_t F = r->n_features;
    size_t bytes = 0;
    s->n = 0;
    for (uint32_t i = 0; i < p->rows; i++)
        if (!part || part[i] == want) s->n++, bytes += r->is_table ? F : p->txt_len[i];
    s->label = malloc(s->n ? s->n : 1);
    s->start = malloc((s->n + 1) * sizeof *s->start);
    s->bytes = malloc(bytes ? bytes : 1);
    if (r->is_table) s->value = malloc((size_t)(s->n ? s->n : 1) * F * sizeof *s->value);
    if (!s->label || !s->start || !s->bytes || (r->is_table && !s->value)) return -1;
    uint32_t k = 0;
    size_t at = 0;
    for (uint32_t i = 0; i < p->rows; i++) {
        if (part && part[i] != want) continue;
        s->label[k] = (uint8_t)p->cls[i];
        s->start[k] = at;
        if (r->is_table) {
            const float *v = p->value + (size_t)i * F;
            memcpy(s->value + (size_t)k * F, v, F * sizeof *v);
            for (uint32_t f = 0; f < F; f++) s->bytes[at + f] = feature_quantise(v[f], d->fmin[f], d->fscale[f]);
            at += F;
        } else {
            memcpy(s->bytes + at, p->buf + p->txt_off[i], p->txt_len[i]);
            at += p->txt_len[i];
        }
        k++;
    }
    s->start[k] = at;
    return 0;
}

/* min / max / scale of every feature over the training rows of the data file. */
static int fit_features(const reader *r, const parsed_file *p, const uint8_t *part, classify_dataset *d, char *err,
                        size_t errlen) {
    uint32_t F = r->n_features;
    d->fmin = malloc(F * sizeof *d->fmin), d->fmax = malloc(F * sizeof *d->fmax);
    d->fscale = malloc(F * sizeof *d->fscale);
    if (!d->fmin || !d->fmax || !d->fscale) return fail(err, errlen, p->path, 1, "out of memory");
    for (uint32_t f = 0; f < F; f++) {
        int first = 1;
        for (uint32_t i = 0; i < p->rows; i++) {
            if (part[i] != CLASSIFY_TRAIN) continue;
            float x = p->value[(size_t)i * F + f];
            if (first || x < d->fmin[f]) d->fmin[f] = x;
            if (first || x > d->fmax[f]) d->fmax[f] = x;
            first = 0;
        }
        if (!isfinite(d->fmax[f] - d->fmin[f]))
            return fail(err, errlen, p->path, 1, "feature '%s' spans more than the float range", r->feature_name[f]);
        d->fscale[f] = classify_scale(d->fmin[f], d->fmax[f]);
    }
    return 0;
}

int classify_load(const classify_options *o, classify_dataset *d, char *err, size_t errlen) {
    memset(d, 0, sizeof *d);
    reader *r = calloc(1, sizeof *r);
    parsed_file files[3] = {{0}};
    uint8_t *part = NULL, *label = NULL;
    int rc = -1;
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    r->is_table = o->label_col != NULL;
    const char *paths[3] = {o->data, o->valid, o->test};
    for (int k = 0; k < 3; k++) {
        if (!paths[k]) continue;
        if (parse_file(r, &files[k], paths[k], k == 0, o->label_col, err, errlen)) goto done;
        if (k == 0) sort_labels(r, &files[0]);
    }
    parsed_file *train = &files[0];
    part = calloc(train->rows, 1), label = malloc(train->rows);
    if (!part || !label) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < train->rows; i++) label[i] = (uint8_t)train->cls[i];
    if ((!o->valid || !o->test) &&
        classify_split_stratified(label, train->rows, r->n_labels, o->split_seed, o->valid ? 0 : o->valid_pct,
                                  o->test ? 0 : o->test_pct, part)) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (int k = 1; k < 3; k++) {
        if (paths[k]) continue;
        uint32_t n = 0;
        for (uint32_t i = 0; i < train->rows; i++) n += part[i] == k;
        if (n == 0) {
            snprintf(err, errlen, "%s: %u rows leave none for a held-out %s split (give --%s FILE)", o->data,
                     train->rows, k == 1 ? "valid" : "test", k == 1 ? "valid" : "test");
            goto done;
        }
    }
    d->is_table = r->is_table;
    d->n_classes = r->n_labels;
    memcpy(d->label, r->names, sizeof d->label);
    d->n_features = r->n_features;
    d->feature_name = r->feature_name, r->feature_name = NULL;
    if (r->is_table && fit_features(r, train, part, d, err, errlen)) goto done;
    for (int k = 0; k < 3; k++) {
        int own = paths[k] && k > 0;
        d->held_out[k] = k > 0 && !paths[k];
        d->source[k] = own ? paths[k] : o->data;
        if (build_split(r, own ? &files[k] : train, own ? NULL : part, k, d, &d->split[k])) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
    }
    rc = 0;
done:
    if (rc) classify_free(d);
    reader_free(r, files);
    free(part), free(label);
    return rc;
}
int classify_load_fixed(const classify_options *o, const classify_model_table *t, classify_dataset *d, char *err,
                        size_t errlen) {
    memset(d, 0, sizeof *d);
    if (t->n_classes < 1 || t->n_classes > CLASSIFY_MAX_CLASSES || !o->test) {
        snprintf(err, errlen, "classify_load_fixed: no test file or %u classes", t->n_classes);
        return -1;
    }
    if (t->n_features && !o->label_col) {
        snprintf(err, errlen, "the model reads %u features from a CSV: give --label-col NAME", t->n_features);
        return -1;
    }
    if (!t->n_features && o->label_col) {
        snprintf(err, errlen, "the model reads text (label<TAB>text): --label-col is for a model of features");
        return -1;
    }
    reader *r = calloc(1, sizeof *r);
    parsed_file files[3] = {{0}};
    int rc = -1;
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    r->is_table = o->label_col != NULL;
    r->fixed_labels = 1;
    r->n_labels = t->n_classes;
    for (uint32_t c = 0; c < t->n_classes; c++) {
        size_t len = strlen(t->label[c]);
        if (len == 0 || len > CLASSIFY_MAX_LABEL) {
            snprintf(err, errlen, "the model's class %u has a name of %zu bytes", c, len);
            goto done;
        }
        memcpy(r->names[c], t->label[c], len + 1);
        r->name_len[c] = (uint8_t)len;
    }
    /* the test file first: it fixes the columns, and the --valid file must repeat its header */
    const int order[2] = {CLASSIFY_TEST, CLASSIFY_VALID};
    const char *paths[3] = {NULL, o->valid, o->test};
    for (int i = 0; i < 2; i++) {
        int k = order[i];
        if (!paths[k]) continue;
        if (parse_file(r, &files[k], paths[k], i == 0, o->label_col, err, errlen)) goto done;
        if (i == 0 && r->is_table && r->n_features != t->n_features) {
            fail(err, errlen, paths[k], 1, "%u feature columns besides '%s': the model reads %u", r->n_features,
                 o->label_col, t->n_features);
            goto done;
        }
        r->header_owner = paths[CLASSIFY_TEST];
    }
    d->is_table = r->is_table;
    d->n_classes = t->n_classes;
    memcpy(d->label, r->names, sizeof d->label);
    d->n_features = r->n_features;
    d->feature_name = r->feature_name, r->feature_name = NULL;
    if (r->is_table) {
        size_t bytes = t->n_features * sizeof(float);
        d->fmin = malloc(bytes), d->fscale = malloc(bytes);
        if (!d->fmin || !d->fscale) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        memcpy(d->fmin, t->fmin, bytes);
        memcpy(d->fscale, t->fscale, bytes);
    }
    for (int k = 1; k < 3; k++) {
        if (!paths[k]) continue;
        d->source[k] = paths[k];
        if (build_split(r, &files[k], NULL, 0, d, &d->split[k])) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
    }
    rc = 0;
done:
    if (rc) classify_free(d);
    reader_free(r, files);
    return rc;
}


void classify_free(classify_dataset *d) {
    if (d->feature_name)
        for (uint32_t f = 0; f < d->n_features; f++) free(d->feature_name[f]);
    free(d->feature_name), free(d->fmin), free(d->fmax), free(d->fscale);
    for (int k = 0; k < 3; k++) {
        classify_split *s = &d->split[k];
        free(s->label), free(s->start), free(s->bytes), free(s->value);
    }
    memset(d, 0, sizeof *d);
}

int classify_find_label(const classify_dataset *d, const char *name, size_t len) {
    for (uint32_t c = 0; c < d->n_classes; c++)
        if (strlen(d->label[c]) == len && memcmp(d->label[c], name, len) == 0) return (int)c;
    return -1;
}

void classify_describe(const classify_dataset *d, const classify_options *o, FILE *out) {
    static const char *part_name[3] = {"train", "valid", "test"};
    if (d->is_table)
        fprintf(out, "data: table, %u features, label column '%s', %u classes (sorted by name)\n", d->n_features,
                o->label_col, d->n_classes);
    if (d->is_table && d->n_features <= 16)
        for (uint32_t f = 0; f < d->n_features; f++)
            fprintf(out, "  feature %-16s min %.9g  max %.9g  scale %.9g (training split)\n", d->feature_name[f],
                    d->fmin[f], d->fmax[f], d->fscale[f]);
    else
        fprintf(out, "data: text, %u classes (sorted by name)\n", d->n_classes);
    for (int k = 0; k < 3; k++) {
        fprintf(out, "  %-5s %7u rows  %s", part_name[k], d->split[k].n, d->source[k]);
        if (d->held_out[k])
            fprintf(out, " (held out: seeded stratified %u%%, --split-seed %llu)", k == 1 ? o->valid_pct : o->test_pct,
                    (unsigned long long)o->split_seed);
        else if (k == 0 && (d->held_out[1] || d->held_out[2]))
            fprintf(out, " (less the held-out rows)");
        fprintf(out, "\n");
        if (d->n_classes <= 16) {
            fprintf(out, "       ");
            uint32_t count[CLASSIFY_MAX_CLASSES] = {0};
            for (uint32_t i = 0; i < d->split[k].n; i++) count[d->split[k].label[i]]++;
            for (uint32_t c = 0; c < d->n_classes; c++) fprintf(out, " %s %u", d->label[c], count[c]);
            fprintf(out, "\n");
        }
    }
}

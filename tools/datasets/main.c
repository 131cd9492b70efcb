/* main.c — atome-datasets SHARED_DATA_DIR OUT_DIR [NAME...]: converts the staged classifier
 * sources (clinc150, sms_spam, occupancy, magic_wand; all four when no NAME is given) into the
 * files the classifier's readers take. `make datasets SHARED=...` runs it into data/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdarg.h>
#include "../../common/classify_data.h"
#include "datasets.h"

static const struct {
    const char *name;
    int (*convert)(const char *shared, const char *out);
} sets[] = {
    {"clinc150", convert_clinc150},
    {"sms_spam", convert_sms_spam},
    {"occupancy", convert_occupancy},
    {"magic_wand", convert_magic_wand},
};

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s SHARED_DATA_DIR OUT_DIR [clinc150|sms_spam|occupancy|magic_wand ...]\n", argv[0]);
        return 2;
    }
    for (int a = 3; a < argc; a++) {
        int known = 0;
        for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) known |= strcmp(argv[a], sets[s].name) == 0;
        if (!known) {
            fprintf(stderr, "atome-datasets: unknown set '%s' (clinc150, sms_spam, occupancy, magic_wand)\n", argv[a]);
            return 2;
        }
    }
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        int wanted = argc == 3;
        for (int a = 3; a < argc; a++) wanted |= strcmp(argv[a], sets[s].name) == 0;
        if (wanted && sets[s].convert(argv[1], argv[2])) return 1;
    }
    return 0;
}

void tb_put(text_buf *b, const void *bytes, size_t n) {
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (b->n + n + 1 > cap) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            fprintf(stderr, "atome-datasets: out of memory\n");
            exit(1);
        }
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->n, bytes, n);
    b->n += n;
    b->p[b->n] = 0;
}

void tb_printf(text_buf *b, const char *fmt, ...) {
    char tmp[4096];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= sizeof tmp) {
        fprintf(stderr, "atome-datasets: a line longer than %zu bytes\n", sizeof tmp);
        exit(1);
    }
    tb_put(b, tmp, (size_t)k);
}

void tb_free(text_buf *b) {
    free(b->p);
    b->p = NULL, b->n = b->cap = 0;
}

int read_source(const char *dir, const char *name, char **bytes, size_t *n, char *path, size_t cap) {
    char err[512];
    snprintf(path, cap, "%s/%s", dir, name);
    uint8_t *raw;
    if (classify_read_file(path, &raw, n, err, sizeof err)) {
        fprintf(stderr, "atome-datasets: %s\n", err);
        return -1;
    }
    char *s = realloc(raw, *n + 1); /* NUL-terminated for the parsers' convenience */
    if (!s) {
        free(raw);
        fprintf(stderr, "atome-datasets: out of memory\n");
        return -1;
    }
    s[*n] = 0;
    *bytes = s;
    return 0;
}

int write_output(const char *dir, const char *name, const text_buf *b) {
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(b->p, 1, b->n, f) == b->n;
    if (f && fclose(f)) ok = 0;
    if (!ok || rename(tmp, path)) {
        fprintf(stderr, "atome-datasets: cannot write %s: %s\n", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    printf("  wrote %s (%zu bytes)\n", path, b->n);
    return 0;
}

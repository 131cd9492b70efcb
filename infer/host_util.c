/* host_util.c — file reading and router entropy for atome-infer's modes. */
#define _POSIX_C_SOURCE 200809L
#include "host_util.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

uint8_t *read_file(const char *path, size_t *len, size_t max) {
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        errno = EISDIR;
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            if (cap > max + 1) cap = max + 1;
            uint8_t *nb = n == cap ? NULL : realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                errno = n == cap ? EFBIG : ENOMEM;
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    *len = n;
    return buf;
}

double router_entropy(const float *r) {
    double h = 0.0;
    for (int i = 0; i < 3; i++)
        if (r[i] > 0.0f) h -= (double)r[i] * log((double)r[i]);
    return h / log(3.0);
}

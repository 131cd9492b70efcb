/* util.c — helpers shared by the test suites. */
#include "util.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "../common/host_file.h"
#include "../train/model.h"

uint8_t *make_blob(const atome_config *c, uint64_t seed, size_t *len) {
    long n = atome_param_count(c);
    float *arena = malloc((size_t)n * sizeof(float));
    size_t bytes = model_blob_bytes(c);
    uint8_t *blob = aligned_alloc(4, (bytes + 3) & ~(size_t)3);
    if (!arena || !blob) abort();
    model_init(arena, c, seed, 1.0f);
    model_params p;
    model_params_bind(&p, c, arena);
    model_pack(blob, &p, c);
    free(arena);
    *len = bytes;
    return blob;
}

uint8_t *make_classifier_blob(const atome_config *c, uint64_t seed, const float *feature_min,
                              const float *feature_scale, const char *names, size_t *len) {
    uint8_t *blob = make_blob(c, seed, len);
    model_set_classes(blob, c, feature_min, feature_scale, names);
    return blob;
}

char *read_all(const char *path, size_t *n) {
    uint8_t *b;
    char err[512];
    ck_assert_msg(host_read_file(path, SIZE_MAX, &b, n, err, sizeof err) == 0, "%s", err);
    return (char *)b; /* NUL-terminated by host_read_file */
}

int same_file(const char *a, const char *b) {
    size_t na, nb;
    char *x = read_all(a, &na), *y = read_all(b, &nb);
    int same = na == nb && memcmp(x, y, na) == 0;
    free(x), free(y);
    return same;
}

void scratch_dir(char *dir, size_t cap, const char *tag) {
    ck_assert_int_lt(snprintf(dir, cap, "/tmp/%s-XXXXXX", tag), (int)cap);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

void scratch_data_dir(char *dir, size_t cap, const char *tag) {
    scratch_dir(dir, cap, tag);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "head -c 64000 data/tinystories_train.txt > %s/all.txt && head -c 60000 %s/all.txt > %s/train.txt && "
             "tail -c 4000 %s/all.txt > %s/valid.txt && rm %s/all.txt",
             dir, dir, dir, dir, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
}

void scratch_remove(const char *dir) {
    char cmd[160];
    snprintf(cmd, sizeof cmd, "chmod -R u+rwx %s; rm -rf %s", dir, dir);
    ck_assert_int_eq(system(cmd), 0);
}

void write_model(const char *path, const atome_config *c, uint64_t seed) {
    size_t len;
    uint8_t *blob = make_blob(c, seed, &len);
    write_file(path, blob, len);
    free(blob);
}

int run_cmd(const char *cmd, char *out, size_t cap) {
    char *full = malloc(strlen(cmd) + 8);
    if (!full) return -1;
    sprintf(full, "%s 2>&1", cmd);
    FILE *f = popen(full, "r");
    free(full);
    if (!f) return -1;
    size_t n = 0;
    char sink[4096];
    for (;;) {
        char *dst = out && n + 1 < cap ? out + n : sink;
        size_t room = out && n + 1 < cap ? cap - 1 - n : sizeof sink;
        size_t got = fread(dst, 1, room, f);
        if (dst != sink) n += got;
        if (got == 0) break;
    }
    if (out && cap) out[n] = 0;
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void write_file(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(p, 1, n, f), n);
    fclose(f);
}

void blob_reseal(uint8_t *blob, size_t len) {
    uint32_t crc = atome_crc32(atome_crc32(0, blob, 60), blob + ATOME_HEADER_BYTES, len - ATOME_HEADER_BYTES);
    for (int i = 0; i < 4; i++) blob[60 + i] = (uint8_t)(crc >> 8 * i);
}

void expect_one_line_error(const char *cmd, int status, const char *needle) {
    char out[4096];
    int st = run_cmd(cmd, out, sizeof out);
    ck_assert_msg(st == status, "%s: exit %d, want %d (%s)", cmd, st, status, out);
    ck_assert_msg(strstr(out, needle) != NULL, "%s: '%s' not in: %s", cmd, needle, out);
    ck_assert_msg(strchr(out, '\n') == out + strlen(out) - 1, "%s: not one line: %s", cmd, out);
    ck_assert_msg(!strstr(out, "Sanitizer"), "%s: sanitizer report", cmd);
}

void expect_same_run(const char *a, const char *b, const char *what) {
    static const char *const files[] = {"model.bin", "checkpoint.bin"};
    for (int i = 0; i < 2; i++) {
        char pa[512], pb[512];
        snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
        ck_assert_msg(same_file(pa, pb), "%s differs: %s", files[i], what);
    }
}

void text_append(const char *s, void *ctx) {
    text_buf *t = ctx;
    size_t k = strlen(s);
    if (t->n + k + 1 > t->cap) {
        t->cap = 2 * (t->n + k + 1);
        t->p = realloc(t->p, t->cap);
        ck_assert_ptr_nonnull(t->p);
    }
    memcpy(t->p + t->n, s, k + 1);
    t->n += k;
}

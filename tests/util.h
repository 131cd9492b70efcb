/* util.h — helpers shared by the test suites. */
#ifndef TESTS_UTIL_H
#define TESTS_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include "../common/atome_config.h"

/* A growing NUL-terminated string: the parity texts the firmware tests collect line by line. */
typedef struct {
    char *p;
    size_t n, cap;
} text_buf;
/* Appends s to the text_buf ctx (fw_emit's shape, so that fw_digest and fw_classify write into it). */
void text_append(const char *s, void *ctx);

/* A freshly initialised model of config c (seeded), packed as a blob; malloc'd, 4-aligned. */
uint8_t *make_blob(const atome_config *c, uint64_t seed, size_t *len);
/* make_blob for a classifier config (c->n_classes > 0): its feature constants (c->n_features
 * floats each; NULL for text) and label names (c->label_bytes bytes) written by model_set_classes. */
uint8_t *make_classifier_blob(const atome_config *c, uint64_t seed, const float *feature_min,
                              const float *feature_scale, const char *names, size_t *len);

/* Runs a shell command; returns its exit status (or -1) and, if out is not NULL, up to
 * cap-1 bytes of its stdout+stderr, NUL-terminated. */
int run_cmd(const char *cmd, char *out, size_t cap);

/* The whole file at path, NUL-terminated, malloc'd; its length in *n. Fails the running test
 * if it cannot be read. */
char *read_all(const char *path, size_t *n);
/* 1 if the files at a and b hold the same bytes. */
int same_file(const char *a, const char *b);
/* Fails the running test unless the training runs in directories a and b wrote the same model.bin and
 * checkpoint.bin, naming the file and `what`. */
void expect_same_run(const char *a, const char *b, const char *what);

/* A fresh, empty directory /tmp/<tag>-XXXXXX, its path into dir[cap]. scratch_remove deletes it,
 * whatever modes a test left in it. */
void scratch_dir(char *dir, size_t cap, const char *tag);
void scratch_remove(const char *dir);
/* scratch_dir holding train.txt, the first 60,000 bytes of data/tinystories_train.txt, and
 * valid.txt, the next 4,000: the trainer tests' data. */
void scratch_data_dir(char *dir, size_t cap, const char *tag);

/* make_blob(c, seed) written to path. */
void write_model(const char *path, const atome_config *c, uint64_t seed);

/* Writes the CRC of whatever the blob of len bytes now holds into its header, as an attacker would. */
void blob_reseal(uint8_t *blob, size_t len);

/* Writes n bytes to path, failing the running test if it cannot. */
void write_file(const char *path, const void *p, size_t n);

/* Runs cmd and fails the test unless it exits with status and prints exactly one line, holding
 * needle, and no sanitizer report. */
void expect_one_line_error(const char *cmd, int status, const char *needle);

#endif

/* host_util.h — what atome-infer's modes share on the host (never part of the engine). */
#ifndef ATOME_HOST_UTIL_H
#define ATOME_HOST_UTIL_H
#include <stddef.h>
#include <stdint.h>

/* The whole file in a malloc'd buffer (malloc's alignment, so a blob can be read in place),
 * at most max bytes; NULL with errno set (EISDIR for a directory, EFBIG past max). */
uint8_t *read_file(const char *path, size_t *len, size_t max);

/* Router entropy of one layer's mix r[3], in units of ln 3 (0: one pathway decides, 1: all equal). */
double router_entropy(const float *r);

#endif

/* host_file.h — the one whole-file reader of the host tools and tests (atome-train, atome-infer,
 * atome-header, the test suites). Host only: it opens, reads and allocates, so neither the engine
 * nor a firmware links it (the mk files list it for the host programs alone).
 */
#ifndef ATOME_HOST_FILE_H
#define ATOME_HOST_FILE_H
#include <stddef.h>
#include <stdint.h>

/* Reads the whole file at path into a malloc'd buffer: *bytes (malloc's alignment, so a model
 * blob can be bound in place), *n its length, and one NUL byte after the last (text can be used
 * as a string; not counted in *n). A file longer than max bytes is refused. Returns 0, or -1
 * with *bytes NULL, errno set (that of open or read; EISDIR for a directory, EFBIG past max,
 * ENOMEM) and, if err is not NULL, one line in err naming the file and the problem:
 *   "cannot open PATH: REASON", "PATH is a directory", "cannot read PATH: REASON",
 *   "PATH is larger than MAX bytes", "PATH: out of memory". */
int host_read_file(const char *path, size_t max, uint8_t **bytes, size_t *n, char *err, size_t errlen);

#endif

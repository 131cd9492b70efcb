/* fuzz_util.h — what the libFuzzer harnesses of tests/fuzz/ share (host only, never shipped).
 *
 * The readers under test take a path, not bytes; a harness hands them its input as a memfd
 * reached through /proc/self/fd/N: a regular file that lives in memory, so no input ever
 * touches the disk and a run leaves nothing behind.
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H
#include <stddef.h>
#include <stdint.h>

/* A memfd holding the n bytes at p; its path into path[cap]. Returns the fd (close it when
 * done), or aborts: a harness that cannot make its file has no result to give. */
int fuzz_memfile(const uint8_t *p, size_t n, char *path, size_t cap);

/* Sends stdout to /dev/null: readers that print tables would drown libFuzzer's own lines. */
void fuzz_quiet_stdout(void);

#endif

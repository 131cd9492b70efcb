/* arena.h — the one-allocation activation arena of fb.c and vanilla.c (llm.c style): a layout
 * function is run twice, first with base NULL to size the arena, then to point every array
 * into it. */
#ifndef TRAIN_ARENA_H
#define TRAIN_ARENA_H
#include <stdlib.h>
#include <string.h>

/* Claims n bytes at *off, 64-byte aligned (a cache line, and whole vectors for the matrix kernels);
 * with base NULL it only sizes. */
static inline void *arena_take(char *base, size_t *off, size_t n) {
    void *ptr = base ? base + *off : NULL;
    *off += (n + 63) & ~(size_t)63;
    return ptr;
}

/* bytes of zeroed memory, 64-byte aligned, or NULL. */
static inline void *arena_alloc(size_t bytes) {
    void *p = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    if (p) memset(p, 0, bytes);
    return p;
}

#endif

/* json_lite.h — just enough JSON for the dataset converters: objects, arrays, strings (with
 * their escapes decoded to UTF-8), numbers read by strtof, and skipping any value. A cursor
 * walks a whole file in memory; the first error is kept as `FILE:LINE: what is wrong`. */
#ifndef TOOLS_JSON_LITE_H
#define TOOLS_JSON_LITE_H
#include <stddef.h>

typedef struct {
    const char *path;
    const char *p, *begin, *end;
    char err[256]; /* empty while all is well */
} json_cursor;

void json_init(json_cursor *j, const char *path, const char *bytes, size_t n);
/* Records the error (at the cursor's line) and returns -1. */
int json_fail(json_cursor *j, const char *what);
/* The next non-blank byte (0 at the end) without taking it. */
char json_peek(json_cursor *j);
/* Takes byte c (after blanks) or fails. */
int json_expect(json_cursor *j, char c);
/* A string into out[cap] (NUL-terminated, its decoded length in *len). */
int json_string(json_cursor *j, char *out, size_t cap, size_t *len);
int json_float(json_cursor *j, float *x);
int json_skip(json_cursor *j);
/* Steps through a container already opened by json_expect('[' or '{'): returns 1 if another
 * element follows (taking the ',' between elements), 0 at the closing byte (taken), -1 on error. */
int json_next(json_cursor *j, char close, int *first);
/* Checks that only blanks are left. */
int json_end(json_cursor *j);

#endif

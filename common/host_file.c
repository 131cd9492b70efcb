/* host_file.c — the whole-file reader of the host side (contract in host_file.h). */
#define _POSIX_C_SOURCE 200809L
#include "host_file.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(int e, char *err, size_t errlen, const char *fmt, const char *path, const char *extra) {
    if (err && errlen) snprintf(err, errlen, fmt, path, extra);
    errno = e;
    return -1;
}

int host_read_file(const char *path, size_t max, uint8_t **bytes, size_t *n, char *err, size_t errlen) {
    *bytes = NULL, *n = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        int e = errno;
        return fail(e, err, errlen, "cannot open %s: %s", path, strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return fail(e, err, errlen, "cannot read %s: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return fail(EISDIR, err, errlen, "%s is a directory%s", path, "");
    }
    if (max > SIZE_MAX / 4) max = SIZE_MAX / 4; /* so that the sizes below cannot wrap */
    /* A regular file's size is known; pipes and /proc files grow the buffer as they deliver. The
     * buffer always keeps one byte free: reading into it is what tells "exactly full" from "more". */
    size_t cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : (size_t)1 << 16, len = 0;
    if (cap > max + 1) cap = max + 1;
    uint8_t *buf = malloc(cap + 1);
    int e = 0;
    while (buf) {
        ssize_t got = read(fd, buf + len, cap - len);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            e = errno;
            break;
        }
        if (got == 0) break;
        len += (size_t)got;
        if (len > max) {
            e = EFBIG;
            break;
        }
        if (len == cap) {
            cap = cap > max / 2 ? max + 1 : 2 * cap;
            uint8_t *bigger = realloc(buf, cap + 1);
            if (!bigger) free(buf);
            buf = bigger;
        }
    }
    close(fd);
    if (!buf) return fail(ENOMEM, err, errlen, "%s: out of memory%s", path, "");
    if (e) {
        free(buf);
        if (e == EFBIG) {
            char lim[32];
            snprintf(lim, sizeof lim, "%zu", max);
            return fail(e, err, errlen, "%s is larger than %s bytes", path, lim);
        }
        return fail(e, err, errlen, "cannot read %s: %s", path, strerror(e));
    }
    buf[len] = 0;
    *bytes = buf, *n = len;
    return 0;
}

/* fuzz_util.c — memfd inputs for the fuzz harnesses (fuzz_util.h). */
#define _GNU_SOURCE
#include "fuzz_util.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int fuzz_memfile(const uint8_t *p, size_t n, char *path, size_t cap) {
    int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    if (fd < 0) {
        perror("fuzz: memfd_create");
        abort();
    }
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, p + off, n - off);
        if (w <= 0) {
            perror("fuzz: write to memfd");
            abort();
        }
        off += (size_t)w;
    }
    snprintf(path, cap, "/proc/self/fd/%d", fd);
    return fd;
}

void fuzz_quiet_stdout(void) {
    if (!freopen("/dev/null", "w", stdout)) {
        perror("fuzz: /dev/null");
        abort();
    }
}

/* run_util.c — what both of atome-train's tasks share around their loops: the output directory
 * (its lock and write probe), the log's trim on --resume, checked writes, the clock (API in
 * run_util.h). */
#include "run_util.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "checkpoint.h"
#include "data.h"
#include "options.h"

char *path_in(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p) cli_die("out of memory");
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* The run's exclusive hold on --out: an advisory flock on the directory itself, so there is no
 * lock file to create or clean up, and the kernel drops it when the process ends, by kill -9
 * too (the next --resume is never refused by a dead run). Two runs on one directory would
 * replace each other's files; the second is refused before it writes anything. */
static int out_dir_lock = -1;

void lock_out_dir(const char *dir) {
    if (out_dir_lock >= 0) return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) cli_die("cannot open output directory %s: %s", dir, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            cli_die("--out %s is in use by another atome-train run; wait for it to end or choose another --out", dir);
        cli_die("cannot lock output directory %s: %s", dir, strerror(errno));
    }
    out_dir_lock = fd; /* held, open, until the process ends */
}

/* mkdir -p: makes dir and any missing parent, like `mkdir -p`. Returns how many directories it
 * made (their paths are dir cut at its last `made` slashes-or-end), or -1 with errno set. */
static int make_dirs(const char *dir) {
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path) return errno = ENAMETOOLONG, -1;
    memcpy(path, dir, n + 1);
    int made = 0;
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != 0) continue;
        char keep = path[i];
        path[i] = 0;
        if (mkdir(path, 0755) == 0) made++;
        else if (errno != EEXIST) return -1;
        path[i] = keep;
    }
    return made;
}

/* Removes the `made` innermost directories of dir again (those make_dirs created). */
static void remove_made(const char *dir, int made) {
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    while (made-- > 0) {
        rmdir(path);
        char *slash = strrchr(path, '/');
        if (!slash) break;
        *slash = 0;
    }
}

/* Makes sure dir exists (its missing parents too, as `mkdir -p`: --out runs/x on a fresh checkout)
 * and takes files; directories made here for nothing are removed again. */
void prepare_out_dir(const char *dir) {
    struct stat st;
    int created = 0;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) cli_die("--out %s exists and is not a directory", dir);
    } else if ((created = make_dirs(dir)) < 0) {
        cli_die("cannot create output directory %s: %s", dir, strerror(errno));
    }
    lock_out_dir(dir); /* a no-op if start() took it already */
    char *probe = path_in(dir, ".atome-train-probe");
    FILE *fp = fopen(probe, "wb");
    int e = errno;
    if (fp) fclose(fp), unlink(probe);
    free(probe);
    if (!fp) {
        remove_made(dir, created);
        cli_die("output directory %s is not writable: %s", dir, strerror(e));
    }
}

/* Keeps the log lines of evaluations at or before `step` (a killed run may have logged past its
 * last checkpoint, or died mid-line) so the resumed run's log reads as one run's. */
void trim_log(const char *path, int64_t step) {
    uint8_t *buf;
    size_t n;
    char err[256];
    if (access(path, F_OK) != 0 || data_read_file(path, &buf, &n, err, sizeof err)) return;
    size_t keep = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && buf[j] != '\n') j++;
        /* sscanf wants a string, and buf holds no NUL: it would read past the buffer's end (and
         * its %lld skip the newline into the next line). The line's start, terminated, is enough. */
        char head[32];
        size_t k = j - i < sizeof head - 1 ? j - i : sizeof head - 1;
        memcpy(head, buf + i, k), head[k] = 0;
        long long s;
        if (j == n || sscanf(head, "{\"step\": %lld", &s) != 1 || s > step) break;
        keep = j + 1, i = j + 1;
    }
    const void *bufs[1] = {buf};
    if (write_atomic(path, bufs, &keep, 1, err, sizeof err)) cli_die("%s", err);
    free(buf);
}


/* A failed write (a full disk, /dev/full) ends the run with one line and exit 1: a run whose
 * progress or log was cut would otherwise look finished. Checked at each flush of f. */
void check_written(FILE *f, const char *what) {
    errno = 0;
    if (fflush(f) == 0 && !ferror(f)) return;
    cli_die("cannot write %s: %s", what, strerror(errno ? errno : EIO));
}

void check_stdout(void) { check_written(stdout, "the standard output"); }

double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

const char *hms(double s, char *buf) {
    long t = (long)(s + 0.5);
    if (t >= 3600) sprintf(buf, "%ldh%02ldm", t / 3600, t / 60 % 60);
    else if (t >= 60) sprintf(buf, "%ldm%02lds", t / 60, t % 60);
    else sprintf(buf, "%lds", t);
    return buf;
}

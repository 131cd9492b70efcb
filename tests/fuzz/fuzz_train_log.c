/* fuzz_train_log.c — libFuzzer harness: atome-train's log reader, trim_log (train/run_util.c).
 *
 * On --resume the trainer keeps the lines of log.jsonl whose {"step": N} is at or before the
 * checkpoint's step and drops the rest. This file includes train/run_util.c whole, so that the
 * sscanf shim below replaces the one trim_log calls. Input: byte 0 picks the checkpoint's
 * step (50 per unit: the logs' steps are multiples of small --eval-every values), the rest is
 * the log, written to a file in a private directory (trim_log replaces it atomically, by
 * rename, so it must be a real file). After the call the file must be a prefix of the log
 * made of whole lines.
 *
 * glibc's sscanf first measures its string with an uninstrumented rawmemchr, so a string with
 * no NUL inside its buffer would be read past its end unseen; the shim below measures it with
 * strlen, which ASan checks, before it hands over.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fuzz_sscanf(const char *s, const char *fmt, ...) {
    volatile size_t n = strlen(s); /* the read glibc does unchecked */
    (void)n;
    va_list ap;
    va_start(ap, fmt);
    int r = vsscanf(s, fmt, ap);
    va_end(ap);
    return r;
}
#define sscanf fuzz_sscanf
#include "../../train/run_util.c"
#undef sscanf

static char dir[] = "/tmp/atome-fuzz-log-XXXXXX";
static char log_path[sizeof dir + 16];

static void remove_dir(void) {
    unlink(log_path);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!log_path[0]) {
        if (!mkdtemp(dir)) abort();
        snprintf(log_path, sizeof log_path, "%s/log.jsonl", dir);
        atexit(remove_dir);
    }
    if (size < 1) return 0;
    int64_t step = 50 * (int64_t)data[0];
    data++, size--;
    FILE *f = fopen(log_path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f)) abort();
    trim_log(log_path, step);
    f = fopen(log_path, "rb");
    if (!f) abort();
    uint8_t *kept = malloc(size + 1);
    size_t n = fread(kept, 1, size + 1, f);
    fclose(f);
    if (n > size || memcmp(kept, data, n) || (n > 0 && kept[n - 1] != '\n')) abort();
    free(kept);
    return 0;
}

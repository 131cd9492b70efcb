/* digest_main.c — the parity text (infer/firmware/fw_digest.h) of examples/firmware_loop/model.h
 * on stdout, for an engine built from the Arduino library's src/engine/ by a compiler left at its
 * defaults (tests/test_library.c: aarch64, GNU C, where GCC fuses a*b+c unless told not to). */
#include <stdio.h>
#include "model.h"
#include "atome.h"
#include "fw_digest.h"

static atome_model m;
static atome_state st;

static void emit(const char *s, void *ctx) {
    (void)ctx;
    fputs(s, stdout);
}

int main(void) {
    int err = fw_digest(model, model_LEN, &m, &st, emit, NULL);
    return err != ATOME_OK || fflush(stdout) != 0;
}

/* lm_only.c — `lm-only MODEL.bin`: the language-model-only engine (ATOME_CLASSIFIER 0,
 * common/atome_config.h) on the host.
 *
 * Built from the engine's sources with -DATOME_CLASSIFIER=0 (mk/tests.mk), so that it links none of
 * the loader's classifier path, it prints the firmware's parity text (fw_digest.h) of MODEL.bin:
 * the CRC-32 of the logits at every position, or "error <atome_strerror>" for a blob it refuses.
 * tests/test_lm_only.c compares the text with the full engine's and checks that a classifier is
 * refused. Exit status: the loader's error code (0: loaded and run); 100 if the file cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include "../../infer/atome.h"
#include "../../infer/firmware/fw_digest.h"

#if ATOME_CLASSIFIER
#error "lm_only.c is the engine built with -DATOME_CLASSIFIER=0"
#endif

static atome_model model;
static atome_state state;

static void put(const char *s, void *ctx) { fputs(s, ctx); }

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: lm-only MODEL.bin\n");
        return 100;
    }
    FILE *f = fopen(argv[1], "rb");
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    uint8_t *blob = n >= 0 ? aligned_alloc(4, ((size_t)n + 4) & ~(size_t)3) : NULL;
    if (!blob || fseek(f, 0, SEEK_SET) != 0 || fread(blob, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "lm-only: cannot read %s\n", argv[1]);
        return 100;
    }
    fclose(f);
    int err = fw_digest(blob, (size_t)n, &model, &state, put, stdout);
    free(blob);
    return err;
}

/* lm_only.c — `lm-only MODEL.bin`: a language model's firmware engine on the host, the language-
 * model-only engine without the loader's value check (ATOME_CLASSIFIER 0, ATOME_CHECK_VALUES 0,
 * common/atome_config.h), as mk/mcu.mk builds every language model's firmware.
 *
 * Built from the engine's sources with both switches (mk/tests.mk), so that it links none of the
 * loader's classifier path nor its value check, it prints the firmware's parity text (fw_digest.h) of MODEL.bin:
 * the CRC-32 of the logits at every position, or "error <atome_strerror>" for a blob it refuses.
 * tests/test_lm_only.c compares the text with the full engine's, checks that a classifier is
 * refused, and that a blob whose floats only the value check refuses loads. Exit status: the loader's error code (0: loaded and run); 100 if the file cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include "../../common/host_file.h"
#include "../../infer/atome.h"
#include "../../infer/firmware/fw_digest.h"

#if ATOME_CLASSIFIER || ATOME_CHECK_VALUES
#error "lm_only.c is the engine built with -DATOME_CLASSIFIER=0 -DATOME_CHECK_VALUES=0"
#endif

static atome_model model;
static atome_state state;

static void put(const char *s, void *ctx) { fputs(s, ctx); }

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: lm-only MODEL.bin\n");
        return 100;
    }
    uint8_t *blob;
    size_t n;
    char err_line[300];
    if (host_read_file(argv[1], (size_t)64 << 20, &blob, &n, err_line, sizeof err_line)) {
        fprintf(stderr, "lm-only: %s\n", err_line);
        return 100;
    }
    int err = fw_digest(blob, n, &model, &state, put, stdout);
    free(blob);
    return err;
}

/* init_blob.c — `init-blob PRESET SEED OUT.bin [--window W]`: an untrained model blob
 * (`init-blob --params PRESET` prints the parameter count).
 *
 * Seeded model_init, then model_pack: the same bytes the trainer exports at step 0. The firmware
 * parity runs and the size, RAM and speed tables use these until trained checkpoints exist (cost
 * and RAM do not depend on what the weights learned). Written via OUT.bin.tmp and renamed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../train/model.h"

int main(int argc, char **argv) {
    atome_config c;
    if (argc == 3 && strcmp(argv[1], "--params") == 0 && atome_preset(argv[2], &c) == 0) {
        printf("%ld\n", atome_param_count(&c));
        return 0;
    }
    if (argc != 4 && !(argc == 6 && strcmp(argv[4], "--window") == 0)) {
        fprintf(stderr, "usage: init-blob PRESET SEED OUT.bin [--window W] | init-blob --params PRESET\n");
        return 2;
    }
    if (atome_preset(argv[1], &c) != 0) {
        fprintf(stderr, "init-blob: unknown preset '%s'\n", argv[1]);
        return 2;
    }
    char *end;
    unsigned long long seed = strtoull(argv[2], &end, 10);
    if (*end || end == argv[2]) {
        fprintf(stderr, "init-blob: seed '%s' is not a number\n", argv[2]);
        return 2;
    }
    if (argc == 6) {
        long w = strtol(argv[5], &end, 10);
        c.window = (int)w;
        if (*end || w < 1 || !atome_config_fits(&c)) {
            fprintf(stderr, "init-blob: window '%s' is not in 1..%d\n", argv[5], ATOME_MAX_WINDOW);
            return 2;
        }
    }
    long n = atome_param_count(&c);
    size_t bytes = model_blob_bytes(&c);
    float *arena = malloc((size_t)n * sizeof(float));
    uint8_t *blob = malloc(bytes);
    if (!arena || !blob) {
        fprintf(stderr, "init-blob: out of memory\n");
        return 1;
    }
    model_params p;
    model_params_bind(&p, &c, arena);
    model_init(arena, &c, seed, 1.0f);
    model_pack(blob, &p, &c);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[3]);
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(blob, 1, bytes, f) != bytes || fclose(f) != 0 || rename(tmp, argv[3]) != 0) {
        fprintf(stderr, "init-blob: cannot write %s: %s\n", argv[3], strerror(errno));
        remove(tmp);
        return 1;
    }
    free(arena);
    free(blob);
    return 0;
}

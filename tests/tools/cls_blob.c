/* cls_blob.c — `cls-blob PRESET SEED TRAIN OUT.bin [--label-col NAME] [--window W]`: an untrained
 * classifier blob for the firmware runs and tables, until trained heads replace it.
 *
 * The preset's backbone and window (or W), a head [C, D] for the C labels of TRAIN (a text TSV,
 * or with --label-col a CSV of sensor features), seeded model_init, model_pack, then
 * model_set_classes with TRAIN's label names (sorted, common/classify_data.h) and, for a CSV, the
 * feature constants fitted on all of TRAIN's rows: a blob laid out as a trained one, whose class
 * logits are those of random weights. Firmware cost and RAM do not depend on what the weights
 * learned. Written via OUT.bin.tmp and renamed; errors are one line, exit 1 (2 for usage).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../common/classify_data.h"
#include "../../train/model.h"

static int usage(void) {
    fprintf(stderr, "usage: cls-blob PRESET SEED TRAIN OUT.bin [--label-col NAME] [--window W]\n");
    return 2;
}

int main(int argc, char **argv) {
    const char *col = NULL, *pos[4];
    long window = 0;
    int n_pos = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--label-col") == 0 && i + 1 < argc) col = argv[++i];
        else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc) window = strtol(argv[++i], NULL, 10);
        else if (argv[i][0] != '-' && n_pos < 4) pos[n_pos++] = argv[i];
        else return usage();
    }
    if (n_pos != 4) return usage();
    atome_config c;
    if (atome_preset(pos[0], &c) != 0) {
        fprintf(stderr, "cls-blob: unknown preset '%s'\n", pos[0]);
        return 2;
    }
    char *end;
    unsigned long long seed = strtoull(pos[1], &end, 10);
    if (*end || end == pos[1]) {
        fprintf(stderr, "cls-blob: seed '%s' is not a number\n", pos[1]);
        return 2;
    }
    /* Every row of TRAIN is a training row: the file names itself as valid and test split too. */
    classify_options o;
    classify_options_default(&o);
    o.data = o.valid = o.test = pos[2];
    o.label_col = col;
    classify_dataset d;
    char err[512];
    if (classify_load(&o, &d, err, sizeof err)) {
        fprintf(stderr, "cls-blob: %s\n", err);
        return 1;
    }
    char names[CLASSIFY_MAX_CLASSES * (CLASSIFY_MAX_LABEL + 1)];
    int label_bytes = 0;
    for (uint32_t k = 0; k < d.n_classes; k++) {
        size_t n = strlen(d.label[k]) + 1;
        memcpy(names + label_bytes, d.label[k], n);
        label_bytes += (int)n;
    }
    c.n_classes = (int)d.n_classes, c.n_features = (int)d.n_features, c.label_bytes = label_bytes;
    if (window) c.window = (int)window;
    if (!atome_config_fits(&c)) {
        fprintf(stderr, "cls-blob: %s: %u classes, %u features or window %d do not fit this build\n", pos[2],
                d.n_classes, d.n_features, c.window);
        return 1;
    }
    size_t bytes = model_blob_bytes(&c);
    float *arena = malloc((size_t)atome_param_count(&c) * sizeof(float));
    uint8_t *blob = malloc(bytes);
    if (!arena || !blob) {
        fprintf(stderr, "cls-blob: out of memory\n");
        return 1;
    }
    model_params p;
    model_params_bind(&p, &c, arena);
    model_init(arena, &c, seed, 1.0f);
    model_pack(blob, &p, &c);
    model_set_classes(blob, &c, d.fmin, d.fscale, names);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", pos[3]);
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(blob, 1, bytes, f) != bytes || fclose(f) != 0 || rename(tmp, pos[3]) != 0) {
        fprintf(stderr, "cls-blob: cannot write %s: %s\n", pos[3], strerror(errno));
        remove(tmp);
        return 1;
    }
    classify_free(&d);
    free(arena), free(blob);
    return 0;
}

/* cls_rows.c — `cls-rows MODEL.bin TEST OUT.h [--label-col NAME] [--rows N]`: a classifier's test
 * rows as C source for the classifier firmware (infer/firmware/fw_main.c -DFW_CLASSIFY).
 *
 * Picks N rows (default 6) of TEST as rows_pick.h says and writes them, const so that they stay in
 * flash, as `static const fw_rows fw_baked_rows` (infer/firmware/fw_rows.h, to be included first):
 * a text row's bytes, or a sensor row's F raw floats as hex float literals (their exact bits; the
 * firmware runs atome_features on them, as a firmware reading a sensor would), and each row's true
 * class. Written via OUT.h.tmp and renamed; errors are one line, exit 1 (2 for usage).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../common/host_file.h"
#include "rows_pick.h"

static int usage(void) {
    fprintf(stderr, "usage: cls-rows MODEL.bin TEST OUT.h [--label-col NAME] [--rows N]\n");
    return 2;
}

static const char *label_name(const atome_weights *w, int k) {
    const char *p = w->labels;
    while (k--) p += strlen(p) + 1;
    return p;
}

static int write_rows(FILE *f, const char *test, const atome_weights *w, const rows_picked *p) {
    const fw_rows *r = &p->rows;
    uint32_t F = r->features;
    fprintf(f,
            "/* atome_rows.h — %u rows of %s for the classifier firmware, written by cls-rows; do not edit.\n"
            " * Include infer/firmware/fw_rows.h first. Row %u is the typical one (the test file's median length). */\n"
            "#ifndef ATOME_ROWS_H\n#define ATOME_ROWS_H\n",
            r->n, test, r->typical);
    fprintf(f, "static const uint8_t fw_rows_label[%u] = {", r->n);
    for (uint32_t i = 0; i < r->n; i++) fprintf(f, "%s%u", i ? ", " : "", r->label[i]);
    fprintf(f, "};\n");
    if (F) {
        fprintf(f, "static const float fw_rows_raw[%u] = {\n", r->n * F);
        for (uint32_t i = 0; i < r->n; i++) {
            fprintf(f, "    /* row %u: line %u, %s */\n", i, p->line[i], label_name(w, r->label[i]));
            for (uint32_t j = 0; j < F; j++)
                fprintf(f, "%s%af,%s", j % 4 ? " " : "    ", (double)r->raw[(size_t)i * F + j],
                        j % 4 == 3 || j + 1 == F ? "\n" : "");
        }
        fprintf(f, "};\n"
                   "static const fw_rows fw_baked_rows = {%u, %u, %u, fw_rows_label, 0, 0, fw_rows_raw};\n",
                r->n, F, r->typical);
    } else {
        fprintf(f, "static const uint32_t fw_rows_start[%u] = {", r->n + 1);
        for (uint32_t i = 0; i <= r->n; i++) fprintf(f, "%s%u", i ? ", " : "", r->start[i]);
        fprintf(f, "};\nstatic const uint8_t fw_rows_bytes[%u] = {\n", r->start[r->n]);
        for (uint32_t i = 0; i < r->n; i++) {
            fprintf(f, "    /* row %u: line %u, %s, %u bytes */\n", i, p->line[i], label_name(w, r->label[i]),
                    r->start[i + 1] - r->start[i]);
            for (uint32_t b = r->start[i], j = 0; b < r->start[i + 1]; b++, j++)
                fprintf(f, "%s0x%02x,%s", j % 16 ? " " : "    ", r->bytes[b],
                        j % 16 == 15 || b + 1 == r->start[i + 1] ? "\n" : "");
        }
        fprintf(f, "};\n"
                   "static const fw_rows fw_baked_rows = {%u, 0, %u, fw_rows_label, fw_rows_start, fw_rows_bytes, 0};\n",
                r->n, r->typical);
    }
    fprintf(f, "#endif\n");
    return ferror(f);
}

int main(int argc, char **argv) {
    const char *col = NULL, *pos[3];
    long rows = 6;
    int n_pos = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--label-col") == 0 && i + 1 < argc) col = argv[++i];
        else if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc) rows = strtol(argv[++i], NULL, 10);
        else if (argv[i][0] != '-' && n_pos < 3) pos[n_pos++] = argv[i];
        else return usage();
    }
    if (n_pos != 3 || rows < 1 || rows > 100000) return usage();
    uint8_t *blob;
    size_t len;
    char err[4200];
    if (host_read_file(pos[0], (size_t)64 << 20, &blob, &len, err, sizeof err)) {
        fprintf(stderr, "cls-rows: %s\n", err);
        return 1;
    }
    atome_weights w;
    int e = atome_blob_open(blob, len, &w);
    if (e != ATOME_OK) {
        fprintf(stderr, "cls-rows: %s: %s\n", pos[0], atome_strerror(e));
        return 1;
    }
    rows_picked p;
    if (rows_pick(&w, pos[1], col, (uint32_t)rows, &p, err, sizeof err)) {
        fprintf(stderr, "cls-rows: %s\n", err);
        return 1;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", pos[2]);
    FILE *f = fopen(tmp, "w");
    if (!f || write_rows(f, pos[1], &w, &p) | (fclose(f) != 0) || rename(tmp, pos[2]) != 0) {
        fprintf(stderr, "cls-rows: cannot write %s: %s\n", pos[2], strerror(errno));
        remove(tmp);
        return 1;
    }
    rows_free(&p);
    free(blob);
    return 0;
}

/* atome_header.c — `atome-header MODEL.bin OUT.h [--name NAME]`: a model blob as C source for a firmware.
 *
 * Writes two headers:
 *   OUT.h         the blob as a `static const uint8_t NAME[]`, 4-byte aligned (const, so the linker
 *                 keeps it in flash and the engine reads it in place), NAME_LEN, and an #error if the
 *                 ATOME_MAX_* in force are too small for the model;
 *   OUT_config.h  the ATOME_MAX_* set to the model's exact dimensions (each under #ifndef), so the
 *                 engine's static state holds this model and not one byte more.
 * A classifier blob adds to OUT.h NAME_CLASSES and NAME_FEATURES, a check that ATOME_MAX_LOGITS holds
 * its C logits, the label names NAME_labels[C] and, for sensor features, the quantisation constants
 * NAME_feature_min[F] and NAME_feature_scale[F] as hex float literals (their exact bits; the engine
 * reads its own copy from the blob); and to OUT_config.h ATOME_MAX_LOGITS = C.
 * The state struct in atome.h is sized by those defines, so every file that includes atome.h —
 * atome.c too — must see the same values: build them all with `-include OUT_config.h`. A separate
 * config header is what makes that possible without pulling the blob into every file.
 *
 * The blob is checked with atome_blob_open first; a bad one gets one line and no output file.
 * Both files are written to temporaries and renamed into place, so a failure leaves neither;
 * an output that is the input itself (by device and inode) is refused.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../common/atome_blob.h"
#include "../common/atome_le.h"
#include "../common/host_file.h"

static const char *prog = "atome-header";

static const char usage_line[] = "usage: atome-header MODEL.bin OUT.h [--name NAME]";

static void usage(FILE *f) {
    fprintf(f,
            "%s\n"
            "  Writes OUT.h (the blob as a const, 4-byte aligned array NAME, default atome_blob, with\n"
            "  NAME_LEN) and OUT_config.h (ATOME_MAX_* set to the model's dimensions). Build every file\n"
            "  that includes atome.h, atome.c too, with -include OUT_config.h. A classifier adds NAME_CLASSES,\n"
            "  NAME_FEATURES, NAME_labels[] and (sensor features) NAME_feature_min[], NAME_feature_scale[].\n",
            usage_line);
}

static int is_ident(const char *s) {
    if (!*s || (*s >= '0' && *s <= '9')) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static const char *base_name(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Why path may not be an output for the input in (NULL: it may): it is the input itself (by
 * device and inode), or exists as something other than a regular file. */
static const char *output_problem(const char *in, const char *path) {
    struct stat si, so;
    if (stat(path, &so) != 0) return NULL; /* not there yet: it will be a new file */
    if (stat(in, &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
        return "is the input MODEL.bin: it would be overwritten";
    if (!S_ISREG(so.st_mode)) return "exists and is not a regular file";
    return NULL;
}

/* A new temporary file from template (its XXXXXX replaced), opened for writing; *made set once
 * it exists. NULL with errno on failure. A unique name never clobbers an existing file. */
static FILE *open_temp(char *template, int *made) {
    int fd = mkstemp(template);
    if (fd < 0) return NULL;
    *made = 1;
    fchmod(fd, 0644); /* mkstemp makes it 0600; the header is source, readable like any */
    FILE *f = fdopen(fd, "w");
    if (!f) close(fd);
    return f;
}

/* Flushes f to the disk and closes it; non-zero (errno set) if any write failed. */
static int close_synced(FILE *f) {
    int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
    int e = errno;
    if (fclose(f) != 0) return 1;
    errno = e;
    return bad;
}

/* A path without its directory and ".h": "dir/model.h" -> "model". */
static void stem_of(char *dst, size_t cap, const char *path) {
    const char *b = base_name(path);
    size_t n = strlen(b);
    if (n > 2 && strcmp(b + n - 2, ".h") == 0) n -= 2;
    snprintf(dst, cap, "%.*s", (int)n, b);
}

static int write_config(FILE *f, const char *cfg_name, const char *model_name, const char *guard, const atome_config *c) {
    fprintf(f,
            "/* %s — engine sizes for the model in %s.h, written by atome-header; do not edit.\n"
            " * The engine's state (atome.h) is sized by these, so every file that includes atome.h,\n"
            " * atome.c too, must see the same values: compile them all with -include %s. */\n"
            "#ifndef ATOME_MODEL_CONFIG_%s_H\n#define ATOME_MODEL_CONFIG_%s_H\n"
            "#ifdef ATOME_CONFIG_H\n"
            "#error \"%s must come before atome.h (best: -include %s on every file)\"\n"
            "#endif\n",
            cfg_name, model_name, cfg_name, guard, guard, cfg_name, cfg_name);
    /* A classifier's state holds its C logits, not 256: a firmware of this model alone spends no RAM on
     * the rest (it then loads no language model, atome_config.h). A language model's header sets none,
     * so that it stays what it was. */
    static const char *names[5] = {"ATOME_MAX_D", "ATOME_MAX_LAYERS", "ATOME_MAX_DHEAD", "ATOME_MAX_WINDOW",
                                   "ATOME_MAX_LOGITS"};
    const int vals[5] = {c->d_model, c->n_layers, c->d_head, c->window, c->n_classes};
    for (int i = 0; i < (c->n_classes ? 5 : 4); i++)
        fprintf(f, "#ifndef %s\n#define %s %d\n#endif\n", names[i], names[i], vals[i]);
    fprintf(f, "#endif\n");
    return ferror(f);
}

/* A label name as a C string literal: printable ASCII as is, but for the quote, the backslash and
 * the question mark (C99 still reads ??= as a trigraph), every other byte (UTF-8) as a three-digit
 * octal escape, which, unlike \x, never swallows a digit after it. */
static void put_c_string(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char b = (unsigned char)*s;
        if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\' && b != '?') fputc(b, f);
        else fprintf(f, "\\%03o", b);
    }
    fputc('"', f);
}

/* f32[F] as hex float literals, one a line with its decimal value beside it. */
static void put_floats(FILE *f, const char *name, const char *what, const float *v, int n) {
    fprintf(f, "static const float %s_%s[%d] = {\n", name, what, n);
    for (int i = 0; i < n; i++) fprintf(f, "    %af, /* %.9g */\n", (double)v[i], (double)v[i]);
    fprintf(f, "};\n");
}

/* What a classifier's header adds after the blob: its class and feature counts, the check that the
 * state holds its C logits, the label names and the feature constants. */
static int write_classes(FILE *f, const char *out_name, const char *name, const atome_weights *w) {
    const atome_config *c = &w->cfg;
    fprintf(f,
            "/* A classifier of %d classes on %s:\n"
            " *     int k = atome_classify(&model, &state, bytes, n);   its class; the %d logits in state.logits\n"
            " *     const char *label = atome_label(&model, k);        the name, also %s_labels[k]\n",
            c->n_classes, c->n_features ? "sensor features" : "a text's bytes", c->n_classes, name);
    if (c->n_features)
        fprintf(f, " * bytes: the %d bytes of one reading, atome_features(&model, raw, bytes) of its %d raw floats\n"
                   " * in the column order of the training CSV, its label column left out.\n",
                c->n_features, c->n_features);
    else
        fprintf(f, " * bytes: the n bytes of one text (n >= 1).\n");
    fprintf(f,
            " */\n"
            "#if ATOME_MAX_LOGITS < %d\n"
            "#error \"%s: ATOME_MAX_LOGITS in force is smaller than this classifier's %d classes\"\n"
            "#endif\n"
            "#define %s_CLASSES %d\n#define %s_FEATURES %d\n"
            "static const char *const %s_labels[%d] = {\n",
            c->n_classes, out_name, c->n_classes, name, c->n_classes, name, c->n_features, name, c->n_classes);
    const char *label = w->labels;
    for (int k = 0; k < c->n_classes; k++, label += strlen(label) + 1) {
        fprintf(f, "    ");
        put_c_string(f, label);
        fprintf(f, ",\n");
    }
    fprintf(f, "};\n");
    if (c->n_features) {
        fprintf(f,
                "/* The feature quantisation constants, bit for bit those of the blob: byte f of a reading is\n"
                " * feature_quantise(raw[f], %s_feature_min[f], %s_feature_scale[f]) (common/atome_ops.h).\n"
                " * The engine reads the same constants from the blob (atome_features), so these arrays are for\n"
                " * the firmware's own use: to log a reading as the model sees it, or to check it against the\n"
                " * training range [min, min + 255 / scale]. Hex float literals keep the bits: a C99 constant\n"
                " * whose value a float holds exactly is that float (C99 6.4.4.2), where a decimal one may be\n"
                " * rounded to a neighbour; C++ has them from C++17 (g++ in its GNU modes before). */\n",
                name, name);
        put_floats(f, name, "feature_min", w->feature_min, c->n_features);
        put_floats(f, name, "feature_scale", w->feature_scale, c->n_features);
    }
    return ferror(f);
}

static int write_blob(FILE *f, const char *out_name, const char *src, const char *cfg_name, const char *name,
                      const char *guard, const atome_weights *w, const uint8_t *blob, size_t len) {
        const atome_config *c = &w->cfg;
uint32_t crc = atome_le_get_u32(blob + 60);
    fprintf(f,
            "/* %s — model %s for the atome engine, written by atome-header; do not edit.\n"
            " * d_model %d, layers %d, d_head %d, window %d; %zu bytes, CRC-32 0x%08x.\n"
            " * The array is const, so it stays in flash and the engine reads it in place:\n"
            " *     atome_load(&model, %s, %s_LEN)\n"
            " * Build every file that includes atome.h, atome.c too, with -include %s. */\n"
            "#ifndef ATOME_MODEL_%s_H\n#define ATOME_MODEL_%s_H\n"
            "#include <stdint.h>\n#include \"%s\"\n"
            "#if ATOME_MAX_D < %d || ATOME_MAX_LAYERS < %d || ATOME_MAX_DHEAD < %d || ATOME_MAX_WINDOW < %d\n"
            "#error \"%s: the ATOME_MAX_* in force are smaller than this model; atome_load would refuse it\"\n"
            "#endif\n"
            "#define %s_LEN %zuu\n"
            "static const uint8_t %s[%zu] __attribute__((aligned(4))) = {\n",
            out_name, src, c->d_model, c->n_layers, c->d_head, c->window, len, crc, name, name, cfg_name, guard,
            guard, cfg_name, c->d_model, c->n_layers, c->d_head, c->window, out_name, name, len, name, len);
    for (size_t i = 0; i < len; i++)
        fprintf(f, "%s0x%02x,%s", i % 16 ? " " : "    ", blob[i], i % 16 == 15 || i + 1 == len ? "\n" : "");
    fprintf(f, "};\n");
    if (c->n_classes) write_classes(f, out_name, name, w);
    fprintf(f, "#endif\n");
    return ferror(f);
}

int main(int argc, char **argv) {
    const char *in = NULL, *out = NULL, *name = "atome_blob";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            if (fflush(stdout) == 0 && !ferror(stdout)) return 0;
            fprintf(stderr, "%s: cannot write the output: %s\n", prog, strerror(errno ? errno : EIO));
            return 1;
        } else if (strcmp(argv[i], "--name") == 0) {
            if (++i == argc) {
                fprintf(stderr, "%s: --name needs a C identifier\n", prog);
                return 2;
            }
            name = argv[i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "%s: unknown option '%s' (try --help)\n", prog, argv[i]);
            return 2;
        } else if (!in) {
            in = argv[i];
        } else if (!out) {
            out = argv[i];
        } else {
            fprintf(stderr, "%s: too many arguments (try --help)\n", prog);
            return 2;
        }
    }
    if (!in || !out) {
        fprintf(stderr, "%s: %s (see --help)\n", prog, !in ? "MODEL.bin and OUT.h are required" : "OUT.h is required");
        return 2;
    }
    if (!is_ident(name)) {
        fprintf(stderr, "%s: --name '%s' is not a C identifier\n", prog, name);
        return 2;
    }
    size_t len = 0;
    uint8_t *blob;
    char err_line[4200];
    if (host_read_file(in, (size_t)64 << 20, &blob, &len, err_line, sizeof err_line)) {
        fprintf(stderr, "%s: %s\n", prog, err_line);
        return 1;
    }
    atome_weights w;
    int err = atome_blob_open(blob, len, &w);
    if (err != ATOME_OK) {
        fprintf(stderr, "%s: %s: %s\n", prog, in, atome_strerror(err));
        free(blob);
        return 1;
    }

    char stem[256], cfg_path[4096], cfg_name[300], out_tmp[4200], cfg_tmp[4200], guard[300];
    stem_of(stem, sizeof stem, out);
    size_t dir_len = (size_t)(base_name(out) - out);
    snprintf(cfg_name, sizeof cfg_name, "%s_config.h", stem);
    if (snprintf(cfg_path, sizeof cfg_path, "%.*s%s", (int)dir_len, out, cfg_name) >= (int)sizeof cfg_path) {
        fprintf(stderr, "%s: output path too long\n", prog);
        free(blob);
        return 2;
    }
    /* Neither output may be the input (same file by device and inode, whatever the names), nor
     * anything but a regular file: the rename would replace the blob, or a device. */
    const char *outputs[2] = {out, cfg_path};
    for (int i = 0; i < 2; i++) {
        const char *why = output_problem(in, outputs[i]);
        if (why) {
            fprintf(stderr, "%s: %s %s\n", prog, outputs[i], why);
            free(blob);
            return 2;
        }
    }
    snprintf(out_tmp, sizeof out_tmp, "%s.XXXXXX", out);
    snprintf(cfg_tmp, sizeof cfg_tmp, "%s.XXXXXX", cfg_path);
    /* Include guards from the array name, which is an identifier already. */
    size_t g = 0;
    for (const char *s = name; *s && g + 1 < sizeof guard; s++)
        guard[g++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
    guard[g] = 0;

    int made_cfg = 0, made_out = 0, ok = 1;
    FILE *f = open_temp(cfg_tmp, &made_cfg);
    if (!f || write_config(f, cfg_name, stem, guard, &w.cfg) | close_synced(f)) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, cfg_path, strerror(errno));
        ok = 0;
    }
    if (ok) {
        f = open_temp(out_tmp, &made_out);
        if (!f || write_blob(f, base_name(out), base_name(in), cfg_name, name, guard, &w, blob, len) |
                      close_synced(f)) {
            fprintf(stderr, "%s: cannot write %s: %s\n", prog, out, strerror(errno));
            ok = 0;
        }
    }
    if (ok && (rename(cfg_tmp, cfg_path) != 0 || rename(out_tmp, out) != 0)) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, out, strerror(errno));
        unlink(cfg_path);
        ok = 0;
    }
    if (made_cfg) unlink(cfg_tmp);
    if (made_out) unlink(out_tmp);
    free(blob);
    return ok ? 0 : 1;
}

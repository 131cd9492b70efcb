/* atome_import.c — `atome-import IN OUT`: an atome-lm ATOME01 checkpoint as an atome blob.
 *
 *   ./atome-import atome_944k.bin prod.bin                  dimensions from the file's size
 *   ./atome-import m.atome m.bin --d-model 64 --n-layers 4 --d-head 16 --window 64
 *
 * Shapes: V vocab (256), D d_model, L layers, Dh d_head, K conv taps (5), W window.
 *
 * ATOME01 (atome-lm's scripts/export_to_atome.py and c_engine/atome.c, read for the layout only):
 *   "ATOME01" (7 bytes, no dimensions, version or checksum), then, unaligned, little-endian:
 *   tensor    := float32 scale, then ceil(R·C/4) bytes of 2-bit trits, element r·C + c at bits
 *                2·(i mod 4) of byte i div 4 (i = r·C + c), 00 = 0, 01 = +1, 11 = -1, 10 unused
 *   embedding tensor [V, D]
 *   per block ln gamma f32[D], ln beta f32[D], conv tensor [D, K], ssm a_raw f32[D], b f32[D],
 *             c_out f32[D], wq tensor [Dh, D], wk tensor [Dh, D], wv tensor [D, D],
 *             router tensor [3, D]
 *   final     ln gamma f32[D], ln beta f32[D]
 *   unembed   tensor [V, D]
 * Both engines read a tensor as value = scale·trit (atome-lm: acc·scale after the ±x sums, and
 * trit·scale for the embedding; atome: atome_tmat), so trits and scale carry over unchanged;
 * only the trits' packing differs (atome_trits.h: base 3, five per byte, planar rows).
 *
 * What the import changes, and why:
 *   SSM   atome-lm runs h = tanh(a_raw)·h + b·x, y = c_out·h; atome runs s = a·s + x, y = g·s
 *         (ssm_forward). With h = b·s the two agree for a = tanh(a_raw), g = b·c_out, folded here
 *         exactly as atome's own export does (train/model.c model_pack, with atome_tanhf).
 *   conv  atome-lm's atome_causal_conv multiplies tap k by x[t-k]: tap 0 is the current
 *         position. atome's conv_forward multiplies tap j by hist row j, h at t-4+j: tap 4 is the
 *         current position (PyTorch's order, which atome-lm's exporter flips). The layouts
 *         differ, so atome tap j = ATOME01 tap K-1-j.
 *   window ATOME01 has none (atome-lm fixes it at compile time); --window sets the blob's.
 *
 * Refused with one line, exit 1, and no OUT: a file without the magic, one whose size matches no
 * dimensions (a truncated file included), a trit code 10, a non-finite float.
 * OUT is written to a temporary beside it and renamed into place.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../common/atome_blob.h"
#include "../common/atome_le.h"
#include "../common/host_file.h"
#include "../common/atome_math.h"
#include "../common/atome_trits.h"
#include "host_util.h"

#define ATOME01_MAGIC "ATOME01"
#define ATOME01_MAGIC_BYTES 7

static const char *prog = "atome-import";

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: %s IN OUT [--d-model D --n-layers L --d-head Dh] [--window W]\n"
            "  Converts IN, an atome-lm ATOME01 checkpoint, into OUT, an atome blob. Without the three\n"
            "  dimensions, IN's size must be that of a preset (atome-infer --presets); --window sets the\n"
            "  attention window (default: that preset's, or 64).\n",
            prog);
}

/* Bytes of one ATOME01 ternary tensor of n trits: its scale, then four trits a byte. */
static size_t tensor_bytes(size_t n) { return 4 + (n + 3) / 4; }

/* Bytes of the ATOME01 file of dimensions c (V and K fixed). */
static size_t atome01_bytes(const atome_config *c) {
    size_t V = (size_t)c->vocab, D = (size_t)c->d_model, Dh = (size_t)c->d_head, L = (size_t)c->n_layers;
    size_t block = 8 * D + tensor_bytes(D * ATOME_CONV_K) + 12 * D + 2 * tensor_bytes(Dh * D) +
                   tensor_bytes(D * D) + tensor_bytes(3 * D);
    return ATOME01_MAGIC_BYTES + 2 * tensor_bytes(V * D) + L * block + 8 * D;
}

/* A cursor over IN: every read is inside it (the size was checked against the dimensions). */
typedef struct {
    const char *path;
    const uint8_t *p;
    size_t off;
} reader;

static float read_f32(reader *r, const char *what) {
    float f = atome_le_get_f32(r->p + r->off);
    if (!isfinite(f)) die("%s: byte %zu: %s is not a finite number", r->path, r->off, what);
    r->off += 4;
    return f;
}

static void read_floats(reader *r, float *dst, int n, const char *what) {
    for (int i = 0; i < n; i++) dst[i] = read_f32(r, what);
}

/* One ATOME01 tensor [rows, cols] into trits[rows·cols] (row-major) and *scale. */
static void read_tensor(reader *r, int8_t *trits, float *scale, int rows, int cols, const char *what) {
    *scale = read_f32(r, what);
    long n = (long)rows * cols;
    for (long i = 0; i < n; i++) {
        size_t at = r->off + (size_t)(i >> 2);
        int code = r->p[at] >> ((i & 3) << 1) & 3;
        if (code == 2) die("%s: byte %zu: trit code 10 (unused in ATOME01) in %s", r->path, at, what);
        trits[i] = (int8_t)(code == 1 ? 1 : code == 3 ? -1 : 0);
    }
    r->off += (size_t)(n + 3) / 4;
}

/* trits[rows·cols] into the blob's tensor m: base-3 rows (atome_pack_row) and the scale. */
static void put_tensor(const atome_tmat *m, const int8_t *trits, float scale) {
    for (int r = 0; r < m->rows; r++)
        atome_pack_row((uint8_t *)m->trits + (long)r * m->row_bytes, trits + (long)r * m->cols, m->cols);
    memcpy((void *)m->scale, &scale, sizeof scale);
}

static void import_tensor(reader *r, const atome_tmat *m, int8_t *trits, const char *what) {
    float scale;
    read_tensor(r, trits, &scale, m->rows, m->cols, what);
    put_tensor(m, trits, scale);
}

/* Fills the blob's payload (bound in *w) from IN, in ATOME01 order. */
static void import_weights(reader *r, const atome_weights *w, int8_t *trits, float *tmp) {
    const atome_config *c = &w->cfg;
    int D = c->d_model;
    char what[64];
    r->off = ATOME01_MAGIC_BYTES;
    import_tensor(r, &w->emb, trits, "the embedding");
    for (int l = 0; l < c->n_layers; l++) {
        const atome_layer *y = &w->layer[l];
#define WHAT(name) (snprintf(what, sizeof what, "layer %d's %s", l, name), what)
        read_floats(r, (float *)(void *)y->ln_g, D, WHAT("ln gamma"));
        read_floats(r, (float *)(void *)y->ln_b, D, WHAT("ln beta"));

        float scale;
        read_tensor(r, trits, &scale, D, ATOME_CONV_K, WHAT("conv"));
        for (int i = 0; i < D; i++) /* atome's tap 4 is the current position, ATOME01's tap 0 */
            for (int j = 0; j < ATOME_CONV_K / 2; j++) {
                int8_t t = trits[i * ATOME_CONV_K + j];
                trits[i * ATOME_CONV_K + j] = trits[i * ATOME_CONV_K + ATOME_CONV_K - 1 - j];
                trits[i * ATOME_CONV_K + ATOME_CONV_K - 1 - j] = t;
            }
        put_tensor(&y->conv, trits, scale);

        float *a = (float *)(void *)y->ssm_a, *g = (float *)(void *)y->ssm_g;
        read_floats(r, a, D, WHAT("ssm a_raw"));
        for (int i = 0; i < D; i++) a[i] = atome_tanhf(a[i]);
        read_floats(r, g, D, WHAT("ssm b"));
        read_floats(r, tmp, D, WHAT("ssm c_out"));
        for (int i = 0; i < D; i++) g[i] = g[i] * tmp[i];

        import_tensor(r, &y->wq, trits, WHAT("wq"));
        import_tensor(r, &y->wk, trits, WHAT("wk"));
        import_tensor(r, &y->wv, trits, WHAT("wv"));
        import_tensor(r, &y->router, trits, WHAT("router"));
#undef WHAT
    }
    read_floats(r, (float *)(void *)w->lnf_g, D, "the final ln gamma");
    read_floats(r, (float *)(void *)w->lnf_b, D, "the final ln beta");
    import_tensor(r, &w->unemb, trits, "the unembedding");
}

static long parse_dim(const char *flag, const char *v) {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno || x < 1 || x > 1 << 20) die("%s needs a positive integer, got '%s'", flag, v);
    return x;
}

int main(int argc, char **argv) {
    const char *in = NULL, *out = NULL;
    long dims[4] = {0, 0, 0, 0}; /* --d-model, --n-layers, --d-head, --window; 0: not given */
    static const char *const flags[4] = {"--d-model", "--n-layers", "--d-head", "--window"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        int k = 0;
        while (k < 4 && strcmp(a, flags[k])) k++;
        if (k < 4) {
            if (i + 1 >= argc) die("%s needs a value", a);
            if (dims[k]) die("%s given twice", a);
            dims[k] = parse_dim(a, argv[++i]);
        } else if (a[0] == '-' && a[1]) {
            die("unknown option '%s' (see --help)", a);
        } else if (!in) {
            in = a;
        } else if (!out) {
            out = a;
        } else {
            die("one input and one output, got '%s' too (see --help)", a);
        }
    }
    if (!in || !out) {
        usage(stderr);
        return 1;
    }
    int given = (dims[0] != 0) + (dims[1] != 0) + (dims[2] != 0);
    if (given != 0 && given != 3) die("give all of --d-model, --n-layers and --d-head, or none");

    size_t len;
    uint8_t *file;
    char err[512];
    if (host_read_file(in, (size_t)1 << 30, &file, &len, err, sizeof err)) die("%s", err);
    if (len < ATOME01_MAGIC_BYTES || memcmp(file, ATOME01_MAGIC, ATOME01_MAGIC_BYTES))
        die("%s: not an ATOME01 file (no \"ATOME01\" magic)", in);

    atome_config c = {ATOME_VOCAB, (int)dims[0], (int)dims[1], (int)dims[2], 64, 0, 0, 0, 0};
    if (given) {
        if (dims[0] > ATOME_MAX_D || dims[1] > ATOME_MAX_LAYERS || dims[2] > ATOME_MAX_DHEAD)
            die("D %ld, L %ld, Dh %ld exceed this build's maxima (D %d, L %d, Dh %d)", dims[0], dims[1], dims[2],
                ATOME_MAX_D, ATOME_MAX_LAYERS, ATOME_MAX_DHEAD);
        if (atome01_bytes(&c) != len)
            die("%s: %zu bytes, but ATOME01 of D %d, L %d, Dh %d has %zu", in, len, c.d_model, c.n_layers,
                c.d_head, atome01_bytes(&c));
    } else {
        const char *name;
        int found = 0;
        for (int i = 0; !found && (name = atome_preset_name(i)); i++) {
            atome_preset(name, &c);
            found = atome01_bytes(&c) == len;
        }
        if (!found)
            die("%s: %zu bytes match no preset's ATOME01 size (a truncated file?); give --d-model, --n-layers "
                "and --d-head",
                in, len);
    }
    if (dims[3]) c.window = (int)dims[3];
    if (!atome_config_fits(&c)) die("--window %d exceeds this build's maximum %d", c.window, ATOME_MAX_WINDOW);

    size_t payload = atome_blob_bind(&c, 0, 0), blob_len = ATOME_HEADER_BYTES + payload;
    uint8_t *blob = calloc(1, blob_len); /* zero padding: the CRC covers it */
    int8_t *trits = malloc((size_t)ATOME_VOCAB * (size_t)c.d_model + (size_t)c.d_model * (size_t)c.d_model);
    float *tmp = malloc((size_t)c.d_model * sizeof *tmp);
    if (!blob || !trits || !tmp) die("out of memory");
    atome_weights w;
    atome_blob_bind(&c, blob + ATOME_HEADER_BYTES, &w);
    reader r = {in, file, 0};
    import_weights(&r, &w, trits, tmp);
    atome_blob_seal(blob, &c);

    char tmp_path[4096];
    if (snprintf(tmp_path, sizeof tmp_path, "%s.tmp.%ld", out, (long)getpid()) >= (int)sizeof tmp_path)
        die("output path too long");
    FILE *f = fopen(tmp_path, "wb");
    if (!f) die("cannot write '%s': %s", out, strerror(errno));
    int bad = fwrite(blob, 1, blob_len, f) != blob_len;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp_path, out) != 0) {
        int e = errno;
        remove(tmp_path);
        die("cannot write '%s': %s", out, strerror(e));
    }
    printf("%s: D %d, L %d, Dh %d, W %d, %ld parameters -> %s (%zu bytes)\n", in, c.d_model, c.n_layers,
           c.d_head, c.window, atome_param_count(&c), out, blob_len);
    free(file), free(blob), free(trits), free(tmp);
    return 0;
}

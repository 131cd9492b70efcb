/* test_import.c — atome-import and atome-train --init.
 *
 * The tests write ATOME01 files themselves, from atome blobs, with an exporter of their own
 * (atome blob -> ATOME01: 2-bit trits, conv taps flipped to atome-lm's order, a_raw the float
 * whose atome_tanhf is a, b = 1 and c_out = g), so blob -> ATOME01 -> atome-import -> blob must
 * give the same bytes; bad files must get one line, exit 1 and no output file. --init must give
 * back the blob it started from: master weights from a blob, packed again, are that blob.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../common/atome_blob.h"
#include "../common/atome_trits.h"
#include "../train/model.h"
#include "util.h"

static char dir[64];

static void setup(void) { scratch_dir(dir, sizeof dir, "atome-import-test"); }
static void teardown(void) { scratch_remove(dir); }

typedef struct {
    uint8_t *p;
    size_t n;
} bytes;

static void put(bytes *b, const void *src, size_t n) {
    memcpy(b->p + b->n, src, n); /* little-endian host, as ATOME01 */
    b->n += n;
}

/* An ATOME01 tensor: scale, then trits[n] four a byte, 00 = 0, 01 = +1, 11 = -1. */
static void put_tensor(bytes *b, float scale, const int8_t *t, long n) {
    put(b, &scale, 4);
    for (long i = 0; i < n; i += 4) {
        uint8_t byte = 0;
        for (long k = 0; k < 4 && i + k < n; k++) byte |= (uint8_t)((t[i + k] == 1 ? 1 : t[i + k] ? 3 : 0) << (2 * k));
        b->p[b->n++] = byte;
    }
}

/* m's trits, row-major; if flip, each row's taps reversed (atome-lm's conv order). */
static void put_tmat(bytes *b, const atome_tmat *m, int flip) {
    long n = (long)m->rows * m->cols;
    int8_t *t = malloc((size_t)n);
    ck_assert_ptr_nonnull(t);
    for (int r = 0; r < m->rows; r++) {
        int8_t *row = t + (long)r * m->cols;
        atome_unpack_row(row, m->trits + (long)r * m->row_bytes, m->cols);
        for (int j = 0; flip && j < m->cols / 2; j++) {
            int8_t x = row[j];
            row[j] = row[m->cols - 1 - j], row[m->cols - 1 - j] = x;
        }
    }
    put_tensor(b, *m->scale, t, n);
    free(t);
}

/* The blob as the ATOME01 file atome-lm's exporter would have written for the same model. */
static bytes export_atome01(const uint8_t *blob, size_t len) {
    atome_weights w;
    ck_assert_int_eq(atome_blob_open(blob, len, &w), ATOME_OK);
    int D = w.cfg.d_model;
    bytes b = {malloc(len * 2 + 1024), 0};
    ck_assert_ptr_nonnull(b.p);
    put(&b, "ATOME01", 7);
    put_tmat(&b, &w.emb, 0);
    for (int l = 0; l < w.cfg.n_layers; l++) {
        const atome_layer *y = &w.layer[l];
        put(&b, y->ln_g, 4 * (size_t)D);
        put(&b, y->ln_b, 4 * (size_t)D);
        put_tmat(&b, &y->conv, 1);
        for (int i = 0; i < D; i++) {
            float a_raw;
            ck_assert_int_eq(model_tanh_preimage(y->ssm_a[i], &a_raw), 0);
            put(&b, &a_raw, 4);
        }
        for (int i = 0; i < D; i++) put(&b, &(float){1.0f}, 4);
        put(&b, y->ssm_g, 4 * (size_t)D);
        put_tmat(&b, &y->wq, 0);
        put_tmat(&b, &y->wk, 0);
        put_tmat(&b, &y->wv, 0);
        put_tmat(&b, &y->router, 0);
    }
    put(&b, w.lnf_g, 4 * (size_t)D);
    put(&b, w.lnf_b, 4 * (size_t)D);
    put_tmat(&b, &w.unemb, 0);
    return b;
}

/* The number of entries of dir: a refused import must leave no output and no temporary. */
static int entries(void) {
    char cmd[128], out[64];
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    ck_assert_int_eq(run_cmd(cmd, out, sizeof out), 0);
    return atoi(out);
}

static void round_trip(const atome_config *c, uint64_t seed, const char *flags) {
    size_t len;
    uint8_t *blob = make_blob(c, seed, &len);
    bytes f = export_atome01(blob, len);
    char in[128], want[128], got[128], cmd[512], out[1024];
    snprintf(in, sizeof in, "%s/m.atome", dir);
    snprintf(want, sizeof want, "%s/want.bin", dir);
    snprintf(got, sizeof got, "%s/got.bin", dir);
    write_file(in, f.p, f.n);
    write_file(want, blob, len);
    snprintf(cmd, sizeof cmd, "./atome-import %s %s %s", in, got, flags);
    ck_assert_msg(run_cmd(cmd, out, sizeof out) == 0, "%s: %s", cmd, out);
    ck_assert_msg(same_file(want, got), "%s: the blob differs from the one exported", cmd);
    free(blob), free(f.p);
}

START_TEST(round_trip_of_a_preset_is_exact) {
    atome_config c;
    ck_assert_int_eq(atome_preset("nano", &c), 0);
    round_trip(&c, 3, ""); /* dimensions from the file's size */
    ck_assert_int_eq(atome_preset("small", &c), 0);
    c.window = 32;
    round_trip(&c, 4, "--window 32");
}
END_TEST

START_TEST(round_trip_with_dimensions_is_exact) {
    const atome_config c = {ATOME_VOCAB, 20, 3, 6, 16, 0, 0, 0, 0}; /* no preset: the flags say it */
    round_trip(&c, 9, "--d-model 20 --n-layers 3 --d-head 6 --window 16");
}
END_TEST

/* f (an ATOME01 file) is refused with one line holding needle, exit 1, and dir keeps its one entry. */
static void expect_refused(const bytes *f, const char *flags, const char *needle) {
    char in[128], cmd[512], got[128];
    snprintf(in, sizeof in, "%s/bad.atome", dir);
    snprintf(got, sizeof got, "%s/out.bin", dir);
    write_file(in, f->p, f->n);
    snprintf(cmd, sizeof cmd, "./atome-import %s %s %s", in, got, flags);
    expect_one_line_error(cmd, 1, needle);
    ck_assert_msg(access(got, F_OK) != 0, "%s: wrote %s", cmd, got);
    ck_assert_int_eq(entries(), 1);
    unlink(in);
}

START_TEST(bad_files_are_refused) {
    atome_config c;
    ck_assert_int_eq(atome_preset("nano", &c), 0);
    size_t len;
    uint8_t *blob = make_blob(&c, 5, &len);
    bytes f = export_atome01(blob, len);
    size_t n = f.n;

    f.p[f.n++] = 0; /* one byte too many */
    expect_refused(&f, "", "bytes match no preset's ATOME01 size");
    f.n = n / 2; /* truncated */
    expect_refused(&f, "", "bytes match no preset's ATOME01 size (a truncated file?)");
    expect_refused(&f, "--d-model 16 --n-layers 2 --d-head 4", "bytes, but ATOME01 of D 16, L 2, Dh 4 has");
    f.n = n;
    expect_refused(&f, "--d-model 16 --n-layers 3 --d-head 4", "bytes, but ATOME01 of D 16, L 3, Dh 4 has");
    expect_refused(&f, "--d-model 16", "give all of --d-model, --n-layers and --d-head, or none");
    expect_refused(&f, "--window 100000", "--window 100000 exceeds");

    uint8_t keep = f.p[7 + 4 + 10]; /* a trit byte of the embedding: its third trit becomes code 10 */
    f.p[7 + 4 + 10] = (uint8_t)((keep & ~0x30u) | 0x20u);
    expect_refused(&f, "", "byte 21: trit code 10 (unused in ATOME01) in the embedding");
    f.p[7 + 4 + 10] = keep;
    size_t unemb = n - ((size_t)ATOME_VOCAB * 16 / 4) - 4; /* the unembedding's scale */
    memcpy(f.p + unemb, &(float){__builtin_nanf("")}, 4);
    expect_refused(&f, "", "the unembedding is not a finite number");
    f.p[0] = 'X';
    expect_refused(&f, "", "not an ATOME01 file");
    free(blob), free(f.p);
}
END_TEST

/* --init's master weights, packed again, are the blob they came from, byte for byte. */
START_TEST(init_weights_pack_back_to_the_blob) {
    static const char *const presets[] = {"nano", "small", "default"};
    for (int k = 0; k < 3; k++) {
        atome_config c;
        ck_assert_int_eq(atome_preset(presets[k], &c), 0);
        size_t len;
        uint8_t *blob = make_blob(&c, 11 + (uint64_t)k, &len);
        atome_weights w;
        ck_assert_int_eq(atome_blob_open(blob, len, &w), ATOME_OK);
        float *arena = malloc((size_t)atome_param_count(&c) * sizeof(float));
        uint8_t *again = aligned_alloc(4, (len + 3) & ~(size_t)3);
        ck_assert(arena && again);
        char err[256];
        ck_assert_int_eq(model_from_blob(arena, &w, err, sizeof err), 0);
        model_params p;
        model_params_bind(&p, &c, arena);
        model_pack(again, &p, &c);
        ck_assert_msg(memcmp(blob, again, len) == 0, "%s: --init's weights pack to another blob", presets[k]);
        free(blob), free(arena), free(again);
    }
}
END_TEST

START_TEST(init_refuses_other_dimensions) {
    char data[64], model[128], cmd[1024];
    scratch_data_dir(data, sizeof data, "atome-init-test");
    const atome_config c = {ATOME_VOCAB, 16, 2, 4, 64, 0, 0, 0, 0};
    snprintf(model, sizeof model, "%s/m.bin", dir);
    write_model(model, &c, 2);
    snprintf(cmd, sizeof cmd, "./atome-train --data %s/train.txt --preset small --init %s --steps 2 --out %s/run", data,
             model, dir);
    expect_one_line_error(cmd, 1, "is a model of D 16, L 2, Dh 4, W 64, flags 0; this run's is D 32");
    snprintf(cmd, sizeof cmd, "./atome-train --data %s/train.txt --preset nano --window 32 --init %s --steps 2 "
             "--out %s/run", data, model, dir);
    expect_one_line_error(cmd, 1, "this run's is D 16, L 2, Dh 4, W 32");
    snprintf(cmd, sizeof cmd, "./atome-train --data %s/train.txt --preset nano --init %s/none.bin --steps 2 "
             "--out %s/run", data, dir, dir);
    expect_one_line_error(cmd, 1, "--init: cannot open");
    ck_assert_int_eq(entries(), 1); /* no run directory */

    /* The blob's own dimensions: a run whose first evaluation, after one update at a learning
     * rate far too small to flip a trit, sees the blob's bits per byte. */
    snprintf(cmd, sizeof cmd,
             "./atome-train --data %s/train.txt --valid %s/valid.txt --preset nano --init %s --steps 2 --lr 1e-9 "
             "--eval-every 1 --sample 0 --threads 1 --out %s/run > %s/train.out 2>&1",
             data, data, model, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    char want[512], got[512], log[160];
    snprintf(cmd, sizeof cmd, "./atome-infer --model %s --eval %s/valid.txt "
             "| sed -n 's/^bits per byte \\([0-9.]*\\).*/\\1/p'", model, data);
    ck_assert_int_eq(run_cmd(cmd, want, sizeof want), 0);
    snprintf(log, sizeof log, "%s/run/log.jsonl", dir);
    snprintf(cmd, sizeof cmd, "head -1 %s | sed 's/.*\"val_bpb\": *\\([0-9.]*\\).*/\\1/'", log);
    ck_assert_int_eq(run_cmd(cmd, got, sizeof got), 0);
    ck_assert_msg(fabs(atof(want) - atof(got)) < 2e-4, "valid bpb %s after --init, the blob's %s", got, want);
    scratch_remove(data);
}
END_TEST

Suite *import_suite(void) {
    Suite *s = suite_create("import");
    TCase *t = tcase_create("import");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, round_trip_of_a_preset_is_exact);
    tcase_add_test(t, round_trip_with_dimensions_is_exact);
    tcase_add_test(t, bad_files_are_refused);
    tcase_add_test(t, init_weights_pack_back_to_the_blob);
    tcase_add_test(t, init_refuses_other_dimensions);
    suite_add_tcase(s, t);
    return s;
}

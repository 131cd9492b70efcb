/* test_mcu_classify.c — every classifier firmware under QEMU prints, byte for byte, the text the host
 * engine computes here in-process from the same head and the same test rows: per row the CRC-32 of
 * the bytes the classifier read (a sensor row's from atome_features), of all C class logits, and the
 * label chosen, then the summary (format in infer/firmware/fw_classify.h).
 *
 * The heads, their blobs, test files and boards are mk/cls_fw.mk's (`make -s mcu-cls-heads`); the
 * firmware's rows were baked by cls-rows, the host's are picked here by the same rows_pick from the
 * same file, so a row whose bytes or floats did not reach the flash intact shows as a difference.
 * Also: the text sees one changed head weight and one changed feature constant, and cls-rows
 * refuses a test file that does not fit its head in one line, writing nothing.
 *
 * `make test` builds the firmware first (`make mcu`: build/mcu/cls/<board>/<head>.elf).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../infer/atome.h"
#include "../infer/firmware/fw_classify.h"
#include "tools/rows_pick.h"
#include "util.h"

/* The boards of MCU_CLS_BOARDS and how QEMU runs each; "fast/" is the speed build. */
static const struct {
    const char *board, *qemu;
} boards[] = {
    {"mps2-an385", "qemu-system-arm -M mps2-an385"}, /* Cortex-M3, soft float */
    {"mps2-an386", "qemu-system-arm -M mps2-an386"}, /* Cortex-M4F */
    {"mps2-an500", "qemu-system-arm -M mps2-an500"}, /* Cortex-M7 */
    {"microbit", "qemu-system-arm -M microbit"},     /* Cortex-M0, 16 KB RAM */
    {"rv32-virt", "qemu-system-riscv32 -M virt -bios none"},
    {"fast/mps2-an386", "qemu-system-arm -M mps2-an386"},
    {"fast/m0-on-an385", "qemu-system-arm -M mps2-an385"},
};
#define N_BOARDS (int)(sizeof boards / sizeof boards[0])

enum { MAX_HEADS = 32, LINE = 1024 };
typedef struct {
    char name[64], blob[256], test[256], col[64];
    unsigned rows;
    char boards[512]; /* " b1 b2 ... " */
} head;

/* mk/cls_fw.mk's heads. */
static int read_heads(head *h) {
    static char out[MAX_HEADS * LINE];
    ck_assert_int_eq(run_cmd("make -s --no-print-directory mcu-cls-heads", out, sizeof out), 0);
    int n = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        int used = 0;
        ck_assert_int_lt(n, MAX_HEADS);
        ck_assert_msg(sscanf(line, "head %63s %255s %255s %63s %u %n", h[n].name, h[n].blob, h[n].test, h[n].col,
                             &h[n].rows, &used) == 5,
                      "make mcu-cls-heads: %s", line);
        snprintf(h[n].boards, sizeof h[n].boards, " %s ", line + used);
        n++;
    }
    ck_assert_int_gt(n, 0);
    return n;
}

static atome_state host_state; /* static, as a firmware holds it */

/* The classifier text of the host engine for blob and the head's rows; malloc'd. */
static char *host_text(const uint8_t *blob, size_t len, const head *h) {
    atome_weights w;
    ck_assert_int_eq(atome_blob_open(blob, len, &w), ATOME_OK);
    rows_picked r;
    char err[512];
    ck_assert_msg(rows_pick(&w, h->test, strcmp(h->col, "-") ? h->col : NULL, h->rows, &r, err, sizeof err) == 0,
                  "%s", err);
    uint8_t *feature_bytes = malloc(r.rows.features + 1);
    atome_model m;
    text_buf t = {0};
    text_append("", &t);
    ck_assert_int_eq(fw_classify(blob, len, &r.rows, feature_bytes, &m, &host_state, text_append, &t), ATOME_OK);
    free(feature_bytes);
    rows_free(&r);
    return t.p;
}

/* Fails naming the first line where got differs from want. */
static void assert_same_text(const char *what, const char *want, const char *got) {
    if (strcmp(want, got) == 0) return;
    int line = 1;
    const char *w = want, *g = got;
    while (*w && *w == *g) {
        if (*w == '\n') line++;
        w++, g++;
    }
    while (w > want && w[-1] != '\n') w--, g--;
    ck_abort_msg("%s: line %d differs\n  host:     %.*s\n  firmware: %.*s", what, line, (int)strcspn(w, "\n"), w,
                 (int)strcspn(g, "\n"), g);
}

static int line_count(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* Runs one board's firmware of every head it takes and compares with the host. */
START_TEST(classifier_firmware_matches_host) {
    static head heads[MAX_HEADS];
    int n = read_heads(heads), ran = 0;
    char key[80];
    snprintf(key, sizeof key, " %s ", boards[_i].board);
    enum { CAP = 1 << 18 };
    char *out = malloc(CAP);
    for (int i = 0; i < n; i++) {
        if (!strstr(heads[i].boards, key)) continue;
        char elf[256], cmd[512], what[160];
        snprintf(elf, sizeof elf, "build/mcu/cls/%s/%s.elf", boards[_i].board, heads[i].name);
        ck_assert_msg(access(elf, R_OK) == 0, "%s missing: `make mcu` builds it", elf);
        size_t len;
        uint8_t *blob = (uint8_t *)read_all(heads[i].blob, &len);
        char *want = host_text(blob, len, &heads[i]);
        /* header, a line per row (the typical row may add one), summary and end */
        ck_assert_int_ge(line_count(want), (int)heads[i].rows + 3);
        snprintf(cmd, sizeof cmd, "timeout 300 %s -nographic -semihosting-config enable=on,target=native -kernel %s </dev/null",
                 boards[_i].qemu, elf);
        int rc = run_cmd(cmd, out, CAP);
        char *begin = strstr(out, "atome-classify "), *end = begin ? strstr(begin, "\nend ") : NULL;
        ck_assert_msg(rc == 0 && begin && end, "%s on %s: exit %d, output:\n%.400s", heads[i].name, boards[_i].board, rc,
                      out);
        end = strchr(end + 1, '\n');
        ck_assert_ptr_nonnull(end);
        end[1] = 0;
        snprintf(what, sizeof what, "%s on %s", heads[i].name, boards[_i].board);
        assert_same_text(what, want, begin);
        free(want), free(blob);
        ran++;
    }
    free(out);
    ck_assert_msg(ran > 0, "no classifier firmware runs on %s (mk/cls_fw.mk)", boards[_i].board);
}
END_TEST

/* Every board make builds classifier firmware for has its QEMU command above. */
START_TEST(every_board_is_run) {
    static head heads[MAX_HEADS];
    int n = read_heads(heads);
    for (int i = 0; i < n; i++)
        for (char *b = strtok(heads[i].boards, " "); b; b = strtok(NULL, " ")) {
            int known = 0;
            for (int k = 0; k < N_BOARDS; k++) known += strcmp(b, boards[k].board) == 0;
            ck_assert_msg(known, "board %s of head %s has no QEMU command in tests/test_mcu_classify.c", b, heads[i].name);
        }
}
END_TEST

/* The head named set-* of mk/cls_fw.mk, read into *h (a sensor and a text one exist by default). */
static void head_of_set(head *h, const char *set) {
    static head heads[MAX_HEADS];
    int n = read_heads(heads);
    for (int i = 0; i < n; i++)
        if (strncmp(heads[i].name, set, strlen(set)) == 0 && heads[i].name[strlen(set)] == '-') {
            *h = heads[i];
            return;
        }
    ck_abort_msg("no %s-* head in MCU_CLS_HEADS", set);
}

/* The comparison could not pass by accident: one packed byte of the class head, or one feature
 * minimum, changed (CRC resealed) changes the text. */
START_TEST(text_sees_one_weight_and_one_feature_constant) {
    head h;
    head_of_set(&h, "occupancy");
    size_t len;
    uint8_t *blob = (uint8_t *)read_all(h.blob, &len);
    char *a = host_text(blob, len, &h);
    atome_weights w;
    ck_assert_int_eq(atome_blob_open(blob, len, &w), ATOME_OK);
    uint8_t *byte = (uint8_t *)w.unemb.trits;
    *byte = (uint8_t)(*byte == 0 ? 0xff : 0);
    atome_blob_seal(blob, &w.cfg);
    char *b = host_text(blob, len, &h);
    ck_assert_int_eq(line_count(a), line_count(b));
    ck_assert_str_ne(a, b);
    free(b);
    *byte = (uint8_t)(*byte == 0 ? 0xff : 0); /* back, then move the Temperature minimum up by 1 */
    float *fmin = (float *)w.feature_min;
    fmin[0] += 1.0f;
    atome_blob_seal(blob, &w.cfg);
    b = host_text(blob, len, &h);
    ck_assert_str_ne(a, b);
    /* the bytes the classifier read moved: the bytes CRC of row 0 (its line follows the header) */
    unsigned row_a, n_a, crc_a, row_b, n_b, crc_b;
    ck_assert_int_eq(sscanf(strchr(a, '\n') + 1, "%u %u %8x", &row_a, &n_a, &crc_a), 3);
    ck_assert_int_eq(sscanf(strchr(b, '\n') + 1, "%u %u %8x", &row_b, &n_b, &crc_b), 3);
    ck_assert(row_a == 0 && row_b == 0 && n_a == 5 && n_b == 5);
    ck_assert_uint_ne(crc_a, crc_b);
    free(a), free(b), free(blob);
}
END_TEST

/* cls-rows: a test file that does not fit its head is one line, exit 1, and no output file. */
START_TEST(cls_rows_refuses_a_test_file_of_another_head) {
    ck_assert_int_eq(run_cmd("make -s build/tools/cls-rows", NULL, 0), 0);
    head sms, occ;
    head_of_set(&sms, "sms");
    head_of_set(&occ, "occupancy");
    char dir[64], cmd[1024], out[256];
    scratch_dir(dir, sizeof dir, "cls-rows-test");
    snprintf(cmd, sizeof cmd, "build/tools/cls-rows %s data/clinc150_test.tsv %s/r.h", sms.blob, dir);
    expect_one_line_error(cmd, 1, "data/clinc150_test.tsv: label '");
    expect_one_line_error(cmd, 1, "' is not one of the model's 2 classes");
    snprintf(cmd, sizeof cmd, "build/tools/cls-rows %s data/magic_wand_test.csv %s/r.h --label-col digit", occ.blob, dir);
    expect_one_line_error(cmd, 1, "data/magic_wand_test.csv: 64 features a row, the model reads 5");
    snprintf(cmd, sizeof cmd, "build/tools/cls-rows %s data/sms_spam_test.tsv %s/r.h", occ.blob, dir);
    expect_one_line_error(cmd, 1, "data/sms_spam_test.tsv: 0 features a row, the model reads 5");
    snprintf(cmd, sizeof cmd, "ls -A %s", dir);
    ck_assert_int_eq(run_cmd(cmd, out, sizeof out), 0);
    ck_assert_str_eq(out, "");
    scratch_remove(dir);
}
END_TEST

Suite *mcu_classify_suite(void) {
    Suite *s = suite_create("mcu_classify");
    TCase *t = tcase_create("qemu classifier parity");
    tcase_set_timeout(t, 600);
    tcase_add_loop_test(t, classifier_firmware_matches_host, 0, N_BOARDS);
    tcase_add_test(t, every_board_is_run);
    tcase_add_test(t, text_sees_one_weight_and_one_feature_constant);
    tcase_add_test(t, cls_rows_refuses_a_test_file_of_another_head);
    suite_add_tcase(s, t);
    return s;
}

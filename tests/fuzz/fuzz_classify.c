/* fuzz_classify.c — libFuzzer harness: the classifier's data readers (common/classify_data.c),
 * which atome-train --task classify and atome-infer --classify run on the user's own files.
 *
 * Input: byte 0 picks the format (bit 0: a CSV table with the label column "y", else a text TSV)
 * and whether a separate valid file is given (bit 1: the rest split in two at its middle); the
 * rest is the file. classify_load reads it (memfds, fuzz_util.h). What must hold:
 *   - refused: one line of error, nothing else (ASan's leak check at exit sees anything kept);
 *   - accepted: 1..256 classes, every row's class below that, its bytes a text of one byte or
 *     more (F feature bytes for a table) inside the split's buffer, and the label table sorted;
 *   - then the same file read again by classify_load_fixed against the table just fitted (as
 *     atome-infer --classify reads a test file against a trained model's) is accepted too, with
 *     the same rows per class: a file the trainer took, the evaluator takes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../common/classify_data.h"
#include "fuzz_util.h"

/* The rows of each class over the three splits, into count[256]; checks every row's shape. */
static void count_rows(const classify_dataset *d, uint32_t *count) {
    memset(count, 0, CLASSIFY_MAX_CLASSES * sizeof *count);
    for (int s = 0; s < 3; s++) {
        const classify_split *sp = &d->split[s];
        if (sp->n && (!sp->start || sp->start[0] != 0)) abort();
        for (uint32_t i = 0; i < sp->n; i++) {
            size_t len = sp->start[i + 1] - sp->start[i];
            if (sp->start[i + 1] < sp->start[i] || len == 0) abort();
            if (d->is_table && len != d->n_features) abort();
            if (sp->label[i] >= d->n_classes) abort();
            count[sp->label[i]]++;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int table = data[0] & 1, two_files = data[0] >> 1 & 1;
    data += 1, size -= 1;
    size_t n_data = two_files ? size / 2 : size;
    char data_path[64], valid_path[64], err[512];
    int fd_data = fuzz_memfile(data, n_data, data_path, sizeof data_path);
    int fd_valid = two_files ? fuzz_memfile(data + n_data, size - n_data, valid_path, sizeof valid_path) : -1;
    classify_options o;
    classify_options_default(&o);
    o.data = data_path, o.valid = two_files ? valid_path : NULL, o.label_col = table ? "y" : NULL;
    static classify_dataset d, e;
    err[0] = 0;
    if (classify_load(&o, &d, err, sizeof err) == 0) {
        if (d.n_classes < 1 || d.n_classes > CLASSIFY_MAX_CLASSES || d.is_table != table) abort();
        for (uint32_t k = 1; k < d.n_classes; k++)
            if (strcmp(d.label[k - 1], d.label[k]) >= 0) abort(); /* sorted, no label twice */
        static uint32_t count[CLASSIFY_MAX_CLASSES], again[CLASSIFY_MAX_CLASSES];
        count_rows(&d, count);
        const char *names[CLASSIFY_MAX_CLASSES];
        for (uint32_t k = 0; k < d.n_classes; k++) names[k] = d.label[k];
        classify_model_table t = {d.n_classes, names, d.n_features, d.fmin, d.fscale};
        classify_options f;
        classify_options_default(&f);
        f.test = data_path, f.valid = o.valid, f.label_col = o.label_col;
        if (classify_load_fixed(&f, &t, &e, err, sizeof err) != 0) abort(); /* err says why, under a debugger */
        count_rows(&e, again);
        if (memcmp(count, again, sizeof count)) abort();
        classify_free(&e);
        classify_free(&d);
    } else if (!err[0] || strchr(err, '\n')) {
        abort(); /* the error must be one line */
    }
    close(fd_data);
    if (fd_valid >= 0) close(fd_valid);
    return 0;
}

/* fuzz_checkpoint.c — libFuzzer harness: checkpoint_load (train/checkpoint.c) on any bytes.
 *
 * checkpoint_load takes a path, so the input is handed over as a memfd (fuzz_util.h). Each
 * input is read twice:
 *   1. as it is: magic, version, length and CRC checks on arbitrary bytes;
 *   2. with the total length (bytes 16..23) set to the input's and the CRC (bytes 8..11)
 *      recomputed over bytes 12..end, as checkpoint_save writes them, so that mutated header
 *      fields get past the CRC to the parser and the allocations it sizes from them.
 * A load that succeeds must describe a state the trainer can use: arrays allocated for its
 * parameter count; the harness frees it as the trainer would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../common/atome_blob.h"
#include "../../train/checkpoint.h"
#include "fuzz_util.h"

static void load(const uint8_t *data, size_t size) {
    char path[64], err[512];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    train_state s;
    if (checkpoint_load(path, &s, err, sizeof err) == 0) {
        if (s.n_params <= 0 || !s.params || !s.m || !s.v || (s.blob_bytes && !s.best_blob)) abort();
        state_free(&s);
    } else if (!err[0] || strchr(err, '\n')) {
        abort(); /* the error must be one line */
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    load(data, size);
    if (size < 24) return 0;
    uint8_t *copy = malloc(size);
    if (!copy) abort();
    memcpy(copy, data, size);
    uint64_t total = size;
    memcpy(copy + 16, &total, 8);
    uint32_t crc = atome_crc32(0, copy + 12, size - 12);
    memcpy(copy + 8, &crc, 4);
    load(copy, size);
    free(copy);
    return 0;
}

/* fuzz_data.c — libFuzzer harness: the trainer's corpus reader and the walks over it (train/data.c).
 *
 * Input: byte 0 picks the window (T = 1 + byte0 % 64) and whether a separate valid file is
 * given (byte 1, bit 0); the rest is the text, split in two at its middle when there are two
 * files. data_open reads them (memfds, fuzz_util.h); if it accepts them, data_sample draws
 * B windows and data_evaluate_with walks every evaluation window with a forward that reads
 * each window's bytes whole, so that a window cut past the end of a buffer shows up in ASan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../train/data.h"
#include "fuzz_util.h"

enum { B = 3, T_MAX = 64 };

typedef struct {
    int T;
} walk;

/* A stand-in forward: a "loss" per predicted byte that depends on every byte of the window. */
static void byte_forward(void *ctx, const uint8_t *tokens, float *loss_pos) {
    const walk *k = ctx;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < k->T; t++) loss_pos[b * k->T + t] = (float)(tokens[b * (k->T + 1) + t + 1] ^ tokens[b * (k->T + 1)]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    int T = 1 + data[0] % T_MAX, two_files = data[1] & 1;
    data += 2, size -= 2;
    size_t n_train = two_files ? size / 2 : size;
    char train_path[64], valid_path[64], err[512];
    int fd_train = fuzz_memfile(data, n_train, train_path, sizeof train_path);
    int fd_valid = two_files ? fuzz_memfile(data + n_train, size - n_train, valid_path, sizeof valid_path) : -1;
    dataset d;
    if (data_open(&d, train_path, two_files ? valid_path : NULL, T, err, sizeof err) == 0) {
        static uint8_t tokens[B * (T_MAX + 1)];
        static float loss_pos[B * T_MAX];
        atome_rng rng = {(uint64_t)size | 1};
        data_sample(&d, &rng, B, T, tokens);
        walk k = {T};
        long predicted = 0;
        data_evaluate_with(byte_forward, &k, &d, B, T, tokens, loss_pos, &predicted, NULL);
        if (predicted != data_eval_windows(d.n_valid, T) * T) abort();
        data_close(&d);
    } else if (!err[0] || strchr(err, '\n')) {
        abort(); /* the error must be one line */
    }
    close(fd_train);
    if (fd_valid >= 0) close(fd_valid);
    return 0;
}

/* firmware_loop.c — README.md's "The engine in a firmware" loop as a host program: the model is
 * checkpoints/nano.bin through `atome-header nano.bin model.h --name model`, emit() writes to
 * stdout. tests/test_library.c builds it against the CMake-built and the installed libatome.a
 * (pkg-config) and compares the bytes with the engine's in the test itself. */
#include <stdio.h>
#include "model.h"
#include "atome.h"

static atome_model m;
static atome_state st;

/* From README.md, unchanged. */
void tell(const char *prompt, int n, void (*emit)(int byte)) {
    if (atome_load(&m, model, model_LEN) != ATOME_OK) return;   /* checks magic, dims, CRC */
    atome_reset(&st);
    const float *logits = 0;
    while (*prompt) logits = atome_step(&m, &st, (unsigned char)*prompt++);
    for (int i = 0; i < n; i++) {
        int next = atome_argmax(logits, ATOME_VOCAB);
        emit(next);
        logits = atome_step(&m, &st, next);
    }
}

static void emit(int byte) { putchar(byte); }

int main(void) {
    tell("Once upon a time", 64, emit);
    return fflush(stdout) != 0;
}

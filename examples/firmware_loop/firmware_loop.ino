// firmware_loop.ino — README.md's firmware loop on an Arduino board: the model tells a story of
// 64 bytes after a prompt, over Serial. model.h and model_config.h come from
//     ./atome-header checkpoints/nano.bin model.h --name model
// For another model run atome-header on it and copy the four ATOME_MAX_* of its model_config.h
// into the library's src/atome_sizes.h (the build stops if they differ). model.h comes first:
// its model_config.h must be seen before atome.h.
#include "model.h"
#include <atome.h>

static atome_model m;
static atome_state st; // all the RAM the engine uses, sized by model_config.h

void tell(const char *prompt, int n, void (*emit)(int byte)) {
    if (atome_load(&m, model, model_LEN) != ATOME_OK) return;   // checks magic, dims, CRC
    atome_reset(&st);
    const float *logits = 0;
    while (*prompt) logits = atome_step(&m, &st, (unsigned char)*prompt++);
    for (int i = 0; i < n; i++) {
        int next = atome_argmax(logits, ATOME_VOCAB);
        emit(next);
        logits = atome_step(&m, &st, next);
    }
}

static void emit(int byte) { Serial.write((uint8_t)byte); }

void setup() {
    Serial.begin(115200);
    tell("Once upon a time", 64, emit);
    Serial.println();
}

void loop() {}

/* size_stub_cls.c — size_stub.c for a sensor classifier: load, then atome_features, atome_classify
 * and atome_label in a loop, what a firmware's classifier loop does with the engine. The size
 * table links it alone (--gc-sections) beside size_stub.c: the engine code a classifier firmware
 * carries, and how it differs from a language model's. A text classifier calls no atome_features. */
#include "../atome.h"

static atome_model model;
static atome_state state;
static uint8_t bytes[16]; /* one reading's features as bytes (F <= 16 here) */
const uint8_t *volatile size_blob; /* volatile: nothing may be folded away */
volatile size_t size_len, size_n;
const float *volatile size_raw;
const char *volatile size_label;
volatile int size_out, size_steps;

void size_entry(void) {
    if (atome_load(&model, size_blob, size_len) != ATOME_OK) return;
    for (int i = size_steps; i > 0; i--) {
        atome_features(&model, size_raw, bytes);
        size_out = atome_classify(&model, &state, bytes, size_n);
        size_label = atome_label(&model, size_out);
    }
}

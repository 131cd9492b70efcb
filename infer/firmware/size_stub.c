/* size_stub.c — the least a firmware does with the engine: load, reset, step, argmax. The size
 * table links it alone (--gc-sections), so that it counts the engine code a firmware carries. */
#include "../atome.h"

static atome_model model;
static atome_state state;
const uint8_t *volatile size_blob; /* volatile: nothing may be folded away */
volatile size_t size_len;
volatile int size_out;

void size_entry(void) {
    if (atome_load(&model, size_blob, size_len) != ATOME_OK) return;
    atome_reset(&state);
    size_out = atome_argmax(atome_step(&model, &state, size_out), ATOME_VOCAB);
}

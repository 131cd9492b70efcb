/* size_stub.c — the least a firmware does with the engine: load, reset, then step and argmax in a
 * loop. The size table links it alone (--gc-sections), so that it counts the engine code a firmware
 * carries. The loop matters under -flto: after a lone atome_reset + atome_step the compiler knows
 * pos = 0 and folds the attention, the conv history and the SSM state away (~300 B too few). */
#include "../atome.h"

static atome_model model;
static atome_state state;
const uint8_t *volatile size_blob; /* volatile: nothing may be folded away */
volatile size_t size_len;
volatile int size_out, size_steps;

void size_entry(void) {
    if (atome_load(&model, size_blob, size_len) != ATOME_OK) return;
    atome_reset(&state);
    for (int i = size_steps; i > 0; i--)
        size_out = atome_argmax(atome_step(&model, &state, (uint8_t)size_out), ATOME_VOCAB);
}

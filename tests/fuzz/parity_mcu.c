/* parity_mcu.c — the firmware's engine (no -DATOME_LUT: trits decoded in place) behind three
 * calls, for fuzz_parity (fuzz_blob.c built with -DFUZZ_PARITY).
 *
 * mk/fuzz.mk links this file with the engine built without ATOME_LUT into one object and renames
 * every symbol it defines to mcu_*, so that both engines live in one harness: the host's with its
 * lookup-table matmul, the firmware's without. Its atome_state (which has no LUT scratch) stays
 * in here; atome_model is the same struct in both builds.
 */
#include "../../infer/atome.h"

static atome_state state;

int parity_load(atome_model *m, const uint8_t *blob, size_t len) { return atome_load(m, blob, len); }

void parity_reset(void) { atome_reset(&state); }

const float *parity_step(const atome_model *m, int token) { return atome_step(m, &state, token); }

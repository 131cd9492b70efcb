/* atome.h (Arduino library) — the engine for a sketch: `#include "model.h"`, then `#include <atome.h>`.
 *
 * Arduino builds only a library's src/ and compiles it apart from the sketch, with no flag the
 * sketch could pass to it, so the engine's sizes cannot come from an -include of model_config.h
 * as elsewhere: library (src/engine/) and sketch both take them from atome_sizes.h. The engine is
 * C; a sketch is C++, hence the extern "C".
 */
#ifndef ATOME_ARDUINO_H
#define ATOME_ARDUINO_H
#include "atome_sizes.h"
#ifdef __cplusplus
extern "C" {
#endif
#include "../infer/atome.h"
#ifdef __cplusplus
}
#endif
#endif

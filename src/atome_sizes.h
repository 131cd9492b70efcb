/* atome_sizes.h (Arduino library) — the ATOME_MAX_* the engine is built with: those of the model's
 * model_config.h (atome-header writes it). Shipped: checkpoints/nano.bin, the example's model.
 * For another model, copy its four values here. The engine's state struct is sized by them, so a
 * sketch whose model_config.h says otherwise would not share the library's layout: that stops the
 * build below instead of corrupting memory at run time.
 */
#ifndef ATOME_ARDUINO_SIZES_H
#define ATOME_ARDUINO_SIZES_H
#define ATOME_ARDUINO_MAX_D 16
#define ATOME_ARDUINO_MAX_LAYERS 2
#define ATOME_ARDUINO_MAX_DHEAD 4
#define ATOME_ARDUINO_MAX_WINDOW 64

#if defined(ATOME_MAX_D) && (ATOME_MAX_D != ATOME_ARDUINO_MAX_D || ATOME_MAX_LAYERS != ATOME_ARDUINO_MAX_LAYERS || \
                             ATOME_MAX_DHEAD != ATOME_ARDUINO_MAX_DHEAD || ATOME_MAX_WINDOW != ATOME_ARDUINO_MAX_WINDOW)
#error "the model's model_config.h and the atome library's src/atome_sizes.h differ: copy its ATOME_MAX_* there"
#endif
#ifndef ATOME_MAX_D
#define ATOME_MAX_D ATOME_ARDUINO_MAX_D
#define ATOME_MAX_LAYERS ATOME_ARDUINO_MAX_LAYERS
#define ATOME_MAX_DHEAD ATOME_ARDUINO_MAX_DHEAD
#define ATOME_MAX_WINDOW ATOME_ARDUINO_MAX_WINDOW
#endif
/* The logits the state holds: always 256, a language model's, which any classifier's C (at most
 * 256) fits in. A classifier's model_config.h asks for its C alone; its model.h has checked that
 * value by now, and the sketch takes the library's instead, so that both share one layout (the
 * price: 4·(256 − C) bytes of RAM the classifier leaves unused). */
#undef ATOME_MAX_LOGITS
#define ATOME_MAX_LOGITS 256
#endif

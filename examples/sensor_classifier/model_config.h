/* model_config.h — engine sizes for the model in model.h, written by atome-header; do not edit.
 * The engine's state (atome.h) is sized by these, so every file that includes atome.h,
 * atome.c too, must see the same values: compile them all with -include model_config.h. */
#ifndef ATOME_MODEL_CONFIG_MODEL_H
#define ATOME_MODEL_CONFIG_MODEL_H
#ifdef ATOME_CONFIG_H
#error "model_config.h must come before atome.h (best: -include model_config.h on every file)"
#endif
#ifndef ATOME_MAX_D
#define ATOME_MAX_D 16
#endif
#ifndef ATOME_MAX_LAYERS
#define ATOME_MAX_LAYERS 2
#endif
#ifndef ATOME_MAX_DHEAD
#define ATOME_MAX_DHEAD 4
#endif
#ifndef ATOME_MAX_WINDOW
#define ATOME_MAX_WINDOW 64
#endif
#ifndef ATOME_MAX_LOGITS
#define ATOME_MAX_LOGITS 2
#endif
#endif

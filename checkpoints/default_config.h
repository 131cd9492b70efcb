/* default_config.h — engine sizes for the model in default.h, written by atome-header; do not edit.
 * The engine's state (atome.h) is sized by these, so every file that includes atome.h,
 * atome.c too, must see the same values: compile them all with -include default_config.h. */
#ifndef ATOME_MODEL_CONFIG_ATOME_DEFAULT_H
#define ATOME_MODEL_CONFIG_ATOME_DEFAULT_H
#ifdef ATOME_CONFIG_H
#error "default_config.h must come before atome.h (best: -include default_config.h on every file)"
#endif
#ifndef ATOME_MAX_D
#define ATOME_MAX_D 64
#endif
#ifndef ATOME_MAX_LAYERS
#define ATOME_MAX_LAYERS 4
#endif
#ifndef ATOME_MAX_DHEAD
#define ATOME_MAX_DHEAD 16
#endif
#ifndef ATOME_MAX_WINDOW
#define ATOME_MAX_WINDOW 64
#endif
#endif

/* prod_config.h — engine sizes for the model in prod.h, written by atome-header; do not edit.
 * The engine's state (atome.h) is sized by these, so every file that includes atome.h,
 * atome.c too, must see the same values: compile them all with -include prod_config.h. */
#ifndef ATOME_MODEL_CONFIG_ATOME_PROD_H
#define ATOME_MODEL_CONFIG_ATOME_PROD_H
#ifdef ATOME_CONFIG_H
#error "prod_config.h must come before atome.h (best: -include prod_config.h on every file)"
#endif
#ifndef ATOME_MAX_D
#define ATOME_MAX_D 256
#endif
#ifndef ATOME_MAX_LAYERS
#define ATOME_MAX_LAYERS 8
#endif
#ifndef ATOME_MAX_DHEAD
#define ATOME_MAX_DHEAD 64
#endif
#ifndef ATOME_MAX_WINDOW
#define ATOME_MAX_WINDOW 64
#endif
#endif

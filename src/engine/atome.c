/* atome.c (Arduino library): infer/atome.c, with engine_unit.h first. */
#include "engine_unit.h"
#include "../../infer/atome.c"

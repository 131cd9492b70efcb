/* atome_math.c (Arduino library): common/atome_math.c, with engine_unit.h first. */
#include "engine_unit.h"
#include "../../common/atome_math.c"

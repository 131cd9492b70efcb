/* atome_trits.c (Arduino library): common/atome_trits.c, with engine_unit.h first. */
#include "engine_unit.h"
#include "../../common/atome_trits.c"

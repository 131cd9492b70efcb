/* atome_config.c (Arduino library): common/atome_config.c, with engine_unit.h first. */
#include "engine_unit.h"
#include "../../common/atome_config.c"

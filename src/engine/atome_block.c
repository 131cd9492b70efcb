/* atome_block.c (Arduino library): common/atome_block.c, with engine_unit.h first. */
#include "engine_unit.h"
#include "../../common/atome_block.c"

/* atome_ops.c (Arduino library): common/atome_ops.c, with engine_unit.h first. */
#include "engine_unit.h"
#include "../../common/atome_ops.c"

/* atome_blob.c (Arduino library): common/atome_blob.c, with engine_unit.h first. */
#include "engine_unit.h"
#include "../../common/atome_blob.c"

# atome — `make demo` trains and generates, `make test` runs every test (see README.md).
# Each part of the build has its own fragment in mk/; this file holds the shared flags.

CC      ?= gcc
BUILD   := build
# Bit-exact floats: never contract a*b+c into an FMA, never reassociate (-ffast-math).
FPFLAGS := -ffp-contract=off -fno-math-errno
WARN    := -Wall -Wextra -Werror
# Everything the engine compiles is C99 and builds for Cortex-M; host tools may use C11.
# Host builds use the lookup-table matmul (-DATOME_LUT); firmware decodes trits in place.
HOST_DEFS     := -DATOME_LUT
ENGINE_CFLAGS := -std=c99 -pedantic $(WARN) $(FPFLAGS) $(HOST_DEFS)
HOST_CFLAGS   := -std=gnu11 $(WARN) $(FPFLAGS) $(HOST_DEFS)
OPT     ?= -O3
DEPS    := scripts/deps.sh

COMMON_SRC := common/atome_config.c common/atome_math.c common/atome_trits.c \
              common/atome_blob.c common/atome_ops.c common/atome_block.c
ENGINE_SRC := $(COMMON_SRC) infer/atome.c

.PHONY: all deps demo test bench mcu paper clean
all: atome-infer atome-train atome-header atome-import

deps:
	@bash $(DEPS) host

include mk/engine.mk
include mk/train.mk
include mk/mcu.mk
include mk/tests.mk
include mk/paper.mk

clean:
	rm -rf $(BUILD) atome-infer atome-train atome-header atome-import

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

# The engine's sources, one path a line: make, CMakeLists.txt, zephyr/CMakeLists.txt and the
# ESP-IDF component all read this file, and tests/test_library.c checks the PlatformIO and
# Arduino manifests against it, so adding or removing an engine file is a change to it alone.
ENGINE_SRC := $(shell cat mk/engine_sources.txt)
# Host-only parts of common/ (file I/O), linked by the tools and the tests, never by the engine.
HOST_COMMON_SRC := common/host_file.c common/classify_data.c common/classify_split.c
HOST_COMMON_OBJ := $(HOST_COMMON_SRC:%.c=$(BUILD)/host/%.o)

.PHONY: all deps demo test bench mcu paper install clean
all: atome-infer atome-train atome-header atome-import

deps:
	@bash $(DEPS) host mpi

include mk/engine.mk
include mk/train.mk
include mk/mcu.mk
include mk/tests.mk
include mk/classify.mk
include mk/cls_fw.mk
include mk/paper.mk
include mk/install.mk
include mk/fuzz.mk
include mk/classify_eval.mk
include mk/avr.mk

clean:
	rm -rf $(BUILD) atome-infer atome-train atome-header atome-import

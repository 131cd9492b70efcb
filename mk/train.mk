# The trainer: every train/*.c but the CLI's main is a library the tests link too.

TRAIN_MAIN    := train/atome_train.c
# Data-parallel training over MPI (train/dist.c, the only file that includes mpi.h, and shard.c
# on top of it): the CLI's alone, so the tests' binary needs no libmpi. Without Open MPI's
# pkg-config file (scripts/deps.sh mpi) dist.c builds its single-process path (-DATOME_NO_MPI).
TRAIN_DIST_SRC := train/dist.c train/shard.c
TRAIN_LIB_SRC := $(filter-out $(TRAIN_MAIN) train/model.c $(TRAIN_DIST_SRC),$(wildcard train/*.c))
MPI_CFLAGS := $(shell pkg-config --cflags ompi-c 2>/dev/null || echo -DATOME_NO_MPI)
MPI_LIBS   := $(shell pkg-config --libs ompi-c 2>/dev/null)
$(BUILD)/host/train/dist.o: TRAIN_CFLAGS += $(MPI_CFLAGS)
TRAIN_CFLAGS  := -fopenmp $(shell pkg-config --cflags openblas 2>/dev/null)
TRAIN_LIBS    := -fopenmp $(shell pkg-config --libs openblas 2>/dev/null) -lm

$(BUILD)/host/train/%.o: train/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(TRAIN_CFLAGS) $(OPT) -MMD -MP -c $< -o $@

TRAIN_OBJ := $(TRAIN_LIB_SRC:%.c=$(BUILD)/host/%.o) $(BUILD)/host/train/model.o $(HOST_COMMON_OBJ)
TRAIN_DIST_OBJ := $(TRAIN_DIST_SRC:%.c=$(BUILD)/host/%.o)
-include $(TRAIN_OBJ:.o=.d) $(TRAIN_DIST_OBJ:.o=.d) $(BUILD)/host/train/atome_train.d

# libgomp linked statically into atome-train, so that its constructor, which reads
# OMP_WAIT_POLICY, runs after the trainer's own (train/atome_train.c): the only in-process
# way to default the policy. The tests' binary links the shared libgomp as usual. Clang's
# OpenMP runtime (libomp) reads the environment at the first parallel region, after that
# constructor anyway: it links as usual, and so does a GCC without libgomp.a (whose default
# policy, active, tests/test_train_cli.c then reports).
GOMP_STATIC = $(shell f=$$($(CC) -print-file-name=libgomp.a); \
  if ! $(CC) -dM -E - </dev/null | grep -q __clang__ && [ -f "$$f" ]; then echo "$$f -lpthread -ldl"; \
  else echo -fopenmp; fi)
TRAIN_EXE_LIBS = $(GOMP_STATIC) $(shell pkg-config --libs openblas 2>/dev/null) -lm

atome-train: $(ENGINE_OBJ) $(TRAIN_OBJ) $(TRAIN_DIST_OBJ) $(BUILD)/host/train/atome_train.o
	$(CC) $^ -o $@ $(TRAIN_EXE_LIBS) $(MPI_LIBS)

# make demo: trains the default preset on the bundled TinyStories for a few minutes (the number
# of steps is sized for a 2-core machine), then lets atome-infer tell a story with the result.
DEMO_OUT   ?= $(BUILD)/demo
DEMO_STEPS ?= 16000
# A model this small loops under greedy decoding; mild temperature sampling (seeded, so the
# story is reproducible) reads more like the corpus.
DEMO_SAMPLE ?= --temperature 0.4 --top-k 20 --seed 1
demo:
	@bash $(DEPS) host
	@$(MAKE) --no-print-directory atome-train atome-infer >/dev/null
	@rm -rf $(DEMO_OUT)
	./atome-train --data data/tinystories_train.txt --valid data/tinystories_valid.txt --preset default \
	  --steps $(DEMO_STEPS) --eval-every 1000 --batch 16 --seq 64 --out $(DEMO_OUT) --sample 0
	./atome-infer --model $(DEMO_OUT)/model.bin --prompt "Once upon a time" -n 300 $(DEMO_SAMPLE)

# atome-train cross-built for aarch64 (Debian's gcc-aarch64-linux-gnu, OpenBLAS from the arm64
# multiarch package for the vanilla baseline, libgomp from the cross toolchain), run under
# qemu-aarch64 by tests/test_determinism.c: its atome checkpoint must be the x86-64 build's bytes.
AARCH64_CC   ?= aarch64-linux-gnu-gcc
AARCH64_LIB  := /usr/lib/aarch64-linux-gnu
AARCH64_BLAS := -I/usr/include/aarch64-linux-gnu/openblas-pthread
# No MPI for aarch64: dist.c's single-process path.
AARCH64_SRC  := $(ENGINE_SRC) $(HOST_COMMON_SRC) $(TRAIN_LIB_SRC) train/model.c $(TRAIN_DIST_SRC) $(TRAIN_MAIN)
AARCH64_OBJ  := $(AARCH64_SRC:%.c=$(BUILD)/aarch64/%.o)
-include $(AARCH64_OBJ:.o=.d)

$(BUILD)/aarch64/%.o: %.c
	@mkdir -p $(dir $@)
	$(AARCH64_CC) $(if $(filter common/% infer/atome.c,$<),$(ENGINE_CFLAGS),$(HOST_CFLAGS) -fopenmp $(AARCH64_BLAS) -DATOME_NO_MPI) \
	  $(OPT) -MMD -MP -c $< -o $@

$(BUILD)/aarch64/atome-train: $(AARCH64_OBJ)
	$(AARCH64_CC) $^ -o $@ $(shell $(AARCH64_CC) -print-file-name=libgomp.a) -lpthread -ldl \
	  -L$(AARCH64_LIB) -Wl,-rpath-link,$(AARCH64_LIB) -lopenblas -lm

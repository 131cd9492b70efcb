# The trainer: every train/*.c but the CLI's main is a library the tests link too.

TRAIN_MAIN    := train/atome_train.c
TRAIN_LIB_SRC := $(filter-out $(TRAIN_MAIN) train/model.c,$(wildcard train/*.c))
TRAIN_CFLAGS  := -fopenmp $(shell pkg-config --cflags openblas 2>/dev/null)
TRAIN_LIBS    := -fopenmp $(shell pkg-config --libs openblas 2>/dev/null) -lm

$(BUILD)/host/train/%.o: train/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(TRAIN_CFLAGS) $(OPT) -MMD -MP -c $< -o $@

TRAIN_OBJ := $(TRAIN_LIB_SRC:%.c=$(BUILD)/host/%.o) $(BUILD)/host/train/model.o
-include $(TRAIN_OBJ:.o=.d) $(BUILD)/host/train/atome_train.d

atome-train: $(ENGINE_OBJ) $(TRAIN_OBJ) $(BUILD)/host/train/atome_train.o
	$(CC) $^ -o $@ $(TRAIN_LIBS)

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

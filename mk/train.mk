# The trainer: every train/*.c but the CLI's main is a library the tests link too.

TRAIN_MAIN    := train/atome_train.c
TRAIN_LIB_SRC := $(filter-out $(TRAIN_MAIN) train/model.c,$(wildcard train/*.c))
TRAIN_CFLAGS  := -fopenmp $(shell pkg-config --cflags openblas 2>/dev/null)
TRAIN_LIBS    := -fopenmp $(shell pkg-config --libs openblas 2>/dev/null) -lm

$(BUILD)/host/train/%.o: train/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(TRAIN_CFLAGS) $(OPT) -MMD -MP -c $< -o $@

TRAIN_OBJ := $(TRAIN_LIB_SRC:%.c=$(BUILD)/host/%.o) $(BUILD)/host/train/model.o
-include $(TRAIN_OBJ:.o=.d)

atome-train: $(ENGINE_OBJ) $(TRAIN_OBJ) $(BUILD)/host/train/atome_train.o
	$(CC) $^ -o $@ $(TRAIN_LIBS)

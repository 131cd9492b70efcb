# One libcheck binary holds every suite (tests/suites.def lists them); `make test` builds it,
# and everything it links, with AddressSanitizer and UBSan, and runs it. gcc's undefined group
# leaves out float-cast-overflow (a NaN, an infinity or an out-of-range float converted to an
# integer): named here, so that the tests see that class too.

UBSAN    := undefined,float-cast-overflow
SAN      := -fsanitize=address,$(UBSAN) -fno-sanitize-recover=$(UBSAN) -fno-omit-frame-pointer
TEST_OPT := -O1 -g
TEST_SRC := $(wildcard tests/test_*.c) tests/main.c tests/util.c tests/train_cli.c
TEST_LINK_SRC := $(ENGINE_SRC) $(HOST_COMMON_SRC) $(TRAIN_LIB_SRC) train/model.c $(MCU_HOST_SRC) infer/calibration.c infer/host_util.c
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/asan/%.o) $(TEST_LINK_SRC:%.c=$(BUILD)/asan/%.o)
-include $(TEST_OBJ:.o=.d)

$(BUILD)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(if $(filter common/% infer/atome.c,$<),$(ENGINE_CFLAGS),$(HOST_CFLAGS) $(TRAIN_CFLAGS) $$(pkg-config --cflags check)) \
	  $(TEST_OPT) $(SAN) -MMD -MP -c $< -o $@

$(BUILD)/run_tests: $(TEST_OBJ) | $(BUILD)/asan/atome-infer
	$(CC) $(SAN) $^ -o $@ $(TRAIN_LIBS) $$(pkg-config --libs check) -lm

# atome-infer with the sanitizers too: its error paths run under LeakSanitizer (test_infer_cli.c).
ASAN_INFER_SRC := $(ENGINE_SRC) $(HOST_COMMON_SRC) infer/atome_infer.c infer/calibration.c infer/host_util.c
-include $(ASAN_INFER_SRC:%.c=$(BUILD)/asan/%.d)
$(BUILD)/asan/atome-infer: $(ASAN_INFER_SRC:%.c=$(BUILD)/asan/%.o)
	$(CC) $(SAN) $^ -o $@ -lm

# Test programs the suites run as subprocesses (built normally, they are what ships); the
# aarch64 trainer runs under qemu-aarch64 (tests/test_determinism.c).
TEST_TOOLS := atome-infer atome-train atome-header $(BUILD)/aarch64/atome-train $(BUILD)/tools/parity-o3 fuzz-build atome-import \
              $(BUILD)/tools/lm-only

test:
	@bash $(DEPS) host mpi mcu riscv cross library fuzz avr
	@$(MAKE) --no-print-directory $(BUILD)/run_tests $(BUILD)/asan/atome-infer $(TEST_TOOLS) mcu >/dev/null
	@CK_DEFAULT_TIMEOUT=600 $(BUILD)/run_tests

# The parity runs on the -O3 objects atome-infer and atome-train are made of (tests/tools/parity_o3.c;
# tests/test_mcu.c runs it on every checkpoint).
PARITY_O3 := $(BUILD)/tools/parity-o3
-include $(BUILD)/host/tests/tools/parity_o3.d $(BUILD)/host/infer/firmware/fw_digest.d
$(PARITY_O3): $(ENGINE_OBJ) $(TRAIN_OBJ) $(BUILD)/host/$(MCU_HOST_SRC:.c=.o) $(BUILD)/host/tests/tools/parity_o3.o
	@mkdir -p $(@D)
	$(CC) $^ -o $@ $(TRAIN_LIBS)

# A language model's firmware engine (ATOME_CLASSIFIER 0, ATOME_CHECK_VALUES 0: MCU_LM_FLAGS,
# common/atome_config.h) as a host tool, every object of it built with the switches
# (tests/tools/lm_only.c): tests/test_lm_only.c runs it against the full engine, as tests/test_mcu.c
# runs the language models' firmware, built the same way.
LM_ONLY_SRC := $(ENGINE_SRC) $(MCU_HOST_SRC) common/host_file.c tests/tools/lm_only.c
LM_ONLY_OBJ := $(LM_ONLY_SRC:%.c=$(BUILD)/lmonly/%.o)
-include $(LM_ONLY_OBJ:.o=.d)
$(BUILD)/lmonly/%.o: %.c mk/mcu.mk
	@mkdir -p $(dir $@)
	$(CC) $(if $(filter tests/% common/host_file.c,$<),$(HOST_CFLAGS),$(ENGINE_CFLAGS)) $(MCU_LM_FLAGS) $(OPT) -MMD -MP -c $< -o $@
$(BUILD)/tools/lm-only: $(LM_ONLY_OBJ)
	@mkdir -p $(@D)
	$(CC) $^ -o $@

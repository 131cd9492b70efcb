# One libcheck binary holds every suite (tests/suites.def lists them); `make test` builds it,
# and everything it links, with AddressSanitizer and UBSan, and runs it.

SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
TEST_OPT := -O1 -g
TEST_SRC := $(wildcard tests/test_*.c) tests/main.c tests/util.c
TEST_LINK_SRC := $(ENGINE_SRC) $(TRAIN_COMMON_SRC) $(TRAIN_LIB_SRC) train/model.c $(MCU_HOST_SRC) infer/calibration.c infer/host_util.c
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/asan/%.o) $(TEST_LINK_SRC:%.c=$(BUILD)/asan/%.o)
-include $(TEST_OBJ:.o=.d)

$(BUILD)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(if $(filter common/% infer/atome.c,$<),$(ENGINE_CFLAGS),$(HOST_CFLAGS) $(TRAIN_CFLAGS) $$(pkg-config --cflags check)) \
	  $(TEST_OPT) $(SAN) -MMD -MP -c $< -o $@

$(BUILD)/run_tests: $(TEST_OBJ)
	$(CC) $(SAN) $^ -o $@ $(TRAIN_LIBS) $$(pkg-config --libs check) -lm

# Test programs the suites run as subprocesses (built normally, they are what ships).
TEST_TOOLS := atome-infer atome-train atome-header atome-import

test:
	@bash $(DEPS) host mcu riscv
	@$(MAKE) --no-print-directory $(BUILD)/run_tests $(TEST_TOOLS) mcu >/dev/null
	@CK_DEFAULT_TIMEOUT=600 $(BUILD)/run_tests

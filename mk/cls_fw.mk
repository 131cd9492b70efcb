# Classifier firmware: a classifier's parity and speed runs on the boards of mk/mcu.mk
# (infer/firmware/fw_main.c -DFW_CLASSIFY, fw_classify.h), its heads and its baked test rows.
#
#   make mcu             also builds build/mcu/cls/<board>/<head>.elf for every head of MCU_CLS_HEADS on
#                        every board of MCU_CLS_BOARDS (tests/test_mcu_classify.c runs each under QEMU
#                        against the host engine); build/mcu/cls/<board>/speed/<head>.elf is its speed run
#   make mcu-cls-heads   one line a head: "head <name> <blob> <test file> <label column, - for text>
#                        <rows> <boards...>", what the test and scripts/mcu_*.sh read
#
# A head's name is <set>-<anything>: <set> picks its data below (sms, clinc, occupancy, wand). Its
# blob is MCU_CLS_BLOB_<head>, by default build/mcu/gen/cls-<head>.bin: an untrained head of the
# preset named after the dash, with the window of a third part w<W> if there is one (cls-blob,
# seed 1; sizes and costs do not depend on the weights).
# A trained head takes its place by one line, above the foreach below or on the command line:
#     MCU_CLS_BLOB_sms-nano := checkpoints/sms.bin
# The firmware classifies MCU_CLS_ROWS rows of the set's test file (and its typical row: cls-rows,
# tests/tools/rows_pick.h).

CLS_TRAIN_sms       := data/sms_spam_train.tsv
CLS_TEST_sms        := data/sms_spam_test.tsv
CLS_TRAIN_clinc     := data/clinc150_train.tsv
CLS_TEST_clinc      := data/clinc150_test.tsv
CLS_TRAIN_occupancy := data/occupancy_train.csv
CLS_TEST_occupancy  := data/occupancy_test1.csv
CLS_COL_occupancy   := Occupancy
CLS_TRAIN_wand      := data/magic_wand_train.csv
CLS_TEST_wand       := data/magic_wand_test.csv
CLS_COL_wand        := digit

MCU_CLS_HEADS ?= sms-nano clinc-nano occupancy-nano wand-nano
MCU_CLS_ROWS  ?= 6
# The count in a file rewritten only when it changes, so that a new count rebuilds the rows.
CLS_ROWS_STAMP := $(BUILD)/mcu/cls/rows-count
$(shell mkdir -p $(BUILD)/mcu/cls; echo $(MCU_CLS_ROWS) | cmp -s - $(CLS_ROWS_STAMP) || echo $(MCU_CLS_ROWS) > $(CLS_ROWS_STAMP))
# Every board of the language model's firmware, and its speed build on the two boards where
# tests/test_mcu.c runs it; the micro:bit (16 KB RAM) takes the heads of MCU_CLS_MICROBIT_HEADS, by
# default those of the nano and small presets.
MCU_CLS_BOARDS ?= $(MCU_BOARDS) fast/mps2-an386 fast/m0-on-an385
MCU_CLS_MICROBIT_HEADS ?= $(foreach h,$(MCU_CLS_HEADS),$(if $(filter nano small,$(word 2,$(subst -, ,$(h)))),$(h)))
cls_set = $(firstword $(subst -, ,$(1)))
cls_boards = $(filter-out $(if $(filter $(1),$(MCU_CLS_MICROBIT_HEADS)),,microbit),$(MCU_CLS_BOARDS))

CLS_BLOB_TOOL := $(BUILD)/tools/cls-blob
CLS_ROWS_TOOL := $(BUILD)/tools/cls-rows
CLS_TOOL_OBJ := $(BUILD)/host/tests/tools/cls_blob.o $(BUILD)/host/tests/tools/cls_rows.o $(BUILD)/host/tests/tools/rows_pick.o
-include $(CLS_TOOL_OBJ:.o=.d)
$(CLS_BLOB_TOOL): $(ENGINE_OBJ) $(HOST_COMMON_OBJ) $(BUILD)/host/train/model.o $(BUILD)/host/tests/tools/cls_blob.o
	@mkdir -p $(@D)
	$(CC) $^ -o $@ -lm
$(CLS_ROWS_TOOL): $(ENGINE_OBJ) $(HOST_COMMON_OBJ) $(BUILD)/host/tests/tools/rows_pick.o $(BUILD)/host/tests/tools/cls_rows.o
	@mkdir -p $(@D)
	$(CC) $^ -o $@ -lm

# The host side of the classifier parity run, in the test binary.
CLS_TEST_OBJ := $(BUILD)/asan/infer/firmware/fw_classify.o $(BUILD)/asan/tests/tools/rows_pick.o
-include $(CLS_TEST_OBJ:.o=.d)
$(BUILD)/run_tests: $(CLS_TEST_OBJ)

# Untrained heads: cls-<set>-<preset>.bin, or cls-<set>-<preset>-w<W>.bin with window W.
$(BUILD)/mcu/gen/cls-%.bin: $(CLS_BLOB_TOOL)
	@mkdir -p $(@D)
	$(CLS_BLOB_TOOL) $(word 2,$(subst -, ,$*)) 1 $(CLS_TRAIN_$(call cls_set,$*)) $@ \
	  $(if $(CLS_COL_$(call cls_set,$*)),--label-col $(CLS_COL_$(call cls_set,$*))) \
	  $(patsubst w%,--window %,$(word 3,$(subst -, ,$*)))

# Per head: the blob as a header (atome-header: its labels, feature constants, ATOME_MAX_LOGITS = C)
# and its test rows (cls-rows).
define cls_head
MCU_CLS_BLOB_$(1) ?= $(BUILD)/mcu/gen/cls-$(1).bin
$(BUILD)/mcu/cls/models/$(1)/atome_model.h: $$(MCU_CLS_BLOB_$(1)) atome-header
	@mkdir -p $$(@D)
	./atome-header $$< $$@
$(BUILD)/mcu/cls/models/$(1)/atome_rows.h: $$(MCU_CLS_BLOB_$(1)) $(CLS_TEST_$(call cls_set,$(1))) $(CLS_ROWS_TOOL) $(CLS_ROWS_STAMP)
	@mkdir -p $$(@D)
	$(CLS_ROWS_TOOL) $$< $(CLS_TEST_$(call cls_set,$(1))) $$@ --rows $(MCU_CLS_ROWS) \
	  $(if $(CLS_COL_$(call cls_set,$(1))),--label-col $(CLS_COL_$(call cls_set,$(1))))
endef
$(foreach h,$(MCU_CLS_HEADS),$(eval $(call cls_head,$(h))))
.PRECIOUS: $(BUILD)/mcu/cls/models/%/atome_model.h $(BUILD)/mcu/cls/models/%/atome_rows.h

# $(1) board, $(2) "" or "speed/", $(3) "" (size build) or "fast/" (speed build); the stem is the head.
CLS_FW_SRC := $(MCU_SRC) $(FW_DIR)/fw_classify.c
define cls_board
$(BUILD)/mcu/cls/$(3)$(1)/$(2)%.elf: $(CLS_FW_SRC) $(word 2,$(MCU_BOARD_$(1))) $(MCU_HDR) \
    $(BUILD)/mcu/cls/models/%/atome_model.h $(BUILD)/mcu/cls/models/%/atome_rows.h $(wildcard $(FW_DIR)/*.ld) mk/mcu.mk mk/cls_fw.mk
	@mkdir -p $$(@D)
	$(call mcu_cc,$(call mcu_cpu,$(1))) $(MCU_CPU_$(call mcu_cpu,$(1))) $(MCU_CFLAGS) $(if $(3),$(MCU_FAST_FLAGS)) -flto -g \
	  -DFW_BOARD='"$(1)"' -DFW_CLASSIFY $(if $(2),-DFW_SPEED) \
	  -I$(BUILD)/mcu/cls/models/$$* -include $(BUILD)/mcu/cls/models/$$*/atome_model_config.h \
	  $(CLS_FW_SRC) $(wordlist 2,99,$(MCU_BOARD_$(1))) -o $$@
endef
$(foreach b,$(MCU_BOARDS) m0-on-an385 m0-264k-on-an385,$(foreach f,fast/ _,$(foreach s,speed/ _,\
  $(eval $(call cls_board,$(b),$(s:_=),$(f:_=))))))

CLS_FW := $(foreach h,$(MCU_CLS_HEADS),$(foreach b,$(call cls_boards,$(h)),$(BUILD)/mcu/cls/$(b)/$(h).elf))
mcu: $(CLS_FW)

.PHONY: mcu-cls-heads
mcu-cls-heads:
	@$(foreach h,$(MCU_CLS_HEADS),echo "head $(h) $(MCU_CLS_BLOB_$(h)) $(CLS_TEST_$(call cls_set,$(h))) \
	  $(or $(CLS_COL_$(call cls_set,$(h))),-) $(MCU_CLS_ROWS) $(call cls_boards,$(h))";)

# examples/sensor_classifier/: the sketch's model.h and model_config.h, from the head CLS_EXAMPLE_HEAD
# (`make cls-example` rewrites them; tests/test_library.c checks that they are what it writes, with
# CLS_EXAMPLE_DIR set to a scratch directory). A trained head: set its MCU_CLS_BLOB_ (above).
CLS_EXAMPLE_HEAD ?= occupancy-nano
CLS_EXAMPLE_DIR  ?= examples/sensor_classifier
CLS_EXAMPLE_BLOB := $(or $(MCU_CLS_BLOB_$(CLS_EXAMPLE_HEAD)),$(BUILD)/mcu/gen/cls-$(CLS_EXAMPLE_HEAD).bin)
.PHONY: cls-example cls-example-blob
cls-example: $(CLS_EXAMPLE_BLOB) atome-header
	./atome-header $< $(CLS_EXAMPLE_DIR)/model.h --name model
cls-example-blob: $(CLS_EXAMPLE_BLOB)
	@echo $(CLS_EXAMPLE_BLOB)

# The size table's classifier stub (infer/firmware/size_stub_cls.c), linked as mk/mcu.mk links
# size_stub.c: engine and stub in one -flto unit, at the default preset's sizes and 16 logits
# (a classifier-only firmware's ATOME_MAX_LOGITS = C; the code does not depend on the value).
define cls_obj
$(BUILD)/mcu/obj/$(1)/engine-lto-cls$(2).elf: $(ENGINE_SRC) $(FW_DIR)/size_stub_cls.c $(MCU_HDR) mk/mcu.mk mk/cls_fw.mk
	@mkdir -p $$(@D)
	$$(call mcu_stub_link,$(1),$(if $(2),$(MCU_FAST_FLAGS)) -DATOME_MAX_LOGITS=16)
endef
$(foreach c,$(MCU_CPUS),$(eval $(call cls_obj,$(c),))$(eval $(call cls_obj,$(c),-fast)))
CLS_OBJ := $(foreach c,$(MCU_CPUS),$(BUILD)/mcu/obj/$(c)/engine-lto-cls.elf $(BUILD)/mcu/obj/$(c)/engine-lto-cls-fast.elf)
.PHONY: mcu-cls-objs
mcu-cls-objs: mcu-deps $(CLS_OBJ)

# Firmware for QEMU boards, and the size, RAM and speed tables (infer/firmware/, scripts/mcu_*.sh).
#
#   make mcu         one parity firmware per board and checkpoint: build/mcu/<board>/<model>.elf
#                    (tests/test_mcu.c runs each under QEMU against the host engine)
#   make mcu-sizes   scripts/mcu_sizes.sh -> results/mcu_sizes.md
#   make mcu-ram     scripts/mcu_ram.sh   -> results/mcu_ram.md
#   make mcu-speed   scripts/mcu_speed.sh -> results/mcu_speed.md
#   make mcu-profile scripts/mcu_profile.sh -> results/mcu_profile.md (instructions per kernel)
#   make mcu-tables  all four
#   make mcu-placeholders  untrained checkpoints/default.bin and small.bin, if absent (never overwrites)
#
# <model> is checkpoints/<model>.bin, or else build/mcu/gen/<preset>-w<W>.bin, an untrained blob of
# that preset and window (seed 1) made by init-blob. Every checkpoint runs on the four large boards;
# the micro:bit (16 KB RAM) runs the checkpoints named in MCU_MICROBIT_MODELS that exist.
# build/mcu/<board>/speed/<model>.elf is the speed run of the same model.
#
# Two builds of the one source: the size build (the default, above) and the speed build,
# build/mcu/fast/<board>/[speed/]<model>.elf: MCU_FAST_FLAGS, i.e. -DATOME_FAST (the kernels of
# common/atome_fast.h, flash tables and unrolled loops; atome_ops.h) at -O2. A firmware project
# takes either by that one define. `make mcu` also builds speed-build parity firmware (below), which
# tests/test_mcu.c runs against the host like the size build's.

MCU_CC_arm := arm-none-eabi-gcc
MCU_CC_rv  := riscv64-unknown-elf-gcc
MCU_CPU_m0   := -mcpu=cortex-m0 -mthumb
MCU_CPU_m3   := -mcpu=cortex-m3 -mthumb -mfloat-abi=soft
MCU_CPU_m4   := -mcpu=cortex-m4 -mthumb -mfloat-abi=soft
MCU_CPU_m4f  := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
MCU_CPU_m7   := -mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16
MCU_CPU_rv32 := -march=rv32imac -mabi=ilp32
MCU_CPUS     := m0 m3 m4 m4f m7 rv32
mcu_cc = $(if $(filter rv32,$(1)),$(MCU_CC_rv),$(MCU_CC_arm))

# The engine's flags without the host's lookup-table matmul: C99, never an FMA, -Os. The firmware
# files are C99 too, so one compiler call builds and links a whole firmware, with -flto: the
# engine is then one unit with its caller, ~500 B smaller (results/mcu_sizes.md), same bits.
# -g changes no code; its line table lets scripts/mcu_sizes.sh find the engine's bytes in a firmware.
MCU_CFLAGS := -std=c99 -pedantic $(WARN) $(FPFLAGS) -Os -ffunction-sections -fdata-sections
# The speed build: the switch, and -O2 for its unrolled loops (later on the line, it wins over -Os).
MCU_FAST_FLAGS := -DATOME_FAST -O2
# A language model's firmware, and the size table's language-model stub, carry the engine without
# its classifier path (ATOME_CLASSIFIER 0, common/atome_config.h): the loader refuses a classifier.
# Their blob is baked into the firmware by atome-header, which runs the whole loader on the host
# and refuses a blob whose floats fail its value check, so the firmware's loader leaves that check
# out (ATOME_CHECK_VALUES 0; the header, dimension, length and CRC checks stay). The classifiers'
# firmware (mk/cls_fw.mk) is built with both, as the CMake library is by default.
MCU_LM_FLAGS := -DATOME_CLASSIFIER=0 -DATOME_CHECK_VALUES=0
FW_DIR     := infer/firmware
MCU_SRC    := $(ENGINE_SRC) $(FW_DIR)/fw_main.c $(FW_DIR)/fw_digest.c
MCU_HDR    := $(wildcard common/*.h infer/*.h $(FW_DIR)/*.h)
# Built into the test binary too: the host side of the parity run.
MCU_HOST_SRC := $(FW_DIR)/fw_digest.c
ARM_LDFLAGS := -nostartfiles --specs=nano.specs -L$(FW_DIR) -Wl,--gc-sections
RV_MEM      := -Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x200000 \
               -Wl,--defsym=__ram=0x80200000 -Wl,--defsym=__ram_size=0x200000
RV_LDFLAGS  := --specs=picolibc.specs --oslib=semihost --crt0=semihost -Wl,--gc-sections $(RV_MEM)

# Boards: name, CPU, board file, link flags. m0-on-an385 is Cortex-M0 code run on the M3 board
# (ARMv6-M is a subset of ARMv7-M, so the same instructions execute): the RAM and speed tables
# use it for presets that do not fit the micro:bit's 16 KB; m0-264k-on-an385 the same with RAM cut
# to 264 KB, the RP2040's.
MCU_BOARDS := mps2-an385 mps2-an386 mps2-an500 microbit rv32-virt
MCU_BOARD_mps2-an385  := m3   $(FW_DIR)/arm_board.c  $(ARM_LDFLAGS) -Tmps2.ld
MCU_BOARD_mps2-an386  := m4f  $(FW_DIR)/arm_board.c  $(ARM_LDFLAGS) -Tmps2.ld
MCU_BOARD_mps2-an500  := m7   $(FW_DIR)/arm_board.c  $(ARM_LDFLAGS) -Tmps2.ld
MCU_BOARD_microbit    := m0   $(FW_DIR)/arm_board.c  $(ARM_LDFLAGS) -Tmicrobit.ld
MCU_BOARD_m0-on-an385 := m0   $(FW_DIR)/arm_board.c  $(ARM_LDFLAGS) -Tmps2.ld
MCU_BOARD_m0-264k-on-an385 := m0 $(FW_DIR)/arm_board.c $(ARM_LDFLAGS) -Tmps2.ld -Wl,--defsym=__ram_size=0x42000
MCU_BOARD_rv32-virt   := rv32 $(FW_DIR)/rv32_board.c $(RV_LDFLAGS)

MCU_MODELS := $(patsubst checkpoints/%.bin,%,$(wildcard checkpoints/*.bin))
MCU_MICROBIT_MODELS ?= nano small
MCU_FW := $(foreach b,$(filter-out microbit,$(MCU_BOARDS)),$(MCU_MODELS:%=$(BUILD)/mcu/$(b)/%.elf)) \
          $(patsubst %,$(BUILD)/mcu/microbit/%.elf,$(filter $(MCU_MICROBIT_MODELS),$(MCU_MODELS)))
# The speed build's parity firmware (tests/test_mcu.c lists the same): the M4F board for every
# checkpoint, the M0 for those in MCU_FAST_M0_MODELS, rv32imac for every checkpoint (the two with
# integer soft float, common/atome_softf.h).
MCU_FAST_M0_MODELS ?= nano small default prod
MCU_FW += $(MCU_MODELS:%=$(BUILD)/mcu/fast/mps2-an386/%.elf) \
          $(patsubst %,$(BUILD)/mcu/fast/m0-on-an385/%.elf,$(filter $(MCU_FAST_M0_MODELS),$(MCU_MODELS))) \
          $(MCU_MODELS:%=$(BUILD)/mcu/fast/rv32-virt/%.elf)
# The M0's Thumb-1 float operations checked against libgcc's on the chip (tests/tools/fw_softf_m0.c;
# tests/test_softf.c runs it): the speed build's flags, no model.
MCU_SOFTF_M0 := $(BUILD)/mcu/fast/m0-on-an385/softf-m0.elf
MCU_FW += $(MCU_SOFTF_M0)
$(MCU_SOFTF_M0): tests/tools/fw_softf_m0.c tests/tools/softf_cases.h common/atome_math.c $(FW_DIR)/fw_digest.c \
    $(FW_DIR)/arm_board.c $(MCU_HDR) $(wildcard $(FW_DIR)/*.ld) mk/mcu.mk
	@mkdir -p $(@D)
	$(MCU_CC_arm) $(MCU_CPU_m0) $(MCU_CFLAGS) $(MCU_FAST_FLAGS) -flto -g $(filter %.c,$^) \
	  $(wordlist 3,99,$(MCU_BOARD_m0-on-an385)) -o $@
.PHONY: mcu mcu-deps mcu-objs mcu-sizes mcu-ram mcu-speed mcu-tables
mcu: mcu-deps $(MCU_FW)
mcu-deps:
	@bash $(DEPS) mcu riscv

# $(1) board, $(2) "" or "speed/", $(3) "" (size build) or "fast/" (speed build); the stem is the
# model. MCU_BOARD_<board>: CPU, board file, link flags.
mcu_cpu = $(word 1,$(MCU_BOARD_$(1)))
define mcu_board
$(BUILD)/mcu/$(3)$(1)/$(2)%.elf: $(MCU_SRC) $(word 2,$(MCU_BOARD_$(1))) $(MCU_HDR) $(BUILD)/mcu/models/%/atome_model.h \
    $(wildcard $(FW_DIR)/*.ld) mk/mcu.mk
	@mkdir -p $$(@D)
	$(call mcu_cc,$(call mcu_cpu,$(1))) $(MCU_CPU_$(call mcu_cpu,$(1))) $(MCU_CFLAGS) $(MCU_LM_FLAGS) $(if $(3),$(MCU_FAST_FLAGS)) \
	  -flto -g -DFW_BOARD='"$(1)"' $(if $(2),-DFW_SPEED) \
	  -I$(BUILD)/mcu/models/$$* -include $(BUILD)/mcu/models/$$*/atome_model_config.h \
	  $(MCU_SRC) $(wordlist 2,99,$(MCU_BOARD_$(1))) -o $$@
endef
$(foreach b,$(MCU_BOARDS) m0-on-an385 m0-264k-on-an385,$(foreach f,fast/ _,$(foreach s,speed/ _,\
  $(eval $(call mcu_board,$(b),$(s:_=),$(f:_=))))))

# The model as a header (blob in flash) and its engine sizes, by atome-header.
.PRECIOUS: $(BUILD)/mcu/models/%/atome_model.h $(BUILD)/mcu/gen/%.bin
$(BUILD)/mcu/models/%/atome_model.h: checkpoints/%.bin atome-header
	@mkdir -p $(@D)
	./atome-header $< $@
$(BUILD)/mcu/models/%/atome_model.h: $(BUILD)/mcu/gen/%.bin atome-header
	@mkdir -p $(@D)
	./atome-header $< $@

# Untrained blobs for the scripts: <preset>-w<W>.bin.
INIT_BLOB := $(BUILD)/tools/init-blob
$(INIT_BLOB): $(ENGINE_OBJ) $(BUILD)/host/train/model.o $(BUILD)/host/tests/tools/init_blob.o
	@mkdir -p $(@D)
	$(CC) $^ -o $@ -lm
$(BUILD)/mcu/gen/%.bin: $(INIT_BLOB)
	@mkdir -p $(@D)
	$(INIT_BLOB) $(firstword $(subst -w, ,$*)) 1 $@ --window $(lastword $(subst -w, ,$*))

# Placeholder checkpoints until trained ones replace them: run once, never overwrites a file.
.PHONY: mcu-placeholders
mcu-placeholders: $(INIT_BLOB)
	@test -e checkpoints/default.bin || $(INIT_BLOB) default 1 checkpoints/default.bin
	@test -e checkpoints/small.bin || $(INIT_BLOB) small 1 checkpoints/small.bin

# A size stub's -flto link, in a recipe whose .c prerequisites are its sources: $(1) the CPU, $(2) the
# engine's switches; a link map beside the ELF. -g (no code of its own) gives the line table that
# tells the stub's instructions from the engine's (scripts/mcu_sizes.sh).
mcu_stub_link = $(call mcu_cc,$(1)) $(MCU_CPU_$(1)) $(MCU_CFLAGS) $(2) $(MCU_SIZE_DIMS) -flto -g $(filter %.c,$^) \
  -nostartfiles $(if $(filter rv32,$(1)),--specs=picolibc.specs $(RV_MEM),--specs=nano.specs) \
  -Wl,--gc-sections -Wl,-e,size_entry -Wl,-Map,$(@:.elf=.map) -o $@

# Engine objects alone per CPU, at the default preset's sizes, for the size table: the language
# model's engine (MCU_LM_FLAGS); engine-lto-checked.elf the same stub with the value check, and
# engine-lto-full.elf with the value check and the classifier path.
MCU_SIZE_DIMS := -DATOME_MAX_D=64 -DATOME_MAX_LAYERS=4 -DATOME_MAX_DHEAD=16 -DATOME_MAX_WINDOW=64
define mcu_obj
$(BUILD)/mcu/obj/$(1)/%.o: %.c $(MCU_HDR) mk/mcu.mk
	@mkdir -p $$(@D)
	$(call mcu_cc,$(1)) $(MCU_CPU_$(1)) $(MCU_CFLAGS) $(MCU_LM_FLAGS) $(MCU_SIZE_DIMS) $(if $(filter rv32,$(1)),--specs=picolibc.specs) \
	  -c $$< -o $$@
# The engine as a firmware links it: the stub alone, unused sections dropped, with a link map.
$(BUILD)/mcu/obj/$(1)/engine.elf: $(ENGINE_SRC:%.c=$(BUILD)/mcu/obj/$(1)/%.o) $(BUILD)/mcu/obj/$(1)/$(FW_DIR)/size_stub.o
	$(call mcu_cc,$(1)) $(MCU_CPU_$(1)) $$^ -nostartfiles $(if $(filter rv32,$(1)),--specs=picolibc.specs $(RV_MEM),--specs=nano.specs) \
	  -Wl,--gc-sections -Wl,-e,size_entry -Wl,-Map,$$(@:.elf=.map) -o $$@
# The same with link-time optimisation: one compiler call, so no per-object split.
$(BUILD)/mcu/obj/$(1)/engine-lto.elf: $(ENGINE_SRC) $(FW_DIR)/size_stub.c $(MCU_HDR) mk/mcu.mk
	@mkdir -p $$(@D)
	$$(call mcu_stub_link,$(1),$(MCU_LM_FLAGS))
# The same stub on the language model's engine with the loader's value check (ATOME_CHECK_VALUES 1).
$(BUILD)/mcu/obj/$(1)/engine-lto-checked.elf: $(ENGINE_SRC) $(FW_DIR)/size_stub.c $(MCU_HDR) mk/mcu.mk
	@mkdir -p $$(@D)
	$$(call mcu_stub_link,$(1),-DATOME_CLASSIFIER=0)
# The same stub on the engine with its classifier path and the value check (ATOME_CLASSIFIER 1,
# ATOME_CHECK_VALUES 1: the defaults).
$(BUILD)/mcu/obj/$(1)/engine-lto-full.elf: $(ENGINE_SRC) $(FW_DIR)/size_stub.c $(MCU_HDR) mk/mcu.mk
	@mkdir -p $$(@D)
	$$(call mcu_stub_link,$(1),)
# The speed build's, the same way.
$(BUILD)/mcu/obj/$(1)/engine-lto-fast.elf: $(ENGINE_SRC) $(FW_DIR)/size_stub.c $(MCU_HDR) mk/mcu.mk
	@mkdir -p $$(@D)
	$$(call mcu_stub_link,$(1),$(MCU_LM_FLAGS) $(MCU_FAST_FLAGS))
endef
$(foreach c,$(MCU_CPUS),$(eval $(call mcu_obj,$(c))))
MCU_OBJ := $(foreach c,$(MCU_CPUS),$(ENGINE_SRC:%.c=$(BUILD)/mcu/obj/$(c)/%.o) $(addprefix $(BUILD)/mcu/obj/$(c)/,engine.elf engine-lto.elf engine-lto-checked.elf engine-lto-full.elf engine-lto-fast.elf))
mcu-objs: mcu-deps $(MCU_OBJ)

mcu-sizes: mcu-deps
	@bash scripts/mcu_sizes.sh
mcu-ram: mcu-deps
	@bash scripts/mcu_ram.sh
mcu-speed: mcu-deps
	@bash scripts/mcu_speed.sh
mcu-tables: mcu-sizes mcu-ram mcu-speed mcu-profile
.PHONY: mcu-profile
mcu-profile: mcu-deps
	@bash scripts/mcu_profile.sh

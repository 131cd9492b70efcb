# The engine on an 8-bit AVR: the Arduino Mega 2560 (ATmega2560: 8 KB RAM, 256 KB flash) under
# qemu-system-avr -M mega2560 (infer/firmware/avr_board.c; Debian's gcc-avr and avr-libc).
#
#   make avr         the parity and speed firmware of each AVR_MODELS checkpoint:
#                    build/avr/mega2560/<model>.elf and build/avr/mega2560/speed/<model>.elf
#   make mcu-avr     scripts/avr.sh -> results/avr.md: parity with the host (under qemu-system-avr
#                    and simavr), sizes, RAM, and cycles per token (simavr)
#
# The firmware is the other boards' (fw_main.c, fw_digest.c) with the AVR board file and avr_qemu.S
# (libgcc's __usmulhisi3 without the skip over a RET that QEMU 7.2 loops on). Two things
# differ from mk/mcu.mk:
# - GNU C99 (-std=gnu99), not ISO C99: the blob stays in flash through avr-gcc's __flash address
#   space (ATOME_ROM, common/atome_blob.h), an extension ISO mode turns off. The nano preset's
#   state is 6 KB of the 8 KB RAM: its 3 KB blob cannot be copied beside it.
# - The model header: atome-header's, with its array declared __flash (sed below), so that
#   avr-gcc puts it in flash (.progmem, below 64 KB) rather than in RAM, where an AVR keeps every
#   other const.
# Only nano fits: small's state alone is 9.6 KB (16-bit ints and pointers).

AVR_CC     := avr-gcc
AVR_MCU    := -mmcu=atmega2560
AVR_CFLAGS := -std=gnu99 -pedantic $(WARN) $(FPFLAGS) -Os -ffunction-sections -fdata-sections -flto -g
AVR_SRC    := $(ENGINE_SRC) $(FW_DIR)/fw_main.c $(FW_DIR)/fw_digest.c $(FW_DIR)/avr_board.c $(FW_DIR)/avr_qemu.S
AVR_MODELS ?= nano
AVR_FW     := $(AVR_MODELS:%=$(BUILD)/avr/mega2560/%.elf) $(AVR_MODELS:%=$(BUILD)/avr/mega2560/speed/%.elf)

.PHONY: avr avr-deps mcu-avr
avr: avr-deps $(AVR_FW)
avr-deps:
	@bash $(DEPS) avr

.PRECIOUS: $(BUILD)/avr/models/%/atome_model.h
$(BUILD)/avr/models/%/atome_model.h: $(BUILD)/mcu/models/%/atome_model.h mk/avr.mk
	@mkdir -p $(@D)
	sed 's/^static const uint8_t \([a-z_]*\[\)/static const __flash uint8_t \1/' $< > $@.tmp
	grep -q '^static const __flash uint8_t' $@.tmp && mv $@.tmp $@

# $(1): "" (parity run) or "speed/" (fw_main.c -DFW_SPEED)
define avr_fw
$(BUILD)/avr/mega2560/$(1)%.elf: $(AVR_SRC) $(MCU_HDR) $(BUILD)/avr/models/%/atome_model.h mk/avr.mk
	@mkdir -p $$(@D)
	$(AVR_CC) $(AVR_MCU) $(AVR_CFLAGS) -DFW_BOARD='"mega2560"' $(if $(1),-DFW_SPEED) \
	  -I$(BUILD)/avr/models/$$* -I$(BUILD)/mcu/models/$$* -include $(BUILD)/mcu/models/$$*/atome_model_config.h \
	  $(AVR_SRC) -Wl,--gc-sections -o $$@
endef
$(eval $(call avr_fw,))
$(eval $(call avr_fw,speed/))

mcu-avr: avr-deps
	@bash scripts/avr.sh

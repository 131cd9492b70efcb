# libFuzzer harnesses (tests/fuzz/): the blob loader and steps, the same against the firmware's
# engine (parity), the checkpoint and vanilla-model readers, the corpus reader, the classifier's data readers, atome-infer's text
# inputs and atome-train's log reader.
#
#   make fuzz                      every harness for FUZZ_SECONDS each (two at a time with -j2)
#   make -j2 fuzz FUZZ_TARGETS="blob.1 blob.2" FUZZ_SECONDS=3600   the blob harness on both cores
#   scripts/fuzz_report.sh SECONDS the same, then one table of executions, coverage and findings
#
# Everything is built by Debian's clang with ASan + UBSan (float-cast-overflow included) and no
# recovery, so the first finding ends a harness's run with its input under build/fuzz/findings/.
# Corpora grow under build/fuzz/corpus/, seeded from build/fuzz/seed/ (the shipped checkpoints,
# and the files of a tiny training run); tests/fuzz/regress/ keeps a minimised reproducer of
# each finding. `make test` runs every harness over its seeds (tests/test_fuzz.c).

FUZZ_CC      := clang
FUZZ_NAMES   := blob parity checkpoint vanilla data classify infer_text train_log
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   ?=
FUZZ         := $(BUILD)/fuzz
# The engine's state sized for the largest shipped checkpoint (default: D 64, L 4, D_h 16, W 64):
# a smaller state makes atome_reset, and so every execution, cheaper.
FUZZ_MAX     := -DATOME_MAX_D=64 -DATOME_MAX_LAYERS=4 -DATOME_MAX_DHEAD=16 -DATOME_MAX_WINDOW=64
FUZZ_SAN     := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OPT     := -O1 -g $(FUZZ_MAX) $(FUZZ_SAN)
# Steps per blob that loads (fuzz_blob.c); a stamp named after the value rebuilds the two blob harnesses
# when it changes.
FUZZ_STEPS   ?= 24
FUZZ_STEPS_STAMP := $(BUILD)/fuzz/steps-$(FUZZ_STEPS).stamp
# The kernels' comparisons are loop bounds and clamps, not the magic numbers and lengths that
# libFuzzer's compare tracing exists to solve (the loader keeps it): without it in their inner
# loops an execution of fuzz_blob is about 3 times faster.
FUZZ_NO_CMP  := common/atome_ops.c common/atome_block.c common/atome_math.c common/atome_trits.c
FUZZ_LIB_SRC := $(ENGINE_SRC) $(HOST_COMMON_SRC) $(TRAIN_LIB_SRC) $(TRAIN_DIST_SRC) train/model.c infer/calibration.c \
                infer/host_util.c tests/fuzz/fuzz_util.c
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(FUZZ)/obj/%.o)
# The harnesses run one process: the trainer's MPI layer builds its single-process path.
$(FUZZ)/obj/train/dist.o: TRAIN_CFLAGS += -DATOME_NO_MPI
FUZZ_BINS    := $(FUZZ_NAMES:%=$(FUZZ)/fuzz_%)
-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_BINS:%=%.d)

.PHONY: fuzz fuzz-build fuzz-deps

fuzz-deps:
	@bash $(DEPS) fuzz

# Objects carry coverage instrumentation but not libFuzzer's main (fuzzer-no-link).
$(FUZZ)/obj/%.o: %.c | fuzz-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(if $(filter common/% infer/atome.c,$<),$(ENGINE_CFLAGS),$(HOST_CFLAGS) $(TRAIN_CFLAGS)) \
	  $(FUZZ_OPT) -fsanitize=fuzzer-no-link $(if $(filter $(FUZZ_NO_CMP),$<),-fno-sanitize-coverage=trace-cmp) \
	  -MMD -MP -c $< -o $@

$(FUZZ_STEPS_STAMP):
	@mkdir -p $(dir $@) && rm -f $(BUILD)/fuzz/steps-*.stamp && touch $@
$(FUZZ)/fuzz_blob: $(FUZZ_STEPS_STAMP)

$(FUZZ)/libfuzz.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ)/libfuzz.a | fuzz-deps
	$(FUZZ_CC) $(HOST_CFLAGS) $(TRAIN_CFLAGS) $(FUZZ_OPT) -DFUZZ_MODEL='"checkpoints/nano.bin"' -DFUZZ_STEPS=$(FUZZ_STEPS) \
	  -fsanitize=fuzzer -MMD -MP $< $(FUZZ)/libfuzz.a -o $@ $(TRAIN_LIBS)

# fuzz_parity: fuzz_blob.c beside a second engine, the firmware's (no ATOME_LUT), linked into one
# object whose every defined symbol is renamed mcu_* so that the two engines do not collide.
FUZZ_MCU_OBJ := $(ENGINE_SRC:%.c=$(FUZZ)/obj-mcu/%.o) $(FUZZ)/obj-mcu/tests/fuzz/parity_mcu.o
-include $(FUZZ_MCU_OBJ:.o=.d)
$(FUZZ)/obj-mcu/%.o: %.c | fuzz-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(filter-out $(HOST_DEFS),$(ENGINE_CFLAGS)) $(FUZZ_OPT) -fsanitize=fuzzer-no-link \
	  $(if $(filter $(FUZZ_NO_CMP),$<),-fno-sanitize-coverage=trace-cmp) -MMD -MP -c $< -o $@

$(FUZZ)/mcu_engine.o: $(FUZZ_MCU_OBJ)
	ld -r -o $@.all.o $^
	nm -g --defined-only $@.all.o | awk '{print $$3, "mcu_" $$3}' > $@.syms
	objcopy --redefine-syms=$@.syms $@.all.o $@

$(FUZZ)/fuzz_parity: tests/fuzz/fuzz_blob.c $(FUZZ)/mcu_engine.o $(FUZZ)/libfuzz.a $(FUZZ_STEPS_STAMP) | fuzz-deps
	$(FUZZ_CC) $(HOST_CFLAGS) $(FUZZ_OPT) -DFUZZ_PARITY -DFUZZ_STEPS=$(FUZZ_STEPS) -fsanitize=fuzzer -MMD -MP \
	  $< $(FUZZ)/mcu_engine.o $(FUZZ)/libfuzz.a -o $@ $(TRAIN_LIBS)

# ---- seed corpora: the shipped checkpoints, and what a tiny training run writes ----

FUZZ_TRAIN := --batch 4 --seq 32 --steps 4 --eval-every 2 --sample 0 --seed 1 \
              --data $(FUZZ)/train.txt --valid $(FUZZ)/valid.txt
$(FUZZ)/train.txt $(FUZZ)/valid.txt &: data/tinystories_train.txt data/tinystories_valid.txt
	@mkdir -p $(FUZZ)
	head -c 60000 data/tinystories_train.txt > $(FUZZ)/train.txt
	head -c 4000 data/tinystories_valid.txt > $(FUZZ)/valid.txt

$(FUZZ)/run-atome/checkpoint.bin: atome-train $(FUZZ)/train.txt $(FUZZ)/valid.txt
	@rm -rf $(dir $@)
	./atome-train --preset nano $(FUZZ_TRAIN) --out $(dir $@) >/dev/null

# Two tiny classifiers (a sensor table and a text set), for the classifier blobs and checkpoints
# and the classifier data readers (fuzz_classify: the label column is "y").
$(FUZZ)/cls.csv $(FUZZ)/cls.tsv &: data/occupancy_train.csv data/sms_spam_train.tsv
	@mkdir -p $(FUZZ)
	head -n 60 data/occupancy_train.csv | sed "1s/Occupancy/y/" > $(FUZZ)/cls.csv
	head -n 60 data/sms_spam_train.tsv > $(FUZZ)/cls.tsv

FUZZ_CLS := --task classify --preset nano --steps 4 --batch 4 --eval-every 2 --seed 1
$(FUZZ)/run-cls-table/checkpoint.bin: atome-train $(FUZZ)/cls.csv
	@rm -rf $(dir $@)
	./atome-train $(FUZZ_CLS) --data $(FUZZ)/cls.csv --label-col y --out $(dir $@) >/dev/null

$(FUZZ)/run-cls-text/checkpoint.bin: atome-train $(FUZZ)/cls.tsv
	@rm -rf $(dir $@)
	./atome-train $(FUZZ_CLS) --seq 32 --data $(FUZZ)/cls.tsv --out $(dir $@) >/dev/null

$(FUZZ)/run-vanilla/checkpoint.bin: atome-train $(FUZZ)/train.txt $(FUZZ)/valid.txt
	@rm -rf $(dir $@)
	./atome-train --arch vanilla --vanilla-preset flash-fair $(FUZZ_TRAIN) --out $(dir $@) >/dev/null

# One directory per harness. A text harness's first bytes choose its mode (see each harness).
$(FUZZ)/seed/.stamp: mk/fuzz.mk $(wildcard checkpoints/*.bin) $(FUZZ)/run-atome/checkpoint.bin $(FUZZ)/run-vanilla/checkpoint.bin \
                   $(FUZZ)/run-cls-table/checkpoint.bin $(FUZZ)/run-cls-text/checkpoint.bin
	@rm -rf $(FUZZ)/seed && mkdir -p $(FUZZ_NAMES:%=$(FUZZ)/seed/%)
	cp checkpoints/*.bin $(FUZZ)/seed/blob/
	cp checkpoints/*.bin $(FUZZ)/seed/parity/
	cp $(FUZZ)/run-atome/model.bin $(FUZZ)/seed/blob/run-nano.bin
	cp $(FUZZ)/run-atome/model.bin $(FUZZ)/seed/parity/run-nano.bin
	for k in table text; do for h in blob parity; do cp $(FUZZ)/run-cls-$$k/model.bin $(FUZZ)/seed/$$h/cls-$$k.bin; done; \
	  cp $(FUZZ)/run-cls-$$k/checkpoint.bin $(FUZZ)/seed/checkpoint/cls-$$k.ckpt; done
	{ printf "\\001"; cat $(FUZZ)/cls.csv; } > $(FUZZ)/seed/classify/table
	{ printf "\\003"; cat $(FUZZ)/cls.csv $(FUZZ)/cls.csv; } > $(FUZZ)/seed/classify/table-two-files
	{ printf "\\000"; cat $(FUZZ)/cls.tsv; } > $(FUZZ)/seed/classify/text
	{ printf "\\002"; cat $(FUZZ)/cls.tsv $(FUZZ)/cls.tsv; } > $(FUZZ)/seed/classify/text-two-files
	cp $(FUZZ)/run-atome/checkpoint.bin $(FUZZ)/seed/checkpoint/atome.ckpt
	cp $(FUZZ)/run-vanilla/checkpoint.bin $(FUZZ)/seed/checkpoint/vanilla.ckpt
	cp $(FUZZ)/run-vanilla/model.vnl $(FUZZ)/seed/vanilla/flash-fair.vnl
	{ printf '\037\000'; head -c 2000 $(FUZZ)/valid.txt; } > $(FUZZ)/seed/data/split-T32
	{ printf '\017\001'; head -c 2000 $(FUZZ)/valid.txt; } > $(FUZZ)/seed/data/two-files-T16
	for m in 0 1 2; do { printf "\\00$$m\\017"; head -c 250 $(FUZZ)/valid.txt; } > $(FUZZ)/seed/infer_text/mode$$m; done
	{ printf '\001'; cat $(FUZZ)/run-atome/log.jsonl; } > $(FUZZ)/seed/train_log/step50
	{ printf '\000'; cat $(FUZZ)/run-atome/log.jsonl; } > $(FUZZ)/seed/train_log/step0
	@touch $@

fuzz-build: $(FUZZ_BINS) $(FUZZ)/seed/.stamp

# fuzz-run-NAME runs one harness; fuzz-run-NAME.K runs instance K of it, on the same corpus
# (libFuzzer reloads it every few seconds, so instances share what each finds): with -j2,
# FUZZ_TARGETS="blob.1 blob.2" gives the blob harness both cores. Each run logs to
# build/fuzz/log/NAME[.K].log (libFuzzer's final stats included) and writes a finding's input to
# build/fuzz/findings/NAME[.K]/; a finding fails its target, make -k fuzz runs the others anyway.
fuzz: $(FUZZ_TARGETS:%=fuzz-run-%)

fuzz_name = $(firstword $(subst ., ,$1))
.SECONDEXPANSION:
fuzz-run-%: $(FUZZ)/fuzz_$$(call fuzz_name,$$*) $(FUZZ)/seed/.stamp
	@rm -rf $(FUZZ)/findings/$* && mkdir -p $(FUZZ)/corpus/$(call fuzz_name,$*) $(FUZZ)/findings/$* $(FUZZ)/log
	@echo "fuzz $*: $(FUZZ_SECONDS) s, log in $(FUZZ)/log/$*.log"
	@UBSAN_OPTIONS=print_stacktrace=1 $(FUZZ)/fuzz_$(call fuzz_name,$*) $(FUZZ)/corpus/$(call fuzz_name,$*) \
	  $(FUZZ)/seed/$(call fuzz_name,$*) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	  -artifact_prefix=$(FUZZ)/findings/$*/ $(FUZZ_FLAGS) > $(FUZZ)/log/$*.log 2>&1 \
	  || { echo "fuzz $*: FINDING, see $(FUZZ)/log/$*.log and $(FUZZ)/findings/$*/"; exit 1; }

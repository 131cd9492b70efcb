# atome-infer --classify (infer/classify_cli.c) and its figures (infer/classify_metrics.c): extra
# prerequisites of the programs that link atome_infer.c's objects — make merges them into each
# target's $^ — so that the shared fragments keep their lists. Included after mk/fuzz.mk.

CLASSIFY_EVAL_SRC := infer/classify_cli.c infer/classify_metrics.c
-include $(CLASSIFY_EVAL_SRC:%.c=$(BUILD)/host/%.d) $(CLASSIFY_EVAL_SRC:%.c=$(BUILD)/asan/%.d) \
         $(CLASSIFY_EVAL_SRC:%.c=$(FUZZ)/obj/%.d)

atome-infer: $(CLASSIFY_EVAL_SRC:%.c=$(BUILD)/host/%.o)
$(BUILD)/asan/atome-infer: $(CLASSIFY_EVAL_SRC:%.c=$(BUILD)/asan/%.o)
# the suites unit-test the metrics (tests/test_classify_eval.c)
$(BUILD)/run_tests: $(BUILD)/asan/infer/classify_metrics.o
# fuzz_infer_text includes atome_infer.c whole
$(FUZZ)/libfuzz.a: $(CLASSIFY_EVAL_SRC:%.c=$(FUZZ)/obj/%.o)

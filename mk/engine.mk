# The engine and the host tools that run it: atome-infer, atome-header.

$(BUILD)/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(if $(filter common/% infer/atome.c,$<),$(ENGINE_CFLAGS),$(HOST_CFLAGS)) $(OPT) -MMD -MP -c $< -o $@

ENGINE_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/host/%.o)
-include $(ENGINE_OBJ:.o=.d) $(HOST_COMMON_OBJ:.o=.d) $(BUILD)/host/infer/atome_infer.d $(BUILD)/host/infer/calibration.d $(BUILD)/host/infer/host_util.d

atome-infer: $(ENGINE_OBJ) $(HOST_COMMON_OBJ) $(BUILD)/host/infer/atome_infer.o $(BUILD)/host/infer/calibration.o $(BUILD)/host/infer/host_util.o
	$(CC) $^ -o $@ -lm

bench: atome-infer atome-train $(BUILD)/tools/init-blob
	@bash $(DEPS) host mpi
	@mkdir -p results
	@{ echo "### Throughput on this machine (make bench)"; echo; echo "\`\`\`"; \
	   bash scripts/bench_infer.sh && bash scripts/bench_train.sh; echo "\`\`\`"; } | tee results/bench.md
	@{ echo "### Data-parallel training over MPI (make bench, scripts/bench_mpi.sh)"; echo; echo "\`\`\`"; \
	   bash scripts/bench_mpi.sh; echo "\`\`\`"; } | tee results/bench_mpi.md

atome-header: $(ENGINE_OBJ) $(HOST_COMMON_OBJ) $(BUILD)/host/infer/atome_header.o
	$(CC) $^ -o $@

# ATOME01 (atome-lm's checkpoints) to an atome blob: infer/atome_import.c.
-include $(BUILD)/host/infer/atome_import.d
atome-import: $(ENGINE_OBJ) $(HOST_COMMON_OBJ) $(BUILD)/host/infer/atome_import.o $(BUILD)/host/infer/host_util.o
	$(CC) $^ -o $@ -lm

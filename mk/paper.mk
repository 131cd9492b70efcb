# make paper: regenerates every table of results/ (scripts/paper.sh: the A/B, the ablations, long
# runs and calibration when their scripts are present, the microcontroller tables, the engine and
# trainer benchmarks, the presets) and results/README.md, which lists each file, the part that
# wrote it and that part's time. Under an hour on a 2-core machine; separate from `make test`.
# Training runs are cached in runs/paper/ (rm -rf runs/paper to train everything again).

paper:
	@bash $(DEPS) host mcu riscv plot avr
	@$(MAKE) --no-print-directory atome-train atome-infer atome-header $(INIT_BLOB) >/dev/null
	bash scripts/paper.sh

# Classifier data: the converters that cut data/'s classifier sets from the staged
# sources, and the baselines' tool. Both link common/classify_data.c, the readers that atome-train
# and atome-infer share (host code in common/, like the project's file reader).

DATASETS_OBJ := $(patsubst %.c,$(BUILD)/host/%.o,$(wildcard tools/datasets/*.c))
LOGREG_OBJ   := $(BUILD)/host/tools/atome_logreg.o
-include $(DATASETS_OBJ:.o=.d) $(LOGREG_OBJ:.o=.d)

$(BUILD)/tools/atome-datasets: $(DATASETS_OBJ) $(ENGINE_OBJ) $(TRAIN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $^ -o $@ $(TRAIN_LIBS)

$(BUILD)/tools/atome-logreg: $(LOGREG_OBJ) $(ENGINE_OBJ) $(TRAIN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $^ -o $@ $(TRAIN_LIBS)

# make datasets SHARED=DIR: rewrites data/'s classifier files from the sources staged in DIR
# (see data/SOURCES.md); the committed files are exactly what this prints, byte for byte.
# Nothing in the product reads DIR.
SHARED ?= ../shared/data
CLASSIFY_LICENCES := clinc150/LICENSE:clinc150.LICENSE magic_wand_digits/LICENSE:magic_wand.LICENSE \
                     sms_spam/readme:sms_spam.readme occupancy/README.md:occupancy.README.md
.PHONY: datasets
datasets: $(BUILD)/tools/atome-datasets
	$(BUILD)/tools/atome-datasets $(SHARED) data
	@for pair in $(CLASSIFY_LICENCES); do cp "$(SHARED)/$${pair%%:*}" "data/$${pair#*:}" && chmod 644 "data/$${pair#*:}"; done
	cd data && sha256sum -c classify.sha256

TEST_TOOLS += $(BUILD)/tools/atome-datasets $(BUILD)/tools/atome-logreg

// sensor_classifier.ino — the firmware loop of a sensor classifier: raw sensor floats in, label out,
// over Serial. model.h and model_config.h come from
//     ./atome-header occupancy.bin model.h --name model
// here for a UCI Occupancy head (labels "0" empty, "1" occupied) on the nano backbone, whose sizes
// are those of the library's src/atome_sizes.h; `make cls-example` writes them. model.h comes
// first: its model_config.h must be seen before atome.h.
#include "model.h"
#include <atome.h>

static atome_model m;
static atome_state st;                // all the RAM the engine uses, sized by atome_sizes.h
static uint8_t bytes[model_FEATURES]; // one reading as the model reads it

// One reading in, in the training CSV's column order without its label (Temperature, Humidity,
// Light, CO2, HumidityRatio), its class name out.
const char *classify(const float raw[model_FEATURES]) {
    atome_features(&m, raw, bytes); // the trainer's per-feature min/max, read from the blob
    return atome_label(&m, atome_classify(&m, &st, bytes, model_FEATURES));
}

// Stand-ins for the sensors: rows of data/occupancy_test1.csv (lines 2, 446, 1334, 1778).
static const float readings[][model_FEATURES] = {
    {23.7f, 26.272f, 585.2f, 749.2f, 0.00476416302416414f},
    {20.865f, 22.7675f, 0.0f, 475.0f, 0.00346711546963321f},
    {22.58f, 26.81f, 644.6f, 1031.2f, 0.00454176304586707f},
    {21.29f, 27.79f, 0.0f, 772.5f, 0.00435003631085442f},
};

void setup() {
    Serial.begin(115200);
    if (atome_load(&m, model, model_LEN) != ATOME_OK) return; // checks magic, dims, CRC, labels
    for (const float *raw : readings) Serial.println(classify(raw));
}

void loop() {}

// sensor_harness.cpp — examples/sensor_classifier's sketch on the host, with what its Serial lines
// do not show: setup() prints its labels, then a line "readings", then for every reading
//     <bits of its F raw floats, 8 hex digits each> <CRC-32 of its F bytes> <CRC-32 of the C logits> <label>
// read from the sketch's own statics (it is included whole), the logits as 4 bytes little-endian
// each, for tests/test_library.c to check against the engine it links.
#include "../../examples/sensor_classifier/sensor_classifier.ino"
#include <string.h>

static uint32_t bits(float x) {
    uint32_t b;
    memcpy(&b, &x, 4);
    return b;
}

int main() {
    setup();
    printf("readings\n");
    for (const float *raw : readings) {
        const char *label = classify(raw);
        for (int f = 0; f < model_FEATURES; f++) printf("%08x ", (unsigned)bits(raw[f]));
        uint32_t crc = 0;
        for (int k = 0; k < model_CLASSES; k++) {
            uint32_t b = bits(st.logits[k]);
            const uint8_t le[4] = {(uint8_t)b, (uint8_t)(b >> 8), (uint8_t)(b >> 16), (uint8_t)(b >> 24)};
            crc = atome_crc32(crc, le, 4);
        }
        printf("%08x %08x %s\n", (unsigned)atome_crc32(0, bytes, model_FEATURES), (unsigned)crc, label);
    }
    return fflush(stdout) != 0;
}

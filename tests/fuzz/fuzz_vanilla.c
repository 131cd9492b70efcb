/* fuzz_vanilla.c — libFuzzer harness: vanilla_load (train/vanilla_file.c), the baseline's model file.
 *
 * The input is handed over as a memfd (fuzz_util.h) and read twice: as it is, then cut to the
 * length its parameter count (bytes 32..35) claims and with its CRC (bytes 60..63, over bytes
 * 0..59 and the weights) recomputed, so that mutated dimensions reach the checks after the CRC.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../common/atome_blob.h"
#include "../../train/vanilla.h"
#include "fuzz_util.h"

static void load(const uint8_t *data, size_t size) {
    char path[64], err[512];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    vanilla_config c;
    float *params = NULL;
    if (vanilla_load(path, &c, &params, err, sizeof err) == 0) {
        if (!params || vanilla_param_count(&c) * 4 + VANILLA_HEADER_BYTES != (long)size) abort();
        free(params);
    } else if (params || !err[0] || strchr(err, '\n')) {
        abort(); /* nothing handed out on error, and the error is one line */
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    load(data, size);
    if (size < VANILLA_HEADER_BYTES) return 0;
    uint64_t P = data[32] | data[33] << 8 | data[34] << 16 | (uint64_t)data[35] << 24;
    uint64_t claimed = VANILLA_HEADER_BYTES + 4 * P;
    if (claimed > size) return 0;
    uint8_t *copy = malloc((size_t)claimed);
    if (!copy) abort();
    memcpy(copy, data, (size_t)claimed);
    uint32_t crc = atome_crc32(atome_crc32(0, copy, 60), copy + VANILLA_HEADER_BYTES, (size_t)claimed - VANILLA_HEADER_BYTES);
    memcpy(copy + 60, &crc, 4);
    load(copy, (size_t)claimed);
    free(copy);
    return 0;
}

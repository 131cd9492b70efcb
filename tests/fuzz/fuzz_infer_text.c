/* fuzz_infer_text.c — libFuzzer harness: atome-infer's text inputs (infer/atome_infer.c,
 * infer/calibration.c, infer/host_util.c) on the nano checkpoint.
 *
 * The modes that read text are static in the CLI's file, so this file includes
 * infer/atome_infer.c whole, its main renamed. Input: byte 0 picks the mode, byte 1 the window
 * (--seq 1..32), the rest is the text, given as a memfd (fuzz_util.h):
 *   0  --eval FILE                 the text cut into windows, bits per byte
 *   1  --calibrate IN --ood OOD    the text split at its middle into IN and OOD
 *   2  --interactive               the text is stdin: one prompt per line, 8 bytes generated
 * A mode that would refuse its input with one line and exit (a text shorter than a window) is
 * not entered: an exit would end the fuzzing run, and those lines have their own CLI tests.
 */
#define main atome_infer_main
#include "../../infer/atome_infer.c"
#undef main
#include <unistd.h>
#include "fuzz_util.h"

/* Every byte of text is one step of the model: longer texts cost time and add no new paths. */
#define TEXT_MAX 256

#ifndef FUZZ_MODEL
#error "FUZZ_MODEL: the path of the blob to run (mk/fuzz.mk passes checkpoints/nano.bin)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    if (!ready) {
        load_model(FUZZ_MODEL);
        fuzz_quiet_stdout();
        ready = 1;
    }
    if (size < 2) return 0;
    int mode = data[0] % 3, seq = 1 + data[1] % 32;
    data += 2, size -= 2;
    if (size > TEXT_MAX) size = TEXT_MAX;
    char path[64], ood[64];
    if (mode == 0 && size >= (size_t)seq + 1) {
        int fd = fuzz_memfile(data, size, path, sizeof path);
        evaluate(path, seq);
        close(fd);
    } else if (mode == 1 && size / 2 >= (size_t)seq + 1) {
        int fd = fuzz_memfile(data, size / 2, path, sizeof path);
        int fd_ood = fuzz_memfile(data + size / 2, size - size / 2, ood, sizeof ood);
        if (calibrate(&model, &state, path, ood, seq) != 0) abort(); /* both texts are long enough */
        close(fd), close(fd_ood);
    } else if (mode == 2) {
        int fd = fuzz_memfile(data, size, path, sizeof path);
        if (!freopen(path, "rb", stdin)) abort();
        sampler s = {0.0f, 1.0f, 0, {1}};
        interactive(&s, 8);
        close(fd);
    }
    return 0;
}

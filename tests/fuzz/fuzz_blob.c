/* fuzz_blob.c — libFuzzer harness: the blob loader, then a few dozen steps of what it accepts.
 *
 * Input: a model blob (atome_blob.h), optionally followed by token bytes. Each input is loaded
 * twice, both times from an exact-size malloc'd copy (4-aligned, and any read past its end
 * lands in ASan's redzone):
 *   1. as it is: every check of atome_blob_open, the CRC included, on arbitrary bytes (the
 *      seeds hold language models and classifiers, mk/fuzz.mk);
 *   2. cut to the length its header claims (64 + payload bytes) and with the CRC recomputed:
 *      a mutated weight or dimension would almost never get past the CRC otherwise, and what
 *      matters is what the engine does with a blob that passes it. If that loads:
 *      atome_reset, then one atome_step per token byte after the blob (a fixed text when
 *      there are none), at most FUZZ_STEPS, and atome_argmax on every step's logits (its C
 *      classes' for a classifier, whose argmax must then have a name, atome_label).
 * The engine is built with ATOME_MAX_* just large enough for the shipped checkpoints
 * (mk/fuzz.mk), so that the state is small and a step is fast.
 *
 * Built with -DFUZZ_PARITY this is fuzz_parity: every step also runs on the firmware's engine
 * (parity_mcu.c, built without ATOME_LUT) and the two sets of logits must be memcmp-equal, the
 * project's parity claim, on any blob the loader accepts and not only the trained ones.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../infer/atome.h"

#ifndef FUZZ_STEPS
#define FUZZ_STEPS 24 /* two dozen: fills the conv history, and the ring of a short window */
#endif

static atome_model model;
static atome_state state;

#ifdef FUZZ_PARITY
/* parity_mcu.c, renamed */
int mcu_parity_load(atome_model *m, const uint8_t *blob, size_t len);
void mcu_parity_reset(void);
const float *mcu_parity_step(const atome_model *m, int token);
static atome_model mcu_model;
#endif

static uint32_t get32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* Loads an exact-size copy of blob[0..n), its CRC first recomputed if reseal; returns the copy
 * (the model points into it) or NULL if atome_load refused it. */
static uint8_t *load_copy(const uint8_t *blob, size_t n, int reseal) {
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy) abort();
    memcpy(copy, blob, n);
    if (reseal) {
        uint32_t crc = atome_crc32(atome_crc32(0, copy, 60), copy + ATOME_HEADER_BYTES, n - ATOME_HEADER_BYTES);
        for (int i = 0; i < 4; i++) copy[60 + i] = (uint8_t)(crc >> 8 * i);
    }
    int err = atome_load(&model, copy, n);
#ifdef FUZZ_PARITY
    if (mcu_parity_load(&mcu_model, copy, n) != err) {
        fprintf(stderr, "fuzz_parity: the two engines' loaders disagree (host %d)\n", err);
        abort();
    }
#endif
    if (err == ATOME_OK) return copy;
    free(copy);
    return NULL;
}

static void run(const uint8_t *tokens, size_t n) {
    static const char text[] = "Once upon a time, there was a little girl named Lily. She"; /* > FUZZ_STEPS */
    if (n == 0) tokens = (const uint8_t *)text, n = sizeof text - 1;
    if (n > FUZZ_STEPS) n = FUZZ_STEPS;
    atome_reset(&state);
#ifdef FUZZ_PARITY
    mcu_parity_reset();
#endif
    /* a classifier's logits are its C classes', a language model's the V bytes' */
    int n_out = model.w.cfg.n_classes ? model.w.cfg.n_classes : ATOME_VOCAB;
    for (size_t i = 0; i < n; i++) {
        const float *logits = atome_step(&model, &state, tokens[i]);
        int next = atome_argmax(logits, n_out);
        if (next < 0 || next >= n_out) abort(); /* the caller indexes a table with it */
        /* a class has a name, which the loader checked: a NUL within ATOME_MAX_LABEL bytes */
        const char *name = model.w.cfg.n_classes ? atome_label(&model, next) : "";
        if (!name || strnlen(name, ATOME_MAX_LABEL + 1) > ATOME_MAX_LABEL) abort();
#ifdef FUZZ_PARITY
        if (memcmp(logits, mcu_parity_step(&mcu_model, tokens[i]), (size_t)n_out * sizeof(float))) {
            fprintf(stderr, "fuzz_parity: logits differ between the two engines at step %zu\n", i);
            abort();
        }
#endif
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *blob = load_copy(data, size, 0);
    free(blob);
    if (size < ATOME_HEADER_BYTES) return 0;
    uint64_t claimed = ATOME_HEADER_BYTES + (uint64_t)get32(data + 44);
    if (claimed > size) return 0;
    blob = load_copy(data, (size_t)claimed, 1);
    if (!blob) return 0;
    run(data + claimed, size - (size_t)claimed);
    free(blob);
    return 0;
}

/* fw_main.c — the firmware: the parity run (fw_digest.h), or with -DFW_SPEED the speed run; with
 * -DFW_CLASSIFY the same two for a classifier (fw_classify.h).
 *
 * The model comes from atome-header: atome_model.h holds the blob as a const array, so it stays
 * in flash and atome_load points into it; the build force-includes atome_model_config.h into
 * every file, so the engine's state holds exactly this model. The whole RAM of the firmware is
 * .data + .bss (the engine's model and state below, nothing else of note) + the stack.
 *
 * Output (semihosting): "board <name>", the parity text, then
 *     ram static <.data + .bss bytes> stack <stack high-water bytes>
 *     ram state <sizeof atome_state> model <sizeof atome_model>
 * Speed run: "calib <instructions> <ticks>" for a loop of known length, then for positions
 * p = 1, 64, 256 (cost of the step at position p; prompt bytes fed as tokens):
 *     stream <p> <ticks>       one atome_step at position p, after p steps fed unmeasured
 *     recompute <p> <ticks>    atome-lm's way: atome_reset and all p + 1 steps again (not in
 *                              the speed build, -DATOME_FAST)
 * A classifier's rows come from cls-rows (atome_rows.h, fw_rows.h). Its speed run: "calib" as
 * above, then
 *     classify <n> <ticks>     one reading handled as a firmware would: the typical row's bytes
 *                              (a sensor row's by atome_features) and atome_classify on its n
 */
#include "atome_model.h"
#include "../atome.h"
#include "fw.h"
#include "fw_digest.h"
#ifdef FW_CLASSIFY
#include "fw_classify.h"
#include "atome_rows.h"
/* The F bytes of one reading (a text classifier needs none): the classifier reads them. */
static uint8_t feature_bytes[atome_blob_FEATURES > 0 ? atome_blob_FEATURES : 1];
#endif

#ifndef FW_BOARD
#define FW_BOARD "unknown"
#endif

static atome_model model;
static atome_state state;

static void put_line(const char *a, uint32_t x, const char *b, uint32_t y) {
    char line[80], *p = fw_put_str(line, a);
    p = fw_put_uint(p, x);
    p = fw_put_str(p, b);
    p = fw_put_uint(p, y);
    fw_put_str(p, "\n");
    fw_write(line);
}

#if defined(FW_SPEED) && defined(FW_CLASSIFY)
static int run(void) {
    int err = atome_load(&model, atome_blob, atome_blob_LEN);
    if (err != ATOME_OK) {
        fw_write("error ");
        fw_write(atome_strerror(err));
        fw_write("\n");
        return err;
    }
    fw_ticks_start();
    uint32_t t0 = fw_ticks();
    fw_spin(1000000);
    put_line("calib ", 2000000, " ", fw_ticks() - t0);
    const fw_rows *r = &fw_baked_rows;
    size_t n;
    t0 = fw_ticks();
    const uint8_t *bytes = fw_row_bytes(&model, r, r->typical, feature_bytes, &n);
    int k = atome_classify(&model, &state, bytes, n);
    uint32_t t = fw_ticks() - t0;
    put_line("classify ", (uint32_t)n, " ", t);
    return k < 0;
}
#elif defined(FW_SPEED)
/* The bytes fed: the prompts one after another, over and over. */
static uint8_t token_at(int i) {
    static int total;
    if (!total)
        for (int k = 0; k < FW_PROMPTS; k++)
            for (const char *s = fw_prompt(k); *s; s++) total++;
    i %= total;
    for (int k = 0;; k++)
        for (const char *s = fw_prompt(k); *s; s++)
            if (i-- == 0) return (uint8_t)*s;
}

static int run(void) {
    static const int positions[3] = {1, 64, 256};
    int err = atome_load(&model, atome_blob, atome_blob_LEN);
    if (err != ATOME_OK) {
        fw_write("error ");
        fw_write(atome_strerror(err));
        fw_write("\n");
        return err;
    }
    fw_ticks_start();
    uint32_t t0 = fw_ticks();
    fw_spin(1000000);
    put_line("calib ", 2000000, " ", fw_ticks() - t0);
    for (int i = 0; i < 3; i++) {
        int p = positions[i];
        atome_reset(&state);
        for (int j = 0; j < p; j++) atome_step(&model, &state, token_at(j));
        t0 = fw_ticks();
        atome_step(&model, &state, token_at(p));
        put_line("stream ", (uint32_t)p, " ", fw_ticks() - t0);
#ifdef ATOME_FAST
        continue; /* the speed build's table shows steps only: a recompute is their sum, and the longest run */
#endif
        t0 = fw_ticks();
        atome_reset(&state);
        for (int j = 0; j <= p; j++) atome_step(&model, &state, token_at(j));
        put_line("recompute ", (uint32_t)p, " ", fw_ticks() - t0);
    }
    return 0;
}
#else
static void emit(const char *s, void *ctx) {
    (void)ctx;
    fw_write(s);
}

static int run(void) {
#ifdef FW_CLASSIFY
    int err = fw_classify(atome_blob, atome_blob_LEN, &fw_baked_rows, feature_bytes, &model, &state, emit, 0);
#else
    int err = fw_digest(atome_blob, atome_blob_LEN, &model, &state, emit, 0);
#endif
    put_line("ram static ", fw_static_ram(), " stack ", fw_stack_used());
    put_line("ram state ", (uint32_t)sizeof state, " model ", (uint32_t)sizeof model);
    return err;
}
#endif

int main(void) {
    fw_write("board " FW_BOARD "\n");
    return run() == ATOME_OK ? 0 : 1;
}

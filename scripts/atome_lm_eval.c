/* atome_lm_eval.c — bits per byte and greedy text of an ATOME01 model in atome-lm's own engine.
 *
 *   atome_lm_eval MODEL.atome --eval FILE [--bytes N]     windows as atome-infer --eval --seq 256
 *   atome_lm_eval MODEL.atome --prompt TEXT -n N          greedy continuation
 *
 * Only a driver: it calls atome-lm's API (atome_load, atome_predict_next, atome_get_logits,
 * c_engine/atome.h) and is linked by scripts/import_eval.sh, in build/, against atome-lm's
 * c_engine/atome.c from the directory that script is given; no atome-lm code is in this repo.
 * Built with atome-lm's dimensions (-DATOME_D_MODEL=... -DATOME_MAX_SEQ=256 ...).
 *
 * Evaluation: the text (or its first N bytes) cut into consecutive windows of MAX_SEQ+1 bytes
 * that share their boundary byte; byte t+1 of a window is predicted from bytes 0..t of it, which
 * atome_predict_next recomputes from scratch — the same bytes and contexts as
 * `atome-infer --eval FILE --seq MAX_SEQ`, so the two figures compare.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "atome.h"
#include "../common/host_file.h"

static atome_model_t model;
static atome_state_t state;
static int tokens[ATOME_MAX_SEQ];

/* The project's one file reader (common/host_file.c, compiled in by import_eval.sh). */
static unsigned char *slurp(const char *path, long *len) {
    uint8_t *p;
    size_t n;
    if (host_read_file(path, (size_t)1 << 30, &p, &n, NULL, 0)) return NULL;
    *len = (long)n;
    return p;
}

/* -log(softmax(logits)[target]) in double. */
static double nats(const float *logits, int target) {
    double top = logits[0], sum = 0.0;
    for (int i = 1; i < ATOME_VOCAB_SIZE; i++)
        if (logits[i] > top) top = logits[i];
    for (int i = 0; i < ATOME_VOCAB_SIZE; i++) sum += exp((double)logits[i] - top);
    return log(sum) - ((double)logits[target] - top);
}

int main(int argc, char **argv) {
    const char *model_path = argc > 1 ? argv[1] : NULL, *eval = NULL, *prompt = NULL;
    long limit = 0, n = 200;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--eval")) eval = argv[i + 1];
        else if (!strcmp(argv[i], "--bytes")) limit = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--prompt")) prompt = argv[i + 1];
        else if (!strcmp(argv[i], "-n")) n = atol(argv[i + 1]);
        else return fprintf(stderr, "atome_lm_eval: unknown option '%s'\n", argv[i]), 1;
    }
    long len;
    unsigned char *blob = model_path ? slurp(model_path, &len) : NULL;
    if (!blob || atome_load(&model, blob, (size_t)len) != 0)
        return fprintf(stderr, "atome_lm_eval: cannot load '%s'\n", model_path ? model_path : "(none)"), 1;
    atome_init(&state);
    if (eval) {
        long tlen;
        unsigned char *text = slurp(eval, &tlen);
        if (!text) return fprintf(stderr, "atome_lm_eval: cannot read '%s'\n", eval), 1;
        if (limit > 0 && limit < tlen) tlen = limit;
        double total = 0.0;
        long count = 0;
        for (long start = 0; start + ATOME_MAX_SEQ < tlen; start += ATOME_MAX_SEQ) {
            for (int t = 0; t < ATOME_MAX_SEQ; t++) {
                tokens[t] = text[start + t];
                atome_predict_next(&model, &state, tokens, t + 1);
                total += nats(atome_get_logits(&state), text[start + t + 1]);
                count++;
            }
            fprintf(stderr, "%ld bytes: bits per byte %.4f so far\n", count, total / (double)count / log(2.0));
        }
        printf("eval %s: %ld bytes predicted in windows of %d\n", eval, count, ATOME_MAX_SEQ);
        printf("bits per byte %.4f\n", total / (double)count / log(2.0));
        free(text);
    }
    if (prompt) {
        int len_p = 0;
        for (const char *p = prompt; *p && len_p < ATOME_MAX_SEQ; p++) tokens[len_p++] = (unsigned char)*p;
        fputs(prompt, stdout);
        for (long i = 0; i < n; i++) {
            if (len_p == ATOME_MAX_SEQ) { /* the last MAX_SEQ-1 bytes as the context, as a window slides */
                memmove(tokens, tokens + 1, (ATOME_MAX_SEQ - 1) * sizeof *tokens);
                len_p--;
            }
            int next = atome_predict_next(&model, &state, tokens, len_p);
            tokens[len_p++] = next;
            putchar(next);
            fflush(stdout);
        }
        putchar('\n');
    }
    free(blob);
    return 0;
}

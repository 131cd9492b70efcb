/* arch.h — the two models atome-train trains, behind the one interface its loop drives: the
 * routed-ternary atome model (fb.h: the common/ forward on a blob packed from the master weights
 * every update) and the vanilla GPT baseline of the A/B (vanilla.h: FP32 weights, its own
 * forward). AdamW, the schedule, clipping, accumulation, windows, evaluation and the log are
 * the loop's, the same for both.
 *
 * Shapes: P parameters, B windows per micro-batch, T predicted bytes per window, V vocab (256),
 * S bytes of a model snapshot (the best model a checkpoint keeps): the blob for atome, the P
 * weights as f32 for vanilla (checkpoint.h).
 */
#ifndef TRAIN_ARCH_H
#define TRAIN_ARCH_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "checkpoint.h"
#include "data.h"
#include "fb.h"
#include "vanilla.h"

/* What the command line said about the model; NULL or 0 where an option was not given. */
typedef struct {
    const char *arch, *preset, *drop, *vanilla_preset, *vanilla_init;
    int d_model, n_layers, d_head, window;
    int float_act; /* --float-act: the atome model with float activations (float_act.h) */
} arch_args;

/* Fills s->arch, s->cfg or s->vcfg, s->vinit and s->float_act from a (defaults: atome, preset default;
 * vanilla: param-fair, gpt2 init), and checks that s->seq fits the model. Returns NULL, or one
 * line naming the problem (in buf, or a static string): an unknown name, an option of the other
 * architecture, a model too large for the engine, a window longer than the vanilla model's
 * positional table. */
const char *arch_resolve(train_settings *s, const arch_args *a, char *buf, size_t n);

/* "atome d_model 64, n_layers 4, d_head 16, window 64" or "vanilla param-fair, gpt2 init": the
 * model part of s, to name it in a message. */
void arch_name(const train_settings *s, char *buf, size_t n);
/* The model, its parameter count and its bytes on disk, for the trainer's first line. */
void arch_describe(const train_settings *s, char *buf, size_t n);

/* File name of the model a run writes: "model.bin" (the blob) or "model.vnl" (vanilla_save);
 * NULL with --float-act, whose model the engine would not run (it quantises activations to
 * int8), so that no file invites loading it. */
const char *arch_model_file(const train_settings *s);

/* Seeded initialisation of the P master weights, and the weight-decay mask decay[P]. */
void arch_init(const train_settings *s, float *params);
void arch_decay_mask(const train_settings *s, uint8_t *decay);

typedef struct {
    const train_settings *set;
    float *params;         /* the master weights (the training state's arena) */
    fb_context *fb;        /* atome */
    model_params master;   /* atome: the pointer table over params */
    uint8_t *blob;         /* atome: params packed by arch_prepare */
    vfb_context *vfb;      /* vanilla */
    int pending;           /* vanilla: micro-batches summed into grad since arch_gradient */
} arch_model;

/* Contexts for B windows of T over the weights params. Returns 0, or -1 if out of memory. */
int arch_open(arch_model *m, const train_settings *s, float *params, int B, int T);
void arch_close(arch_model *m);

/* Makes the forward see the current params (atome: packs the blob; vanilla: nothing). Call it
 * after every change of params, before arch_accumulate, arch_evaluate and arch_snapshot. */
void arch_prepare(arch_model *m);

/* Forward and backward over B windows tokens[B][T+1]: adds their d(mean loss)/d(params) (the
 * mean over these B·T bytes) into the update's gradient sum. Returns the summed cross-entropy
 * in nats. atome keeps the sum exact in its context (fb_accumulate; grad and scratch unused
 * until arch_gradient); vanilla sums float micro-batches in the order they ran into grad (P
 * floats), scratch (P floats) holding each one after the first: its bits are not promised
 * across CPUs anyway (OpenBLAS, vanilla.h). */
double arch_accumulate(arch_model *m, const uint8_t *tokens, float *grad, float *scratch);
/* grad (P floats) = the sum of the arch_accumulate calls since the last arch_gradient, which
 * starts the next sum. Returns 0, or -1 if the sum is not finite (atome: fb_gradient; grad is
 * NaN then). */
int arch_gradient(arch_model *m, float *grad);

/* Summed cross-entropy in nats over the evaluation windows of d's valid bytes (data.h's walk,
 * the same for both architectures), *predicted the bytes predicted; -1 if *stop became non-zero. */
double arch_evaluate(arch_model *m, const dataset *d, uint8_t *tokens, float *loss_pos, long *predicted,
                     volatile sig_atomic_t *stop);

/* The per-byte losses of evaluation windows first..first+count-1 into out[count][T] (a
 * process's share of arch_evaluate's walk, shard.h). */
void arch_evaluate_range(arch_model *m, const dataset *d, long first, long count, uint8_t *tokens, float *loss_pos,
                         float *out);

/* Copies the current model (S bytes) to out. */
void arch_snapshot(const arch_model *m, uint8_t *out);

/* Writes a snapshot as the run's model file (atomically; nothing if arch_model_file is NULL).
 * Returns 0, or -1 with one line in err. */
int arch_write_model(const train_settings *s, const char *path, const uint8_t *snapshot, char *err, size_t n);
/* Bytes of that file (of the blob for --float-act, which writes none). */
long arch_model_file_bytes(const train_settings *s);

/* Greedy continuation by a snapshot: tok[0..plen-1] is the prompt, tok[plen..plen+n-1] gets
 * the n bytes. The vanilla model sees at most its context's last bytes. Returns 0, or -1 if out
 * of memory. */
int arch_sample(const train_settings *s, const uint8_t *snapshot, uint8_t *tok, int plen, int n);

/* fb_accumulate's time split since arch_open (zeros for vanilla, which keeps none). */
fb_times arch_times(const arch_model *m);

#endif

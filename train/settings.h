/* settings.h — what a training run is a function of (train_settings, which a checkpoint holds) and
 * the accepted range of each numeric setting: one table that the command line (options.c) and
 * checkpoint_load (checkpoint.c) both check against, so the two cannot disagree. Below both, so
 * that neither imports the other.
 */
#ifndef TRAIN_SETTINGS_H
#define TRAIN_SETTINGS_H
#include <stddef.h>
#include <stdint.h>
#include "../common/atome_config.h"
#include "vanilla.h"

enum { ARCH_ATOME = 0, ARCH_VANILLA = 1 };
enum { VINIT_GPT2 = 0, VINIT_TORCH = 1 }; /* vanilla_init, vanilla_init_torch */
enum { TASK_LM = 0, TASK_CLASSIFY = 1 };    /* --task lm (next-byte model) or classify */

/* Settings that change what a run computes; --resume refuses to continue with others. */
typedef struct {
    int32_t arch;         /* ARCH_* */
    atome_config cfg;     /* arch atome (zeros otherwise) */
    vanilla_config vcfg;  /* arch vanilla (zeros otherwise) */
    int32_t vinit;        /* arch vanilla: VINIT_* */
    int32_t float_act;    /* arch atome: 1 for the --float-act ablation (float_act.h), else 0 */
    double init_scale;    /* arch atome: factor on the initial weights (model_init), 1 by default */
    int64_t steps, batch, seq, accum, warmup, eval_every;
    int32_t schedule; /* SCHED_* of adamw.h */
    double lr, final_lr_frac, weight_decay, clip, beta1, beta2, eps;
    uint64_t seed;
    uint64_t train_bytes, valid_bytes; /* the data it was trained on: sizes and CRC-32s */
    uint32_t train_crc, valid_crc;
    /* --task classify (version 5; a language model's are 0): cfg then also holds n_classes,
     * n_features and label_bytes; train/valid bytes and CRCs are those of the splits' examples
     * (classify_run.h), and the test split's are kept too, since the run ends by evaluating it. */
    int32_t task;        /* TASK_* */
    uint64_t split_seed; /* --split-seed of the held-out splits */
    uint64_t test_bytes;
    uint32_t test_crc;
} train_settings;

/* The accepted range of a numeric option (kinds i and f): the command line's check and, for the
 * settings a checkpoint holds, checkpoint_load's. One table, so the two cannot disagree. */
typedef struct {
    const char *name;      /* the option, "--lr" */
    char kind;             /* i: int64_t, f: double */
    long offset;           /* of the field in train_settings; -1: not saved in a checkpoint */
    const char *field;     /* that field's name, as a checkpoint error names it */
    double lo, hi;         /* inclusive unless lo_open / hi_open */
    int lo_open, hi_open;
} option_range;

extern const option_range option_ranges[];
extern const int n_option_ranges;

/* The range entry of an option name (NULL: not a numeric option). */
const option_range *option_range_of(const char *name);

/* The range in words, as the messages give it: "an integer from 1 to 4096",
 * "a finite number > 0 and <= 10". */
void option_range_text(const option_range *r, char *buf, size_t n);

/* 1 if x (an integer for kind i) lies in r's range; NaN never does. */
int option_in_range(const option_range *r, double x);

/* The settings a checkpoint holds, checked as the command line checks them, and the schedule;
 * NULL, or the problem in buf naming the field ("field lr = nan: ..."). */
const char *settings_check(const train_settings *s, char *buf, size_t n);

#endif

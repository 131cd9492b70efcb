/* options.c — atome-train's command line: the option table, --help, parsing, the settings it
 * resolves to, and what --resume lets the command line say (API in options.h). */
#include "options.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "adamw.h"
#include "../common/classify_data.h"

void cli_die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("atome-train: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_BAD_INPUT);
}

static void option_table(option *t, options *o) {
    train_settings *s = &o->set;
    const option all[N_OPTS] = {
        {"--data", 's', &o->data, 0},
        {"--valid", 's', &o->valid, 0},
        {"--test", 's', &o->test, 0},
        {"--label-col", 's', &o->label_col, 0},
        {"--split-seed", 'u', &s->split_seed, 0},
        {"--task", 's', &o->task, 0},
        {"--out", 's', &o->out, 0},
        {"--arch", 's', &o->model.arch, 0},
        {"--preset", 's', &o->model.preset, 0},
        {"--d-model", 'i', &o->d_model, 0},
        {"--n-layers", 'i', &o->n_layers, 0},
        {"--d-head", 'i', &o->d_head, 0},
        {"--window", 'i', &o->window, 0},
        {"--drop", 's', &o->model.drop, 0},
        {"--vanilla-preset", 's', &o->model.vanilla_preset, 0},
        {"--vanilla-init", 's', &o->model.vanilla_init, 0},
        {"--float-act", 'b', &o->model.float_act, 0},
        {"--init-scale", 'f', &s->init_scale, 0},
        {"--init", 's', &o->init, 0},
        {"--steps", 'i', &s->steps, 0},
        {"--batch", 'i', &s->batch, 0},
        {"--seq", 'i', &s->seq, 0},
        {"--accum", 'i', &s->accum, 0},
        {"--lr", 'f', &s->lr, 0},
        {"--warmup", 'i', &s->warmup, 0},
        {"--schedule", 's', &o->schedule, 0},
        {"--final-lr-frac", 'f', &s->final_lr_frac, 0},
        {"--weight-decay", 'f', &s->weight_decay, 0},
        {"--clip", 'f', &s->clip, 0},
        {"--beta1", 'f', &s->beta1, 0},
        {"--beta2", 'f', &s->beta2, 0},
        {"--eps", 'f', &s->eps, 0},
        {"--seed", 'u', &s->seed, 0},
        {"--eval-every", 'i', &s->eval_every, 0},
        {"--save-every", 'i', &o->save_every, 0},
        {"--threads", 'i', &o->threads, 0},
        {"--sample", 'i', &o->sample, 0},
        {"--prompt", 's', &o->prompt, 0},
        {"--resume", 'b', &o->resume, 0},
        {"--help", 'b', &o->help, 0},
    };
    memcpy(t, all, sizeof all);
}

const char cli_usage[] =
    "usage: atome-train --data FILE --out DIR [options]\n"
    "       atome-train --task classify --data FILE [--valid FILE] [--test FILE] [--label-col NAME] --out DIR\n"
    "Trains a ternary byte-level atome model on FILE; writes DIR/model.bin (the best model on the\n"
    "validation bytes, the blob atome-infer loads; not with --float-act), DIR/checkpoint.bin and\n"
    "DIR/log.jsonl.\n"
    "With --arch vanilla it trains the vanilla GPT baseline instead (FP32, for the A/B) and writes\n"
    "DIR/model.vnl (64-byte header and the FP32 weights) in place of model.bin.\n"
    "\n"
    "data\n"
    "  --data FILE          training bytes (required)\n"
    "  --valid FILE         validation bytes (default: the last 10% of --data, held out)\n"
    "  --out DIR            output directory, created if missing (required); one run at a time:\n"
    "                       a second run on it is refused while the first is running\n"
    "model (a preset, optionally with dimensions overridden)\n"
    "  --arch A             atome (routed ternary) or vanilla (GPT baseline) (default: atome)\n"
    "  --preset NAME        nano, small, default, mid, prod (default: default)\n"
    "  --d-model N  --n-layers N  --d-head N  --window W\n"
    "  --drop LIST          ablation: switch pathways off, a comma list of conv, ssm, attn\n"
    "  --float-act          ablation: float activations where the engine has int8 ones (h before the\n"
    "                       matmuls and the head, q, k, v); the weights stay ternary. The engine cannot\n"
    "                       run such a model: no model.bin is written, and the valid bpb is the\n"
    "                       trainer's own float forward\n"
    "  --vanilla-preset P   vanilla only: param-fair (60,808 parameters) or flash-fair (5,968);\n"
    "                       both have 64 positions, so --seq at most 64 (default: param-fair)\n"
    "  --vanilla-init I     vanilla only: gpt2 (normal, std 0.02) or torch (PyTorch's defaults) (default: gpt2)\n"
    "  --init-scale X       atome only: multiply the initial weights' std by X (default 1); a learning\n"
    "                       rate far below the default wants it smaller (0.25 at 3e-4: PAPER.md, A/B)\n"
    "  --init BLOB          atome only: start from the weights of model blob BLOB (atome-import's, or a\n"
    "                       model.bin) instead of the seeded ones; its dimensions must be the run's\n"
    "training\n"
    "  --steps N            optimizer updates (default 2000)\n"
    "  --batch B            windows per micro-batch (default 16)\n"
    "  --seq T              predicted bytes per window; a window holds T+1 bytes (default 64)\n"
    "  --accum A            micro-batches per update, gradients averaged (default 1)\n"
    "  --lr X               peak learning rate, at most 10 (default 1e-2: ternary weights want a large one)\n"
    "  --warmup N           linear warmup updates (default 100)\n"
    "  --schedule S         cosine (to lr x --final-lr-frac at the last update) or constant (default cosine)\n"
    "  --final-lr-frac F    (default 0.1)\n"
    "  --weight-decay X     decoupled, on the matrices and embeddings only (default 0.01)\n"
    "  --clip X             clip the global gradient norm to X; 0: off (default 1)\n"
    "  --beta1 X --beta2 X --eps X   AdamW (default 0.9, 0.95, 1e-8)\n"
    "  --seed N             initialisation and window sampling (default 1)\n"
    "  --eval-every N       evaluate on the validation bytes every N updates and at the end\n"
    "                       (default: steps/10)\n"
    "  --save-every N       write the checkpoint every N updates (default: as --eval-every)\n"
    "  --resume             continue the run whose checkpoint is in --out; settings come from the\n"
    "                       checkpoint, and any given must agree with it\n"
    "  --threads N          OpenMP threads (default: all cores); results do not depend on it\n"
    "  --sample N           bytes of greedy sample printed at the end (default 128; 0: none)\n"
    "  --prompt S           its prompt (default \"Once upon a time\")\n"
    "\n"
    "classifier (--task classify; the options above hold unless said otherwise)\n"
    "  --task T             lm (next-byte language model, the default) or classify (a classifier)\n"
    "  --data FILE          labelled rows: a TSV of label<TAB>text, or with --label-col a CSV whose other\n"
    "                       columns are numeric features (formats: common/classify_data.h)\n"
    "  --valid FILE  --test FILE   the official splits; a missing one is held out of --data, 10% each,\n"
    "                       seeded and stratified, and printed\n"
    "  --label-col NAME     the CSV's label column: a table, each feature quantised to one byte by the\n"
    "                       min and max of the training split (the constants travel in the blob)\n"
    "  --split-seed N       seed of the held-out splits (default 1)\n"
    "  --seq N              bytes of a text the classifier reads: its FIRST N (a longer text's tail is\n"
    "                       dropped; the engine streams any length, so evaluate with the same cut,\n"
    "                       classify_cut); at least a table's feature count (default 256)\n"
    "  --init BLOB          the backbone from a model blob (a language model's model.bin), the class head\n"
    "                       fresh; without --preset or dimensions the run takes the blob's\n"
    "  An update draws --batch training examples (uniformly, seeded); the loss is the cross-entropy of\n"
    "  the class logits at an example's last byte. Every --eval-every updates the validation split's\n"
    "  loss, accuracy and macro-F1 are printed; DIR/model.bin is the classifier blob (label names,\n"
    "  feature constants) of the best validation accuracy, ties to the lower loss; the test split is\n"
    "  evaluated once at the end, with that model. --sample, --prompt, --float-act and --arch vanilla\n"
    "  are the language model's.\n"
    "\n"
    "SIGINT/SIGTERM save the checkpoint at the next step boundary and exit; --resume continues.\n"
    "Exit status: 0 done, 1 bad input or I/O error, 3 loss became NaN/Inf, 128+signal if stopped.\n"
    "OMP_WAIT_POLICY defaults to passive (spinning threads slow down a shared machine).\n"
    "The atome model's checkpoint and model bytes are the same on every CPU and thread count.\n"
    "ATOME_CPU=generic|avx2|avx512 forces the instruction set of its dense kernels (default: the\n"
    "best this CPU runs; every choice gives the same bits). The vanilla baseline multiplies with\n"
    "OpenBLAS, which picks its kernels by the CPU: its bits are the same across thread counts only.\n";

static void parse_value(option *o, const char *v) {
    char *end = NULL;
    errno = 0;
    if (o->kind == 's') {
        *(const char **)o->dst = v;
    } else if (o->kind == 'u') {
        unsigned long long x = strtoull(v, &end, 0);
        if (!*v || *end || errno || *v == '-') cli_die("%s needs a non-negative integer, got '%s'", o->name, v);
        *(uint64_t *)o->dst = x;
    } else {
        const option_range *r = option_range_of(o->name);
        double x;
        if (o->kind == 'i') {
            long long n = strtoll(v, &end, 10);
            x = errno ? NAN : (double)n;
        } else {
            x = strtod(v, &end);
        }
        if (!*v || *end || !option_in_range(r, x)) {
            char range[96];
            option_range_text(r, range, sizeof range);
            cli_die("%s needs %s, got '%s'", o->name, range, v);
        }
        if (o->kind == 'i') *(int64_t *)o->dst = (int64_t)x;
        else *(double *)o->dst = x;
    }
}

void cli_parse(int argc, char **argv, options *o, option *t) {
    memset(o, 0, sizeof *o);
    o->schedule = "cosine";
    o->prompt = "Once upon a time";
    o->sample = 128;
    train_settings *s = &o->set;
    s->steps = 2000, s->batch = 16, s->seq = 64, s->accum = 1, s->warmup = 100;
    s->lr = 1e-2, s->final_lr_frac = 0.1, s->weight_decay = 0.01, s->clip = 1.0;
    s->beta1 = 0.9, s->beta2 = 0.95, s->eps = 1e-8, s->seed = 1, s->init_scale = 1.0;
    s->split_seed = 1;
    option_table(t, o);
    for (int i = 1; i < argc; i++) {
        option *hit = NULL;
        for (int k = 0; k < N_OPTS; k++)
            if (!strcmp(argv[i], t[k].name)) hit = &t[k];
        if (!hit) cli_die("unknown option '%s' (see --help)", argv[i]);
        if (hit->given) cli_die("%s given twice", hit->name);
        hit->given = 1;
        if (hit->kind == 'b') {
            *(int *)hit->dst = 1;
            continue;
        }
        if (i + 1 >= argc) cli_die("%s needs a value", hit->name);
        parse_value(hit, argv[++i]);
    }
}

option *cli_find(option *t, const char *name) {
    for (int k = 0; k < N_OPTS; k++)
        if (!strcmp(t[k].name, name)) return &t[k];
    return NULL;
}

/* --task: lm (the default) or classify, and the options that belong to one task only. */
static void resolve_task(options *o, option *t) {
    train_settings *s = &o->set;
    const char *task = o->task ? o->task : "lm";
    static const char *const classify_only[] = {"--test", "--label-col", "--split-seed"};
    static const char *const lm_only[] = {"--sample", "--prompt", "--float-act"};
    if (!strcmp(task, "lm")) {
        s->task = TASK_LM, s->split_seed = 0;
        for (int i = 0; i < 3; i++)
            if (cli_find(t, classify_only[i])->given) cli_die("%s is an option of --task classify", classify_only[i]);
        return;
    }
    if (strcmp(task, "classify")) cli_die("--task must be lm or classify, got '%s'", task);
    s->task = TASK_CLASSIFY;
    for (int i = 0; i < 3; i++)
        if (cli_find(t, lm_only[i])->given) cli_die("%s is an option of --task lm", lm_only[i]);
    if (s->arch != ARCH_ATOME) cli_die("--task classify trains the atome model only (no --arch vanilla)");
    if (!cli_find(t, "--seq")->given) s->seq = CLASSIFY_DEFAULT_MAX_BYTES;
}

/* The model (arch.h: the architecture, its preset, any dimension given), then the schedule. */
void cli_resolve(options *o, option *t) {
    arch_args *a = &o->model;
    a->d_model = (int)o->d_model, a->n_layers = (int)o->n_layers, a->d_head = (int)o->d_head;
    a->window = (int)o->window;
    char buf[512];
    const char *bad = arch_resolve(&o->set, a, buf, sizeof buf);
    if (bad) cli_die("%s", bad);
    if (o->set.arch == ARCH_VANILLA && cli_find(t, "--init-scale")->given)
        cli_die("--init-scale is an option of --arch atome (the vanilla model takes --vanilla-init)");
    if (!strcmp(o->schedule, "cosine")) o->set.schedule = SCHED_COSINE;
    else if (!strcmp(o->schedule, "constant")) o->set.schedule = SCHED_CONSTANT;
    else cli_die("--schedule must be cosine or constant, got '%s'", o->schedule);
    resolve_task(o, t);
    if (!cli_find(t, "--eval-every")->given) o->set.eval_every = o->set.steps >= 10 ? (o->set.steps + 9) / 10 : 1;
    if (!cli_find(t, "--save-every")->given) o->save_every = o->set.eval_every;
}

/* --resume: the checkpoint's settings win; any setting given on the command line must agree. */
void cli_check_resume(const train_settings *ck, const options *o, option *t, const char *path) {
    const train_settings *s = &o->set;
    if (s->task != ck->task)
        cli_die("--resume: %s is a run of --task %s; this command is --task %s", path,
                ck->task == TASK_CLASSIFY ? "classify" : "lm", s->task == TASK_CLASSIFY ? "classify" : "lm");
    static const char *const model_flags[] = {"--arch", "--preset", "--d-model", "--n-layers", "--d-head",
                                              "--window", "--drop", "--vanilla-preset", "--vanilla-init"};
    int given = 0;
    for (size_t i = 0; i < sizeof model_flags / sizeof *model_flags; i++) given |= cli_find(t, model_flags[i])->given;
    /* the class fields come from the data, which the run checks against the checkpoint itself */
    atome_config mine = s->cfg;
    mine.n_classes = ck->cfg.n_classes, mine.n_features = ck->cfg.n_features, mine.label_bytes = ck->cfg.label_bytes;
    if (given && (s->arch != ck->arch || memcmp(&mine, &ck->cfg, sizeof mine) ||
                  memcmp(&s->vcfg, &ck->vcfg, sizeof s->vcfg) || s->vinit != ck->vinit)) {
        char a[160], b[160];
        arch_name(s, a, sizeof a), arch_name(ck, b, sizeof b);
        cli_die("--resume: the model given (%s) is not the one in %s (%s)", a, path, b);
    }
#define SAME(flag, field)                                                                                  \
    if (cli_find(t, flag)->given && s->field != ck->field)                                                     \
        cli_die("--resume: %s differs from the run in %s (%g there); drop it or match it", flag, path,       \
            (double)ck->field);
    SAME("--steps", steps) SAME("--batch", batch) SAME("--seq", seq) SAME("--accum", accum)
    SAME("--warmup", warmup) SAME("--eval-every", eval_every) SAME("--schedule", schedule) SAME("--lr", lr)
    SAME("--final-lr-frac", final_lr_frac) SAME("--weight-decay", weight_decay) SAME("--clip", clip)
    SAME("--beta1", beta1) SAME("--beta2", beta2) SAME("--eps", eps) SAME("--seed", seed)
    SAME("--float-act", float_act) /* a switch: only a --float-act given to an int8 run can differ */
    SAME("--init-scale", init_scale) SAME("--split-seed", split_seed)
#undef SAME
}

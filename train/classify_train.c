/* classify_train.c — atome-train --task classify: a classifier head on the atome backbone, trained
 * on labelled rows (API in classify_train.h; the CLI words in options.c).
 *
 *     atome-train --task classify --data FILE [--valid FILE] [--test FILE] [--label-col NAME]
 *                 [--split-seed N] [--preset P | dimensions | --init LM.bin] [--seq N] --out DIR
 *
 * Shapes: C classes, F features (a table; 0 for text), B examples per micro-batch, A micro-batches
 * per update (--accum), T the longest example after the cut (the context's positions), P
 * parameters (atome_param_count of the classifier config: its head [C, D] where a language
 * model's unembedding is).
 *
 * The data: classify_load (common/classify_data.h) reads the rows, builds the label table and the
 * splits (the given --valid/--test files, else seeded stratified ones) and, for a table, fits the
 * one-byte quantisation on the training split; its paragraph is printed. A bad row stops the run
 * with `FILE:LINE: what is wrong`, exit 1, before --out is touched. Each example is its first
 * --seq bytes (classify_cut: a longer text loses its tail; a table's F bytes are never cut).
 *
 * One update: pack the master weights into the blob, draw A·B examples (classify_draw, the seeded
 * stream the checkpoint keeps), forward and backward each (fb_classify.h: its own length, the class
 * head at its last byte, one exact term of the gradient sum, so 1 or 2 threads give the same bits),
 * the mean over the A·B examples, clip, AdamW: the language model's optimizer and schedule.
 * Every --eval-every updates and at the end the validation split is scored (loss, accuracy,
 * macro-F1); the best accuracy, ties to the lower loss, is the model kept: its blob, with the label
 * names and feature constants (model_set_classes), is DIR/model.bin and the checkpoint's best
 * model. At the end the test split is scored once with that model. Checkpoints, their atomic
 * writes, SIGINT/SIGTERM and --resume are the language model's (checkpoint.h, version 5 with the
 * task and class fields); --resume refuses a language-model checkpoint and other data.
 */
#include "classify_train.h"
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "adamw.h"
#include "classify_run.h"
#include "dense.h"
#include "model.h"
#include "run_util.h"
#include "../common/host_file.h"

typedef struct {
    options *o;
    option *t;
    volatile sig_atomic_t *stop;
    classify_options co;
    classify_dataset d;
    fb_example *ex[3]; /* CLASSIFY_TRAIN, _VALID, _TEST */
    int T;             /* the longest example after the cut: the context's positions */
    char *names;
    train_state s;
    fb_context *fb;
    model_params master;
    uint8_t *blob, *decay;
    fb_example *batch;
    float *grad;
    char *ckpt_path, *model_path, *log_path;
    FILE *log;
    double t_start, t_train, t_eval;
    int64_t first_step;
} crun;

static const char *const split_name[3] = {"train", "valid", "test"};

/* --init BLOB, read and checked; *w points into *blob (malloc'd, kept for classify_backbone). */
static void read_init(const char *path, uint8_t **blob, atome_weights *w) {
    size_t len;
    char err[512];
    if (host_read_file(path, (size_t)1 << 30, blob, &len, err, sizeof err)) cli_die("--init: %s", err);
    int e = len >= ATOME_HEADER_BYTES ? atome_blob_open(*blob, len, w) : ATOME_ERR_TRUNCATED;
    if (e != ATOME_OK) cli_die("--init: %s: %s", path, atome_strerror(e));
}

/* The data and its examples under the run's settings set (the command line's, or the resumed
 * checkpoint's), and the classifier config they make with set's backbone (or, with --init and no
 * model option, the blob's) into *cfg. */
static void load_data(crun *r, const train_settings *set, const atome_weights *init, atome_config *cfg) {
    options *o = r->o;
    classify_options_default(&r->co);
    r->co.data = o->data, r->co.valid = o->valid, r->co.test = o->test, r->co.label_col = o->label_col;
    r->co.split_seed = set->split_seed;
    char err[1024];
    if (classify_load(&r->co, &r->d, err, sizeof err)) cli_die("%s", err);
    classify_dataset *d = &r->d;
    if (d->n_classes < 2) cli_die("%s: %u class (%s): a classifier needs at least 2", o->data, d->n_classes, d->label[0]);
    if (d->n_classes > ATOME_MAX_LOGITS)
        cli_die("%s: %u classes, more than this build's ATOME_MAX_LOGITS (%d)", o->data, d->n_classes, ATOME_MAX_LOGITS);
    if (d->is_table && set->seq < (int64_t)d->n_features)
        cli_die("--seq %lld is below the %u features of a row of %s: a table's row is never cut", (long long)set->seq,
                d->n_features, o->data);
    r->T = 0;
    for (int k = 0; k < 3; k++) {
        int n;
        r->ex[k] = classify_examples(&d->split[k], (size_t)set->seq, &n);
        if (!r->ex[k]) cli_die("out of memory for the examples");
        if (n > r->T) r->T = n;
    }
    *cfg = set->cfg;
    static const char *const model_flags[] = {"--preset", "--d-model", "--n-layers", "--d-head", "--window", "--drop"};
    int given = 0;
    for (int i = 0; i < 6; i++) given |= cli_find(r->t, model_flags[i])->given;
    if (init && !given) { /* the blob's backbone */
        const atome_config *b = &init->cfg;
        cfg->d_model = b->d_model, cfg->n_layers = b->n_layers, cfg->d_head = b->d_head, cfg->window = b->window;
        cfg->flags = b->flags;
    }
    r->names = classify_names(d, &cfg->label_bytes);
    if (!r->names) cli_die("out of memory for the label names");
    cfg->n_classes = (int)d->n_classes, cfg->n_features = d->is_table ? (int)d->n_features : 0;
    if (!atome_config_fits(cfg)) cli_die("the classifier does not fit the engine");
}

/* The training state: the resumed checkpoint's (already in r->s) after the data check, or a new
 * run's of config cfg; then the context and the buffers. */
static void open_state(crun *r, const atome_weights *init, const atome_config *cfg) {
    options *o = r->o;
    train_state *s = &r->s;
    int T = r->T;
    char err[1024];
    train_settings id = {0};
    classify_split_id(&r->d, CLASSIFY_TRAIN, &id.train_bytes, &id.train_crc);
    classify_split_id(&r->d, CLASSIFY_VALID, &id.valid_bytes, &id.valid_crc);
    classify_split_id(&r->d, CLASSIFY_TEST, &id.test_bytes, &id.test_crc);
    if (o->resume) {
        const train_settings *c = &s->set;
        const char *differ = c->train_bytes != id.train_bytes || c->train_crc != id.train_crc ? "training"
                             : c->valid_bytes != id.valid_bytes || c->valid_crc != id.valid_crc ? "validation"
                             : c->test_bytes != id.test_bytes || c->test_crc != id.test_crc ? "test"
                             : memcmp(&c->cfg, cfg, sizeof *cfg) ? "class names or features of the"
                                                                  : NULL;
        if (differ) cli_die("--resume: the %s examples differ from those the checkpoint was trained on", differ);
        if (!cli_find(r->t, "--save-every")->given) o->save_every = c->eval_every;
    } else {
        s->set = o->set;
        s->set.cfg = *cfg;
        s->set.train_bytes = id.train_bytes, s->set.train_crc = id.train_crc;
        s->set.valid_bytes = id.valid_bytes, s->set.valid_crc = id.valid_crc;
        s->set.test_bytes = id.test_bytes, s->set.test_crc = id.test_crc;
        if (state_alloc(s)) cli_die("out of memory for the model's parameters");
        model_init(s->params, &s->set.cfg, s->set.seed, (float)s->set.init_scale);
        if (cfg->n_features) model_init_ordinal_embedding(s->params, &s->set.cfg, (float)s->set.init_scale);
        if (init && classify_backbone(s->params, &s->set.cfg, init, err, sizeof err))
            cli_die("--init: %s: %s", o->init, err);
        s->rng = s->set.seed ^ 0xda7a5eed0ddba11ull; /* the draw's stream, split from the initialiser's */
    }
    const train_settings *c = &s->set;
    long P = s->n_params;
    int B = (int)c->batch;
    if (dense_choose(getenv("ATOME_CPU"), err, sizeof err)) cli_die("%s", err);
    r->fb = fb_create(&c->cfg, B, T);
    r->blob = aligned_alloc(64, (s->blob_bytes + 63) / 64 * 64);
    r->decay = malloc((size_t)P);
    r->grad = malloc((size_t)P * sizeof(float));
    r->batch = malloc((size_t)B * sizeof *r->batch);
    if (!r->fb || !r->blob || !r->decay || !r->grad || !r->batch)
        cli_die("out of memory for batch %d x %d bytes of this model", B, T);
    model_params_bind(&r->master, &c->cfg, s->params);
    adamw_decay_mask(r->decay, &c->cfg);
}

/* Every check has passed: only now the output directory is touched. */
static void open_out(crun *r) {
    options *o = r->o;
    train_state *s = &r->s;
    char err[512];
    prepare_out_dir(o->out);
    if (!o->resume && access(r->ckpt_path, F_OK) == 0)
        cli_die("%s exists: add --resume to continue that run, or choose another --out", r->ckpt_path);
    const char *stale[3] = {"checkpoint.bin.tmp", "model.bin.tmp", "log.jsonl.tmp"};
    for (int i = 0; i < 3; i++) {
        char *p = path_in(o->out, stale[i]);
        unlink(p), free(p);
    }
    const void *bufs[1] = {s->best_blob};
    if (o->resume) {
        trim_log(r->log_path, s->step);
        /* the model file may be from an evaluation past the checkpoint */
        if (s->best_step && write_atomic(r->model_path, bufs, &s->blob_bytes, 1, err, sizeof err)) cli_die("%s", err);
    }
    r->log = fopen(r->log_path, o->resume ? "ab" : "wb");
    if (!r->log) cli_die("cannot write %s: %s", r->log_path, strerror(errno));
}

static void save(crun *r) {
    char err[512];
    if (checkpoint_save(r->ckpt_path, &r->s, err, sizeof err)) cli_die("%s", err);
}

static void stop_now(crun *r) {
    save(r);
    fprintf(stderr, "atome-train: stopped by signal %d at step %lld/%lld; checkpoint saved to %s (continue with the "
            "same command and --resume)\n", (int)*r->stop, (long long)r->s.step, (long long)r->s.set.steps, r->ckpt_path);
    exit(128 + *r->stop);
}

static void diverged(crun *r, const char *what, int64_t step) {
    fprintf(stderr, "atome-train: %s is not finite (NaN or Inf) at step %lld; training stopped. %s\n", what,
            (long long)step, access(r->ckpt_path, F_OK) == 0
                                 ? "The last good checkpoint is untouched (try a lower --lr)."
                                 : "No checkpoint had been written yet (try a lower --lr).");
    exit(EXIT_DIVERGED);
}

/* The current blob (packed) as the classifier it is: label names and feature constants added. */
static void finish_blob(crun *r) {
    const classify_dataset *d = &r->d;
    model_set_classes(r->blob, &r->s.set.cfg, d->fmin, d->fscale, r->names);
}

/* Scores the packed blob on the validation split; keeps it if best. Returns 0, or -1 if stopped. */
static int evaluate(crun *r) {
    train_state *s = &r->s;
    const train_settings *c = &s->set;
    double t0 = now();
    classify_score sc;
    if (classify_score_split(r->fb, (int)c->batch, r->blob, r->ex[CLASSIFY_VALID], r->d.split[CLASSIFY_VALID].n,
                             c->cfg.n_classes, &sc, r->stop))
        return -1;
    if (!isfinite(sc.loss)) diverged(r, "the validation loss", s->step);
    s->last_eval = s->step, s->last_bpb = sc.loss, s->last_acc = sc.acc;
    int best = s->best_step == 0 || sc.acc > s->best_acc || (sc.acc == s->best_acc && sc.loss < s->best_bpb);
    if (best) {
        s->best_step = s->step, s->best_bpb = sc.loss, s->best_acc = sc.acc;
        finish_blob(r);
        memcpy(s->best_blob, r->blob, s->blob_bytes);
        char err[512];
        const void *bufs[1] = {s->best_blob};
        if (write_atomic(r->model_path, bufs, &s->blob_bytes, 1, err, sizeof err)) cli_die("%s", err);
    }
    r->t_eval += now() - t0;
    fprintf(r->log, "{\"step\": %lld, \"train_loss\": %.6f, \"val_loss\": %.6f, \"val_acc\": %.6f, "
            "\"val_macro_f1\": %.6f, \"val_examples\": %u, \"best_step\": %lld, \"best_acc\": %.6f, "
            "\"best_loss\": %.6f, \"lr\": %.6g, \"examples\": %lld, \"time_s\": %.2f}\n", (long long)s->step,
            s->last_loss, sc.loss, sc.acc, sc.macro_f1, sc.n, (long long)s->best_step, s->best_acc, s->best_bpb,
            lr_at(s->step > 0 ? s->step - 1 : 0, c->steps, c->warmup, c->lr, c->final_lr_frac, c->schedule),
            (long long)s->windows, now() - r->t_start);
    check_written(r->log, r->log_path);
    printf("step %lld/%lld | valid loss %.4f | acc %.2f%% (%u/%u) | macro-F1 %.4f | best %.2f%% @ %lld%s\n",
           (long long)s->step, (long long)c->steps, sc.loss, 100 * sc.acc, sc.correct, sc.n, sc.macro_f1,
           100 * s->best_acc, (long long)s->best_step, best ? " -> model.bin" : "");
    check_stdout();
    return 0;
}

/* One update: A micro-batches of B drawn examples, forward and backward, mean, clip, AdamW. */
static void update(crun *r) {
    train_state *s = &r->s;
    const train_settings *c = &s->set;
    long P = s->n_params;
    int B = (int)c->batch;
    model_pack(r->blob, &r->master, &c->cfg);
    atome_rng rng = {s->rng};
    double nats = 0.0;
    for (int64_t a = 0; a < c->accum; a++) {
        classify_draw(&rng, r->ex[CLASSIFY_TRAIN], r->d.split[CLASSIFY_TRAIN].n, B, r->batch);
        nats += fb_classify_accumulate(r->fb, r->blob, &r->master, r->batch, B);
    }
    int grad_bad = fb_gradient(r->fb, r->grad);
    int64_t step = s->step + 1;
    double loss = nats / (double)(c->accum * B);
    if (!isfinite(loss)) diverged(r, "the training loss", step);
    if (grad_bad) diverged(r, "the gradient", step);
    if (c->accum > 1) grad_scale(r->grad, P, 1.0f / (float)c->accum);
    double norm = grad_norm(r->grad, P);
    if (!isfinite(norm)) diverged(r, "the gradient", step);
    grad_clip(r->grad, P, norm, c->clip);
    double lr = lr_at(s->step, c->steps, c->warmup, c->lr, c->final_lr_frac, c->schedule);
    const adamw_config h = {c->beta1, c->beta2, c->eps, c->weight_decay};
    adamw_update(s->params, r->grad, s->m, s->v, r->decay, P, step, lr, &h);
    s->rng = rng.s;
    s->windows += (uint64_t)(c->accum * B);
    s->last_loss = loss;
    s->step = step;
}

/* The test split, once, with the best model. */
static void final_test(crun *r) {
    train_state *s = &r->s;
    const train_settings *c = &s->set;
    classify_score sc;
    if (classify_score_split(r->fb, (int)c->batch, s->best_blob, r->ex[CLASSIFY_TEST], r->d.split[CLASSIFY_TEST].n,
                             c->cfg.n_classes, &sc, r->stop))
        stop_now(r);
    fprintf(r->log, "{\"step\": %lld, \"test_loss\": %.6f, \"test_acc\": %.6f, \"test_macro_f1\": %.6f, "
            "\"test_examples\": %u, \"model_step\": %lld}\n", (long long)s->step, sc.loss, sc.acc, sc.macro_f1, sc.n,
            (long long)s->best_step);
    check_written(r->log, r->log_path);
    printf("test (best model, step %lld): loss %.4f | acc %.2f%% (%u/%u) | macro-F1 %.4f\n", (long long)s->best_step,
           sc.loss, 100 * sc.acc, sc.correct, sc.n, sc.macro_f1);
}

void classify_main(options *o, option *t, volatile sig_atomic_t *stop) {
    static crun r;
    r.o = o, r.t = t, r.stop = stop;
    r.ckpt_path = path_in(o->out, "checkpoint.bin");
    r.log_path = path_in(o->out, "log.jsonl");
    r.model_path = path_in(o->out, "model.bin");
    if (access(o->out, F_OK) == 0) lock_out_dir(o->out); /* what another run writes counts as in use */
    char err[1024];
    const train_settings *set = &o->set; /* what decides the data: the checkpoint's on --resume */
    if (o->resume) {
        if (checkpoint_load(r.ckpt_path, &r.s, err, sizeof err)) cli_die("--resume: %s", err);
        cli_check_resume(&r.s.set, o, t, r.ckpt_path);
        set = &r.s.set;
    } else if (access(r.ckpt_path, F_OK) == 0) {
        cli_die("%s exists: add --resume to continue that run, or choose another --out", r.ckpt_path);
    }
    uint8_t *init_blob = NULL;
    atome_weights init;
    if (o->init) read_init(o->init, &init_blob, &init);
    atome_config data_cfg;
    load_data(&r, set, o->init ? &init : NULL, &data_cfg);
    open_state(&r, o->init ? &init : NULL, &data_cfg);
    free(init_blob);
    open_out(&r);
    if (o->threads) omp_set_num_threads((int)o->threads);

    train_state *s = &r.s;
    const train_settings *c = &s->set;
    const atome_config *cfg = &c->cfg;
    r.t_start = now(), r.first_step = s->step;
    printf("atome-train: %s | classify, %d classes | d_model %d n_layers %d d_head %d window %d | %ld params, blob %zu B "
           "| batch %lld x accum %lld, examples of up to %d bytes (--seq %lld) | %d threads | kernels %s\n",
           o->resume ? "resuming" : "new run", cfg->n_classes, cfg->d_model, cfg->n_layers, cfg->d_head, cfg->window,
           s->n_params, s->blob_bytes, (long long)c->batch, (long long)c->accum, r.T, (long long)c->seq, omp_get_max_threads(),
           dense_path());
    classify_describe(&r.d, &r.co, stdout);
    if (o->init) printf("atome-train: backbone from %s, class head fresh\n", o->init);
    for (int k = 0; k < 3; k++) {
        const classify_split *sp = &r.d.split[k];
        size_t cut = 0;
        for (uint32_t i = 0; i < sp->n; i++) cut += sp->start[i + 1] - sp->start[i] > (size_t)c->seq;
        if (cut) printf("atome-train: %zu %s examples longer than --seq %lld bytes: their first %lld are read\n", cut,
                        split_name[k], (long long)c->seq, (long long)c->seq);
    }
    if (o->resume) printf("atome-train: resumed at step %lld/%lld\n", (long long)s->step, (long long)c->steps);
    check_stdout();

    int64_t saved = s->step, every = o->save_every, plain_every = c->steps >= 20 ? c->steps / 20 : 1;
    for (;;) {
        int eval_due = s->step > 0 && s->last_eval != s->step && (s->step % c->eval_every == 0 || s->step == c->steps);
        if (eval_due) {
            model_pack(r.blob, &r.master, cfg);
            if (evaluate(&r)) stop_now(&r);
        }
        if (s->step > saved && s->step % every == 0 && s->step < c->steps) save(&r), saved = s->step;
        if (s->step >= c->steps) break;
        if (*stop) stop_now(&r);
        double t0 = now();
        update(&r);
        r.t_train += now() - t0;
        if (s->step % plain_every == 0) {
            double done = (double)(s->step - r.first_step) * (double)(c->batch * c->accum);
            printf("step %lld/%lld | loss %.4f | lr %.2e | %.0f examples/s\n", (long long)s->step, (long long)c->steps,
                   s->last_loss, lr_at(s->step - 1, c->steps, c->warmup, c->lr, c->final_lr_frac, c->schedule),
                   r.t_train > 0 ? done / r.t_train : 0.0);
            check_stdout();
        }
    }
    save(&r);
    final_test(&r);
    if (fclose(r.log) != 0) cli_die("cannot write %s: %s", r.log_path, strerror(errno));
    char a[32], b[32], e[32];
    printf("done: step %lld/%lld in %s (training %s, evaluation %s) | best valid acc %.2f%% (loss %.4f) at step %lld "
           "-> %s (%zu B) | checkpoint %s\n", (long long)s->step, (long long)c->steps, hms(now() - r.t_start, a),
           hms(r.t_train, b), hms(r.t_eval, e), 100 * s->best_acc, s->best_bpb, (long long)s->best_step, r.model_path,
           s->blob_bytes, r.ckpt_path);
    check_stdout();
    if (fclose(stdout) != 0) cli_die("cannot write the standard output: %s", strerror(errno));
    exit(0);
}

/* atome_train.c — the atome-train CLI: the training loop, progress, log, sample (its options,
 * --help and their checks: options.c).
 *
 * Shapes: P parameters, B windows per micro-batch, T predicted bytes per window, A micro-batches
 * per update (--accum), V vocab.
 *
 * One update: make the forward see the master weights (for the atome model, pack them into a
 * blob: the bytes the engine would load), run the forward and the backward on A·B windows,
 * average, clip by global norm, AdamW. The model is the routed-ternary atome model or, with
 * --arch vanilla, the vanilla GPT baseline; arch.h holds what differs, this loop is the same for
 * both. Everything that decides the numbers is in train_state, which the checkpoint holds
 * whole; so a run stopped anywhere and resumed from its last checkpoint redoes the same work
 * and ends with the same bytes. --task classify (a classifier on labelled rows) runs its own loop,
 * classify_train.c, after the same option parsing.
 */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "adamw.h"
#include "arch.h"
#include "checkpoint.h"
#include "classify_train.h"
#include "data.h"
#include "dense.h"
#include "dist.h"
#include "math_n.h"
#include "model.h"
#include "options.h"
#include "run_util.h"
#include "shard.h"
#include "../common/host_file.h"

/* ---------------------------------------------------------------- --init */

/* --init BLOB: the run's master weights from a model blob (model_from_blob), in place of the seeded
 * ones. The checkpoint then holds them like any other weights, so --resume needs nothing of BLOB. */
static void init_from_blob(const train_settings *s, float *params, const char *path) {
    if (s->arch != ARCH_ATOME) cli_die("--init is an option of --arch atome");
    uint8_t *blob; /* malloc's alignment: the blob is read in place */
    size_t len;
    char rerr[512];
    if (host_read_file(path, (size_t)1 << 30, &blob, &len, rerr, sizeof rerr)) cli_die("--init: %s", rerr);
    atome_weights w;
    int err = len >= 64 ? atome_blob_open(blob, len, &w) : ATOME_ERR_TRUNCATED;
    if (err == ATOME_ERR_TRUNCATED || err == ATOME_ERR_TRAILING || err == ATOME_OK) {
        /* a model of other dimensions has another length: name the dimensions, not the length */
        const uint32_t *h = (const uint32_t *)(const void *)blob;
        atome_config c = s->cfg;
        if (len >= 64 && h[0] == ATOME_MAGIC && h[1] == ATOME_VERSION)
            c = (atome_config){(int)h[2], (int)h[3], (int)h[4], (int)h[5], (int)h[6], (int)h[10], (int)h[12], (int)h[13], (int)h[14]};
        if (memcmp(&c, &s->cfg, sizeof c))
            cli_die("--init: %s is a model of D %d, L %d, Dh %d, W %d, flags %d; this run's is D %d, L %d, Dh %d, "
                    "W %d, flags %d (give --preset/--d-model/--n-layers/--d-head/--window to match)",
                    path, c.d_model, c.n_layers, c.d_head, c.window, c.flags, s->cfg.d_model, s->cfg.n_layers,
                    s->cfg.d_head, s->cfg.window, s->cfg.flags);
    }
    if (err != ATOME_OK) cli_die("--init: %s: %s", path, atome_strerror(err));
    char why[256];
    if (model_from_blob(params, &w, why, sizeof why)) cli_die("--init: %s: %s", path, why);
    free(blob);
}

/* The output directory, the log, checked writes and the clock: run_util.h. */

/* ---------------------------------------------------------------- signals */

static volatile sig_atomic_t stop_signal = 0;
static void on_signal(int sig) {
    stop_signal = sig;
    dist_on_signal(sig);
}

static void install_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART | SA_RESETHAND; /* a second signal kills at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ---------------------------------------------------------------- progress */

typedef struct {
    int tty;
    int64_t first_step; /* step this process started from */
    double t_start, t_train, t_eval, t_last_draw;
    double t_pack, t_fb, t_opt; /* where the training time goes */
    double eval_tokens;         /* predicted bytes evaluated, for the forward-only rate */
    fb_times fb;                /* fb_step's own split (thread time) over the updates */
    int n_evals;
    double mpi_sent; /* bytes this rank sent in the updates' collectives (dist_bytes_sent) */
} progress;

static void progress_line(progress *p, const train_state *s, double lr, int final) {
    const train_settings *c = &s->set;
    int64_t done = s->step - p->first_step;
    double tok = (double)done * (double)(c->batch * c->seq * c->accum);
    double tps = p->t_train > 0 ? tok / p->t_train : 0;
    double per_step = done > 0 ? p->t_train / (double)done : 0;
    int64_t evals_left = (c->steps - s->step) / c->eval_every + (s->step < c->steps);
    double eta = per_step * (double)(c->steps - s->step) + (p->n_evals ? p->t_eval / p->n_evals : 0) * evals_left;
    char e[32], bpb[48] = "";
    if (s->last_eval) snprintf(bpb, sizeof bpb, " | val %.4f bpb", s->last_bpb);
    printf("%sstep %lld/%lld | loss %.4f | lr %.2e%s | %.0f tok/s | eta %s%s", p->tty ? "\r\033[K" : "",
           (long long)s->step, (long long)c->steps, s->last_loss, lr, bpb, tps, hms(eta, e),
           p->tty && !final ? "" : "\n");
    check_stdout();
}

/* Where the update time went: fb_step's wall-clock share split as its threads spent it (the
 * vanilla forward keeps no split: forward and backward together). */
static void print_time_split(const progress *p) {
    double tt = p->t_pack + p->t_fb + p->t_opt, ft = p->fb.forward + p->fb.backward + p->fb.reduce;
    if (!(tt > 0)) return;
    double fb = 100 * p->t_fb / tt, ev = p->t_eval > 0 ? p->eval_tokens / p->t_eval : 0.0;
    if (!(ft > 0))
        printf("training time: forward+backward %.1f%%, clip+AdamW %.1f%%; forward alone (evaluation) %.0f tok/s\n",
               fb, 100 * p->t_opt / tt, ev);
    else
        printf("training time: forward %.1f%%, backward %.1f%%, gradient sum %.1f%% (fb_step, split by thread time), "
               "pack to blob %.1f%%, clip+AdamW %.1f%%; forward alone (evaluation) %.0f tok/s\n",
               fb * p->fb.forward / ft, fb * p->fb.backward / ft, fb * p->fb.reduce / ft, 100 * p->t_pack / tt,
               100 * p->t_opt / tt, ev);
}

/* ---------------------------------------------------------------- training */

typedef struct {
    options o;
    option t[N_OPTS];
    dataset d;
    train_state s;
    arch_model m;
    uint8_t *tokens, *decay;
    float *grad, *grad_acc, *loss_pos;
    char *ckpt_path, *model_path, *log_path;
    FILE *log;
    progress pr;
    shard sh;   /* under mpirun: this rank's share of the work (shard.h) */
    int writer; /* rank 0 (or no MPI): the one process that writes files */
} run;

static void save(run *r) {
    if (!r->writer) return;
    char err[512];
    if (checkpoint_save(r->ckpt_path, &r->s, err, sizeof err)) cli_die("%s", err);
}

static void stop_now(run *r) {
    save(r);
    if (r->writer) fprintf(stderr, "%satome-train: stopped by signal %d at step %lld/%lld; checkpoint saved to %s "
            "(continue with the same command and --resume)\n", r->pr.tty ? "\n" : "", (int)stop_signal,
            (long long)r->s.step, (long long)r->s.set.steps, r->ckpt_path);
    dist_exit(128 + stop_signal);
}

static void diverged(run *r, const char *what, int64_t step) {
    if (!r->writer) dist_exit(EXIT_DIVERGED); /* every rank gets here at the same step: rank 0 tells */
    fprintf(stderr, "%satome-train: %s is not finite (NaN or Inf) at step %lld; training stopped. ",
            r->pr.tty ? "\n" : "", what, (long long)step);
    if (access(r->ckpt_path, F_OK) == 0)
        fprintf(stderr, "The last good checkpoint, %s, is untouched (try a lower --lr).\n", r->ckpt_path);
    else fprintf(stderr, "No checkpoint had been written yet (try a lower --lr).\n");
    dist_exit(EXIT_DIVERGED);
}

/* Evaluates the current weights (arch_prepare'd); keeps the best model. Returns 0, or -1 if
 * interrupted by a signal. */
static int evaluate(run *r) {
    train_state *s = &r->s;
    const train_settings *c = &s->set;
    double t0 = now();
    long predicted;
    double nats = r->sh.eval_loss ? shard_evaluate(&r->sh, &r->m, &r->d, r->tokens, r->loss_pos, &predicted)
                                  : arch_evaluate(&r->m, &r->d, r->tokens, r->loss_pos, &predicted, &stop_signal);
    if (nats < 0) return -1;
    double bpb = nats / (double)predicted / 0.69314718055994530942;
    if (!isfinite(bpb)) diverged(r, "the validation loss", s->step);
    s->last_eval = s->step;
    s->last_bpb = bpb;
    int best = s->best_step == 0 || bpb < s->best_bpb;
    if (best) {
        s->best_step = s->step;
        s->best_bpb = bpb;
        arch_snapshot(&r->m, s->best_blob);
        char err[512];
        if (r->writer && r->model_path && arch_write_model(c, r->model_path, s->best_blob, err, sizeof err))
            cli_die("%s", err);
    }
    r->pr.t_eval += now() - t0;
    r->pr.eval_tokens += (double)predicted;
    r->pr.n_evals++;
    double ppl = exp2_d(bpb);
    if (r->log) fprintf(r->log, "{\"step\": %lld, \"train_loss\": %.6f, \"val_bpb\": %.6f, \"val_ppl\": %.6f, "
            "\"val_bytes\": %ld, \"best_step\": %lld, \"best_bpb\": %.6f, \"lr\": %.6g, \"tokens\": %lld, "
            "\"time_s\": %.2f}\n", (long long)s->step, s->last_loss, bpb, ppl, predicted,
            (long long)s->best_step, s->best_bpb,
            lr_at(s->step > 0 ? s->step - 1 : 0, c->steps, c->warmup, c->lr, c->final_lr_frac, c->schedule),
            (long long)(s->step * c->batch * c->seq * c->accum), now() - r->pr.t_start);
    if (r->log) check_written(r->log, r->log_path); /* rank 0 alone keeps a log under mpirun */
    printf("%sstep %lld/%lld | val %.4f bpb (ppl %.3f) | best %.4f @ %lld%s%s\n", r->pr.tty ? "\r\033[K" : "",
           (long long)s->step, (long long)c->steps, bpb, ppl, s->best_bpb, (long long)s->best_step,
           best && r->model_path ? " -> " : "", best && r->model_path ? arch_model_file(c) : "");
    check_stdout();
    return 0;
}

/* One optimizer update: A micro-batches forward and backward, average, clip, AdamW. */
static void update(run *r) {
    train_state *s = &r->s;
    const train_settings *c = &s->set;
    long P = s->n_params;
    int B = (int)c->batch, T = (int)c->seq;
    double t0 = now();
    arch_prepare(&r->m);
    double t1 = now();
    fb_times f0 = arch_times(&r->m);
    double nats = 0.0, sent0 = dist_bytes_sent();
    atome_rng rng = {s->rng};
    if (r->sh.window_loss) nats = shard_accumulate(&r->sh, &r->m, &r->d, &rng, r->tokens);
    else
        for (int64_t a = 0; a < c->accum; a++) {
            data_sample(&r->d, &rng, B, T, r->tokens);
            nats += arch_accumulate(&r->m, r->tokens, r->grad_acc, r->grad);
        }
    int grad_bad = arch_gradient(&r->m, r->grad_acc);
    r->pr.mpi_sent += dist_bytes_sent() - sent0;
    double t2 = now();
    fb_times f1 = arch_times(&r->m);
    r->pr.fb.forward += f1.forward - f0.forward;
    r->pr.fb.backward += f1.backward - f0.backward;
    r->pr.fb.reduce += f1.reduce - f0.reduce;
    int64_t step = s->step + 1;
    double loss = nats / (double)(c->accum * B * T);
    if (!isfinite(loss)) diverged(r, "the training loss", step);
    if (grad_bad) diverged(r, "the gradient", step);
    if (c->accum > 1) grad_scale(r->grad_acc, P, 1.0f / (float)c->accum);
    double norm = grad_norm(r->grad_acc, P);
    if (!isfinite(norm)) diverged(r, "the gradient", step);
    grad_clip(r->grad_acc, P, norm, c->clip);
    double lr = lr_at(s->step, c->steps, c->warmup, c->lr, c->final_lr_frac, c->schedule);
    const adamw_config h = {c->beta1, c->beta2, c->eps, c->weight_decay};
    adamw_update(s->params, r->grad_acc, s->m, s->v, r->decay, P, step, lr, &h);
    s->rng = rng.s;
    s->windows += (uint64_t)(c->accum * B);
    s->last_loss = loss;
    s->step = step;
    r->pr.t_pack += t1 - t0, r->pr.t_fb += t2 - t1, r->pr.t_opt += now() - t2;
}

/* Greedy continuation of the prompt by the best model, through the training forward. */
static void print_sample(run *r) {
    if (!r->writer) return;
    int n = (int)r->o.sample, plen = (int)strlen(r->o.prompt);
    if (n == 0 || plen == 0) return;
    uint8_t *tok = malloc((size_t)plen + n);
    if (!tok) cli_die("out of memory for the sample");
    memcpy(tok, r->o.prompt, (size_t)plen);
    if (arch_sample(&r->s.set, r->s.best_blob, tok, plen, n)) cli_die("out of memory for the sample");
    printf("sample (greedy, best model, step %lld):\n", (long long)r->s.best_step);
    for (int i = 0; i < plen + n; i++) putchar(tok[i] == '\n' || tok[i] == '\t' || (tok[i] >= 32 && tok[i] != 127) ? tok[i] : '?');
    putchar('\n');
    free(tok);
}

static const char vanilla_alone[] =
    "--arch vanilla runs in one process only (its float gradient has no exact sum across MPI ranks)";

static void start(run *r, int argc, char **argv) {
    options *o = &r->o;
    cli_parse(argc, argv, o, r->t);
    if (o->help) {
        fputs(cli_usage, stdout);
        check_stdout();
        exit(0);
    }
    if (!o->data) cli_die("--data FILE is required (see --help)");
    if (!o->out) cli_die("--out DIR is required (see --help)");
    cli_resolve(o, r->t);
    if (dist_size() > 1 && o->set.arch != ARCH_ATOME) cli_die("%s", vanilla_alone);
    if (o->init && o->resume)
        cli_die("--init starts a run; --resume continues one from its checkpoint, which holds the weights");
    if (o->init && cli_find(r->t, "--init-scale")->given)
        cli_die("--init replaces the seeded weights that --init-scale scales: give one of them");
    if (o->set.task == TASK_CLASSIFY) { /* its own loop: classify_train.c */
        if (dist_active()) cli_die("--task classify runs in one process (not under mpirun)");
        install_handlers();
        classify_main(o, r->t, &stop_signal);
    }
    dist_speak(); /* from here, a problem may be one rank's own (its files) */
    r->ckpt_path = path_in(o->out, "checkpoint.bin");
    r->log_path = path_in(o->out, "log.jsonl");
    char err[1024];
    train_state *s = &r->s;
    /* Before the checkpoint is read or looked for: what another run is writing counts as in use.
     * Under mpirun rank 0 alone holds the lock (it alone writes): the others would find it taken. */
    struct stat st;
    if (dist_rank() == 0 && stat(o->out, &st) == 0 && S_ISDIR(st.st_mode)) lock_out_dir(o->out);
    if (o->resume) {
        if (checkpoint_load(r->ckpt_path, s, err, sizeof err)) cli_die("--resume: %s", err);
        cli_check_resume(&s->set, o, r->t, r->ckpt_path);
        if (!cli_find(r->t, "--save-every")->given) o->save_every = s->set.eval_every;
    } else {
        if (access(r->ckpt_path, F_OK) == 0)
            cli_die("%s exists: add --resume to continue that run, or choose another --out", r->ckpt_path);
        s->set = o->set;
    }
    const train_settings *c = &s->set;
    const char *model_file = arch_model_file(c); /* NULL: --float-act writes no model */
    r->model_path = model_file ? path_in(o->out, model_file) : NULL;
    if (data_open(&r->d, o->data, o->valid, (int)c->seq, err, sizeof err)) cli_die("%s", err);
    if (o->resume && (c->train_bytes != r->d.n_train || c->train_crc != r->d.train_crc ||
                      c->valid_bytes != r->d.n_valid || c->valid_crc != r->d.valid_crc))
        cli_die("--resume: the %s bytes differ from those the checkpoint was trained on", 
            c->train_bytes != r->d.n_train || c->train_crc != r->d.train_crc ? "training" : "validation");
    if (!o->resume) {
        s->set.train_bytes = r->d.n_train, s->set.train_crc = r->d.train_crc;
        s->set.valid_bytes = r->d.n_valid, s->set.valid_crc = r->d.valid_crc;
        if (state_alloc(s)) cli_die("out of memory for the model's parameters");
        arch_init(c, s->params);
        if (o->init) init_from_blob(c, s->params, o->init);
        /* The sampler's stream is split from the initialiser's so the two never share numbers. */
        s->rng = c->seed ^ 0xda7a5eed0ddba11ull;
    }
    long P = s->n_params;
    int B = (int)c->batch, T = (int)c->seq;
    if (dense_choose(getenv("ATOME_CPU"), err, sizeof err)) cli_die("%s", err);
    int failed = arch_open(&r->m, c, s->params, B, T);
    r->tokens = malloc((size_t)B * (T + 1));
    r->decay = malloc((size_t)P);
    r->grad = malloc((size_t)P * sizeof(float));
    r->grad_acc = malloc((size_t)P * sizeof(float));
    r->loss_pos = malloc((size_t)B * T * sizeof(float));
    if (failed || !r->tokens || !r->decay || !r->grad || !r->grad_acc || !r->loss_pos)
        cli_die("out of memory for batch %d x seq %d of this model", B, T);
    arch_decay_mask(c, r->decay);
    shard_check_same(&r->d, s, o->resume);
    r->writer = dist_rank() == 0;
    if (dist_active() && c->arch == ARCH_ATOME && shard_open(&r->sh, &r->m, &r->d))
        cli_die("out of memory for the per-window losses of this batch and validation set");
    if (dist_size() > 1 && c->arch != ARCH_ATOME) cli_die("%s", vanilla_alone); /* a resumed vanilla run */
    if (!r->writer) goto opened; /* the other ranks write nothing */

    /* Every check has passed: only now touch the output directory. */
    prepare_out_dir(o->out);
    /* A run that made --out at the same moment as this one may have finished in it since. */
    if (!o->resume && access(r->ckpt_path, F_OK) == 0)
        cli_die("%s exists: add --resume to continue that run, or choose another --out", r->ckpt_path);
    char tmp_model[32];
    snprintf(tmp_model, sizeof tmp_model, "%s.tmp", model_file ? model_file : "model.bin");
    char *stale[3] = {path_in(o->out, "checkpoint.bin.tmp"), path_in(o->out, tmp_model), path_in(o->out, "log.jsonl.tmp")};
    for (int i = 0; i < 3; i++) unlink(stale[i]), free(stale[i]);
    if (o->resume) {
        trim_log(r->log_path, s->step);
        /* the model file may be from an evaluation past the checkpoint */
        if (s->best_step && r->model_path && arch_write_model(c, r->model_path, s->best_blob, err, sizeof err))
            cli_die("%s", err);
    }
    r->log = fopen(r->log_path, o->resume ? "ab" : "wb");
    if (!r->log) cli_die("cannot write %s: %s", r->log_path, strerror(errno));
opened:
    if (o->threads) omp_set_num_threads((int)o->threads);
    install_handlers();

    r->pr.tty = isatty(STDOUT_FILENO) && !dist_active(); /* mpirun gives ranks a pty even when its output is piped */
    r->pr.first_step = s->step;
    r->pr.t_start = now();
    char model[256];
    arch_describe(c, model, sizeof model);
    printf("atome-train: %s | %s | train %zu B, valid %zu B | batch %lld x seq %lld x accum %lld | %d threads | "
           "%s%s\n", o->resume ? "resuming" : "new run", model, r->d.n_train, r->d.n_valid, (long long)c->batch,
           (long long)c->seq, (long long)c->accum, omp_get_max_threads(),
           c->arch == ARCH_ATOME ? "kernels " : "OpenBLAS (bits may differ across CPUs)",
           c->arch == ARCH_ATOME ? dense_path() : "");
    if (dist_active()) {
        static char fault[1200];
        snprintf(fault, sizeof fault, "\natome-train: rank %d got mpirun's SIGTERM (a rank died, or the job was "
                 "interrupted): the job stops; the last checkpoint written, %s, is whole (continue with "
                 "--resume)\n", dist_rank(), r->ckpt_path);
        dist_set_fault_line(fault);
        printf("atome-train: data-parallel over %d MPI ranks x %d threads: %lld windows per update, split "
               "%lld or %lld per rank\n", dist_size(), omp_get_max_threads(), (long long)(c->batch * c->accum),
               (long long)(c->batch * c->accum / dist_size()),
               (long long)((c->batch * c->accum + dist_size() - 1) / dist_size()));
    }
    if (o->resume) printf("atome-train: resumed at step %lld/%lld\n", (long long)s->step, (long long)c->steps);
}

/* Passive waiting by default (idle threads sleep instead of spinning, which on a shared machine
 * takes cores from the threads doing the work). libgomp reads OMP_WAIT_POLICY once, in its own
 * constructor, and offers no call to change it later. atome-train therefore links libgomp
 * statically (mk/train.mk): in one executable, constructors run by priority, so this one (101,
 * the first a program may use) runs before libgomp's default-priority one and sets the
 * default in this process's environment: no re-execution, which under qemu-user or valgrind
 * would have left the wrapper. A policy the user set is kept. */
__attribute__((constructor(101))) static void default_wait_policy(void) {
    if (!getenv("OMP_WAIT_POLICY")) setenv("OMP_WAIT_POLICY", "passive", 1);
}

int main(int argc, char **argv) {
    static run r;
    dist_init(&argc, &argv);
    dist_check_args(argc, argv);
    dist_quiet_options();
    start(&r, argc, argv);
    train_state *s = &r.s;
    const train_settings *c = &s->set;
    int64_t saved = s->step, every = r.o.save_every;
    int plain_every = c->steps >= 20 ? (int)(c->steps / 20) : 1;
    for (;;) {
        int eval_due = s->step > 0 && s->last_eval != s->step && (s->step % c->eval_every == 0 || s->step == c->steps);
        if (eval_due) {
            arch_prepare(&r.m);
            if (evaluate(&r)) stop_now(&r);
        }
        if (s->step > saved && s->step % every == 0 && s->step < c->steps) save(&r), saved = s->step;
        if (s->step >= c->steps) break;
        int sig = dist_max(stop_signal); /* one rank's signal stops every rank, at the same step */
        if (sig) stop_signal = sig, stop_now(&r);
        double t0 = now();
        update(&r);
        r.pr.t_train += now() - t0;
        double t = now();
        if (r.pr.tty ? t - r.pr.t_last_draw > 0.1 : s->step % plain_every == 0) {
            progress_line(&r.pr, s, lr_at(s->step - 1, c->steps, c->warmup, c->lr, c->final_lr_frac, c->schedule), 0);
            r.pr.t_last_draw = t;
        }
    }
    save(&r);
    if (r.log) {
        check_written(r.log, r.log_path);
        if (fclose(r.log) != 0) cli_die("cannot write %s: %s", r.log_path, strerror(errno));
    }
    char a[32], b[32], e[32];
    double tok = (double)(s->step - r.pr.first_step) * (double)(c->batch * c->seq * c->accum);
    printf("%sdone: step %lld/%lld in %s (training %s, evaluation %s), %.0f tok/s | best %.4f bpb "
           "(ppl %.3f) at step %lld", r.pr.tty ? "\r\033[K" : "", (long long)s->step,
           (long long)c->steps, hms(now() - r.pr.t_start, a), hms(r.pr.t_train, b), hms(r.pr.t_eval, e),
           r.pr.t_train > 0 ? tok / r.pr.t_train : 0.0, s->best_bpb, exp2_d(s->best_bpb), (long long)s->best_step);
    if (r.model_path) printf(" -> %s (%ld B)", r.model_path, arch_model_file_bytes(c));
    printf(" | checkpoint %s\n", r.ckpt_path);
    if (!r.model_path)
        printf("--float-act: no model.bin written: the engine runs int8 activations, so it would not compute this "
               "model's logits; its bpb is the trainer's float forward\n");
    print_time_split(&r.pr);
    if (r.sh.window_loss && s->step > r.pr.first_step)
        printf("mpi: %d rank(s) | sent per rank per update %.0f B (ring-algorithm volume; the exact gradient sum "
               "is %ld B)\n", dist_size(), r.pr.mpi_sent / (double)(s->step - r.pr.first_step),
               s->n_params * 16L);
    print_sample(&r);
    check_stdout();
    if (fclose(stdout) != 0) cli_die("cannot write the standard output: %s", strerror(errno));
    arch_close(&r.m);
    shard_close(&r.sh);
    data_close(&r.d);
    state_free(s);
    dist_exit(0);
}

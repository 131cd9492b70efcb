/* atome_infer.c — the host front end of the engine: generate, evaluate, benchmark, explore.
 *
 *   ./atome-infer --model M.bin --prompt "Once upon a time" -n 200      greedy, streamed
 *   ./atome-infer --model M.bin --temperature 0.8 --top-p 0.9 --seed 1   seeded sampling
 *   ./atome-infer --model M.bin --eval data/tinystories_valid.txt         bits per byte
 *   ./atome-infer --model M.bin --interactive                             REPL with router bars
 *   ./atome-infer --model M.bin --bench                                   tokens/s
 *   ./atome-infer --model C.bin --classify data/sms_spam_test.tsv          a classifier's figures
 *
 * Everything model-related goes through infer/atome.h, exactly as a firmware would.
 * Shapes: V vocab (256), L layers, W attention window.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../common/atome_math.h"
#include "../common/atome_rng.h"
#include "atome.h"
#include "host_util.h"
#include "../common/host_file.h"
#include "calibration.h"
#include "classify_cli.h"

static atome_model model;
static atome_state state;

static void die(const char *fmt, const char *a, const char *b) {
    fprintf(stderr, "atome-infer: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    exit(1);
}

/* Every output mode writes stdout; a write that failed (a full disk, /dev/full) ends the program
 * with one line and exit 1 rather than a silently cut output. Checked at each flush. */
static void check_output(void) {
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout)) return;
    die("cannot write the output: %s%s", strerror(errno ? errno : EIO), "");
}

/* The end of a mode that succeeded: the last flush and the close checked too. */
static int finish(int status) {
    check_output();
    if (fclose(stdout) != 0) die("cannot write the output: %s%s", strerror(errno), "");
    return status;
}

static void load_model(const char *path) {
    size_t len;
    uint8_t *blob;
    if (host_read_file(path, 64u << 20, &blob, &len, NULL, 0)) die("cannot read model '%s': %s", path, strerror(errno));
    int err = atome_load(&model, blob, len);
    if (err != ATOME_OK) {
        free(blob);
        die("model '%s': %s", path, atome_strerror(err));
    }
    /* the blob stays allocated for the life of the process: the model points into it */
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
    float temperature, top_p;
    int top_k;
    atome_rng rng;
} sampler;

/* Greedy at temperature 0; otherwise softmax(logits/T), cut to top-k then to the smallest
 * nucleus of mass >= top-p, drawn with the seeded generator. Ties sort by lower index. */
static int sample(sampler *s, const float *logits) {
    if (s->temperature <= 0.0f) return atome_argmax(logits, ATOME_VOCAB);
    int idx[ATOME_VOCAB];
    double p[ATOME_VOCAB];
    for (int i = 0; i < ATOME_VOCAB; i++) idx[i] = i;
    for (int i = 1; i < ATOME_VOCAB; i++) { /* insertion sort, descending, stable */
        int v = idx[i], j = i;
        while (j > 0 && logits[idx[j - 1]] < logits[v]) idx[j] = idx[j - 1], j--;
        idx[j] = v;
    }
    int keep = s->top_k > 0 && s->top_k < ATOME_VOCAB ? s->top_k : ATOME_VOCAB;
    /* atome_expf, not libm's exp (whose code glibc picks by the CPU): a seeded sample is the
     * same text on every machine. */
    double sum = 0.0;
    float top = logits[idx[0]];
    for (int i = 0; i < keep; i++) sum += p[i] = atome_expf((logits[idx[i]] - top) / s->temperature);
    if (s->top_p > 0.0f && s->top_p < 1.0f) {
        double mass = 0.0;
        for (int i = 0; i < keep; i++)
            if ((mass += p[i] / sum) >= s->top_p) {
                keep = i + 1;
                break;
            }
        sum = 0.0;
        for (int i = 0; i < keep; i++) sum += p[i];
    }
    double u = atome_rng_uniform(&s->rng) * sum;
    for (int i = 0; i < keep; i++)
        if ((u -= p[i]) < 0.0) return idx[i];
    return idx[keep - 1];
}

static const float *feed(const char *text, size_t n) {
    const float *logits = NULL;
    for (size_t i = 0; i < n; i++) logits = atome_step(&model, &state, (uint8_t)text[i]);
    return logits;
}

static void generate(const char *prompt, int n, sampler *s) {
    atome_reset(&state);
    /* an empty prompt starts from a newline, the byte stories are separated by */
    const float *logits = *prompt ? feed(prompt, strlen(prompt)) : feed("\n", 1);
    fputs(prompt, stdout);
    for (int i = 0; i < n; i++) {
        int next = sample(s, logits);
        putchar(next);
        check_output(); /* streamed: each byte shows as it is made */
        logits = atome_step(&model, &state, next);
    }
    putchar('\n');
}

/* Cross-entropy (nats) of the byte `target` under logits, summed in double, with the project's
 * expf and logf so that --eval prints the same figure on every CPU. */
static double nats(const float *logits, int target) {
    float top = logits[atome_argmax(logits, ATOME_VOCAB)];
    double sum = 0.0;
    for (int i = 0; i < ATOME_VOCAB; i++) sum += atome_expf(logits[i] - top);
    return (double)atome_logf((float)sum) - ((double)logits[target] - (double)top);
}

/* Windows as in training: the text cut into consecutive windows of seq+1 bytes that share
 * their boundary byte, each read from a reset state, its seq next bytes predicted. */
static void evaluate(const char *path, int seq) {
    size_t len;
    uint8_t *text;
    if (host_read_file(path, (size_t)1 << 30, &text, &len, NULL, 0)) die("cannot read '%s': %s", path, strerror(errno));
    if (len < (size_t)seq + 1) {
        char need[32];
        snprintf(need, sizeof need, "%d", seq + 1);
        die("'%s' is too short to evaluate: it needs at least %s bytes", path, need);
    }
    double total = 0.0;
    long count = 0;
    double t0 = now();
    for (size_t start = 0; start + (size_t)seq < len; start += (size_t)seq) {
        atome_reset(&state);
        for (int t = 0; t < seq; t++) {
            const float *logits = atome_step(&model, &state, text[start + (size_t)t]);
            total += nats(logits, text[start + (size_t)t + 1]);
            count++;
        }
    }
    double bpb = total / (double)count / log(2.0);
    printf("eval %s: %ld bytes predicted in windows of %d\n", path, count, seq);
    printf("bits per byte %.4f  per-byte perplexity %.3f  (%.0f bytes/s)\n", bpb, pow(2.0, bpb),
           (double)count / (now() - t0));
    free(text);
}

static void interactive(sampler *s, int n) {
    static const char *bars[8] = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"};
    const atome_config *c = &model.w.cfg;
    char line[4096];
    printf("atome: d%d L%d dh%d W%d. Type a prompt (empty line or EOF quits).\n", c->d_model, c->n_layers,
           c->d_head, c->window);
    for (;;) {
        printf("> ");
        check_output();
        if (!fgets(line, sizeof line, stdin)) break;
        line[strcspn(line, "\n")] = 0;
        if (!*line) break;
        size_t len = strlen(line);
        static double ent[ATOME_MAX_LAYERS][4096];
        double mix[ATOME_MAX_LAYERS][3] = {{0}};
        atome_reset(&state);
        for (size_t t = 0; t < len; t++) {
            atome_step(&model, &state, (uint8_t)line[t]);
            for (int l = 0; l < c->n_layers; l++) {
                ent[l][t] = router_entropy(state.layer[l].router);
                for (int k = 0; k < 3; k++) mix[l][k] += state.layer[l].router[k] / (double)len;
            }
        }
        printf("router entropy per byte (low = one pathway decides, high = undecided):\n");
        printf("          %s\n", line);
        for (int l = 0; l < c->n_layers; l++) {
            printf("  layer %d ", l);
            for (size_t t = 0; t < len; t++) {
                int b = (int)(ent[l][t] * 8.0);
                fputs(bars[b < 0 ? 0 : b > 7 ? 7 : b], stdout);
            }
            printf("  mix conv %3.0f%%  ssm %3.0f%%  attn %3.0f%%\n", 100 * mix[l][0], 100 * mix[l][1], 100 * mix[l][2]);
        }
        generate(line, n, s);
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median over 5 timed runs of `steps` steps starting at position pos (state restored each run). */
static double step_rate(int pos, int steps) {
    static atome_state snap;
    atome_reset(&state);
    for (int t = 0; t < pos; t++) atome_step(&model, &state, 'a' + t % 26);
    snap = state;
    double rate[5];
    for (int r = 0; r < 5; r++) {
        state = snap;
        double t0 = now();
        for (int t = 0; t < steps; t++) atome_step(&model, &state, 'a' + (pos + t) % 26);
        rate[r] = steps / (now() - t0);
    }
    qsort(rate, 5, sizeof rate[0], cmp_double);
    return rate[2];
}

static void bench(const char *prompt, int n) {
    const atome_config *c = &model.w.cfg;
    printf("model d%d L%d dh%d W%d, %ld parameters; one thread, medians of 5 runs\n", c->d_model, c->n_layers,
           c->d_head, c->window, atome_param_count(c));
    int steps = 256;
    const int at[4] = {1, c->window / 2, c->window, 4 * c->window};
    for (int i = 0; i < 4; i++) printf("position %5d: %10.0f tokens/s\n", at[i], step_rate(at[i], steps));
    double gen[5], pre[5];
    size_t plen = strlen(prompt);
    for (int r = 0; r < 5; r++) {
        atome_reset(&state);
        double t0 = now();
        const float *logits = feed(prompt, plen);
        double t1 = now();
        for (int i = 0; i < n; i++) logits = atome_step(&model, &state, atome_argmax(logits, ATOME_VOCAB));
        pre[r] = (double)plen / (t1 - t0);
        gen[r] = n / (now() - t1);
    }
    qsort(pre, 5, sizeof pre[0], cmp_double);
    qsort(gen, 5, sizeof gen[0], cmp_double);
    printf("prompt     (%4zu bytes): %10.0f tokens/s\n", plen, pre[2]);
    printf("greedy gen (%4d bytes): %10.0f tokens/s\n", n, gen[2]);
}

/* The preset table of PAPER.md: dimensions, parameters (atome-lm's formula), blob bytes. */
static void presets(void) {
    printf("| preset | D | L | D_h | W | parameters | blob bytes |\n|---|---|---|---|---|---|---|\n");
    for (int i = 0; atome_preset_name(i); i++) {
        atome_config c;
        atome_preset(atome_preset_name(i), &c);
        printf("| %s | %d | %d | %d | %d | %ld | %zu |\n", atome_preset_name(i), c.d_model, c.n_layers, c.d_head,
               c.window, atome_param_count(&c), ATOME_HEADER_BYTES + atome_blob_bind(&c, 0, 0));
    }
}

static void usage(FILE *f) {
    fputs("usage: atome-infer --model FILE [options]\n"
          "  --prompt TEXT        text to continue (default: empty)\n"
          "  -n N                 bytes to generate (default 200)\n"
          "  --temperature T      0 = greedy argmax (default); > 0 samples\n"
          "  --top-k K            sample among the K most likely bytes (0 = all)\n"
          "  --top-p P            sample from the smallest set of mass >= P (1 = all)\n"
          "  --seed S             seed of the sampler (default 1): same seed, same text\n"
          "  --eval FILE          bits per byte and per-byte perplexity on FILE\n"
          "  --seq N              window length of --eval (default 64, as training); with --classify, the\n"
          "                       bytes of a text the classifier reads, its first N, as atome-train --seq N\n"
          "                       trained it (default 256, the trainer's)\n"
          "  --calibrate FILE --ood FILE   router entropy against loss on FILE, and as a detector\n"
          "                       of OOD windows (windows as --eval, --seq)\n"
          "  --interactive        prompt loop with per-layer router-entropy bars\n"
          "  --bench              prompt and generation tokens/s, and per position\n"
          "  --classify FILE      a classifier blob on a labelled file (output: see below)\n"
          "  --label-col NAME     FILE is a CSV of features with this label column (else a TSV label<TAB>text)\n"
          "  --per-class          print every class's row (default: all up to 20 classes, else the 10 worst)\n"
          "  --logits OUT         every row's C class logits, float32 little-endian, row after row\n"
          "  --plot PREFIX        gnuplot: PREFIX-risk.png, PREFIX-confusion.png, their data and PREFIX.gp\n"
          "  --oos-label NAME     out of scope (CLINC150: oos): in-scope accuracy and oos recall, (a) as a class\n"
          "  --valid FILE         ... and (b) by abstention, the margin threshold chosen on FILE\n"
          "  --presets            the model presets: dimensions, parameters, blob bytes\n"
          "  --help               this text\n"
          "--classify output: one figure a line, its name first (awk '$1 == \"accuracy\" {print $2}'):\n"
          "  rows N; accuracy A; macro_f1 F (the mean F1 over the classes true or predicted at least once);\n"
          "  class NAME PRECISION RECALL F1 SUPPORT (the last four fields); confusion TRUE -> PRED: ROWS;\n"
          "  abstention by the margin m = p(top 1) - p(top 2) of the softmax (atome_expf; ties to the lowest\n"
          "  index), a row accepted when m >= a threshold: aurc X, the mean over k = 1..n of the error rate of\n"
          "  the k rows of largest m (rows of equal m share their errors evenly); coverage@1% C, coverage@5% C:\n"
          "  the largest share of rows a threshold accepts at an error rate <= 1 % (5 %), then the threshold;\n"
          "  with --oos-label: in_scope_accuracy, oos_recall for (a) out of scope = the argmax is NAME; with\n"
          "  --valid also oos_threshold T, in_scope_accuracy@margin, oos_recall@margin for (b) out of scope\n"
          "  also when m < T, T maximising in-scope accuracy + oos recall on the --valid FILE (smallest on ties).\n"
          "  --logits OUT holds rows x C float32, little-endian, in file order. Bad input: one line on stderr,\n"
          "  exit 1, no output file left.\n",
          f);
}

static long parse_long(const char *flag, const char *v, long lo, long hi) {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || *end || end == v || x < lo || x > hi) {
        char range[64];
        snprintf(range, sizeof range, "%ld..%ld", lo, hi);
        fprintf(stderr, "atome-infer: %s wants a whole number in %s, got '%s'\n", flag, range, v);
        exit(2);
    }
    return x;
}

static float parse_float(const char *flag, const char *v, float lo, float hi) {
    char *end;
    errno = 0;
    float x = strtof(v, &end);
    if (errno || *end || end == v || !(x >= lo && x <= hi)) {
        fprintf(stderr, "atome-infer: %s wants a number in %g..%g, got '%s'\n", flag, lo, hi, v);
        exit(2);
    }
    return x;
}

/* A --classify flag given without --classify, or --valid without --oos-label; NULL if none. */
static const char *stray_classify_flag(const classify_args *c) {
    if (c->test) return c->valid && !c->oos_label ? "--valid" : NULL;
    if (c->label_col) return "--label-col";
    if (c->logits) return "--logits";
    if (c->plot) return "--plot";
    if (c->oos_label) return "--oos-label";
    if (c->valid) return "--valid";
    return c->per_class ? "--per-class" : NULL;
}

int main(int argc, char **argv) {
    const char *model_path = NULL, *prompt = "", *eval_path = NULL, *calib_path = NULL, *ood_path = NULL;
    int n = 200, seq = 64, do_bench = 0, do_repl = 0;
    sampler s = {0.0f, 1.0f, 0, {1}};
    classify_args cls = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return finish(0);
        }
        if (!strcmp(a, "--presets")) {
            presets();
            return finish(0);
        }
        if (!strcmp(a, "--bench")) { do_bench = 1; continue; }
        if (!strcmp(a, "--interactive")) { do_repl = 1; continue; }
        if (!strcmp(a, "--per-class")) { cls.per_class = 1; continue; }
        if (i + 1 >= argc) {
            fprintf(stderr, "atome-infer: %s %s\n", a, a[0] == '-' ? "needs a value" : "is not an option (see --help)");
            return 2;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--model")) model_path = v;
        else if (!strcmp(a, "--prompt")) prompt = v;
        else if (!strcmp(a, "-n")) n = (int)parse_long(a, v, 0, 100000000);
        else if (!strcmp(a, "--temperature")) s.temperature = parse_float(a, v, 0.0f, 100.0f);
        else if (!strcmp(a, "--top-k")) s.top_k = (int)parse_long(a, v, 0, ATOME_VOCAB);
        else if (!strcmp(a, "--top-p")) s.top_p = parse_float(a, v, 0.0f, 1.0f);
        else if (!strcmp(a, "--seed")) s.rng.s = (uint64_t)parse_long(a, v, 0, 0x7fffffffffffffffL);
        else if (!strcmp(a, "--eval")) eval_path = v;
        else if (!strcmp(a, "--calibrate")) calib_path = v;
        else if (!strcmp(a, "--ood")) ood_path = v;
        else if (!strcmp(a, "--seq")) seq = (int)parse_long(a, v, 1, 1 << 20), cls.max_bytes = (size_t)seq;
        else if (!strcmp(a, "--classify")) cls.test = v;
        else if (!strcmp(a, "--label-col")) cls.label_col = v;
        else if (!strcmp(a, "--logits")) cls.logits = v;
        else if (!strcmp(a, "--plot")) cls.plot = v;
        else if (!strcmp(a, "--oos-label")) cls.oos_label = v;
        else if (!strcmp(a, "--valid")) cls.valid = v;
        else {
            fprintf(stderr, "atome-infer: unknown option '%s' (see --help)\n", a);
            return 2;
        }
    }
    if (!model_path) {
        fprintf(stderr, "atome-infer: --model FILE is required (see --help)\n");
        return 2;
    }
    const char *stray = stray_classify_flag(&cls);
    if (stray) {
        fprintf(stderr, "atome-infer: %s goes with %s (see --help)\n", stray,
                cls.test ? "--oos-label NAME" : "--classify FILE");
        return 2;
    }
    load_model(model_path);
    int n_classes = model.w.cfg.n_classes;
    if (cls.test && !n_classes) die("%s is a language model, not a classifier%s", model_path, "");
    if (cls.test) {
        cls.model_path = model_path;
        int status = classify_run(&model, &state, &cls);
        return status ? status : finish(0);
    }
    if (n_classes) {
        char what[64];
        snprintf(what, sizeof what, "%d classes: use --classify FILE", n_classes);
        die("%s is a classifier with %s", model_path, what);
    }
    if (calib_path || ood_path) {
        int status = calibrate(&model, &state, calib_path, ood_path, seq);
        return status ? status : finish(0);
    }
    if (eval_path) evaluate(eval_path, seq);
    else if (do_bench) bench(*prompt ? prompt : "Once upon a time, there was a little girl named Lily.", n);
    else if (do_repl) interactive(&s, n);
    else generate(prompt, n, &s);
    return finish(0);
}

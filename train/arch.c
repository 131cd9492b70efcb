/* arch.c — the atome and vanilla models behind atome-train's loop (interface in arch.h).
 *
 * Shapes: P parameters, B windows per micro-batch, T predicted bytes per window, V vocab,
 * C the vanilla model's context (rows of its positional table).
 */
#include "arch.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "adamw.h"
#include "model.h"

/* ---------------------------------------------------------------- configuration */

/* "conv,attn" -> ATOME_DROP_CONV | ATOME_DROP_ATTN; -1 for a bad list, 7 keeps no pathway. */
static int parse_drop(const char *list) {
    static const char *const names[3] = {"conv", "ssm", "attn"};
    int flags = 0;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        int k = 0;
        while (k < 3 && !(strlen(names[k]) == n && !strncmp(p, names[k], n))) k++;
        if (k == 3) return -1;
        flags |= 1 << k;
        p += n + (p[n] == ',');
    }
    return flags;
}

/* Comma list of the names name(0), name(1), ... */
static const char *names(const char *(*name)(int), char *buf, size_t n) {
    buf[0] = 0;
    for (int i = 0; name(i); i++) snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", i ? ", " : "", name(i));
    return buf;
}

static const char *resolve_atome(train_settings *s, const arch_args *a, char *buf, size_t n) {
    atome_config *c = &s->cfg;
    char list[128];
    const char *preset = a->preset ? a->preset : "default";
    if (atome_preset(preset, c)) {
        snprintf(buf, n, "unknown preset '%s' (presets: %s)", preset, names(atome_preset_name, list, sizeof list));
        return buf;
    }
    s->float_act = a->float_act;
    if (a->vanilla_preset || a->vanilla_init) {
        snprintf(buf, n, "%s is an option of --arch vanilla", a->vanilla_preset ? "--vanilla-preset" : "--vanilla-init");
        return buf;
    }
    if (a->d_model) c->d_model = a->d_model;
    if (a->n_layers) c->n_layers = a->n_layers;
    if (a->d_head) c->d_head = a->d_head;
    if (a->window) c->window = a->window;
    if (a->drop) {
        c->flags = parse_drop(a->drop);
        if (c->flags < 0) snprintf(buf, n, "--drop takes a comma list of conv, ssm, attn; got '%s'", a->drop);
        if (c->flags == 7) snprintf(buf, n, "--drop %s leaves no pathway", a->drop);
        if (c->flags < 0 || c->flags == 7) return buf;
    }
    if (!atome_config_fits(c)) {
        const char *what = c->d_model > ATOME_MAX_D ? "--d-model" : c->n_layers > ATOME_MAX_LAYERS ? "--n-layers"
                           : c->d_head > ATOME_MAX_DHEAD ? "--d-head" : "--window";
        snprintf(buf, n, "the model does not fit the engine: %s is above its limit (d_model <= %d, n_layers <= %d, "
                 "d_head <= %d, window <= %d)", what, ATOME_MAX_D, ATOME_MAX_LAYERS, ATOME_MAX_DHEAD, ATOME_MAX_WINDOW);
        return buf;
    }
    return NULL;
}

static const char *init_name(int i) { return i == 0 ? "gpt2" : i == 1 ? "torch" : NULL; }

static const char *resolve_vanilla(train_settings *s, const arch_args *a, char *buf, size_t n) {
    const char *only_atome = a->preset ? "--preset" : a->d_model ? "--d-model" : a->n_layers ? "--n-layers"
                             : a->d_head ? "--d-head" : a->window ? "--window" : a->drop ? "--drop"
                             : a->float_act ? "--float-act" : NULL;
    if (only_atome) {
        snprintf(buf, n, "%s is an option of --arch atome (the vanilla model takes --vanilla-preset and "
                 "--vanilla-init)", only_atome);
        return buf;
    }
    char list[128];
    const char *preset = a->vanilla_preset ? a->vanilla_preset : "param-fair";
    if (vanilla_preset(preset, &s->vcfg)) {
        snprintf(buf, n, "unknown --vanilla-preset '%s' (presets: %s)", preset,
                 names(vanilla_preset_name, list, sizeof list));
        return buf;
    }
    const char *init = a->vanilla_init ? a->vanilla_init : "gpt2";
    if (!strcmp(init, "gpt2")) s->vinit = VINIT_GPT2;
    else if (!strcmp(init, "torch")) s->vinit = VINIT_TORCH;
    else {
        snprintf(buf, n, "--vanilla-init must be gpt2 or torch, got '%s'", init);
        return buf;
    }
    if (s->seq > s->vcfg.context) {
        snprintf(buf, n, "--seq %lld is longer than the vanilla model's positional table: at most %d predicted "
                 "bytes per window", (long long)s->seq, s->vcfg.context);
        return buf;
    }
    return NULL;
}

const char *arch_resolve(train_settings *s, const arch_args *a, char *buf, size_t n) {
    memset(&s->cfg, 0, sizeof s->cfg);
    memset(&s->vcfg, 0, sizeof s->vcfg);
    s->vinit = 0, s->float_act = 0;
    const char *arch = a->arch ? a->arch : "atome";
    if (!strcmp(arch, "atome")) s->arch = ARCH_ATOME;
    else if (!strcmp(arch, "vanilla")) s->arch = ARCH_VANILLA;
    else {
        snprintf(buf, n, "--arch must be atome or vanilla, got '%s'", arch);
        return buf;
    }
    return s->arch == ARCH_ATOME ? resolve_atome(s, a, buf, n) : resolve_vanilla(s, a, buf, n);
}

static const char *vanilla_name(const vanilla_config *c) {
    vanilla_config p;
    for (int i = 0; vanilla_preset_name(i); i++)
        if (!vanilla_preset(vanilla_preset_name(i), &p) && !memcmp(&p, c, sizeof p)) return vanilla_preset_name(i);
    return "custom";
}

void arch_name(const train_settings *s, char *buf, size_t n) {
    const atome_config *c = &s->cfg;
    if (s->arch == ARCH_VANILLA)
        snprintf(buf, n, "vanilla %s, %s init", vanilla_name(&s->vcfg), init_name(s->vinit));
    else
        snprintf(buf, n, "atome d_model %d, n_layers %d, d_head %d, window %d%s%s", c->d_model, c->n_layers,
                 c->d_head, c->window, c->flags ? ", pathways dropped" : "", s->float_act ? ", float activations" : "");
}

void arch_describe(const train_settings *s, char *buf, size_t n) {
    if (s->arch == ARCH_VANILLA) {
        const vanilla_config *v = &s->vcfg;
        snprintf(buf, n, "vanilla %s, %s init | d_model %d n_layers %d n_heads %d d_ff %d context %d | %ld params, "
                 "FP32 weights %ld B, model.vnl %ld B", vanilla_name(v), init_name(s->vinit), v->d_model,
                 v->n_layers, v->n_heads, v->d_ff, v->context, vanilla_param_count(v), vanilla_disk_bytes(v),
                 arch_model_file_bytes(s));
    } else {
        const atome_config *c = &s->cfg;
        snprintf(buf, n, "d_model %d n_layers %d d_head %d window %d | %ld params, blob %zu B%s", c->d_model,
                 c->n_layers, c->d_head, c->window, atome_param_count(c), model_blob_bytes(c),
                 s->float_act ? " | float activations (ablation: no model.bin)" : "");
    }
}

const char *arch_model_file(const train_settings *s) {
    return s->arch == ARCH_VANILLA ? "model.vnl" : s->float_act ? NULL : "model.bin";
}

long arch_model_file_bytes(const train_settings *s) {
    return s->arch == ARCH_VANILLA ? VANILLA_HEADER_BYTES + vanilla_disk_bytes(&s->vcfg)
                                   : (long)model_blob_bytes(&s->cfg);
}

void arch_init(const train_settings *s, float *params) {
    if (s->arch == ARCH_ATOME) model_init(params, &s->cfg, s->seed, (float)s->init_scale);
    else if (s->vinit == VINIT_TORCH) vanilla_init_torch(params, &s->vcfg, s->seed);
    else vanilla_init(params, &s->vcfg, s->seed);
}

void arch_decay_mask(const train_settings *s, uint8_t *decay) {
    if (s->arch == ARCH_ATOME) adamw_decay_mask(decay, &s->cfg);
    else vanilla_decay_mask(decay, &s->vcfg);
}

/* ---------------------------------------------------------------- the model in the loop */

int arch_open(arch_model *m, const train_settings *s, float *params, int B, int T) {
    memset(m, 0, sizeof *m);
    m->set = s, m->params = params;
    if (s->arch == ARCH_VANILLA) return (m->vfb = vfb_create(&s->vcfg, B, T)) ? 0 : -1;
    size_t bytes = model_blob_bytes(&s->cfg);
    m->fb = s->float_act ? fb_create_float_act(&s->cfg, B, T) : fb_create(&s->cfg, B, T);
    m->blob = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!m->fb || !m->blob) {
        arch_close(m);
        return -1;
    }
    model_params_bind(&m->master, &s->cfg, params);
    return 0;
}

void arch_close(arch_model *m) {
    fb_free(m->fb);
    vfb_free(m->vfb);
    free(m->blob);
    memset(m, 0, sizeof *m);
}

void arch_prepare(arch_model *m) {
    if (m->fb) model_pack(m->blob, &m->master, &m->set->cfg);
}

double arch_accumulate(arch_model *m, const uint8_t *tokens, float *grad, float *scratch) {
    if (m->fb) return fb_accumulate(m->fb, m->blob, &m->master, tokens);
    if (m->pending++ == 0) return vfb_step(m->vfb, m->params, tokens, grad);
    double nats = vfb_step(m->vfb, m->params, tokens, scratch);
    grad_add(grad, scratch, vanilla_param_count(&m->set->vcfg));
    return nats;
}

int arch_gradient(arch_model *m, float *grad) {
    if (m->fb) return fb_gradient(m->fb, grad);
    m->pending = 0;
    return 0;
}

typedef struct {
    vfb_context *f;
    const float *w;
} vanilla_eval;

static void vanilla_eval_forward(void *ctx, const uint8_t *tokens, float *loss_pos) {
    const vanilla_eval *e = ctx;
    vfb_forward(e->f, e->w, tokens, NULL, loss_pos);
}

double arch_evaluate(arch_model *m, const dataset *d, uint8_t *tokens, float *loss_pos, long *predicted,
                     volatile sig_atomic_t *stop) {
    int B = (int)m->set->batch, T = (int)m->set->seq;
    if (m->fb) return data_evaluate(m->fb, m->blob, d, B, T, tokens, loss_pos, predicted, stop);
    vanilla_eval e = {m->vfb, m->params};
    return data_evaluate_with(vanilla_eval_forward, &e, d, B, T, tokens, loss_pos, predicted, stop);
}

typedef struct {
    fb_context *f;
    const uint8_t *blob;
} atome_eval;

static void atome_eval_forward(void *ctx, const uint8_t *tokens, float *loss_pos) {
    const atome_eval *e = ctx;
    fb_forward(e->f, e->blob, tokens, NULL, loss_pos);
}

void arch_evaluate_range(arch_model *m, const dataset *d, long first, long count, uint8_t *tokens, float *loss_pos,
                         float *out) {
    int B = (int)m->set->batch, T = (int)m->set->seq;
    atome_eval a = {m->fb, m->blob};
    vanilla_eval v = {m->vfb, m->params};
    if (m->fb) data_evaluate_range(atome_eval_forward, &a, d, B, T, first, count, tokens, loss_pos, out);
    else data_evaluate_range(vanilla_eval_forward, &v, d, B, T, first, count, tokens, loss_pos, out);
}

void arch_snapshot(const arch_model *m, uint8_t *out) {
    if (m->fb) memcpy(out, m->blob, model_blob_bytes(&m->set->cfg));
    else memcpy(out, m->params, (size_t)vanilla_param_count(&m->set->vcfg) * sizeof(float));
}

int arch_write_model(const train_settings *s, const char *path, const uint8_t *snapshot, char *err, size_t n) {
    if (s->arch == ARCH_VANILLA) return vanilla_save(path, &s->vcfg, (const float *)snapshot, err, n);
    if (!arch_model_file(s)) return 0;
    const void *bufs[1] = {snapshot};
    size_t len = model_blob_bytes(&s->cfg);
    return write_atomic(path, bufs, &len, 1, err, n);
}

fb_times arch_times(const arch_model *m) { return m->fb ? fb_get_times(m->fb) : (fb_times){0, 0, 0}; }

/* ---------------------------------------------------------------- sample */

int arch_sample(const train_settings *s, const uint8_t *snapshot, uint8_t *tok, int plen, int n) {
    /* One window, grown a byte per call (causal: bytes past the end do not change the logits
     * read); the vanilla model's slides once it is as long as the positional table. */
    int T = plen + n - 1;
    if (s->arch == ARCH_VANILLA && T > s->vcfg.context) T = s->vcfg.context;
    fb_context *f = s->arch != ARCH_ATOME ? NULL : s->float_act ? fb_create_float_act(&s->cfg, 1, T)
                                                                : fb_create(&s->cfg, 1, T);
    vfb_context *vf = s->arch == ARCH_VANILLA ? vfb_create(&s->vcfg, 1, T) : NULL;
    uint8_t *win = calloc((size_t)T + 1, 1);
    float *logits = malloc((size_t)T * ATOME_VOCAB * sizeof(float));
    int ok = (f || vf) && win && logits;
    for (int len = plen; ok && len < plen + n; len++) {
        int from = len > T ? len - T : 0, at = len - from - 1;
        memcpy(win, tok + from, (size_t)(len - from));
        if (f) fb_forward(f, snapshot, win, logits, NULL);
        else vfb_forward(vf, (const float *)snapshot, win, logits, NULL);
        const float *l = logits + (size_t)at * ATOME_VOCAB;
        int best = 0;
        for (int v = 1; v < ATOME_VOCAB; v++)
            if (l[v] > l[best]) best = v;
        tok[len] = (uint8_t)best;
    }
    fb_free(f);
    vfb_free(vf);
    free(win);
    free(logits);
    return ok ? 0 : -1;
}

/* settings.c — the numeric settings' ranges and the check of a whole train_settings (settings.h). */
#include "settings.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "adamw.h"

/* The numeric options' ranges (option_range in options.h). --lr stops at 10: Adam moves each
 * weight by about lr per update, and the weights start near 0.1 (ternary ones want 1e-2); far
 * above that the forward's activations overflow float within a few updates. */
#define SET(f) (long)offsetof(train_settings, f), #f
#define RUN -1L, NULL
const option_range option_ranges[] = {
    {"--d-model", 'i', RUN, 1, 1e6, 0, 0},
    {"--n-layers", 'i', RUN, 1, 1e6, 0, 0},
    {"--d-head", 'i', RUN, 1, 1e6, 0, 0},
    {"--window", 'i', RUN, 1, 1e6, 0, 0},
    {"--init-scale", 'f', SET(init_scale), 1e-6, 1e6, 0, 0},
    {"--steps", 'i', SET(steps), 1, 1e9, 0, 0},
    {"--batch", 'i', SET(batch), 1, 4096, 0, 0},
    {"--seq", 'i', SET(seq), 1, 8192, 0, 0},
    {"--accum", 'i', SET(accum), 1, 1e6, 0, 0},
    {"--lr", 'f', SET(lr), 0, 10, 1, 0},
    {"--warmup", 'i', SET(warmup), 0, 1e9, 0, 0},
    {"--final-lr-frac", 'f', SET(final_lr_frac), 0, 1, 0, 0},
    {"--weight-decay", 'f', SET(weight_decay), 0, INFINITY, 0, 0},
    {"--clip", 'f', SET(clip), 0, INFINITY, 0, 0},
    {"--beta1", 'f', SET(beta1), 0, 1, 0, 1},
    {"--beta2", 'f', SET(beta2), 0, 1, 0, 1},
    {"--eps", 'f', SET(eps), 0, INFINITY, 1, 0},
    {"--eval-every", 'i', SET(eval_every), 1, 1e9, 0, 0},
    {"--save-every", 'i', RUN, 1, 1e9, 0, 0},
    {"--threads", 'i', RUN, 1, 1024, 0, 0},
    {"--sample", 'i', RUN, 0, 4096, 0, 0},
};
#undef SET
#undef RUN
const int n_option_ranges = (int)(sizeof option_ranges / sizeof option_ranges[0]);

const option_range *option_range_of(const char *name) {
    for (int i = 0; i < n_option_ranges; i++)
        if (!strcmp(option_ranges[i].name, name)) return &option_ranges[i];
    return NULL;
}
void option_range_text(const option_range *r, char *buf, size_t n) {
    if (r->kind == 'i') {
        snprintf(buf, n, "an integer from %.0f to %.0f", r->lo, r->hi);
        return;
    }
    int len = snprintf(buf, n, "a finite number %s %g", r->lo_open ? ">" : ">=", r->lo);
    if (isfinite(r->hi) && len >= 0 && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, " and %s %g", r->hi_open ? "<" : "<=", r->hi);
}

int option_in_range(const option_range *r, double x) {
    if (!isfinite(x) || x < r->lo || x > r->hi) return 0;
    if ((r->lo_open && x == r->lo) || (r->hi_open && x == r->hi)) return 0;
    return r->kind != 'i' || x == floor(x);
}

const char *settings_check(const train_settings *s, char *buf, size_t n) {
    for (int i = 0; i < n_option_ranges; i++) {
        const option_range *r = &option_ranges[i];
        if (r->offset < 0) continue;
        const char *at = (const char *)s + r->offset;
        double x;
        char shown[32];
        if (r->kind == 'i') {
            int64_t v;
            memcpy(&v, at, sizeof v);
            x = (double)v;
            snprintf(shown, sizeof shown, "%lld", (long long)v);
        } else {
            memcpy(&x, at, sizeof x);
            snprintf(shown, sizeof shown, "%g", x);
        }
        if (option_in_range(r, x)) continue;
        char range[96];
        option_range_text(r, range, sizeof range);
        snprintf(buf, n, "field %s = %s is out of range (%s needs %s)", r->field, shown, r->name, range);
        return buf;
    }
    if (s->schedule != SCHED_COSINE && s->schedule != SCHED_CONSTANT) {
        snprintf(buf, n, "field schedule = %d is out of range (%d cosine or %d constant)", (int)s->schedule,
                 SCHED_COSINE, SCHED_CONSTANT);
        return buf;
    }
    if (s->task != TASK_LM && s->task != TASK_CLASSIFY) {
        snprintf(buf, n, "field task = %d is out of range (%d lm or %d classify)", (int)s->task, TASK_LM, TASK_CLASSIFY);
        return buf;
    }
    /* a classifier is an atome model with int8 activations; a language model has no classes */
    if ((s->task == TASK_CLASSIFY) != (s->cfg.n_classes > 0) ||
        (s->task == TASK_CLASSIFY && (s->arch != ARCH_ATOME || s->float_act))) {
        snprintf(buf, n, "field n_classes = %d does not fit the task (%s)", s->cfg.n_classes,
                 s->task == TASK_CLASSIFY ? "classify: an atome model of 2 or more classes" : "lm: 0");
        return buf;
    }
    return NULL;
}

/* atome_config.c — presets and the parameter formula. */
#include "atome_config.h"

static const struct {
    const char *name;
    atome_config c;
} presets[] = {
    {"nano", {ATOME_VOCAB, 16, 2, 4, 64, 0, 0, 0, 0}},
    {"small", {ATOME_VOCAB, 32, 2, 8, 64, 0, 0, 0, 0}},
    {"default", {ATOME_VOCAB, 64, 4, 16, 64, 0, 0, 0, 0}},
    {"mid", {ATOME_VOCAB, 128, 4, 32, 64, 0, 0, 0, 0}},
    {"prod", {ATOME_VOCAB, 256, 8, 64, 64, 0, 0, 0, 0}},
};

/* Own comparison so that firmware need not link strcmp for a name lookup. */
static int same_name(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

int atome_preset(const char *name, atome_config *c) {
    for (unsigned i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (same_name(name, presets[i].name)) {
            *c = presets[i].c;
            return 0;
        }
    return -1;
}

const char *atome_preset_name(int i) {
    return i >= 0 && i < (int)(sizeof presets / sizeof presets[0]) ? presets[i].name : 0;
}

long atome_param_count(const atome_config *c) {
    long V = c->vocab, D = c->d_model, L = c->n_layers, Dh = c->d_head, out = c->n_classes ? c->n_classes : V;
    return (V + out) * D + 2 * D + L * (D * D + 13 * D + 2 * Dh * D);
}

/* In 1..max, as one unsigned comparison: a negative value wraps to a large one. */
static int in_range(int v, int max) { return (unsigned)v - 1u < (unsigned)max; }

/* A language model: no class fields, and room for its V logits. A classifier: 2..ATOME_MAX_LOGITS
 * classes, 0..ATOME_MAX_FEATURES features, names of 1..ATOME_MAX_LABEL bytes and a NUL each. */
static int classes_fit(const atome_config *c) {
    int C = c->n_classes;
    /* a language-model-only engine (ATOME_CLASSIFIER 0, atome_config.h) fits no classifier */
    if (C == 0 || !ATOME_CLASSIFIER)
        return C == 0 && c->n_features == 0 && c->label_bytes == 0 && ATOME_MAX_LOGITS >= ATOME_VOCAB;
    return C >= 2 && C <= ATOME_MAX_LOGITS && C <= 256 && (unsigned)c->n_features <= ATOME_MAX_FEATURES &&
           c->label_bytes >= 2 * C && c->label_bytes <= (ATOME_MAX_LABEL + 1) * C;
}

int atome_config_fits(const atome_config *c) {
    return c->vocab == ATOME_VOCAB && (unsigned)c->flags < 7u && in_range(c->d_model, ATOME_MAX_D) &&
           in_range(c->n_layers, ATOME_MAX_LAYERS) && in_range(c->d_head, ATOME_MAX_DHEAD) &&
           in_range(c->window, ATOME_MAX_WINDOW) && classes_fit(c);
}

/* fw_classify.c — the classifier parity text (format in fw_classify.h). */
#include "fw_classify.h"
#include "../../common/atome_le.h"

const uint8_t *fw_row_bytes(const atome_model *m, const fw_rows *rows, uint32_t i, uint8_t *feature_bytes, size_t *n) {
    if (rows->features == 0) {
        *n = rows->start[i + 1] - rows->start[i];
        return rows->bytes + rows->start[i];
    }
    atome_features(m, rows->raw + (size_t)i * rows->features, feature_bytes);
    *n = rows->features;
    return feature_bytes;
}

static void error_line(const char *what, fw_emit emit, void *ctx) {
    char line[96];
    fw_put_str(fw_put_str(fw_put_str(line, "error "), what), "\n");
    emit(line, ctx);
}

int fw_classify(const uint8_t *blob, size_t len, const fw_rows *rows, uint8_t *feature_bytes, atome_model *m,
                atome_state *st, fw_emit emit, void *ctx) {
    /* a quoted label: ATOME_MAX_LABEL bytes of 4 characters each, beside 6 numbers */
    char line[4 * ATOME_MAX_LABEL + 96], *p = line;
    int err = atome_load(m, blob, len);
    if (err != ATOME_OK) {
        error_line(atome_strerror(err), emit, ctx);
        return err;
    }
    const atome_config *c = &m->w.cfg;
    if (c->n_classes == 0) {
        error_line("not a classifier", emit, ctx);
        return -1;
    }
    if (rows->features != (uint32_t)c->n_features) {
        error_line("rows of another feature count than the model's", emit, ctx);
        return -1;
    }
    p = fw_put_uint(fw_put_str(p, "atome-classify 1 d"), (uint32_t)c->d_model);
    p = fw_put_uint(fw_put_str(p, " L"), (uint32_t)c->n_layers);
    p = fw_put_uint(fw_put_str(p, " dh"), (uint32_t)c->d_head);
    p = fw_put_uint(fw_put_str(p, " W"), (uint32_t)c->window);
    p = fw_put_uint(fw_put_str(p, " C"), (uint32_t)c->n_classes);
    p = fw_put_uint(fw_put_str(p, " F"), (uint32_t)c->n_features);
    p = fw_put_hex(fw_put_str(p, " blob "), atome_le_get_u32(blob + 60));
    p = fw_put_uint(fw_put_str(p, " rows "), rows->n);
    fw_put_str(p, "\n");
    emit(line, ctx);

    uint32_t correct = 0;
    for (uint32_t i = 0; i < rows->n; i++) {
        if (rows->label[i] >= c->n_classes) {
            error_line("a row's class is out of the model's range", emit, ctx);
            return -1;
        }
        size_t n;
        const uint8_t *bytes = fw_row_bytes(m, rows, i, feature_bytes, &n);
        int pred = atome_classify(m, st, bytes, n);
        if (pred < 0) {
            error_line("a row of no bytes", emit, ctx);
            return -1;
        }
        correct += pred == rows->label[i];
        p = fw_put_uint(line, i), *p++ = ' ';
        p = fw_put_uint(p, (uint32_t)n), *p++ = ' ';
        p = fw_put_hex(p, atome_crc32(0, bytes, n)), *p++ = ' ';
        p = fw_put_uint(p, rows->label[i]), *p++ = ' ';
        p = fw_put_uint(p, (uint32_t)pred), *p++ = ' ';
        p = fw_put_hex(p, fw_logits_crc(st->logits, c->n_classes));
        p = fw_put_str(p, " \"");
        for (const char *s = atome_label(m, pred); *s; s++) p = fw_put_byte(p, (uint8_t)*s);
        fw_put_str(p, "\"\n");
        emit(line, ctx);
    }
    p = fw_put_uint(fw_put_str(line, "summary rows "), rows->n);
    p = fw_put_uint(fw_put_str(p, " correct "), correct);
    p = fw_put_uint(fw_put_str(p, "\nend "), rows->n);
    fw_put_str(p, "\n");
    emit(line, ctx);
    return ATOME_OK;
}

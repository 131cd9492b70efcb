/* fw_digest.c — the parity text (format in fw_digest.h). */
#include "fw_digest.h"
#include "../../common/atome_le.h"

static const char *const prompts[FW_PROMPTS] = {
    "Once upon a time, there was a little",
    "The cat sat on the mat. It was",
    "Lily and Tom went to the park to play. They saw",
};

const char *fw_prompt(int i) { return prompts[i]; }

char *fw_put_uint(char *p, uint32_t v) {
    char tmp[10];
    int n = 0;
    do tmp[n++] = (char)('0' + v % 10); while (v /= 10);
    while (n) *p++ = tmp[--n];
    *p = 0;
    return p;
}

char *fw_put_hex(char *p, uint32_t v) {
    for (int i = 7; i >= 0; i--) *p++ = "0123456789abcdef"[(v >> (4 * i)) & 15];
    *p = 0;
    return p;
}

char *fw_put_str(char *p, const char *s) {
    while (*s) *p++ = *s++;
    *p = 0;
    return p;
}

char *fw_put_byte(char *p, uint8_t b) {
    if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
        *p++ = (char)b;
    } else {
        *p++ = '\\', *p++ = 'x';
        *p++ = "0123456789abcdef"[b >> 4], *p++ = "0123456789abcdef"[b & 15];
    }
    *p = 0;
    return p;
}

/* CRC-32 of n floats as little-endian bytes, whatever the target's byte order. */
uint32_t fw_logits_crc(const float *v, int n) {
    uint32_t crc = 0;
    for (int i = 0; i < n; i++) {
        uint8_t b[4];
        atome_le_put_f32(b, v[i]);
        crc = atome_crc32(crc, b, 4);
    }
    return crc;
}

static const float *step_line(const atome_model *m, atome_state *st, int prompt, uint8_t token, fw_emit emit,
                              void *ctx) {
    char line[48], *p = line;
    int pos = st->pos;
    const float *logits = atome_step(m, st, token);
    p = fw_put_uint(p, (uint32_t)prompt), *p++ = ' ';
    p = fw_put_uint(p, (uint32_t)pos), *p++ = ' ';
    p = fw_put_uint(p, (uint32_t)token), *p++ = ' ';
    p = fw_put_hex(p, fw_logits_crc(logits, ATOME_VOCAB));
    fw_put_str(p, "\n");
    emit(line, ctx);
    return logits;
}

int fw_digest(const ATOME_ROM uint8_t *blob, size_t len, atome_model *m, atome_state *st, fw_emit emit, void *ctx) {
    char line[96], *p = line;
    int err = atome_load(m, blob, len);
    if (err != ATOME_OK) {
        p = fw_put_str(fw_put_str(p, "error "), atome_strerror(err));
        fw_put_str(p, "\n");
        emit(line, ctx);
        return err;
    }
    const atome_config *c = &m->w.cfg;
    uint8_t field[4]; /* the CRC field, copied out: the blob may lie in flash (ATOME_ROM, atome_blob.h) */
    for (int i = 0; i < 4; i++) field[i] = blob[60 + i];
    const uint32_t crc = atome_le_get_u32(field);
    p = fw_put_uint(fw_put_str(p, "atome-digest 1 d"), (uint32_t)c->d_model);
    p = fw_put_uint(fw_put_str(p, " L"), (uint32_t)c->n_layers);
    p = fw_put_uint(fw_put_str(p, " dh"), (uint32_t)c->d_head);
    p = fw_put_uint(fw_put_str(p, " W"), (uint32_t)c->window);
    p = fw_put_hex(fw_put_str(p, " blob "), crc);
    p = fw_put_uint(fw_put_str(p, " prompts "), FW_PROMPTS);
    p = fw_put_uint(fw_put_str(p, " gen "), FW_GEN);
    fw_put_str(p, "\n");
    emit(line, ctx);

    uint32_t lines = 0;
    for (int i = 0; i < FW_PROMPTS; i++) {
        uint8_t gen[FW_GEN];
        const float *logits = 0;
        atome_reset(st);
        for (const char *s = prompts[i]; *s; s++, lines++) logits = step_line(m, st, i, (uint8_t)*s, emit, ctx);
        for (int g = 0; g < FW_GEN; g++, lines++) {
            gen[g] = (uint8_t)atome_argmax(logits, ATOME_VOCAB);
            logits = step_line(m, st, i, gen[g], emit, ctx);
        }
        p = fw_put_uint(fw_put_str(line, "text "), (uint32_t)i);
        p = fw_put_str(p, " \"");
        for (int g = 0; g < FW_GEN; g++) {
            p = fw_put_byte(p, gen[g]);
            if (p - line > (int)sizeof line - 8) emit(line, ctx), p = line;
        }
        fw_put_str(p, "\"\n");
        emit(line, ctx);
    }
    fw_put_str(fw_put_uint(fw_put_str(line, "end "), lines), "\n");
    emit(line, ctx);
    return ATOME_OK;
}

/* json_lite.c — the converters' JSON cursor (contract in json_lite.h). */
#include "json_lite.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_init(json_cursor *j, const char *path, const char *bytes, size_t n) {
    j->path = path, j->p = j->begin = bytes, j->end = bytes + n, j->err[0] = 0;
}

int json_fail(json_cursor *j, const char *what) {
    if (j->err[0]) return -1;
    unsigned line = 1;
    for (const char *q = j->begin; q < j->p && q < j->end; q++) line += *q == '\n';
    snprintf(j->err, sizeof j->err, "%s:%u: %s", j->path, line, what);
    return -1;
}

char json_peek(json_cursor *j) {
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t')) j->p++;
    return j->p < j->end ? *j->p : 0;
}

int json_expect(json_cursor *j, char c) {
    if (json_peek(j) != c) {
        char what[32];
        snprintf(what, sizeof what, "expected '%c'", c);
        return json_fail(j, what);
    }
    j->p++;
    return 0;
}

static int hex4(json_cursor *j, unsigned *u) {
    *u = 0;
    for (int i = 0; i < 4; i++, j->p++) {
        char c = j->p < j->end ? *j->p : 0;
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) return json_fail(j, "bad \\u escape");
        *u = *u * 16 + (unsigned)d;
    }
    return 0;
}

int json_string(json_cursor *j, char *out, size_t cap, size_t *len) {
    if (json_expect(j, '"')) return -1;
    size_t n = 0;
    for (;;) {
        if (j->p >= j->end) return json_fail(j, "unterminated string");
        unsigned char c = (unsigned char)*j->p++;
        unsigned u = c;
        if (c == '"') break;
        if (c < 0x20) return json_fail(j, "control byte in a string");
        if (c == '\\') {
            char e = j->p < j->end ? *j->p++ : 0;
            switch (e) {
            case '"': case '\\': case '/': u = (unsigned char)e; break;
            case 'b': u = '\b'; break;
            case 'f': u = '\f'; break;
            case 'n': u = '\n'; break;
            case 'r': u = '\r'; break;
            case 't': u = '\t'; break;
            case 'u':
                if (hex4(j, &u)) return -1;
                if (u >= 0xD800 && u < 0xDC00) { /* a surrogate pair */
                    unsigned lo;
                    if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u') return json_fail(j, "lone surrogate");
                    j->p += 2;
                    if (hex4(j, &lo)) return -1;
                    if (lo < 0xDC00 || lo >= 0xE000) return json_fail(j, "lone surrogate");
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                } else if (u >= 0xDC00 && u < 0xE000) {
                    return json_fail(j, "lone surrogate");
                }
                break;
            default: return json_fail(j, "bad escape");
            }
        }
        unsigned char enc[4];
        int k;
        if (c == '\\' && u >= 0x80) { /* a decoded \u escape: encode it as UTF-8 */
            if (u < 0x800) enc[0] = (unsigned char)(0xC0 | u >> 6), enc[1] = (unsigned char)(0x80 | (u & 63)), k = 2;
            else if (u < 0x10000)
                enc[0] = (unsigned char)(0xE0 | u >> 12), enc[1] = (unsigned char)(0x80 | (u >> 6 & 63)),
                enc[2] = (unsigned char)(0x80 | (u & 63)), k = 3;
            else
                enc[0] = (unsigned char)(0xF0 | u >> 18), enc[1] = (unsigned char)(0x80 | (u >> 12 & 63)),
                enc[2] = (unsigned char)(0x80 | (u >> 6 & 63)), enc[3] = (unsigned char)(0x80 | (u & 63)), k = 4;
        } else {
            enc[0] = (unsigned char)u, k = 1;
        }
        if (n + (size_t)k >= cap) return json_fail(j, "string too long");
        memcpy(out + n, enc, (size_t)k);
        n += (size_t)k;
    }
    out[n] = 0;
    if (len) *len = n;
    return 0;
}

int json_float(json_cursor *j, float *x) {
    json_peek(j);
    char tmp[64];
    size_t k = 0;
    while (j->p + k < j->end && k < sizeof tmp - 1 && strchr("+-0123456789.eE", j->p[k])) k++;
    memcpy(tmp, j->p, k);
    tmp[k] = 0;
    char *e;
    *x = strtof(tmp, &e);
    if (k == 0 || e != tmp + k || !isfinite(*x)) return json_fail(j, "expected a number");
    j->p += k;
    return 0;
}

int json_next(json_cursor *j, char close, int *first) {
    char c = json_peek(j);
    if (c == close) {
        j->p++;
        return 0;
    }
    if (!*first) {
        if (json_expect(j, ',')) return -1;
    }
    *first = 0;
    return 1;
}

int json_skip(json_cursor *j) {
    char c = json_peek(j), buf[4096];
    if (c == '"') return json_string(j, buf, sizeof buf, NULL);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->p++;
        int first = 1, r;
        while ((r = json_next(j, close, &first)) == 1) {
            if (c == '{' && (json_string(j, buf, sizeof buf, NULL) || json_expect(j, ':'))) return -1;
            if (json_skip(j)) return -1;
        }
        return r;
    }
    if (c == 't' || c == 'f' || c == 'n') {
        const char *w = c == 't' ? "true" : c == 'f' ? "false" : "null";
        size_t k = strlen(w);
        if ((size_t)(j->end - j->p) < k || memcmp(j->p, w, k)) return json_fail(j, "bad literal");
        j->p += k;
        return 0;
    }
    float x;
    return json_float(j, &x);
}

int json_end(json_cursor *j) { return json_peek(j) ? json_fail(j, "bytes after the JSON value") : 0; }

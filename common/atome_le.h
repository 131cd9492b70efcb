/* atome_le.h — the one little-endian codec of the repo: every file format (model blob, checkpoint,
 * vanilla model) stores its integers and floats little-endian, whatever the host's byte order.
 *
 * Byte by byte, so any alignment is fine and the result never depends on the host; C99, no libc,
 * so the engine (firmware included) uses it as well as the host tools. A float travels as the bits
 * of its IEEE-754 single or double (a union, which C99 allows for reinterpreting them).
 */
#ifndef ATOME_LE_H
#define ATOME_LE_H
#include <stdint.h>

static inline uint32_t atome_le_get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void atome_le_put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static inline uint64_t atome_le_get_u64(const uint8_t *p) {
    return (uint64_t)atome_le_get_u32(p) | (uint64_t)atome_le_get_u32(p + 4) << 32;
}

static inline void atome_le_put_u64(uint8_t *p, uint64_t v) {
    atome_le_put_u32(p, (uint32_t)v);
    atome_le_put_u32(p + 4, (uint32_t)(v >> 32));
}

static inline float atome_le_get_f32(const uint8_t *p) {
    union { uint32_t u; float f; } x;
    x.u = atome_le_get_u32(p);
    return x.f;
}

static inline void atome_le_put_f32(uint8_t *p, float f) {
    union { uint32_t u; float f; } x;
    x.f = f;
    atome_le_put_u32(p, x.u);
}

static inline double atome_le_get_f64(const uint8_t *p) {
    union { uint64_t u; double f; } x;
    x.u = atome_le_get_u64(p);
    return x.f;
}

static inline void atome_le_put_f64(uint8_t *p, double f) {
    union { uint64_t u; double f; } x;
    x.f = f;
    atome_le_put_u64(p, x.u);
}

#endif

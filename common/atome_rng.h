/* atome_rng.h — the project's one random generator (splitmix64): same seed, same numbers,
 * on every target. Used for weight init, window sampling and seeded text sampling. */
#ifndef ATOME_RNG_H
#define ATOME_RNG_H
#include <stdint.h>

typedef struct {
    uint64_t s;
} atome_rng;

static inline uint64_t atome_rng_next(atome_rng *r) {
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1), 24 random bits. */
static inline float atome_rng_uniform(atome_rng *r) {
    return (float)(atome_rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

/* Uniform integer in [0, n), n > 0 (multiply-shift, no modulo bias worth a name at n < 2^32). */
static inline uint32_t atome_rng_below(atome_rng *r, uint32_t n) {
    return (uint32_t)(((atome_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Approximately standard normal: the sum of 12 uniforms minus 6 (no libm needed). */
static inline float atome_rng_normal(atome_rng *r) {
    float s = 0.0f;
    for (int i = 0; i < 12; i++) s += atome_rng_uniform(r);
    return s - 6.0f;
}

#endif

/*
 * sim/des/rng.c - random streams: seeds derived by hashing (seed, name) and
 * (seed, index), and GSL generators seeded with them.
 *
 * The mixing function is the SplitMix64 finaliser (Steele, Lea and Flood,
 * 2014): a bijection on 64 bits with full avalanche, so nearby inputs
 * ("qat0", "qat1"; replication 1, 2) give unrelated outputs. Names are
 * first reduced to 64 bits with FNV-1a.
 */
#include "sim/des/rng.h"

#include <stddef.h>

static uint64_t mix64(uint64_t z)
{
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        return z ^ (z >> 31);
}

static uint64_t name_hash(const char *name)
{
        uint64_t h = 0xcbf29ce484222325u; /* FNV-1a offset basis */
        for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
                h ^= *p;
                h *= 0x100000001b3u; /* FNV-1a prime */
        }
        return h;
}

uint64_t sim_rng_derive(uint64_t seed, uint64_t index)
{
        /* mix64 is a bijection, so distinct indices give distinct seeds. */
        return mix64(mix64(seed) + index * 0x9e3779b97f4a7c15u + 1);
}

uint32_t sim_rng_stream_seed(uint64_t seed, const char *name)
{
        uint64_t h = mix64(mix64(seed ^ 0x5851f42d4c957f2du) ^ mix64(name_hash(name)));
        return (uint32_t)(h ^ (h >> 32));
}

gsl_rng *sim_rng_stream(uint64_t seed, const char *name)
{
        gsl_rng *r = gsl_rng_alloc(SIM_RNG_TYPE);
        if (!r)
                return NULL;
        gsl_rng_set(r, sim_rng_stream_seed(seed, name));
        return r;
}

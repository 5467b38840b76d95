/*
 * draw.h - unbiased bounded random draws for balancers that draw (random,
 * power-of-d). The bits come only from the platform seam
 * (ac_balancer_env.random_u64); this file turns them into a uniform index.
 *
 * The draw is the multiply-shift method with rejection (Lemire, "Fast
 * random integer generation in an interval", 2019), on 32-bit words so
 * that the product fits a uint64_t: x * n >> 32 maps a uniform 32-bit x to
 * [0, n); the low word of the product tells when x fell in the short tail
 * that would bias the result, and such an x is drawn again. The rejection
 * test needs a division only in that rare case.
 */
#ifndef AC_POLICIES_DRAW_H
#define AC_POLICIES_DRAW_H

#include <stdint.h>

#include "ac/balancer.h"

/* Where a balancer's random words come from, copied from its init env. */
struct draw_source {
        uint64_t (*random_u64)(void *ctx);
        void *ctx;
};

/* Returns a uniform integer in [0, n), n >= 1 and below 2^32. Uses the
 * high half of each 64-bit word (the better half of weak generators). */
static inline uint32_t draw_below(const struct draw_source *src, uint32_t n)
{
        uint32_t x = (uint32_t)(src->random_u64(src->ctx) >> 32);
        uint64_t m = (uint64_t)x * n;
        uint32_t low = (uint32_t)m;
        if (low < n) {
                uint32_t tail = (uint32_t)(-n) % n; /* 2^32 mod n */
                while (low < tail) {
                        x = (uint32_t)(src->random_u64(src->ctx) >> 32);
                        m = (uint64_t)x * n;
                        low = (uint32_t)m;
                }
        }
        return (uint32_t)(m >> 32);
}

#endif

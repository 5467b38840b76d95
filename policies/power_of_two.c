/*
 * power_of_two.c - "power-of-two": power-of-d choices. Draw d distinct
 * candidates uniformly at random and give the stage to the least loaded of
 * them (queued plus in flight); ties go to the one drawn first, so a tie
 * is broken at random too.
 *
 * Why: with n devices, one random choice leaves the busiest queue about
 * log n / log log n above the mean; two choices bring that down to about
 * log log n / log 2 (Azar, Broder, Karlin, Upfal 1994; Mitzenmacher 1996),
 * while reading only d views per pick instead of all n, and without the
 * herd behaviour of least-loaded acting on stale load figures.
 *
 * d = 1 is "random"; d >= the number of candidates reads them all and is
 * least-loaded exactly (no draw, ties to the earliest registered). Distinct
 * candidates are drawn by rejection: at most 16 are kept, so the check
 * against those already drawn is a short scan. The drawn candidates are
 * read through ac_pick_candidate(): a pick costs O(d log n) whatever the
 * number of devices, and never a gather of every candidate.
 */
#include "ac/balancer.h"
#include "ac/error.h"
#include "draw.h"

#define P2C_MAX_D 16

struct p2c {
        struct draw_source src;
        uint32_t d; /* choices per pick, 1..P2C_MAX_D */
};

static const struct ac_option_spec p2c_options[] = {
    {"d", "candidates drawn per pick, 1..16 (default 2)"},
    {NULL, NULL},
};

static int p2c_init(void *priv, const struct ac_balancer_env *env)
{
        struct p2c *c = priv;
        uint64_t d = 2;
        int rc = ac_option_u64(env, "d", 1, P2C_MAX_D, &d);
        if (rc < 0)
                return rc;
        if (!env->random_u64)
                return AC_EINVAL;
        c->src = (struct draw_source){.random_u64 = env->random_u64, .ctx = env->random_ctx};
        c->d = (uint32_t)d;
        return 0;
}

static size_t p2c_pick(void *priv, const struct ac_pick *p)
{
        struct p2c *c = priv;
        size_t n = p->ncandidates;
        size_t best = 0;
        uint64_t best_load = 0;
        if (c->d >= n)
                return ac_pick_least_loaded(p); /* n <= 16: a scan at most */
        uint32_t drawn[P2C_MAX_D];
        for (uint32_t k = 0; k < c->d; k++) {
                uint32_t i;
                bool again;
                do {
                        i = draw_below(&c->src, (uint32_t)n);
                        again = false;
                        for (uint32_t j = 0; j < k; j++)
                                again |= drawn[j] == i;
                } while (again);
                drawn[k] = i;
                uint64_t l = ac_pick_load(p, i);
                if (k == 0 || l < best_load) {
                        best = i;
                        best_load = l;
                }
        }
        return best;
}

const struct ac_balancer_ops ac_balancer_power_of_two = {
    .name = "power-of-two",
    .description = "power-of-d choices: the least loaded of d candidates drawn at random",
    .options = p2c_options,
    .priv_size = sizeof(struct p2c),
    .init = p2c_init,
    .pick = p2c_pick,
    .flags = AC_BALANCER_SAMPLES | AC_BALANCER_LOADS,
};

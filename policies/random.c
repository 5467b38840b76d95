/*
 * random.c - "random": each stage goes to a candidate drawn uniformly at
 * random. It keeps no state beyond where its random words come from and
 * reads nothing of the devices, so its cost per pick is one draw whatever
 * the number of devices. Every candidate gets work, but load is balanced
 * only on average: queues drift apart as in balls-into-bins.
 *
 * The words come from the platform seam; without a random source it
 * refuses to start (AC_EINVAL).
 */
#include "ac/balancer.h"
#include "ac/error.h"
#include "draw.h"

static int random_init(void *priv, const struct ac_balancer_env *env)
{
        struct draw_source *src = priv;
        if (!env->random_u64)
                return AC_EINVAL;
        src->random_u64 = env->random_u64;
        src->ctx = env->random_ctx;
        return 0;
}

static size_t random_pick(void *priv, const struct ac_pick *p)
{
        if (p->ncandidates == 1)
                return 0; /* nothing to choose: spend no draw */
        return draw_below(priv, (uint32_t)p->ncandidates);
}

const struct ac_balancer_ops ac_balancer_random = {
    .name = "random",
    .description = "a candidate drawn uniformly at random; no state, no reading of load",
    .options = NULL,
    .priv_size = sizeof(struct draw_source),
    .init = random_init,
    .pick = random_pick,
    .flags = AC_BALANCER_SAMPLES, /* reads no candidate at all */
};

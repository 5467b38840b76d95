/*
 * least_loaded.c - "least-loaded": the device with the fewest stages queued
 * plus in flight, as the 2004 patch's simple balancer. Ties go to the
 * earliest registered device. It ignores speed and weight on purpose: it is
 * the baseline the smarter balancers are measured against.
 *
 * The core keeps the least load of the candidates in a tree over the
 * eligible devices (AC_BALANCER_LOADS, core_impl/eligible.c), updated at
 * every change of a device's queue or ring: a pick is O(log n), the same
 * device as a scan would find.
 */
#include "ac/balancer.h"

static int ll_init(void *priv, const struct ac_balancer_env *env)
{
        (void)priv;
        (void)env;
        return 0;
}

static size_t ll_pick(void *priv, const struct ac_pick *p)
{
        (void)priv;
        return ac_pick_least_loaded(p);
}

const struct ac_balancer_ops ac_balancer_least_loaded = {
    .name = "least-loaded",
    .description = "fewest stages queued plus in flight; ties to the first device",
    .options = NULL,
    .priv_size = 0,
    .init = ll_init,
    .pick = ll_pick,
    .flags = AC_BALANCER_SAMPLES | AC_BALANCER_LOADS | AC_BALANCER_LEAST | AC_BALANCER_ONE,
};

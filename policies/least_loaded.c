/*
 * least_loaded.c - "least-loaded": the device with the fewest stages queued
 * plus in flight, as the 2004 patch's simple balancer. Ties go to the
 * earliest registered device. It ignores speed and weight on purpose: it is
 * the baseline the smarter balancers are measured against.
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
        size_t best = 0;
        uint64_t best_load = UINT64_MAX;
        for (size_t i = 0; i < p->ncandidates; i++) {
                const struct ac_device_view *v = p->candidates[i];
                uint64_t load = (uint64_t)v->queued + v->in_flight;
                if (load < best_load) {
                        best = i;
                        best_load = load;
                }
        }
        return best;
}

const struct ac_balancer_ops ac_balancer_least_loaded = {
    .name = "least-loaded",
    .description = "fewest stages queued plus in flight; ties to the first device",
    .options = NULL,
    .priv_size = 0,
    .init = ll_init,
    .pick = ll_pick,
};

/*
 * round_robin.c - "round-robin": devices take turns in registration order.
 *
 * A cursor remembers the device after the last one chosen; a stage goes to
 * the first candidate at or after the cursor, wrapping around. Candidates
 * come in registration order, so devices that are full, failed or not
 * capable are skipped and the turn passes to the next one. The first one
 * at or after the cursor is the candidate of rank `next` (ac_pick_rank):
 * O(log n) from the core's index, and most often, when the core hands the
 * array, the one after the last chosen, tried first in O(1).
 */
#include "ac/balancer.h"

struct rr {
        uint32_t next; /* registration index whose turn it is */
        size_t at;     /* where the search starts: after the last chosen */
};

static int rr_init(void *priv, const struct ac_balancer_env *env)
{
        (void)env;
        *(struct rr *)priv = (struct rr){0};
        return 0;
}

static size_t rr_pick(void *priv, const struct ac_pick *p)
{
        struct rr *rr = priv;
        size_t at = rr->at, n = p->ncandidates;
        const struct ac_device_view *const *c = p->candidates;
        size_t lo;
        if (c && at < n && c[at]->index >= rr->next && (at == 0 || c[at - 1]->index < rr->next))
                lo = at;
        else
                lo = ac_pick_rank(p, rr->next);
        size_t chosen = lo < n ? lo : 0; /* none after the cursor: wrap */
        rr->next = ac_pick_candidate(p, chosen)->index + 1;
        rr->at = chosen + 1;
        if (c) {
                /* The next turn is known: start fetching the lines of the
                 * view it and the placement will read. */
                const struct ac_device_view *following = c[chosen + 1 < n ? chosen + 1 : 0];
                __builtin_prefetch(&following->index);
                __builtin_prefetch(&following->completed);
        }
        return chosen;
}

const struct ac_balancer_ops ac_balancer_round_robin = {
    .name = "round-robin",
    .description = "devices take turns in registration order",
    .options = NULL,
    .priv_size = sizeof(struct rr),
    .init = rr_init,
    .pick = rr_pick,
    .flags = AC_BALANCER_SAMPLES,
};

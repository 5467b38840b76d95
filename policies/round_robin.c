/*
 * round_robin.c - "round-robin": devices take turns in registration order.
 *
 * A cursor remembers the device after the last one chosen; a stage goes to
 * the first candidate at or after the cursor, wrapping around. Candidates
 * come in registration order, so devices that are full, failed or not
 * capable are skipped and the turn passes to the next one. The first one
 * at or after the cursor is found by binary search (candidates ascend by
 * index), so a pick costs O(log n).
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
        /* The first candidate at or after the cursor: candidates ascend by
         * index, so a binary search finds it in O(log n); most often it is
         * the one after the last chosen, tried first. */
        size_t lo = 0, hi = p->ncandidates, at = rr->at;
        if (at < hi && p->candidates[at]->index >= rr->next &&
            (at == 0 || p->candidates[at - 1]->index < rr->next))
                lo = hi = at;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (p->candidates[mid]->index < rr->next)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        size_t chosen = lo < p->ncandidates ? lo : 0; /* none after the cursor: wrap */
        rr->next = p->candidates[chosen]->index + 1;
        rr->at = chosen + 1;
        return chosen;
}

const struct ac_balancer_ops ac_balancer_round_robin = {
    .name = "round-robin",
    .description = "devices take turns in registration order",
    .options = NULL,
    .priv_size = sizeof(struct rr),
    .init = rr_init,
    .pick = rr_pick,
};

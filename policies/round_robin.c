/*
 * round_robin.c - "round-robin": devices take turns in registration order.
 *
 * A cursor remembers the device after the last one chosen; a stage goes to
 * the first candidate at or after the cursor, wrapping around. Candidates
 * come in registration order, so devices that are full, failed or not
 * capable are skipped and the turn passes to the next one.
 */
#include "ac/balancer.h"

struct rr {
        uint32_t next; /* registration index whose turn it is */
};

static int rr_init(void *priv, const struct ac_balancer_env *env)
{
        (void)env;
        ((struct rr *)priv)->next = 0;
        return 0;
}

static size_t rr_pick(void *priv, const struct ac_pick *p)
{
        struct rr *rr = priv;
        size_t chosen = 0; /* no candidate at or after the cursor: wrap */
        for (size_t i = 0; i < p->ncandidates; i++) {
                if (p->candidates[i]->index >= rr->next) {
                        chosen = i;
                        break;
                }
        }
        rr->next = p->candidates[chosen]->index + 1;
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

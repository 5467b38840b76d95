/*
 * weighted_round_robin.c - "weighted-round-robin": devices take turns in
 * proportion to their declared capacity (view->weight), interleaved rather
 * than in runs ("smooth" weighted round-robin).
 *
 * Each device has a credit. At every pick each candidate earns its weight,
 * the candidate with the most credit wins (ties to the earliest
 * registered), and the winner pays the sum of the candidates' weights. With
 * weights 5, 1, 1 the turns run a a b a c a a: every device gets its share
 * within one cycle of sum-of-weights picks, and no device waits longer than
 * that.
 *
 * The candidate set changes from pick to pick (full queues, failures,
 * capabilities), so credits are kept by device index, not by position among
 * the candidates; a device that is not a candidate keeps its credit until
 * it is one again. A change in the set of devices (added, failed,
 * recovered, removed) starts the cycle afresh: every credit back to zero,
 * so a device that comes back neither owes nor is owed turns.
 *
 * Credits live in an array grown when a device is added. Should that
 * allocation fail, the devices beyond the array take part with no memory
 * of credit (they win only when their weight alone beats the others'
 * credit): degraded, never wrong.
 */
#include <stdlib.h>

#include "ac/balancer.h"
#include "ac/error.h"

struct wrr {
        int64_t *credit; /* by device index */
        size_t ncredit;  /* devices with a credit slot */
};

/* Makes room for a credit for device index i; returns false when out of
 * memory. */
static bool wrr_reserve(struct wrr *w, size_t i)
{
        if (i < w->ncredit)
                return true;
        size_t n = w->ncredit ? w->ncredit : 8;
        while (n <= i)
                n *= 2;
        int64_t *credit = realloc(w->credit, n * sizeof(*credit));
        if (!credit)
                return false;
        for (size_t k = w->ncredit; k < n; k++)
                credit[k] = 0;
        w->credit = credit;
        w->ncredit = n;
        return true;
}

static int wrr_init(void *priv, const struct ac_balancer_env *env)
{
        struct wrr *w = priv;
        *w = (struct wrr){0};
        if (env->ndevices && !wrr_reserve(w, env->ndevices - 1))
                return AC_ENOMEM;
        return 0;
}

static size_t wrr_pick(void *priv, const struct ac_pick *p)
{
        struct wrr *w = priv;
        int64_t total = 0;
        size_t best = 0;
        int64_t best_credit = INT64_MIN;
        for (size_t i = 0; i < p->ncandidates; i++) {
                const struct ac_device_view *v = p->candidates[i];
                int64_t weight = v->weight ? v->weight : 1;
                int64_t credit = weight;
                if (v->index < w->ncredit)
                        credit = w->credit[v->index] += weight;
                total += weight;
                if (credit > best_credit) {
                        best = i;
                        best_credit = credit;
                }
        }
        uint32_t chosen = p->candidates[best]->index;
        if (chosen < w->ncredit)
                w->credit[chosen] -= total;
        return best;
}

static void wrr_device_changed(void *priv, const struct ac_device_view *dev)
{
        struct wrr *w = priv;
        (void)wrr_reserve(w, dev->index); /* on failure: degraded, see the top */
        for (size_t k = 0; k < w->ncredit; k++)
                w->credit[k] = 0;
}

static void wrr_fini(void *priv)
{
        struct wrr *w = priv;
        free(w->credit);
        *w = (struct wrr){0};
}

const struct ac_balancer_ops ac_balancer_weighted_round_robin = {
    .name = "weighted-round-robin",
    .description = "turns in proportion to declared capacity (weight), smoothly interleaved",
    .options = NULL,
    .priv_size = sizeof(struct wrr),
    .init = wrr_init,
    .pick = wrr_pick,
    .completed = NULL,
    .device_changed = wrr_device_changed,
    .fini = wrr_fini,
};

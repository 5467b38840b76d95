/*
 * sim/swarm/shrink.c - shrinking a failing plan: greedy delta reduction
 * over its structure. Each pass tries every reduction in turn, from the
 * coarsest (drop a device, a class, a fault) to the finest (a simpler
 * distribution, one lane); a candidate is kept when its trial fails with
 * the same signature, and the passes go on until one keeps nothing. What
 * is left fails the same way and loses that failure to any one further
 * step of the list.
 */
#include <string.h>

#include "sim/swarm/swarm.h"

/* A reduction: changes *p and returns true, or returns false when the
 * `i`th instance of it does not apply (nothing to drop, already simple). */
typedef bool (*reduce_fn)(struct swarm_plan *p, size_t i);

static bool drop_device(struct swarm_plan *p, size_t i)
{
        if (p->ndevices < 2 || i >= p->ndevices)
                return false;
        memmove(&p->devices[i], &p->devices[i + 1], (p->ndevices - i - 1) * sizeof(p->devices[0]));
        p->ndevices--;
        /* faults follow their device; those on the dropped one go */
        size_t k = 0;
        for (size_t f = 0; f < p->nfaults; f++) {
                struct swarm_fault x = p->faults[f];
                if (x.device == i)
                        continue;
                if (x.device > i)
                        x.device--;
                p->faults[k++] = x;
        }
        p->nfaults = k;
        return true;
}

static bool drop_class(struct swarm_plan *p, size_t i)
{
        if (p->nclasses < 2 || i >= p->nclasses)
                return false;
        memmove(&p->classes[i], &p->classes[i + 1], (p->nclasses - i - 1) * sizeof(p->classes[0]));
        p->nclasses--;
        return true;
}

static bool drop_fault(struct swarm_plan *p, size_t i)
{
        if (i >= p->nfaults)
                return false;
        memmove(&p->faults[i], &p->faults[i + 1], (p->nfaults - i - 1) * sizeof(p->faults[0]));
        p->nfaults--;
        return true;
}

/* Stage j of class j / SWARM_STAGES, j % SWARM_STAGES. */
static bool drop_stage(struct swarm_plan *p, size_t i)
{
        size_t c = i / SWARM_STAGES, s = i % SWARM_STAGES;
        if (c >= p->nclasses || p->classes[c].nchain < 2 || s >= p->classes[c].nchain)
                return false;
        struct swarm_class *k = &p->classes[c];
        memmove(&k->chain[s], &k->chain[s + 1], (k->nchain - s - 1) * sizeof(k->chain[0]));
        k->nchain--;
        return true;
}

static bool halve_duration(struct swarm_plan *p, size_t i)
{
        if (i > 0 || p->duration_us < 20)
                return false;
        p->duration_us /= 2;
        return true;
}

static bool no_buggify(struct swarm_plan *p, size_t i)
{
        if (i > 0 || !p->buggify)
                return false;
        p->buggify = 0;
        return true;
}

/* The engine's features, one at a time. */
static bool plain_engine(struct swarm_plan *p, size_t i)
{
        switch (i) {
        case 0:
                if (!p->affinity)
                        return false;
                p->affinity = false;
                return true;
        case 1:
                if (!p->flow_order)
                        return false;
                p->flow_order = false;
                return true;
        case 2:
                if (!p->aging_us)
                        return false;
                p->aging_us = 0;
                return true;
        case 3:
                if (p->levels == 1)
                        return false;
                p->levels = 1;
                return true;
        case 4:
                if (p->policy == 0)
                        return false;
                p->policy = 0; /* the first balancer: round-robin */
                return true;
        case 5:
                if (p->retries == 0)
                        return false;
                p->retries = 0;
                return true;
        case 6: /* the engine's default bounds */
                if (p->queue_depth == 256 && p->backlog == 1024)
                        return false;
                p->queue_depth = 256;
                p->backlog = 1024;
                return true;
        default:
                return false;
        }
}

/* Device i / 5, simplification i % 5. */
static bool plain_device(struct swarm_plan *p, size_t i)
{
        size_t n = i / 5;
        if (n >= p->ndevices)
                return false;
        struct swarm_device *d = &p->devices[n];
        switch (i % 5) {
        case 0:
                if (d->count == 1)
                        return false;
                d->count = 1;
                return true;
        case 1:
                if (d->failure == SWARM_NONE)
                        return false;
                d->failure = SWARM_NONE;
                return true;
        case 2:
                if (d->attach_us == 0)
                        return false;
                d->attach_us = 0;
                return true;
        case 3: /* a ring as deep as the lanes */
                if (d->ring == d->lanes)
                        return false;
                d->ring = d->lanes;
                return true;
        default:
                if (d->cost == SWARM_COST_LINEAR && d->lanes == 1)
                        return false;
                d->cost = SWARM_COST_LINEAR;
                d->lanes = 1;
                return true;
        }
}

/* Class i / 4, simplification i % 4. */
static bool plain_class(struct swarm_plan *p, size_t i)
{
        size_t n = i / 4;
        if (n >= p->nclasses)
                return false;
        struct swarm_class *c = &p->classes[n];
        switch (i % 4) {
        case 0:
                if (c->arrival == SWARM_POISSON)
                        return false;
                c->arrival = SWARM_POISSON;
                return true;
        case 1:
                if (c->size == SWARM_SIZE_CONSTANT)
                        return false;
                c->size = SWARM_SIZE_CONSTANT;
                return true;
        case 2: /* half the load */
                if (c->rate_k < 100 && c->clients < 2)
                        return false;
                c->rate_k = c->rate_k >= 100 ? c->rate_k / 2 : c->rate_k;
                c->clients = c->clients >= 2 ? c->clients / 2 : c->clients;
                return true;
        default:
                if (c->flows == 1 && c->priority == 0)
                        return false;
                c->flows = 1;
                c->priority = 0;
                return true;
        }
}

static const struct {
        reduce_fn fn;
        size_t instances;
} reductions[] = {
    {drop_device, SWARM_DEVICES},
    {drop_class, SWARM_CLASSES},
    {drop_fault, SWARM_FAULTS},
    {halve_duration, 1},
    {no_buggify, 1},
    {drop_stage, SWARM_CLASSES *SWARM_STAGES},
    {plain_engine, 7},
    {plain_device, SWARM_DEVICES * 5},
    {plain_class, SWARM_CLASSES * 4},
};

/* The trial of a candidate: swarm_trial() in a child process. */
static int trial_in_child(void *ctx, const struct swarm_plan *p, struct swarm_verdict *v)
{
        return swarm_trial(p, *(const unsigned *)ctx, v);
}

size_t swarm_shrink(struct swarm_plan *p, const struct swarm_verdict *failed, unsigned timeout_s,
                    size_t *steps)
{
        return swarm_shrink_with(p, failed, trial_in_child, &timeout_s, steps);
}

size_t swarm_shrink_with(struct swarm_plan *p, const struct swarm_verdict *failed,
                         swarm_trial_fn trial, void *ctx, size_t *steps)
{
        size_t kept = 0;
        *steps = 0;
        for (bool progress = true; progress;) {
                progress = false;
                for (size_t r = 0; r < sizeof(reductions) / sizeof(reductions[0]); r++) {
                        /* from the last instance down: a drop leaves the earlier ones in place */
                        for (size_t i = reductions[r].instances; i-- > 0;) {
                                struct swarm_plan candidate = *p;
                                if (!reductions[r].fn(&candidate, i))
                                        continue;
                                struct swarm_verdict v;
                                ++*steps;
                                if (trial(ctx, &candidate, &v) < 0 || !v.failed ||
                                    strcmp(v.signature, failed->signature) != 0)
                                        continue;
                                *p = candidate;
                                kept++;
                                progress = true;
                        }
                }
        }
        return kept;
}

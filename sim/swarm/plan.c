/*
 * sim/swarm/plan.c - swarm plans (sim/swarm/swarm.h): drawn from a seed,
 * and rendered as a scenario file.
 *
 * Drawing is swarm-style: a seed first switches whole features on or off,
 * then draws the parameters of those that are on, so that most seeds
 * exercise a few features hard rather than all of them a little. Every
 * draw comes from the GSL stream "swarm" of the seed. Rendering fixes up
 * what a shrink may have left inconsistent (an operation no device does,
 * a fault on a device that is gone or not yet attached), so any plan
 * renders to a scenario the loader accepts.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "ac/balancer.h"
#include "sim/des/rng.h"
#include "sim/swarm/swarm.h"

static const char *const op_names[SWARM_OPS] = {"aes-gcm-enc", "aes-cbc-enc", "hmac-sha256",
                                                "sha256"};

static const char *const mode_names[] = {"", "fail-stop", "hang", "slow", "flaky", "remove"};

/* ---- drawing ----------------------------------------------------------- */

static uint32_t draw(gsl_rng *r, uint32_t lo, uint32_t hi) /* in [lo, hi] */
{
        return lo + (uint32_t)gsl_rng_uniform_int(r, hi - lo + 1);
}

static bool coin(gsl_rng *r, double p)
{
        return gsl_rng_uniform(r) < p;
}

/* A size of ring or queue: tiny (1..2), small, or huge (up to 2^huge). */
static uint32_t bound(gsl_rng *r, bool tiny, uint32_t lo, uint32_t hi, uint32_t huge)
{
        if (tiny)
                return draw(r, 1, 2);
        return coin(r, 0.2) ? 1u << draw(r, 8, huge) : draw(r, lo, hi);
}

static void draw_device(gsl_rng *r, struct swarm_plan *p, struct swarm_device *d, bool tiny,
                        bool hotplug, bool failures)
{
        d->count = coin(r, 0.3) ? draw(r, 2, 3) : 1;
        d->lanes = draw(r, 1, 4);
        d->ring = bound(r, tiny, 1, 16, 10);
        d->weight = draw(r, 1, 4);
        d->ops = draw(r, 1, (1u << SWARM_OPS) - 1);
        d->cost = (enum swarm_cost)draw(r, 0, 2);
        d->setup_ns = draw(r, 200, 3000);
        d->rate_mb = draw(r, 500, 8000);
        d->attach_us = hotplug && coin(r, 0.4) ? draw(r, 1, (uint32_t)p->duration_us) : 0;
        if (failures && coin(r, 0.5)) {
                d->failure = (enum swarm_mode)draw(r, SWARM_FAIL_STOP, SWARM_FLAKY);
                d->mtbf_us = draw(r, 50, 2000);
                d->mttr_us = draw(r, 10, 500);
        }
}

static void draw_class(gsl_rng *r, const struct swarm_plan *p, struct swarm_class *c,
                       bool long_chains, bool priorities, bool flows)
{
        c->arrival = (enum swarm_arrival)draw(r, 0, 3);
        c->rate_k = draw(r, 50, 1000);
        c->clients = draw(r, 1, 64);
        c->size = (enum swarm_size)draw(r, 0, 3);
        c->bytes = draw(r, 40, 16384);
        c->nchain = long_chains ? draw(r, 1, SWARM_STAGES) : draw(r, 1, 2);
        for (uint32_t i = 0; i < c->nchain; i++)
                c->chain[i] = draw(r, 0, SWARM_OPS - 1);
        c->priority = priorities ? draw(r, 0, p->levels - 1) : 0;
        c->flows = flows ? draw(r, 1, 16) : draw(r, 1, 256);
        c->round_robin = coin(r, 0.5);
}

void swarm_plan_generate(uint64_t seed, struct swarm_plan *p)
{
        gsl_rng *r = sim_rng_stream(seed, "swarm");
        if (!r)
                abort(); /* a few bytes at the start of a trial */
        *p = (struct swarm_plan){.seed = seed};
        /* the features of this seed */
        bool priorities = coin(r, 0.5), aging = coin(r, 0.3), long_chains = coin(r, 0.4);
        bool tiny = coin(r, 0.2), hotplug = coin(r, 0.3), failures = coin(r, 0.3);
        bool faults = coin(r, 0.5), fallback = coin(r, 0.4), flow_order = coin(r, 0.3);
        bool bug = coin(r, 0.3);

        p->duration_us = draw(r, 100, 1000);
        size_t npolicies = 0;
        while (ac_balancers[npolicies])
                npolicies++;
        p->policy = draw(r, 0, (uint32_t)npolicies - 1);
        p->queue_depth = bound(r, tiny, 1, 512, 16);
        p->backlog = tiny ? draw(r, 0, 2) : bound(r, false, 0, 4096, 16);
        p->levels = priorities ? draw(r, 2, 16) : 1;
        p->aging_us = aging ? draw(r, 1, 200) : 0;
        p->timeout_us = coin(r, 0.8) ? draw(r, 20, 2000) : 0;
        p->probe_us = coin(r, 0.8) ? draw(r, 20, 2000) : 0;
        p->drain_us = draw(r, 1, 1000);
        p->retries = draw(r, 0, 5);
        p->errors_to_fail = draw(r, 1, 4);
        p->affinity = coin(r, 0.5);
        p->flow_order = flow_order;
        p->buggify = bug ? sim_rng_derive(seed, 0x6275) : 0;

        p->ndevices = draw(r, 1, SWARM_DEVICES - 1);
        for (size_t i = 0; i < p->ndevices; i++)
                draw_device(r, p, &p->devices[i], tiny, hotplug, failures);
        if (fallback) {
                struct swarm_device *d = &p->devices[p->ndevices++];
                draw_device(r, p, d, tiny, false, false);
                d->fallback = true;
                d->count = 1;
                d->ops = (1u << SWARM_OPS) - 1;
        }
        p->nclasses = draw(r, 1, SWARM_CLASSES);
        for (size_t i = 0; i < p->nclasses; i++)
                draw_class(r, p, &p->classes[i], long_chains, priorities, flow_order);
        p->nfaults = faults ? draw(r, 1, SWARM_FAULTS) : 0;
        for (size_t i = 0; i < p->nfaults; i++) {
                struct swarm_fault *f = &p->faults[i];
                f->device = draw(r, 0, (uint32_t)p->ndevices - 1);
                f->instance = draw(r, 0, p->devices[f->device].count - 1);
                f->mode = (enum swarm_mode)draw(r, SWARM_FAIL_STOP, SWARM_REMOVE);
                f->at_us = draw(r, 1, (uint32_t)p->duration_us);
                f->for_us = f->mode == SWARM_REMOVE || coin(r, 0.2) ? 0 : draw(r, 1, 2000);
        }
        gsl_rng_free(r);
}

/* ---- rendering ----------------------------------------------------------- */

struct text {
        char *buf;
        size_t len, cap;
        bool oom;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (t->oom || n < 0)
                return;
        if (t->len + (size_t)n + 1 > t->cap) {
                size_t cap = 2 * (t->len + (size_t)n + 1);
                char *b = realloc(t->buf, cap);
                if (!b) {
                        t->oom = true;
                        return;
                }
                t->buf = b;
                t->cap = cap;
        }
        va_start(ap, fmt);
        vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        t->len += (size_t)n;
}

static void put_cost(struct text *t, const struct swarm_device *d)
{
        switch (d->cost) {
        case SWARM_COST_LINEAR:
                put(t, "{setup: %" PRIu64 "ns, rate: %" PRIu32 "MB/s}", d->setup_ns, d->rate_mb);
                break;
        case SWARM_COST_JITTER:
                put(t,
                    "{setup: %" PRIu64 "ns, rate: %" PRIu32
                    "MB/s, jitter: {dist: lognormal, mean: 1, cv: 0.3}}",
                    d->setup_ns, d->rate_mb);
                break;
        case SWARM_COST_SERVICE:
                put(t, "{service: {dist: exponential, mean: %" PRIu64 "ns}}", d->setup_ns);
                break;
        }
}

static void put_class(struct text *t, size_t i, const struct swarm_class *c, uint32_t levels)
{
        put(t, "  - name: c%zu\n    arrival: ", i);
        switch (c->arrival) {
        case SWARM_POISSON:
                put(t, "{process: poisson, rate: %" PRIu32 "k/s}\n", c->rate_k);
                break;
        case SWARM_CONSTANT:
                put(t, "{process: constant, rate: %" PRIu32 "k/s}\n", c->rate_k);
                break;
        case SWARM_ON_OFF:
                put(t, "{process: on-off, rate_on: %" PRIu32 "k/s, on: 100us, off: 50us}\n",
                    c->rate_k);
                break;
        case SWARM_CLOSED:
                put(t, "{process: closed, clients: %" PRIu32 ", think: 2us}\n", c->clients);
                break;
        }
        switch (c->size) {
        case SWARM_SIZE_CONSTANT:
                put(t, "    size: %" PRIu32 "\n", c->bytes);
                break;
        case SWARM_SIZE_UNIFORM:
                put(t, "    size: {dist: uniform, min: 40, max: %" PRIu32 "}\n", c->bytes + 40);
                break;
        case SWARM_SIZE_IMIX:
                put(t, "    size: {dist: imix}\n");
                break;
        case SWARM_SIZE_PARETO:
                put(t, "    size: {dist: pareto, mean: %" PRIu32 ", alpha: 1.5}\n", c->bytes);
                break;
        }
        put(t, "    chain: [");
        for (uint32_t j = 0; j < c->nchain; j++)
                put(t, "%s%s", j ? ", " : "", op_names[c->chain[j]]);
        put(t, "]\n    priority: %" PRIu32 "\n    flows: %" PRIu32 "\n", c->priority % levels,
            c->flows);
        if (c->round_robin)
                put(t, "    flow_pick: round-robin\n");
}

char *swarm_plan_render(const struct swarm_plan *p, const char *replay)
{
        struct text t = {0};
        /* what the chains need, and what devices do */
        uint32_t used = 0, done = 0;
        for (size_t i = 0; i < p->nclasses; i++)
                for (uint32_t j = 0; j < p->classes[i].nchain; j++)
                        used |= 1u << p->classes[i].chain[j];
        for (size_t i = 0; i < p->ndevices; i++)
                done |= p->devices[i].ops;

        put(&t, "# swarm seed %" PRIu64 "%s%s\n", p->seed, replay ? "; replay: " : "",
            replay ? replay : "");
        put(&t, "name: swarm-%" PRIu64 "\nseed: %" PRIu64 "\n", p->seed, p->seed);
        put(&t, "run: {duration: %" PRIu64 "us, drain: 100ms}\n", p->duration_us);
        put(&t, "engine:\n  policy: %s\n", ac_balancers[p->policy]->name);
        put(&t, "  queue: {depth: %" PRIu32 ", backlog: %" PRIu32 "}\n", p->queue_depth,
            p->backlog);
        put(&t, "  priority: {levels: %" PRIu32, p->levels);
        if (p->aging_us)
                put(&t, ", aging: %" PRIu64 "us", p->aging_us);
        put(&t,
            "}\n  failover: {timeout: %" PRIu64 "us, retries: %" PRIu32 ", errors_to_fail: %" PRIu32
            ", probe: %" PRIu64 "us, drain: %" PRIu64 "us}\n",
            p->timeout_us, p->retries, p->errors_to_fail, p->probe_us, p->drain_us);
        put(&t, "  affinity: %s\n  flow_order: %s\n", p->affinity ? "true" : "false",
            p->flow_order ? "true" : "false");

        put(&t, "devices:\n");
        for (size_t i = 0; i < p->ndevices; i++) {
                const struct swarm_device *d = &p->devices[i];
                uint32_t ops = d->ops | (i == 0 ? used & ~done : 0);
                put(&t,
                    "  - name: d%zu\n    count: %" PRIu32 "\n    lanes: %" PRIu32
                    "\n    ring: %" PRIu32 "\n    weight: %" PRIu32 "\n",
                    i, d->count, d->lanes, d->ring, d->weight);
                if (d->fallback)
                        put(&t, "    fallback: true\n");
                if (d->attach_us)
                        put(&t, "    attach: %" PRIu64 "us\n", d->attach_us);
                put(&t, "    ops:\n");
                for (uint32_t o = 0; o < SWARM_OPS; o++) {
                        if (!(ops >> o & 1u))
                                continue;
                        put(&t, "      %s: ", op_names[o]);
                        put_cost(&t, d);
                        put(&t, "\n");
                }
                if (d->failure == SWARM_FLAKY)
                        put(&t, "    failures: [{mode: flaky, probability: 0.05}]\n");
                else if (d->failure != SWARM_NONE)
                        put(&t,
                            "    failures: [{mode: %s, mtbf: %" PRIu64 "us, mttr: %" PRIu64
                            "us%s}]\n",
                            mode_names[d->failure], d->mtbf_us, d->mttr_us,
                            d->failure == SWARM_SLOW ? ", factor: 4" : "");
        }
        put(&t, "workload:\n");
        for (size_t i = 0; i < p->nclasses; i++)
                put_class(&t, i, &p->classes[i], p->levels);
        size_t nfaults = 0;
        for (size_t i = 0; i < p->nfaults; i++) {
                const struct swarm_fault *f = &p->faults[i];
                if (f->device >= p->ndevices)
                        continue;
                const struct swarm_device *d = &p->devices[f->device];
                char name[32];
                if (d->count > 1)
                        snprintf(name, sizeof(name), "d%" PRIu32 "%" PRIu32, f->device,
                                 f->instance % d->count);
                else
                        snprintf(name, sizeof(name), "d%" PRIu32, f->device);
                uint64_t at = f->at_us > d->attach_us ? f->at_us : d->attach_us + 1;
                put(&t, "%s  - {at: %" PRIu64 "us, device: %s, mode: %s",
                    nfaults ? "" : "faults:\n", at, name, mode_names[f->mode]);
                if (f->for_us && f->mode != SWARM_REMOVE)
                        put(&t, ", for: %" PRIu64 "us", f->for_us);
                if (f->mode == SWARM_SLOW)
                        put(&t, ", factor: 3");
                if (f->mode == SWARM_FLAKY)
                        put(&t, ", probability: 0.3");
                put(&t, "}\n");
                nfaults++;
        }
        if (t.oom) {
                free(t.buf);
                return NULL;
        }
        return t.buf;
}

/*
 * sim/load/arrivals.c - how much a run simulates: the arrivals each class
 * is expected to make in a replication, from its rate, its on-off phases,
 * its closed loop's cycle or its trace's rows (docs/scenarios.md, "How
 * much a run simulates"). The limits (sim/load/limits.c) weigh them.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sim/load/loader.h"

/* Returns the mean lane time (ns) of op on a device entry at the mean
 * size, its gap included, or -1 when the entry does not declare op. */
static double op_mean_ns(const struct scenario_device *d, const char *op, double bytes)
{
        for (size_t k = 0; k < d->model.nops; k++) {
                const struct device_op_config *o = &d->model.ops[k];
                if (strcmp(o->name, op) != 0)
                        continue;
                if (o->has_service)
                        return dist_mean(&o->service) + o->gap_ns;
                double t = o->setup_ns + (o->rate > 0 ? bytes / o->rate : 0);
                return (o->has_jitter ? t * dist_mean(&o->jitter) : t) + o->gap_ns;
        }
        return -1;
}

/* Returns the largest value d can draw: infinite for the unbounded kinds. */
static double dist_max(const struct dist *d)
{
        double m = 0;
        switch (d->kind) {
        case DIST_CONSTANT:
                return d->a;
        case DIST_UNIFORM:
                return d->b;
        case DIST_EMPIRICAL:
                for (size_t i = 0; i < d->n; i++)
                        m = fmax(m, d->values[i]);
                return m;
        case DIST_IMIX:
                return 1500;
        default:
                return INFINITY;
        }
}

/* Returns true when the watchdog may fail a healthy device: some stage may
 * stay on it longer than engine.failover.timeout, its own service (at the
 * largest size of the closed classes) after the ring ahead of it. */
static bool watchdog_may_fire(const struct scenario *s)
{
        uint64_t timeout = s->engine.failover.timeout_ns;
        if (timeout == 0)
                return false;
        double bytes = 0;
        for (size_t i = 0; i < s->nclasses; i++)
                bytes = fmax(bytes, dist_max(&s->classes[i].size));
        for (size_t i = 0; i < s->ndevices; i++) {
                const struct device_config *m = &s->devices[i].model;
                double waits = ceil((double)m->ring / m->lanes);
                for (size_t k = 0; k < m->nops; k++) {
                        const struct device_op_config *o = &m->ops[k];
                        double t = o->has_service
                                       ? dist_max(&o->service)
                                       : (o->setup_ns + (o->rate > 0 ? bytes / o->rate : 0)) *
                                             (o->has_jitter ? dist_max(&o->jitter) : 1);
                        t += o->latency_ns + o->gap_ns + /* held, or the lane kept */
                             (o->has_wakeup_dist ? dist_max(&o->wakeup_dist) : o->wakeup_ns);
                        if (!(t * waits <= (double)timeout))
                                return true;
                }
        }
        return false;
}

/* Returns true when a closed client's request may be refused at submit,
 * at the instant it is issued: when an open class shares the queues, when
 * the closed clients outnumber engine.queue.backlog (the queues and the
 * backlog can fill), or when a device may be missing (attach, faults,
 * failures, a stage that may outlast the watchdog). A refused client
 * thinks and issues again; with no think time it would do so at one
 * instant forever. */
bool load_may_refuse(const struct scenario *s)
{
        uint64_t clients = 0;
        for (size_t i = 0; i < s->nclasses; i++) {
                if (s->classes[i].arrival.process != ARRIVAL_CLOSED)
                        return true;
                clients += s->classes[i].arrival.clients;
        }
        if (clients > s->engine.backlog || s->nfaults > 0 || watchdog_may_fire(s))
                return true;
        for (size_t i = 0; i < s->ndevices; i++)
                if (s->devices[i].attach_ns || s->devices[i].model.nfailures)
                        return true;
        return false;
}

/* Returns the requests per second a closed class can at most make: its
 * clients over the shortest cycle (think plus the fastest device of each
 * stage), and no more than its slowest stage's devices serve (lanes over the
 * mean time, summed over the capable devices). Infinite when a cycle can
 * take no time at all. */
static double closed_rate(const struct scenario *s, const struct workload_class_config *c)
{
        double bytes = dist_mean(&c->size), cycle = dist_mean(&c->arrival.think);
        double serve = INFINITY;
        for (size_t k = 0; k < c->nchain; k++) {
                double fastest = INFINITY, stage = 0;
                for (size_t i = 0; i < s->ndevices; i++) {
                        double t = op_mean_ns(&s->devices[i], c->chain[k], bytes);
                        if (t < 0)
                                continue;
                        fastest = fmin(fastest, t);
                        stage += t > 0 ? (double)s->devices[i].count * s->devices[i].model.lanes *
                                             1e9 / t
                                       : INFINITY;
                }
                cycle += fastest;
                serve = fmin(serve, stage);
        }
        double think = dist_mean(&c->arrival.think);
        if (load_may_refuse(s)) /* a refused request takes no time */
                return think > 0 ? (double)c->arrival.clients * 1e9 / think : INFINITY;
        double clients = cycle > 0 ? (double)c->arrival.clients * 1e9 / cycle : INFINITY;
        return fmin(clients, serve);
}

/* Returns the arrivals class c is expected to make in one replication. */
double load_class_arrivals(const struct scenario *s, const struct workload_class_config *c)
{
        const struct arrival_config *a = &c->arrival;
        double secs = (double)s->run.duration_ns / 1e9;
        switch (a->process) {
        case ARRIVAL_POISSON:
        case ARRIVAL_CONSTANT:
                return a->rate * secs;
        case ARRIVAL_ONOFF: /* with its phase changes, each an event as well */
                return (a->rate_on * a->mean_on_ns + a->rate_off * a->mean_off_ns) /
                           (a->mean_on_ns + a->mean_off_ns) * secs +
                       2.0 * (double)s->run.duration_ns / (a->mean_on_ns + a->mean_off_ns);
        case ARRIVAL_CLOSED:
                return closed_rate(s, c) * secs;
        case ARRIVAL_TRACE:
                return (double)a->trace.n;
        }
        return 0;
}

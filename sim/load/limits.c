/*
 * sim/load/limits.c - the checks of the whole scenario against the bounds
 * of sim/load/limits.h: how long a run lasts, how many devices and ring
 * slots, arrivals, failure episodes, probes, trace rows and results in
 * memory. Each check estimates what a run would cost from the read
 * scenario, refuses more than its bound, and points at the key that made
 * it big (docs/scenarios.md gives every bound and why). What is allocated
 * up front is checked here; the requests a run holds are not, since the
 * configured bounds (engine.queue.depth, backlog, ring) say nothing of how
 * many a run holds: run.memory bounds them as the run goes.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/load/loader.h"
#include "sim/load/scenario_load.h"
#include "sim/run/results.h"
#include "sim/run/run.h"
#include "sim/run/series.h"

/* a + b, or UINT64_MAX when it does not fit. */
static uint64_t add_sat(uint64_t a, uint64_t b)
{
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* The drain cap is run.drain, else sim_run_drain_cap's default, the
 * larger of 1 s and 4 x (retries + 1) x (timeout + probe), computed here
 * without wrapping. */
void load_check_run_end(struct doc_node *root, const struct scenario *s)
{
        struct doc_node *run = doc_get_map(root, "run", DOC_OPTIONAL);
        const struct ac_failover_config *f = &s->engine.failover;
        uint64_t cap = s->run.drain_cap_ns;
        if (cap == 0) {
                uint64_t per = add_sat(f->timeout_ns, f->probe_ns);
                uint64_t times = 4 * ((uint64_t)f->retries + 1);
                cap = per > UINT64_MAX / times ? UINT64_MAX : per * times;
                if (cap < 1000000000u)
                        cap = 1000000000u;
        }
        if (add_sat(s->run.duration_ns, cap) < SCENARIO_MAX_RUN_END)
                return;
        /* Point at what made it long: run.drain, else the larger of the
         * failover times when the default cap is above 1 s, else the
         * duration. */
        struct doc_node *at = doc_get(run, "drain", DOC_OPTIONAL);
        if (at == NULL && cap > 1000000000u) {
                struct doc_node *fo = doc_get_map(doc_get_map(root, "engine", DOC_OPTIONAL),
                                                  "failover", DOC_OPTIONAL);
                at = doc_get(fo, f->probe_ns > f->timeout_ns ? "probe" : "timeout", DOC_OPTIONAL);
        }
        if (at == NULL)
                at = doc_get(run, "duration", DOC_OPTIONAL);
        doc_error(at ? at : root,
                  "run.duration plus the drain cap (run.drain, else 4 x (retries + 1) x "
                  "(timeout + probe) of engine.failover) below 2^63 ns (about 292 years)");
}

int load_check_devices(struct loader *l, struct doc_node *seq)
{
        size_t total = 0;
        for (size_t i = 0; i < l->s->ndevices; i++) {
                total += l->s->devices[i].count;
                if (total > SCENARIO_MAX_DEVICES) {
                        doc_error(doc_get(doc_at(seq, i), "count", DOC_OPTIONAL)
                                      ? doc_get(doc_at(seq, i), "count", DOC_OPTIONAL)
                                      : doc_at(seq, i),
                                  "at most %d devices in all", SCENARIO_MAX_DEVICES);
                        return -1;
                }
        }
        uint64_t slots = 0;
        for (size_t i = 0; i < l->s->ndevices; i++) {
                const struct scenario_device *d = &l->s->devices[i];
                slots += (uint64_t)d->count * d->model.ring;
                if (slots <= SCENARIO_MAX_RING_ALL)
                        continue;
                /* Point at what made it big: the ring, else the lanes it
                 * defaults to, else the count. */
                struct doc_node *dn = doc_at(seq, i), *at = doc_get(dn, "ring", DOC_OPTIONAL);
                if (!at)
                        at = doc_get(dn, "lanes", DOC_OPTIONAL);
                if (!at)
                        at = doc_get(dn, "count", DOC_OPTIONAL);
                doc_error(at ? at : dn,
                          "at most %d ring slots over all devices, count x ring (each is "
                          "preallocated; devices[%zu] brings them to %llu)",
                          SCENARIO_MAX_RING_ALL, i, (unsigned long long)slots);
                return -1;
        }
        return 0;
}

/* The key that sets a class's pace: rate, rate_on, think (else clients),
 * file. */
static struct doc_node *pace_node(struct doc_node *cn, const struct workload_class_config *c)
{
        struct doc_node *m = doc_get_map(cn, "arrival", DOC_OPTIONAL);
        struct doc_node *at = NULL;
        switch (c->arrival.process) {
        case ARRIVAL_POISSON:
        case ARRIVAL_CONSTANT:
                at = doc_get(m, "rate", DOC_OPTIONAL);
                break;
        case ARRIVAL_ONOFF: /* the rate, or the phases when they change more often */
                at =
                    doc_get(m, c->arrival.rate_on * c->arrival.mean_on_ns >= 2e9 ? "rate_on" : "on",
                            DOC_OPTIONAL);
                break;
        case ARRIVAL_CLOSED:
                at = doc_get(m, "think", DOC_OPTIONAL);
                if (!at)
                        at = doc_get(m, "clients", DOC_OPTIONAL);
                break;
        case ARRIVAL_TRACE:
                at = doc_get(m, "file", DOC_OPTIONAL);
                break;
        }
        return at ? at : m ? m : cn;
}

/* Refuses a run expected to make more than SCENARIO_MAX_ARRIVALS arrivals
 * over all classes and replications: at some ten million events a second
 * it would take days to years (or never end: a closed loop whose cycle
 * takes no time). The error points at the pace of the busiest class. */
static void check_arrivals(struct loader *l, struct doc_node *root)
{
        struct doc_node *seq = doc_get_seq(root, "workload", DOC_OPTIONAL);
        double total = 0, most = -1;
        size_t busiest = 0;
        for (size_t i = 0; i < l->s->nclasses; i++) {
                double n =
                    load_class_arrivals(l->s, &l->s->classes[i]) * scenario_most_replications(l->s);
                total += n;
                if (!(n <= most)) {
                        most = n;
                        busiest = i;
                }
        }
        if (total <= SCENARIO_MAX_ARRIVALS)
                return;
        const struct workload_class_config *c = &l->s->classes[busiest];
        struct doc_node *at = pace_node(doc_at(seq, busiest), c);
        if (c->arrival.process == ARRIVAL_CLOSED && isinf(most) && load_may_refuse(l->s))
                doc_error(at, "a think time above 0: a client refused at once (queue and backlog "
                              "full, or no device left for its chain) would issue again at the "
                              "same instant forever. Without one, every closed client must fit "
                              "in engine.queue.backlog, with no open class, fault, failure, "
                              "attach or stage that may outlast engine.failover.timeout");
        else if (c->arrival.process == ARRIVAL_CLOSED && isinf(most))
                doc_error(at, "a closed loop that takes time (think + the service of its chain "
                              "is 0 here: the clients would cycle forever at one instant)");
        else if (c->arrival.process == ARRIVAL_CLOSED)
                doc_error(at,
                          "at most 1e10 arrivals in the run, summed over classes and "
                          "replications (a closed class makes at most clients / think when its "
                          "requests may be refused, else clients / (think + service) and no "
                          "more than its devices serve): about %.3g here, a run of days or "
                          "years",
                          total);
        else
                doc_error(at,
                          "at most 1e10 arrivals in the run (rate x duration x replications, "
                          "summed over classes; on-off phase changes count too): about %.3g "
                          "here, a run of days or years",
                          total);
}

/* Refuses failure processes expected to fail devices more than
 * SCENARIO_MAX_EPISODES times in one replication (count x run.duration /
 * (mtbf + mttr), summed): each episode is a row of the fault timeline, kept in
 * memory and written to faults.csv, and a few events. The error points at
 * the mtbf of the busiest process. */
static void check_failures(struct loader *l, struct doc_node *root)
{
        struct doc_node *seq = doc_get_seq(root, "devices", DOC_OPTIONAL);
        double total = 0, most = -1;
        struct doc_node *at = NULL;
        for (size_t i = 0; i < l->s->ndevices; i++) {
                const struct scenario_device *d = &l->s->devices[i];
                for (size_t k = 0; k < d->model.nfailures; k++) {
                        const struct device_failure_config *f = &d->model.failures[k];
                        if (f->mode == DEVICE_FAULT_FLAKY)
                                continue;
                        double cycle = dist_mean(&f->ttf) + dist_mean(&f->ttr);
                        double n =
                            cycle > 0 ? d->count * (double)l->s->run.duration_ns / cycle : INFINITY;
                        total += n;
                        if (!(n <= most)) {
                                most = n;
                                at = doc_get(
                                    doc_at(doc_get_seq(doc_at(seq, i), "failures", DOC_OPTIONAL),
                                           k),
                                    "mtbf", DOC_OPTIONAL);
                        }
                }
        }
        if (total <= SCENARIO_MAX_EPISODES)
                return;
        doc_error(at ? at : root,
                  "at most 1e6 failure episodes in a replication, summed over devices (count x "
                  "run.duration / (mtbf + mttr)): about %.3g here, each a row of the fault "
                  "timeline",
                  total);
}

/* Refuses a probe interval that would probe failed devices more than
 * SCENARIO_MAX_PROBES times in the run (devices x run.duration / probe x
 * replications, as if every device were failed throughout): a probe every
 * nanosecond costs more than the requests themselves. */
static void check_probes(struct loader *l, struct doc_node *root)
{
        uint64_t probe = l->s->engine.failover.probe_ns;
        if (probe == 0)
                return;
        double n = (double)scenario_device_total(l->s) * (double)l->s->run.duration_ns /
                   (double)probe * scenario_most_replications(l->s);
        if (n <= SCENARIO_MAX_PROBES)
                return;
        struct doc_node *fo =
            doc_get_map(doc_get_map(root, "engine", DOC_OPTIONAL), "failover", DOC_OPTIONAL);
        struct doc_node *at = doc_get(fo, "probe", DOC_OPTIONAL);
        doc_error(at ? at : root,
                  "at most 1e10 probes in the run (devices x run.duration / probe x "
                  "replications): about %.3g here, a run of days or years",
                  n);
}

uint32_t scenario_most_replications(const struct scenario *s)
{
        const struct scenario_run *r = &s->run;
        return r->nprecision && r->max_replications > r->replications ? r->max_replications
                                                                      : r->replications;
}

double scenario_trace_rows(const struct scenario *s, uint32_t replications)
{
        double per = 0;
        for (size_t i = 0; i < s->nclasses; i++)
                per += load_class_arrivals(s, &s->classes[i]);
        return fmin(per, (double)s->run.trace_limit) * replications;
}

/* Refuses a trace expected to write more than SCENARIO_MAX_TRACE_ROWS rows
 * (trace.csv streams to disk). */
static void check_trace(struct loader *l, struct doc_node *root)
{
        if (!l->s->run.trace)
                return;
        double rows = scenario_trace_rows(l->s, scenario_most_replications(l->s));
        if (rows <= SCENARIO_MAX_TRACE_ROWS)
                return;
        struct doc_node *run = doc_get_map(root, "run", DOC_OPTIONAL);
        struct doc_node *at = doc_get(run, "trace_limit", DOC_OPTIONAL);
        if (!at)
                at = doc_get(run, "trace", DOC_OPTIONAL);
        doc_error(at ? at : root,
                  "at most 1e8 rows of trace.csv, about 6 GB (the lesser of run.trace_limit and "
                  "the arrivals of a replication, x replications): about %.3g here",
                  rows);
}

/* Refuses results that would hold more than SCENARIO_MAX_RESULT_BYTES in
 * memory: every replication keeps them until they are written -- its time
 * series (a row of counters, a record per device and a latency record for
 * the run and for each class each, as many rows as
 * sim_series_rows() says the run keeps) and a latency histogram for the
 * run and for each class. The error points at
 * run.sample when the series is the larger part, else at
 * run.replications, else at the workload. */
static void check_series(struct loader *l, struct doc_node *root)
{
        const struct scenario_run *r = &l->s->run;
        uint64_t interval;
        uint64_t rows = sim_series_rows(r->duration_ns, r->sample_ns, &interval);
        double row = (double)sim_series_row_bytes(scenario_device_total(l->s), l->s->nclasses);
        double series = (double)rows * row;
        double hists = (double)(l->s->nclasses + 1) * sizeof(struct hist);
        double bytes = (series + hists) * scenario_most_replications(l->s);
        if (bytes <= SCENARIO_MAX_RESULT_BYTES)
                return;
        struct doc_node *run = doc_get_map(root, "run", DOC_OPTIONAL);
        struct doc_node *at = series >= hists ? doc_get(run, "sample", DOC_OPTIONAL) : NULL;
        if (!at)
                at = doc_get(run, "replications", DOC_OPTIONAL);
        if (!at)
                at = doc_get(root, series >= hists ? "devices" : "workload", DOC_OPTIONAL);
        doc_error(at ? at : root,
                  "at most 2 GiB of results in memory, replications x (time series rows x (%zu + "
                  "%zu x devices + %zu x (classes + 1)) + (classes + 1) x %zu) bytes, rows = "
                  "run.duration / run.sample up to %d: %llu x (%llu x %zu devices + %zu classes) "
                  "is about %.3g GiB",
                  sizeof(struct sim_series_row), sizeof(struct sim_series_device),
                  sizeof(struct sim_series_latency), sizeof(struct hist), SIM_SERIES_MAX_ROWS,
                  (unsigned long long)scenario_most_replications(l->s), (unsigned long long)rows,
                  scenario_device_total(l->s), l->s->nclasses, bytes / 1073741824.0);
}

void load_check_limits(struct loader *l, struct doc_node *root)
{
        check_arrivals(l, root);
        check_failures(l, root);
        check_probes(l, root);
        check_trace(l, root);
        check_series(l, root);
}

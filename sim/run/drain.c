/*
 * sim/run/drain.c - the end of a replication: the drain (no more arrivals;
 * run until every request has had its callback, at most the drain cap),
 * the figures read at the end (struct sim_results from the run's counts,
 * the core's and the models'), and the conservation check.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim/run/replication.h"
#include "sim/run/run.h"

uint64_t sim_run_drain_cap(const struct scenario *s)
{
        if (s->run.drain_cap_ns)
                return s->run.drain_cap_ns;
        const struct ac_failover_config *f = &s->engine.failover;
        uint64_t cap = 4 * ((uint64_t)f->retries + 1) * (f->timeout_ns + f->probe_ns);
        return cap > 1000000000u ? cap : 1000000000u;
}

void run_drain(struct replication *run)
{
        workload_stop(run->wl);
        sim_cancel(run->loop, &run->sample_ev);
        run->draining = true;
        if (run->outstanding > 0)
                sim_run_until(run->loop, run->duration + sim_run_drain_cap(run->s));
        if (run->outstanding > 0) {
                run->res->drain_capped = true;
                run->res->unfinished = run->outstanding;
        }
}

int run_fill_results(struct replication *run)
{
        struct sim_results *res = run->res;
        double window_s = (double)(run->duration - run->warmup) * 1e-9;
        struct ac_engine_stats es;
        ac_engine_get_stats(run->core, &es);
        res->sim_time_ns = sim_now(run->loop);
        res->events = sim_events_fired(run->loop);
        res->late = es.late;
        res->timeouts = es.timeouts;
        res->order_hash = run->hash;
        res->arrival_hash = run->arrival_hash;
        sim_latency_from_hist(&res->latency, &res->hist);
        if (run->nclasses == 1) { /* request_done() and emit() kept one set for both */
                res->classes[0].hist = res->hist;
                res->classes[0].requests = res->requests;
                run->classes[0].all = res->all;
                run->classes[0].window_completed = run->window_completed;
                run->classes[0].window_bytes = run->window_bytes;
        }
        res->requests_per_s = (double)run->window_completed / window_s;
        res->bytes_per_s = (double)run->window_bytes / window_s;
        res->arrivals_per_s = (double)run->window_arrivals / window_s;
        for (size_t i = 0; i < run->nclasses; i++) {
                struct sim_class_result *cr = &res->classes[i];
                sim_latency_from_hist(&cr->latency, &cr->hist);
                cr->requests_per_s = (double)run->classes[i].window_completed / window_s;
                cr->bytes_per_s = (double)run->classes[i].window_bytes / window_s;
        }

        size_t nfaults = 0;
        for (size_t i = 0; i < run->ndevices; i++) {
                struct run_device *d = &run->devices[i];
                struct sim_device_result *dr = &res->devices[i];
                struct ac_device_stats st;
                struct device_model_stats ms;
                dr->lanes = d->cfg.lanes;
                dr->ring = d->cfg.ring;
                if (!d->attached) /* its time came after the drain, or never */
                        continue;
                ac_device_get_stats(d->sd.dev, &st);
                device_model_stats(d->sd.model, &ms);
                dr->utilization = d->utilization;
                dr->mean_queue = d->mean_queue;
                dr->mean_in_flight = d->mean_in_flight;
                sim_device_result_counts(dr, &st, &d->at_warmup);
                dr->dropped = ms.dropped - d->model_at_warmup.dropped;
                dr->failed_ns = st.failed_ns;
                size_t n;
                device_model_timeline(d->sd.model, &n);
                nfaults += n;
        }
        res->faults = calloc(nfaults ? nfaults : 1, sizeof(*res->faults));
        if (!res->faults)
                return AC_ENOMEM;
        for (size_t i = 0; i < run->ndevices; i++) {
                size_t n;
                if (!run->devices[i].attached)
                        continue;
                const struct device_fault_record *t =
                    device_model_timeline(run->devices[i].sd.model, &n);
                for (size_t j = 0; j < n; j++)
                        res->faults[res->nfaults++] =
                            (struct sim_fault_result){.device = i, .record = t[j]};
        }
        run_detect_faults(res);
        return 0;
}

void run_check_conservation(const struct replication *run)
{
        const struct sim_results *res = run->res;
        struct ac_engine_stats es;
        ac_engine_get_stats(run->core, &es);
        assert(run->outstanding == 0);
        assert(ac_engine_idle(run->core));
        assert(res->all.submitted == res->all.completed + res->all.failed + res->all.rejected);
        assert(res->requests.submitted ==
               res->requests.completed + res->requests.failed + res->requests.rejected);
        assert(es.submitted == res->all.submitted && es.completed == res->all.completed &&
               es.failed == res->all.failed && es.rejected == res->all.rejected);
        for (size_t i = 0; i < run->nclasses; i++) {
                const struct sim_counts *c = &run->classes[i].all;
                assert(c->submitted == c->completed + c->failed + c->rejected);
                (void)c;
        }
        (void)res;
        (void)es;
}

/*
 * test_run_series.c - what a replication reports over time: the latency
 * of each sample interval (against the exact latencies of the trace and
 * against hist_quantile), the device events the core's observer told
 * (against the core's own counters and the fault schedule), and when each
 * fault window was detected and its device recovered.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ac/observer.h"
#include "sim/des/rng.h"
#include "sim/run/run.h"
#include "sim/run/series.h"
#include "support/tscen.h"

#define MS 1000000ull
#define US 1000ull

/* Two cards of 4 lanes, two classes (one with a two-stage chain). */
static void two_cards(struct scenario *s, uint64_t duration)
{
        tscen_init(s, 1234, duration, 0);
        scenario_set_text(&s->name, "series");
        scenario_set_text(&s->engine.policy, "least-loaded");
        struct scenario_device *d = tscen_device(s, "qat", 4, 8);
        d->count = 2;
        struct device_op_config *enc = tscen_linear(d, "enc", 400, 4.0 /* bytes per ns */);
        enc->has_jitter = true;
        enc->jitter = (struct dist){.kind = DIST_LOGNORMAL, .a = 1, .b = 0.3};
        tscen_service(d, "mac", (struct dist){.kind = DIST_EXPONENTIAL, .a = 600});
        const char *chain[] = {"enc", "mac"};
        struct dist size = {.kind = DIST_UNIFORM, .a = 64, .b = 4096};
        tscen_class(s, "bulk", chain, 2, 1.0e6, size)->flows = 16;
        tscen_class(s, "small", chain, 1, 1.5e6, size)->flows = 16;
}

/* ---- the latency of one interval ----------------------------------------- */

Test(series, an_interval_reads_as_hist_quantile_and_starts_empty)
{
        gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(g, 99);
        static struct hist h, ref;
        hist_init(&h);
        for (int round = 0; round < 5; round++) {
                hist_init(&ref);
                size_t n = 1 + (size_t)round * 2000;
                for (size_t i = 0; i < n; i++) {
                        /* a spread over six decades, as a fault makes */
                        uint64_t v = (uint64_t)(100 * pow(10, 6 * gsl_rng_uniform(g)));
                        hist_add(&h, v);
                        hist_add(&ref, v);
                }
                struct sim_series_latency l;
                sim_series_cut_latency(&h, &l);
                cr_assert_eq(l.count, ref.count);
                cr_assert_eq(l.max_ns, ref.max);
                cr_assert_eq(l.p50_ns, hist_quantile(&ref, 0.50), "round %d", round);
                cr_assert_eq(l.p99_ns, hist_quantile(&ref, 0.99), "round %d", round);
                cr_assert_eq(l.p999_ns, hist_quantile(&ref, 0.999), "round %d", round);
                /* emptied as hist_init() would, buckets and all */
                cr_assert_eq(h.count, 0);
                cr_assert_eq(h.min, UINT64_MAX);
                cr_assert_eq(h.max, 0);
                for (size_t i = 0; i < HIST_BUCKETS; i++)
                        cr_assert_eq(h.bucket[i], 0, "bucket %zu left at %" PRIu64, i, h.bucket[i]);
        }
        struct sim_series_latency none;
        sim_series_cut_latency(&h, &none);
        cr_assert_eq(none.count + none.p50_ns + none.p999_ns + none.max_ns, 0);
        gsl_rng_free(g);
}

/* ---- the intervals of a run against its trace ------------------------------ */

struct done {
        uint64_t t, latency;
        int cls; /* 0 bulk, 1 small */
};

static int by_latency(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

/* The exact nearest-rank q-quantile of v[0..n) (sorted). */
static uint64_t exact(const uint64_t *v, size_t n, double q)
{
        double r = ceil(q * (double)n);
        size_t rank = r < 1 ? 1 : r > (double)n ? n : (size_t)r;
        return v[rank - 1];
}

static void within(uint64_t got, uint64_t want, const char *what, size_t row)
{
        double err = fabs((double)got - (double)want) / (double)want;
        cr_assert_leq(err, HIST_REL_ERROR, "row %zu %s: %" PRIu64 " against exact %" PRIu64, row,
                      what, got, want);
}

Test(series, each_interval_holds_its_callbacks_latencies)
{
        struct scenario s;
        struct sim_results r;
        two_cards(&s, 5 * MS);
        s.run.sample_ns = 250 * US;
        s.run.trace = true;
        tscen_prepare(&s);
        tscen_run(&s, 0, &r);
        cr_assert_not(r.drain_capped);
        const struct sim_series *se = &r.series;
        cr_assert_eq(se->nlatency, 3, "all, bulk, small");

        /* the callbacks of the trace */
        struct done *d = malloc((size_t)r.trace_rows * sizeof(*d));
        size_t nd = 0;
        char line[1024];
        rewind(r.trace);
        while (fgets(line, sizeof(line), r.trace)) {
                char cls[64];
                uint64_t submit, done, latency;
                unsigned rep, prio;
                uint64_t id, flow, bytes;
                int measured;
                if (sscanf(line,
                           "%u,%" SCNu64 ",%63[^,],%" SCNu64 ",%u,%" SCNu64 ",%d,%" SCNu64
                           ",%" SCNu64 ",%" SCNu64,
                           &rep, &id, cls, &flow, &prio, &bytes, &measured, &submit, &done,
                           &latency) != 10)
                        continue; /* a rejection */
                d[nd++] = (struct done){done, latency, strcmp(cls, "small") == 0};
        }
        cr_assert_eq(nd, r.all.completed + r.all.failed, "every callback is traced");

        uint64_t counted = 0, *v = malloc(nd * sizeof(*v));
        for (size_t row = 0; row < se->nrows; row++) {
                uint64_t hi = se->rows[row].t_ns, lo = hi - se->interval_ns;
                const struct sim_series_latency *lat = &se->latency[row * se->nlatency];
                for (int k = -1; k < 2; k++) {
                        size_t n = 0;
                        for (size_t i = 0; i < nd; i++)
                                if (d[i].t > lo && d[i].t <= hi && (k < 0 || d[i].cls == k))
                                        v[n++] = d[i].latency;
                        const struct sim_series_latency *l = &lat[k + 1];
                        cr_assert_eq(l->count, n, "row %zu entity %d", row, k + 1);
                        if (n == 0)
                                continue;
                        qsort(v, n, sizeof(*v), by_latency);
                        cr_assert_eq(l->max_ns, v[n - 1]);
                        within(l->p50_ns, exact(v, n, 0.5), "p50", row);
                        within(l->p99_ns, exact(v, n, 0.99), "p99", row);
                        within(l->p999_ns, exact(v, n, 0.999), "p99.9", row);
                }
                cr_assert_eq(lat[0].count, lat[1].count + lat[2].count);
                cr_assert_eq(lat[0].count, se->rows[row].completed + se->rows[row].failed,
                             "row %zu: one latency per callback", row);
                counted += lat[0].count;
        }
        /* the callbacks after the last row are the drain's */
        size_t drained = 0;
        for (size_t i = 0; i < nd; i++)
                drained += d[i].t > r.duration_ns;
        cr_assert_gt(counted, 10000);
        cr_assert_eq(counted + drained, r.all.completed + r.all.failed);
        free(v);
        free(d);
        sim_results_free(&r);
        scenario_free(&s);
}

/* ---- device events and fault windows --------------------------------------- */

/* A hang on qat0 at 3-4 ms caught by a 50 us watchdog, and a flaky spell
 * on qat1 at 2-6 ms that two errors in a row declare. */
static void two_faults(struct scenario *s)
{
        two_cards(s, 10 * MS);
        s->run.sample_ns = 100 * US;
        s->engine.failover.timeout_ns = 50 * US;
        s->engine.failover.probe_ns = 200 * US;
        s->engine.failover.errors_to_fail = 2;
        scenario_add_fault(s, "qat0")->fault =
            (struct device_fault_config){.at_ns = 3 * MS, .for_ns = MS, .mode = DEVICE_FAULT_HANG};
        scenario_add_fault(s, "qat1")->fault = (struct device_fault_config){
            .at_ns = 2 * MS, .for_ns = 4 * MS, .mode = DEVICE_FAULT_FLAKY, .probability = 0.2};
}

Test(series, device_events_agree_with_the_core_and_the_faults)
{
        struct scenario s;
        struct sim_results r;
        two_faults(&s);
        tscen_prepare(&s);
        tscen_run(&s, 0, &r);
        cr_assert_not(r.drain_capped);
        tscen_assert_conserved(&r.all);

        size_t added = 0, failed[2] = {0}, watchdog = 0, errors = 0;
        uint64_t down_since[2] = {0}, down[2] = {0}, last = 0;
        bool is_down[2] = {false, false};
        for (size_t i = 0; i < r.ndevice_events; i++) {
                const struct sim_device_event *e = &r.device_events[i];
                cr_assert_geq(e->t_ns, last, "events in time order");
                last = e->t_ns;
                cr_assert_lt(e->device, r.ndevices);
                switch (e->point) {
                case AC_DEVICE_ADDED:
                        cr_assert_eq(e->t_ns, 0);
                        added++;
                        break;
                case AC_DEVICE_FAILED:
                        cr_assert_not(is_down[e->device], "failed twice without recovering");
                        failed[e->device]++;
                        watchdog += e->cause == AC_FAIL_WATCHDOG;
                        errors += e->cause == AC_FAIL_ERRORS;
                        /* only a fault can fail a card: inside its window,
                         * or a watchdog after a hang's last stuck stage */
                        if (e->device == 0)
                                cr_assert(e->t_ns >= 3 * MS && e->t_ns <= 4 * MS + 50 * US);
                        else
                                cr_assert(e->t_ns >= 2 * MS && e->t_ns <= 6 * MS);
                        is_down[e->device] = true;
                        down_since[e->device] = e->t_ns;
                        break;
                case AC_DEVICE_RECOVERED:
                        cr_assert(is_down[e->device]);
                        is_down[e->device] = false;
                        down[e->device] += e->t_ns - down_since[e->device];
                        break;
                default:
                        break;
                }
        }
        cr_assert_eq(added, 2);
        cr_assert_eq(watchdog, failed[0], "the hang is the watchdog's");
        cr_assert_eq(errors, failed[1], "the flaky spell is the error count's");
        for (size_t k = 0; k < 2; k++) {
                cr_assert_not(is_down[k], "device %zu came back", k);
                cr_assert_eq(failed[k], r.devices[k].failures, "device %zu", k);
                cr_assert_eq(down[k], r.devices[k].failed_ns,
                             "device %zu: time failed by the events is the core's", k);
        }
        cr_assert_gt(failed[1], 0);

        /* each window: detected by the first FAILED in it, recovered by a
         * RECOVERED after its end */
        cr_assert_eq(r.nfaults, 2);
        for (size_t f = 0; f < r.nfaults; f++) {
                const struct sim_fault_result *fr = &r.faults[f];
                cr_assert_neq(fr->detected_ns, UINT64_MAX);
                cr_assert_neq(fr->recovered_ns, UINT64_MAX);
                cr_assert_geq(fr->detected_ns, fr->record.start_ns);
                cr_assert_geq(fr->recovered_ns, fr->record.end_ns);
                bool first = true, back = false;
                for (size_t i = 0; i < r.ndevice_events; i++) {
                        const struct sim_device_event *e = &r.device_events[i];
                        if (e->device != fr->device)
                                continue;
                        if (e->point == AC_DEVICE_FAILED && first) {
                                cr_assert_eq(e->t_ns, fr->detected_ns, "window %zu", f);
                                first = false;
                        }
                        if (e->point == AC_DEVICE_RECOVERED && e->t_ns == fr->recovered_ns)
                                back = true;
                }
                cr_assert(back, "window %zu: its recovery is an event", f);
        }
        /* the hang: the watchdog needs its timeout after the last stage
         * submitted before the hang, and a probe after the end */
        const struct sim_fault_result *hang =
            r.faults[0].record.mode == DEVICE_FAULT_HANG ? &r.faults[0] : &r.faults[1];
        cr_assert_leq(hang->detected_ns - hang->record.start_ns, 50 * US + 10 * US);
        cr_assert_leq(hang->recovered_ns - hang->record.end_ns, 200 * US);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(series, a_window_on_a_failed_device_is_not_its_detection)
{
        struct scenario s;
        struct sim_results r;
        two_faults(&s);
        /* a second hang on qat0 while the watchdog has it failed */
        scenario_add_fault(&s, "qat0")->fault = (struct device_fault_config){
            .at_ns = 3500 * US, .for_ns = 100 * US, .mode = DEVICE_FAULT_HANG};
        tscen_prepare(&s);
        tscen_run(&s, 0, &r);
        size_t seen = 0;
        for (size_t f = 0; f < r.nfaults; f++) {
                const struct sim_fault_result *fr = &r.faults[f];
                if (fr->device != 0)
                        continue;
                seen++;
                if (fr->record.start_ns == 3500 * US) {
                        cr_assert_eq(fr->detected_ns, UINT64_MAX);
                        cr_assert_eq(fr->recovered_ns, UINT64_MAX);
                } else {
                        cr_assert_lt(fr->detected_ns, 3500 * US, "the first hang's");
                }
        }
        cr_assert_eq(seen, 2);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(series, the_same_seed_gives_the_same_intervals_and_events)
{
        struct scenario s;
        struct sim_results a, b;
        two_faults(&s);
        tscen_prepare(&s);
        tscen_run(&s, 3, &a);
        tscen_run(&s, 3, &b);
        cr_assert_eq(a.series.nrows, b.series.nrows);
        cr_assert_eq(memcmp(a.series.latency, b.series.latency,
                            a.series.nrows * a.series.nlatency * sizeof(*a.series.latency)),
                     0);
        cr_assert_eq(a.ndevice_events, b.ndevice_events);
        cr_assert_gt(a.ndevice_events, 4);
        for (size_t i = 0; i < a.ndevice_events; i++) {
                const struct sim_device_event *x = &a.device_events[i], *y = &b.device_events[i];
                cr_assert(x->t_ns == y->t_ns && x->device == y->device && x->point == y->point &&
                              x->cause == y->cause && x->status == y->status,
                          "event %zu", i);
        }
        for (size_t f = 0; f < a.nfaults; f++) {
                cr_assert_eq(a.faults[f].detected_ns, b.faults[f].detected_ns);
                cr_assert_eq(a.faults[f].recovered_ns, b.faults[f].recovered_ns);
        }
        sim_results_free(&a);
        sim_results_free(&b);
        scenario_free(&s);
}

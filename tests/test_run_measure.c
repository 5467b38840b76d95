/*
 * test_run_measure.c - the run's measurements against their documented
 * definitions (docs/simulator.md, "What the figures mean"): latency to the
 * final callback under flow order, the time-weighted means (Little's law),
 * the time series' last short row, common random numbers with a device
 * registered in front, and throughput bytes counted once per request.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/run/run.h"
#include "support/tscen.h"

#define MS 1000000ull
#define US 1000ull

/* One card of 4 lanes with an exponential service time (stages finish
 * out of order), one class with a single flow, flow order on: most
 * requests are held behind their flow's head. */
static void one_flow(struct scenario *s, bool flow_order)
{
        tscen_init(s, 7, 10 * MS, 2 * MS);
        scenario_set_text(&s->name, "one-flow");
        scenario_set_text(&s->engine.policy, "round-robin");
        s->engine.flow_order = flow_order;
        s->run.trace = true;
        s->run.trace_limit = 1000000;
        struct scenario_device *d = tscen_device(s, "card", 4, 64);
        tscen_service(d, "enc", (struct dist){.kind = DIST_EXPONENTIAL, .a = 2000});
        const char *chain[] = {"enc"};
        tscen_class(s, "ipsec", chain, 1, 1.2e6 /* 60% of 4 lanes at 2 us */,
                    (struct dist){.kind = DIST_CONSTANT, .a = 1024})
            ->flows = 1;
        tscen_prepare(s);
}

Test(run_measure, flow_order_latency_runs_to_the_final_callback)
{
        struct scenario s;
        struct sim_results r;
        one_flow(&s, true);
        tscen_run(&s, 0, &r);
        cr_assert_gt(r.requests.completed, 5000);

        /* One flow: the callbacks come in submission order, so the trace's
         * rows (written at the callback) are in id order, and the time of
         * each final callback cannot go back. */
        rewind(r.trace);
        char line[512];
        uint64_t rows = 0, last_id = 0, last_done = 0;
        while (fgets(line, sizeof(line), r.trace)) {
                unsigned rep, prio, measured;
                char cls[32];
                uint64_t id, flow, bytes, submit, done, latency;
                int n = sscanf(line,
                               "%u,%" SCNu64 ",%31[^,],%" SCNu64 ",%u,%" SCNu64 ",%u,%" SCNu64
                               ",%" SCNu64 ",%" SCNu64,
                               &rep, &id, cls, &flow, &prio, &bytes, &measured, &submit, &done,
                               &latency);
                cr_assert_eq(n, 10, "row %" PRIu64 ": %s", rows, line);
                if (rows > 0)
                        cr_assert_gt(id, last_id, "flow order: callbacks in submission order");
                cr_assert_geq(done, last_done,
                              "row %" PRIu64 " (id %" PRIu64 "): its callback at %" PRIu64
                              " ns is before the previous one at %" PRIu64 " ns",
                              rows, id, done, last_done);
                cr_assert_eq(latency, done - submit);
                last_id = id;
                last_done = done;
                rows++;
        }
        cr_assert_eq(rows, r.all.submitted);

        /* Little: requests in system = arrival rate x time in system. */
        double little = r.arrivals_per_s * r.latency.mean * 1e-9;
        cr_assert_geq(r.mean_in_system, 0.0);
        cr_assert_leq(r.mean_in_system, (double)r.max_in_flight);
        cr_assert_float_eq(r.mean_in_system, little, 0.1 * little,
                           "mean in system %g, Little's law %g", r.mean_in_system, little);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run_measure, without_flow_order_little_holds_too)
{
        struct scenario s;
        struct sim_results r;
        one_flow(&s, false);
        tscen_run(&s, 0, &r);
        double little = r.arrivals_per_s * r.latency.mean * 1e-9;
        cr_assert_float_eq(r.mean_in_system, little, 0.1 * little,
                           "mean in system %g, Little's law %g", r.mean_in_system, little);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run_measure, the_series_covers_the_last_partial_interval)
{
        struct scenario s;
        struct sim_results r;
        one_flow(&s, false);
        s.run.trace = false;
        s.run.sample_ns = 3 * MS; /* 10 ms: rows at 3, 6, 9 and a short one at 10 */
        tscen_run(&s, 0, &r);
        const struct sim_series *se = &r.series;
        cr_assert_eq(se->nrows, 4);
        cr_assert_eq(se->rows[3].t_ns, 10 * MS, "the last row ends at the end of arrivals");
        uint64_t arrivals = 0;
        for (size_t i = 0; i < se->nrows; i++) {
                arrivals += se->rows[i].arrivals;
                cr_assert_leq(se->devices[i].utilization, 1.0 + 1e-9, "row %zu: %g", i,
                              se->devices[i].utilization);
        }
        cr_assert_eq(arrivals, r.all.submitted, "every arrival is in a row");
        /* the short row is a mean over its own 1 ms, like the others */
        cr_assert_gt(se->devices[3].utilization, 0.3);
        cr_assert_gt(se->rows[3].mean_in_system, 0.5);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run_measure, a_device_in_front_leaves_the_workload_and_other_devices_alone)
{
        /* a: the card alone; b: a slow card registered before it that can
         * do nothing the class asks (it only knows "mac"), so the card
         * serves every stage as in a, from its own stream. */
        struct scenario a, b;
        struct sim_results ra, rb;
        one_flow(&a, false);
        a.run.trace = false;
        tscen_init(&b, 7, 10 * MS, 2 * MS);
        scenario_set_text(&b.name, "one-flow");
        scenario_set_text(&b.engine.policy, "round-robin");
        struct scenario_device *front = tscen_device(&b, "front", 1, 4);
        tscen_linear(front, "mac", 100, 0);
        struct scenario_device *d = tscen_device(&b, "card", 4, 64);
        tscen_service(d, "enc", (struct dist){.kind = DIST_EXPONENTIAL, .a = 2000});
        const char *chain[] = {"enc"};
        tscen_class(&b, "ipsec", chain, 1, 1.2e6, (struct dist){.kind = DIST_CONSTANT, .a = 1024})
            ->flows = 1;
        tscen_prepare(&b);

        tscen_run(&a, 0, &ra);
        tscen_run(&b, 0, &rb);
        cr_assert_eq(ra.arrival_hash, rb.arrival_hash, "the front device changed the workload");
        cr_assert_eq(ra.order_hash, rb.order_hash, "the front device changed the card's draws");
        cr_assert_eq(rb.devices[0].completed, 0);
        sim_results_free(&ra);
        sim_results_free(&rb);
        scenario_free(&a);
        scenario_free(&b);
}

Test(run_measure, bytes_per_s_counts_the_payload_once_per_request)
{
        /* a two-stage chain of 1024-byte requests: bytes_per_s is 1024
         * bytes per ok callback, not 2048 (docs/results.md, throughput) */
        struct scenario s;
        struct sim_results r;
        tscen_init(&s, 3, 5 * MS, 1 * MS);
        scenario_set_text(&s.name, "chain");
        scenario_set_text(&s.engine.policy, "round-robin");
        struct scenario_device *d = tscen_device(&s, "card", 4, 64);
        tscen_linear(d, "enc", 500, 0);
        tscen_linear(d, "mac", 300, 0);
        const char *chain[] = {"enc", "mac"};
        tscen_class(&s, "ipsec", chain, 2, 1e6, (struct dist){.kind = DIST_CONSTANT, .a = 1024})
            ->flows = 4;
        tscen_prepare(&s);
        tscen_run(&s, 0, &r);
        cr_assert_gt(r.requests_per_s, 0);
        cr_assert_float_eq(r.bytes_per_s, 1024 * r.requests_per_s, 1e-6 * r.bytes_per_s);
        cr_assert_float_eq(r.classes[0].bytes_per_s, r.bytes_per_s, 1e-9 * r.bytes_per_s);
        /* two stages per request on the card: its completions are twice
         * the requests' */
        cr_assert_geq(r.devices[0].completed, 2 * r.requests.completed);
        sim_results_free(&r);
        scenario_free(&s);
}

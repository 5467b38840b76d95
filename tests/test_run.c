/*
 * test_run.c - one replication end to end: conservation, warm-up,
 * drain and its cap, determinism (bit-identical results and callback
 * order), common random numbers across policies and devices, the time
 * series, the fault timeline, closed loops and rejections.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/run/run.h"
#include "support/tscen.h"

#define MS 1000000ull
#define US 1000ull

static struct scenario_device *add_card(struct scenario *s, const char *name, uint32_t count,
                                        uint32_t lanes, uint32_t ring)
{
        struct scenario_device *d = tscen_device(s, name, lanes, ring);
        d->count = count;
        struct device_op_config *enc = tscen_linear(d, "enc", 400, 4.0 /* bytes per ns */);
        enc->has_jitter = true;
        enc->jitter = (struct dist){.kind = DIST_LOGNORMAL, .a = 1, .b = 0.3};
        tscen_service(d, "mac", (struct dist){.kind = DIST_EXPONENTIAL, .a = 600});
        return d;
}

static struct workload_class_config *add_class(struct scenario *s, const char *name, double rate,
                                               uint8_t priority, size_t nchain)
{
        const char *chain[] = {"enc", "mac"};
        struct workload_class_config *c = tscen_class(
            s, name, chain, nchain, rate, (struct dist){.kind = DIST_UNIFORM, .a = 64, .b = 4096});
        c->priority = priority;
        c->flows = 16;
        return c;
}

/* Two cards of 4 lanes, two classes (one with a two-stage chain). */
static void mixed(struct scenario *s, const char *policy, uint64_t duration)
{
        tscen_init(s, 42, duration, duration / 5);
        scenario_set_text(&s->name, "mixed");
        scenario_set_text(&s->engine.policy, policy);
        add_card(s, "qat", 2, 4, 8);
        add_class(s, "bulk", 1.0e6, 1, 2);
        add_class(s, "small", 1.5e6, 0, 1);
}

Test(run, every_request_is_accounted_for)
{
        struct scenario s;
        struct sim_results r;
        mixed(&s, "least-loaded", 10 * MS);
        tscen_prepare(&s);
        tscen_run(&s, 0, &r);
        cr_assert_not(r.drain_capped);
        tscen_assert_conserved(&r.all);
        tscen_assert_conserved(&r.requests);
        cr_assert_gt(r.all.completed, 20000);
        cr_assert_eq(r.latency.count, r.requests.completed + r.requests.failed);
        cr_assert_geq(r.sim_time_ns, r.duration_ns);
        uint64_t cls_submitted = 0;
        for (size_t i = 0; i < r.nclasses; i++) {
                tscen_assert_conserved(&r.classes[i].requests);
                cls_submitted += r.classes[i].requests.submitted;
                cr_assert_gt(r.classes[i].latency.mean, 0);
                cr_assert_leq(r.classes[i].latency.p50, r.classes[i].latency.p99);
        }
        cr_assert_eq(cls_submitted, r.requests.submitted);
        cr_assert_str_eq(r.classes[0].name, "bulk");
        /* the two-stage class takes longer than the one-stage one */
        cr_assert_gt(r.classes[0].latency.mean, r.classes[1].latency.mean);
        cr_assert_eq(r.ndevices, 2);
        cr_assert_str_eq(r.devices[0].name, "qat0");
        cr_assert_str_eq(r.devices[1].name, "qat1");
        uint64_t stages = 0;
        for (size_t i = 0; i < r.ndevices; i++) {
                cr_assert_gt(r.devices[i].utilization, 0.05);
                cr_assert_lt(r.devices[i].utilization, 1.0);
                cr_assert_gt(r.devices[i].mean_in_flight, 0);
                stages += r.devices[i].completed;
        }
        /* stages after the warm-up: at least those of measured requests */
        cr_assert_geq(stages,
                      r.classes[0].requests.completed * 2 + r.classes[1].requests.completed - 64);
        cr_assert_gt(r.events, 2 * r.all.submitted, "an arrival and a completion each");
        cr_assert_gt(r.requests_per_s, 2.0e6);
        cr_assert_lt(r.requests_per_s, 3.0e6);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run, warm_up_is_excluded)
{
        struct scenario s;
        struct sim_results r;
        mixed(&s, "round-robin", 10 * MS);
        s.run.warmup_ns = 5 * MS;
        tscen_prepare(&s);
        tscen_run(&s, 0, &r);
        double share = (double)r.requests.submitted / (double)r.all.submitted;
        cr_assert_float_eq(share, 0.5, 0.02, "measured share %f", share);
        cr_assert_float_eq(r.arrivals_per_s, 2.5e6, 0.05e6);
        cr_assert_eq(r.warmup_ns, 5 * MS);
        sim_results_free(&r);
        scenario_free(&s);
}

static void assert_same(const struct sim_results *a, const struct sim_results *b)
{
        cr_assert_eq(memcmp(&a->requests, &b->requests, sizeof(a->requests)), 0);
        cr_assert_eq(memcmp(&a->all, &b->all, sizeof(a->all)), 0);
        cr_assert_eq(memcmp(&a->latency, &b->latency, sizeof(a->latency)), 0);
        cr_assert_eq(memcmp(a->hist.bucket, b->hist.bucket, sizeof(a->hist.bucket)), 0);
        cr_assert_eq(a->order_hash, b->order_hash, "the callbacks came in another order");
        cr_assert_eq(a->arrival_hash, b->arrival_hash);
        cr_assert_eq(a->events, b->events);
        cr_assert_eq(a->sim_time_ns, b->sim_time_ns);
        cr_assert_eq(a->requests_per_s, b->requests_per_s);
        cr_assert_eq(a->bytes_per_s, b->bytes_per_s);
        cr_assert_eq(a->mean_in_system, b->mean_in_system);
        cr_assert_eq(a->max_in_flight, b->max_in_flight);
        cr_assert_eq(a->nclasses, b->nclasses);
        for (size_t i = 0; i < a->nclasses; i++) {
                cr_assert_eq(memcmp(&a->classes[i].requests, &b->classes[i].requests,
                                    sizeof(a->classes[i].requests)),
                             0);
                cr_assert_eq(memcmp(&a->classes[i].latency, &b->classes[i].latency,
                                    sizeof(a->classes[i].latency)),
                             0);
                cr_assert_eq(a->classes[i].mean_in_system, b->classes[i].mean_in_system);
        }
        cr_assert_eq(a->ndevices, b->ndevices);
        for (size_t i = 0; i < a->ndevices; i++) {
                const struct sim_device_result *x = &a->devices[i], *y = &b->devices[i];
                cr_assert_eq(x->utilization, y->utilization);
                cr_assert_eq(x->mean_queue, y->mean_queue);
                cr_assert_eq(x->mean_in_flight, y->mean_in_flight);
                cr_assert_eq(x->completed, y->completed);
                cr_assert_eq(x->errors, y->errors);
        }
        cr_assert_eq(a->series.nrows, b->series.nrows);
        cr_assert_eq(
            memcmp(a->series.rows, b->series.rows, a->series.nrows * sizeof(*a->series.rows)), 0);
        cr_assert_eq(memcmp(a->series.devices, b->series.devices,
                            a->series.nrows * a->series.ndevices * sizeof(*a->series.devices)),
                     0);
        cr_assert_eq(a->nfaults, b->nfaults);
}

Test(run, same_seed_gives_bit_identical_results)
{
        struct scenario s;
        struct sim_results a, b, c;
        mixed(&s, "power-of-two", 5 * MS);
        if (!ac_balancer_find("power-of-two"))
                scenario_set_text(&s.engine.policy, "least-loaded");
        struct scenario_device *d = &s.devices[0];
        struct device_failure_config *f = scenario_device_add_failure(d);
        f->mode = DEVICE_FAULT_FLAKY;
        f->probability = 0.001;
        tscen_prepare(&s);
        tscen_run(&s, 3, &a);
        tscen_run(&s, 3, &b);
        assert_same(&a, &b);
        cr_assert_gt(a.all.failed + a.all.retried, 0, "the flaky draws were exercised");
        tscen_run(&s, 4, &c);
        cr_assert_neq(a.order_hash, c.order_hash, "another replication, another run");
        cr_assert_neq(a.arrival_hash, c.arrival_hash);
        cr_assert_neq(a.replication_seed, c.replication_seed);
        sim_results_free(&a);
        sim_results_free(&b);
        sim_results_free(&c);
        scenario_free(&s);
}

Test(run, policies_and_devices_see_the_same_workload)
{
        struct scenario s1, s2, s3;
        struct sim_results a, b, c;
        mixed(&s1, "round-robin", 5 * MS);
        mixed(&s2, "least-loaded", 5 * MS);
        mixed(&s3, "least-loaded", 5 * MS);
        add_card(&s3, "cpu", 1, 1, 1)->fallback = true;
        s3.devices[0].count = 3;
        tscen_prepare(&s1);
        tscen_prepare(&s2);
        tscen_prepare(&s3);
        tscen_run(&s1, 0, &a);
        tscen_run(&s2, 0, &b);
        tscen_run(&s3, 0, &c);
        cr_assert_eq(a.arrival_hash, b.arrival_hash, "a policy changed the workload's draws");
        cr_assert_eq(a.arrival_hash, c.arrival_hash, "devices changed the workload's draws");
        cr_assert_eq(a.all.submitted, b.all.submitted);
        cr_assert_eq(a.all.submitted, c.all.submitted);
        cr_assert_neq(a.order_hash, c.order_hash, "three cards should change the latencies");
        cr_assert_lt(c.latency.mean, b.latency.mean, "three cards are faster than two");
        sim_results_free(&a);
        sim_results_free(&b);
        sim_results_free(&c);
        scenario_free(&s1);
        scenario_free(&s2);
        scenario_free(&s3);
}

Test(run, time_series_rows_add_up)
{
        struct scenario s;
        struct sim_results r;
        mixed(&s, "least-loaded", 10 * MS);
        s.run.sample_ns = 500 * US;
        tscen_prepare(&s);
        tscen_run(&s, 0, &r);
        const struct sim_series *se = &r.series;
        cr_assert_eq(se->interval_ns, 500 * US);
        cr_assert_eq(se->nrows, 20);
        cr_assert_eq(se->ndevices, 2);
        uint64_t arrivals = 0, completed = 0;
        for (size_t i = 0; i < se->nrows; i++) {
                cr_assert_eq(se->rows[i].t_ns, (i + 1) * 500 * US);
                arrivals += se->rows[i].arrivals;
                completed += se->rows[i].completed;
                for (size_t d = 0; d < se->ndevices; d++) {
                        const struct sim_series_device *col = &se->devices[i * se->ndevices + d];
                        cr_assert_geq(col->utilization, 0);
                        cr_assert_leq(col->utilization, 1.0 + 1e-9);
                }
        }
        cr_assert_eq(arrivals, r.all.submitted, "every arrival is before the end");
        cr_assert_leq(completed, r.all.completed);
        cr_assert_geq(completed + r.max_in_flight, r.all.completed,
                      "only the drained tail is missing");
        /* the window's utilisation is the mean of the rows after warm-up */
        double mean = 0;
        for (size_t i = 4; i < se->nrows; i++)
                mean += se->devices[i * se->ndevices].utilization;
        mean /= (double)(se->nrows - 4);
        cr_assert_float_eq(mean, r.devices[0].utilization, 1e-6);
        sim_results_free(&r);
        scenario_free(&s);

        /* too many rows: the interval widens */
        mixed(&s, "least-loaded", 10 * MS);
        s.run.sample_ns = 1;
        tscen_prepare(&s);
        tscen_run(&s, 0, &r);
        cr_assert_leq(r.series.nrows, SIM_SERIES_MAX_ROWS);
        cr_assert_eq(r.series.interval_ns, 10 * MS / SIM_SERIES_MAX_ROWS);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run, scheduled_faults_reach_the_core_and_the_timeline)
{
        struct scenario s;
        struct sim_results r;
        mixed(&s, "round-robin", 10 * MS);
        s.engine.failover.timeout_ns = 0;
        scenario_add_fault(&s, "qat1")->fault = (struct device_fault_config){
            .at_ns = 4 * MS + 12345, .for_ns = 2 * MS, .mode = DEVICE_FAULT_FAIL_STOP};
        tscen_prepare(&s);
        tscen_run(&s, 0, &r);
        cr_assert_not(r.drain_capped);
        tscen_assert_conserved(&r.all);
        cr_assert_eq(r.nfaults, 1);
        cr_assert_eq(r.faults[0].device, 1);
        cr_assert_eq(r.faults[0].record.mode, DEVICE_FAULT_FAIL_STOP);
        cr_assert_eq(r.faults[0].record.start_ns, 4 * MS + 12345);
        cr_assert_eq(r.faults[0].record.end_ns, 6 * MS + 12345);
        cr_assert_eq(r.devices[1].failures, 1);
        cr_assert_eq(r.devices[0].failures, 0);
        cr_assert_gt(r.requests.migrated, 0, "queued stages moved to qat0");
        cr_assert_gt(r.devices[1].dropped, 0);
        /* while it was down, qat1 did nothing */
        size_t row = (size_t)(5 * MS / r.series.interval_ns);
        cr_assert_eq(r.series.devices[row * 2 + 1].utilization, 0);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run, a_hang_without_watchdog_hits_the_drain_cap)
{
        struct scenario s;
        struct sim_results r;
        mixed(&s, "least-loaded", 5 * MS);
        s.engine.failover.timeout_ns = 0;
        s.run.drain_cap_ns = 2 * MS;
        scenario_add_fault(&s, "qat0")->fault =
            (struct device_fault_config){.at_ns = 3 * MS, .mode = DEVICE_FAULT_HANG};
        tscen_prepare(&s);
        cr_assert_eq(sim_run_drain_cap(&s), 2 * MS);
        tscen_run(&s, 0, &r);
        cr_assert(r.drain_capped);
        cr_assert_gt(r.unfinished, 0);
        cr_assert_eq(r.sim_time_ns, 7 * MS);
        cr_assert_eq(r.all.submitted,
                     r.all.completed + r.all.failed + r.all.rejected + r.unfinished);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run, closed_loop_and_rejections)
{
        struct scenario s;
        struct sim_results r;
        cr_assert_eq(scenario_init(&s), 0);
        s.run.duration_ns = 5 * MS;
        s.engine.queue_depth = 2;
        s.engine.backlog = 2;
        add_card(&s, "qat", 1, 1, 1);
        struct workload_class_config *c = add_class(&s, "closed", 0, 0, 1);
        c->arrival.process = ARRIVAL_CLOSED;
        c->arrival.clients = 4;
        c->arrival.think = (struct dist){.kind = DIST_EXPONENTIAL, .a = 2000};
        add_class(&s, "flood", 5e6, 0, 1); /* far beyond one lane */
        tscen_prepare(&s);
        tscen_run(&s, 0, &r);
        tscen_assert_conserved(&r.all);
        tscen_assert_conserved(&r.classes[0].requests);
        cr_assert_gt(r.all.rejected, 0);
        cr_assert_gt(r.all.backlogged, 0);
        cr_assert_gt(r.classes[0].requests.submitted, 100, "the clients kept issuing");
        cr_assert_leq(r.classes[0].mean_in_system, 4.0);
        cr_assert_leq(r.max_in_flight, 1 + 2 + 2 + 4, "ring + queue + backlog (+ clients)");
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run, refuses_an_unprepared_scenario)
{
        struct scenario s;
        struct sim_results r;
        struct sim_error err = {""};
        mixed(&s, "least-loaded", MS);
        cr_assert_eq(sim_run(&s, 0, &r, &err), AC_EINVAL);
        cr_assert_not_null(strstr(err.msg, "prepared"));
        scenario_free(&s);
}

Test(run, a_hang_is_caught_by_the_watchdog_and_probed_back)
{
        struct scenario s;
        struct sim_results r;
        mixed(&s, "round-robin", 10 * MS);
        s.engine.failover.timeout_ns = 50 * US;
        s.engine.failover.probe_ns = 200 * US;
        s.run.sample_ns = 100 * US;
        scenario_add_fault(&s, "qat0")->fault =
            (struct device_fault_config){.at_ns = 3 * MS, .for_ns = MS, .mode = DEVICE_FAULT_HANG};
        tscen_prepare(&s);
        tscen_run(&s, 0, &r);
        cr_assert_not(r.drain_capped);
        tscen_assert_conserved(&r.all);
        tscen_assert_conserved(&r.requests);
        cr_assert_eq(r.devices[0].failures, 1, "the watchdog declared qat0 failed once");
        cr_assert_gt(r.devices[0].timeouts, 0);
        cr_assert_gt(r.requests.migrated + r.requests.retried, 0);
        cr_assert_eq(r.requests.failed, 0, "qat1 took the work over");
        /* qat0 is back in service within a probe interval of the repair */
        size_t back = (size_t)((4 * MS + 300 * US) / r.series.interval_ns);
        double after = 0;
        for (size_t i = back; i < r.series.nrows; i++)
                after += r.series.devices[i * 2].utilization;
        cr_assert_gt(after / (double)(r.series.nrows - back), 0.1, "qat0 did not come back");
        cr_assert_eq(
            r.series.devices[(size_t)(3500 * US / r.series.interval_ns) * 2].mean_in_flight, 0,
            "nothing is left on the hung device once it is declared failed");
        sim_results_free(&r);
        scenario_free(&s);
}

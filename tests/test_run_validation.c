/*
 * test_run_validation.c - the whole simulator (workload, core, platform,
 * device model, metrics) against queueing theory, with fixed seeds:
 *
 *   M/M/1 at rho 0.8: mean sojourn 1/(mu - lambda) and p99
 *       ln(100)/(mu - lambda), within 3%;
 *   M/M/4 at rho 0.8: mean sojourn from Erlang C and p99 from the sojourn
 *       distribution (solved by bisection), within 3%;
 *   (the formulas: sim/des/queueing.h, tested in tests/test_queueing.c)
 *   Little's law L = lambda W on two kinds of device and three classes,
 *       overall and per class, within 2%.
 *
 * Each queue run has at least 10^6 requests after the warm-up. For M/M/1
 * the device's ring of one and the core's priority queue (one level, FIFO)
 * form the single FIFO queue; for M/M/4 the ring of four and the queue do.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "sim/des/queueing.h"
#include "sim/run/run.h"
#include "support/tqueue.h"
#include "support/tscen.h"

#define US TQ_US
#define MS 1000000ull

Test(run_validation, mm1_mean_and_p99, .timeout = 120)
{
        struct scenario s;
        struct sim_results r;
        tq_scenario(&s, &(struct tq_spec){.devices = 1,
                                          .lanes = 1,
                                          .rho = 0.8,
                                          .requests = 5e6,
                                          .warmup_ns = 50 * MS,
                                          .seed = 1});
        tq_run(&s, &r);
        double mu = 1 / US, lambda = 0.8 / US;
        double mean = queueing_mm1_mean(lambda, mu), p99 = queueing_mm1_quantile(0.99, lambda, mu);
        cr_assert_geq(r.latency.count, 1000000);
        cr_log_info("M/M/1: n %llu, mean %.1f ns (theory %.1f, error %.2f%%), p99 %llu ns "
                    "(theory %.1f, error %.2f%%), utilisation %.4f",
                    (unsigned long long)r.latency.count, r.latency.mean, mean,
                    100 * tq_rel_err(r.latency.mean, mean), (unsigned long long)r.latency.p99, p99,
                    100 * tq_rel_err((double)r.latency.p99, p99), r.devices[0].utilization);
        cr_assert_lt(tq_rel_err(r.latency.mean, mean), 0.03, "mean %f vs %f", r.latency.mean, mean);
        cr_assert_lt(tq_rel_err((double)r.latency.p99, p99), 0.03, "p99 %llu vs %f",
                     (unsigned long long)r.latency.p99, p99);
        cr_assert_lt(tq_rel_err(r.devices[0].utilization, 0.8), 0.01);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run_validation, mm4_mean_and_p99, .timeout = 120)
{
        struct scenario s;
        struct sim_results r;
        const unsigned c = 4;
        tq_scenario(&s, &(struct tq_spec){.devices = 1,
                                          .lanes = c,
                                          .rho = 0.8,
                                          .requests = 2e6,
                                          .warmup_ns = 50 * MS,
                                          .seed = 2});
        tq_run(&s, &r);
        double mu = 1 / US, lambda = 0.8 * c / US;
        double pw = queueing_erlang_c(c, lambda / mu);
        double mean = queueing_mmc_mean(c, lambda, mu);
        double p99 = queueing_mmc_quantile(0.99, c, lambda, mu);
        cr_assert_float_eq(queueing_mmc_tail(p99, c, lambda, mu), 0.01, 1e-9);
        cr_assert_geq(r.latency.count, 1000000);
        cr_log_info("M/M/4: n %llu, P(wait) %.4f, mean %.1f ns (theory %.1f, error %.2f%%), "
                    "p99 %llu ns (theory %.1f, error %.2f%%)",
                    (unsigned long long)r.latency.count, pw, r.latency.mean, mean,
                    100 * tq_rel_err(r.latency.mean, mean), (unsigned long long)r.latency.p99, p99,
                    100 * tq_rel_err((double)r.latency.p99, p99));
        cr_assert_lt(tq_rel_err(r.latency.mean, mean), 0.03, "mean %f vs %f", r.latency.mean, mean);
        cr_assert_lt(tq_rel_err((double)r.latency.p99, p99), 0.03, "p99 %llu vs %f",
                     (unsigned long long)r.latency.p99, p99);
        cr_assert_lt(tq_rel_err(r.devices[0].utilization, 0.8), 0.01);
        sim_results_free(&r);
        scenario_free(&s);
}

Test(run_validation, littles_law_multi_device_multi_class, .timeout = 120)
{
        struct scenario s;
        struct sim_results r;
        tscen_init(&s, 3, 220 * MS, 20 * MS);
        s.engine.queue_depth = 1u << 16;
        s.engine.backlog = 1u << 16;
        scenario_set_text(&s.engine.policy, "least-loaded");

        struct scenario_device *qat = tscen_device(&s, "qat", 4, 16);
        qat->count = 2;
        struct device_op_config *op = tscen_linear(qat, "enc", 300, 2.0);
        op->has_jitter = true;
        op->jitter = (struct dist){.kind = DIST_LOGNORMAL, .a = 1, .b = 0.5};
        tscen_service(qat, "mac", (struct dist){.kind = DIST_GAMMA, .a = 800, .b = 1.5});
        struct scenario_device *cpu = tscen_device(&s, "cpu", 2, 2);
        tscen_service(cpu, "mac", (struct dist){.kind = DIST_EXPONENTIAL, .a = 1500});

        const char *ipsec[] = {"enc", "mac"}, *tls[] = {"enc"}, *auth[] = {"mac"};
        struct workload_class_config *c =
            tscen_class(&s, "ipsec", ipsec, 2, 1.5e6, (struct dist){.kind = DIST_IMIX});
        c->priority = 1;
        c->flows = 64;
        c = tscen_class(&s, "tls", tls, 1, 0,
                        (struct dist){.kind = DIST_LOGNORMAL, .a = 1024, .b = 1});
        c->arrival.process = ARRIVAL_ONOFF;
        c->arrival.rate_on = 3e6;
        c->arrival.rate_off = 0.5e6;
        c->arrival.mean_on_ns = 200000;
        c->arrival.mean_off_ns = 300000;
        c->priority = 0;
        c = tscen_class(&s, "auth", auth, 1, 1e6, (struct dist){.kind = DIST_CONSTANT, .a = 256});
        c->priority = 2;
        tscen_prepare(&s);

        tq_run(&s, &r);
        double window_s = (double)(r.duration_ns - r.warmup_ns) * 1e-9;
        double lambda = r.arrivals_per_s * 1e-9; /* per ns */
        double L = r.mean_in_system, W = r.latency.mean;
        cr_log_info("Little: L %.4f, lambda W %.4f, error %.2e; utilisations %.3f %.3f %.3f", L,
                    lambda * W, 100 * tq_rel_err(L, lambda * W), r.devices[0].utilization,
                    r.devices[1].utilization, r.devices[2].utilization);
        cr_assert_gt(r.requests.submitted, 500000);
        cr_assert_lt(tq_rel_err(L, lambda * W), 0.02, "L %f vs lambda W %f", L, lambda * W);
        for (size_t i = 0; i < r.nclasses; i++) {
                const struct sim_class_result *k = &r.classes[i];
                double li = (double)k->requests.submitted / window_s * 1e-9;
                cr_log_info("Little, %s: L %.3f, lambda W %.3f", k->name, k->mean_in_system,
                            li * k->latency.mean);
                cr_assert_lt(tq_rel_err(k->mean_in_system, li * k->latency.mean), 0.02,
                             "class %s: L %f vs lambda W %f", k->name, k->mean_in_system,
                             li * k->latency.mean);
        }
        for (size_t i = 0; i < r.ndevices; i++)
                cr_assert_gt(r.devices[i].utilization, 0.3, "device %s idle", r.devices[i].name);
        sim_results_free(&r);
        scenario_free(&s);
}

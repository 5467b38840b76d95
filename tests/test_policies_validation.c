/*
 * test_policies_validation.c - balancers against queueing theory, through the
 * whole simulator (workload, core, balancer, platform, device model,
 * metrics), with fixed seeds:
 *
 *   random over 4 devices at rho 0.7: each device is an M/M/1 queue, so the
 *       sojourn is exponential with rate mu - lambda/N: mean and p99 within
 *       3%, each device's utilisation within 2% of rho and its mean number
 *       in system within 6% of rho / (1 - rho);
 *   power-of-two (d = 2) over 100 devices at rho 0.9: the supermarket model
 *       of Vvedenskaya, Dobrushin and Karpelevich (1996) and Mitzenmacher
 *       (2001): mean sojourn, p90 and p99 within the finite-n allowance
 *       below.
 *
 * The pool: n devices of one lane and a ring of one, exponential service of
 * mean 1 us, one Poisson class at rate n rho per us, one priority level, a
 * software queue that never fills (2^20) and no watchdog. Why that is
 * exactly a single-server FIFO queue per device: the ring of one holds the
 * stage in service, the core's queue (one level: FIFO) holds the rest, and
 * the core moves the head of the queue into the ring in the same event as
 * the completion, so the lane never idles while work waits. A queue that
 * could fill would take the device out of the candidates (a loss system,
 * not M/M/1); a deeper ring would not change the numbers with one lane, but
 * ring 1 keeps the balancer's "queued + in_flight" equal to the number in
 * system at the device, which is what the supermarket model's customer
 * compares.
 *
 * Theory, with mu = 1 per us and d = 2 (Mitzenmacher, "The power of two
 * choices in randomized load balancing", IEEE TPDS 12(10), 2001): as
 * n -> infinity the fraction of queues holding at least i customers is
 * s_i = rho^((d^i - 1)/(d - 1)), so a queue holds sum_{i>=1} s_i on average
 * and, by Little's law at rate rho mu per queue, the mean sojourn is
 *   T = sum_{i>=1} rho^((d^i - d)/(d - 1)) / mu   (2.6141 us at rho 0.9).
 * The sojourn's distribution: in the limit the queues are independent
 * (Graham 2000) and an arrival sees them in equilibrium (PASTA), so it
 * joins a queue holding k with probability s_k^d - s_{k+1}^d (s_0 = 1) and,
 * FIFO and memoryless, stays an Erlang(k + 1, mu) time. p90 and p99 come
 * from that mixture by bisection. The formulas are in sim/des/queueing.h,
 * tested against known values in tests/test_queueing.c.
 *
 * Tolerances. Statistical: about 10^6 measured requests per test; the
 * spread over seeds 1-6 is given in docs/policies.md (Validation), and the
 * tolerances are about twice the worst seen. For random, requests at one
 * device are correlated over a relaxation time of about
 * 1/(mu (1 - sqrt(rho))^2) = 37 services, which is what makes 3% (not
 * 0.3%) the honest bound at 10^6.
 * Finite n: 100 devices are not the limit; the mean-field error shrinks
 * like 1/n. bench/bench_supermarket.c measures the gap at n = 20 .. 500
 * (docs/policies.md); at n = 100 the simulated mean sits about 1.1% above
 * the limit, p99 about 1.4% above, so the allowance is 5% on each side.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "sim/des/queueing.h"
#include "sim/run/run.h"
#include "support/tqueue.h"

#define US TQ_US
#define MS 1000000ull

Test(policies_validation, random_is_mm1_per_device, .timeout = 60)
{
        const uint32_t n = 4;
        const double rho = 0.7, mu = 1 / US;
        struct scenario s;
        struct sim_results r;
        tq_scenario(&s, &(struct tq_spec){.policy = "random",
                                          .devices = n,
                                          .lanes = 1,
                                          .rho = rho,
                                          .requests = 1.2e6,
                                          .warmup_ns = 20 * MS,
                                          .seed = 1});
        tq_run(&s, &r);
        /* Random splitting of a Poisson stream: n independent Poisson
         * streams of rate rho mu, each into its own FIFO server. */
        double mean = queueing_mm1_mean(rho * mu, mu);
        double p99 = queueing_mm1_quantile(0.99, rho * mu, mu), in_system = rho / (1 - rho);
        cr_assert_geq(r.latency.count, 1000000);
        cr_log_info("random, %u devices, rho %.2f: n %llu, mean %.1f ns (M/M/1 %.1f, error "
                    "%.2f%%), p99 %llu ns (M/M/1 %.1f, error %.2f%%)",
                    n, rho, (unsigned long long)r.latency.count, r.latency.mean, mean,
                    100 * tq_rel_err(r.latency.mean, mean), (unsigned long long)r.latency.p99, p99,
                    100 * tq_rel_err((double)r.latency.p99, p99));
        cr_assert_lt(tq_rel_err(r.latency.mean, mean), 0.03, "mean %f vs %f", r.latency.mean, mean);
        cr_assert_lt(tq_rel_err((double)r.latency.p99, p99), 0.03, "p99 %llu vs %f",
                     (unsigned long long)r.latency.p99, p99);
        cr_assert_eq(r.ndevices, n);
        for (size_t i = 0; i < r.ndevices; i++) {
                const struct sim_device_result *d = &r.devices[i];
                double l = d->mean_queue + d->mean_in_flight;
                cr_log_info("  %s: utilisation %.4f, in system %.3f (M/M/1 %.3f, error %.2f%%)",
                            d->name, d->utilization, l, in_system, 100 * tq_rel_err(l, in_system));
                cr_assert_leq(d->mean_in_flight, 1.0);
                cr_assert_lt(tq_rel_err(d->utilization, rho), 0.02, "%s utilisation %f", d->name,
                             d->utilization);
                cr_assert_lt(tq_rel_err(l, in_system), 0.06, "%s in system %f vs %f", d->name, l,
                             in_system);
        }
        sim_results_free(&r);
        scenario_free(&s);
}

Test(policies_validation, power_of_two_is_supermarket, .timeout = 60)
{
        const uint32_t n = 100;
        const unsigned d = 2;
        const double rho = 0.9;
        struct scenario s;
        struct sim_results r;
        tq_scenario(&s, &(struct tq_spec){.policy = "power-of-two",
                                          .d = "2",
                                          .devices = n,
                                          .lanes = 1,
                                          .rho = rho,
                                          .requests = 1.02e6,
                                          .warmup_ns = 20 * MS,
                                          .seed = 1});
        tq_run(&s, &r);
        double mean = queueing_supermarket_mean(rho, d) * US;
        double p90 = queueing_supermarket_quantile(0.90, rho, d) * US;
        double p99 = queueing_supermarket_quantile(0.99, rho, d) * US;
        cr_assert_geq(r.latency.count, 1000000);
        cr_log_info("power-of-two, %u devices, rho %.2f: n %llu, mean %.1f ns (limit %.1f, "
                    "%+.2f%%), p90 %llu ns (limit %.1f, %+.2f%%), p99 %llu ns (limit %.1f, "
                    "%+.2f%%)",
                    n, rho, (unsigned long long)r.latency.count, r.latency.mean, mean,
                    100 * (r.latency.mean / mean - 1), (unsigned long long)r.latency.p90, p90,
                    100 * ((double)r.latency.p90 / p90 - 1), (unsigned long long)r.latency.p99, p99,
                    100 * ((double)r.latency.p99 / p99 - 1));
        cr_assert_lt(tq_rel_err(r.latency.mean, mean), 0.05, "mean %f vs %f", r.latency.mean, mean);
        cr_assert_lt(tq_rel_err((double)r.latency.p90, p90), 0.05, "p90 %llu vs %f",
                     (unsigned long long)r.latency.p90, p90);
        cr_assert_lt(tq_rel_err((double)r.latency.p99, p99), 0.05, "p99 %llu vs %f",
                     (unsigned long long)r.latency.p99, p99);
        double busy = 0;
        for (size_t i = 0; i < r.ndevices; i++)
                busy += r.devices[i].utilization;
        cr_assert_lt(tq_rel_err(busy / n, rho), 0.01, "mean utilisation %f", busy / n);
        sim_results_free(&r);
        scenario_free(&s);
}

/*
 * bench_supermarket.c - the fuller runs behind tests/test_policies_validation.c:
 * the random and power-of-two balancers against queueing theory, with more
 * requests, more seeds and more devices than CI can afford.
 *
 *   random over 4 devices at rho 0.7: M/M/1 per device (mean sojourn
 *       1/(mu - lambda/N), p99 ln(100)/(mu - lambda/N)), one row per seed;
 *   power-of-two (d = 2) over n = 20 .. 500 devices at rho 0.7 and 0.9:
 *       the supermarket model's n -> infinity limit (Mitzenmacher 2001;
 *       Vvedenskaya, Dobrushin, Karpelevich 1996), one row per (rho, n)
 *       pooled over the seeds, with the spread over seeds, to show the
 *       finite-n gap shrink with n.
 *
 * The pool is the test's: n devices of one lane and a ring of one,
 * exponential service of mean 1 us, Poisson arrivals at n rho per us, one
 * priority level, a software queue of 2^20, no watchdog (see the test's
 * top comment for why that is a FIFO single-server queue per device).
 *
 *   bench_supermarket           short: what `make bench` runs (about 20 s)
 *   bench_supermarket --full    the figures in docs/policies.md (about 15 min)
 *   bench_supermarket --speed   the simulator's cost as n grows: requests per
 *                               wall second at n = 100 and 500 (rho 0.9,
 *                               d = 2) beside a bare loop of the same model
 *                               (a heap of departures, n counters, GSL
 *                               draws), alternating, medians of SPEED_RUNS
 *   bench_supermarket --devices [balancer [rho]]
 *                               the simulated rate at 1000 devices against
 *                               10, the same load per device (rho, 0.9
 *                               unless given), round-robin and power-of-two
 *                               (d = 2; `all` for both): acsim's whole run
 *                               loop with the device models, the two run
 *                               alternately, the median of the pairs'
 *                               ratios (issue 13's target: >= 0.8), then
 *                               each pair in the order run, with the page
 *                               faults of its 1000-device run; `make
 *                               bench` runs it last, at 0.9
 *   bench_supermarket --pool balancer n requests [rho]
 *                               one run of that pool at n devices, for a
 *                               profiler (valgrind, perf)
 *
 * Columns: measured mean, p90, p99 (ns, the mean over the seeds), the
 * theory, the relative gap (measured / theory - 1) and, for the mean, the
 * standard deviation of the per-seed gaps.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>

#include <gsl/gsl_randist.h>

#include "bench/bench_util.h"
#include "sim/des/queueing.h"
#include "sim/des/rng.h"
#include "sim/run/run.h"
#include "sim/run/scenario.h"

#define US 1000.0
#define MS 1000000ull

struct measure {
        double mean, p90, p99; /* ns */
        double utilization;    /* averaged over the devices */
        uint64_t count;
        uint64_t all; /* every completed request, warm-up included */
        double wall_s;
        long faults; /* minor page faults of the process during the run */
};

static long minor_faults(void)
{
        struct rusage ru;
        return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_minflt : 0;
}

static double seconds(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs the pool once, after a warm-up of `warmup_ns`. Returns 0, or -1
 * after printing why. */
static int pool_run_warm(const char *policy, unsigned d, uint32_t n, double rho, double requests,
                         uint64_t seed, uint64_t warmup_ns, struct measure *m)
{
        struct sim_error err;
        char dtext[8];
        struct sim_error why = {""};
        struct scenario s;
        struct sim_results r;
        double lambda = n * rho / US;
        if (scenario_init(&s) < 0)
                return -1;
        s.seed = seed;
        s.run.warmup_ns = warmup_ns;
        s.run.duration_ns = s.run.warmup_ns + (uint64_t)(requests / lambda);
        s.engine.queue_depth = 1u << 20;
        s.engine.backlog = 0;
        s.engine.levels = 1;
        s.engine.failover.timeout_ns = 0;
        snprintf(dtext, sizeof(dtext), "%u", d);
        struct scenario_device *dev = scenario_add_device(&s, "card");
        int rc = scenario_set_text(&s.engine.policy, policy);
        if (rc == 0 && strcmp(policy, "power-of-two") == 0)
                rc = scenario_set_option(&s, "d", dtext);
        if (!dev || rc < 0)
                goto fail;
        dev->count = n;
        dev->model.lanes = 1;
        dev->model.ring = 1;
        struct device_op_config *op = scenario_device_add_op(dev, "op");
        if (!op)
                goto fail;
        op->has_service = true;
        op->service = (struct dist){.kind = DIST_EXPONENTIAL, .a = US};
        struct workload_class_config *c = scenario_add_class(&s, "poisson");
        const char *chain[] = {"op"};
        if (!c || scenario_class_set_chain(c, chain, 1) < 0)
                goto fail;
        c->arrival.process = ARRIVAL_POISSON;
        c->arrival.rate = lambda * 1e9;
        c->size = (struct dist){.kind = DIST_CONSTANT, .a = 64};
        if (scenario_prepare(&s, &why) < 0) {
                fprintf(stderr, "bench_supermarket: %s\n", why.msg);
                goto fail;
        }
        long faults0 = minor_faults();
        double t0 = seconds();
        if (sim_run(&s, 0, &r, &err) < 0) {
                fprintf(stderr, "bench_supermarket: %s\n", err.msg);
                goto fail;
        }
        m->wall_s = seconds() - t0;
        m->faults = minor_faults() - faults0;
        if (r.drain_capped || r.requests.rejected || r.requests.failed) {
                fprintf(stderr, "bench_supermarket: %s n %u seed %llu: rejected or failed\n",
                        policy, n, (unsigned long long)seed);
                sim_results_free(&r);
                goto fail;
        }
        m->mean = r.latency.mean;
        m->p90 = (double)r.latency.p90;
        m->p99 = (double)r.latency.p99;
        m->count = r.latency.count;
        m->all = r.all.completed;
        m->utilization = 0;
        for (size_t i = 0; i < r.ndevices; i++)
                m->utilization += r.devices[i].utilization / (double)r.ndevices;
        sim_results_free(&r);
        scenario_free(&s);
        return 0;
fail:
        scenario_free(&s);
        return -1;
}

static int pool_run(const char *policy, unsigned d, uint32_t n, double rho, double requests,
                    uint64_t seed, struct measure *m)
{
        return pool_run_warm(policy, d, n, rho, requests, seed, 20 * MS, m);
}

static int random_rows(double requests, unsigned seeds)
{
        const uint32_t n = 4;
        const double rho = 0.7;
        double mean = queueing_mm1_mean(rho / US, 1 / US);
        double p99 = queueing_mm1_quantile(0.99, rho / US, 1 / US);
        printf("random over %u devices, rho %.2f: M/M/1 per device, mean %.1f ns, p99 %.1f ns\n", n,
               rho, mean, p99);
        printf("  seed  requests    mean ns    gap   p99 ns    gap  utilisation  wall s\n");
        for (unsigned seed = 1; seed <= seeds; seed++) {
                struct measure m;
                if (pool_run("random", 1, n, rho, requests, seed, &m) < 0)
                        return -1;
                printf("  %4u  %8llu  %9.1f %+5.2f%%  %7.0f %+5.2f%%  %11.4f  %6.1f\n", seed,
                       (unsigned long long)m.count, m.mean, 100 * (m.mean / mean - 1), m.p99,
                       100 * (m.p99 / p99 - 1), m.utilization, m.wall_s);
                fflush(stdout);
        }
        return 0;
}

/* One table per rho, one row per n (ns[b] with requests[b] per seed). */
static int p2c_rows(const double *rhos, size_t nrho, const uint32_t *ns, const double *requests,
                    size_t nn, unsigned seeds)
{
        const unsigned d = 2;
        for (size_t a = 0; a < nrho; a++) {
                double rho = rhos[a];
                double mean = queueing_supermarket_mean(rho, d) * US;
                double p90 = queueing_supermarket_quantile(0.90, rho, d) * US;
                double p99 = queueing_supermarket_quantile(0.99, rho, d) * US;
                printf("power-of-two (d %u), rho %.2f: limit mean %.1f ns, p90 %.1f ns, p99 %.1f "
                       "ns; %u seeds\n",
                       d, rho, mean, p90, p99, seeds);
                printf("     n  requests    mean ns    gap (sd)          p90 ns    gap   p99 ns    "
                       "gap  "
                       "utilisation  wall s\n");
                for (size_t b = 0; b < nn; b++) {
                        struct measure sum = {0};
                        double gap_sum = 0, gap_sq = 0;
                        for (unsigned seed = 1; seed <= seeds; seed++) {
                                struct measure m;
                                if (pool_run("power-of-two", d, ns[b], rho, requests[b], seed, &m) <
                                    0)
                                        return -1;
                                double g = m.mean / mean - 1;
                                gap_sum += g;
                                gap_sq += g * g;
                                sum.mean += m.mean / seeds;
                                sum.p90 += m.p90 / seeds;
                                sum.p99 += m.p99 / seeds;
                                sum.utilization += m.utilization / seeds;
                                sum.wall_s += m.wall_s;
                        }
                        double gbar = gap_sum / seeds;
                        double sd =
                            seeds > 1 ? sqrt(fmax(0, (gap_sq - seeds * gbar * gbar) / (seeds - 1)))
                                      : 0;
                        printf("  %4u  %8.2g  %9.1f %+5.2f%% (%.2f%%)  %9.1f %+5.2f%%  %7.0f "
                               "%+5.2f%%  "
                               "%11.4f  %6.1f\n",
                               ns[b], requests[b], sum.mean, 100 * gbar, 100 * sd, sum.p90,
                               100 * (sum.p90 / p90 - 1), sum.p99, 100 * (sum.p99 / p99 - 1),
                               sum.utilization, sum.wall_s);
                        fflush(stdout);
                }
        }
        return 0;
}

/* ---- speed: the simulator against a bare loop of the same model -------- */

#define SPEED_RUNS 5

struct bare_event {
        double time;
        uint32_t device; /* UINT32_MAX: an arrival */
};

struct bare_heap {
        struct bare_event *e;
        size_t n;
};

static void bare_push(struct bare_heap *h, struct bare_event ev)
{
        size_t i = h->n++;
        while (i > 0) {
                size_t p = (i - 1) / 2;
                if (h->e[p].time <= ev.time)
                        break;
                h->e[i] = h->e[p];
                i = p;
        }
        h->e[i] = ev;
}

static struct bare_event bare_pop(struct bare_heap *h)
{
        struct bare_event top = h->e[0], last = h->e[--h->n];
        size_t i = 0;
        for (;;) {
                size_t c = 2 * i + 1;
                if (c >= h->n)
                        break;
                if (c + 1 < h->n && h->e[c + 1].time < h->e[c].time)
                        c++;
                if (last.time <= h->e[c].time)
                        break;
                h->e[i] = h->e[c];
                i = c;
        }
        h->e[i] = last;
        return top;
}

/* The bare supermarket: n FIFO servers, each arrival joins the shorter of
 * d = 2 queues drawn at random, exponential service. Returns completed
 * requests per wall second over `requests` arrivals. */
static double bare_rate(uint32_t n, double rho, double requests)
{
        gsl_rng *arr = sim_rng_stream(1, "bare/arrivals");
        gsl_rng *svc = sim_rng_stream(1, "bare/service");
        gsl_rng *pick = sim_rng_stream(1, "bare/pick");
        uint32_t *len = calloc(n, sizeof(*len));
        struct bare_heap h = {.e = malloc((n + 1) * sizeof(*h.e))};
        if (!arr || !svc || !pick || !len || !h.e)
                abort();
        double gap = US / (n * rho), end = requests * gap;
        uint64_t done = 0;
        double t0 = seconds();
        bare_push(&h, (struct bare_event){gsl_ran_exponential(arr, gap), UINT32_MAX});
        while (h.n) {
                struct bare_event e = bare_pop(&h);
                if (e.device == UINT32_MAX) {
                        uint32_t a = (uint32_t)gsl_rng_uniform_int(pick, n);
                        uint32_t b = (uint32_t)gsl_rng_uniform_int(pick, n);
                        uint32_t k = len[b] < len[a] ? b : a;
                        if (len[k]++ == 0)
                                bare_push(&h, (struct bare_event){
                                                  e.time + gsl_ran_exponential(svc, US), k});
                        double next = e.time + gsl_ran_exponential(arr, gap);
                        if (next < end)
                                bare_push(&h, (struct bare_event){next, UINT32_MAX});
                } else {
                        done++;
                        if (--len[e.device] > 0)
                                bare_push(&h, (struct bare_event){
                                                  e.time + gsl_ran_exponential(svc, US), e.device});
                }
        }
        double wall = seconds() - t0;
        free(h.e);
        free(len);
        gsl_rng_free(arr);
        gsl_rng_free(svc);
        gsl_rng_free(pick);
        return (double)done / wall;
}

/* Bare and simulated runs alternate so both see the same load from the
 * rest of the machine; the ratio is the median of the pairs' ratios. */
static int speed_rows(void)
{
        static const uint32_t ns[] = {100, 500};
        static const double requests[] = {1e6, 2e5};
        const double rho = 0.9;
        printf("speed: power-of-two (d 2), rho %.2f, warm-up 1 ms; medians of %d runs\n", rho,
               SPEED_RUNS);
        printf("     n  requests  bare Mreq/s  sim Mreq/s  sim / bare\n");
        for (size_t b = 0; b < sizeof(ns) / sizeof(ns[0]); b++) {
                double bare[SPEED_RUNS], sim[SPEED_RUNS], ratio[SPEED_RUNS];
                for (int i = 0; i < SPEED_RUNS; i++) {
                        struct measure m;
                        bare[i] = bare_rate(ns[b], rho, requests[b]);
                        if (pool_run_warm("power-of-two", 2, ns[b], rho, requests[b], 1, MS, &m) <
                            0)
                                return -1;
                        sim[i] = (double)m.all / m.wall_s;
                        ratio[i] = sim[i] / bare[i];
                }
                printf("  %4u  %8.2g  %11.3f  %10.4f  %10.4f\n", ns[b], requests[b],
                       bench_median(bare, SPEED_RUNS) / 1e6, bench_median(sim, SPEED_RUNS) / 1e6,
                       bench_median(ratio, SPEED_RUNS));
                fflush(stdout);
        }
        return 0;
}

/* ---- devices: the simulated rate at 1000 devices against 10 ----------- */

#define DEVICES_RUNS 5

/* The same pool as speed_rows at 10 and at 1000 devices, each run the
 * same number of requests (warm-up included: `all` over the run's whole
 * wall time, building the replication included), alternating. Prints the
 * medians and the median of the pairs' ratios 1000 / 10; `only` picks one
 * balancer. */
static int devices_rows(const char *only, double rho)
{
        static const char *const policies[] = {"round-robin", "power-of-two"};
        const double requests = 1e6;
        double load0 = bench_load_average();
        char summary[128] = "";
        size_t summary_len = 0;
        int n_done = 0;
        printf("devices: 1000 against 10 at rho %.2f per device, %.0g requests a run, "
               "warm-up 0.1 ms; medians of %d pairs\n",
               rho, requests, DEVICES_RUNS);
        /* the figure is the L2's: docs/simulator.md, "The figure and the
         * size of the L2" */
        char caches[96];
        bench_caches(caches, sizeof(caches));
        printf("caches of CPU 0: %s; what the runs touch again and again (cachegrind, "
               "docs/simulator.md): 1 to 2 MiB at 1000 devices, less than 48 KiB at 10\n",
               caches);
        for (size_t b = 0; b < sizeof(policies) / sizeof(policies[0]); b++) {
                if (only && strcmp(only, policies[b]) != 0)
                        continue;
                double ten[DEVICES_RUNS], thousand[DEVICES_RUNS], ratio[DEVICES_RUNS];
                double in_order[DEVICES_RUNS]; /* ratio before bench_median sorts it */
                long faults[DEVICES_RUNS];
                for (int i = 0; i < DEVICES_RUNS; i++) {
                        struct measure m10, m1000;
                        if (pool_run_warm(policies[b], 2, 10, rho, requests, 1, MS / 10, &m10) <
                                0 ||
                            pool_run_warm(policies[b], 2, 1000, rho, requests, 1, MS / 10, &m1000) <
                                0)
                                return -1;
                        ten[i] = (double)m10.all / m10.wall_s;
                        thousand[i] = (double)m1000.all / m1000.wall_s;
                        ratio[i] = thousand[i] / ten[i];
                        in_order[i] = ratio[i];
                        faults[i] = m1000.faults;
                }
                double r = bench_median(ratio, DEVICES_RUNS);
                printf("%s, simulated, 10 devices%*s %7.3f M requests/s\n", policies[b],
                       (int)(20 - strlen(policies[b])), "", bench_median(ten, DEVICES_RUNS) / 1e6);
                printf("%s, simulated, 1000 devices%*s %7.3f M requests/s  %5.2fx%s\n", policies[b],
                       (int)(18 - strlen(policies[b])), "",
                       bench_median(thousand, DEVICES_RUNS) / 1e6, r,
                       r >= 0.8 ? "" : "  BELOW TARGET 0.8");
                /* The pairs in order: the first 1000-device runs of a process
                 * also pay the page faults of memory it has not had yet. */
                printf("  pairs in order, ratio (page faults of the 1000-device run):");
                for (int i = 0; i < DEVICES_RUNS; i++)
                        printf(" %.2f (%ld)", in_order[i], faults[i]);
                printf("\n");
                fflush(stdout);
                n_done++;
                summary_len +=
                    (size_t)snprintf(summary + summary_len, sizeof(summary) - summary_len,
                                     "%s%s %.2f", n_done > 1 ? ", " : "", policies[b], r);
        }
        printf("bench_supermarket --devices: simulated rate 1000 / 10 devices: %s; medians of %d "
               "pairs; load average %.2f -> %.2f\n",
               summary, DEVICES_RUNS, load0, bench_load_average());
        return 0;
}

/* One run of the --devices pool, for a profiler: n devices, `requests`
 * requests after the 0.1 ms warm-up, the balancer named. */
static int pool_once(const char *policy, const char *n_text, const char *requests_text, double rho)
{
        char *end, *rend;
        unsigned long n = strtoul(n_text, &end, 10);
        double requests = strtod(requests_text, &rend);
        if (*end || *rend || n < 1 || n > 4096 || !(requests >= 1 && requests <= 1e9)) {
                fprintf(stderr, "bench_supermarket --pool: devices 1..4096, requests 1..1e9\n");
                return 2;
        }
        struct measure m;
        if (pool_run_warm(policy, 2, (uint32_t)n, rho, requests, 1, MS / 10, &m) < 0)
                return 1;
        printf("bench_supermarket --pool: %s, %lu devices, rho %.2f: %llu requests in %.3f s, "
               "%.3f M requests/s\n",
               policy, n, rho, (unsigned long long)m.all, m.wall_s, (double)m.all / m.wall_s / 1e6);
        return 0;
}

int main(int argc, char **argv)
{
        bool pool = argc > 1 && strcmp(argv[1], "--pool") == 0;
        bool full = argc > 1 && strcmp(argv[1], "--full") == 0;
        bool speed = argc > 1 && strcmp(argv[1], "--speed") == 0;
        bool devices = argc > 1 && strcmp(argv[1], "--devices") == 0;
        bool args_ok = argc == 1 || ((full || speed) && argc == 2) || (devices && argc <= 4) ||
                       (pool && (argc == 5 || argc == 6));
        const char *balancer = devices && argc >= 3 ? argv[2] : "all";
        bool balancer_ok = strcmp(balancer, "all") == 0 || strcmp(balancer, "round-robin") == 0 ||
                           strcmp(balancer, "power-of-two") == 0;
        /* the load per device of --devices and --pool: 0.9 unless given */
        const char *rho_text = pool && argc == 6 ? argv[5] : devices && argc == 4 ? argv[3] : NULL;
        char *rho_end = NULL;
        double rho = rho_text ? strtod(rho_text, &rho_end) : 0.9;
        bool rho_ok = !rho_text || (*rho_end == '\0' && rho > 0 && rho < 1);
        if (!args_ok || !balancer_ok || !rho_ok) {
                fprintf(
                    stderr,
                    "usage: bench_supermarket [--full | --speed | --devices [balancer [rho]] |\n"
                    "                          --pool balancer devices requests [rho]]\n"
                    "       balancer of --devices: round-robin, power-of-two or all\n"
                    "       rho: the load per device, 0 < rho < 1 (0.9 unless given)\n");
                return 2;
        }
        if (pool)
                return pool_once(argv[2], argv[3], argv[4], rho);
        if (speed)
                return speed_rows() ? 1 : 0;
        if (devices)
                return devices_rows(strcmp(balancer, "all") == 0 ? NULL : balancer, rho) ? 1 : 0;
        /* The cost per request grows with n (see docs/policies.md), so
         * the largest pool gets fewer requests. */
        static const uint32_t short_ns[] = {50, 100, 200};
        static const double short_requests[] = {1e6, 1e6, 1e6};
        static const uint32_t full_ns[] = {20, 50, 100, 200, 500};
        static const double full_requests[] = {4e6, 4e6, 4e6, 4e6, 2e6};
        static const double short_rho[] = {0.9};
        static const double full_rho[] = {0.9, 0.7};
        int rc;
        if (full)
                rc = random_rows(5e6, 6) || p2c_rows(full_rho, 2, full_ns, full_requests, 5, 4);
        else
                rc = random_rows(1.2e6, 2) ||
                     p2c_rows(short_rho, 1, short_ns, short_requests, 3, 2) ||
                     devices_rows(NULL, 0.9);
        return rc ? 1 : 0;
}

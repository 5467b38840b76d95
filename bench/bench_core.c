/*
 * bench_core.c - requests per second through the core alone.
 *
 * Devices (ring 64) whose driver remembers tags in a FIFO; the loop keeps
 * up to 128 requests per device in the engine, completing the oldest stage
 * of the next device in turn whenever it cannot submit. The platform is
 * minimal: a counter for a clock, timers that only record their deadline
 * (so the figure is the core's cost of arming and cancelling, not a timer
 * structure's) and a splitmix64 random source. Requests come from a
 * stack of those not in the engine (a completed one is submitted next, as
 * from a caller's pool), so a request still queued behind a long queue
 * never holds up a submission. Reported: the median of 5
 * runs, as requests per second and, for the scaling rows, as the median of
 * the ratios to the baseline row, the two run alternately so that both see
 * the same load from the rest of the machine, per wall second and per CPU
 * second of the process (which leaves out the time a loaded machine keeps
 * it waiting); --devices ends with one line to paste, with the load
 * average:
 *
 *   - 2 devices, 2M requests: single-stage and 3-stage chains, with and
 *     without watchdogs, and with flow order;
 *   - the same with 2^10 and 2^20 stages of an operation that only a
 *     stalled device can do waiting in the backlog (every completion
 *     offers queue room to the backlog);
 *   - the same after 5000 cycles of adding, removing and releasing a
 *     device;
 *   - 10 and 1000 devices at the same load per device (32 requests each:
 *     half a ring), per balancer; and 1000 devices holding the 10-device
 *     run's 320 requests in all, against 10: the part of the gap that the
 *     devices make, without the 5 MB of 32 000 requests of the caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench_util.h"
#include "ac/ac.h"

#define RUNS     5
#define REQUESTS 2000000
#define PER_DEV  128 /* requests in the engine per device */
#define RING     64

static uint64_t clock_ns, rng = 0x9e3779b97f4a7c15ull;

static uint64_t b_now(void *ctx)
{
        (void)ctx;
        return clock_ns++;
}

static void b_arm(void *ctx, struct ac_timer *t, uint64_t when)
{
        (void)ctx;
        t->opaque[0] = when;
}

static void b_cancel(void *ctx, struct ac_timer *t)
{
        (void)ctx;
        t->opaque[0] = 0;
}

static uint64_t b_random(void *ctx)
{
        (void)ctx;
        uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
}

static const struct ac_platform_ops b_platform = {.name = "bench",
                                                  .now_ns = b_now,
                                                  .timer_arm = b_arm,
                                                  .timer_cancel = b_cancel,
                                                  .random_u64 = b_random};

struct bdev {
        struct ac_device *dev;
        uint64_t tags[RING];
        unsigned head, count;
};

static int b_submit(void *ctx, struct ac_device *dev, const struct ac_job *job)
{
        struct bdev *d = ctx;
        (void)dev;
        d->tags[(d->head + d->count++) % RING] = job->tag;
        return 0;
}

static const struct ac_driver_ops b_driver = {.name = "bench", .submit = b_submit};

static uint64_t callbacks;

static void b_done(struct ac_request *req, int status)
{
        (void)req;
        (void)status;
        callbacks++;
}

/* The requests not in the engine, a stack: a completed request is the next
 * one submitted, as from a caller's pool of request objects. */
static struct ac_request **idle;
static size_t nidle;

static void b_done_idle(struct ac_request *req, int status)
{
        (void)status;
        callbacks++;
        idle[nidle++] = req;
}

/* Completes the oldest stage of the next device in turn that has one. */
static bool complete_one(struct bdev *devs, unsigned n, unsigned *turn)
{
        for (unsigned k = 0; k < n; k++) {
                struct bdev *d = &devs[(*turn)++ % n];
                if (d->count) {
                        uint64_t tag = d->tags[d->head];
                        d->head = (d->head + 1) % RING;
                        d->count--;
                        ac_device_complete(d->dev, tag, 0);
                        return true;
                }
        }
        return false;
}

struct bcase {
        const char *policy; /* NULL: the default */
        unsigned ndevices;  /* doing aes and sha */
        uint32_t nstages;
        uint64_t timeout_ns;
        bool flow_order;
        uint32_t backlogged; /* stages of an operation only a stalled device does */
        uint32_t churn;      /* add/remove/release cycles before the run */
        uint32_t per_device; /* requests kept in the engine per device; 0: PER_DEV */
        uint32_t window;     /* requests kept in the engine in all; 0: per device */
        uint64_t requests;
};

static void add_device(struct ac_engine *eng, struct bdev *d, const char *name, const char *op0,
                       size_t nops)
{
        const char *ops[2] = {op0, "sha"};
        *d = (struct bdev){0};
        struct ac_device_config dc = {.name = name,
                                      .ops = ops,
                                      .nops = nops,
                                      .ring = RING,
                                      .driver = &b_driver,
                                      .driver_ctx = d};
        if (ac_device_register(eng, &dc, &d->dev) != 0)
                abort();
}

/* The rate of the last run() per CPU second of this process (leaves out
 * the time a loaded machine kept it waiting). */
static double last_cpu_rate;

static double run(const struct bcase *c)
{
        struct ac_engine_config cfg;
        ac_engine_config_defaults(&cfg);
        cfg.platform = (struct ac_platform){.ops = &b_platform};
        cfg.failover.timeout_ns = c->timeout_ns;
        cfg.flow_order = c->flow_order;
        if (c->policy)
                cfg.policy = c->policy;
        cfg.backlog = c->backlogged + 1024;
        struct ac_engine *eng;
        if (ac_engine_create(&cfg, &eng) != 0)
                abort();
        struct bdev *devs = calloc(c->ndevices, sizeof(*devs));
        size_t window =
            c->window ? c->window : (size_t)(c->per_device ? c->per_device : PER_DEV) * c->ndevices;
        struct ac_request *reqs = calloc(window, sizeof(*reqs));
        idle = calloc(window, sizeof(*idle));
        if (!devs || !reqs || !idle)
                abort();
        for (nidle = 0; nidle < window; nidle++)
                idle[nidle] = &reqs[window - 1 - nidle];
        for (unsigned i = 0; i < c->ndevices; i++) {
                char name[16];
                snprintf(name, sizeof(name), "d%u", i);
                add_device(eng, &devs[i], name, "aes", 2);
        }
        for (uint32_t i = 0; i < c->churn; i++) {
                struct bdev spare;
                add_device(eng, &spare, "spare", "aes", 2);
                ac_device_removed(spare.dev);
                ac_device_release(spare.dev);
        }
        /* A stalled device (never completes) alone does "md5": its queue
         * fills, the rest waits in the backlog. */
        struct bdev stalled;
        struct ac_stage md5 = {.op = 0, .bytes = 64};
        struct ac_request *parked = NULL;
        if (c->backlogged) {
                add_device(eng, &stalled, "stalled", "md5", 1);
                md5.op = (uint32_t)ac_op_lookup(eng, "md5");
                size_t n = (size_t)c->backlogged + cfg.queue_depth + RING;
                parked = calloc(n, sizeof(*parked));
                if (!parked)
                        abort();
                for (size_t i = 0; i < n; i++) {
                        parked[i] =
                            (struct ac_request){.stages = &md5, .nstages = 1, .done = b_done};
                        if (ac_submit(eng, &parked[i]) < 0)
                                abort();
                }
        }
        struct ac_stage chain[3] = {{(uint32_t)ac_op_lookup(eng, "aes"), 1500},
                                    {(uint32_t)ac_op_lookup(eng, "sha"), 1500},
                                    {(uint32_t)ac_op_lookup(eng, "aes"), 1500}};
        callbacks = 0;
        unsigned turn = 0;
        uint64_t submitted = 0;
        struct timespec t0, t1, c0, c1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
        while (callbacks < c->requests) {
                if (submitted < c->requests && nidle > 0) {
                        struct ac_request *r = idle[--nidle];
                        r->stages = chain;
                        r->nstages = c->nstages;
                        r->flow = submitted % 16;
                        r->done = b_done_idle;
                        if (ac_submit(eng, r) >= 0) {
                                submitted++;
                                continue;
                        }
                        idle[nidle++] = r;
                }
                if (!complete_one(devs, c->ndevices, &turn))
                        abort();
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
        ac_engine_destroy(eng);
        free(parked);
        free(reqs);
        free(idle);
        free(devs);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
        double cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) * 1e-9;
        last_cpu_rate = (double)c->requests / cpu;
        return (double)c->requests / s;
}

static double median_of(double *r)
{
        return bench_median(r, RUNS);
}

static void report(const char *what, const struct bcase *c)
{
        double r[RUNS];
        for (int i = 0; i < RUNS; i++)
                r[i] = run(c);
        printf("%-52s %7.2f M requests/s\n", what, median_of(r) / 1e6);
}

/* Runs base and c alternately, RUNS times each, so that both see the same
 * load from the rest of the machine; prints both medians and the median of
 * the pairs' ratios c / base, per wall second and per CPU second. Returns
 * the wall ratio and sets *cpu_ratio. */
static double ratio(const char *base_what, const struct bcase *base, const char *what,
                    const struct bcase *c, double *cpu_ratio)
{
        double rb[RUNS], rc[RUNS], q[RUNS], qc[RUNS];
        for (int i = 0; i < RUNS; i++) {
                rb[i] = run(base);
                double cb = last_cpu_rate;
                rc[i] = run(c);
                q[i] = rc[i] / rb[i];
                qc[i] = last_cpu_rate / cb;
        }
        double r = median_of(q), rcpu = median_of(qc);
        printf("%-52s %7.2f M requests/s\n", base_what, median_of(rb) / 1e6);
        printf("%-52s %7.2f M requests/s  %5.2fx (CPU time %5.2fx)\n", what, median_of(rc) / 1e6, r,
               rcpu);
        if (cpu_ratio)
                *cpu_ratio = rcpu;
        return r;
}

/* The scaling rows: 1000 devices against 10, per balancer (only `only`
 * when it is not NULL). */
static void devices_rows(const char *only)
{
        char summary[256] = "";
        size_t len = 0;
        double load0 = bench_load_average();
        static const char *const policies[] = {"round-robin", "random", "power-of-two",
                                               "least-loaded", "shortest-expected-delay"};
        for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
                if (only && strcmp(only, policies[i]) != 0)
                        continue;
                printf("-- %s: 1000 devices against 10, same load per device\n", policies[i]);
                const struct bcase ten = {.policy = policies[i],
                                          .ndevices = 10,
                                          .nstages = 1,
                                          .per_device = 32,
                                          .requests = 400000};
                struct bcase thousand = ten;
                thousand.ndevices = 1000;
                char w10[80], w1000[80];
                snprintf(w10, sizeof(w10), "%s, 10 devices", policies[i]);
                snprintf(w1000, sizeof(w1000), "%s, 1000 devices", policies[i]);
                double cpu, r = ratio(w10, &ten, w1000, &thousand, &cpu);
                /* The part of the gap that is the devices: 1000 of them
                 * holding the 10-device run's 320 requests in all. */
                struct bcase sparse = thousand;
                sparse.window = 320;
                char wsparse[80];
                snprintf(wsparse, sizeof(wsparse), "%s, 1000 devices, 320 requests", policies[i]);
                double sparse_cpu, sparse_r = ratio(w10, &ten, wsparse, &sparse, &sparse_cpu);
                len += (size_t)snprintf(summary + len, sizeof(summary) - len,
                                        "%s%s %.2f (CPU %.2f; 320 requests %.2f)", len ? ", " : "",
                                        policies[i], r, cpu, sparse_r);
                (void)sparse_cpu;
        }
        printf("bench_core --devices: 1000 / 10 devices: %s; medians of %d pairs; load average "
               "%.2f -> %.2f\n",
               summary, RUNS, load0, bench_load_average());
}

int main(int argc, char **argv)
{
        if (argc >= 2 && argc <= 3 && strcmp(argv[1], "--devices") == 0) {
                devices_rows(argc == 3 ? argv[2] : NULL);
                return 0;
        }
        if (argc > 1) {
                fprintf(stderr, "usage: bench_core [--devices [balancer]]\n");
                return 2;
        }
        const struct bcase plain = {.ndevices = 2, .nstages = 1, .requests = REQUESTS};
        struct bcase c = plain;
        report("1 stage, no watchdog", &c);
        c.timeout_ns = 5000000;
        report("1 stage, watchdog", &c);
        c.flow_order = true;
        report("1 stage, watchdog, flow order (16 flows)", &c);
        c.flow_order = false;
        c.nstages = 3;
        report("3-stage chain, watchdog", &c);

        printf("-- backlog of work only a stalled device does (ratio to none)\n");
        c = plain;
        c.backlogged = 1u << 10;
        ratio("1 stage, backlog empty", &plain, "1 stage, 2^10 stages backlogged", &c, NULL);
        c.backlogged = 1u << 20;
        ratio("1 stage, backlog empty", &plain, "1 stage, 2^20 stages backlogged", &c, NULL);

        printf("-- hot-plug churn (ratio to none)\n");
        c = plain;
        c.churn = 5000;
        ratio("1 stage, no churn", &plain, "1 stage, after 5000 add/remove/release cycles", &c,
              NULL);

        devices_rows(NULL);
        return 0;
}

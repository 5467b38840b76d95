/*
 * bench_core.c - requests per second through the core alone.
 *
 * Two devices (ring 64) whose driver remembers tags in a FIFO; the loop
 * keeps up to 256 requests in the engine, completing the oldest stage
 * whenever it cannot submit. The platform is minimal: a counter for a clock
 * and timers that only record their deadline (so the figure is the core's
 * cost of arming and cancelling, not a timer structure's). Reported: the
 * median of 5 runs of 2M requests, single-stage and 3-stage chains, with
 * and without watchdogs, and with flow order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ac/ac.h"

#define RUNS     5
#define REQUESTS 2000000
#define WINDOW   256
#define RING     64

static uint64_t clock_ns;

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

static const struct ac_platform_ops b_platform = {
    .name = "bench", .now_ns = b_now, .timer_arm = b_arm, .timer_cancel = b_cancel};

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

static bool complete_one(struct bdev *devs, unsigned *turn)
{
        for (int k = 0; k < 2; k++) {
                struct bdev *d = &devs[(*turn)++ % 2];
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

static double run(uint32_t nstages, uint64_t timeout_ns, bool flow_order)
{
        struct ac_engine_config cfg;
        ac_engine_config_defaults(&cfg);
        cfg.platform = (struct ac_platform){.ops = &b_platform};
        cfg.failover.timeout_ns = timeout_ns;
        cfg.flow_order = flow_order;
        struct ac_engine *eng;
        if (ac_engine_create(&cfg, &eng) != 0)
                abort();
        static struct bdev devs[2];
        const char *ops[2] = {"aes", "sha"};
        for (int i = 0; i < 2; i++) {
                char name[8];
                snprintf(name, sizeof(name), "d%d", i);
                devs[i] = (struct bdev){0};
                struct ac_device_config dc = {.name = name,
                                              .ops = ops,
                                              .nops = 2,
                                              .ring = RING,
                                              .driver = &b_driver,
                                              .driver_ctx = &devs[i]};
                if (ac_device_register(eng, &dc, &devs[i].dev) != 0)
                        abort();
        }
        struct ac_stage chain[3] = {{0, 1500}, {1, 1500}, {0, 1500}};
        static struct ac_request reqs[WINDOW];
        memset(reqs, 0, sizeof(reqs));
        callbacks = 0;
        unsigned turn = 0;
        uint64_t submitted = 0;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        while (callbacks < REQUESTS) {
                struct ac_request *r = &reqs[submitted % WINDOW];
                if (submitted < REQUESTS && submitted - callbacks < WINDOW) {
                        r->stages = chain;
                        r->nstages = nstages;
                        r->flow = submitted % 16;
                        r->done = b_done;
                        if (ac_submit(eng, r) >= 0) {
                                submitted++;
                                continue;
                        }
                }
                if (!complete_one(devs, &turn))
                        abort();
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ac_engine_destroy(eng);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
        return REQUESTS / s;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

static void report(const char *what, uint32_t nstages, uint64_t timeout_ns, bool flow_order)
{
        double r[RUNS];
        for (int i = 0; i < RUNS; i++)
                r[i] = run(nstages, timeout_ns, flow_order);
        qsort(r, RUNS, sizeof(r[0]), cmp);
        printf("%-44s %6.2f M requests/s\n", what, r[RUNS / 2] / 1e6);
}

int main(void)
{
        report("1 stage, no watchdog", 1, 0, false);
        report("1 stage, watchdog", 1, 5000000, false);
        report("1 stage, watchdog, flow order (16 flows)", 1, 5000000, true);
        report("3-stage chain, watchdog", 3, 5000000, false);
        return 0;
}

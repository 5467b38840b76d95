/*
 * test_workload.c - the workload model on the event engine: Poisson rate
 * and gap cv, exact constant arrivals, the on/off long-run rate, closed-loop
 * throughput N / (R + Z), flows, trace replay and its parse errors, the end
 * time, determinism and independent streams.
 *
 * The harness records every emitted request; for closed loop it answers
 * each request after a fixed response time.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/workload.h"
#include "sim/des/loop.h"
#include "tests/support/ttmp.h"

#define MAX_REQS    1000000
#define MAX_CLIENTS 64

struct reply {
        struct sim_event ev; /* first, so the event is the reply */
        uint32_t cls, client;
};

struct harness {
        struct sim_loop *loop;
        struct workload *wl;
        gsl_rng *rng[3][3]; /* [class][arrival, size, flow] */
        uint64_t *time;
        struct workload_request *rq;
        size_t n;
        uint64_t response_ns; /* closed loop: fixed response time */
        struct reply replies[MAX_CLIENTS];
};

static struct harness H;

static gsl_rng *rng(unsigned long seed)
{
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, seed);
        return r;
}

static void reply_fire(struct sim_loop *loop, struct sim_event *ev)
{
        struct reply *r = (struct reply *)ev;
        workload_complete(H.wl, r->cls, r->client);
}

static void on_emit(void *ctx, const struct workload_request *rq)
{
        struct harness *h = ctx;
        cr_assert_lt(h->n, MAX_REQS);
        h->time[h->n] = sim_now(h->loop);
        h->rq[h->n++] = *rq;
        if (rq->client != WORKLOAD_OPEN) {
                cr_assert_lt(rq->client, MAX_CLIENTS);
                struct reply *r = &h->replies[rq->client];
                cr_assert_not(sim_pending(&r->ev), "client %u issued twice", rq->client);
                r->cls = rq->cls;
                r->client = rq->client;
                r->ev.fn = reply_fire;
                sim_schedule(h->loop, &r->ev, sim_now(h->loop) + h->response_ns);
        }
}

static const struct workload_ops harness_ops = {.emit = on_emit};

static void seed_all(unsigned long seed)
{
        for (int c = 0; c < 3; c++)
                for (int s = 0; s < 3; s++)
                        gsl_rng_set(H.rng[c][s], seed * 100 + (unsigned long)(c * 10 + s));
}

static void setup(void)
{
        memset(&H, 0, sizeof(H));
        H.loop = sim_loop_create();
        for (int c = 0; c < 3; c++)
                for (int s = 0; s < 3; s++)
                        H.rng[c][s] = rng(1);
        seed_all(1);
        H.time = malloc(MAX_REQS * sizeof(*H.time));
        H.rq = malloc(MAX_REQS * sizeof(*H.rq));
}

static void teardown(void)
{
        workload_destroy(H.wl);
        sim_loop_destroy(H.loop);
        for (int c = 0; c < 3; c++)
                for (int s = 0; s < 3; s++)
                        gsl_rng_free(H.rng[c][s]);
        free(H.time);
        free(H.rq);
}

TestSuite(workload, .init = setup, .fini = teardown);

static const char *const one_op[] = {"aes-gcm-enc"};

static struct workload_class_config klass(const char *name, struct arrival_config a)
{
        return (struct workload_class_config){
            .name = name,
            .arrival = a,
            .size = {.kind = DIST_CONSTANT, .a = 64},
            .chain = one_op,
            .nchain = 1,
            .flows = 1,
        };
}

/* Prepares the classes, creates the model and runs it from 0 to end. */
static void run(struct workload_class_config *cls, size_t n, uint64_t end)
{
        char err[256];
        for (size_t i = 0; i < n; i++)
                cr_assert_eq(workload_class_prepare(&cls[i], err, sizeof(err)), 0, "%s", err);
        struct workload_rngs rngs[3];
        for (size_t i = 0; i < n; i++)
                rngs[i] = (struct workload_rngs){H.rng[i][0], H.rng[i][1], H.rng[i][2]};
        cr_assert_eq(workload_create(H.loop, cls, n, rngs, &harness_ops, &H, &H.wl), 0);
        cr_assert_eq(workload_start(H.wl, end), 0);
        cr_assert_eq(workload_start(H.wl, end), -1);
        sim_run_until(H.loop, UINT64_MAX);
        for (size_t i = 0; i < H.n; i++)
                cr_assert_lt(H.time[i], end, "request at %llu past the end",
                             (unsigned long long)H.time[i]);
}

Test(workload, poisson_rate_and_gap_cv)
{
        /* 1M/s for 200 ms: 200k arrivals, sd 447 */
        struct workload_class_config c =
            klass("p", (struct arrival_config){.process = ARRIVAL_POISSON, .rate = 1e6});
        run(&c, 1, 200000000);
        cr_assert(fabs((double)H.n - 2e5) < 2000, "%zu arrivals, want ~200000", H.n);
        cr_assert_eq(workload_emitted(H.wl, 0), H.n);
        double m = 0.0, s = 0.0;
        for (size_t i = 1; i < H.n; i++) {
                double gap = (double)(H.time[i] - H.time[i - 1]);
                double d = gap - m;
                m += d / (double)i;
                s += d * (gap - m);
        }
        double cv = sqrt(s / (double)(H.n - 2)) / m;
        cr_log_info("poisson 1M/s: %zu arrivals in 200 ms, mean gap %.2f ns, cv %.4f", H.n, m, cv);
        cr_assert(fabs(m - 1000.0) < 10.0, "mean gap %.2f", m);
        cr_assert(fabs(cv - 1.0) < 0.01, "gap cv %.4f", cv);
        cr_assert_eq(H.rq[0].client, WORKLOAD_OPEN);
        cr_assert_eq(H.rq[0].bytes, 64);
}

Test(workload, constant_is_exact)
{
        /* 300k/s: a period of 3333.33 ns, 300 arrivals in [0, 1 ms) */
        struct workload_class_config c =
            klass("c", (struct arrival_config){.process = ARRIVAL_CONSTANT, .rate = 3e5});
        run(&c, 1, 1000000);
        cr_assert_eq(H.n, 300);
        for (size_t i = 0; i < H.n; i++)
                cr_assert_eq(H.time[i], (uint64_t)llround((double)i * 1e9 / 3e5), "arrival %zu", i);
}

Test(workload, onoff_long_run_rate)
{
        /* on: 1M/s for 100 us on average; off: 100k/s for 400 us.
         * long-run rate = (1e6 * 100 + 1e5 * 400) / 500 = 280k/s */
        struct workload_class_config c =
            klass("b", (struct arrival_config){.process = ARRIVAL_ONOFF,
                                               .rate_on = 1e6,
                                               .rate_off = 1e5,
                                               .mean_on_ns = 1e5,
                                               .mean_off_ns = 4e5});
        run(&c, 1, 2000000000);
        double rate = (double)H.n / 2.0;
        cr_log_info("onoff: long-run rate %.0f/s (theory 280000)", rate);
        cr_assert(fabs(rate - 2.8e5) / 2.8e5 < 0.04, "long-run rate %.0f", rate);
        /* bursty: the gap cv exceeds a Poisson stream's 1 */
        double m = 0.0, s = 0.0;
        for (size_t i = 1; i < H.n; i++) {
                double gap = (double)(H.time[i] - H.time[i - 1]);
                double d = gap - m;
                m += d / (double)i;
                s += d * (gap - m);
        }
        cr_assert_gt(sqrt(s / (double)(H.n - 2)) / m, 1.2);
}

Test(workload, onoff_silent_off_state)
{
        struct workload_class_config c =
            klass("b", (struct arrival_config){.process = ARRIVAL_ONOFF,
                                               .rate_on = 2e6,
                                               .rate_off = 0,
                                               .mean_on_ns = 5e4,
                                               .mean_off_ns = 1.5e5});
        run(&c, 1, 1000000000);
        double rate = (double)H.n / 1.0;
        cr_assert(fabs(rate - 5e5) / 5e5 < 0.05, "long-run rate %.0f, want 500000", rate);
}

Test(workload, closed_loop_throughput)
{
        /* N = 10 clients, R = 1 us fixed, Z = 9 us exponential:
         * X = N / (R + Z) = 1M/s */
        struct workload_class_config c =
            klass("cl", (struct arrival_config){.process = ARRIVAL_CLOSED,
                                                .clients = 10,
                                                .think = {.kind = DIST_EXPONENTIAL, .a = 9000}});
        H.response_ns = 1000;
        run(&c, 1, 500000000);
        double x = (double)H.n / 0.5;
        cr_log_info("closed loop: throughput %.0f/s (theory 1000000)", x);
        cr_assert(fabs(x - 1e6) / 1e6 < 0.01, "throughput %.0f", x);
        bool seen[10] = {false};
        for (size_t i = 0; i < H.n; i++) {
                cr_assert_lt(H.rq[i].client, 10);
                seen[H.rq[i].client] = true;
        }
        for (int j = 0; j < 10; j++)
                cr_assert(seen[j]);
}

Test(workload, flows_uniform_and_round_robin)
{
        struct workload_class_config c[2] = {
            klass("u", (struct arrival_config){.process = ARRIVAL_CONSTANT, .rate = 1e8}),
            klass("r", (struct arrival_config){.process = ARRIVAL_CONSTANT, .rate = 1e8}),
        };
        c[0].flows = 8;
        c[1].flows = 5;
        c[1].flow_pick = FLOW_ROUND_ROBIN;
        run(c, 2, 800000); /* 80000 requests per class */
        size_t count[8] = {0};
        uint64_t rr = 0;
        for (size_t i = 0; i < H.n; i++) {
                if (H.rq[i].cls == 0) {
                        cr_assert_lt(H.rq[i].flow, 8);
                        count[H.rq[i].flow]++;
                } else {
                        cr_assert_eq(H.rq[i].flow, rr % 5);
                        rr++;
                }
        }
        cr_assert_eq(rr, 80000);
        for (int f = 0; f < 8; f++)
                cr_assert(fabs((double)count[f] - 10000.0) < 500.0, "flow %d: %zu", f, count[f]);
}

static const char *source_dir(void)
{
        const char *d = getenv("ACSIM_SOURCE_DIR");
        return d ? d : ".."; /* run by hand from build-test/ */
}

Test(workload, trace_replay_is_exact)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/scenarios/traces/sample.csv", source_dir());
        struct workload_class_config c[2] = {
            klass("ipsec", (struct arrival_config){.process = ARRIVAL_TRACE, .file = path}),
            klass("bulk", (struct arrival_config){.process = ARRIVAL_TRACE, .file = path}),
        };
        /* start the run at 500 ns: trace times are relative to the start */
        sim_run_until(H.loop, 500);
        run(c, 2, 500 + 10000); /* the row at 12000 is past the end */
        static const struct {
                uint64_t t, bytes;
                uint32_t cls;
        } want[] = {
            {0, 40, 0},      {0, 1500, 0},    {250, 576, 1}, {1000, 40, 0},  {1000, 65536, 1},
            {1200, 1500, 0}, {1200, 1500, 1}, {4000, 40, 0}, {4001, 576, 0}, {9000, 16384, 1},
        };
        cr_assert_eq(H.n, 10);
        for (size_t i = 0; i < H.n; i++) {
                cr_assert_eq(H.time[i], 500 + want[i].t, "row %zu at %llu", i,
                             (unsigned long long)H.time[i]);
                cr_assert_eq(H.rq[i].bytes, want[i].bytes, "row %zu", i);
                cr_assert_eq(H.rq[i].cls, want[i].cls, "row %zu", i);
        }
        workload_class_free(&c[0]);
        workload_class_free(&c[1]);
}

/* Writes text to a temporary file; returns its path (static buffer). */
static const char *temp_trace(const char *text)
{
        static char path[64];
        ttmp_file(path, sizeof(path), text, strlen(text));
        return path;
}

static void trace_error(const char *text, const char *want)
{
        const char *path = temp_trace(text);
        struct trace t;
        char err[256] = "";
        cr_assert_eq(trace_load(path, NULL, &t, err, sizeof(err)), -1, "accepted: %s", text);
        cr_assert_eq(t.n, 0);
        cr_assert_null(t.rows);
        char where[128];
        snprintf(where, sizeof(where), "%s:%s", path, want);
        cr_assert_not_null(strstr(err, where), "error '%s' lacks '%s'", err, where);
        unlink(path);
}

Test(workload, trace_errors_name_file_and_line)
{
        trace_error("0,40\n10,abc\n", "2: size 'abc'");
        trace_error("# comment\n\n0,40\n-5,40\n", "4: time '-5'");
        trace_error("0,40\n100,40\n50,40\n", "3: time 50 goes back");
        trace_error("0\n", "1: expected time,size[,class], got 1 fields");
        trace_error("0,1,a,b\n", "1: expected time,size[,class], got 4 fields");
        trace_error("1x,40\n", "1: time '1x'");
        trace_error("99999999999999999999999,40\n", "1: time");

        struct trace t;
        char err[256];
        cr_assert_eq(trace_load("/nonexistent/trace.csv", NULL, &t, err, sizeof(err)), -1);
        cr_assert_not_null(strstr(err, "/nonexistent/trace.csv: cannot open"));

        /* through the class: the loader's error comes back unchanged */
        const char *path = temp_trace("time,size\n5,x\n");
        struct workload_class_config c =
            klass("t", (struct arrival_config){.process = ARRIVAL_TRACE, .file = path});
        cr_assert_eq(workload_class_prepare(&c, err, sizeof(err)), -1);
        cr_assert_not_null(strstr(err, ":2: size 'x'"), "%s", err);
        unlink(path);

        /* spaces, CRLF and a header are fine */
        path = temp_trace("time , size\r\n 7 , 100 \r\n8,200, t\r\n9,300,other\r\n");
        cr_assert_eq(trace_load(path, "t", &t, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(t.n, 2);
        cr_assert_eq(t.rows[0].time_ns, 7);
        cr_assert_eq(t.rows[1].bytes, 200);
        trace_free(&t);
        unlink(path);
}

Test(workload, bad_classes_refused)
{
        char err[256];
        struct workload_class_config c =
            klass("x", (struct arrival_config){.process = ARRIVAL_POISSON, .rate = 0});
        cr_assert_eq(workload_class_prepare(&c, err, sizeof(err)), -1);
        cr_assert_not_null(strstr(err, "class x: rate"), "%s", err);
        c = klass("x", (struct arrival_config){.process = ARRIVAL_ONOFF,
                                               .rate_on = 1,
                                               .rate_off = -1,
                                               .mean_on_ns = 1,
                                               .mean_off_ns = 1});
        cr_assert_eq(workload_class_prepare(&c, err, sizeof(err)), -1);
        c = klass("x", (struct arrival_config){.process = ARRIVAL_CLOSED, .clients = 0});
        cr_assert_eq(workload_class_prepare(&c, err, sizeof(err)), -1);
        c = klass("x", (struct arrival_config){.process = ARRIVAL_CLOSED,
                                               .clients = 2,
                                               .think = {.kind = DIST_EXPONENTIAL, .a = -1}});
        cr_assert_eq(workload_class_prepare(&c, err, sizeof(err)), -1);
        cr_assert_not_null(strstr(err, "mean"), "%s", err);
        c = klass("x", (struct arrival_config){.process = ARRIVAL_POISSON, .rate = 1});
        c.flows = 0;
        cr_assert_eq(workload_class_prepare(&c, err, sizeof(err)), -1);
        c.flows = 1;
        c.nchain = 0;
        cr_assert_eq(workload_class_prepare(&c, err, sizeof(err)), -1);
        c.nchain = 1;
        c.size.kind = DIST_PARETO;
        c.size.b = 0.5;
        cr_assert_eq(workload_class_prepare(&c, err, sizeof(err)), -1);
        cr_assert_str_eq(arrival_process_name(ARRIVAL_ONOFF), "on-off");
        cr_assert_null(arrival_process_name((enum arrival_process)17));
}

Test(workload, stop_ends_arrivals)
{
        struct workload_class_config c =
            klass("p", (struct arrival_config){.process = ARRIVAL_POISSON, .rate = 1e6});
        char err[256];
        cr_assert_eq(workload_class_prepare(&c, err, sizeof(err)), 0);
        struct workload_rngs r = {H.rng[0][0], H.rng[0][1], H.rng[0][2]};
        cr_assert_eq(workload_create(H.loop, &c, 1, &r, &harness_ops, &H, &H.wl), 0);
        workload_start(H.wl, UINT64_MAX);
        sim_run_until(H.loop, 1000000);
        size_t n = H.n;
        workload_stop(H.wl);
        sim_run_until(H.loop, UINT64_MAX);
        cr_assert_eq(H.n, n);
        cr_assert_eq(sim_pending_count(H.loop), 0);
}

/* Runs three classes with every kind of randomness from 0 to 20 ms. */
static void run_mix(void)
{
        struct workload_class_config c[3] = {
            klass("p", (struct arrival_config){.process = ARRIVAL_POISSON, .rate = 5e5}),
            klass("b", (struct arrival_config){.process = ARRIVAL_ONOFF,
                                               .rate_on = 2e6,
                                               .rate_off = 1e4,
                                               .mean_on_ns = 2e4,
                                               .mean_off_ns = 8e4}),
            klass("cl", (struct arrival_config){.process = ARRIVAL_CLOSED,
                                                .clients = 8,
                                                .think = {.kind = DIST_GAMMA, .a = 5000, .b = 2}}),
        };
        for (int i = 0; i < 3; i++) {
                c[i].size = (struct dist){.kind = DIST_IMIX};
                c[i].flows = 16;
        }
        H.response_ns = 700;
        run(c, 3, 20000000);
        for (int i = 0; i < 3; i++)
                workload_class_free(&c[i]);
}

/* A hash of the recorded requests (of class only_cls when >= 0): their
 * times, and unless times_only their sizes, flows and clients. */
static uint64_t digest(int only_cls, bool times_only)
{
        uint64_t hash = 1469598103934665603ULL;
        for (size_t i = 0; i < H.n; i++) {
                if (only_cls >= 0 && H.rq[i].cls != (uint32_t)only_cls)
                        continue;
                uint64_t v[4] = {H.time[i], H.rq[i].bytes, H.rq[i].flow, H.rq[i].client};
                for (int j = 0; j < (times_only ? 1 : 4); j++)
                        hash = (hash ^ v[j]) * 1099511628211ULL;
        }
        return hash;
}

static void reset(unsigned long seed)
{
        workload_destroy(H.wl);
        H.wl = NULL;
        sim_loop_destroy(H.loop);
        H.loop = sim_loop_create();
        H.n = 0;
        memset(H.replies, 0, sizeof(H.replies));
        seed_all(seed);
}

Test(workload, same_seeds_same_requests)
{
        run_mix();
        uint64_t a = digest(-1, false);
        cr_assert_gt(H.n, 10000);
        reset(1);
        run_mix();
        uint64_t b = digest(-1, false);
        reset(2);
        run_mix();
        uint64_t c = digest(-1, false);
        cr_assert_eq(a, b);
        cr_assert_neq(a, c);
}

Test(workload, streams_are_independent)
{
        /* Reseeding one class's size and flow streams changes its sizes and
         * flows but neither its arrival times nor any other class's draws. */
        run_mix();
        uint64_t t0 = digest(0, true), all0 = digest(0, false);
        uint64_t c1 = digest(1, false), c2 = digest(2, false);
        reset(1);
        gsl_rng_set(H.rng[0][1], 777);
        gsl_rng_set(H.rng[0][2], 778);
        run_mix();
        cr_assert_eq(digest(0, true), t0);
        cr_assert_neq(digest(0, false), all0);
        cr_assert_eq(digest(1, false), c1);
        cr_assert_eq(digest(2, false), c2);
}

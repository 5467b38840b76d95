/*
 * test_fingerprint.c - the fingerprint of a replication's trajectory
 * (sim/run/fingerprint.c): equal for the same run however it is watched,
 * sampled or spread over threads; different for another replication, and
 * for a change of one nanosecond in a device's cost that leaves the
 * summary figures within a fraction of a percent.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "sim/run/replicate.h"
#include "sim/run/run.h"
#include "support/tscen.h"

#define MS 1000000ull

/* One card of 4 lanes behind least-loaded, an encrypt-then-MAC class and
 * a plain one, at about 70% load; setup_ns the encryption's fixed cost. */
static void card(struct scenario *s, uint64_t setup_ns, uint64_t sample_ns)
{
        tscen_init(s, 7, 20 * MS, 2 * MS);
        scenario_set_text(&s->engine.policy, "least-loaded");
        s->run.sample_ns = sample_ns;
        struct scenario_device *d = tscen_device(s, "qat", 4, 16);
        d->count = 2;
        tscen_linear(d, "enc", setup_ns, 4.0);
        tscen_service(d, "mac", (struct dist){.kind = DIST_EXPONENTIAL, .a = 600});
        const char *chain[] = {"enc", "mac"};
        tscen_class(s, "bulk", chain, 2, 2.0e6,
                    (struct dist){.kind = DIST_UNIFORM, .a = 64, .b = 4096});
        tscen_class(s, "small", chain, 1, 2.0e6, (struct dist){.kind = DIST_CONSTANT, .a = 256});
        tscen_prepare(s);
}

static uint64_t fingerprint_of(uint64_t setup_ns, uint64_t sample_ns, uint32_t rep,
                               double *mean_latency)
{
        struct scenario s;
        struct sim_results r;
        card(&s, setup_ns, sample_ns);
        tscen_run(&s, rep, &r);
        uint64_t f = r.fingerprint;
        if (mean_latency)
                *mean_latency = r.latency.mean;
        cr_assert_gt(r.requests.completed, 50000);
        sim_results_free(&r);
        scenario_free(&s);
        return f;
}

Test(fingerprint, same_run_same_fingerprint)
{
        cr_assert_eq(fingerprint_of(400, 0, 0, NULL), fingerprint_of(400, 0, 0, NULL));
        cr_assert_neq(fingerprint_of(400, 0, 0, NULL), 0);
}

Test(fingerprint, another_replication_another_fingerprint)
{
        cr_assert_neq(fingerprint_of(400, 0, 0, NULL), fingerprint_of(400, 0, 1, NULL));
}

/* The time series only observes: a row every 100 us instead of the
 * default leaves the trajectory alone. */
Test(fingerprint, observation_does_not_count)
{
        cr_assert_eq(fingerprint_of(400, 0, 0, NULL), fingerprint_of(400, 100000, 0, NULL));
}

/* One nanosecond more per encryption: the mean latency moves by well
 * under 1%, inside any noise threshold, but the trajectory is another. */
Test(fingerprint, a_nanosecond_shows)
{
        double a, b;
        uint64_t fa = fingerprint_of(400, 0, 0, &a);
        uint64_t fb = fingerprint_of(401, 0, 0, &b);
        cr_assert_lt(fabs(b - a) / a, 0.01, "mean latency %g -> %g", a, b);
        cr_assert_neq(fa, fb);
}

/* One class, so that the run is plain (sim/run/request.c: the callback
 * and emit compiled without checks, trace and classes) unless traced:
 * traced, it takes the full ones, and must count and hash the same. */
Test(fingerprint, a_trace_only_watches_a_plain_run)
{
        struct sim_results r[2];
        for (int traced = 0; traced < 2; traced++) {
                struct scenario s;
                tscen_init(&s, 11, 10 * MS, 2 * MS);
                scenario_set_text(&s.engine.policy, "least-loaded");
                s.run.trace = traced;
                struct scenario_device *d = tscen_device(&s, "qat", 4, 16);
                d->count = 2;
                tscen_service(d, "enc", (struct dist){.kind = DIST_EXPONENTIAL, .a = 1500});
                const char *chain[] = {"enc"};
                tscen_class(&s, "small", chain, 1, 4.5e6,
                            (struct dist){.kind = DIST_CONSTANT, .a = 256});
                tscen_prepare(&s);
                tscen_run(&s, 0, &r[traced]);
                scenario_free(&s);
        }
        cr_assert_null(r[0].trace);
        cr_assert_not_null(r[1].trace);
        cr_assert_gt(r[0].requests.completed, 20000);
        cr_assert_eq(r[0].fingerprint, r[1].fingerprint);
        cr_assert_eq(r[0].order_hash, r[1].order_hash);
        cr_assert_eq(memcmp(&r[0].all, &r[1].all, sizeof(r[0].all)), 0);
        cr_assert_eq(memcmp(&r[0].requests, &r[1].requests, sizeof(r[0].requests)), 0);
        cr_assert_eq(memcmp(&r[0].latency, &r[1].latency, sizeof(r[0].latency)), 0);
        cr_assert_eq(memcmp(&r[0].hist, &r[1].hist, sizeof(r[0].hist)), 0);
        cr_assert_eq(r[0].mean_in_system, r[1].mean_in_system);
        cr_assert_eq(r[0].max_in_flight, r[1].max_in_flight);
        sim_results_free(&r[0]);
        sim_results_free(&r[1]);
}

static void no_progress(void *ctx, size_t index, size_t n, uint64_t now_ns, uint64_t end_ns,
                        uint64_t events)
{
        (void)ctx, (void)index, (void)n, (void)now_ns, (void)end_ns, (void)events;
}

/* Watched in slices, on 1 or 3 threads: every replication's fingerprint
 * is the one it has alone. */
Test(fingerprint, the_same_on_any_number_of_threads)
{
        struct scenario s;
        struct sim_error e;
        card(&s, 400, 0);
        struct rep_progress watch = {no_progress, NULL};
        struct replications one, three;
        cr_assert_eq(replications_run_jobs(&s, 0, 4, 1, NULL, &one, &e), SIM_OK, "%s", e.msg);
        cr_assert_eq(replications_run_jobs(&s, 0, 4, 3, &watch, &three, &e), SIM_OK, "%s", e.msg);
        cr_assert_eq(one.n, 4);
        cr_assert_eq(three.n, 4);
        /* and the summary over them is the same bytes */
        cr_assert_eq(memcmp(&one.latency, &three.latency, sizeof(one.latency)), 0);
        cr_assert_eq(memcmp(&one.requests, &three.requests, sizeof(one.requests)), 0);
        cr_assert_eq(memcmp(&one.hist, &three.hist, sizeof(one.hist)), 0);
        for (size_t i = 0; i < 4; i++) {
                cr_assert_eq(one.runs[i].fingerprint, three.runs[i].fingerprint, "run %zu", i);
                cr_assert_eq(one.runs[i].fingerprint, fingerprint_of(400, 0, (uint32_t)i, NULL));
                for (size_t j = 0; j < i; j++)
                        cr_assert_neq(one.runs[i].fingerprint, one.runs[j].fingerprint);
        }
        replications_free(&one);
        replications_free(&three);
        scenario_free(&s);
}

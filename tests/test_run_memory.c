/*
 * test_run_memory.c - what a replication holds (sim/run/request.c's pool):
 * memory follows the requests in use, not the configured queue bounds,
 * and run.memory stops a run that would hold more, with the key named, the
 * count held and no results.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "sim/run/run.h"
#include "support/tscen.h"

#define MS 1000000ull

/* n single-lane devices of exponential service (mean service_ns), one
 * class of Poisson arrivals at `rate`, queue.depth and backlog at their
 * largest. */
static void farm(struct scenario *s, uint32_t n, double service_ns, double rate, uint64_t duration)
{
        tscen_init(s, 7, duration, 0);
        scenario_set_text(&s->engine.policy, "least-loaded");
        s->engine.queue_depth = 1000000;
        s->engine.backlog = 16777216;
        struct scenario_device *d = tscen_device(s, "card", 1, 1);
        d->count = n;
        tscen_service(d, "enc", (struct dist){.kind = DIST_EXPONENTIAL, .a = service_ns});
        const char *chain[] = {"enc"};
        tscen_class(s, "bulk", chain, 1, rate, (struct dist){.kind = DIST_CONSTANT, .a = 64});
}

/* 100 devices with queues of 10^6 each at rho 0.9: configured, 10^8
 * requests could wait; in use, a few hundred. The run holds what it uses. */
Test(run_memory, a_huge_queue_depth_holds_what_is_in_use)
{
        struct scenario s;
        struct sim_results r;
        farm(&s, 100, 100000, 0.9e6, 20 * MS);
        tscen_prepare(&s);
        tscen_run(&s, 0, &r);
        cr_assert_not(r.drain_capped);
        tscen_assert_conserved(&r.all);
        cr_assert_eq(r.all.rejected, 0);
        cr_assert_eq(r.all.completed, r.all.submitted);
        cr_assert_gt(r.all.submitted, 15000);
        /* about 90 in service and a few waiting at rho 0.9 under
         * least-loaded: far below the 10^8 the queues allow */
        cr_assert_gt(r.max_in_flight, 50);
        cr_assert_lt(r.max_in_flight, 5000, "%" PRIu64, r.max_in_flight);
        struct rusage ru;
        cr_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
        /* generous (sanitizers included): 10^8 requests of the configured
         * bounds would be tens of GiB */
        cr_assert_lt(ru.ru_maxrss, 1024L * 1024, "peak RSS %ld KiB", ru.ru_maxrss);
        sim_results_free(&r);
        scenario_free(&s);
}

/* One device of 10 us against arrivals at 1 M/s for 5 ms: about 4500 pile
 * up in its queue. */
static void pile(struct scenario *s, uint64_t memory)
{
        farm(s, 1, 10000, 1e6, 5 * MS);
        s->run.memory = memory;
        tscen_prepare(s);
}

Test(run_memory, the_default_holds_the_pile)
{
        struct scenario s;
        struct sim_results r;
        pile(&s, SCENARIO_MEMORY);
        tscen_run(&s, 0, &r);
        cr_assert_not(r.drain_capped);
        tscen_assert_conserved(&r.all);
        cr_assert_eq(r.all.completed, r.all.submitted);
        cr_assert_gt(r.max_in_flight, 3000, "%" PRIu64, r.max_in_flight);
        sim_results_free(&r);
        scenario_free(&s);
}

/* With run.memory at 64 KiB the run stops at the arrival that finds
 * 64 KiB / (bytes per request) outstanding, says so, and keeps nothing. */
Test(run_memory, run_memory_stops_a_run_that_holds_more)
{
        struct scenario s;
        struct sim_results r;
        struct sim_error err = {""};
        pile(&s, 65536);
        cr_assert_eq(sim_run(&s, 0, &r, &err), AC_ERANGE, "%s", err.msg);
        cr_assert(strncmp(err.msg, "run.memory: at most 65536 bytes", 31) == 0, "%s", err.msg);
        const char *found = strstr(err.msg, "found ");
        cr_assert_not_null(found, "%s", err.msg);
        unsigned long long held = 0, each = 0;
        cr_assert_eq(sscanf(found, "found %llu outstanding of %llu bytes each", &held, &each), 2,
                     "%s", err.msg);
        cr_assert_gt(each, 0);
        cr_assert_eq(held, 65536 / each, "%s", err.msg);
        cr_assert(strstr(err.msg, "with no results"), "%s", err.msg);
        /* nothing is left behind: the results are empty */
        cr_assert_eq(r.ndevices, 0);
        cr_assert_eq(r.nclasses, 0);
        cr_assert_eq(r.series.nrows, 0);
        cr_assert_eq(r.all.submitted, 0);

        /* the same message, at the same arrival, every time */
        struct sim_error again = {""};
        cr_assert_eq(sim_run(&s, 0, &r, &again), AC_ERANGE);
        cr_assert_str_eq(again.msg, err.msg);
        scenario_free(&s);
}

/* A limit just above what the run needs lets it finish: the guard counts
 * requests held at once, not requests made. */
Test(run_memory, a_limit_above_the_peak_is_not_hit)
{
        struct scenario s;
        struct sim_results r;
        pile(&s, SCENARIO_MEMORY);
        tscen_run(&s, 0, &r);
        uint64_t peak = r.max_in_flight, made = r.all.submitted;
        sim_results_free(&r);
        scenario_free(&s);

        struct sim_error err = {""};
        pile(&s, 65536);
        cr_assert_eq(sim_run(&s, 0, &r, &err), AC_ERANGE);
        unsigned long long held = 0, each = 0;
        cr_assert_eq(sscanf(strstr(err.msg, "found "), "found %llu outstanding of %llu bytes each",
                            &held, &each),
                     2);
        scenario_free(&s);

        pile(&s, peak * each);
        tscen_run(&s, 0, &r);
        cr_assert_eq(r.max_in_flight, peak);
        cr_assert_eq(r.all.submitted, made);
        cr_assert_gt(made, peak, "more requests made than held at once");
        sim_results_free(&r);
        scenario_free(&s);

        pile(&s, peak * each - 1);
        cr_assert_eq(sim_run(&s, 0, &r, &err), AC_ERANGE, "one byte less stops it");
        scenario_free(&s);
}

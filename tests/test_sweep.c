/*
 * test_sweep.c - the parts of `acsim sweep` below the command line: point
 * names and labels, point lists, the paired difference, and common random
 * numbers across a sweep's policies (tests/sweep.sh runs the command).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/run/run.h"
#include "sim/sweep/sweep.h"
#include "sim/sweep/collect.h"
#include "support/tscen.h"
#include "tests/support/ttmp.h"

static const char scenario_text[] =
    "name: t\n"
    "seed: 3\n"
    "run: {duration: 5ms, warmup: 500us, replications: 2}\n"
    "engine: {policy: least-loaded}\n"
    "devices:\n"
    "  - {name: a, lanes: 2, ring: 8, ops: {enc: {setup: 1us, rate: 2GB/s}}}\n"
    "  - {name: b, lanes: 1, ring: 8, ops: {enc: {setup: 3us, rate: 1GB/s}}}\n"
    "workload:\n"
    "  - {name: x, arrival: {process: poisson, rate: 200k/s}, size: {dist: uniform, min: 64B, "
    "max: 4KiB}, chain: [enc]}\n"
    "  - {name: y, arrival: {process: poisson, rate: 50k/s}, size: 1KiB, chain: [enc]}\n"
    "sweep:\n"
    "  workload.x.arrival.rate: [100k/s, 300k/s]\n"
    "  engine.policy: [round-robin, least-loaded, power-of-two]\n"
    "  workload.y.arrival.rate: [50k/s]\n";

static char path[64];

static void write_scenario(void)
{
        ttmp_file(path, sizeof(path), scenario_text, strlen(scenario_text));
}

static void load(struct sweep_plan *p)
{
        struct diag dg;
        diag_init(&dg);
        write_scenario();
        int rc = sweep_plan_load(p, path, NULL, 0, false, 0, &dg);
        if (rc != 0)
                diag_print(&dg, stderr);
        diag_free(&dg);
        cr_assert_eq(rc, 0);
}

/* The points load the file again when they run: it goes last. */
static void unload(struct sweep_plan *p)
{
        sweep_plan_free(p);
        unlink(path);
}

Test(sweep, points_are_named_by_index_and_short_keys)
{
        struct sweep_plan p;
        load(&p);
        cr_assert_eq(p.npoints, 6);
        cr_assert_eq(p.policy_key, 1);
        /* the first key varies slowest; x.arrival.rate and y.arrival.rate
         * share "arrival.rate", so their short keys keep the class */
        cr_expect_str_eq(p.points[0].dir, "p000-x.arrival.rate=100k,policy=round-robin,"
                                          "y.arrival.rate=50k");
        cr_expect_str_eq(p.points[4].label, "x.arrival.rate=300k/s,policy=least-loaded,"
                                            "y.arrival.rate=50k/s");
        cr_expect_str_eq(p.points[5].policy, "power-of-two");
        cr_expect_eq(p.points[5].replications, 2);
        cr_expect_eq(sweep_point_value(&p, 4, 0), 1);
        cr_expect_eq(sweep_point_value(&p, 4, 1), 1);
        cr_expect_eq(sweep_point_with(&p, 4, 1, 0), 3);
        cr_expect_eq(sweep_point_with(&p, 1, 1, 2), 2);
        cr_expect_eq(sweep_value_index(&p, 1, "power-of-two"), 2);
        cr_expect_eq(sweep_value_index(&p, 1, "random"), SWEEP_NO_KEY);
        unload(&p);
}

Test(sweep, every_policy_at_a_point_sees_the_same_requests)
{
        struct sweep_plan p;
        load(&p);
        for (size_t q = 0; q < p.npoints; q += 3) {
                uint64_t first[2] = {0, 0};
                for (size_t v = 0; v < 3; v++) {
                        size_t point = sweep_point_with(&p, q, p.policy_key, v);
                        struct diag dg;
                        struct scenario sc;
                        diag_init(&dg);
                        cr_assert_eq(sweep_point_scenario(&p, point, &dg, &sc), 0);
                        diag_free(&dg);
                        cr_assert_str_eq(sc.engine.policy, p.points[point].policy);
                        for (uint32_t i = 0; i < 2; i++) {
                                struct sim_results r;
                                tscen_run(&sc, i, &r);
                                if (v == 0)
                                        first[i] = r.arrival_hash;
                                else
                                        cr_expect_eq(r.arrival_hash, first[i],
                                                     "point %zu replication %u: another workload",
                                                     point, i);
                                sim_results_free(&r);
                        }
                        scenario_free(&sc);
                }
                cr_expect_neq(first[0], first[1], "two replications drew the same requests");
        }
        unload(&p);
}

Test(sweep, point_lists)
{
        bool c[10];
        struct sim_error err;
        cr_assert_eq(sweep_parse_points("3,5-7", 10, c, &err), 0);
        for (size_t i = 0; i < 10; i++)
                cr_expect_eq(c[i], i == 3 || (i >= 5 && i <= 7), "point %zu", i);
        cr_assert_eq(sweep_parse_points("9", 10, c, &err), 0);
        cr_expect(c[9] && !c[0]);
        const char *bad[] = {"", "10", "3,", "7-5", "a", "1-", "-1", "1,,2", "2-12", "1 2"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_expect_eq(sweep_parse_points(bad[i], 10, c, &err), -1, "'%s'", bad[i]);
}

Test(sweep, a_paired_difference)
{
        double b[3] = {10, 20, 30}, x[3] = {11, 22, 33};
        struct sweep_diff d = sweep_pair(b, b, 3);
        cr_expect(d.mean == 0 && d.ci95 == 0 && d.relative == 0, "%g %g %g", d.mean, d.ci95,
                  d.relative);
        d = sweep_pair(x, b, 3);
        /* differences 1, 2, 3: mean 2, s = 1, t(0.975, 2) = 4.302653 */
        cr_expect_float_eq(d.mean, 2.0, 1e-12);
        cr_expect_float_eq(d.ci95, 4.302652730 / sqrt(3.0), 1e-8);
        cr_expect_float_eq(d.relative, 10.0, 1e-12);
        d = sweep_pair(x, b, 1);
        cr_expect(d.mean == 1 && d.ci95 == 0);
        double zero[2] = {0, 0};
        d = sweep_pair(x, zero, 2);
        cr_expect(isnan(d.relative), "relative to 0 is not a number");
}

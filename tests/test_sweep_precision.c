/*
 * test_sweep_precision.c - the parts of a sweep run to a precision below
 * the command line (tests/sweep_precision.sh runs the command): the
 * stopping rule on a paired difference, a relative half-width taken
 * against the baseline's mean, and a point's runs saved between rounds
 * and read back as they were.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/results/write_json.h"
#include "sim/run/replicate.h"
#include "sim/sweep/collect.h"
#include "sim/sweep/saved.h"
#include "sim/sweep/sweep.h"
#include "tests/support/ttmp.h"

/* One target on the mean latency, relative (a fraction) or absolute. */
static struct scenario_run target(bool relative, double half_width)
{
        struct scenario_run run = {.nprecision = 1, .max_replications = 40};
        run.precision[0].figure = replications_figure_index("latency_ns.mean");
        run.precision[0].relative = relative;
        run.precision[0].half_width = half_width;
        snprintf(run.precision[0].metric, sizeof(run.precision[0].metric), "latency_ns.mean");
        return run;
}

Test(sweep_precision, a_difference_is_judged_against_the_baseline_mean)
{
        /* d = 1, 3, 5, 7: mean 4, sd 2.582, h = t(0.975, 3) sd / 2 = 4.108,
         * 4.108% of the baseline's mean 100 */
        double b[] = {100, 100, 100, 100}, x[] = {101, 103, 105, 107};
        double *xs[] = {x}, *bs[] = {b}, diff[1], achieved[1];
        struct scenario_run four = target(true, 0.04), five = target(true, 0.05);
        cr_expect_not(sweep_pair_within(&four, xs, bs, 4, diff, achieved));
        cr_expect_float_eq(diff[0], 4.0, 1e-12);
        cr_expect_float_eq(achieved[0], 0.041080, 1e-5, "achieved %g", achieved[0]);
        cr_expect(sweep_pair_within(&five, xs, bs, 4, diff, achieved));
        /* absolute: in the metric's unit */
        struct scenario_run ns4 = target(false, 4.0), ns5 = target(false, 4.2);
        cr_expect_not(sweep_pair_within(&ns4, xs, bs, 4, diff, achieved));
        cr_expect(sweep_pair_within(&ns5, xs, bs, 4, diff, achieved));
        cr_expect_float_eq(achieved[0], 4.1080, 1e-3);
        /* one pair has no interval: never met */
        cr_expect_not(sweep_pair_within(&five, xs, bs, 1, diff, achieved));
}

Test(sweep_precision, a_shift_with_no_spread_is_known_exactly)
{
        double b[] = {90, 110, 95}, x[] = {95, 115, 100};
        double *xs[] = {x}, *bs[] = {b}, diff[1], achieved[1];
        struct scenario_run run = target(true, 1e-9);
        cr_expect(sweep_pair_within(&run, xs, bs, 3, diff, achieved));
        cr_expect_float_eq(diff[0], 5.0, 1e-12);
        cr_expect_float_eq(achieved[0], 0.0, 1e-12);
}

Test(sweep_precision, a_relative_target_on_a_zero_mean_is_never_met)
{
        double mean[] = {0}, ci95[] = {1e-9}, achieved[1];
        struct scenario_run run = target(true, 0.5);
        cr_expect_not(replications_within(&run, 10, mean, ci95, achieved));
        cr_expect(isinf(achieved[0]));
        struct scenario_run abs = target(false, 1e-6);
        cr_expect(replications_within(&abs, 10, mean, ci95, achieved));
}

static const char scenario_text[] =
    "name: saved\n"
    "seed: 9\n"
    "run: {duration: 4ms, warmup: 400us, replications: 2,\n"
    "      precision: {metric: latency_ns.p99, half_width: 1%, max_replications: 8}}\n"
    "devices:\n"
    "  - {name: a, lanes: 2, ring: 8, ops: {enc: {setup: 1us, rate: 2GB/s}}}\n"
    "  - {name: b, lanes: 1, ring: 8, ops: {enc: {setup: 3us, rate: 1GB/s}}}\n"
    "faults:\n"
    "  - {device: b, at: 1ms, for: 1ms, mode: slow, factor: 3}\n"
    "workload:\n"
    "  - {name: x, arrival: {process: poisson, rate: 300k/s}, size: {dist: uniform, min: 64B, "
    "max: 4KiB}, chain: [enc]}\n"
    "  - {name: y, arrival: {process: poisson, rate: 50k/s}, size: 1KiB, chain: [enc]}\n"
    "sweep:\n"
    "  engine.policy: [round-robin, least-loaded]\n";

/* The summary of r as summary.json would hold it. */
static char *summary_text(struct replications *r)
{
        cr_assert_eq(replications_summarize(r), 0);
        json_t *o = write_json_summary(r);
        cr_assert_not_null(o);
        char *text = json_dumps(o, JSON_PRESERVE_ORDER);
        json_decref(o);
        cr_assert_not_null(text);
        return text;
}

Test(sweep_precision, saved_runs_read_back_as_they_were)
{
        char path[64], out[80], cmd[160];
        ttmp_file(path, sizeof(path), scenario_text, strlen(scenario_text));
        snprintf(out, sizeof(out), "%s.d", path);

        struct sweep_plan p;
        struct diag dg;
        diag_init(&dg);
        int rc = sweep_plan_load(&p, path, NULL, 0, false, 0, &dg);
        if (rc != 0)
                diag_print(&dg, stderr);
        diag_free(&dg);
        cr_assert_eq(rc, 0);
        cr_assert(p.precise);

        struct scenario sc;
        diag_init(&dg);
        cr_assert_eq(sweep_point_scenario(&p, 1, &dg, &sc), 0);
        diag_free(&dg);
        sc.run.nprecision = 0;
        struct replications r, back;
        struct sim_error e;
        cr_assert_eq(replications_run(&sc, 0, 3, NULL, &r, &e), SIM_OK, "%s", e.msg);
        cr_assert_gt(r.runs[0].nfaults, 0);
        cr_assert_gt(r.runs[0].series.nrows, 0);
        cr_assert_gt(r.runs[0].ndevice_events, 0);

        cr_expect_eq(sweep_saved_count(&p, out, 1), 0);
        cr_assert_eq(sweep_saved_write(&p, out, 1, &r, &e), 0, "%s", e.msg);
        cr_expect_eq(sweep_saved_count(&p, out, 1), 3);
        cr_expect_eq(sweep_saved_count(&p, out, 0), 0, "another point's file");
        cr_assert_eq(sweep_saved_read(&p, out, 1, &back), 3);
        for (size_t i = 0; i < 3; i++) {
                cr_expect_eq(back.runs[i].fingerprint, r.runs[i].fingerprint);
                cr_expect_eq(back.runs[i].series.nrows, r.runs[i].series.nrows);
                cr_expect_eq(memcmp(back.runs[i].series.rows, r.runs[i].series.rows,
                                    r.runs[i].series.nrows * sizeof(*r.runs[i].series.rows)),
                             0);
                cr_expect_str_eq(back.runs[i].devices[1].name, r.runs[i].devices[1].name);
                cr_expect_str_eq(back.runs[i].classes[1].name, r.runs[i].classes[1].name);
        }
        char *a = summary_text(&r), *b = summary_text(&back);
        cr_expect_str_eq(a, b);
        free(a);
        free(b);

        /* another baseline is another key: the file is not this point's */
        sweep_plan_baseline(&p, 1);
        struct replications none;
        cr_expect_eq(sweep_saved_read(&p, out, 1, &none), 0);
        replications_free(&none);

        sweep_saved_forget(&p, out, 1);
        sweep_plan_baseline(&p, 0);
        cr_expect_eq(sweep_saved_count(&p, out, 1), 0);

        replications_free(&r);
        replications_free(&back);
        scenario_free(&sc);
        sweep_plan_free(&p);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", out);
        cr_expect_eq(system(cmd), 0);
        unlink(path);
}

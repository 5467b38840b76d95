/*
 * tests/test_read_results.c - the readers of result files
 * (sim/results/read_summary.h, read_sweep.h): a summary.json and a
 * sweep.json of tests/data/compare/ read back, the figures of
 * sim/run/figures.h surviving a write and a second read unchanged, and
 * the messages for a broken or missing file.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/results/read_summary.h"
#include "sim/results/read_sweep.h"
#include "sim/results/write_json.h"

static const char *data(char *buf, size_t cap, const char *name)
{
        const char *top = getenv("ACSIM_SOURCE_DIR");
        if (top == NULL)
                cr_skip_test("ACSIM_SOURCE_DIR not set");
        snprintf(buf, cap, "%s/tests/data/compare/%s", top, name);
        return buf;
}

static void read_ok(const char *name, struct result_summary *s)
{
        char path[4096];
        struct sim_error e;
        cr_assert_eq(read_summary(data(path, sizeof(path), name), s, &e), 0, "%s", e.msg);
}

Test(read_summary, figures_as_written_runs_from_the_detail)
{
        struct result_summary s;
        read_ok("base/tiny/summary.json", &s);
        cr_assert_str_eq(s.scenario, "tiny");
        cr_assert_str_eq(s.policy, "least-loaded");
        cr_assert_str_eq(s.acsim_version, "0.1.0");
        cr_assert(s.has_seed && s.seed == 1);
        cr_assert(s.has_replications && s.replications == 3);
        cr_assert(s.has_figures);
        cr_assert_not(s.has_hash, "the fixture predates scenario_hash");
        cr_assert_eq(s.r.n, 3, "one run per replications_detail entry");
        cr_assert_eq(s.r.latency.p99.mean, 28000.0);
        cr_assert_eq(s.r.latency.p99.ci95, 600.0, "the half-width summary.json gives");
        cr_assert_eq(s.r.requests_per_s.mean, 40000.0);
        cr_assert_eq(s.r.requests.failed.mean, 3.0);
        cr_assert_eq(s.r.runs[0].requests.failed, 2);
        cr_assert_eq(s.r.runs[2].requests.failed, 4);
        cr_assert(s.r.requests.failed.ci95 > 0, "recomputed from the runs: %g",
                  s.r.requests.failed.ci95);
        cr_assert_eq(s.r.nclasses, 2);
        cr_assert_str_eq(s.r.classes[0].name, "urgent");
        cr_assert_eq(s.r.classes[1].latency.p50.mean, 8100.0);
        cr_assert_eq(s.r.classes[1].latency.p50.ci95, 90.0);
        result_summary_free(&s);
}

/* Every figure of sim/run/figures.h of a and b, means and half-widths. */
static void same_figures(const struct replications *a, const struct replications *b)
{
#define SAME(x, y)                                                                                 \
        cr_assert((x).mean == (y).mean || (isnan((x).mean) && isnan((y).mean)), "%s: %g != %g",    \
                  #x, (x).mean, (y).mean);                                                         \
        cr_assert((x).ci95 == (y).ci95 || (isnan((x).ci95) && isnan((y).ci95)),                    \
                  "%s ci95: %g != %g", #x, (x).ci95, (y).ci95);
#define SAME_COUNT(name, ...)   SAME(a->requests.name, b->requests.name)
#define SAME_LATENCY(name, ...) SAME(a->latency.name, b->latency.name)
#define SAME_RATE(name, ...)    SAME(a->name, b->name)
        SIM_COUNT_FIGURES(SAME_COUNT)
        SIM_LATENCY_FIGURES(SAME_LATENCY)
        SIM_THROUGHPUT_FIGURES(SAME_RATE)
        cr_assert_eq(a->nclasses, b->nclasses);
        cr_assert_eq(a->n, b->n);
}

Test(read_summary, a_written_summary_reads_back_the_same)
{
        struct result_summary s, again;
        read_ok("base/tiny/summary.json", &s);
        char path[] = "/tmp/acsim-read-results-XXXXXX";
        int fd = mkstemp(path);
        cr_assert(fd >= 0);
        close(fd);
        cr_assert_eq(write_json_file(path, &s.r), 0);
        struct sim_error e;
        cr_assert_eq(read_summary(path, &again, &e), 0, "%s", e.msg);
        same_figures(&s.r, &again.r);
        unlink(path);
        result_summary_free(&s);
        result_summary_free(&again);
}

Test(read_summary, broken_and_missing_files_are_named)
{
        char path[4096];
        struct result_summary s;
        struct sim_error e;
        cr_assert_eq(read_summary(data(path, sizeof(path), "broken/tiny/summary.json"), &s, &e),
                     -1);
        cr_assert(strstr(e.msg, "broken/tiny/summary.json:") && strstr(e.msg, "not JSON"), "%s",
                  e.msg);
        cr_assert_eq(read_summary(data(path, sizeof(path), "nowhere/summary.json"), &s, &e), -1);
        cr_assert(strstr(e.msg, "nowhere/summary.json: No such file"), "%s", e.msg);
}

Test(read_sweep, manifest_points_and_values)
{
        char path[4096];
        struct sweep_json m;
        struct sim_error e;
        cr_assert_eq(
            read_sweep_json(data(path, sizeof(path), "base/tiny-sweep/sweep.json"), &m, &e), 0,
            "%s", e.msg);
        cr_assert_str_eq(m.scenario, "tiny");
        cr_assert(m.has_seed && m.seed == 1);
        cr_assert(m.has_replications && m.replications == 3);
        cr_assert(m.has_keys && m.nkeys == 1);
        cr_assert_str_eq(m.keys[0], "engine.policy");
        cr_assert_not(m.has_sets);
        cr_assert_null(m.scenario_hash);
        cr_assert(m.has_points && m.npoints == 2);
        cr_assert_str_eq(m.points[1].dir, "p001-least-loaded");
        cr_assert_str_eq(m.points[1].label, "least-loaded");
        cr_assert_str_eq(sweep_json_value(&m.points[1], "engine.policy"), "least-loaded");
        cr_assert_null(sweep_json_value(&m.points[1], "run.duration"));
        sweep_json_free(&m);
}

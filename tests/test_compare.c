/*
 * tests/test_compare.c - `acsim compare`'s rules and tables: the verdict
 * on one figure (threshold, intervals, the floor of fractions, which way
 * is better), and whole result sets from tests/data/compare/ (a run and a
 * sweep; the same figures with the sweep's points in another order; an
 * injected regression with a change within the intervals and a point
 * gone; a broken file).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/compare.h"

/* ---- one figure ------------------------------------------------------------ */

static const struct compare_rule latency = {COMPARE_LOWER, 5.0, 0};
static const struct compare_rule rate = {COMPARE_HIGHER, 5.0, 0};
static const struct compare_rule fraction = {COMPARE_LOWER, 5.0, COMPARE_FLOOR_PP};

static struct compare_value point(double x)
{
        return (struct compare_value){.present = true, .x = x};
}

static struct compare_value interval(double x, double h)
{
        return (struct compare_value){.present = true, .x = x, .interval = true, .h = h};
}

static enum compare_verdict judge(const struct compare_rule *r, struct compare_value b,
                                  struct compare_value n)
{
        return compare_judge(r, &b, &n);
}

Test(compare_judge, identical_is_ok)
{
        cr_assert_eq(judge(&latency, point(1000), point(1000)), COMPARE_OK);
        cr_assert_eq(judge(&rate, interval(5e5, 10), interval(5e5, 10)), COMPARE_OK);
        cr_assert_eq(judge(&latency, point(0), point(0)), COMPARE_OK);
}

Test(compare_judge, threshold_decides_without_intervals)
{
        cr_assert_eq(judge(&latency, point(1000), point(1049)), COMPARE_OK);
        cr_assert_eq(judge(&latency, point(1000), point(1050)), COMPARE_OK, "exactly 5%% is ok");
        cr_assert_eq(judge(&latency, point(1000), point(1051)), COMPARE_REGRESSION);
        cr_assert_eq(judge(&latency, point(1000), point(949)), COMPARE_BETTER);
        cr_assert_eq(judge(&latency, point(1000), point(1500)), COMPARE_REGRESSION);
}

Test(compare_judge, higher_is_better_for_throughput)
{
        cr_assert_eq(judge(&rate, point(1e6), point(8e5)), COMPARE_REGRESSION);
        cr_assert_eq(judge(&rate, point(1e6), point(1.2e6)), COMPARE_BETTER);
        cr_assert_eq(judge(&rate, point(1e6), point(9.6e5)), COMPARE_OK);
}

Test(compare_judge, overlapping_intervals_are_noise)
{
        /* +10%: [1000 +/- 60] and [1100 +/- 60] overlap */
        cr_assert_eq(judge(&latency, interval(1000, 60), interval(1100, 60)), COMPARE_NOISE);
        cr_assert_eq(judge(&latency, interval(1000, 60), interval(900, 60)), COMPARE_NOISE);
        /* apart: a regression, an improvement */
        cr_assert_eq(judge(&latency, interval(1000, 40), interval(1100, 40)), COMPARE_REGRESSION);
        cr_assert_eq(judge(&latency, interval(1000, 40), interval(900, 40)), COMPARE_BETTER);
        /* within the threshold an overlap does not matter */
        cr_assert_eq(judge(&latency, interval(1000, 500), interval(1040, 500)), COMPARE_OK);
}

Test(compare_judge, one_interval_is_not_enough)
{
        cr_assert_eq(judge(&latency, interval(1000, 200), point(1100)), COMPARE_REGRESSION);
        cr_assert_eq(judge(&latency, point(1000), interval(1100, 200)), COMPARE_REGRESSION);
}

Test(compare_judge, fractions_have_a_floor)
{
        /* percent of submitted requests: 0 -> 0.05% is below the floor */
        cr_assert_eq(judge(&fraction, point(0), point(0.05)), COMPARE_OK);
        cr_assert_eq(judge(&fraction, point(0), point(0.2)), COMPARE_REGRESSION);
        cr_assert_eq(judge(&fraction, point(2), point(2.09)), COMPARE_OK);
        cr_assert_eq(judge(&fraction, point(2), point(1.5)), COMPARE_BETTER);
        /* no floor: any change from 0 is beyond every threshold */
        cr_assert_eq(judge(&latency, point(0), point(1)), COMPARE_REGRESSION);
}

Test(compare_judge, absent_figures_are_not_judged)
{
        struct compare_value none = {0};
        cr_assert_eq(judge(&latency, none, point(1)), COMPARE_NA);
        cr_assert_eq(judge(&latency, point(1), none), COMPARE_NA);
        cr_assert_str_eq(compare_verdict_name(COMPARE_NA), "-");
        cr_assert_str_eq(compare_verdict_name(COMPARE_REGRESSION), "REGRESSION");
}

static enum compare_verdict paired(const struct compare_rule *r, double b, double d, double hd)
{
        struct compare_value bv = point(b);
        struct compare_paired p = {d, hd};
        return compare_judge_paired(r, &bv, &p);
}

Test(compare_judge, a_paired_difference_sees_what_independent_intervals_hide)
{
        static const struct compare_rule strict = {COMPARE_HIGHER, 1.0, 0};
        /* throughput -2%: independent intervals of +/-1.5% overlap ... */
        cr_assert_eq(judge(&strict, interval(1e6, 1.5e4), interval(9.8e5, 1.5e4)), COMPARE_NOISE);
        /* ... but both sides ran the same seeds: d = -2e4 +/- 2e3 */
        cr_assert_eq(paired(&strict, 1e6, -2e4, 2e3), COMPARE_REGRESSION);
        cr_assert_eq(paired(&strict, 1e6, 2e4, 2e3), COMPARE_BETTER);
        /* a paired interval that holds 0 is noise, within the threshold ok */
        cr_assert_eq(paired(&strict, 1e6, -2e4, 3e4), COMPARE_NOISE);
        cr_assert_eq(paired(&strict, 1e6, -5e3, 1e3), COMPARE_OK);
        cr_assert_eq(paired(&latency, 1000, 0, 0), COMPARE_OK);
        /* fractions keep their floor */
        cr_assert_eq(paired(&fraction, 0, 0.05, 0.001), COMPARE_OK);
        cr_assert_eq(paired(&fraction, 0, 0.5, 0.001), COMPARE_REGRESSION);
        cr_assert_eq(paired(&latency, 1000, NAN, 0), COMPARE_NA);
}

/* ---- result sets ------------------------------------------------------------ */

static const char *data_dir(char *buf, size_t cap, const char *name)
{
        const char *top = getenv("ACSIM_SOURCE_DIR");
        if (top == NULL)
                cr_skip_test("ACSIM_SOURCE_DIR not set");
        snprintf(buf, cap, "%s/tests/data/compare/%s", top, name);
        return buf;
}

static struct compare_set *load(const char *name)
{
        char path[4096];
        struct sim_error err;
        struct compare_set *set;
        int rc = compare_set_load(data_dir(path, sizeof(path), name), &set, &err);
        cr_assert_eq(rc, 0, "%s: %s", name, err.msg);
        return set;
}

/* Runs the comparison with the given options; returns the table (to be
 * freed) and fills *t and *worse. */
static char *table(const char *base, const char *now, bool brief, struct compare_tally *t,
                   bool *worse)
{
        struct compare_set *b = load(base), *n = load(now);
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        cr_assert_not_null(out);
        struct compare_options opt = {COMPARE_THRESHOLD_PCT, brief};
        *worse = compare_print(out, b, n, &opt, t);
        fclose(out);
        compare_set_free(b);
        compare_set_free(n);
        return text;
}

/* Returns true when a line of text starts with prefix and holds word. */
static bool has_row(const char *text, const char *prefix, const char *word)
{
        for (const char *line = text; line && *line; line = strchr(line, '\n')) {
                if (*line == '\n')
                        line++;
                const char *end = strchr(line, '\n');
                size_t n = end ? (size_t)(end - line) : strlen(line);
                char buf[256];
                snprintf(buf, sizeof(buf), "%.*s", (int)(n < 255 ? n : 255), line);
                if (strncmp(buf, prefix, strlen(prefix)) == 0 && strstr(buf, word))
                        return true;
                if (end == NULL)
                        break;
        }
        return false;
}

Test(compare_set, finds_runs_and_sweep_points)
{
        struct compare_set *s = load("base");
        cr_assert_eq(compare_set_count(s), 3, "one run and two sweep points");
        compare_set_free(s);
}

Test(compare_set, identical_results_pass)
{
        struct compare_tally t;
        bool worse;
        char *text = table("base", "base", false, &t, &worse);
        cr_assert_not(worse);
        cr_assert_eq(t.regressions, 0);
        cr_assert_eq(t.missing, 0);
        cr_assert_gt(t.comparisons, 60);
        cr_assert_eq(t.identical, t.comparisons, "%s", text);
        free(text);
}

Test(compare_set, sweep_points_match_by_values_not_by_index)
{
        /* "same" lists the points in the other order, in other directories */
        struct compare_tally t;
        bool worse;
        char *text = table("base", "same", false, &t, &worse);
        cr_assert_not(worse, "%s", text);
        cr_assert_eq(t.identical, t.comparisons, "%s", text);
        cr_assert_eq(t.missing + t.added, 0, "%s", text);
        cr_assert(has_row(text, "--- tiny-sweep @ round-robin", "---"), "%s", text);
        free(text);
}

Test(compare_set, injected_regression_is_flagged)
{
        struct compare_tally t;
        bool worse;
        char *text = table("base", "worse", false, &t, &worse);
        cr_assert(worse);
        cr_assert_eq(t.regressions, 2, "%s", text);
        cr_assert(has_row(text, "all      lat p99 ", "REGRESSION"), "%s", text);
        cr_assert(has_row(text, "all      throughput", "REGRESSION"), "%s", text);
        cr_assert(has_row(text, "all      lat mean", " ok"), "+3%% is within 5%%: %s", text);
        cr_assert_eq(t.noise, 1, "%s", text);
        cr_assert(has_row(text, "urgent   lat p99 ", "noise (CI)"), "%s", text);
        cr_assert_eq(t.better, 1, "%s", text);
        cr_assert(has_row(text, "bulk     lat p50", "better"), "%s", text);
        cr_assert_eq(t.missing, 1, "the round-robin point is gone: %s", text);
        /* the directory whole, on a line of its own when too long to follow */
        cr_assert(has_row(text, "  MISSING", "p000-round-robin") ||
                      (has_row(text, "  MISSING", "") &&
                       has_row(text, "      ", "/tiny-sweep/p000-round-robin)")),
                  "%s", text);
        cr_assert(has_row(text, "2 regressions in ", "1 MISSING"), "%s", text);
        free(text);
}

Test(compare_set, brief_table_keeps_only_what_moved)
{
        struct compare_tally t;
        bool worse;
        char *text = table("base", "worse", true, &t, &worse);
        cr_assert(worse);
        cr_assert(has_row(text, "all      lat p99 ", "REGRESSION"), "%s", text);
        cr_assert_not(has_row(text, "all      lat mean", "ok"), "%s", text);
        cr_assert_not(has_row(text, "--- tiny-sweep @ least-loaded", "-"), "%s", text);
        free(text);
}

Test(compare_set, a_missing_point_fails_a_new_one_does_not)
{
        /* sweep directories named directly: two points against one */
        struct compare_tally t;
        bool worse;
        char *text = table("base/tiny-sweep", "worse/tiny-sweep", false, &t, &worse);
        cr_assert(worse, "%s", text);
        cr_assert_eq(t.regressions, 0, "%s", text);
        cr_assert_eq(t.missing, 1, "%s", text);
        free(text);
        text = table("worse/tiny-sweep", "base/tiny-sweep", false, &t, &worse);
        cr_assert_not(worse, "%s", text);
        cr_assert_eq(t.added, 1, "%s", text);
        cr_assert(has_row(text, "  new, no baseline", "p000-round-robin") ||
                      (has_row(text, "  new, no baseline", "") &&
                       has_row(text, "      ", "/tiny-sweep/p000-round-robin)")),
                  "%s", text);
        free(text);
}

Test(compare_set, bad_input_is_refused_with_a_message)
{
        char path[4096];
        struct sim_error err;
        struct compare_set *s = (struct compare_set *)1;
        cr_assert_eq(compare_set_load(data_dir(path, sizeof(path), "broken"), &s, &err), -1);
        cr_assert_null(s);
        cr_assert(strstr(err.msg, "broken/tiny/summary.json:") && strstr(err.msg, "not JSON"), "%s",
                  err.msg);
        cr_assert_eq(compare_set_load(data_dir(path, sizeof(path), "no-such-dir"), &s, &err), -1);
        cr_assert(strstr(err.msg, "no-such-dir"), "%s", err.msg);
        /* a directory with no results below it */
        cr_assert_eq(compare_set_load(data_dir(path, sizeof(path), "../bad"), &s, &err), -1);
        cr_assert(strstr(err.msg, "no results"), "%s", err.msg);
}

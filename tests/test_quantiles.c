/*
 * test_quantiles.c - the one quantile convention over replications
 * (sim/run/quantiles.c): the figure is the pooled histogram's quantile,
 * its interval comes from resampling the replications, an outlier
 * replication widens the interval toward itself without dragging the
 * figure, and identical replications still get the bucket's width.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/des/hist.h"
#include "sim/run/quantiles.h"

#define NREP 5

static struct hist *hists(void)
{
        struct hist *h = malloc(NREP * sizeof(*h));
        cr_assert_not_null(h);
        for (size_t j = 0; j < NREP; j++)
                hist_init(&h[j]);
        return h;
}

/* Replication j: 100000 latencies spread evenly over [1 us, 40 us]; with
 * outlier, replication 3's slowest 0.5% are near 413 us instead. */
static void fill(struct hist *h, bool outlier)
{
        for (size_t j = 0; j < NREP; j++) {
                for (uint64_t i = 0; i < 100000; i++) {
                        uint64_t v = 1000 + i * 39000 / 100000 + j;
                        if (outlier && j == 3 && i >= 99500)
                                v = 413000 + i - 99500;
                        hist_add(&h[j], v);
                }
        }
}

static void pooled(struct hist *h, struct hist *all)
{
        hist_init(all);
        for (size_t j = 0; j < NREP; j++)
                hist_merge(all, &h[j]);
}

static int run(struct hist *h, size_t n, struct rep_latency *l)
{
        const struct hist *p[NREP];
        for (size_t j = 0; j < n; j++)
                p[j] = &h[j];
        memset(l, 0, sizeof(*l));
        return rep_quantiles(p, n, l);
}

Test(quantiles, the_figure_is_the_pooled_histograms)
{
        struct hist *h = hists(), *all = malloc(sizeof(*all));
        fill(h, true);
        pooled(h, all);
        struct rep_latency l;
        cr_assert_eq(run(h, NREP, &l), 0);
        cr_assert_eq(l.p50.mean, (double)hist_quantile(all, 0.5));
        cr_assert_eq(l.p90.mean, (double)hist_quantile(all, 0.9));
        cr_assert_eq(l.p99.mean, (double)hist_quantile(all, 0.99));
        cr_assert_eq(l.p999.mean, (double)hist_quantile(all, 0.999));
        cr_assert_eq(l.max.mean, (double)all->max);
        cr_assert_eq(l.mean.mean, 0.0, "the mean is not a quantile: left alone");
        free(all);
        free(h);
}

Test(quantiles, one_replication_has_no_interval)
{
        struct hist *h = hists();
        fill(h, false);
        struct rep_latency l;
        cr_assert_eq(run(h, 1, &l), 0);
        cr_assert_eq(l.p99.mean, (double)hist_quantile(&h[0], 0.99));
        cr_assert_eq(l.p99.lo, l.p99.mean);
        cr_assert_eq(l.p99.hi, l.p99.mean);
        cr_assert_eq(l.p99.ci95, 0.0);
        free(h);
}

Test(quantiles, an_outlier_widens_the_interval_toward_itself)
{
        struct hist *h = hists();
        fill(h, true);
        struct rep_latency l;
        cr_assert_eq(run(h, NREP, &l), 0);
        /* Pooled, the outlier's 500 slow requests are 0.1% of 500000: p99.9
         * is at the edge of them. The mean of the replications' p99.9s would
         * be about (4 * 40 + 413) / 5 = 115 us, a figure no replication had. */
        cr_assert_leq(l.p999.lo, l.p999.mean);
        cr_assert_geq(l.p999.hi, l.p999.mean);
        cr_assert_lt(l.p999.lo, 41000.0, "resamples without the outlier read ~40 us");
        cr_assert_gt(l.p999.hi, 400000.0, "resamples with it twice read ~413 us");
        cr_assert_eq(l.p999.ci95, fmax(l.p999.hi - l.p999.mean, l.p999.mean - l.p999.lo));
        /* p50 does not see the outlier: a narrow interval */
        cr_assert_lt(l.p50.hi - l.p50.lo, 0.02 * l.p50.mean);
        cr_assert_eq(l.max.hi, 413499.0, "the largest value is exact");
        free(h);
}

Test(quantiles, identical_replications_keep_the_bucket_error)
{
        struct hist *h = hists();
        for (size_t j = 0; j < NREP; j++)
                for (uint64_t v = 1000; v < 50000; v++)
                        hist_add(&h[j], v);
        struct rep_latency l;
        cr_assert_eq(run(h, NREP, &l), 0);
        /* every resample is the same distribution: only the bucket's width
         * is left, and it is not 0 */
        cr_assert_gt(l.p99.ci95, 0.0);
        cr_assert_float_eq(l.p99.hi, l.p99.mean * (1 + HIST_REL_ERROR), 1e-6);
        cr_assert_float_eq(l.p99.lo, l.p99.mean * (1 - HIST_REL_ERROR), 1e-6);
        free(h);
}

Test(quantiles, the_same_runs_give_the_same_interval)
{
        struct hist *h = hists();
        fill(h, true);
        struct rep_latency a, b;
        cr_assert_eq(run(h, NREP, &a), 0);
        cr_assert_eq(run(h, NREP, &b), 0);
        cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0);
        free(h);
}

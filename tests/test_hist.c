/*
 * test_hist.c - the latency histogram: bucket bounds tile the uint64 range,
 * quantiles agree with exact sorted-sample quantiles within the stated
 * bound on several distributions, merge equals recording everything in one,
 * and the edges (empty, 0, 1, the largest values) behave.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/des/hist.h"
#include "sim/des/rng.h"

static struct hist *hist_new(void)
{
        struct hist *h = malloc(sizeof(*h));
        cr_assert_not_null(h);
        hist_init(h);
        return h;
}

Test(hist, buckets_tile_the_whole_range)
{
        cr_assert_eq(hist_bucket_low(0), 0);
        cr_assert_eq(hist_bucket_high(HIST_BUCKETS - 1), UINT64_MAX);
        cr_assert_eq(hist_bucket_index(UINT64_MAX), HIST_BUCKETS - 1);
        for (size_t i = 0; i < HIST_BUCKETS; i++) {
                uint64_t low = hist_bucket_low(i), high = hist_bucket_high(i);
                cr_assert_leq(low, high);
                cr_assert_eq(hist_bucket_index(low), i, "bucket %zu low", i);
                cr_assert_eq(hist_bucket_index(high), i, "bucket %zu high", i);
                if (i + 1 < HIST_BUCKETS)
                        cr_assert_eq(hist_bucket_low(i + 1), high + 1, "gap after bucket %zu", i);
                /* The width bound behind HIST_REL_ERROR. */
                cr_assert_leq((long double)(high - low + 1), (long double)low / HIST_SUB_COUNT + 1);
        }
        for (uint64_t v = 0; v < 256; v++)
                cr_assert_eq(hist_bucket_low(hist_bucket_index(v)), v, "small values are exact");
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return (x > y) - (x < y);
}

enum shape { EXPONENTIAL, LOGNORMAL, LOG_UNIFORM, SMALL_UNIFORM };

static uint64_t sample(enum shape s, gsl_rng *r)
{
        switch (s) {
        case EXPONENTIAL:
                return (uint64_t)gsl_ran_exponential(r, 50000.0); /* mean 50 us */
        case LOGNORMAL:
                return (uint64_t)gsl_ran_lognormal(r, log(20000.0), 1.5);
        case LOG_UNIFORM:
                return (uint64_t)exp(gsl_ran_flat(r, 0.0, log(1e15))); /* 1 ns .. 11 days */
        case SMALL_UNIFORM:
                return gsl_rng_uniform_int(r, 1000);
        }
        return 0;
}

static void check_quantiles(enum shape s, const char *name)
{
        enum { N = 200000 };
        uint64_t *v = malloc(N * sizeof(*v));
        cr_assert_not_null(v);
        struct hist *h = hist_new();
        gsl_rng *r = sim_rng_stream(1, name);
        long double sum = 0;
        for (int i = 0; i < N; i++) {
                v[i] = sample(s, r);
                sum += v[i];
                hist_add(h, v[i]);
        }
        qsort(v, N, sizeof(*v), cmp_u64);
        cr_assert_eq(h->count, N);
        cr_assert_eq(h->min, v[0]);
        cr_assert_eq(h->max, v[N - 1]);
        cr_assert_float_eq(hist_mean(h), (double)(sum / N), 1e-9 * (double)(sum / N));
        static const double qs[] = {0,   0.001, 0.1,  0.25,  0.5,    0.75,
                                    0.9, 0.95,  0.99, 0.999, 0.9999, 1};
        for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
                double rank = ceil(qs[k] * N);
                size_t idx = rank < 1 ? 0 : (size_t)rank - 1;
                uint64_t exact = v[idx], got = hist_quantile(h, qs[k]);
                double err =
                    exact ? fabs((double)got - (double)exact) / (double)exact : (double)got;
                cr_assert_leq(err, HIST_REL_ERROR, "%s q=%g: exact %llu, histogram %llu (%.4f%%)",
                              name, qs[k], (unsigned long long)exact, (unsigned long long)got,
                              100 * err);
        }
        gsl_rng_free(r);
        free(h);
        free(v);
}

Test(hist, quantiles_within_bound_exponential)
{
        check_quantiles(EXPONENTIAL, "test/exponential");
}

Test(hist, quantiles_within_bound_lognormal)
{
        check_quantiles(LOGNORMAL, "test/lognormal");
}

Test(hist, quantiles_within_bound_uniform_over_decades)
{
        check_quantiles(LOG_UNIFORM, "test/log-uniform");
}

Test(hist, quantiles_exact_for_small_values)
{
        check_quantiles(SMALL_UNIFORM, "test/small");
}

Test(hist, bound_is_under_one_percent)
{
        cr_assert_lt(HIST_REL_ERROR, 0.01);
}

Test(hist, merge_equals_recording_all_in_one)
{
        struct hist *a = hist_new(), *b = hist_new(), *all = hist_new();
        gsl_rng *r = sim_rng_stream(3, "test/merge");
        for (int i = 0; i < 50000; i++) {
                uint64_t x = sample(i % 2 ? LOGNORMAL : EXPONENTIAL, r);
                hist_add(i % 3 ? a : b, x);
                hist_add(all, x);
        }
        hist_merge(a, b);
        cr_assert_eq(a->count, all->count);
        cr_assert_eq(a->min, all->min);
        cr_assert_eq(a->max, all->max);
        cr_assert_eq(memcmp(a->bucket, all->bucket, sizeof(a->bucket)), 0);
        cr_assert_float_eq(hist_mean(a), hist_mean(all), 1e-9 * hist_mean(all));
        cr_assert_eq(hist_quantile(a, 0.99), hist_quantile(all, 0.99));
        /* Merging an empty histogram changes nothing. */
        hist_init(b);
        hist_merge(a, b);
        cr_assert_eq(a->count, all->count);
        cr_assert_eq(a->min, all->min);
        gsl_rng_free(r);
        free(a);
        free(b);
        free(all);
}

Test(hist, empty)
{
        struct hist *h = hist_new();
        size_t pos = 0;
        struct hist_bucket b;
        cr_assert_eq(h->count, 0);
        cr_assert_eq(hist_mean(h), 0.0);
        cr_assert_eq(hist_quantile(h, 0.5), 0);
        cr_assert_eq(hist_quantile(h, 1), 0);
        cr_assert(!hist_next(h, &pos, &b));
        free(h);
}

Test(hist, zero_one_and_largest_values)
{
        struct hist *h = hist_new();
        hist_add(h, 0);
        cr_assert_eq(hist_quantile(h, 0.5), 0);
        cr_assert_eq(h->min, 0);
        hist_add(h, 1);
        hist_add(h, UINT64_MAX);
        hist_add(h, UINT64_MAX - 1);
        hist_add(h, (UINT64_C(1) << 63) + 12345);
        cr_assert_eq(h->count, 5);
        cr_assert_eq(h->max, UINT64_MAX);
        cr_assert_eq(hist_quantile(h, 0), 0);
        cr_assert_eq(hist_quantile(h, 0.4), 1);
        cr_assert_eq(hist_quantile(h, 1), UINT64_MAX);
        uint64_t q = hist_quantile(h, 0.6); /* rank 3: 2^63 + 12345 */
        cr_assert_leq(fabsl((long double)q - (long double)((UINT64_C(1) << 63) + 12345)),
                      (long double)(UINT64_C(1) << 63) * HIST_REL_ERROR);
        long double mean =
            (0.0L + 1 + UINT64_MAX + (UINT64_MAX - 1) + ((UINT64_C(1) << 63) + 12345.0L)) / 5;
        cr_assert_float_eq(hist_mean(h), (double)mean, 1e-12 * (double)mean);
        free(h);
}

Test(hist, next_visits_non_empty_buckets_in_order)
{
        struct hist *h = hist_new();
        static const uint64_t vals[] = {5, 5, 300, 301, 1000000, 0};
        for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
                hist_add(h, vals[i]);
        size_t pos = 0;
        struct hist_bucket b;
        uint64_t total = 0, last_high = 0;
        int n = 0;
        while (hist_next(h, &pos, &b)) {
                cr_assert_gt(b.count, 0);
                if (n)
                        cr_assert_gt(b.low, last_high);
                last_high = b.high;
                total += b.count;
                n++;
        }
        /* 0 | 5 (x2) | 300 and 301 share a bucket of width 2 | 1000000 */
        cr_assert_eq(n, 4);
        cr_assert_eq(total, h->count);
        cr_assert(!hist_next(h, &pos, &b), "stays exhausted");
        free(h);
}

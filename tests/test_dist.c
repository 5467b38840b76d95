/*
 * test_dist.c - the distributions: sample mean and cv against theory over
 * many draws, empirical and IMIX frequencies, refusal of bad parameters.
 *
 * Draws come from a fixed-seed MT19937, so every figure is reproducible;
 * tolerances are several standard errors wide for the sample sizes used.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/dist.h"

#define DRAWS 400000

static gsl_rng *rng(unsigned long seed)
{
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        cr_assert_not_null(r);
        gsl_rng_set(r, seed);
        return r;
}

/* Sample mean and cv of n draws (Welford). */
static void sample(const struct dist *d, unsigned long seed, size_t n, double *mean, double *cv)
{
        gsl_rng *r = rng(seed);
        double m = 0.0, s = 0.0;
        for (size_t i = 0; i < n; i++) {
                double x = dist_sample(d, r);
                cr_assert(x >= 0.0, "negative draw %g", x);
                double delta = x - m;
                m += delta / (double)(i + 1);
                s += delta * (x - m);
        }
        gsl_rng_free(r);
        *mean = m;
        *cv = sqrt(s / (double)(n - 1)) / m;
}

static void check_moments(struct dist *d, double want_mean, double want_cv, double rel_mean,
                          double abs_cv)
{
        const char *why = NULL;
        cr_assert_eq(dist_prepare(d, &why), 0, "%s: %s", dist_kind_name(d->kind), why);
        cr_assert_float_eq(dist_mean(d), want_mean, 1e-9 * want_mean + 1e-12);
        cr_assert_float_eq(dist_cv(d), want_cv, 1e-9);
        double m, cv;
        sample(d, 42, DRAWS, &m, &cv);
        cr_assert(fabs(m - want_mean) <= rel_mean * want_mean, "%s mean %g, want %g",
                  dist_kind_name(d->kind), m, want_mean);
        cr_assert(fabs(cv - want_cv) <= abs_cv, "%s cv %g, want %g", dist_kind_name(d->kind), cv,
                  want_cv);
        dist_free(d);
}

Test(dist, constant)
{
        struct dist d = {.kind = DIST_CONSTANT, .a = 1234.5};
        check_moments(&d, 1234.5, 0.0, 0.0, 0.0);
}

Test(dist, uniform)
{
        struct dist d = {.kind = DIST_UNIFORM, .a = 100, .b = 300};
        check_moments(&d, 200.0, 200.0 / sqrt(12.0) / 200.0, 0.003, 0.003);
}

Test(dist, exponential)
{
        struct dist d = {.kind = DIST_EXPONENTIAL, .a = 2000};
        check_moments(&d, 2000.0, 1.0, 0.006, 0.01);
}

Test(dist, lognormal)
{
        struct dist d = {.kind = DIST_LOGNORMAL, .a = 1.0, .b = 0.2};
        check_moments(&d, 1.0, 0.2, 0.002, 0.004);
        struct dist wide = {.kind = DIST_LOGNORMAL, .a = 1000.0, .b = 1.0};
        check_moments(&wide, 1000.0, 1.0, 0.01, 0.04);
}

Test(dist, gamma)
{
        struct dist d = {.kind = DIST_GAMMA, .a = 500.0, .b = 0.5};
        check_moments(&d, 500.0, 0.5, 0.004, 0.006);
        struct dist wide = {.kind = DIST_GAMMA, .a = 500.0, .b = 2.0};
        check_moments(&wide, 500.0, 2.0, 0.02, 0.05);
}

Test(dist, pareto)
{
        /* alpha 6: finite fourth moment, so the sample cv settles. */
        struct dist d = {.kind = DIST_PARETO, .a = 1000.0, .b = 6.0};
        check_moments(&d, 1000.0, 1.0 / sqrt(6.0 * 4.0), 0.003, 0.01);
        /* alpha 1.5: finite mean only; the scale is derived from it. */
        struct dist heavy = {.kind = DIST_PARETO, .a = 3.0, .b = 1.5};
        cr_assert_eq(dist_prepare(&heavy, NULL), 0);
        cr_assert_float_eq(heavy.p2, 1.0, 1e-12);
        cr_assert(isinf(dist_cv(&heavy)));
        gsl_rng *r = rng(7);
        for (int i = 0; i < 10000; i++)
                cr_assert_geq(dist_sample(&heavy, r), 1.0);
        gsl_rng_free(r);
        dist_free(&heavy);
}

static void check_frequencies(struct dist *d, const double *values, const double *share, size_t n)
{
        size_t count[8] = {0};
        cr_assert_leq(n, 8);
        gsl_rng *r = rng(3);
        for (size_t i = 0; i < DRAWS; i++) {
                double x = dist_sample(d, r);
                size_t k = 0;
                while (k < n && values[k] != x)
                        k++;
                cr_assert_lt(k, n, "draw %g is not one of the values", x);
                count[k]++;
        }
        gsl_rng_free(r);
        for (size_t k = 0; k < n; k++) {
                double f = (double)count[k] / DRAWS;
                /* 5 binomial standard errors */
                double tol = 5.0 * sqrt(share[k] * (1.0 - share[k]) / DRAWS) + 1e-12;
                cr_assert(fabs(f - share[k]) <= tol, "value %g: frequency %g, want %g", values[k],
                          f, share[k]);
        }
}

Test(dist, empirical_weights)
{
        static const double values[] = {64, 512, 4096, 9000};
        static const double weights[] = {5, 3, 2, 0};
        static const double share[] = {0.5, 0.3, 0.2, 0.0};
        struct dist d = {.kind = DIST_EMPIRICAL, .n = 4};
        d.values = malloc(sizeof(values));
        d.weights = malloc(sizeof(weights));
        memcpy(d.values, values, sizeof(values));
        memcpy(d.weights, weights, sizeof(weights));
        cr_assert_eq(dist_prepare(&d, NULL), 0);
        cr_assert_float_eq(dist_mean(&d), 0.5 * 64 + 0.3 * 512 + 0.2 * 4096, 1e-9);
        check_frequencies(&d, values, share, 4);
        dist_free(&d);
}

Test(dist, empirical_equal_weights)
{
        static const double values[] = {1, 2, 3};
        static const double share[] = {1.0 / 3, 1.0 / 3, 1.0 / 3};
        struct dist d = {.kind = DIST_EMPIRICAL, .n = 3};
        d.values = malloc(sizeof(values));
        memcpy(d.values, values, sizeof(values));
        cr_assert_eq(dist_prepare(&d, NULL), 0);
        cr_assert_float_eq(dist_mean(&d), 2.0, 1e-12);
        check_frequencies(&d, values, share, 3);
        dist_free(&d);
}

Test(dist, imix)
{
        static const double values[] = {40, 576, 1500};
        static const double share[] = {7.0 / 12, 4.0 / 12, 1.0 / 12};
        struct dist d = {.kind = DIST_IMIX};
        cr_assert_eq(dist_prepare(&d, NULL), 0);
        cr_assert_float_eq(dist_mean(&d), (7 * 40 + 4 * 576 + 1500) / 12.0, 1e-9);
        check_frequencies(&d, values, share, 3);
        /* preparing again rebuilds without leaking the old table */
        cr_assert_eq(dist_prepare(&d, NULL), 0);
        dist_free(&d);
}

Test(dist, same_seed_same_draws)
{
        struct dist d = {.kind = DIST_LOGNORMAL, .a = 10, .b = 3};
        cr_assert_eq(dist_prepare(&d, NULL), 0);
        gsl_rng *r1 = rng(99), *r2 = rng(99);
        for (int i = 0; i < 1000; i++)
                cr_assert_eq(dist_sample(&d, r1), dist_sample(&d, r2));
        gsl_rng_free(r1);
        gsl_rng_free(r2);
}

static void refused(struct dist d, const char *reason_part)
{
        const char *why = NULL;
        cr_assert_eq(dist_prepare(&d, &why), -1, "%s accepted", dist_kind_name(d.kind));
        cr_assert_not_null(why);
        cr_assert_not_null(strstr(why, reason_part), "reason '%s' lacks '%s'", why, reason_part);
        cr_assert(!d.ready);
        dist_free(&d);
}

Test(dist, bad_parameters_refused)
{
        refused((struct dist){.kind = DIST_CONSTANT, .a = -1}, ">= 0");
        refused((struct dist){.kind = DIST_CONSTANT, .a = NAN}, "finite");
        refused((struct dist){.kind = DIST_UNIFORM, .a = 5, .b = 4}, "max");
        refused((struct dist){.kind = DIST_UNIFORM, .a = -5, .b = 4}, "min");
        refused((struct dist){.kind = DIST_EXPONENTIAL, .a = 0}, "mean");
        refused((struct dist){.kind = DIST_EXPONENTIAL, .a = -3}, "mean");
        refused((struct dist){.kind = DIST_LOGNORMAL, .a = -1, .b = 1}, "mean");
        refused((struct dist){.kind = DIST_LOGNORMAL, .a = 1, .b = 0}, "cv");
        refused((struct dist){.kind = DIST_GAMMA, .a = 1, .b = -0.5}, "cv");
        refused((struct dist){.kind = DIST_GAMMA, .a = INFINITY, .b = 1}, "mean");
        refused((struct dist){.kind = DIST_PARETO, .a = 1, .b = 1}, "alpha");
        refused((struct dist){.kind = DIST_PARETO, .a = 1, .b = 0.5}, "alpha");
        refused((struct dist){.kind = DIST_EMPIRICAL, .n = 0}, "no values");
        refused((struct dist){.kind = (enum dist_kind)99}, "unknown");
        cr_assert_null(dist_kind_name((enum dist_kind)99));

        struct dist neg = {.kind = DIST_EMPIRICAL, .n = 2};
        neg.values = calloc(2, sizeof(double));
        neg.values[1] = -4;
        refused(neg, "values");

        struct dist zero = {.kind = DIST_EMPIRICAL, .n = 2};
        zero.values = calloc(2, sizeof(double));
        zero.weights = calloc(2, sizeof(double));
        refused(zero, "sum");

        struct dist negw = {.kind = DIST_EMPIRICAL, .n = 2};
        negw.values = calloc(2, sizeof(double));
        negw.weights = calloc(2, sizeof(double));
        negw.weights[0] = 2;
        negw.weights[1] = -1;
        refused(negw, "weights");
}

/* dist_round is llround for every x in [0, 2^63): halves, their
 * neighbours, integers, large values and random ones. */
Test(dist, round_is_llround)
{
        double fixed[] = {0.0,
                          0.49999999999999994,
                          0.5,
                          0.5000000000000001,
                          1.5,
                          2.5,
                          1e-300,
                          4503599627370495.5,
                          4503599627370496.0,
                          9007199254740993.0,
                          9.2233720368547748e18,
                          1e18 + 0.5,
                          123456.5,
                          123457.5};
        for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
                cr_assert_eq(dist_round(fixed[i]), (uint64_t)llround(fixed[i]), "%.17g", fixed[i]);
        gsl_rng *r = rng(11);
        for (int i = 0; i < 1000000; i++) {
                /* across magnitudes, and exactly on halves a quarter of the time */
                double x = ldexp(gsl_rng_uniform(r), (int)gsl_rng_uniform_int(r, 63));
                if (i % 4 == 0)
                        x = floor(x) + 0.5;
                cr_assert_eq(dist_round(x), (uint64_t)llround(x), "%.17g", x);
        }
        gsl_rng_free(r);
}

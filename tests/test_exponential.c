/*
 * test_exponential.c - the ziggurat exponential sampler
 * (sim/des/exponential.c): its strips (equal areas, ending at the peak), and
 * a million draws from a simulator stream against the exponential
 * distribution: mean, variance, the tail past R, a chi-square over 64
 * equally likely bins and a Kolmogorov-Smirnov distance. The stream's seed
 * is fixed, so every figure is reproducible; each bound is the statistic's
 * own 0.1% (or 5 standard errors) limit, not a figure fitted to the draws.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "sim/des/exponential.h"
#include "sim/des/rng.h"

#define N 1000000

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

Test(exponential, strips_have_equal_areas_and_reach_the_peak)
{
        const struct sim_exp_tables *t = &sim_exp_tables;
        double r = t->r, v = (r + 1) * exp(-r);
        /* R of a 256-strip exponential ziggurat, as published by Marsaglia
         * and Tsang (2000): our bisection must land on it. */
        cr_assert_float_eq(r, 7.69711747013104972, 1e-12);
        cr_assert_float_eq(t->step[1] * 16777216.0, r, 1e-12);
        for (int i = 1; i < SIM_EXP_STRIPS; i++) {
                double x = t->step[i] * 16777216.0;
                cr_assert_float_eq(t->y[i], exp(-x), 1e-15);
                cr_assert_float_eq(x * (t->y[i + 1] - t->y[i]), v, 1e-9 * v, "strip %d", i);
                cr_assert_lt(t->inside[i], 1u << 24);
        }
        /* the base strip: its rectangle and the tail together are v */
        cr_assert_float_eq(t->step[0] * 16777216.0 * exp(-r), v, 1e-12);
        cr_assert_eq(t->y[SIM_EXP_STRIPS], 1.0);
        cr_assert_eq(t->inside[SIM_EXP_STRIPS - 1], 0, "the top strip is all wedge");
}

Test(exponential, a_million_draws_are_exponential)
{
        gsl_rng *r = sim_rng_stream(2026, "test/exponential");
        cr_assert_not_null(r);
        double *x = malloc(N * sizeof(*x));
        cr_assert_not_null(x);
        double sum = 0, past_r = 0, past_12 = 0;
        for (size_t i = 0; i < N; i++) {
                x[i] = sim_exponential(r);
                cr_assert(x[i] > 0 && isfinite(x[i]));
                sum += x[i];
                past_r += x[i] > sim_exp_tables.r;
                past_12 += x[i] > 12;
        }
        double mean = sum / N, ss = 0;
        for (size_t i = 0; i < N; i++)
                ss += (x[i] - mean) * (x[i] - mean);
        double var = ss / (N - 1);
        /* Exp(1): mean 1, sd 1; the sample variance's sd is sqrt(8 / n)
         * (fourth central moment 9) */
        cr_assert(fabs(mean - 1) < 5 / sqrt(N), "mean %.6f", mean);
        cr_assert(fabs(var - 1) < 5 * sqrt(8.0 / N), "variance %.6f", var);
        /* the tail, drawn on the slow path: counts are binomial */
        double p = exp(-sim_exp_tables.r), q = exp(-12.0);
        cr_assert(fabs(past_r - N * p) < 5 * sqrt(N * p), "%g past R, want %g", past_r, N * p);
        cr_assert(fabs(past_12 - N * q) < 5 * sqrt(N * q) + 1, "%g past 12, want %g", past_12,
                  N * q);

        /* 64 equally likely bins: chi-square with 63 degrees of freedom */
        enum { BINS = 64 };
        double count[BINS] = {0};
        for (size_t i = 0; i < N; i++) {
                double u = -expm1(-x[i]); /* F(x) */
                int b = (int)(u * BINS);
                count[b < BINS ? b : BINS - 1]++;
        }
        double chi2 = 0, want = (double)N / BINS;
        for (int b = 0; b < BINS; b++)
                chi2 += (count[b] - want) * (count[b] - want) / want;
        cr_assert_gt(gsl_cdf_chisq_Q(chi2, BINS - 1), 0.001, "chi-square %.1f", chi2);

        /* Kolmogorov-Smirnov: sqrt(n) D below 1.949, its 0.1% point */
        qsort(x, N, sizeof(*x), cmp);
        double d = 0;
        for (size_t i = 0; i < N; i++) {
                double f = -expm1(-x[i]);
                double hi = (double)(i + 1) / N - f, lo = f - (double)i / N;
                d = fmax(d, fmax(hi, lo));
        }
        cr_assert_lt(sqrt(N) * d, 1.949, "KS distance %.3g", d);
        free(x);
        gsl_rng_free(r);
}

/* The grid is 2^24 points across a strip: draws differ far below what the
 * models round to, and the fast path does not repeat values. */
Test(exponential, draws_are_fine_grained)
{
        gsl_rng *r = sim_rng_stream(7, "test/exponential/grid");
        enum { M = 100000 };
        double *x = malloc(M * sizeof(*x));
        cr_assert_not_null(x);
        for (size_t i = 0; i < M; i++)
                x[i] = sim_exponential(r);
        qsort(x, M, sizeof(*x), cmp);
        size_t same = 0;
        for (size_t i = 1; i < M; i++)
                same += x[i] == x[i - 1];
        /* 10^5 draws over 256 x 2^24 points: a few repeats at most */
        cr_assert_lt(same, 5, "%zu repeated values", same);
        free(x);
        gsl_rng_free(r);
}

/* A generator without 32 bits a draw (ranlux: 24) falls back to inversion. */
Test(exponential, other_generators_fall_back)
{
        gsl_rng *r = gsl_rng_alloc(gsl_rng_ranlux);
        cr_assert_not_null(r);
        gsl_rng_set(r, 5);
        enum { M = 200000 };
        double sum = 0;
        for (size_t i = 0; i < M; i++)
                sum += sim_exponential(r);
        cr_assert(fabs(sum / M - 1) < 5 / sqrt(M), "mean %.5f", sum / M);
        /* inversion: the same draws as -log1p(-U) on the same stream */
        gsl_rng *s = gsl_rng_alloc(gsl_rng_ranlux);
        gsl_rng_set(r, 9);
        gsl_rng_set(s, 9);
        for (int i = 0; i < 100; i++)
                cr_assert_eq(sim_exponential(r), -log1p(-gsl_rng_uniform(s)));
        gsl_rng_free(s);
        gsl_rng_free(r);
}

/* The inline taus2 step (sim_taus2_next) is on, and from one state it
 * gives what GSL's step gives, a million times, from several seeds. */
Test(exponential, inline_step_is_gsls_taus2)
{
        cr_assert_eq(sim_exp_inline_type, gsl_rng_taus2, "the start-up check turned it off");
        for (uint32_t seed = 1; seed <= 4; seed++) {
                gsl_rng *a = sim_rng_stream(seed, "test/inline");
                gsl_rng *b = gsl_rng_clone(a);
                cr_assert(a && b);
                for (int i = 0; i < N; i++) {
                        unsigned long x = gsl_rng_get(a);
                        uint32_t y = sim_taus2_next(b->state);
                        if (x != y)
                                cr_assert_fail("seed %u, draw %d: GSL %lu, inline %u", seed, i, x,
                                               y);
                }
                gsl_rng_free(a);
                gsl_rng_free(b);
        }
}

/*
 * test_mser.c - MSER-5 (sim/des/mser.c): the truncation point of a series
 * with a known transient, a drifting (overloaded) series found unsettled,
 * a series too short to judge, and the validation on M/M/1 from empty at
 * rho = 0.9: over many replications the mean after truncation has no
 * bias the 95% interval can see, while the mean of the whole run does.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/des/mser.h"
#include "sim/run/replicate.h"

Test(mser, cuts_a_known_transient)
{
        enum { N = 2000, T = 150 };
        static double x[N];
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, 11);
        for (size_t i = 0; i < N; i++)
                x[i] = 10 + gsl_ran_gaussian(r, 1) + (i < T ? 50.0 * (double)(T - i) / T : 0);
        struct mser_result m;
        cr_assert_eq(mser5(x, N, &m), 0);
        cr_assert(m.settled);
        cr_assert_eq(m.truncate % MSER_BATCH, 0);
        /* the transient is still 1.7 sd high at 145: cut near its end */
        cr_assert_geq(m.truncate, 130, "truncate %zu", m.truncate);
        cr_assert_leq(m.truncate, 300, "truncate %zu", m.truncate);
        cr_assert_lt(fabs(m.mean - 10), 0.15, "mean %g", m.mean);
        gsl_rng_free(r);
}

Test(mser, a_stationary_series_keeps_nearly_everything)
{
        enum { N = 1000 };
        static double x[N];
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, 12);
        for (size_t i = 0; i < N; i++)
                x[i] = 3 + gsl_ran_gaussian(r, 0.5);
        struct mser_result m;
        cr_assert_eq(mser5(x, N, &m), 0);
        cr_assert(m.settled);
        cr_assert_leq(m.truncate, N / 2);
        gsl_rng_free(r);
}

/* An overloaded queue: the count grows to the end, never settles. */
Test(mser, a_drift_is_not_settled)
{
        enum { N = 1000 };
        static double x[N];
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, 13);
        for (size_t i = 0; i < N; i++)
                x[i] = 0.05 * (double)i + gsl_ran_gaussian(r, 2);
        struct mser_result m;
        cr_assert_eq(mser5(x, N, &m), 0);
        cr_assert_not(m.settled);
        gsl_rng_free(r);
}

Test(mser, too_short_to_judge)
{
        double x[MSER_BATCH * MSER_MIN_BATCHES - 1];
        for (size_t i = 0; i < sizeof(x) / sizeof(x[0]); i++)
                x[i] = (double)i;
        struct mser_result m;
        cr_assert_eq(mser5(x, sizeof(x) / sizeof(x[0]), &m), -1);
        cr_assert_not(m.settled);
        cr_assert_eq(m.truncate, 0);
        cr_assert_float_eq(m.mean, 24.0, 1e-12);
}

/* M/M/1 from empty, rho = 0.9, service rate 1: the waiting times in queue
 * by Lindley's recursion, W[0] = 0, W[k+1] = max(0, W[k] + S[k] - A[k+1]).
 * Steady state: E[W] = rho / (mu - lambda) = 9. Runs of N customers are
 * short enough for the empty start to pull the whole-run mean below 9 by
 * more than its 95% half-width over R replications. MSER-5 on the mean
 * series of the replications (what run.warmup: auto does) must remove
 * that bias: the interval of the truncated means covers 9. MSER-5 on each
 * replication alone does not (it cuts at the replication's own high
 * excursions and leaves a mean biased low: 8.07 +/- 0.19 here), which is
 * why acsim truncates on the mean series (docs/statistics.md). */
Test(mser, mm1_from_empty_at_rho_0_9)
{
        enum { N = 4000, R = 1000 };
        const double rho = 0.9, expected = rho / (1 - rho);
        double *w = malloc((size_t)N * R * sizeof(*w));
        double *mean = calloc(N, sizeof(*mean));
        double *whole = malloc(R * sizeof(*whole));
        double *cut = malloc(R * sizeof(*cut));
        double *alone = malloc(R * sizeof(*alone));
        cr_assert(w && mean && whole && cut && alone);
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, 2004);
        for (size_t k = 0; k < R; k++) {
                double *x = &w[k * N], sum = 0;
                x[0] = 0;
                for (size_t i = 0; i + 1 < N; i++) {
                        double next =
                            x[i] + gsl_ran_exponential(r, 1.0) - gsl_ran_exponential(r, 1.0 / rho);
                        x[i + 1] = next > 0 ? next : 0;
                }
                for (size_t i = 0; i < N; i++) {
                        sum += x[i];
                        mean[i] += x[i] / R;
                }
                whole[k] = sum / N;
                struct mser_result own;
                cr_assert_eq(mser5(x, N, &own), 0);
                alone[k] = own.mean;
        }
        struct mser_result m;
        cr_assert_eq(mser5(mean, N, &m), 0);
        cr_assert(m.settled);
        for (size_t k = 0; k < R; k++) {
                double sum = 0;
                for (size_t i = m.truncate; i < N; i++)
                        sum += w[k * N + i];
                cut[k] = sum / (double)(N - m.truncate);
        }
        double h_whole, h_cut, h_alone;
        double m_whole = replications_ci95(whole, R, &h_whole);
        double m_cut = replications_ci95(cut, R, &h_cut);
        double m_alone = replications_ci95(alone, R, &h_alone);
        cr_log_info("whole run %.3f +/- %.3f; MSER-5 on the mean series cuts %zu: %.3f +/- %.3f; "
                    "on each replication alone %.3f +/- %.3f",
                    m_whole, h_whole, m.truncate, m_cut, h_cut, m_alone, h_alone);
        /* the empty start biases the whole run beyond its interval ... */
        cr_assert_gt(expected - m_whole, h_whole, "whole run %g +/- %g", m_whole, h_whole);
        /* ... the transient (a relaxation time of about 1 / (1 - sqrt(rho))^2
         * = 380 customers) is cut ... */
        cr_assert_geq(m.truncate, 100, "truncate %zu", m.truncate);
        cr_assert_leq(m.truncate, N / 2, "truncate %zu", m.truncate);
        /* ... and the truncated means show no bias */
        cr_assert_leq(fabs(m_cut - expected), h_cut, "after MSER-5 %g +/- %g", m_cut, h_cut);
        gsl_rng_free(r);
        free(w);
        free(mean);
        free(whole);
        free(cut);
        free(alone);
}

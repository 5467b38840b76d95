/*
 * test_queueing.c - the queueing formulas of sim/des/queueing.h against known
 * values: Erlang C from the Erlang B recursion and textbook cases, M/M/c
 * with one server against M/M/1, quantiles against their own tails, and
 * the supermarket model with d = 1 against M/M/1.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "sim/des/queueing.h"

/* Erlang C through Erlang B (B(0) = 1, B(k) = a B / (k + a B)),
 * C = c B / (c - a (1 - B)): another route to the same number. */
static double erlang_c_via_b(unsigned c, double a)
{
        double b = 1;
        for (unsigned k = 1; k <= c; k++)
                b = a * b / (k + a * b);
        return c * b / (c - a * (1 - b));
}

Test(queueing, erlang_c_known_values)
{
        /* one server: an arrival waits when the server is busy, P = rho */
        cr_assert_float_eq(queueing_erlang_c(1, 0.5), 0.5, 1e-12);
        /* two servers, one erlang: 1/3 (Kleinrock 1975, eq. 3.40 by hand) */
        cr_assert_float_eq(queueing_erlang_c(2, 1.0), 1.0 / 3, 1e-12);
        /* ten servers, eight erlangs: 0.4092, the call-centre textbook case */
        cr_assert_float_eq(queueing_erlang_c(10, 8.0), 0.40918015, 1e-8);
        for (unsigned c = 1; c <= 16; c++)
                for (double rho = 0.1; rho < 0.99; rho += 0.1)
                        cr_assert_float_eq(queueing_erlang_c(c, rho * c),
                                           erlang_c_via_b(c, rho * c), 1e-12, "c %u rho %f", c,
                                           rho);
}

Test(queueing, mmc_with_one_server_is_mm1)
{
        const double lambda = 0.8, mu = 1.0;
        cr_assert_float_eq(queueing_mm1_mean(lambda, mu), 5.0, 1e-12);
        cr_assert_float_eq(queueing_mmc_mean(1, lambda, mu), 5.0, 1e-12);
        cr_assert_float_eq(queueing_mm1_quantile(0.99, lambda, mu), 5 * log(100.0), 1e-9);
        cr_assert_float_eq(queueing_mmc_quantile(0.99, 1, lambda, mu), 5 * log(100.0), 1e-9);
        for (double t = 0; t < 40; t += 0.5)
                cr_assert_float_eq(queueing_mmc_tail(t, 1, lambda, mu), exp(-0.2 * t), 1e-12);
}

Test(queueing, mmc_figures)
{
        /* M/M/4 at rho 0.8 (tests/test_run_validation.c): 1745.5 ns with
         * mu = 1/us */
        cr_assert_float_eq(queueing_mmc_mean(4, 3.2, 1.0), 1 + 0.59643247 / 0.8, 1e-8);
        /* M/M/8 at rho 0.9 (bench/bench_mm8.c): 1877 ns */
        cr_assert_float_eq(queueing_mmc_mean(8, 7.2, 1.0), 1.87691624, 1e-8);
        cr_assert_float_eq(queueing_mmc_tail(0, 4, 3.2, 1.0), 1.0, 1e-12);
        for (double q = 0.5; q < 1; q += 0.05) {
                double t = queueing_mmc_quantile(q, 4, 3.2, 1.0);
                cr_assert_float_eq(queueing_mmc_tail(t, 4, 3.2, 1.0), 1 - q, 1e-9, "q %f", q);
        }
}

Test(queueing, supermarket_with_one_choice_is_mm1)
{
        /* d = 1 is M/M/1: s_i = rho^i, T = 1 / (1 - rho), exponential tail */
        for (unsigned k = 0; k < 10; k++)
                cr_assert_float_eq(queueing_supermarket_fraction(0.7, 1, k), pow(0.7, k), 1e-12);
        cr_assert_float_eq(queueing_supermarket_mean(0.7, 1), 1 / 0.3, 1e-9);
        cr_assert_float_eq(queueing_supermarket_tail(2.0, 0.7, 1), exp(-0.6), 1e-9);
        cr_assert_float_eq(queueing_supermarket_quantile(0.99, 0.7, 1),
                           queueing_mm1_quantile(0.99, 0.7, 1.0), 1e-9);
}

Test(queueing, supermarket_two_choices)
{
        /* Mitzenmacher (2001): 2.6141 at rho 0.9, d = 2; s_1 = rho, s_2 = rho^3 */
        cr_assert_float_eq(queueing_supermarket_mean(0.9, 2), 2.61406, 1e-5);
        cr_assert_float_eq(queueing_supermarket_fraction(0.9, 2, 1), 0.9, 1e-12);
        cr_assert_float_eq(queueing_supermarket_fraction(0.9, 2, 2), 0.729, 1e-12);
        /* the sojourn's mixture has the mean the sum gives */
        double m = 0;
        for (double t = 0; t < 60; t += 1e-3)
                m += queueing_supermarket_tail(t + 5e-4, 0.9, 2) * 1e-3;
        cr_assert_float_eq(m, queueing_supermarket_mean(0.9, 2), 1e-5);
        double p99 = queueing_supermarket_quantile(0.99, 0.9, 2);
        cr_assert_float_eq(queueing_supermarket_tail(p99, 0.9, 2), 0.01, 1e-9);
        /* more choice, shorter waits */
        cr_assert_lt(queueing_supermarket_mean(0.9, 3), queueing_supermarket_mean(0.9, 2));
}

/*
 * test_tally.c - time-weighted gauges against integrals worked out by hand:
 * means over the run, after a warm-up reset, and over time-series windows.
 */
#include <criterion/criterion.h>
#include <signal.h>

#include "sim/des/tally.h"

#define EPS 1e-12

Test(tally, mean_of_a_step_function)
{
        struct gauge g;
        gauge_init(&g, 0, 0);
        /* 0 on [0,10), 2 on [10,30), 5 on [30,40), 1 on [40,100) */
        gauge_set(&g, 10, 2);
        gauge_set(&g, 30, 5);
        gauge_set(&g, 40, 1);
        /* (0*10 + 2*20 + 5*10 + 1*60) / 100 = 150 / 100 */
        cr_assert_float_eq(gauge_mean(&g, 100), 1.5, EPS);
        /* Reading does not change it; a later read extends the last piece. */
        cr_assert_float_eq(gauge_mean(&g, 100), 1.5, EPS);
        cr_assert_float_eq(gauge_mean(&g, 200), 250.0 / 200, EPS);
        cr_assert_float_eq(g.max, 5, EPS);
}

Test(tally, add_counts_up_and_down)
{
        struct gauge g;
        gauge_init(&g, 1000, 0);
        /* A queue: +1 at 1000, +1 at 1004, -1 at 1006, -1 at 1010. */
        gauge_add(&g, 1000, 1);
        gauge_add(&g, 1004, 1);
        gauge_add(&g, 1006, -1);
        gauge_add(&g, 1010, -1);
        cr_assert_float_eq(g.value, 0, EPS);
        /* 1*4 + 2*2 + 1*4 + 0*10 = 12 over 20 */
        cr_assert_float_eq(gauge_mean(&g, 1020), 0.6, EPS);
        cr_assert_float_eq(g.max, 2, EPS);
}

Test(tally, several_changes_at_one_instant_weigh_nothing)
{
        struct gauge g;
        gauge_init(&g, 0, 3);
        gauge_set(&g, 50, 100);
        gauge_set(&g, 50, 7);
        /* 3*50 + 7*50 = 500 over 100 */
        cr_assert_float_eq(gauge_mean(&g, 100), 5, EPS);
}

Test(tally, reset_forgets_the_warm_up)
{
        struct gauge g;
        gauge_init(&g, 0, 10);
        gauge_set(&g, 100, 4);
        gauge_reset(&g, 150); /* warm-up ends while the value is 4 */
        cr_assert_float_eq(gauge_mean(&g, 150), 4, EPS, "empty period: the current value");
        cr_assert_float_eq(g.max, 4, EPS);
        gauge_set(&g, 200, 0);
        /* 4*50 + 0*50 = 200 over 100 */
        cr_assert_float_eq(gauge_mean(&g, 250), 2, EPS);
}

Test(tally, windows_give_a_time_series)
{
        struct gauge g;
        double m; /* gauge_window_mean() moves the window: call it once */
        gauge_init(&g, 0, 1);
        gauge_set(&g, 5, 3); /* window [0,10): 1*5 + 3*5 = 20 -> 2 */
        m = gauge_window_mean(&g, 10);
        cr_assert_float_eq(m, 2, EPS);
        gauge_set(&g, 18, 0); /* window [10,20): 3*8 = 24 -> 2.4 */
        m = gauge_window_mean(&g, 20);
        cr_assert_float_eq(m, 2.4, EPS);
        m = gauge_window_mean(&g, 30); /* window [20,30): no change, 0 */
        cr_assert_float_eq(m, 0, EPS);
        gauge_set(&g, 30, 6);
        m = gauge_window_mean(&g, 30);
        cr_assert_float_eq(m, 6, EPS, "empty window: the current value");
        /* The run's mean is unaffected by the windows: 20 + 24 over 30. */
        cr_assert_float_eq(gauge_mean(&g, 30), 44.0 / 30, EPS);
}

Test(tally, long_runs_keep_precision)
{
        struct gauge g;
        gauge_init(&g, 0, 0);
        /* A million alternations of 0 and 1 over 10 s of nanoseconds. */
        uint64_t t = 0;
        for (int i = 0; i < 1000000; i++) {
                gauge_set(&g, t, i % 2 ? 0 : 1);
                t += 10000;
        }
        cr_assert_float_eq(gauge_mean(&g, t), 0.5, 1e-12);
}

Test(tally, updating_in_the_past_aborts, .signal = SIGABRT)
{
        struct gauge g;
        gauge_init(&g, 100, 0);
        gauge_set(&g, 99, 1);
}

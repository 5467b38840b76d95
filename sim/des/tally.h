/*
 * sim/des/tally.h - time-weighted statistics of piecewise-constant quantities:
 * queue length, stages in flight, busy lanes.
 *
 * A gauge holds the current value of such a quantity and the integral of
 * it over time, updated at each change, so its mean over a period is the
 * integral divided by the period's length. It keeps two integrals: one
 * since the last reset (the run's figure; reset at the end of warm-up) and
 * one since the start of the current window (one row of a time series).
 *
 * The time series itself is left to the run loop: it owns the sampling
 * event (every `interval` ns), knows which counters and gauges make up a
 * row and where rows go; a gauge only supplies its mean over each window
 * with gauge_window_mean(), which is a truer row than a point sample.
 *
 * Times are the engine's nanoseconds and must not go backwards.
 */
#ifndef SIM_DES_TALLY_H
#define SIM_DES_TALLY_H

#include <stdint.h>

struct gauge {
        double value;            /* current value */
        double max;              /* greatest value since the reset */
        uint64_t last;           /* time of the last change, ns */
        uint64_t since;          /* start of the averaging period (reset), ns */
        uint64_t window;         /* start of the current window, ns */
        long double area;        /* integral of value over [since, last] */
        long double window_area; /* integral of value over [window, last] */
};

/* Starts a gauge at time `now` with `value`; period and window start now. */
void gauge_init(struct gauge *g, uint64_t now, double value);
/* The quantity changes to `value` at time `now`. */
void gauge_set(struct gauge *g, uint64_t now, double value);
/* The quantity changes by `delta` at time `now`. */
void gauge_add(struct gauge *g, uint64_t now, double delta);
/* Forgets the past (end of warm-up): the period and the window start at
 * `now`; the current value stays. */
void gauge_reset(struct gauge *g, uint64_t now);
/* Returns the time-weighted mean over [since, now], or the current value
 * when the period is empty. */
double gauge_mean(const struct gauge *g, uint64_t now);
/* Returns the time-weighted mean over [window, now] (the current value when
 * empty) and starts the next window at `now`. */
double gauge_window_mean(struct gauge *g, uint64_t now);

#endif

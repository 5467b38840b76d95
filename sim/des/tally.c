/*
 * sim/des/tally.c - time-weighted gauges: integrals of a piecewise-constant
 * value, advanced lazily to the time of each change or query.
 */
#include "sim/des/tally.h"

#include <assert.h>

void gauge_init(struct gauge *g, uint64_t now, double value)
{
        g->value = value;
        g->max = value;
        g->last = now;
        g->since = now;
        g->window = now;
        g->area = 0;
        g->window_area = 0;
}

/* Brings both integrals up to `now` with the current value. */
static void advance(struct gauge *g, uint64_t now)
{
        assert(now >= g->last && "a gauge updated in the past");
        long double piece = (long double)g->value * (long double)(now - g->last);
        g->area += piece;
        g->window_area += piece;
        g->last = now;
}

void gauge_set(struct gauge *g, uint64_t now, double value)
{
        advance(g, now);
        g->value = value;
        if (value > g->max)
                g->max = value;
}

void gauge_add(struct gauge *g, uint64_t now, double delta)
{
        gauge_set(g, now, g->value + delta);
}

void gauge_reset(struct gauge *g, uint64_t now)
{
        advance(g, now);
        g->since = now;
        g->window = now;
        g->area = 0;
        g->window_area = 0;
        g->max = g->value;
}

double gauge_mean(const struct gauge *g, uint64_t now)
{
        assert(now >= g->last && "a gauge read in the past");
        if (now == g->since)
                return g->value;
        long double area = g->area + (long double)g->value * (long double)(now - g->last);
        return (double)(area / (long double)(now - g->since));
}

double gauge_window_mean(struct gauge *g, uint64_t now)
{
        advance(g, now);
        double mean =
            now == g->window ? g->value : (double)(g->window_area / (long double)(now - g->window));
        g->window = now;
        g->window_area = 0;
        return mean;
}

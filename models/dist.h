/*
 * models/dist.h - probability distributions for the models: service times,
 * jitter factors, sizes, inter-arrival times, times to failure and repair.
 *
 * A struct dist is plain data filled by the scenario loader (values already
 * in base units: nanoseconds, bytes, or dimensionless), then checked and
 * prepared once by dist_prepare(). Sampling draws from a GSL generator the
 * caller owns, so each random source keeps its own stream.
 */
#ifndef MODELS_DIST_H
#define MODELS_DIST_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/des/exponential.h"

enum dist_kind {
        DIST_CONSTANT,    /* a = value */
        DIST_UNIFORM,     /* a = min, b = max */
        DIST_EXPONENTIAL, /* a = mean */
        DIST_LOGNORMAL,   /* a = mean, b = coefficient of variation */
        DIST_GAMMA,       /* a = mean, b = coefficient of variation */
        DIST_PARETO,      /* a = mean, b = alpha (> 1) */
        DIST_EMPIRICAL,   /* values[n] with weights[n] (NULL weights: equal) */
        DIST_IMIX,        /* simple IMIX packet sizes: 40B, 576B, 1500B in 7:4:1 */
};

struct dist {
        enum dist_kind kind;
        double a, b;               /* kind-specific parameters, see above */
        size_t n;                  /* empirical: number of values */
        double *values;            /* empirical: owned by the dist */
        double *weights;           /* empirical: owned by the dist, or NULL */
        gsl_ran_discrete_t *table; /* empirical/imix: built by dist_prepare() */
        double p1, p2;             /* derived parameters, set by dist_prepare() */
        bool ready;                /* set by dist_prepare(); sampling asserts it */
};

/* Checks the parameters and precomputes what sampling needs. May be called
 * again on a prepared dist (it rebuilds). Every kind must yield values >= 0
 * (these are times, sizes and factors). Returns 0, or -1 with a one-line
 * reason in *why (static text; why may be NULL) for a bad parameter. */
int dist_prepare(struct dist *d, const char **why);
/* One draw of a kind other than the exponential and the constant;
 * dist_sample() calls it. */
double dist_sample_other(const struct dist *d, gsl_rng *r);
/* One draw. d must be prepared. The exponential, drawn for every request's
 * service in many scenarios, is inline (sim/des/exponential.h), and so is
 * the constant, drawn for every request's size in many others. */
static inline double dist_sample(const struct dist *d, gsl_rng *r)
{
        assert(d->ready);
        if (d->kind == DIST_EXPONENTIAL)
                return d->a * sim_exponential(r);
        if (d->kind == DIST_CONSTANT) /* a size, every request */
                return d->a;
        return dist_sample_other(d, r);
}
/* The distribution's mean (exact, from its parameters). d must be prepared. */
double dist_mean(const struct dist *d);
/* The distribution's coefficient of variation (stddev / mean; infinite for
 * a pareto with alpha <= 2, 0 for a constant or a zero mean). d must be
 * prepared. */
double dist_cv(const struct dist *d);
/* Returns x >= 0 rounded to the nearest integer, halves up: exactly what
 * llround() gives for it, without the call (the models round two times
 * per request). x must be below 2^63. */
static inline uint64_t dist_round(double x)
{
        /* through int64_t, exact for 0 <= x < 2^63 and the same value as
         * through uint64_t, but one instruction each way where the
         * unsigned conversions take a test and a branch for the top bit */
        int64_t whole = (int64_t)x;
        return (uint64_t)whole + (x - (double)whole >= 0.5);
}
/* The kind's name as written in scenarios ("lognormal"), or NULL. */
const char *dist_kind_name(enum dist_kind kind);
/* Frees what the dist owns (values, weights, table); the struct itself is
 * the caller's. */
void dist_free(struct dist *d);

#endif

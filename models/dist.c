/*
 * models/dist.c - the distributions of models/dist.h on top of GSL.
 *
 * dist_prepare() validates the scenario's parameters and turns them into
 * the ones GSL samples from (p1, p2, or a gsl_ran_discrete table), so a draw
 * is one GSL call; the exponential is drawn by the simulator's ziggurat
 * (sim/des/exponential.h), without a logarithm on the common path. Laid out as: parameter checks,
 * preparation, sampling, moments.
 */
#include "models/dist.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

/* Simple IMIX: 40, 576 and 1500 byte packets in the ratio 7:4:1. */
static const double imix_values[] = {40.0, 576.0, 1500.0};
static const double imix_weights[] = {7.0, 4.0, 1.0};

static const char *const kind_names[] = {
    [DIST_CONSTANT] = "constant",   [DIST_UNIFORM] = "uniform", [DIST_EXPONENTIAL] = "exponential",
    [DIST_LOGNORMAL] = "lognormal", [DIST_GAMMA] = "gamma",     [DIST_PARETO] = "pareto",
    [DIST_EMPIRICAL] = "empirical", [DIST_IMIX] = "imix",
};

const char *dist_kind_name(enum dist_kind kind)
{
        if ((unsigned)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
                return NULL;
        return kind_names[kind];
}

static bool finite_nonneg(double x)
{
        return isfinite(x) && x >= 0.0;
}

static bool finite_pos(double x)
{
        return isfinite(x) && x > 0.0;
}

static int refuse(const char **why, const char *reason)
{
        if (why)
                *why = reason;
        return -1;
}

static int prepare_empirical(struct dist *d, const char **why)
{
        if (d->n == 0 || !d->values)
                return refuse(why, "empirical: no values");
        double sum = 0.0;
        for (size_t i = 0; i < d->n; i++) {
                if (!finite_nonneg(d->values[i]))
                        return refuse(why, "empirical: values must be finite and >= 0");
                if (d->weights) {
                        if (!finite_nonneg(d->weights[i]))
                                return refuse(why, "empirical: weights must be finite and >= 0");
                        sum += d->weights[i];
                }
        }
        if (d->weights && !(sum > 0.0))
                return refuse(why, "empirical: weights must sum to more than 0");
        if (d->weights) {
                d->table = gsl_ran_discrete_preproc(d->n, d->weights);
        } else {
                double *ones = malloc(d->n * sizeof(*ones));
                if (!ones)
                        return refuse(why, "out of memory");
                for (size_t i = 0; i < d->n; i++)
                        ones[i] = 1.0;
                d->table = gsl_ran_discrete_preproc(d->n, ones);
                free(ones);
        }
        if (!d->table)
                return refuse(why, "out of memory");
        return 0;
}

int dist_prepare(struct dist *d, const char **why)
{
        if (d->table) {
                gsl_ran_discrete_free(d->table);
                d->table = NULL;
        }
        d->ready = false;
        d->p1 = d->p2 = 0.0;
        switch (d->kind) {
        case DIST_CONSTANT:
                if (!finite_nonneg(d->a))
                        return refuse(why, "constant: value must be finite and >= 0");
                break;
        case DIST_UNIFORM:
                if (!finite_nonneg(d->a) || !isfinite(d->b))
                        return refuse(why, "uniform: min must be finite and >= 0");
                if (d->b < d->a)
                        return refuse(why, "uniform: max must be >= min");
                break;
        case DIST_EXPONENTIAL:
                if (!finite_pos(d->a))
                        return refuse(why, "exponential: mean must be > 0");
                break;
        case DIST_LOGNORMAL:
                if (!finite_pos(d->a))
                        return refuse(why, "lognormal: mean must be > 0");
                if (!finite_pos(d->b))
                        return refuse(why, "lognormal: cv must be > 0");
                /* sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2 */
                d->p2 = sqrt(log1p(d->b * d->b));
                d->p1 = log(d->a) - d->p2 * d->p2 / 2.0;
                break;
        case DIST_GAMMA:
                if (!finite_pos(d->a))
                        return refuse(why, "gamma: mean must be > 0");
                if (!finite_pos(d->b))
                        return refuse(why, "gamma: cv must be > 0");
                d->p1 = 1.0 / (d->b * d->b); /* shape */
                d->p2 = d->a * d->b * d->b;  /* scale */
                break;
        case DIST_PARETO:
                if (!finite_pos(d->a))
                        return refuse(why, "pareto: mean must be > 0");
                if (!isfinite(d->b) || !(d->b > 1.0))
                        return refuse(why, "pareto: alpha must be > 1 (finite mean)");
                d->p1 = d->b;                       /* alpha */
                d->p2 = d->a * (d->b - 1.0) / d->b; /* scale x_m from the mean */
                break;
        case DIST_EMPIRICAL:
                if (prepare_empirical(d, why) < 0)
                        return -1;
                break;
        case DIST_IMIX:
                d->table = gsl_ran_discrete_preproc(3, imix_weights);
                if (!d->table)
                        return refuse(why, "out of memory");
                break;
        default:
                return refuse(why, "unknown distribution");
        }
        d->ready = true;
        return 0;
}

double dist_sample_other(const struct dist *d, gsl_rng *r)
{
        assert(d->ready);
        switch (d->kind) {
        case DIST_CONSTANT:
                return d->a;
        case DIST_UNIFORM:
                return d->a + (d->b - d->a) * gsl_rng_uniform(r);
        case DIST_EXPONENTIAL:
                return d->a * sim_exponential(r);
        case DIST_LOGNORMAL:
                return gsl_ran_lognormal(r, d->p1, d->p2);
        case DIST_GAMMA:
                return gsl_ran_gamma(r, d->p1, d->p2);
        case DIST_PARETO:
                return gsl_ran_pareto(r, d->p1, d->p2);
        case DIST_EMPIRICAL:
                return d->values[gsl_ran_discrete(r, d->table)];
        case DIST_IMIX:
                return imix_values[gsl_ran_discrete(r, d->table)];
        }
        assert(!"unknown distribution");
        return 0.0;
}

/* Mean and second raw moment of a discrete table's values. */
static void discrete_moments(const double *values, const double *weights, size_t n, double *m1,
                             double *m2)
{
        double w = 0.0, s1 = 0.0, s2 = 0.0;
        for (size_t i = 0; i < n; i++) {
                double wi = weights ? weights[i] : 1.0;
                w += wi;
                s1 += wi * values[i];
                s2 += wi * values[i] * values[i];
        }
        *m1 = s1 / w;
        *m2 = s2 / w;
}

double dist_mean(const struct dist *d)
{
        assert(d->ready);
        double m1, m2;
        switch (d->kind) {
        case DIST_CONSTANT:
        case DIST_EXPONENTIAL:
        case DIST_LOGNORMAL:
        case DIST_GAMMA:
        case DIST_PARETO:
                return d->a;
        case DIST_UNIFORM:
                return (d->a + d->b) / 2.0;
        case DIST_EMPIRICAL:
                discrete_moments(d->values, d->weights, d->n, &m1, &m2);
                return m1;
        case DIST_IMIX:
                discrete_moments(imix_values, imix_weights, 3, &m1, &m2);
                return m1;
        }
        return 0.0;
}

double dist_cv(const struct dist *d)
{
        assert(d->ready);
        double m1, m2;
        switch (d->kind) {
        case DIST_CONSTANT:
                return 0.0;
        case DIST_UNIFORM:
                if (d->a + d->b == 0.0)
                        return 0.0;
                return (d->b - d->a) / sqrt(12.0) / ((d->a + d->b) / 2.0);
        case DIST_EXPONENTIAL:
                return 1.0;
        case DIST_LOGNORMAL:
        case DIST_GAMMA:
                return d->b;
        case DIST_PARETO:
                if (d->b <= 2.0)
                        return INFINITY;
                return 1.0 / sqrt(d->b * (d->b - 2.0));
        case DIST_EMPIRICAL:
                discrete_moments(d->values, d->weights, d->n, &m1, &m2);
                break;
        case DIST_IMIX:
                discrete_moments(imix_values, imix_weights, 3, &m1, &m2);
                break;
        default:
                return 0.0;
        }
        if (m1 == 0.0)
                return 0.0;
        double var = m2 - m1 * m1;
        return sqrt(var > 0.0 ? var : 0.0) / m1;
}

void dist_free(struct dist *d)
{
        if (d->table)
                gsl_ran_discrete_free(d->table);
        free(d->values);
        free(d->weights);
        d->table = NULL;
        d->values = NULL;
        d->weights = NULL;
        d->n = 0;
        d->ready = false;
}

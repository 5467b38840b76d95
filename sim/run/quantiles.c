/*
 * sim/run/quantiles.c - pooled quantiles over replications and their
 * bootstrap intervals (sim/run/quantiles.h).
 *
 * Only the buckets some replication uses take part: their counts go into
 * an n x m table once, and each resample weighs the rows by how often it
 * drew each replication, so a resample costs n * m, not a histogram merge.
 */
#include "sim/run/quantiles.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "ac/error.h"

/* The q of a kind, or -1 for the kinds that are not order statistics;
 * MAX is the quantile 1. */
#define QUANTILE_OF_COUNT       (-1.0)
#define QUANTILE_OF_MEAN        (-1.0)
#define QUANTILE_OF_MAX         1.0
#define QUANTILE_OF_QUANTILE(q) (q)

/* The figures rep_quantiles() sets, as pointers into *out, and their q. */
struct target {
        struct rep_figure *f;
        double q;
};

/* The buckets the replications use, and their counts per replication. */
struct pool {
        size_t n, m;
        size_t *index;   /* m bucket indexes, increasing */
        uint64_t *count; /* n x m: count[j * m + b] */
        uint64_t *total; /* n: values per replication */
        uint64_t *min;   /* n */
        uint64_t *max;   /* n */
};

/* The q-quantile of the replications weighed by w (w[j] copies of
 * replication j), as hist_quantile() would read their merged histogram. */
static double weighed_quantile(const struct pool *p, const unsigned *w, double q)
{
        uint64_t total = 0, lo = UINT64_MAX, hi = 0;
        for (size_t j = 0; j < p->n; j++) {
                if (!w[j] || !p->total[j])
                        continue;
                total += w[j] * p->total[j];
                lo = p->min[j] < lo ? p->min[j] : lo;
                hi = p->max[j] > hi ? p->max[j] : hi;
        }
        if (total == 0)
                return 0;
        if (q >= 1)
                return (double)hi;
        double r = ceil(q * (double)total);
        uint64_t rank = r < 1 ? 1 : r > (double)total ? total : (uint64_t)r;
        uint64_t seen = 0;
        for (size_t b = 0; b < p->m; b++) {
                for (size_t j = 0; j < p->n; j++)
                        seen += w[j] * p->count[j * p->m + b];
                if (seen < rank)
                        continue;
                uint64_t low = hist_bucket_low(p->index[b]), high = hist_bucket_high(p->index[b]);
                uint64_t mid = low + (high - low) / 2;
                return (double)(mid < lo ? lo : mid > hi ? hi : mid);
        }
        return (double)hi;
}

static void pool_free(struct pool *p)
{
        free(p->index);
        free(p->count);
        free(p->total);
        free(p->min);
        free(p->max);
}

static int pool_init(struct pool *p, const struct hist *const *h, size_t n)
{
        *p = (struct pool){.n = n};
        for (size_t i = 0; i < HIST_BUCKETS; i++) {
                for (size_t j = 0; j < n; j++) {
                        if (h[j]->bucket[i]) {
                                p->m++;
                                break;
                        }
                }
        }
        size_t m = p->m ? p->m : 1;
        p->index = malloc(m * sizeof(*p->index));
        p->count = calloc(n * m, sizeof(*p->count));
        p->total = malloc(n * sizeof(*p->total));
        p->min = malloc(n * sizeof(*p->min));
        p->max = malloc(n * sizeof(*p->max));
        if (!p->index || !p->count || !p->total || !p->min || !p->max) {
                pool_free(p);
                return AC_ENOMEM;
        }
        size_t b = 0;
        for (size_t i = 0; i < HIST_BUCKETS && b < p->m; i++) {
                bool used = false;
                for (size_t j = 0; j < n; j++) {
                        p->count[j * m + b] = h[j]->bucket[i];
                        used |= h[j]->bucket[i] != 0;
                }
                if (used)
                        p->index[b++] = i;
        }
        for (size_t j = 0; j < n; j++) {
                p->total[j] = h[j]->count;
                p->min[j] = h[j]->min;
                p->max[j] = h[j]->max;
        }
        return 0;
}

int rep_quantiles(const struct hist *const *h, size_t n, struct rep_latency *out)
{
        struct target t[] = {
#define TARGET(name, kind, ...) {&out->name, QUANTILE_OF_##kind},
            SIM_LATENCY_FIGURES(TARGET)
#undef TARGET
        };
        enum { NT = sizeof(t) / sizeof(t[0]) };
        if (n == 0)
                return 0;
        struct pool p;
        if (pool_init(&p, h, n) < 0)
                return AC_ENOMEM;
        unsigned *w = calloc(n, sizeof(*w));
        double *draws = malloc(NT * REP_BOOTSTRAP_RESAMPLES * sizeof(*draws));
        gsl_rng *rng = n > 1 ? gsl_rng_alloc(gsl_rng_mt19937) : NULL;
        if (!w || !draws || (n > 1 && !rng)) {
                free(w);
                free(draws);
                if (rng)
                        gsl_rng_free(rng);
                pool_free(&p);
                return AC_ENOMEM;
        }
        for (size_t j = 0; j < n; j++)
                w[j] = 1;
        for (size_t k = 0; k < NT; k++) {
                if (t[k].q < 0)
                        continue;
                /* whole nanoseconds, as one run's figure */
                t[k].f->mean = weighed_quantile(&p, w, t[k].q);
                t[k].f->lo = t[k].f->hi = t[k].f->mean;
                t[k].f->ci95 = 0;
        }
        if (rng) {
                gsl_rng_set(rng, REP_BOOTSTRAP_SEED);
                for (size_t s = 0; s < REP_BOOTSTRAP_RESAMPLES; s++) {
                        for (size_t j = 0; j < n; j++)
                                w[j] = 0;
                        for (size_t j = 0; j < n; j++)
                                w[gsl_rng_uniform_int(rng, n)]++;
                        for (size_t k = 0; k < NT; k++) {
                                if (t[k].q >= 0)
                                        draws[k * REP_BOOTSTRAP_RESAMPLES + s] =
                                            weighed_quantile(&p, w, t[k].q);
                        }
                }
                for (size_t k = 0; k < NT; k++) {
                        if (t[k].q < 0)
                                continue;
                        double *d = draws + k * REP_BOOTSTRAP_RESAMPLES;
                        gsl_sort(d, 1, REP_BOOTSTRAP_RESAMPLES);
                        /* percentile interval, widened by the bucket error (the
                         * maximum is exact) */
                        double err = t[k].q >= 1 ? 0.0 : HIST_REL_ERROR;
                        double lo = gsl_stats_quantile_from_sorted_data(
                                        d, 1, REP_BOOTSTRAP_RESAMPLES, 0.025) *
                                    (1 - err);
                        double hi = gsl_stats_quantile_from_sorted_data(
                                        d, 1, REP_BOOTSTRAP_RESAMPLES, 0.975) *
                                    (1 + err);
                        struct rep_figure *f = t[k].f;
                        f->lo = lo < f->mean ? lo : f->mean;
                        f->hi = hi > f->mean ? hi : f->mean;
                        f->ci95 = fmax(f->hi - f->mean, f->mean - f->lo);
                }
        }
        free(w);
        free(draws);
        if (rng)
                gsl_rng_free(rng);
        pool_free(&p);
        return 0;
}

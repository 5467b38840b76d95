/*
 * sim/run/replicate.c - running the replications of a scenario and summing
 * them up: means and Student t half-widths from GSL, pooled histograms.
 */
#include "sim/run/replicate.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "ac/error.h"
#include "sim/run/quantiles.h"
#include "sim/run/run.h"

double replications_ci95(const double *x, size_t n, double *ci95)
{
        *ci95 = 0.0;
        if (n == 0)
                return 0.0;
        double mean = gsl_stats_mean(x, 1, n);
        if (n < 2)
                return mean;
        double sd = gsl_stats_sd_m(x, 1, n, mean);
        *ci95 = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);
        return mean;
}

/* x[i] = EXPR for every run i (EXPR may use `run`), then DST from them. */
#define FIGURE(r, x, dst, expr)                                                                    \
        do {                                                                                       \
                for (size_t i_ = 0; i_ < (r)->n; i_++) {                                           \
                        const struct sim_results *run = &(r)->runs[i_];                            \
                        (x)[i_] = (double)(expr);                                                  \
                }                                                                                  \
                (dst).mean = replications_ci95((x), (r)->n, &(dst).ci95);                          \
        } while (0)

/* The counts of class k of every run, or the run's own when k is SIZE_MAX. */
static const struct sim_counts *counts_of(const struct sim_results *run, size_t k)
{
        return k == SIZE_MAX ? &run->requests : &run->classes[k].requests;
}

static const struct sim_latency *latency_of(const struct sim_results *run, size_t k)
{
        return k == SIZE_MAX ? &run->latency : &run->classes[k].latency;
}

static void fill_counts(struct replications *r, double *x, size_t k, struct rep_counts *out)
{
#define COUNT_FIGURE(name, ...) FIGURE(r, x, out->name, counts_of(run, k)->name);
        SIM_COUNT_FIGURES(COUNT_FIGURE)
#undef COUNT_FIGURE
}

static void fill_latency(struct replications *r, double *x, size_t k, struct rep_latency *out)
{
#define LATENCY_FIGURE(name, ...) FIGURE(r, x, out->name, latency_of(run, k)->name);
        SIM_LATENCY_FIGURES(LATENCY_FIGURE)
#undef LATENCY_FIGURE
}

static void fill_device(struct replications *r, double *x, size_t k, struct rep_device *d)
{
        const struct sim_device_result *first = &r->runs[0].devices[k];
        d->name = first->name;
        d->lanes = first->lanes;
        d->ring = first->ring;
        d->attach_ns = first->attach_ns;
#define DEVICE_FIGURE(name, ...) FIGURE(r, x, d->name, run->devices[k].name);
        SIM_DEVICE_FIGURES(DEVICE_FIGURE)
#undef DEVICE_FIGURE
}

static void fill_class(struct replications *r, double *x, size_t k, struct rep_class *c)
{
        c->name = r->runs[0].classes[k].name;
        fill_counts(r, x, k, &c->requests);
        fill_latency(r, x, k, &c->latency);
#define CLASS_THROUGHPUT(name, ...) FIGURE(r, x, c->name, run->classes[k].name);
        SIM_THROUGHPUT_FIGURES(CLASS_THROUGHPUT)
#undef CLASS_THROUGHPUT
        hist_init(&c->hist);
        for (size_t i = 0; i < r->n; i++)
                hist_merge(&c->hist, &r->runs[i].classes[k].hist);
}

/* The quantiles of the run (k = SIZE_MAX) or of class k by the one
 * convention of sim/run/quantiles.h. */
static int pool_quantiles(struct replications *r, size_t k, struct rep_latency *out)
{
        const struct hist **h = malloc(r->n * sizeof(*h));
        if (h == NULL)
                return AC_ENOMEM;
        for (size_t i = 0; i < r->n; i++)
                h[i] = k == SIZE_MAX ? &r->runs[i].hist : &r->runs[i].classes[k].hist;
        int rc = rep_quantiles(h, r->n, out);
        free(h);
        return rc;
}

/* Frees the summary but keeps the runs. */
static void free_summary(struct replications *r)
{
        free(r->classes);
        free(r->devices);
        r->classes = NULL;
        r->devices = NULL;
        r->nclasses = 0;
        r->ndevices = 0;
}

int replications_summarize(struct replications *r)
{
        free_summary(r);
        if (r->n == 0)
                return 0;
        const struct sim_results *first = &r->runs[0];
        for (size_t i = 1; i < r->n; i++) {
                /* one scenario: the same classes and devices in every run */
                if (r->runs[i].nclasses != first->nclasses ||
                    r->runs[i].ndevices != first->ndevices)
                        abort();
        }
        double *x = malloc(r->n * sizeof(*x));
        r->classes = first->nclasses ? calloc(first->nclasses, sizeof(*r->classes)) : NULL;
        r->devices = first->ndevices ? calloc(first->ndevices, sizeof(*r->devices)) : NULL;
        if (!x || (first->nclasses && !r->classes) || (first->ndevices && !r->devices)) {
                free(x);
                free_summary(r);
                return AC_ENOMEM;
        }
        r->nclasses = first->nclasses;
        r->ndevices = first->ndevices;

        FIGURE(r, x, r->sim_time_ns, run->sim_time_ns);
        FIGURE(r, x, r->events, run->events);
        FIGURE(r, x, r->wall_time_s, run->wall_time_s);
        fill_counts(r, x, SIZE_MAX, &r->requests);
        fill_latency(r, x, SIZE_MAX, &r->latency);
#define RUN_THROUGHPUT(name, ...) FIGURE(r, x, r->name, run->name);
        SIM_THROUGHPUT_FIGURES(RUN_THROUGHPUT)
#undef RUN_THROUGHPUT
        FIGURE(r, x, r->mean_in_system, run->mean_in_system);
        hist_init(&r->hist);
        r->drain_capped = 0;
        r->unfinished = 0;
        for (size_t i = 0; i < r->n; i++) {
                hist_merge(&r->hist, &r->runs[i].hist);
                r->drain_capped += r->runs[i].drain_capped;
                r->unfinished += r->runs[i].unfinished;
        }
        for (size_t k = 0; k < r->nclasses; k++)
                fill_class(r, x, k, &r->classes[k]);
        for (size_t k = 0; k < r->ndevices; k++)
                fill_device(r, x, k, &r->devices[k]);
        free(x);
        int rc = pool_quantiles(r, SIZE_MAX, &r->latency);
        for (size_t k = 0; k < r->nclasses && rc == 0; k++)
                rc = pool_quantiles(r, k, &r->classes[k].latency);
        if (rc < 0) {
                free_summary(r);
                return rc;
        }
        return 0;
}

void replications_free(struct replications *r)
{
        free_summary(r);
        for (size_t i = 0; i < r->n; i++)
                sim_results_free(&r->runs[i]);
        free(r->runs);
        provenance_free(&r->origin);
        memset(r, 0, sizeof(*r));
}

/* Passes a run's progress on with the replication's place. */
struct watch_ctx {
        const struct rep_progress *progress;
        size_t index, n;
};

static void watch_progress(void *ctx, uint64_t now_ns, uint64_t end_ns, uint64_t events)
{
        struct watch_ctx *w = ctx;
        w->progress->report(w->progress->ctx, w->index, w->n, now_ns, end_ns, events);
}

/* The outcome of sim_run()'s negative code: the core refuses what the
 * loader could not check (a balancer's options) with these. */
static enum sim_outcome outcome_of(int rc)
{
        return rc == AC_EINVAL || rc == AC_ERANGE || rc == AC_ENOENT ? SIM_BAD_INPUT : SIM_FAILED;
}

enum sim_outcome replications_run(const struct scenario *s, uint32_t first, uint32_t n,
                                  const struct rep_progress *progress, struct replications *out,
                                  struct sim_error *e)
{
        memset(out, 0, sizeof(*out));
        out->runs = calloc(n ? n : 1, sizeof(*out->runs));
        if (out->runs == NULL)
                return sim_fail(e, SIM_FAILED, "out of memory");
        struct watch_ctx w = {progress, 0, n};
        struct sim_run_watch watch = {watch_progress, &w};
        for (uint32_t i = 0; i < n; i++) {
                w.index = i;
                int rc = sim_run_watched(s, first + i, progress ? &watch : NULL, &out->runs[i], e);
                if (rc < 0) {
                        replications_free(out);
                        return outcome_of(rc);
                }
                out->n++;
        }
        if (replications_summarize(out) < 0) {
                replications_free(out);
                return sim_fail(e, SIM_FAILED, "out of memory");
        }
        return SIM_OK;
}

/* Returns true when every run's counts add up (drain-capped runs aside,
 * whose unfinished requests have no outcome). */
static bool conserved(const struct replications *r)
{
        for (size_t i = 0; i < r->n; i++) {
                const struct sim_results *run = &r->runs[i];
                const struct sim_counts *c = &run->requests;
                if (!run->drain_capped && c->submitted != c->completed + c->failed + c->rejected)
                        return false;
        }
        return true;
}

enum sim_outcome replications_verdict(const struct replications *r, struct sim_error *e)
{
        uint64_t seed = r->n > 0 ? r->runs[0].seed : 0;
        if (r->drain_capped)
                return sim_fail(e, SIM_FAILED,
                                "FAILURE: the drain hit its cap with %" PRIu64
                                " request%s unfinished (seed %" PRIu64 ")",
                                r->unfinished, r->unfinished == 1 ? "" : "s", seed);
        if (!conserved(r))
                return sim_fail(
                    e, SIM_FAILED,
                    "FAILURE: submitted != completed + failed + rejected (seed %" PRIu64 ")", seed);
        return SIM_OK;
}

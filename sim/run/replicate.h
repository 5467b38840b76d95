/*
 * sim/run/replicate.h - the replications of one scenario and what they say
 * together: for every summary figure, the mean across replications and
 * its 95% confidence half-width (Student t with n - 1 degrees of
 * freedom), plus histograms pooled over the replications.
 *
 * Replication i runs with the seed sim_rng_derive(scenario seed, i) (see
 * sim/run/run.h), so a replication depends on the scenario, the seed and its
 * index alone; `first` lets a command rerun replication i by itself.
 *
 * With one replication every mean is that run's figure exactly and every
 * half-width is 0.
 */
#ifndef SIM_RUN_REPLICATE_H
#define SIM_RUN_REPLICATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/des/batch_means.h"
#include "sim/des/hist.h"
#include "sim/run/outcome.h"
#include "sim/run/provenance.h"
#include "sim/run/results.h"
#include "sim/run/scenario.h"

/* One figure over the replications. */
struct rep_figure {
        double mean;   /* across replications */
        double ci95;   /* half-width of the 95% confidence interval; 0 for n = 1 */
        double lo, hi; /* latency quantiles and max only: the interval's bounds
                        * (sim/run/quantiles.h); 0 for the other figures */
};

/* The figures of sim/run/figures.h, over the replications. */
#define REP_FIELD(name, ...) struct rep_figure name;
struct rep_counts {
        SIM_COUNT_FIGURES(REP_FIELD)
};

struct rep_latency {
        SIM_LATENCY_FIGURES(REP_FIELD) /* ns */
};

struct rep_class {
        const char *name; /* the first run's */
        struct rep_counts requests;
        struct rep_latency latency;
        SIM_THROUGHPUT_FIGURES(REP_FIELD)
        struct hist hist; /* latencies pooled over the replications */
};

struct rep_device {
        const char *name; /* the first run's */
        uint32_t lanes;
        uint32_t ring;
        uint64_t attach_ns; /* hot-added at this time; 0: from the start */
        SIM_DEVICE_FIGURES(REP_FIELD)
};

/* run.warmup: auto (docs/statistics.md): the warm-up found by MSER-5 on
 * the mean over the replications of their number-in-system series, run
 * with no warm-up; every replication is then run again, the same seed,
 * with that warm-up. Each replication's own MSER-5 point is kept too. */
struct rep_warmup {
        bool automatic;       /* run.warmup: auto was asked for */
        bool settled;         /* MSER-5's verdict on the mean series */
        uint64_t warmup_ns;   /* the warm-up found, applied to every replication */
        uint64_t interval_ns; /* the series' row interval */
        size_t rows;          /* rows of the series */
        size_t truncate_rows; /* rows cut */
        uint64_t *own_ns;     /* n: each replication's own MSER-5 point */
        bool *own_settled;    /* n: and its own verdict */
};

/* run.method: batch-means (docs/statistics.md): intervals from the batch
 * means of the one replication's time series rows after the warm-up. */
struct rep_batch_means {
        bool on;                       /* run.method: batch-means */
        size_t rows;                   /* rows after the warm-up, batched */
        struct batch_means in_system;  /* requests in system, time-weighted */
        struct batch_means throughput; /* ok callbacks per second */
};

/* run.precision (docs/statistics.md): what was asked and what came. */
struct rep_precision {
        bool on;
        bool reached; /* every metric within its target */
        uint32_t cap; /* max_replications */
        size_t ntargets;
        struct scenario_precision_target targets[SCENARIO_MAX_PRECISION]; /* run.precision's */
        double achieved[SCENARIO_MAX_PRECISION]; /* half-widths, as the targets are stated */
        /* a sweep's point run to a precision on its paired difference
         * (docs/statistics.md, "Sweeps to a precision"): the baseline
         * point's directory, the difference's mean and half-width
         * achieved; NULL when not paired */
        const char *baseline;
        double diff_mean[SCENARIO_MAX_PRECISION];
        double diff_achieved[SCENARIO_MAX_PRECISION];
};

struct replications {
        size_t n;                 /* replications run */
        struct sim_results *runs; /* n, in index order */

        struct rep_figure sim_time_ns;
        struct rep_figure events;
        struct rep_figure wall_time_s;
        struct rep_counts requests;
        struct rep_latency latency;
        SIM_THROUGHPUT_FIGURES(REP_FIELD)
        struct rep_figure mean_in_system;
        struct hist hist; /* latencies pooled over the replications */

        struct rep_class *classes; /* as many as each run has */
        size_t nclasses;
        struct rep_device *devices;
        size_t ndevices;

        size_t drain_capped; /* runs whose drain hit its cap */
        uint64_t unfinished; /* requests they abandoned, summed */
        size_t handed_on;    /* times a worker put a replication back between two
                                stretches for any worker to go on with (-j) */

        struct provenance origin;       /* what made them; empty until the command fills it */
        struct rep_warmup warmup;       /* with run.warmup: auto */
        struct rep_batch_means batches; /* with run.method: batch-means */
        struct rep_precision precision; /* with run.precision */
};
#undef REP_FIELD

/* Called between the stretches of a run: replication `index` (counting
 * from 0 among those asked for) of `n` is at simulated time now_ns of
 * end_ns (the end of arrivals) after `events` events. */
struct rep_progress {
        void (*report)(void *ctx, size_t index, size_t n, uint64_t now_ns, uint64_t end_ns,
                       uint64_t events);
        void *ctx;
};

/* Runs replications first .. first + n - 1 of the prepared scenario s and
 * summarises them into *out (release with replications_free). progress
 * may be NULL. Returns SIM_OK; SIM_BAD_INPUT when the core refused the
 * scenario (a balancer's options: the loader cannot see everything its
 * init checks); SIM_FAILED on an internal error. Both with the reason in
 * e; *out is then empty. */
enum sim_outcome replications_run(const struct scenario *s, uint32_t first, uint32_t n,
                                  const struct rep_progress *progress, struct replications *out,
                                  struct sim_error *e);

/* replications_run() on up to `jobs` threads (1: the caller's alone).
 * The runs and their summary are the same bytes for every `jobs` (wall
 * time aside): each replication is computed alone and they are summed in
 * index order; the last 2 * jobs - 1 go on from thread to thread between
 * the stretches of their arrival phase, so that no thread idles while
 * another runs the last one. progress is called by one thread at a time, for any
 * running replication. On a failure no further replication starts, and
 * the reason is that of the lowest failed index, as with one thread.
 * The scenario's run section may change what runs (docs/statistics.md):
 * run.warmup: auto runs the n replications twice (without warm-up, then
 * with the one MSER-5 found, out->warmup); run.precision ignores n and
 * runs from run.replications up to its cap (out->precision);
 * run.method: batch-means adds out->batches. */
enum sim_outcome replications_run_jobs(const struct scenario *s, uint32_t first, uint32_t n,
                                       unsigned jobs, const struct rep_progress *progress,
                                       struct replications *out, struct sim_error *e);

/* The verdict on runs that went through (docs/results.md, "Exit status"):
 * returns SIM_OK when every request is accounted for, else SIM_FAILED
 * with the reason in e, "FAILURE: ..." and the seed: a drain hit its cap
 * with requests unfinished, or else the counts of a run that drained do
 * not add up (submitted != completed + failed + rejected), or else
 * run.warmup: auto found a series that never settles (no steady state to
 * measure), or else run.precision hit its cap before every metric was
 * within its target. */
enum sim_outcome replications_verdict(const struct replications *r, struct sim_error *e);

/* Fills the summary of *r from r->runs[0 .. r->n - 1], which the caller
 * filled (the runs must come from one scenario: the same classes and
 * devices). Returns 0 or AC_ENOMEM. */
int replications_summarize(struct replications *r);

/* Returns the index of the summary figure named `name` for run.precision
 * ("latency_ns.p99", "throughput.requests_per_s", "mean_in_system"), or
 * -1 when there is none. */
int replications_figure_index(const char *name);
/* Returns the names replications_figure_index() knows, comma-separated. */
const char *replications_figure_names(void);
/* Returns the summary figure `index` of r. */
const struct rep_figure *replications_figure(const struct replications *r, int index);
/* Returns figure `index` of one run (its own value, of which the summary
 * figure is the mean over the runs). */
double replications_run_figure(const struct sim_results *run, int index);

/* The stopping rule of run.precision, one place for `acsim run` and a
 * sweep's paired differences: sets achieved[i] to the half-width ci95[i]
 * as run->precision[i] states its target (a fraction of |mean[i]|, or
 * INFINITY when mean[i] is 0; or in the metric's unit) and returns true
 * when n >= 2 and every one is within its target. */
bool replications_within(const struct scenario_run *run, size_t n, const double *mean,
                         const double *ci95, double *achieved);

/* Releases the runs, the summary and the origin; *r is left empty. */
void replications_free(struct replications *r);

/* Returns the mean of x[0 .. n - 1] and sets *ci95 to its 95% confidence
 * half-width t(0.975, n - 1) * s / sqrt(n), or 0 when n < 2. */
double replications_ci95(const double *x, size_t n, double *ci95);

#endif

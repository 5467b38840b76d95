/*
 * sim/sweep/collect.h - a finished sweep put together: every point's
 * figures read back from its summary.json (sim/results/read_summary.h), the paired
 * differences against a baseline policy, and the sweep's own files,
 * sweep.json (the manifest) and sweep.csv (a row per point).
 *
 * Paired comparison: points that differ only in engine.policy form a
 * group; in a group each policy X is compared with the baseline policy B
 * replication by replication, d_i = X_i - B_i (both ran replication i
 * with the same seed, hence the same requests), for the mean latency, the
 * p99 latency and the throughput; the difference is the mean of the d_i
 * with its Student t 95% half-width over the replications. Pairing
 * removes the workload's own variation from the comparison, so the
 * interval is much narrower than one built from two independent means.
 *
 * Everything here is a function of the point directories and the plan:
 * the files come out byte-identical however and wherever the points ran.
 */
#ifndef SIM_SWEEP_COLLECT_H
#define SIM_SWEEP_COLLECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/run/replicate.h"
#include "sim/sweep/sweep.h"

/* The figures a comparison pairs, in this order. */
enum sweep_metric {
        SWEEP_LATENCY_MEAN,
        SWEEP_LATENCY_P99,
        SWEEP_REQUESTS_PER_S,
        SWEEP_METRICS,
};

/* A paired difference X - B over the replications. */
struct sweep_diff {
        double mean;     /* mean of X_i - B_i */
        double ci95;     /* its 95% half-width; 0 with one replication */
        double relative; /* mean / (B's mean), in percent; NaN when B's mean is 0 */
};

/* One point's figures from its summary.json (sim/results/read_summary.h);
 * a half-width the file does not give is 0. */
struct sweep_result {
        char *policy;               /* "policy" */
        size_t n;                   /* "replications" */
        uint64_t *seeds;            /* the replications' stream seeds (n) */
        double *per[SWEEP_METRICS]; /* per replication: latency mean, p99, requests/s (n each) */
#define SWEEP_RATE(name, ...) struct rep_figure name;
        SIM_THROUGHPUT_FIGURES(SWEEP_RATE) /* sim/run/figures.h */
#undef SWEEP_RATE
        struct rep_latency latency; /* sim/run/figures.h */
        struct rep_counts requests; /* means, no half-widths */
        bool failure;               /* a drain hit its cap, or counts that do not add up */

        bool paired;     /* a baseline was found for it */
        size_t baseline; /* the baseline's point */
        struct sweep_diff diff[SWEEP_METRICS];

        /* run.precision (sim/sweep/rounds.h), per target: */
        double *prec[SCENARIO_MAX_PRECISION];         /* per replication: its figure (n each) */
        double own_achieved[SCENARIO_MAX_PRECISION];  /* the point's own half-width */
        double diff_achieved[SCENARIO_MAX_PRECISION]; /* its paired difference's (NaN: none) */
        bool reached; /* its stopping rule was met; false: it stopped at the cap */
};

struct sweep_collection {
        size_t npoints;
        struct sweep_result *results; /* npoints */
        size_t baseline;              /* index into the engine.policy list, or SWEEP_NO_KEY */
        size_t replications_min;      /* the fewest replications of any point */
        bool failure;                 /* some point has a failure */
        bool precise;                 /* run.precision: the points ran to it */
        size_t capped;                /* points that stopped at the cap short of it */
};

/* Returns the paired difference of x and b (n each): the mean of
 * x[i] - b[i] and its 95% half-width (0 when n < 2), and that mean
 * relative to b's mean. */
struct sweep_diff sweep_pair(const double *x, const double *b, size_t n);

/* The stopping rule on a paired difference (sim/sweep/rounds.h): for
 * every target t of run.precision, x[t] and b[t] hold the figure of n
 * paired replications; sets diff[t] to the mean of x - b and achieved[t]
 * to its half-width as the target states it (relative: a fraction of b's
 * mean), and returns true when every one is within its target
 * (replications_within()). */
bool sweep_pair_within(const struct scenario_run *run, double *const *x, double *const *b, size_t n,
                       double *diff, double *achieved);

/* Reads every point of the plan from OUT/<dir>/summary.json, checks that
 * each belongs to the plan (scenario, seed, policy, replications), and
 * pairs them against the baseline policy `baseline` (a value of the
 * engine.policy list; NULL for the first; ignored when the sweep does not
 * vary engine.policy). Returns 0, or -1 with a reason in err (a
 * missing point names the --points that would make it); *c is then freed. */
int sweep_collect(const struct sweep_plan *p, const char *out, const char *baseline,
                  struct sweep_collection *c, struct sim_error *err);

/* Releases what c owns. */
void sweep_collection_free(struct sweep_collection *c);

/* Returns the manifest (sweep.json) of the plan as a new JSON object, or
 * NULL when out of memory. */
json_t *sweep_manifest(const struct sweep_plan *p, const struct sweep_collection *c);

/* Writes sweep.csv. Returns 0, or -1 when a write failed. */
int sweep_write_csv(FILE *f, const struct sweep_plan *p, const struct sweep_collection *c);

#endif

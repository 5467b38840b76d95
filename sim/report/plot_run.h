/*
 * sim/report/plot_run.h - what the plots of a run directory (sim/report/plot_run.c)
 * share with the sweep's (sim/report/plot_sweep.c) and the report: the facts of
 * summary.json and the latency CDF read from latency_hist.csv.
 */
#ifndef SIM_REPORT_PLOT_RUN_H
#define SIM_REPORT_PLOT_RUN_H

#include <stddef.h>
#include <stdio.h>

#include "sim/results/read_csv.h"

struct plot_run_facts {
        char scenario[128];  /* name */
        char policy[128];    /* the balancer */
        double replications; /* n */
        double duration_ns;  /* end of arrivals */
        double warmup_ns;
        unsigned worst;       /* the replication with the highest p99.9 */
        double worst_p999_ns; /* its p99.9 */
};

/* Returns 0 when the run in dir has a replication rep, else PLOT_EINPUT
 * with err saying how many it has. */
int plot_run_replication(const char *dir, unsigned rep, struct sim_error *err);

/* Reads dir/summary.json's facts. Returns 0 or PLOT_EINPUT with err. */
int plot_run_facts(const char *dir, struct plot_run_facts *f, struct sim_error *err);

/* A run's latency_hist.csv. */
struct plot_cdf {
        struct read_csv_table csv;
        int cls, low, high, cum; /* columns */
        int count;               /* column of the bucket counts, or -1 */
};

/* Reads dir/latency_hist.csv. Returns 0 or PLOT_EINPUT with err. */
int plot_cdf_open(const char *dir, struct plot_cdf *h, struct sim_error *err);
/* Returns the high end of the first bucket of class cls whose cumulative
 * fraction reaches q, in ns, or NaN when the class has none. */
double plot_cdf_quantile(const struct plot_cdf *h, const char *cls, double q);
/* Writes the CDF of class cls as "latency cumulative" lines, latency in
 * units of unit_ns, starting from 0 at the first bucket's low end.
 * Returns the buckets written. */
size_t plot_cdf_write(FILE *dat, const struct plot_cdf *h, const char *cls, double unit_ns);
/* Writes the CCDF (the fraction of requests slower than a latency) of
 * class cls as "latency fraction" lines: 1 at the first bucket's low end,
 * then at each bucket's high end the share of the class's count above it,
 * while that share is above 0 (a log axis cannot show 0). From the counts
 * when the file has them, exact; else from the cumulative column. Stores
 * the least share written in *least (1 when none) and returns the lines
 * written. */
size_t plot_ccdf_write(FILE *dat, const struct plot_cdf *h, const char *cls, double unit_ns,
                       double *least);
void plot_cdf_close(struct plot_cdf *h);

#endif

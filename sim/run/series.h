/*
 * sim/run/series.h - the time series of a replication: how many rows it
 * has and how long each is (the one sizing rule that sim_run allocates by
 * and the loader's memory limit counts with, docs/scenarios.md, "run"),
 * and the latency of one interval read from its own histogram.
 */
#ifndef SIM_RUN_SERIES_H
#define SIM_RUN_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "sim/des/hist.h"

#define SIM_SERIES_MAX_ROWS 100000 /* time series rows, at most */
#define SIM_SERIES_DEFAULT  100    /* rows when run.sample_ns is 0 */

struct sim_series_latency;

/* Returns the rows of the time series of a run of duration_ns (> 0) sampled
 * every sample_ns (0: duration_ns / SIM_SERIES_DEFAULT), and stores the
 * interval in *interval_ns: sample_ns, at least 1 ns, widened when more
 * than SIM_SERIES_MAX_ROWS rows would be needed. The rows are duration_ns
 * / interval rounded up: when the interval does not divide the duration,
 * the last row is shorter and ends at the duration. */
uint64_t sim_series_rows(uint64_t duration_ns, uint64_t sample_ns, uint64_t *interval_ns);

/* Returns the bytes one row of the time series holds in memory with
 * ndevices devices and nclasses classes. */
size_t sim_series_row_bytes(size_t ndevices, size_t nclasses);

/* Reads the latency of one interval from h (what it recorded in that
 * interval) into out -- count, p50, p99, p99.9 and max, the quantiles
 * exactly as hist_quantile() reads them -- and empties h for the next.
 * Looks only at the buckets between h's min and max, so an interval costs
 * what its spread of latencies needs, not the whole histogram. */
void sim_series_cut_latency(struct hist *h, struct sim_series_latency *out);

#endif

/*
 * sim/run/series.h - how many rows a replication's time series has, and
 * how long each is: the one sizing rule that sim_run allocates by and the
 * loader's memory limit counts with (docs/scenarios.md, "run").
 */
#ifndef SIM_RUN_SERIES_H
#define SIM_RUN_SERIES_H

#include <stdint.h>

#define SIM_SERIES_MAX_ROWS 100000 /* time series rows, at most */
#define SIM_SERIES_DEFAULT  100    /* rows when run.sample_ns is 0 */

/* Returns the rows of the time series of a run of duration_ns (> 0) sampled
 * every sample_ns (0: duration_ns / SIM_SERIES_DEFAULT), and stores the
 * interval in *interval_ns: sample_ns, at least 1 ns, widened when more
 * than SIM_SERIES_MAX_ROWS rows would be needed. The rows are duration_ns
 * / interval rounded up: when the interval does not divide the duration,
 * the last row is shorter and ends at the duration. */
uint64_t sim_series_rows(uint64_t duration_ns, uint64_t sample_ns, uint64_t *interval_ns);

#endif

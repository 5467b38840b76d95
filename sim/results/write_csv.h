/*
 * sim/results/write_csv.h - the CSV files beside summary.json (docs/results.md):
 *
 *   timeseries.csv    every replication's time series, a row per interval
 *   timeseries_long.csv  the same and the latency of each interval, overall
 *                     and per class, one row per (time, entity, metric)
 *   device_events.csv every device state change the core reported
 *   latency_hist.csv  the latency histogram, overall and per class, pooled
 *                     over the replications
 *   devices.csv       per-device figures, as in summary.json
 *   faults.csv        every replication's fault timeline, with when each
 *                     window was detected and the device recovered
 *   trace.csv         with run.trace: a row per request (sim/run/run.h)
 *
 * Each has a header line; fields are separated by commas, text fields are
 * quoted when they hold a comma or a quote. Deterministic like
 * summary.json.
 */
#ifndef SIM_RESULTS_WRITE_CSV_H
#define SIM_RESULTS_WRITE_CSV_H

#include <stdio.h>

#include "sim/run/replicate.h"

/* Each writes one file's text to out and returns 0, or -1 when a write
 * failed (ferror). */
int write_csv_timeseries(FILE *out, const struct replications *r);
int write_csv_timeseries_long(FILE *out, const struct replications *r);
int write_csv_device_events(FILE *out, const struct replications *r);
int write_csv_latency_hist(FILE *out, const struct replications *r);
int write_csv_devices(FILE *out, const struct replications *r);
int write_csv_faults(FILE *out, const struct replications *r);
/* trace.csv: the rows every replication streamed to its temporary file
 * (run.trace), replication 0 first. */
int write_csv_trace(FILE *out, const struct replications *r);

/* Prints s as one CSV field, quoted when it holds a comma, a quote or a
 * line break (a quote doubled), as every acsim CSV writes text, sweep.csv
 * too. */
void write_csv_text(FILE *out, const char *s);

#endif

/*
 * sim/results/result_dir.h - putting a run's result directory in place whole or
 * not at all.
 *
 * The files are written into a fresh hidden directory beside the target
 * and renamed onto it, with the signals held (sim/results/in_place.h), so
 * a reader never sees a half-written directory and neither an error nor
 * an interruption leaves one behind. An existing target is replaced only
 * if it is a result directory (it holds summary.json); anything else is
 * refused, so -o never deletes a directory acsim did not write.
 */
#ifndef SIM_RESULTS_RESULT_DIR_H
#define SIM_RESULTS_RESULT_DIR_H

#include <stddef.h>

#include "sim/run/outcome.h"
#include "sim/run/replicate.h"

/* The files of a result directory. */
#define RESULT_SUMMARY         "summary.json"
#define RESULT_TIMESERIES      "timeseries.csv"
#define RESULT_TIMESERIES_LONG "timeseries_long.csv"
#define RESULT_DEVICE_EVENTS   "device_events.csv"
#define RESULT_LATENCY_HIST    "latency_hist.csv"
#define RESULT_DEVICES         "devices.csv"
#define RESULT_FAULTS          "faults.csv"
#define RESULT_TRACE           "trace.csv"     /* with run.trace only */
#define RESULT_SCENARIO        "scenario.yaml" /* the scenario file's bytes as loaded */

/* Checks, creating nothing, that dir can be written: it does not exist,
 * or it is a result directory. Returns 0, or -1 with the reason in e. */
int result_dir_check(const char *dir, struct sim_error *e);

/* Writes the result files of r into dir (scenario.yaml when r->origin
 * kept the file's bytes), creating its parents, replacing
 * an old result directory. Returns 0, or -1 with the reason in e (dir is
 * then as it was). */
int result_dir_write(const char *dir, const struct replications *r, struct sim_error *e);

#endif

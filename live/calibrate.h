/*
 * live/calibrate.h - device models measured on this machine: each live
 * operation's cost over a range of sizes, fitted as `setup + bytes / rate`
 * with a lognormal jitter, and how throughput scales with lanes
 * (docs/live.md, "Calibration").
 *
 * A size's cost is the median of many single-operation timings (the
 * monotonic clock around one live_crypto_apply), each on its own buffers
 * cycled through 64 MiB so that the data is cold as a live stage's is;
 * the median keeps preemption on a shared machine from moving it much; the jitter's coefficient of
 * variation is taken from the same timings with the slowest 1% left out.
 * The fit is weighted least squares on relative error (GSL), so small and
 * large sizes count alike; its error is the largest relative distance of a
 * measured median from the line, and a fit whose error exceeds
 * CALIBRATE_POOR_FIT is reported as poor rather than used silently.
 */
#ifndef LIVE_CALIBRATE_H
#define LIVE_CALIBRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "live/crypto.h"
#include "sim/run/outcome.h"

#define CALIBRATE_MAX_SIZES 16
#define CALIBRATE_MAX_LANES 64
#define CALIBRATE_POOR_FIT  0.10 /* largest relative error a usable fit may have */

struct calibrate_config {
        const size_t *sizes; /* bytes, ascending; NULL: 64 B to 1 MiB by 4 */
        size_t nsizes;
        unsigned samples;   /* timings per size, >= 11 (default 2001) */
        unsigned max_lanes; /* lane counts 1 .. max_lanes are measured (default: online CPUs) */
        uint64_t lane_ns;   /* how long each lane count runs (default 100 ms) */
        size_t lane_bytes;  /* stage size for the lane runs (default 4096) */
};

struct calibrate_op {
        const struct live_op *op;
        size_t nsizes;
        size_t bytes[CALIBRATE_MAX_SIZES];
        double median_ns[CALIBRATE_MAX_SIZES]; /* per operation */
        double setup_ns;                       /* fit: intercept, >= 0 */
        double rate_bps;                       /* fit: bytes per second */
        double fit_error;                      /* largest |measured - fit| / measured */
        bool poor;                             /* fit_error > CALIBRATE_POOR_FIT */
        double jitter_cv;                      /* of single timings / their size's median */
        unsigned nlanes;
        double lane_speedup[CALIBRATE_MAX_LANES]; /* throughput with k+1 lanes / with 1 */
};

/* Measures every operation of live_ops[] on this thread (and on 1 ..
 * max_lanes threads for the lane scaling) into out[live_nops]. Returns 0,
 * or -1 when a measurement could not run (out of memory, OpenSSL refused),
 * with the reason in err. */
int calibrate_run(const struct calibrate_config *cfg, struct calibrate_op *out,
                  struct sim_error *err);

/* Writes a `devices:` block a scenario can hold: one software device
 * `cpu` with `lanes` lanes doing every operation with its fitted cost, each
 * op's fit error in a comment, poor fits marked. */
void calibrate_write_yaml(FILE *f, const struct calibrate_op *ops, size_t nops, unsigned lanes);

/* Prints the measurements as a plain-text table, at most 80 columns. */
void calibrate_write_table(FILE *f, const struct calibrate_op *ops, size_t nops);

#endif

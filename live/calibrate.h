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
 * The same operation is then measured through the live path (struct
 * calibrate_op). The fit is weighted least squares on relative error
 * (GSL), so small and large sizes count alike; its error is the largest relative distance of a
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
        unsigned samples;       /* timings per size, >= 11 (default 2001) */
        unsigned max_lanes;     /* lane counts 1 .. max_lanes are measured (default: online CPUs) */
        uint64_t lane_ns;       /* how long each lane count runs (default 100 ms) */
        size_t lane_bytes;      /* stage size for the lane runs (default 4096) */
        const char *only;       /* measure this operation alone; NULL: every one */
        unsigned path_requests; /* live path: requests one at a time per size (default 401) */
        uint64_t path_ns;       /* live path: how long the lane is kept full per size
                                   (default 200 ms) */
        uint64_t path_pause_ns; /* live path: between requests one at a time, so the
                                   threads go idle as between light arrivals
                                   (default 500 us) */
        bool pin;               /* live path: the lane on a CPU of its own, the other
                                   threads on the first (two CPUs or more) */
};

/* A line `setup + bytes / rate` through medians by size. */
struct calibrate_fit {
        double setup_ns; /* intercept, >= 0 */
        double rate_bps; /* bytes per second */
        double error;    /* largest |measured - fit| / measured */
        bool poor;       /* error > CALIBRATE_POOR_FIT */
};

/* One operation's measurements. `bare` times the algorithm alone, one call
 * at a time on cold buffers; `path` is a lane of a live device as `acsim
 * live` runs it (live/device.c, through the core on the live platform):
 * the worker's time per stage and the latency one request at a time
 * (submission to the core knowing the stage done, as `acsim live`
 * measures it), then the lane's time per stage while it is kept full:
 * the wall time over the stages done less the time the worker waited for
 * work, so its hand-offs, the locks it waits for and the time it waits
 * for a CPU are in it. The device model written is the path's: the line
 * through the worker's time and its jitter; as `wakeup`, a lognormal of
 * the mean and spread of the hand-off of each stage that found its lane
 * asleep while requests arrived as a Poisson stream at half the lane's
 * capacity: its latency less its transform (waking the worker: lane
 * time, as a stage arriving meanwhile waits); as `gap` what the lane kept full takes per
 * stage beyond the line (reporting, hand-offs, waiting for a CPU, colder
 * caches). */
struct calibrate_op {
        const struct live_op *op;
        size_t nsizes;
        size_t bytes[CALIBRATE_MAX_SIZES];
        double median_ns[CALIBRATE_MAX_SIZES]; /* bare: per operation */
        struct calibrate_fit bare;
        double jitter_cv;                    /* bare: of single timings / their size's median */
        double lane_ns[CALIBRATE_MAX_SIZES]; /* path: lane time per stage, lane kept full */
        double lane_worker_ns[CALIBRATE_MAX_SIZES]; /* path: of which transforming */
        double single_ns[CALIBRATE_MAX_SIZES];      /* path: mean latency one at a time */
        double worker_ns[CALIBRATE_MAX_SIZES]; /* path: mean worker time per stage, one at a time */
        double hand_ns[CALIBRATE_MAX_SIZES]; /* path: mean hand-off at load (latency - transform) */
        unsigned
            hand_n[CALIBRATE_MAX_SIZES]; /* path: stages that found the lane asleep, measured */
        struct calibrate_fit path;       /* through worker_ns */
        double path_cv;                  /* of the worker's time per stage / its size's median */
        double wakeup_ns;                /* mean hand-off at load over every size, >= 0 */
        double wakeup_cv;                /* the hand-offs' coefficient of variation (sd / mean) */
        double gap_ns;                   /* median over sizes of lane_ns - the path's line, >= 0 */
        double gap_error;                /* largest |line + gap - lane_ns| / lane_ns */
        unsigned nlanes;
        double lane_speedup[CALIBRATE_MAX_LANES]; /* throughput with k+1 lanes / with 1 */
};

/* Measures every operation of live_ops[] (or cfg->only) on this thread,
 * on 1 .. max_lanes threads for the lane scaling, and through a live
 * device of one lane, into out[]; returns how many operations it measured,
 * or -1 when a measurement could not run (out of memory, OpenSSL refused,
 * an unknown cfg->only), with the reason in err. */
int calibrate_run(const struct calibrate_config *cfg, struct calibrate_op *out,
                  struct sim_error *err);

/* Writes a `devices:` block a scenario can hold: one software device
 * `cpu` with `lanes` lanes doing every operation with its live path's
 * cost, gap and wake-up, each op's fit errors and bare fit in a comment, poor
 * fits marked. */
void calibrate_write_yaml(FILE *f, const struct calibrate_op *ops, size_t nops, unsigned lanes);

/* Prints the measurements as a plain-text table, at most 80 columns: the
 * path's line, its fit error, jitter cv, wake-up and gap, the bare rate, the
 * lane speed-ups. */
void calibrate_write_table(FILE *f, const struct calibrate_op *ops, size_t nops);

/* Prints one operation's measurements by size: the bare median, the lane
 * time kept full, the path's line there, the worker's mean time and the
 * mean latency one request at a time. */
void calibrate_write_sizes(FILE *f, const struct calibrate_op *o);

#endif

/*
 * sim/run/figures.h - the figures a run reports, listed once (docs/results.md,
 * "summary.json"): the request counts, the latency summary and the
 * per-device figures, as X-macro tables in the spirit of AC_ERRNO_MAP.
 * The in-memory results (sim/run/results.h, sim/run/replicate.h), the
 * writer and the reader of summary.json (sim/results/), the summary table
 * (sim/report/text.c), `acsim compare`, the sweep's per-point figures and
 * sweep.csv (sim/sweep/collect.c) and the Markdown report expand them, so
 * a new figure is one line here (and its words in docs/).
 *
 * Each table calls X(name, kind, label, shown) for every figure, in the
 * order summary.json writes them:
 *   name   the struct field and the summary.json key
 *   kind   how it is measured and written (SIM_FIG_*, below)
 *   label  its column in the summary table (and, for latency, in compare
 *          as "lat LABEL" and in the report's table of sweep points)
 *   shown  where else it appears: SIM_SHOW_* flags, or'd
 *
 * Kinds: COUNT a whole number (an integer in summary.json with one
 * replication, the mean with more); MEAN, TIME_AVG, RATIO (0..1) a real;
 * QUANTILE(q) the q-quantile of the latency histogram; MAX its largest
 * value.
 */
#ifndef SIM_RUN_FIGURES_H
#define SIM_RUN_FIGURES_H

#include <stdint.h>

/* Where a figure appears besides the structs and summary.json. */
#define SIM_SHOW_TABLE      0x01 /* a column of the summary table */
#define SIM_SHOW_CI95       0x02 /* a half-width in summary.json's "ci95" (n > 1) */
#define SIM_SHOW_COMPARE    0x04 /* a row of `acsim compare` (counts: as % of submitted) */
#define SIM_SHOW_SWEEP      0x08 /* a column of sweep.csv */
#define SIM_SHOW_SWEEP_CI95 0x10 /* and its half-width, NAME_ci95 */
#define SIM_SHOW_POINTS     0x20 /* a column of the report's table of sweep points */

/* The requests of a run or a class (struct sim_counts); the columns of
 * sweep.csv are named as the fields. */
#define SIM_COUNT_FIGURES(X)                                                                       \
        X(submitted, COUNT, "submit", SIM_SHOW_TABLE | SIM_SHOW_SWEEP)   /* ac_submit() calls */   \
        X(completed, COUNT, "complete", SIM_SHOW_TABLE | SIM_SHOW_SWEEP) /* ok callbacks */        \
        X(failed, COUNT, "failed",                                                                 \
          SIM_SHOW_TABLE | SIM_SHOW_COMPARE | SIM_SHOW_SWEEP |                                     \
              SIM_SHOW_POINTS) /* error callbacks */                                               \
        X(rejected, COUNT, "rejected",                                                             \
          SIM_SHOW_TABLE | SIM_SHOW_COMPARE | SIM_SHOW_SWEEP |                                     \
              SIM_SHOW_POINTS) /* refused at submit */                                             \
        X(backlogged, COUNT, "backlog",                                                            \
          SIM_SHOW_TABLE | SIM_SHOW_COMPARE | SIM_SHOW_SWEEP |                                     \
              SIM_SHOW_POINTS) /* accepted into the backlog */                                     \
        X(retried, COUNT, "retried",                                                               \
          SIM_SHOW_TABLE | SIM_SHOW_COMPARE |                                                      \
              SIM_SHOW_SWEEP) /* stage attempts beyond the first */                                \
        X(migrated, COUNT, "migrated",                                                             \
          SIM_SHOW_TABLE | SIM_SHOW_SWEEP) /* stages moved off a failed or removed device */

/* The latency summary of a run or a class (struct sim_latency), in ns;
 * sweep.csv names its columns latency_NAME_ns and latency_NAME_ci95. */
#define SIM_LATENCY_FIGURES(X)                                                                     \
        X(count, COUNT, "count", 0) /* callbacks, ok or not */                                     \
        X(mean, MEAN, "mean",                                                                      \
          SIM_SHOW_TABLE | SIM_SHOW_CI95 | SIM_SHOW_COMPARE | SIM_SHOW_SWEEP |                     \
              SIM_SHOW_SWEEP_CI95)                                                                 \
        X(p50, QUANTILE(0.50), "p50",                                                              \
          SIM_SHOW_TABLE | SIM_SHOW_CI95 | SIM_SHOW_COMPARE | SIM_SHOW_SWEEP | SIM_SHOW_POINTS)    \
        X(p90, QUANTILE(0.90), "p90", SIM_SHOW_TABLE | SIM_SHOW_CI95 | SIM_SHOW_SWEEP)             \
        X(p99, QUANTILE(0.99), "p99",                                                              \
          SIM_SHOW_TABLE | SIM_SHOW_CI95 | SIM_SHOW_COMPARE | SIM_SHOW_SWEEP |                     \
              SIM_SHOW_SWEEP_CI95 | SIM_SHOW_POINTS)                                               \
        X(p999, QUANTILE(0.999), "p99.9",                                                          \
          SIM_SHOW_TABLE | SIM_SHOW_CI95 | SIM_SHOW_COMPARE | SIM_SHOW_SWEEP | SIM_SHOW_POINTS)    \
        X(max, MAX, "max", SIM_SHOW_TABLE | SIM_SHOW_CI95 | SIM_SHOW_SWEEP)

/* The throughput of a run or a class: ok callbacks (and their payload
 * bytes) per second of the measured window, fields of struct sim_results
 * and struct sim_class_result and of summary.json's "throughput". One
 * more argument, unit: after the figure in the summary table. */
#define SIM_THROUGHPUT_FIGURES(X)                                                                  \
        X(requests_per_s, MEAN, "requests",                                                        \
          SIM_SHOW_TABLE | SIM_SHOW_CI95 | SIM_SHOW_SWEEP | SIM_SHOW_SWEEP_CI95, "req/s")          \
        X(bytes_per_s, MEAN, "bytes", SIM_SHOW_TABLE | SIM_SHOW_CI95 | SIM_SHOW_SWEEP, "B/s")

/* Per device (struct sim_device_result): the busy share and time
 * averages over the measured window (RATIO, TIME_AVG: with half-widths in
 * the device's "ci95") and counters from the end of the warm-up to the end
 * of the drain (COUNT). One more argument, width: the column's width in
 * the summary table (the device table is wider than the others). */
#define SIM_DEVICE_FIGURES(X)                                                                      \
        X(utilization, RATIO, "util%", SIM_SHOW_TABLE, 7)    /* busy lanes / lanes */              \
        X(completed, COUNT, "completed", SIM_SHOW_TABLE, 11) /* ok stage completions */            \
        X(errors, COUNT, "errors", SIM_SHOW_TABLE, 9)        /* error completions, refusals */     \
        X(failures, COUNT, "failures", SIM_SHOW_TABLE, 9) /* times the core declared it failed */  \
        X(timeouts, COUNT, "timeouts", SIM_SHOW_TABLE, 9) /* stages its watchdog caught */         \
        X(late, COUNT, "late", 0, 0)                 /* completions for stages already moved */    \
        X(migrated_out, COUNT, "migrated_out", 0, 0) /* stages moved off it */                     \
        X(dropped, COUNT, "dropped", 0, 0)           /* stages lost to fail-stop or removal */     \
        X(mean_queue, TIME_AVG, "queue", SIM_SHOW_TABLE, 9) /* stages in the core's queue */       \
        X(mean_in_flight, TIME_AVG, "in flight", SIM_SHOW_TABLE, 10) /* stages submitted to it */

/* The C type of a kind in struct sim_results: SIM_FIG_TYPE(kind). */
#define SIM_FIG_TYPE(kind)       SIM_FIG_TYPE_##kind
#define SIM_FIG_TYPE_COUNT       uint64_t
#define SIM_FIG_TYPE_MEAN        double
#define SIM_FIG_TYPE_TIME_AVG    double
#define SIM_FIG_TYPE_RATIO       double
#define SIM_FIG_TYPE_MAX         uint64_t
#define SIM_FIG_TYPE_QUANTILE(q) uint64_t
/* 1 when a kind is a real in summary.json whatever the replications. */
#define SIM_FIG_REAL(kind)       SIM_FIG_REAL_##kind
#define SIM_FIG_REAL_COUNT       0
#define SIM_FIG_REAL_MEAN        1
#define SIM_FIG_REAL_TIME_AVG    1
#define SIM_FIG_REAL_RATIO       1
#define SIM_FIG_REAL_MAX         0
#define SIM_FIG_REAL_QUANTILE(q) 0

#endif

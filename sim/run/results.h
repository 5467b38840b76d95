/*
 * sim/run/results.h - what one replication measured, as plain data in memory
 * (docs/results.md): the summary figures, per class and per device,
 * the time series, the fault timeline and the latency histograms. The
 * result writers (JSON, CSV) read this struct; nothing here formats text.
 *
 * Windows:
 *   measured requests  those submitted at or after warmup_ns (the warm-up
 *                      is excluded); they are followed to their callback,
 *                      through the drain, so every one is accounted for:
 *                      submitted = completed + failed + rejected.
 *   throughput         ok callbacks (and their payload bytes) between the
 *                      end of the warm-up and the end of arrivals,
 *                      divided by that window's length.
 *   time averages      device utilisation, queue, in-flight and the number
 *                      in system are time-weighted means over the same
 *                      window [warmup_ns, duration_ns].
 *   device counters    from the end of the warm-up to the end of the drain.
 *   time series        the whole run up to duration_ns, warm-up included
 *                      (rows carry their time).
 *
 * Latency is from ac_submit() to the final callback, in nanoseconds, with
 * quantiles read from a log-bucketed histogram: within HIST_REL_ERROR
 * (0.39%) of the exact nearest-rank quantile; count, mean and max exact.
 */
#ifndef SIM_RUN_RESULTS_H
#define SIM_RUN_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ac/engine.h"
#include "models/device.h"
#include "sim/des/hist.h"
#include "sim/run/figures.h"

/* The fields of both are listed in sim/run/figures.h. */
#define SIM_FIELD(name, kind, ...) SIM_FIG_TYPE(kind) name;
struct sim_counts {
        SIM_COUNT_FIGURES(SIM_FIELD)
};

struct sim_latency {
        SIM_LATENCY_FIGURES(SIM_FIELD) /* ns */
};

struct sim_class_result {
        char *name;
        struct sim_counts requests; /* measured requests of the class */
        struct sim_latency latency; /* of its measured callbacks */
        SIM_THROUGHPUT_FIGURES(SIM_FIELD)
        double mean_in_system; /* time-weighted requests outstanding */
        struct hist hist;      /* the latencies behind `latency` */
};

struct sim_device_result {
        char *name;
        uint32_t lanes;
        uint32_t ring;
        SIM_DEVICE_FIGURES(SIM_FIELD) /* sim/run/figures.h */
        uint64_t attach_ns;           /* hot-added at this time; 0: there from the start */
        uint64_t failed_ns;           /* time spent failed over the whole run (the core's) */
};

/* Fills dr's counts of the measured window from a device's core
 * statistics now and at the end of the warm-up: the same for a simulated
 * and a live device. */
void sim_device_result_counts(struct sim_device_result *dr, const struct ac_device_stats *now,
                              const struct ac_device_stats *at_warmup);

/* One interval of the time series: (t_ns - interval_ns, t_ns]. */
struct sim_series_row {
        uint64_t t_ns;         /* end of the interval */
        uint64_t arrivals;     /* ac_submit() calls */
        uint64_t completed;    /* ok callbacks */
        uint64_t failed;       /* error callbacks */
        uint64_t rejected;     /* refused at submit */
        uint64_t retried;      /* stage re-attempts (the core's counter) */
        double mean_in_system; /* time-weighted */
};

/* The latency of the callbacks (ok or not) of one interval, of one class
 * or of all: quantiles from the interval's own log-bucketed histogram,
 * within HIST_REL_ERROR (0.39%) of the exact nearest-rank value; count and
 * max exact. All 0 when the interval had no callback. */
struct sim_series_latency {
        uint64_t count;
        uint64_t p50_ns, p99_ns, p999_ns;
        uint64_t max_ns;
};

/* One device in one interval. */
struct sim_series_device {
        double utilization;
        double mean_queue;
        double mean_in_flight;
};

struct sim_series {
        uint64_t interval_ns;               /* may exceed the scenario's: see run.h */
        size_t nrows;                       /* rows filled */
        size_t ndevices;                    /* columns of `devices` */
        size_t nlatency;                    /* columns of `latency`: all, then each class */
        struct sim_series_row *rows;        /* nrows */
        struct sim_series_device *devices;  /* nrows * ndevices, row-major */
        struct sim_series_latency *latency; /* nrows * nlatency, row-major */
};

/* A state change of a device, as the core's observer told it
 * (ac/observer.h): every point but the stage points. */
struct sim_device_event {
        uint64_t t_ns;
        uint32_t device; /* index into devices */
        uint16_t point;  /* enum ac_device_point */
        uint16_t cause;  /* enum ac_fail_cause: FAILED only */
        int32_t status;  /* FAILED: the core's status code; else 0 */
};

/* One fault window on one device. */
struct sim_fault_result {
        size_t device;                     /* index into devices */
        struct device_fault_record record; /* start, end, mode, factor, probability, process */
        /* what the core made of it (sim/run/detect.c); UINT64_MAX: never */
        uint64_t detected_ns;  /* the device declared failed */
        uint64_t recovered_ns; /* back in service after it */
};

struct sim_results {
        char *scenario;            /* name */
        char *policy;              /* the balancer's name */
        uint64_t seed;             /* the scenario's seed */
        uint32_t replication;      /* index */
        uint64_t replication_seed; /* sim_rng_derive(seed, replication): reproduces the run */
        uint64_t duration_ns;      /* end of arrivals */
        uint64_t warmup_ns;
        uint64_t sim_time_ns; /* clock at the end of the drain */
        uint64_t events;      /* engine events fired */
        double wall_time_s;

        struct sim_counts requests; /* measured requests (see the top) */
        struct sim_counts all;      /* every request of the run, warm-up included */
        struct sim_latency latency;
        struct hist hist; /* the latencies behind `latency` */
        SIM_THROUGHPUT_FIGURES(SIM_FIELD)
        double arrivals_per_s;  /* submissions per second in the window */
        double mean_in_system;  /* time-weighted requests outstanding */
        uint64_t max_in_flight; /* most requests outstanding at once */

        bool drain_capped;     /* the drain hit its cap: see `unfinished` */
        uint64_t unfinished;   /* requests still outstanding when it did */
        uint64_t late;         /* the core's late completions */
        uint64_t timeouts;     /* the core's watchdog expiries */
        uint64_t order_hash;   /* hash of (request, status, latency) in callback order */
        uint64_t fingerprint;  /* the trajectory's hash (sim/run/fingerprint.c) */
        uint64_t arrival_hash; /* hash of (time, class, bytes, flow) in arrival order: the
                                  same for two policies on the same workload */

        struct sim_class_result *classes;
        size_t nclasses;
        struct sim_device_result *devices;
        size_t ndevices;
        struct sim_series series;
        struct sim_fault_result *faults;
        size_t nfaults;
        struct sim_device_event *device_events; /* in the order the core reported them */
        size_t ndevice_events, capdevice_events;

        FILE *trace;          /* run.trace: trace.csv rows (no header), a temporary file */
        uint64_t trace_rows;  /* rows in it */
        uint64_t trace_limit; /* requests with an id below it are traced */
        bool trace_truncated; /* more requests than the limit were submitted */
};
#undef SIM_FIELD

/* sim/run/detect.c: fills each fault window's detected_ns and recovered_ns
 * from the device events of res (a simulated or a live run's). */
void run_detect_faults(struct sim_results *res);

/* Fills a latency summary from a histogram. */
void sim_latency_from_hist(struct sim_latency *out, const struct hist *h);
/* Releases what r owns and zeroes it. */
void sim_results_free(struct sim_results *r);

#endif

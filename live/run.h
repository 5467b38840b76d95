/*
 * live/run.h - one replication of a scenario on the live platform: the
 * core on threads, each device of the scenario a live device doing real
 * crypto, the workload paced on the real clock, the faults injected at
 * their times (docs/live.md, "acsim live").
 *
 * What it measures fills the simulator's struct sim_results, with the same
 * windows (docs/results.md), so a live run's result directory is written,
 * read, plotted, reported and compared like a simulated one. What differs:
 * time is the machine's, so nothing is deterministic (the order and
 * arrival hashes are 0); `events` counts requests; a device's mean queue
 * and in-flight are sampled at the end of each time-series row rather than
 * integrated; overlapping faults on one device do not stack (the later one
 * holds until it ends).
 */
#ifndef LIVE_RUN_H
#define LIVE_RUN_H

#include <stdint.h>

#include "live/device.h"
#include "sim/des/hist.h"
#include "sim/run/outcome.h"
#include "sim/run/results.h"
#include "sim/run/scenario.h"

/* Told about once per time-series row. */
struct live_watch {
        void (*progress)(void *ctx, uint64_t now_ns, uint64_t end_ns, uint64_t completed);
        void *ctx;
};

/* Where a live request spends its time, in segments that add up to its
 * latency and then its callback (docs/live.md, "Where a live request spends
 * its time"); each stage of a chain adds to the same segments. */
enum live_segment {
        LIVE_SEG_TO_DRIVER, /* submitted (or its previous stage reported) -> the driver's submit */
        LIVE_SEG_TO_WORKER, /* the driver's submit -> a worker took it: the device queue, the
                               wake-up */
        LIVE_SEG_TO_TRANSFORM, /* the worker took it -> its transform began */
        LIVE_SEG_TRANSFORM,    /* the transform, OpenSSL's time */
        LIVE_SEG_TO_REPORT,    /* the transform ended -> the worker reports (the device's lock) */
        LIVE_SEG_TO_CORE,      /* the last report -> the core's completed_ns (the engine lock) */
        LIVE_SEG_TO_CALLBACK,  /* completed_ns -> the callback on the completion thread */
        LIVE_SEGMENTS
};

/* The segments' names as summary.json spells them (live.path_ns). */
extern const char *const live_segment_names[LIVE_SEGMENTS];

/* Each segment's distribution over the measured requests completed without
 * error (those submitted after the warm-up). */
struct live_path {
        struct hist seg[LIVE_SEGMENTS]; /* ns */
        struct hist woken; /* driver_to_worker of the stages that woke an idle lane's worker */
        struct hist late;  /* each measured arrival: its time in the workload -> ac_submit */
        /* what each device's lanes gave after the warm-up, summed over the
         * runs: one per scenario device in its order, named; NULL until the
         * first run (live_path_release frees it) */
        struct live_service *service;
        size_t ndevices;
        bool pinned; /* the lanes ran on CPUs of their own (live_run's pin) */
        /* with record_arrivals, every submission of the first run as the
         * simulator's trace replays it: when (ns from the run's start),
         * how many bytes, which class */
        bool record_arrivals;
        struct live_arrival *arrivals;
        size_t narrivals, caparrivals;
        bool arrivals_failed; /* out of memory for them */
};

struct live_arrival {
        uint64_t t_ns;
        uint64_t bytes;
        uint32_t cls;
};

struct live_service {
        char *name;
        struct live_ledger ledger;
};

/* Makes *path empty: no segment recorded, no service, no arrivals kept
 * (set record_arrivals after, to keep them). */
void live_path_init(struct live_path *path);

/* Frees path's service and arrivals (not path). */
void live_path_release(struct live_path *path);

/* The platform a live run ran on, for summary.json. */
struct live_facts {
        char cpu[128];    /* the processor's model name */
        unsigned cpus;    /* online CPUs */
        char openssl[64]; /* OpenSSL's version text */
};

/* Whether a live device can do operation `op` (for scenario_load_for). */
bool live_op_known(void *ctx, const char *op);

/* Fills *f from this machine. */
void live_facts_read(struct live_facts *f);

/* Runs replication `replication` of the prepared scenario s live into
 * *out (sim_results_free it), and adds where its requests spent their time
 * to *path (hist_init each segment once before the first run). watch and
 * path may be NULL. With pin, on a machine of two CPUs or more, every
 * device lane is pinned to a CPU of its own (round-robin over all but the
 * first CPU allowed) and every other thread of the run to the first
 * (docs/live.md, "Pinned lanes"). Returns SIM_OK;
 * SIM_BAD_INPUT when the core or a device refused the scenario (a
 * balancer's options, an operation without a live implementation);
 * SIM_FAILED when the machine could not run it (threads, memory). Both
 * with the reason in e and *out empty. */
enum sim_outcome live_run(const struct scenario *s, uint32_t replication,
                          const struct live_watch *watch, bool pin, struct live_path *path,
                          struct sim_results *out, struct sim_error *e);

#endif

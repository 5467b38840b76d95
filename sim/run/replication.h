/*
 * sim/run/replication.h - one replication, as the parts of sim/run/ that
 * build, run and measure it share it (private to sim/run/; the public
 * face is sim/run/run.h):
 *
 *   build.c    building a replication (loop, platform, core engine,
 *              devices, workload) and tearing it down
 *   request.c  the run's requests: the pool, emit (workload -> core) and
 *              the callback (core -> run); the hot path
 *   observe.c  the core's observer: the device tallies from its tracepoints
 *   trace.c    the per-request trace (run.trace)
 *   fingerprint.c  the hash of the trajectory: the observer of observe.c,
 *              with every point folded into the run's fingerprint
 *   run.c      sim_run(): the phases, the warm-up, the time series, the
 *              window, and the one check of the event loop's failure
 *   drain.c    the drain, the figures read at the end, conservation
 *   detect.c   what the core made of each fault window: when it was
 *              detected and when the device recovered
 *
 * Below: the time-weighted tallies, the run's own structs, and the
 * functions the parts call each other by (prefix run_).
 */
#ifndef SIM_RUN_REPLICATION_H
#define SIM_RUN_REPLICATION_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "ac/ac.h"
#include "models/device.h"
#include "models/workload.h"
#include "sim/des/loop.h"
#include "sim/run/platform.h"
#include "sim/run/outcome.h"
#include "sim/run/results.h"
#include "sim/run/run.h"
#include "sim/run/scenario.h"

/* ---- tallies ------------------------------------------------------------ */

/* A time-weighted count (requests in system, stages queued or in flight):
 * the integrals of struct gauge (sim/des/tally.h) kept with an integer product
 * and a double sum, which the hot path can afford several times per request
 * (the long double of a gauge cost 14% of the M/M/8 benchmark). The
 * relative error of a double sum of n pieces is below n * 2^-53. Unlike
 * tally_reset(), the reset at the end of the warm-up leaves the time
 * series' window alone. The period and the window start at the same
 * instants for every tally of a run (the end of the warm-up, the start of
 * the series' row), so the run keeps those two times (tallies_since,
 * row_start) and a tally only what changes.
 *
 * struct tally_sums is a tally without its count, which its owner keeps
 * (a device's, 32 bits as the core's, beside its other counts, so that a
 * stage's words of a struct run_device fit in one line); struct tally is
 * the count and its sums. */
struct tally_sums {
        uint64_t last;      /* time of the last change */
        double area;        /* integral over [since, last] */
        double window_area; /* integral over [window, last] */
};

struct tally {
        uint64_t value; /* current count */
        struct tally_sums sums;
};

/* Brings t, at count `value` since t->last, up to now. */
static inline void sums_advance(struct tally_sums *t, uint64_t value, uint64_t now)
{
        assert(now >= t->last && "a tally updated in the past");
        double piece = (double)(value * (now - t->last));
        t->area += piece;
        t->window_area += piece;
        t->last = now;
}

/* Starts the period at now (the run's tallies_since becomes now). */
static inline void sums_reset(struct tally_sums *t, uint64_t value, uint64_t now)
{
        sums_advance(t, value, now);
        t->area = 0;
}

/* Returns the mean over [since, now], since the start of the period (the
 * last reset, or 0). */
static inline double sums_mean(struct tally_sums *t, uint64_t value, uint64_t since, uint64_t now)
{
        sums_advance(t, value, now);
        return now > since ? t->area / (double)(now - since) : (double)value;
}

/* Returns the mean over [window, now], window the start of the window
 * (the last call, or 0), and starts the next window at now. */
static inline double sums_window_mean(struct tally_sums *t, uint64_t value, uint64_t window,
                                      uint64_t now)
{
        sums_advance(t, value, now);
        double mean = now > window ? t->window_area / (double)(now - window) : (double)value;
        t->window_area = 0;
        return mean;
}

static inline void tally_init(struct tally *t)
{
        *t = (struct tally){0};
}

static inline void tally_set(struct tally *t, uint64_t now, uint64_t value)
{
        sums_advance(&t->sums, t->value, now);
        t->value = value;
}

static inline void tally_reset(struct tally *t, uint64_t now)
{
        sums_reset(&t->sums, t->value, now);
}

static inline double tally_mean(struct tally *t, uint64_t since, uint64_t now)
{
        return sums_mean(&t->sums, t->value, since, now);
}

static inline double tally_window_mean(struct tally *t, uint64_t window, uint64_t now)
{
        return sums_window_mean(&t->sums, t->value, window, now);
}

/* ---- the run's structs --------------------------------------------------- */

/* A request as the run owns it: what the callback needs to account for
 * it, then the core's struct. A pooled request is a block of whole cache
 * lines (request.c): its chain first (sized for the longest, see
 * run_stages), then this struct, then with run.trace its hand-offs
 * (struct run_handoff). With a chain of one stage the stage and the
 * run's words share the block's first line and the core's struct starts
 * the second, so the core's reads of the chain cost no line of their own. */
struct run_request {
        struct run_request *next_free;
        uint64_t id;    /* emission order, for the order hash */
        uint64_t bytes; /* payload of each stage */
        uint32_t cls;
        uint32_t client;    /* closed loop: the client; WORKLOAD_OPEN otherwise */
        bool measured;      /* submitted after the warm-up */
        bool traced;        /* gets a row in the trace */
        bool overflow;      /* more hand-offs than the room for them */
        bool live;          /* accepted, callback not yet run (checked runs) */
        uint32_t stages_ok; /* stages completed ok so far (checked runs) */
        uint32_t nhanded;   /* hand-offs recorded */
        struct ac_request req;
};

/* One stage handed to one device (the trace's devices column). */
struct run_handoff {
        uint32_t device; /* index into run->devices */
        uint32_t stage;  /* index in the chain */
};

struct run_class {
        const struct workload_class_config *cfg;
        uint32_t *ops;      /* the chain as interned op ids */
        uint64_t flow_base; /* makes flow ids unique across classes */
        struct sim_counts all;
        struct tally in_system;
        uint64_t outstanding;
        uint64_t window_completed, window_bytes;
        /* the arrival hash's last word of a request (request.c) and its
         * mix64(), both 0 at first */
        uint64_t what_hashed, what_mixed;
};

/* A device of the run. The array is aligned to cache lines (build.c), and
 * what a stage touches is its first line: the observer's counts, the
 * counts its tallies were last cut to and the queue's sums (a stage
 * point nearly always cuts the queue's tally, the in-flight one only when
 * the device went idle or busy), then the driver's words at the head of
 * sd (the model and the op map, op ids below 8; with no fault points and
 * no checks the driver reads nothing else, and the model reports to the
 * core's device directly: platform.h). The rest is read at build, sample
 * and end, or when the in-flight count moved. */
struct run_device {
        _Alignas(64) uint64_t moved_ns; /* the last instant the counts moved: the tallies lack it */
        uint32_t stages_queued, stages_in_flight; /* the core's counts, from the tracepoints */
        uint32_t queue_cut, in_flight_cut;        /* the counts the tallies were last cut to */
        struct tally_sums queue;                  /* of stages_queued */
        struct sim_device sd;                     /* at 48: its op map starts at 56 */
        /* what the series' sample reads besides, in one line with the
         * in-flight sums */
        struct tally_sums in_flight; /* of stages_in_flight */
        double busy_at_sample;       /* busy lane ns at the last series row */
        bool attached;
        uint32_t lanes;           /* cfg.lanes, here for the sample */
        struct device_config cfg; /* the scenario's, renamed, with its faults */
        char *name;
        const struct scenario_device *sdev; /* the scenario's entry */
        struct replication *run;            /* for the attach event */
        struct sim_event attach_ev;         /* hot-add: registers it at sdev->attach_ns */
        struct ac_device_stats at_warmup;
        struct device_model_stats model_at_warmup;
        double utilization; /* over the window */
        double mean_queue, mean_in_flight;
};

/* One replication under way: what sim_run() builds, runs and tears down. */
struct replication {
        const struct scenario *s;
        struct sim_results *res;
        struct sim_loop *loop;
        struct sim_platform plat;
        bool plat_ready;
        struct ac_engine *core;
        struct workload *wl;
        gsl_rng **rngs; /* every workload stream, for freeing */
        size_t nrngs;

        struct run_device *devices;
        size_t ndevices;
        struct run_device **by_core; /* by the core's device index (registration order) */
        /* every device so far registered in index order (by_core[i] is
         * devices + i): the observer skips the lookup */
        bool by_index;
        struct run_device *attaching; /* the device being registered, for AC_DEVICE_ADDED */
        struct run_class *classes;
        size_t nclasses;

        /* the pool */
        struct run_request *free_list;
        void **chunks;
        size_t nchunks, capchunks;
        size_t stride;     /* bytes per pooled request: whole cache lines */
        size_t chain_room; /* bytes before each struct run_request: its chain */
        uint64_t pooled;   /* requests in the chunks */
        uint64_t max_held; /* run.memory / stride: most outstanding at once */
        bool held_full;    /* an arrival found max_held outstanding: the run stops */
        uint32_t nstages;  /* stages per pooled request */
        uint32_t handoffs; /* hand-offs room per pooled request (run.trace), else 0 */
        uint64_t seed;     /* the replication's */

        uint64_t warmup, duration;
        uint64_t next_id;
        uint64_t outstanding;
        bool draining;
        struct tally in_system;
        uint64_t window_completed, window_bytes, window_arrivals;
        uint64_t hash;         /* callbacks */
        uint64_t arrival_hash; /* arrivals */
        uint64_t fingerprint;  /* the trajectory so far (fingerprint.c) */

        struct sim_event warmup_ev, sample_ev;
        uint64_t tallies_since;    /* start of every tally's period: the end of the warm-up */
        struct sim_series_row row; /* the row being counted */
        struct hist *row_hist;     /* its latencies: all, then each class (nclasses + 1) */
        uint64_t row_start;        /* start of the row being counted: every tally's window */
        uint64_t retried_at_sample;

        const struct sim_run_checks *checks; /* NULL: an unchecked run (check.c) */
        struct run_check *check;             /* check.c's state */
        /* no checks, no trace, one class: request.c's callback and emit
         * skip what only those need (set by run_build) */
        bool plain;
};

static_assert(offsetof(struct run_device, sd) == 48 &&
                  offsetof(struct run_device, sd.model) + sizeof(struct device_model *) ==
                      offsetof(struct run_device, sd.op_index) &&
                  offsetof(struct run_device, sd.op_index) + 8 == 64,
              "a stage's words of a run device, op ids below 8, in its first line");
static_assert(offsetof(struct run_device, in_flight) / 64 ==
                  (offsetof(struct run_device, lanes) + sizeof(uint32_t) - 1) / 64,
              "the in-flight sums and the sample's other words of a run device in one line");

/* ---- between the parts ---------------------------------------------------- */

/* build.c: builds the loop, the platform, the core engine (with the
 * observer), the devices and the workload of run (s, res and seed set).
 * Returns 0, or a negative AC_E* code with the reason in err;
 * run_teardown() cleans up either way. */
int run_build(struct replication *run, struct sim_error *err);
/* build.c: frees everything run_build() made, as far as it got. */
void run_teardown(struct replication *run);
/* build.c: returns a malloc'd copy of s, or NULL. */
char *run_copy_text(const char *s);

/* request.c: the workload's emit (a request to the core). */
extern const struct workload_ops run_workload_ops;

/* observe.c: the core's observer (ac/observer.h), ctx the replication. */
extern const struct ac_observer_ops run_observer_ops;
/* observe.c: brings d's tallies up to its counts, before they are read
 * (see run_observe_stage). */
void run_settle_device(struct run_device *d);

/* fingerprint.c: the observer the core is given: observe.c's (in
 * run_fingerprint_ops) or check.c's (in run_fingerprint_checked_ops), then
 * each point folded into run->fingerprint (ctx the replication). */
extern const struct ac_observer_ops run_fingerprint_ops;
extern const struct ac_observer_ops run_fingerprint_checked_ops;
/* fingerprint.c: returns the run's fingerprint, at the end of its drain. */
uint64_t run_fingerprint_finish(const struct replication *run);

/* trace.c: stage `stage` of the traced request r was handed to d. */
void run_trace_handed(struct replication *run, struct run_request *r, struct run_device *d,
                      uint32_t stage);
/* trace.c: writes r's row of the trace: status is the callback's, or the
 * code ac_submit() rejected it with when `rejected`; done_ns the time of
 * the callback. */
void run_trace_row(struct replication *run, struct run_request *r, int status, bool rejected,
                   uint64_t done_ns);

/* Returns r's chain: the room before it in its block (struct run_request). */
static inline struct ac_stage *run_stages(const struct replication *run, struct run_request *r)
{
        return (struct ac_stage *)(void *)((char *)r - run->chain_room);
}

/* Cuts d's tallies at d->moved_ns, to the counts they have now. */
static inline void run_cut_device(struct run_device *d)
{
        if (d->stages_queued != d->queue_cut) {
                sums_advance(&d->queue, d->queue_cut, d->moved_ns);
                d->queue_cut = d->stages_queued;
        }
        if (d->stages_in_flight != d->in_flight_cut) {
                sums_advance(&d->in_flight, d->in_flight_cut, d->moved_ns);
                d->in_flight_cut = d->stages_in_flight;
        }
}

/* observe.c's stage hook, inline for the fingerprint's (fingerprint.c),
 * which every tracepoint of an unchecked run goes through: follows d's
 * queued and in-flight counts as the core moves them. The tallies follow
 * one instant behind: the first point of a later instant first cuts them
 * at the instant before, to the counts it left (run_cut_device), and a
 * read settles them first (run_settle_device). So a tally is cut once per
 * instant its count moved in, to the count the instant ended with, and a
 * stage queued and dispatched at one instant leaves the queue's tally
 * alone. Runs inside the core, which it must not call. */
static inline void run_observe_stage(struct replication *run, const struct ac_stage_event *ev)
{
        struct run_device *d = run->by_index ? run->devices + ev->device : run->by_core[ev->device];
        if (ev->now_ns != d->moved_ns) {
                run_cut_device(d);
                d->moved_ns = ev->now_ns;
        }
        /* tests, not a switch: a request's points come in this order, and
         * a table jump costs more than the first two compares */
        if (ev->point == AC_STAGE_QUEUED) {
                d->stages_queued++;
        } else if (ev->point == AC_STAGE_DISPATCHED) {
                d->stages_queued--;
                d->stages_in_flight++;
                if (run->handoffs) {
                        struct run_request *r = sim_container_of(ev->req, struct run_request, req);
                        if (r->traced)
                                run_trace_handed(run, r, d, ev->stage);
                }
        } else if (ev->point == AC_STAGE_COMPLETED || ev->point == AC_STAGE_TIMED_OUT ||
                   ev->point == AC_STAGE_RECALLED) {
                d->stages_in_flight--;
        } else if (ev->point == AC_STAGE_MOVED) {
                d->stages_queued--;
        }
}

/* check.c: a checked run (run->checks set). run_check_start() makes its
 * state (0 or AC_ENOMEM); run_check_stop() frees it. The observer wraps
 * run_observer_ops; run_check_after() runs the checks of an entry point's
 * end (the platform's `after`, set in checked runs only); run_check_done() checks a callback. */
int run_check_start(struct replication *run);
void run_check_stop(struct replication *run);
extern const struct ac_observer_ops run_check_observer_ops;
void run_check_after(void *ctx);
void run_check_done(struct replication *run, struct run_request *r, int status);

/* drain.c: stops arrivals and runs until every request has had its
 * callback, or the drain cap; notes a capped drain in the results. */
void run_drain(struct replication *run);
/* drain.c: fills run->res from the run's counts and the core's. */
int run_fill_results(struct replication *run); /* 0, or AC_ENOMEM */
/* drain.c: asserts that every request is accounted for, and that the core
 * agrees and is idle (after a drain that was not capped). */
void run_check_conservation(const struct replication *run);

#endif

/*
 * sim/run/run.h - one replication of a scenario: build, run, drain, measure.
 *
 * sim_run() builds a fresh event engine, the simulated platform, the core
 * engine with the scenario's engine settings, one device model per
 * expanded device and the workload; runs arrivals until run.duration_ns;
 * stops them; lets the requests still outstanding drain; and fills a
 * struct sim_results (sim/run/results.h). Everything is torn down before it
 * returns.
 *
 * Determinism: the replication's seed is sim_rng_derive(scenario seed,
 * replication), and every random source draws from its own stream under
 * it, named
 *   balancer                     the platform's random_u64 (power-of-d, ...)
 *   device/<name>/service        service times and jitter
 *   device/<name>/failure/<i>    failure process i (times to failure/repair, flaky draws)
 *   device/<name>/faults         scheduled flaky faults' draws
 *   workload/<class>/arrivals    gaps, on/off phases, think times
 *   workload/<class>/sizes       request sizes
 *   workload/<class>/flows       flow ids
 * so the same (scenario, replication, build) gives bit-identical results,
 * and a change of policy or of the devices leaves the workload's draws --
 * the request sequence -- unchanged.
 *
 * Drain: after duration_ns no request arrives; the run goes on until every
 * outstanding request has had its callback (the core's failover timeouts
 * bound that), but at most run.drain_cap_ns (default: the larger of 1 s
 * and 4 * (retries + 1) * (timeout + probe) of the failover settings).
 * When the cap is hit the results say so (drain_capped, unfinished) and
 * the requests left are abandoned; otherwise the run asserts conservation
 * (submitted = completed + failed + rejected, overall and per class) and
 * that the core is idle.
 *
 * Hot-add: a device with attach_ns > 0 (devices[].attach) does not exist
 * before that time: an event then creates its model and registers it with
 * the core, which may hand it queued stages at once. Its results count
 * from then (utilisation and time averages over the whole window, so a
 * device there for half of it is at most half busy).
 *
 * Trace (run.trace): the requests with an id (emission order) below
 * run.trace_limit get one row each in out->trace, a temporary file,
 * written when the request ends (callback or rejection), so in that
 * order: see docs/results.md for the columns. The devices column comes
 * from the core's observer (its AC_STAGE_DISPATCHED points): every device
 * each stage was handed to, in order; the core accepts a completion only for the stage's last
 * hand-off, so for an ok request the last device of each stage is the one
 * that completed it. Without run.trace nothing of this runs.
 *
 * Device tallies (mean queue, mean in flight, their time series) follow
 * the core's observer (ac/observer.h): after each core entry point only
 * the devices its tracepoints named are looked at.
 *
 * Memory: requests come from a free-list pool that grows in chunks to the
 * most ever outstanding (the queues link them: a queue bound is a bound,
 * not an allocation), up to run.memory: an arrival beyond it stops the
 * run with AC_ERANGE and no results; histograms are fixed-size; the time
 * series has at most SIM_SERIES_MAX_ROWS rows (the interval is widened to
 * fit).
 */
#ifndef SIM_RUN_RUN_H
#define SIM_RUN_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/run/outcome.h"
#include "sim/run/results.h"
#include "sim/run/scenario.h"
#include "sim/run/series.h"

/* Runs replication `replication` of the prepared scenario s. Returns 0 and
 * fills *out (release it with sim_results_free), or a negative AC_E* code
 * with a one-line reason in err; *out is then empty. AC_ENOMEM
 * includes an event set that could not grow during the run. */
int sim_run(const struct scenario *s, uint32_t replication, struct sim_results *out,
            struct sim_error *err);

/* Watches a run from outside, e.g. for a progress line. Called between
 * stretches of the arrival phase (every 1/SIM_RUN_WATCH_STEPS of the
 * duration, and at its end) with the clock, the end of arrivals and the
 * events fired so far. Slicing the run this way fires the same events in
 * the same order: the results do not depend on it. */
struct sim_run_watch {
        void (*progress)(void *ctx, uint64_t now_ns, uint64_t end_ns, uint64_t events);
        void *ctx;
};

#define SIM_RUN_WATCH_STEPS 256

/* sim_run() with a watch (may be NULL). Returns as sim_run() does. */
int sim_run_watched(const struct scenario *s, uint32_t replication,
                    const struct sim_run_watch *watch, struct sim_results *out,
                    struct sim_error *err);

/* A replication run in stretches that threads may take in turn (the
 * pool of acsim run -j, sim/run/replicate.c). sim_run_begin() builds it;
 * each sim_run_step() runs the next 1/SIM_RUN_WATCH_STEPS of its arrival
 * phase; sim_run_end() runs what is left, drains it, fills the results
 * and frees it. The stretches fire the same events in the same order as
 * sim_run(), so the results are the same bytes however the steps are
 * spread over threads and time. One thread at a time may hold a part,
 * and passing it on must order memory (a mutex does). wall_time_s is
 * then the time spent in these calls, not the time between them. */
struct sim_run_part;

/* Builds replication `replication` of s, to be filled into *out. Returns
 * 0 and sets *part, or returns as sim_run() does (*part NULL). */
int sim_run_begin(const struct scenario *s, uint32_t replication, struct sim_results *out,
                  struct sim_error *err, struct sim_run_part **part);
/* Runs the next stretch and sets the clock, the end of arrivals and the
 * events fired so far, as a watch is told. Returns true while arrivals
 * remain, false once they are over. */
bool sim_run_step(struct sim_run_part *part, uint64_t *now_ns, uint64_t *end_ns, uint64_t *events);
/* Returns the number of sim_run_step() calls on part so far. */
uint32_t sim_run_steps(const struct sim_run_part *part);
/* Finishes part and frees it. Returns as sim_run() does. */
int sim_run_end(struct sim_run_part *part, struct sim_error *err);
/* Frees an unfinished part (may be NULL) and empties its results. */
void sim_run_drop(struct sim_run_part *part);

/* A run checked from inside, for acsim swarm (sim/swarm/): invariants
 * after every core entry point and at every callback (sim/run/check.c),
 * and the platform's fault points. Never used by acsim run: a checked run
 * draws nothing from the scenario's streams that an unchecked one does not,
 * unless buggify is set. */
struct sim_run_checks {
        bool core;        /* ac_engine_check() after every core entry point */
        bool flow_order;  /* each flow's callbacks in submission order */
        uint64_t buggify; /* nonzero: the platform's fault points, drawn from a
                             stream of this seed (sim/run/platform.h) */
        /* Told the first broken invariant, "NAME: detail"; must not return
         * (the run cannot go on past it). */
        void (*broken)(void *ctx, const char *what);
        void *ctx;
};

/* sim_run() with checks (may be NULL). Returns as sim_run() does. */
int sim_run_checked(const struct scenario *s, uint32_t replication,
                    const struct sim_run_checks *checks, struct sim_results *out,
                    struct sim_error *err);

/* Returns the drain cap sim_run() uses for s. */
uint64_t sim_run_drain_cap(const struct scenario *s);

#endif

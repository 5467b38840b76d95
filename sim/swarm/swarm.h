/*
 * sim/swarm/swarm.h - swarm testing of whole scenarios (docs/swarm.md):
 * random valid scenarios from a seed, run short and checked, and a failure
 * shrunk to a small scenario that fails the same way.
 *
 *   plan.c    a seed -> struct swarm_plan: each seed first switches whole
 *             features on or off (priorities, aging, affinity, flow order,
 *             long chains, fallback devices, hot add and remove, failure
 *             processes, scheduled faults, the fault points, tiny rings and
 *             queues), then draws their parameters; a plan -> YAML text
 *   trial.c   one plan loaded with the real loader and run twice, checked
 *             (sim_run_checked), in a child process, so that an assertion
 *             or a sanitizer report is a verdict like any other
 *   shrink.c  greedy reduction of a failing plan, keeping each smaller
 *             candidate that fails with the same signature
 *
 * A plan is plain data and small; render() turns it into the scenario file
 * that `acsim swarm --file` (checked) and `acsim run` (unchecked) replay.
 */
#ifndef SIM_SWARM_SWARM_H
#define SIM_SWARM_SWARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SWARM_OPS     4 /* the operations plans use (plan.c) */
#define SWARM_DEVICES 6
#define SWARM_CLASSES 4
#define SWARM_FAULTS  6
#define SWARM_STAGES  8

enum swarm_cost { SWARM_COST_LINEAR, SWARM_COST_JITTER, SWARM_COST_SERVICE };
enum swarm_arrival { SWARM_POISSON, SWARM_CONSTANT, SWARM_ON_OFF, SWARM_CLOSED };
enum swarm_size { SWARM_SIZE_CONSTANT, SWARM_SIZE_UNIFORM, SWARM_SIZE_IMIX, SWARM_SIZE_PARETO };
/* Failure and fault modes; SWARM_NONE: none. REMOVE is a fault only. */
enum swarm_mode { SWARM_NONE, SWARM_FAIL_STOP, SWARM_HANG, SWARM_SLOW, SWARM_FLAKY, SWARM_REMOVE };

struct swarm_device {
        uint32_t count, lanes, ring, weight;
        bool fallback;
        uint32_t ops;            /* bit i: does operation i */
        enum swarm_cost cost;    /* how its service time is drawn */
        uint64_t setup_ns;       /* per stage */
        uint32_t rate_mb;        /* MB/s */
        uint64_t attach_us;      /* hot-add; 0: from the start */
        enum swarm_mode failure; /* a random failure process, or NONE */
        uint64_t mtbf_us, mttr_us;
};

struct swarm_class {
        enum swarm_arrival arrival;
        uint32_t rate_k; /* k/s; on-off: while on */
        uint32_t clients;
        enum swarm_size size;
        uint32_t bytes; /* constant size, or uniform's max */
        uint32_t chain[SWARM_STAGES];
        uint32_t nchain;
        uint32_t priority;
        uint32_t flows;
        bool round_robin; /* flow_pick */
};

struct swarm_fault {
        uint32_t device;   /* index into devices */
        uint32_t instance; /* which of its count */
        enum swarm_mode mode;
        uint64_t at_us, for_us; /* for 0: for good */
};

struct swarm_plan {
        uint64_t seed;
        uint64_t duration_us;
        uint32_t policy; /* index into the balancer registry */
        uint32_t queue_depth, backlog, levels;
        uint64_t aging_us;
        uint64_t timeout_us, probe_us, drain_us;
        uint32_t retries, errors_to_fail;
        bool affinity, flow_order;
        uint64_t buggify; /* the platform's fault points' seed; 0: off */
        struct swarm_device devices[SWARM_DEVICES];
        size_t ndevices;
        struct swarm_class classes[SWARM_CLASSES];
        size_t nclasses;
        struct swarm_fault faults[SWARM_FAULTS];
        size_t nfaults;
};

/* Fills *p from seed. Always a valid scenario once rendered. */
void swarm_plan_generate(uint64_t seed, struct swarm_plan *p);
/* Returns the plan as a scenario file (malloc'd, NUL-terminated), with a
 * comment that says how to replay it, or NULL when out of memory. */
char *swarm_plan_render(const struct swarm_plan *p, const char *replay);

/* What one trial found. */
struct swarm_verdict {
        bool failed;
        char signature[256]; /* what failed, without the details that vary:
                                "chain", an assertion, a sanitizer's error, ... */
        char detail[1024];   /* the first lines of what it said */
};

/* Checks the scenario text (named path in messages) in this process: load,
 * two checked runs, their figures compared. Returns 0 when all holds, -1
 * out of memory; on a failure prints "swarm: broken: WHAT" and ends the
 * process with status 3 (or an assertion or a sanitizer ends it). */
int swarm_check_text(const char *path, const char *text, uint64_t buggify);
/* The same for a plan. */
int swarm_check(const struct swarm_plan *p);

/* Runs the scenario text (named path in messages) checked, twice, in a
 * child process that gets timeout_s seconds; buggify as in the plan.
 * Returns 0 with *v filled, or -1 when no child could be made. */
int swarm_trial_text(const char *path, const char *text, uint64_t buggify, unsigned timeout_s,
                     struct swarm_verdict *v);
/* The same for a plan. */
int swarm_trial(const struct swarm_plan *p, unsigned timeout_s, struct swarm_verdict *v);

/* Shrinks the failing plan *p in place to one that fails with the same
 * signature; `steps` gets the candidates tried. Returns the number of
 * reductions kept. */
size_t swarm_shrink(struct swarm_plan *p, const struct swarm_verdict *failed, unsigned timeout_s,
                    size_t *steps);

/* A trial for swarm_shrink_with(): fills *v for p; returns 0, or -1 when
 * it could not run. */
typedef int (*swarm_trial_fn)(void *ctx, const struct swarm_plan *p, struct swarm_verdict *v);
/* swarm_shrink() with another trial (a test's predicate). */
size_t swarm_shrink_with(struct swarm_plan *p, const struct swarm_verdict *failed,
                         swarm_trial_fn trial, void *ctx, size_t *steps);

#endif

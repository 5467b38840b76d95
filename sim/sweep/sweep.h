/*
 * sim/sweep/sweep.h - the points of a scenario's sweep as independent jobs: the
 * plan (every point loaded and checked, its directory name and label),
 * running chosen points in forked worker processes, and the sweep
 * directory they write into (docs/results.md, "Sweeps").
 *
 * The plan reads the scenario file once; every point parses those bytes,
 * so an edit while the sweep runs changes nothing (and each point's
 * scenario.yaml is that copy too).
 *
 * A point is a deterministic job: it loads the scenario with the --set
 * assignments and its own value of every sweep key, runs replications
 * 0 .. n-1 with the seeds sim_rng_derive(seed, i), and writes its result
 * directory OUT/<dir> as `acsim run` would. Nothing depends on which
 * other points run, in which order or on which machine, so the same point
 * run anywhere gives the same files (wall_time_s aside), and every policy
 * at a point sees the same requests.
 *
 * Point directories are named "p" + the index, zero-padded to at least
 * three digits (more when the sweep has 1000 points or more), "-", and a
 * short label: each key by its last path component (more components when
 * two keys would read the same), "=", its value, keys joined by ','; a
 * value's trailing "/s" is dropped and any character but letters, digits
 * and "._+-" becomes '_'. E.g. p003-policy=least-loaded,rate=1200k.
 */
#ifndef SIM_SWEEP_SWEEP_H
#define SIM_SWEEP_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/load/diag.h"
#include "sim/run/outcome.h"
#include "sim/run/replicate.h"
#include "sim/run/scenario.h"

/* The files a sweep directory holds besides its point directories. */
#define SWEEP_MANIFEST   "sweep.json"
#define SWEEP_CSV        "sweep.csv"
#define SWEEP_COMPARISON "comparison.txt"
#define SWEEP_SCENARIO   "scenario.yaml" /* the file's bytes as the plan read them */
#define SWEEP_CLUSTER    "cluster"       /* job lists and their logs (sim/sweep/emit.h) */

#define SWEEP_POLICY_KEY "engine.policy" /* the key a paired comparison pairs over */
#define SWEEP_NO_KEY     ((size_t)-1)

/* What one point is, known before it runs. */
struct sweep_point {
        char *dir;             /* "p003-policy=least-loaded,rate=1200k" */
        char *label;           /* "policy=least-loaded,rate=1200k/s": short keys, raw values */
        char *policy;          /* the balancer it runs */
        uint32_t replications; /* run.replications at this point */
        uint64_t duration_ns;  /* run.duration at this point */
        uint64_t warmup_ns;    /* run.warmup at this point */
        uint64_t seed;         /* the scenario seed it runs (after --seed) */
        uint64_t key;          /* what its result is a function of (sim/sweep/key.h) */
        uint64_t own_key;      /* the key before a precise plan's baseline is mixed in */
        uint32_t cap;          /* run.precision's cap; = replications without one */
};

struct sweep_plan {
        const char *path;        /* the scenario file */
        const char *const *sets; /* --set KEY=VALUE, applied to every point */
        size_t nsets;
        bool has_seed; /* --seed given: it replaces `seed:` at every point */
        uint64_t seed;
        struct scenario base;       /* the scenario with the sets, without a point's values */
        size_t npoints;             /* the product of the lists' lengths, 1 without a sweep */
        struct sweep_point *points; /* npoints */
        size_t policy_key;          /* the index of engine.policy among the keys, or SWEEP_NO_KEY */
        bool precise;               /* run.precision: points run by groups (sim/sweep/rounds.h) */
        size_t baseline;            /* the engine.policy value paired against (0 without) */
};

/* Loads the scenario with the sets, then every point, and names them.
 * Every point is checked here, so a combination of values that does not
 * fit is found before anything runs. Returns 0, or -1 with the located
 * errors in dg (or a message there when out of memory); *p is then freed. */
int sweep_plan_load(struct sweep_plan *p, const char *path, const char *const *sets, size_t nsets,
                    bool has_seed, uint64_t seed, struct diag *dg);

/* Makes value `baseline` of the engine.policy list the one a precise
 * plan's points are paired against while they run (the first until
 * this is called): it is part of their keys, since their numbers of
 * replications depend on it. Ignored without an engine.policy sweep. */
void sweep_plan_baseline(struct sweep_plan *p, size_t baseline);

/* A group: the points that differ only in engine.policy (one point when
 * the sweep does not vary it), paired against the baseline among them.
 * Returns how many points a group has. */
size_t sweep_group_size(const struct sweep_plan *p);

/* Returns member m (the m-th engine.policy value) of point's group. */
size_t sweep_group_member(const struct sweep_plan *p, size_t point, size_t m);

/* Releases what the plan owns. */
void sweep_plan_free(struct sweep_plan *p);

/* Returns the index of value `value` in the list of sweep key `key`, or
 * SWEEP_NO_KEY: a value as written, or a mapping by its short form
 * (scenario_sweep_short: a policy variant by its name). */
size_t sweep_value_index(const struct sweep_plan *p, size_t key, const char *value);

/* Returns the index into key `key`'s list at point `point`. */
size_t sweep_point_value(const struct sweep_plan *p, size_t point, size_t key);

/* Returns the point that has the values of `point` except value index
 * `value` for key `key`. */
size_t sweep_point_with(const struct sweep_plan *p, size_t point, size_t key, size_t value);

/* Parses a point list, "3,5-7", marking chosen[0 .. npoints-1]. Returns
 * 0, or -1 with the reason in e. */
int sweep_parse_points(const char *text, size_t npoints, bool *chosen, struct sim_error *e);

/* Checks, creating nothing, that out can hold a sweep: it does not exist,
 * or it is a directory holding nothing but sweep files, point directories
 * and the hidden temporaries they are written through. Returns 0, or -1
 * with the reason in e. */
int sweep_dir_check(const char *out, struct sim_error *e);

/* Loads point `point`'s scenario as its run sees it (the sets, the
 * point's values, --seed) into *sc (scenario_free it). Returns 0, or -1
 * with the located errors in dg. */
int sweep_point_scenario(const struct sweep_plan *p, size_t point, struct diag *dg,
                         struct scenario *sc);

/* What the caller hears while points run; any member may be NULL. */
struct sweep_hooks {
        /* A point finished with outcome o: in the sweep's own process. */
        void (*done)(void *ctx, size_t point, enum sim_outcome o, size_t finished, size_t total);
        /* A reason for a failure, one line (the point's directory first when
         * it is a point's): in the process that found it, a point's worker
         * or the sweep's own. */
        void (*failed)(void *ctx, const struct sim_error *e);
        /* A point's scenario did not load: the located errors, in its worker. */
        void (*unloaded)(void *ctx, const struct diag *dg);
        void *ctx;
};

/* Runs point `point` in this process and writes OUT/<dir>, telling hooks
 * (may be NULL) every reason for a failure. Returns SIM_OK; SIM_FAILED
 * when the run found a failure (the directory is written; see
 * replications_verdict()) or stopped on an internal error; SIM_BAD_INPUT
 * on bad input or when the directory could not be written. */
enum sim_outcome sweep_run_point(const struct sweep_plan *p, const char *out, size_t point,
                                 const struct sweep_hooks *hooks);

/* Writes point `point`'s result directory from its runs r (sc its
 * scenario): fills r's origin, judges r (replications_verdict()), writes
 * OUT/<dir>, then records its key with r->n replications, telling hooks
 * every reason for a failure. Returns as sweep_run_point() does; r and
 * sc stay the caller's. */
enum sim_outcome sweep_point_finish(const struct sweep_plan *p, const char *out, size_t point,
                                    const struct scenario *sc, struct replications *r,
                                    const struct sweep_hooks *hooks);

/* Runs every chosen point (all when chosen is NULL), each in a child
 * process, at most `jobs` at a time, and waits for them. With reuse, a
 * point whose directory is there with the plan's key recorded
 * (sweep_key_fresh()) is not run again, and *reused (may be NULL) says
 * how many were not. A child carries its point's outcome in its exit
 * status; it writes its point's directory, then its key. hooks may be
 * NULL. SIGINT, SIGTERM or SIGHUP stops the run: every worker is sent
 * SIGTERM and reaped, what they left half-written is removed, and
 * sweep_interrupted() names the signal. Returns the worst outcome
 * (sim_outcome_worse); a child that died, a fork or wait that failed, or
 * an interruption is SIM_FAILED. A precise plan runs a child per group
 * instead (sweep_run_group(), sim/sweep/rounds.h), on jobs / groups
 * threads: a group is reused when all its points are, and a chosen point
 * runs its whole group. */
enum sim_outcome sweep_run(const struct sweep_plan *p, const char *out, const bool *chosen,
                           unsigned jobs, bool reuse, size_t *reused,
                           const struct sweep_hooks *hooks);

/* Returns the signal that stopped the last sweep_run(), or 0. */
int sweep_interrupted(void);

/* Removes the hidden temporaries of interrupted writes (sim/results/in_place.h)
 * from out and out/keys: those of the chosen points' directories and keys,
 * or every one when chosen is NULL. */
void sweep_dir_tidy(const struct sweep_plan *p, const char *out, const bool *chosen);

#endif

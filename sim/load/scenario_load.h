/*
 * sim/load/scenario_load.h - a scenario file (the reference is
 * docs/scenarios.md) read into a struct scenario, with --set overrides and
 * the points of its sweep. Its bounds are in sim/load/limits.h.
 *
 * Every key is read through the doc tree's typed getters (sim/load/doc.h),
 * so anything the loader does not understand -- an unknown key, a wrong
 * type, a value out of range, a unit that does not fit, an operation no
 * device declares, a fault on a device that does not exist -- is an error
 * located at the value it is about:
 *
 *   FILE:LINE:COL: error: KEY.PATH: expected ..., got ...
 *
 * (or "--set KEY=VALUE: error: ..." for a value given on the command line),
 * and nothing of the scenario is kept. A command prints the diag and exits
 * with diag_exit_status(), 2.
 *
 * Sweeps: `sweep:` maps key paths (the same paths as --set) to lists of
 * values; the points are the cross product, numbered 0 .. n-1 with the first
 * key varying slowest (nested loops in the file's order). Loading a point
 * applies, after the --set assignments, one value of every key, taken from
 * the file with its own place, so an error in a point names the line of the
 * value that caused it. scenario_load() already applies every value of
 * every key once (each alone on the base scenario) and refuses the file if
 * one does not fit; a combination of values can still be refused by
 * scenario_load_point() (warmup from one list, duration from another).
 */
#ifndef SIM_LOAD_SCENARIO_LOAD_H
#define SIM_LOAD_SCENARIO_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/load/diag.h"
#include "sim/load/limits.h"
#include "sim/run/scenario.h"

/* Loads path (reading its bytes once, kept in out->source), applies the
 * --set assignments ("KEY=VALUE") in order, reads
 * every key into *out (scenario_init'ed here), checks that no key is
 * unknown, checks every sweep value, and runs scenario_prepare(). Returns 0,
 * or -1 with the located errors in diag and *out freed. */
int scenario_load(const char *path, const char *const *sets, size_t nsets, struct diag *diag,
                  struct scenario *out);

/* What a platform can do, for scenario_load_for(): a device operation it
 * does not know is an error located at the operation's key,
 * "KEY.PATH: expected <expected>, got 'NAME'". */
struct scenario_vocabulary {
        bool (*op_known)(void *ctx, const char *op);
        void *ctx;
        const char *expected; /* e.g. "an operation with a live implementation" */
};

/* scenario_load() for a platform that knows only some operations (the
 * live one): vocab may be NULL (every name is known). */
int scenario_load_for(const char *path, const char *const *sets, size_t nsets,
                      const struct scenario_vocabulary *vocab, struct diag *diag,
                      struct scenario *out);

/* The same from len bytes in memory that a file called path would hold
 * (path names them in errors; a relative trace file is found beside it).
 * scenario_load() is reading the file, then this. Returns 0, or -1 with
 * the located errors in diag and *out freed. */
int scenario_load_text(const char *path, const char *text, size_t len, const char *const *sets,
                       size_t nsets, struct diag *diag, struct scenario *out);

/* The same for sweep point `point` (0 <= point < scenario_sweep_points()):
 * the --set assignments, then the point's value of every sweep key. The
 * scenario keeps its whole `sweep` lists, for labels. Returns 0, or -1 with
 * the errors in diag and *out freed. */
int scenario_load_point(const char *path, const char *const *sets, size_t nsets, size_t point,
                        struct diag *diag, struct scenario *out);

/* The same from the bytes a scenario_load() of path kept in
 * loaded->source, without reading the file again: a sweep's points parse
 * the very bytes its plan read. Returns 0, or -1 with the errors in diag
 * and *out freed. */
int scenario_load_point_from(const struct scenario *loaded, const char *path,
                             const char *const *sets, size_t nsets, size_t point, struct diag *diag,
                             struct scenario *out);

/* Returns the number of points of s's sweep: the product of its lists'
 * lengths, 1 without a sweep. */
size_t scenario_sweep_points(const struct scenario *s);
/* Returns the text of sweep key `key`'s value at `point` (as written in the
 * file, in flow YAML), or NULL when either is out of range. */
const char *scenario_sweep_value(const struct scenario *s, size_t point, size_t key);
/* Writes the point's assignments, "engine.policy=round-robin
 * workload.ipsec.arrival.rate=100k/s" (one space between), into buf
 * (truncated to cap); "" without a sweep. Returns the length it needs, as
 * snprintf. */
int scenario_sweep_label(const struct scenario *s, size_t point, char *buf, size_t cap);
/* Writes a short, readable form of sweep key `key`'s value at `point`
 * into buf (truncated to cap), for labels and legends: a scalar as
 * written; a mapping by its `name:` when it has one (a policy variant),
 * else the values of the entries in which the key's values differ,
 * joined by '/' ("{at: 300ms, mode: flaky, probability: 0.05}" beside
 * "{at: 300ms, mode: hang}" reads "flaky/0.05"). Returns the length it
 * needs, as snprintf. */
int scenario_sweep_short(const struct scenario *s, size_t point, size_t key, char *buf, size_t cap);

/* Returns the most replications s may run: run.replications, or
 * run.precision's max_replications when that is larger (the limits hold
 * for the most a run to a precision may take). */
uint32_t scenario_most_replications(const struct scenario *s);

/* Returns the rows trace.csv is expected to get when a loaded s runs
 * `replications` replications with its trace on: the lesser of
 * run.trace_limit and the arrivals a replication is expected to make,
 * times replications. The loader refuses more than SCENARIO_MAX_TRACE_ROWS
 * with run.trace: true; `acsim run --trace` checks it with this. */
double scenario_trace_rows(const struct scenario *s, uint32_t replications);

#endif

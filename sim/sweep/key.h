/*
 * sim/sweep/key.h - what makes a sweep point's result what it is, as a
 * 64-bit key, and the record of keys a sweep directory keeps.
 *
 * A point's key hashes everything its result files are a function of:
 * acsim's version and this executable's build id, the scenario file's
 * bytes, the --set assignments in order, the point's own value of every
 * sweep key, the seed it runs, its replications, and the rows of any
 * trace it replays. A replication's key is its point's key with the
 * replication's index and stream seed added. Two points with the same key
 * write the same files (wall_time_s and the scenario's path as named on
 * the command line aside), so a sweep that finds a point's key already
 * recorded beside its directory reuses it instead of running it again.
 *
 * The record: OUT/keys/<point dir>, the key in 16 hex digits on the first
 * line, then a line per replication, "INDEX KEY".
 *
 * A sweep run to a precision (run.precision, sim/sweep/rounds.h) does not
 * know a point's replications before it runs: its key hashes the
 * precision (the file's bytes) and the baseline it is paired against
 * instead, and the record lists the replications it came to.
 * It is written (whole, sim/results/in_place.h) after the point's
 * directory is in place and removed before the directory is replaced, so
 * a key on disk always describes the directory beside it; an interrupted
 * point has no key and runs again.
 *
 * The hash is 64-bit FNV-1a over length-prefixed fields: not a defence
 * against a forger, a way to notice that anything changed.
 */
#ifndef SIM_SWEEP_KEY_H
#define SIM_SWEEP_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/run/outcome.h"
#include "sim/run/scenario.h"

#define SWEEP_KEYS "keys" /* the folder of a sweep directory that holds the keys */

struct sweep_plan;

/* An FNV-1a 64 hash being fed. */
struct sweep_hash {
        uint64_t h;
};

/* Starts a hash. */
void sweep_hash_init(struct sweep_hash *k);

/* Feeds len bytes, preceded by their length, so that ("ab","c") and
 * ("a","bc") hash differently. */
void sweep_hash_bytes(struct sweep_hash *k, const void *bytes, size_t len);

/* Feeds a NUL-terminated string (NULL feeds as an absent field). */
void sweep_hash_text(struct sweep_hash *k, const char *text);

/* Feeds an integer, as 8 bytes little-endian. */
void sweep_hash_u64(struct sweep_hash *k, uint64_t v);

/* Returns this executable's build id: its GNU build-id note in hex, or,
 * when it has none, the hash of its own file in hex, or "unknown".
 * Computed once; the string is static. */
const char *sweep_build_id(void);

/* Returns point `point`'s key, sc being its scenario as it runs
 * (sweep_point_scenario(), with --seed applied). */
uint64_t sweep_point_key(const struct sweep_plan *p, size_t point, const struct scenario *sc);

/* Returns the key of replication `rep` of a point whose key is
 * point_key, run with the stream seed `seed`. */
uint64_t sweep_replication_key(uint64_t point_key, uint32_t rep, uint64_t seed);

/* Reads the recorded key of point `point` of a sweep in out into *key.
 * Returns 1 when one is recorded, 0 when none is (or it is unreadable). */
int sweep_key_read(const struct sweep_plan *p, const char *out, size_t point, uint64_t *key);

/* Returns true when point `point` may be reused: its directory holds a
 * summary.json and its recorded key is the plan's. */
bool sweep_key_fresh(const struct sweep_plan *p, const char *out, size_t point);

/* Records the key of point `point` (whole). Returns 0, or -1 with the
 * reason in e. */
int sweep_key_write(const struct sweep_plan *p, const char *out, size_t point, struct sim_error *e);

/* The same with the replications 0 .. n-1 listed: a point run to a
 * precision records as many as it ran (sim/sweep/rounds.h). */
int sweep_key_record(const struct sweep_plan *p, const char *out, size_t point, uint32_t n,
                     struct sim_error *e);

/* Removes the record of point `point`, if any. Returns 0, or -1 with the
 * reason in e. */
int sweep_key_forget(const struct sweep_plan *p, const char *out, size_t point,
                     struct sim_error *e);

#endif

/*
 * sim/results/write_json.h - summary.json (docs/results.md)
 * through jansson: fields in the documented order, reals with 17
 * significant digits so that a file read back gives the same doubles.
 *
 * Deterministic: the same scenario, seed and build give a byte-identical
 * file, except the "wall_time_s" lines.
 */
#ifndef SIM_RESULTS_WRITE_JSON_H
#define SIM_RESULTS_WRITE_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "sim/run/replicate.h"

/* Returns the summary of r as a new JSON object, or NULL when out of
 * memory. */
json_t *write_json_summary(const struct replications *r);

/* Writes the summary of r to the file at path. Returns 0, or -1 with
 * errno set (ENOMEM when out of memory). */
int write_json_file(const char *path, const struct replications *r);

/* Sets o's key to v, taking v. Returns 0, or -1 when v is NULL (it could
 * not be made) or cannot be set. */
int write_json_put(json_t *o, const char *key, json_t *v);

/* Returns a new object that starts as every file acsim writes starts:
 * "acsim_version" (this build's) and "scenario" (its name); NULL when it
 * cannot be made. */
json_t *write_json_head(const char *scenario);

/* Returns x as a JSON integer, or as a decimal string above 2^63 - 1
 * (jansson's integers are signed), as summary.json and sweep.json write
 * seeds; NULL when out of memory. */
json_t *write_json_u64(uint64_t x);

#endif

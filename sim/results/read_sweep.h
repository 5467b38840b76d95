/*
 * sim/results/read_sweep.h - the one reader of sweep.json, a sweep
 * directory's manifest (docs/results.md, "The sweep directory"), for
 * `acsim compare`, `acsim plot` and `acsim report`. Text the file lacks is
 * NULL; a value that is not text where text is expected is NULL too
 * (a point's values: its compact JSON).
 */
#ifndef SIM_RESULTS_READ_SWEEP_H
#define SIM_RESULTS_READ_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/run/outcome.h"

/* One entry of "points". */
struct sweep_json_point {
        char *dir;     /* its directory inside the sweep directory */
        char *label;   /* short keys and values: "policy=round-robin,rate=600k/s" */
        char **keys;   /* of "values", in the file's order (nvalues) */
        char **values; /* the value of keys[i] as written */
        size_t nvalues;
};

struct sweep_json {
        char *acsim_version, *scenario, *description, *scenario_file, *scenario_hash;
        bool has_sets; /* "sets" is an array */
        char **sets;   /* its entries (nsets) */
        size_t nsets;
        bool has_seed; /* "seed" is an integer or a decimal string */
        uint64_t seed;
        bool has_replications; /* "replications" is an integer */
        uint64_t replications;
        bool has_keys; /* "keys" is an array */
        char **keys;   /* the swept key paths (nkeys) */
        size_t nkeys;
        bool has_points; /* "points" is an array */
        struct sweep_json_point *points;
        size_t npoints;
};

/* Reads the sweep.json at path into *out (release with sweep_json_free).
 * Returns 0, or -1 with the reason in *e when it cannot be read, is not a
 * JSON object or memory runs out; *out is then empty. */
int read_sweep_json(const char *path, struct sweep_json *out, struct sim_error *e);

/* Returns the value of key at point p, or NULL. */
const char *sweep_json_value(const struct sweep_json_point *p, const char *key);

/* Releases what s owns and zeroes it. */
void sweep_json_free(struct sweep_json *s);

#endif

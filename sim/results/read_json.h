/*
 * sim/results/read_json.h - opening a JSON result file (summary.json,
 * sweep.json) for its reader, with the one set of messages for a file
 * that is missing, broken or not an object.
 */
#ifndef SIM_RESULTS_READ_JSON_H
#define SIM_RESULTS_READ_JSON_H

#include <jansson.h>

#include "sim/run/outcome.h"

/* Returns the JSON object in the file at path (one reference), or NULL
 * with the reason in *e: "PATH: No such file or directory", "PATH:LINE:COL:
 * not JSON: ..." or "PATH: expected a JSON object". */
json_t *read_json_object(const char *path, struct sim_error *e);

#endif

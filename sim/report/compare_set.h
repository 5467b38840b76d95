/*
 * sim/report/compare_set.h - the private side of sim/report/compare.h: a result set as
 * a list of runs, each with the key it is matched by and its summary.json
 * read (sim/results/read_summary.h).
 */
#ifndef SIM_REPORT_COMPARE_SET_H
#define SIM_REPORT_COMPARE_SET_H

#include <stddef.h>

#include "sim/report/compare.h"
#include "sim/results/read_summary.h"

/* One run directory of a set: a plain run or one point of a sweep. */
struct compare_run {
        char *key;                     /* matched across sides: "bursty|engine.queue.backlog=0" */
        char *title;                   /* shown: "bursty @ backlog-0", or the scenario's name */
        char *dir;                     /* where its summary.json is, for messages */
        struct result_summary summary; /* its summary.json */
};

struct compare_set {
        struct compare_run *runs; /* sorted by key */
        size_t n;
        size_t cap;
};

/* Returns the run of set with this key, or NULL. */
const struct compare_run *compare_set_find(const struct compare_set *set, const char *key);

#endif

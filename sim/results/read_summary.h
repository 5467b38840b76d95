/*
 * sim/results/read_summary.h - the one reader of summary.json
 * (docs/results.md): a result directory's summary back into the in-memory
 * results of sim/run/replicate.h, for `acsim report`, `acsim plot`,
 * `acsim compare` and the sweep's collection.
 *
 * The runs are the replications of "replications_detail" (the top level
 * itself with one replication, or when there is no detail), each a struct
 * sim_results without time series, histograms or fault records (only
 * their number is known). The summary's figures are the top level's as
 * written, with the half-widths of its "ci95" objects; the half-widths the
 * file does not hold (counts, device counters) are recomputed from the
 * runs, as the run computed them. The fields a reader may want to check
 * (a file written by hand or by an older acsim lacks some) say whether
 * they were there.
 */
#ifndef SIM_RESULTS_READ_SUMMARY_H
#define SIM_RESULTS_READ_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/run/outcome.h"
#include "sim/run/replicate.h"

struct result_summary {
        struct replications r; /* the runs, the figures and the origin */
        char *acsim_version;   /* NULL when the file has none */
        char *scenario;        /* "scenario"; NULL when absent (the runs then say "?") */
        char *policy;          /* "policy"; likewise */
        uint64_t seed;         /* "seed" (as the runs' seed) */
        bool has_seed;         /* "seed" is an integer or a decimal string */
        bool has_replications; /* "replications" is an integer */
        uint64_t replications; /* its value, 0 without */
        size_t nseeds;         /* entries of "replication_seeds" (the runs' stream seeds) */
        bool has_seeds;        /* "replication_seeds" is an array */
        bool has_figures;      /* "requests" and "latency_ns" are objects */
        bool has_hash;         /* "scenario_hash" is a string (r.origin.source_hash) */
        bool has_fingerprints; /* every "replication_seeds" entry has a "fingerprint" */
        bool has_sets;         /* "sets" is an array (r.origin.sets) */
        bool has_duration;     /* "duration_ns" and "warmup_ns" are numbers */
        uint64_t faults;       /* "faults": fault windows of all replications */
        bool has_faults;       /* "faults" is a number */
};

/* Reads the summary.json at path into *out (release with
 * result_summary_free). Returns 0, or -1 with the reason in *e when the
 * file cannot be read, is not a JSON object, its replications disagree on
 * their classes or devices, or memory runs out; *out is then empty. */
int read_summary(const char *path, struct result_summary *out, struct sim_error *e);

/* Releases what s owns and zeroes it. */
void result_summary_free(struct result_summary *s);

#endif

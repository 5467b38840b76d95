/*
 * sim/run/scenario.h - a whole scenario as plain data (docs/scenarios.md),
 * with no YAML in sight: the loader fills it from a file, tests and
 * benchmarks fill it in C.
 *
 * Units: every value is in base units, already converted by whoever filled
 * the struct:
 *   times and durations   nanoseconds (uint64_t, or double inside dists)
 *   sizes                 bytes
 *   device rates          bytes per nanosecond (5 GB/s = 5.0)
 *   arrival rates         requests per second (as models/workload.h takes
 *                         them: 400k/s = 400000.0)
 *   probabilities, factors, cv, alpha: plain numbers
 *
 * Ownership: the scenario owns everything reachable from it -- strings,
 * arrays, the dists' value tables -- and scenario_free() releases it all.
 * Fill it through the scenario_add_* functions below (they copy the names
 * they are given and hand back zeroed records to fill), or malloc what you
 * attach yourself; never point it at string literals or stack memory.
 *
 * Devices: a device with count > 1 stands for `count` devices named
 * <name>0, <name>1, ...; with count 1 the device keeps its name. Scheduled
 * faults name an expanded device ("qat1"). The device's `model.faults` are
 * left empty here: the run gives each expanded device the faults that name
 * it.
 */
#ifndef SIM_RUN_SCENARIO_H
#define SIM_RUN_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ac/ac.h"
#include "models/device.h"
#include "models/workload.h"
#include "sim/run/outcome.h"

#define SCENARIO_TRACE_LIMIT 1000000 /* run.trace_limit's default */
/* run.memory's default: 4 GiB of requests held at once. */
#define SCENARIO_MEMORY ((uint64_t)4 << 30)

#define SCENARIO_MAX_PRECISION 8 /* metrics of run.precision */

/* run.precision: replications are added until every metric's 95%
 * half-width is within its target (sim/run/replicate.h). */
struct scenario_precision_target {
        int figure;        /* replications_figure_index() */
        char metric[40];   /* as written: "latency_ns.p99" */
        bool relative;     /* half_width is a fraction of the mean */
        double half_width; /* the target: a fraction, or in the metric's unit */
};

struct scenario_run {
        uint64_t duration_ns; /* arrivals stop here; > warmup_ns */
        uint64_t warmup_ns;   /* requests submitted before it are not measured */
        bool warmup_auto;     /* run.warmup: auto: found by MSER-5 (sim/run/replicate.h) */
        bool batch_means;     /* run.method: batch-means: one long run (sim/run/replicate.h) */
        size_t nprecision;    /* run.precision's metrics; 0: a fixed number of replications */
        struct scenario_precision_target precision[SCENARIO_MAX_PRECISION];
        uint32_t max_replications; /* run.precision's cap */
        unsigned precision_line;   /* where run.precision is written; 0 from --set */
        unsigned precision_col;    /* and its column */
        uint32_t replications;     /* >= 1 */
        uint64_t sample_ns;        /* time series interval; 0: duration / 100 */
        uint64_t drain_cap_ns;     /* longest drain after duration; 0: the default (see run.h) */
        bool trace;                /* write a row per request (trace.csv, see run.h) */
        uint64_t trace_limit;      /* requests traced per replication, the first by id; >= 1 */
        uint64_t memory;           /* run.memory: most bytes of requests held at once; >= 1 */
};

struct scenario_engine {
        char *policy;              /* a registered balancer's name */
        struct ac_option *options; /* policy_options, key/value text, owned */
        size_t noptions;
        uint32_t queue_depth; /* per-device software queue bound */
        uint32_t backlog;     /* engine-wide backlog bound */
        uint32_t levels;      /* priority levels */
        uint64_t aging_ns;    /* 0: no aging */
        struct ac_failover_config failover;
        bool affinity;
        bool flow_order;
};

struct scenario_device {
        struct device_config model; /* name, lanes, ring, ops, failures; faults empty */
        uint32_t count;             /* >= 1; see the top for names */
        bool fallback;              /* a software device, used when no other is healthy */
        uint32_t weight;            /* for weighted balancers; 0 = 1 */
        uint64_t attach_ns;         /* hot-add: registered at this time; 0: from the start */
};

struct scenario_fault {
        char *device;                     /* an expanded device name */
        struct device_fault_config fault; /* at, for, mode, factor, probability */
};

/* One sweep key and its values, kept as the text the user wrote: the loader
 * applies them, point by point, to copies of the scenario. */
struct scenario_sweep {
        char *key; /* e.g. "engine.policy" */
        char **values;
        size_t nvalues;
};

struct scenario {
        char *name;
        char *description;
        char *source;      /* the scenario file's bytes as loaded, NUL after them; NULL
                              when filled in C */
        size_t source_len; /* bytes in source */
        uint64_t seed;
        struct scenario_run run;
        struct scenario_engine engine;
        struct scenario_device *devices;
        size_t ndevices;
        struct workload_class_config *classes;
        size_t nclasses;
        struct scenario_fault *faults;
        size_t nfaults;
        struct scenario_sweep *sweep;
        size_t nsweep;
        bool prepared; /* set by scenario_prepare() */
};

/* Fills s with the defaults: name "scenario", seed 1, duration 1 s, no
 * warm-up, 1 replication, no trace (limit SCENARIO_TRACE_LIMIT), the core's engine defaults
 * (ac_engine_config defaults), no devices, classes, faults or sweep. Returns 0 or AC_ENOMEM. */
int scenario_init(struct scenario *s);
/* Releases everything s owns; s is left empty (scenario_init it again to
 * reuse it). */
void scenario_free(struct scenario *s);

/* Each returns the new zeroed record (name copied; count 1 for a device,
 * flows 1 for a class), or NULL when out of memory. Pointers returned
 * earlier may move: fill a record before adding the next. */
/* Fills cfg with the core's configuration of s's engine section (policy
 * and options, queues, levels, aging, failover, affinity, ordering); the
 * platform and the observer are the caller's to set. cfg points into s. */
void scenario_engine_config(const struct scenario *s, struct ac_engine_config *cfg);

struct scenario_device *scenario_add_device(struct scenario *s, const char *name);
struct device_op_config *scenario_device_add_op(struct scenario_device *d, const char *op);
struct device_failure_config *scenario_device_add_failure(struct scenario_device *d);
struct workload_class_config *scenario_add_class(struct scenario *s, const char *name);
struct scenario_fault *scenario_add_fault(struct scenario *s, const char *device);
/* Set a text field: replace *field with a copy of value. Return 0 or
 * AC_ENOMEM. */
int scenario_set_text(char **field, const char *value);
/* Copies a class's chain of op names. Returns 0 or AC_ENOMEM. */
int scenario_class_set_chain(struct workload_class_config *c, const char *const *ops, size_t n);
/* Adds or replaces a policy option. Returns 0 or AC_ENOMEM. */
int scenario_set_option(struct scenario *s, const char *key, const char *value);
/* Adds a sweep key with its values. Returns 0 or AC_ENOMEM. */
int scenario_add_sweep(struct scenario *s, const char *key, const char *const *values, size_t n);

/* Returns the number of devices after expansion by count. */
size_t scenario_device_total(const struct scenario *s);
/* Writes the name of expanded device i (0 <= i < total) to buf and returns
 * the scenario device it comes from, or NULL when i is out of range. */
const struct scenario_device *scenario_device_expand(const struct scenario *s, size_t i, char *buf,
                                                     size_t len);

/* Checks the scenario and prepares its distributions and traces, once,
 * before any run: run times, engine bounds and policy name, device configs
 * (device_config_prepare), unique expanded names, classes (workload_class_prepare, priority below
 * the levels), faults (a known device, a valid fault, not before the device is attached). Returns
 * 0, or -1 with a one-line reason naming the part in e. */
int scenario_prepare(struct scenario *s, struct sim_error *e);

#endif

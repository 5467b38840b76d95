/*
 * sim/load/loader.h - the inside of the loader: the state one load of a
 * doc tree into a struct scenario carries, and what its files share. Not
 * for use outside sim/load.
 *
 *   scenario_load.c     entry points: read the file, apply --set and a
 *                       sweep point, build, prepare
 *   schema.c            the top level, in the order the sections depend on
 *                       each other, and the readers every section shares
 *   schema_dist.c       distributions
 *   schema_run.c        run:       schema_engine.c    engine:
 *   schema_devices.c    devices:   schema_workload.c  workload:
 *   schema_faults.c     faults:    schema_sweep.c     sweep:
 *   limits.c            the checks of the whole scenario (limits.h)
 *   arrivals.c          the arrivals a run is expected to make
 *   sweep_points.c      the points of a sweep
 *
 * A reader returns like the doc getters: 0 read, 1 absent, -1 reported.
 * Only the keys that apply are asked for (a poisson arrival asks for
 * `rate` alone), so that the unknown-key check refuses the others with the
 * list of what would fit.
 */
#ifndef SIM_LOAD_LOADER_H
#define SIM_LOAD_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/load/diag.h"
#include "sim/load/doc.h"
#include "sim/load/scenario_load.h"
#include "sim/load/limits.h"
#include "sim/run/scenario.h"

struct loader {
        struct doc *d;
        struct diag *dg;
        struct scenario *s;
        const char *path;                        /* the scenario file, for trace paths */
        bool oom;                                /* a builder ran out of memory */
        const struct scenario_vocabulary *vocab; /* NULL: every operation is known */
};

/* ---- schema.c ------------------------------------------------------------ */

/* Reads the whole tree at root into l->s: the name the file gives it, the
 * sections, then the limits of the whole scenario when the sections read
 * cleanly; then reports every key nobody asked for. */
void load_tree(struct loader *l, struct doc_node *root);

/* Returns true when nothing new was reported since `mark` (a diag total). */
bool load_quiet_since(const struct loader *l, size_t mark);
/* Reports running out of memory at n, once per load. */
void load_out_of_memory(struct loader *l, const struct doc_node *n);
/* A name that can be a directory or a column: letters, digits, '.', '_',
 * '-', at most SCENARIO_MAX_NAME, not starting with '.'. */
int load_read_name(struct doc_node *n, const char *key, enum doc_need need, const char **out);
/* A duration of at least min_ns (0 or 1). */
int load_read_duration(struct doc_node *n, const char *key, enum doc_need need, uint64_t min_ns,
                       uint64_t *out);

/* A whole number in [min, max] into a 32-bit field. */
int load_read_u32(struct doc_node *n, const char *key, enum doc_need need, uint32_t min,
                  uint32_t max, uint32_t *out);

/* ---- schema_dist.c ------------------------------------------------------- */

/* What the values of a distribution are. */
enum load_unit {
        LOAD_TIME,   /* durations: service, think, mtbf, mttr */
        LOAD_SIZE,   /* sizes: a class's size */
        LOAD_NUMBER, /* plain numbers: jitter factors */
};

/* A distribution at key: a mapping {dist: KIND, ...}, or a single value
 * meaning a constant (an exponential of that mean when scalar_mean, as for
 * mtbf and mttr). Fills *out (freed first); returns 0, 1 or -1. */
int load_read_dist(struct loader *l, struct doc_node *n, const char *key, enum doc_need need,
                   enum load_unit u, bool scalar_mean, struct dist *out);

/* ---- the sections, in the order load_tree reads them ------------------ */

void load_run(struct loader *l, struct doc_node *root);
void load_engine(struct loader *l, struct doc_node *root);
void load_devices(struct loader *l, struct doc_node *root);
void load_workload(struct loader *l, struct doc_node *root);
void load_faults(struct loader *l, struct doc_node *root);
void load_sweep_lists(struct loader *l, struct doc_node *root);

/* The parameters of a slow or flaky failure (devices) or fault (faults):
 * `factor`, `probability`. */
void load_read_mode_params(struct doc_node *m, enum device_fault_mode mode, double *factor,
                           double *probability);

/* ---- limits.c ------------------------------------------------------------ */

/* Checks that run.duration plus the drain cap ends below
 * SCENARIO_MAX_RUN_END, once run and engine are read. */
void load_check_run_end(struct doc_node *root, const struct scenario *s);
/* Checks the devices after expansion against SCENARIO_MAX_DEVICES and
 * SCENARIO_MAX_RING_ALL (seq: the `devices` list). Returns 0, or -1 after
 * reporting at the entry that passes a bound. */
int load_check_devices(struct loader *l, struct doc_node *seq);
/* Checks what the whole scenario would cost: arrivals, failure episodes,
 * probes, trace rows, results and held requests in memory. */
void load_check_limits(struct loader *l, struct doc_node *root);

/* ---- arrivals.c ---------------------------------------------------------- */

/* Returns the arrivals class c is expected to make in one replication
 * (with an on-off class's phase changes, each an event too). */
double load_class_arrivals(const struct scenario *s, const struct workload_class_config *c);
/* Returns true when a closed client's request may be refused at submit. */
bool load_may_refuse(const struct scenario *s);

/* ---- sweep_points.c ------------------------------------------------------ */

/* Returns the index into sweep key `key`'s list at `point`: the last key
 * varies fastest. */
size_t load_point_index(const struct scenario *s, size_t point, size_t key);

#endif

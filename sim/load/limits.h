/*
 * sim/load/limits.h - every bound the loader puts on a scenario, each with
 * its reason (docs/scenarios.md gives them to the reader). A scenario
 * never runs half-understood, and it never starts what no machine can
 * finish: a bound is where a value stops being a study and becomes a typo
 * that would run out of memory or for years.
 *
 * The bounds of the YAML itself (nesting, values, file size) are the doc
 * tree's (sim/load/doc.h); how many errors are listed is the diag's
 * (sim/load/diag.h); the time series' rows are the run's
 * (sim/run/series.h). The checks of the whole scenario are in
 * sim/load/limits.c; the bounds of one value are asked for where the value
 * is read.
 */
#ifndef SIM_LOAD_LIMITS_H
#define SIM_LOAD_LIMITS_H

#include <stdint.h>

/* ---- one value ---------------------------------------------------------- */

/* Characters of a scenario, device or class name: it becomes a directory
 * and a column name. */
#define SCENARIO_MAX_NAME 64

/* run.replications: each keeps its results in memory until written. */
#define SCENARIO_MAX_REPLICAS 1000
/* run.trace_limit: requests traced per replication. */
#define SCENARIO_MAX_TRACE_LIMIT 1000000000

/* run.memory: the bytes of requests a replication may hold at once,
 * checked as it runs (sim/run/request.c), since what a run holds depends
 * on the load and not on the configured bounds. */
#define SCENARIO_MIN_MEMORY 1024
#define SCENARIO_MAX_MEMORY ((uint64_t)1 << 40)

/* engine.queue.depth: software queue per device, a bound (queues are
 * linked through the requests: nothing is allocated for it). */
#define SCENARIO_MAX_QUEUE 1048576
/* engine.queue.backlog: 2^24, engine-wide beyond the queues, a bound
 * as queue.depth is. */
#define SCENARIO_MAX_BACKLOG 16777216
/* engine.failover.retries: extra attempts per request, each a hand-off
 * the trace keeps. */
#define SCENARIO_MAX_RETRIES 1000
/* engine.failover.errors_to_fail: consecutive errors that fail a device. */
#define SCENARIO_MAX_ERRORS_TO_FAIL 1000000

/* devices[].count: devices made by one entry. */
#define SCENARIO_MAX_COUNT 1024
/* devices[].lanes: parallel engines of one device. */
#define SCENARIO_MAX_LANES 65536
/* devices[].ring: ring slots of one device, preallocated. */
#define SCENARIO_MAX_RING 1048576
/* devices[].weight, for weighted balancers. */
#define SCENARIO_MAX_WEIGHT 1000000
/* `factor` of a slow failure or fault: service times multiplied. */
#define SCENARIO_MAX_SLOW_FACTOR 1e9

/* workload[].arrival.clients of a closed class. */
#define SCENARIO_MAX_CLIENTS 1048576
/* Stages of a class's chain: every request holds them all (a chain of
 * 10^5 took 1.6 GB for a thousand requests; real compound transforms have
 * two or three). */
#define SCENARIO_MAX_CHAIN 64

/* ---- the whole scenario ----------------------------------------------- */

/* The end of arrivals plus the drain cap stays below this, 2^63 ns (about
 * 292 years), so that no sum of simulated times (the end of the drain, a
 * sample interval rounded up) can wrap round 2^64. */
#define SCENARIO_MAX_RUN_END (UINT64_MAX / 2)

/* Devices after expansion (count). */
#define SCENARIO_MAX_DEVICES 4096
/* Ring slots of all devices, count x ring: 2^21, each preallocated (about
 * 170 bytes with its event), about 350 MB. 64 cards with 4096-deep rings
 * use 262144. */
#define SCENARIO_MAX_RING_ALL 2097152

/* Arrivals a run is expected to make, all classes and replications: at one
 * to twenty million a second of wall time, a run of minutes to hours. */
#define SCENARIO_MAX_ARRIVALS 1e10
/* Probes of failed devices in a run, counted as if every device were
 * failed throughout: each costs about as much as a request. */
#define SCENARIO_MAX_PROBES 1e10
/* Failure episodes a replication is expected to have: each is a row of
 * the fault timeline, kept in memory until the run ends. */
#define SCENARIO_MAX_EPISODES 1e6
/* Rows trace.csv is expected to get, all replications: a disk's worth
 * (about 6 GB at some 60 bytes a row). */
#define SCENARIO_MAX_TRACE_ROWS 1e8
/* Results of all replications in memory until written (time series and
 * histograms): 2 GiB. */
#define SCENARIO_MAX_RESULT_BYTES 2147483648.0

/* Values of all the sweep lists: loading parses the file again for each
 * (1000 take a third of a second, 10^5 took half an hour). */
#define SCENARIO_MAX_SWEEP_VALUES 1000
/* Points of a sweep, the product of its lists. */
#define SCENARIO_MAX_POINTS 100000

#endif

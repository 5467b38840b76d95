/*
 * models/workload.h - workload classes on the event engine: arrival
 * processes, request sizes and flows.
 *
 * A class has an arrival process, a size distribution, a chain of
 * operation names, a priority and a number of flows. The model emits each
 * request through a callback (class, bytes, flow, client); the owner turns
 * it into a core request with the class's chain and priority. Closed-loop
 * classes need to hear when each of their requests is finished
 * (workload_complete()).
 *
 * Arrival processes:
 *   poisson   exponential gaps at `rate`.
 *   constant  one request every 1/rate, the first at the start.
 *   onoff     a two-state Markov-modulated Poisson process: Poisson at
 *             rate_on while on, rate_off (may be 0) while off; the state
 *             lasts an exponential time of mean mean_on_ns / mean_off_ns.
 *             The first state is drawn from the stationary probabilities
 *             (on with mean_on / (mean_on + mean_off)).
 *   closed    `clients` clients; each thinks (a draw of `think`), issues a
 *             request, waits for its completion, thinks again. Every client
 *             starts with a think, so they do not all issue at once.
 *   trace     replays the rows of a CSV file (models/trace.h) that belong
 *             to this class, at start + row time, with the row's size.
 *
 * Flows: a request's flow is in [0, flows) within its class; it is drawn
 * uniformly from the class's flow stream, or taken round-robin. The owner
 * makes flow ids unique across classes if it needs to.
 *
 * Random streams: each class has three generators (arrivals, sizes, flows),
 * so a change to one never shifts the draws of another; closed-loop think
 * times and on/off state times come from the arrival stream.
 */
#ifndef MODELS_WORKLOAD_H
#define MODELS_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/dist.h"
#include "models/trace.h"
#include "sim/des/loop.h"

/* The client of a request from an open-loop class. */
#define WORKLOAD_OPEN UINT32_MAX

enum arrival_process {
        ARRIVAL_POISSON,
        ARRIVAL_CONSTANT,
        ARRIVAL_ONOFF,
        ARRIVAL_CLOSED,
        ARRIVAL_TRACE,
};

enum flow_pick {
        FLOW_UNIFORM,     /* drawn from the flow stream (the default) */
        FLOW_ROUND_ROBIN, /* 0, 1, ..., flows - 1, 0, ... */
};

struct arrival_config {
        enum arrival_process process;
        double rate;        /* poisson, constant: arrivals per second, > 0 */
        double rate_on;     /* onoff: arrivals per second while on, > 0 */
        double rate_off;    /* onoff: arrivals per second while off, >= 0 */
        double mean_on_ns;  /* onoff: mean time on, > 0 */
        double mean_off_ns; /* onoff: mean time off, > 0 */
        uint32_t clients;   /* closed: number of clients, >= 1 */
        struct dist think;  /* closed: think time, ns */
        const char *file;   /* trace: CSV path */
        struct trace trace; /* trace: its rows for this class, read by prepare */
};

struct workload_class_config {
        const char *name;
        struct arrival_config arrival;
        struct dist size;         /* bytes; not used by trace replay */
        const char *const *chain; /* op names, for the owner */
        size_t nchain;            /* >= 1 */
        uint8_t priority;         /* for the owner; 0 most urgent */
        uint32_t flows;           /* >= 1 */
        enum flow_pick flow_pick;
};

/* Checks a class, prepares its distributions and reads its trace. Returns
 * 0, or -1 with a one-line reason in err[errlen] (a trace error names the
 * file and line). Safe to call again. The reason goes into a caller's
 * buffer, not a struct sim_error: models/ comes before sim/run/ in the
 * room order (docs/simulator.md, "Rooms") and may not include its
 * outcome.h; sim/run/scenario.c carries the text on. */
int workload_class_prepare(struct workload_class_config *cls, char *err, size_t errlen);
/* Frees what prepare read (the trace) and the class's dists. */
void workload_class_free(struct workload_class_config *cls);

/* One request, valid during the emit call. */
struct workload_request {
        uint32_t cls;    /* class index */
        uint32_t client; /* closed loop: the client; WORKLOAD_OPEN otherwise */
        uint64_t bytes;
        uint64_t flow; /* in [0, flows) of the class */
};

struct workload_ops {
        /* Required. The owner may call workload_complete() from inside it
         * (e.g. when the request was rejected at once). */
        void (*emit)(void *ctx, const struct workload_request *rq);
};

/* A class's generators, owned by the caller and outliving the model. */
struct workload_rngs {
        gsl_rng *arrival; /* gaps, on/off states, think times */
        gsl_rng *size;
        gsl_rng *flow; /* may be NULL for round-robin flows */
};

struct workload;

/* Creates the model for `n` prepared classes (the array stays alive and
 * unchanged while the model lives), with rngs[n]. Nothing is scheduled
 * until workload_start(). Returns 0 and sets *out, or -1 (bad arguments, no
 * memory). */
int workload_create(struct sim_loop *loop, const struct workload_class_config *classes, size_t n,
                    const struct workload_rngs *rngs, const struct workload_ops *ops, void *ctx,
                    struct workload **out);
/* Starts every class now; requests arrive at times t with now <= t < end_ns.
 * Returns 0, or -1 if already started. */
int workload_start(struct workload *wl, uint64_t end_ns);
/* A closed-loop client's request is finished (whatever its outcome): the
 * client thinks, then issues again unless the end has come. */
void workload_complete(struct workload *wl, uint32_t cls, uint32_t client);
/* Stops every arrival now (closed-loop clients do not issue again). */
void workload_stop(struct workload *wl);
/* Requests emitted so far by class cls. */
uint64_t workload_emitted(const struct workload *wl, uint32_t cls);
/* Cancels pending events and frees the model. */
void workload_destroy(struct workload *wl);

/* "poisson", "constant", "on-off", "closed", "trace" (as scenarios write
 * them); NULL if unknown. */
const char *arrival_process_name(enum arrival_process p);

#endif

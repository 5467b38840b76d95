/*
 * sim/run/run.c - one replication (sim/run/run.h).
 *
 * Layout: tallies (time-weighted counts); the request pool; the
 * workload's emit and the core's callback (the hot path: one of each per
 * request); the core's observer (ac/observer.h), which keeps the device
 * tallies current from the tracepoints and records the trace's hand-offs;
 * the warm-up, sampling and window events; build, run and drain; filling the
 * results; teardown.
 */
#include "sim/run/run.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/des/loop.h"
#include "sim/run/platform.h"
#include "sim/des/rng.h"

#define POOL_CHUNK 1024 /* requests added to the pool at a time */

/* ---- tallies -------------------------------------------------------------- */

/* A time-weighted count (requests in system, stages queued or in flight):
 * the integrals of struct gauge (sim/des/tally.h) kept with an integer product
 * and a double sum, which the hot path can afford several times per request
 * (the long double of a gauge cost 14% of the M/M/8 benchmark). The
 * relative error of a double sum of n pieces is below n * 2^-53. Unlike
 * tally_reset(), the reset at the end of the warm-up leaves the time
 * series' window alone. */
struct tally {
        uint64_t value;     /* current count */
        uint64_t last;      /* time of the last change */
        uint64_t since;     /* start of the period (end of warm-up) */
        uint64_t window;    /* start of the time series' current row */
        double area;        /* integral over [since, last] */
        double window_area; /* integral over [window, last] */
};

static void tally_init(struct tally *t)
{
        memset(t, 0, sizeof(*t));
}

static inline void tally_advance(struct tally *t, uint64_t now)
{
        assert(now >= t->last && "a tally updated in the past");
        double piece = (double)(t->value * (now - t->last));
        t->area += piece;
        t->window_area += piece;
        t->last = now;
}

static inline void tally_set(struct tally *t, uint64_t now, uint64_t value)
{
        tally_advance(t, now);
        t->value = value;
}

static void tally_reset(struct tally *t, uint64_t now)
{
        tally_advance(t, now);
        t->since = now;
        t->area = 0;
}

/* Returns the mean over [since, now]. */
static double tally_mean(struct tally *t, uint64_t now)
{
        tally_advance(t, now);
        return now > t->since ? t->area / (double)(now - t->since) : (double)t->value;
}

/* Returns the mean over [window, now] and starts the next window. */
static double tally_window_mean(struct tally *t, uint64_t now)
{
        tally_advance(t, now);
        double mean =
            now > t->window ? t->window_area / (double)(now - t->window) : (double)t->value;
        t->window = now;
        t->window_area = 0;
        return mean;
}

/* A request as the run owns it: the core's struct, its chain, and what the
 * callback needs to account for it. With run.trace the pooled request also
 * holds its hand-offs (struct run_handoff) after the stages. */
struct run_request {
        struct ac_request req;
        struct run_request *next_free;
        uint64_t id;    /* emission order, for the order hash */
        uint64_t bytes; /* payload of each stage */
        uint32_t cls;
        uint32_t client;          /* closed loop: the client; WORKLOAD_OPEN otherwise */
        bool measured;            /* submitted after the warm-up */
        bool traced;              /* gets a row in the trace */
        bool overflow;            /* more hand-offs than the room for them */
        uint32_t nhanded;         /* hand-offs recorded */
        struct ac_stage stages[]; /* the class's chain, sized for the longest */
};

/* One stage handed to one device (the trace's devices column). */
struct run_handoff {
        uint32_t device; /* index into run->devices */
        uint32_t stage;  /* index in the chain */
};

struct run_class {
        const struct workload_class_config *cfg;
        uint32_t *ops;      /* the chain as interned op ids */
        uint64_t flow_base; /* makes flow ids unique across classes */
        struct sim_counts all;
        struct tally in_system;
        uint64_t outstanding;
        uint64_t window_completed, window_bytes;
};

struct run_device {
        struct sim_device sd;
        struct device_config cfg; /* the scenario's, renamed, with its faults */
        char *name;
        bool attached;
        bool dirty; /* on run->dirty: counts moved since the last cut */
        uint64_t stages_queued, stages_in_flight; /* the core's counts, from the tracepoints */
        const struct scenario_device *sdev;       /* the scenario's entry */
        struct run *run;                          /* for the attach event */
        struct sim_event attach_ev;               /* hot-add: registers it at sdev->attach_ns */
        struct tally queue, in_flight;
        struct ac_device_stats at_warmup;
        struct device_model_stats model_at_warmup;
        double busy_at_sample; /* busy lane ns at the last series row */
        double utilization;    /* over the window */
        double mean_queue, mean_in_flight;
};

struct run {
        const struct scenario *s;
        struct sim_results *res;
        struct sim_loop *loop;
        struct sim_platform plat;
        bool plat_ready;
        struct ac_engine *core;
        struct workload *wl;
        gsl_rng **rngs; /* every workload stream, for freeing */
        size_t nrngs;

        struct run_device *devices;
        size_t ndevices;
        struct run_device **by_core;  /* by the core's device index (registration order) */
        struct run_device *attaching; /* the device being registered, for AC_DEVICE_ADDED */
        size_t *dirty;                /* devices whose counts moved since the last cut */
        size_t ndirty;
        struct run_class *classes;
        size_t nclasses;

        /* the pool */
        struct run_request *free_list;
        void **chunks;
        size_t nchunks, capchunks;
        size_t stride;     /* bytes per pooled request */
        uint32_t nstages;  /* stages per pooled request */
        uint32_t handoffs; /* hand-offs room per pooled request (run.trace), else 0 */
        uint64_t seed;     /* the replication's */

        uint64_t warmup, duration;
        uint64_t next_id;
        uint64_t outstanding;
        bool draining;
        struct tally in_system;
        uint64_t window_completed, window_bytes, window_arrivals;
        uint64_t hash;         /* callbacks */
        uint64_t arrival_hash; /* arrivals */

        struct sim_event warmup_ev, sample_ev;
        struct sim_series_row row; /* the row being counted */
        uint64_t row_start;        /* start of the row being counted */
        uint64_t retried_at_sample;
};

/* ---- the pool ---------------------------------------------------------- */

static struct run_request *pool_get(struct run *run)
{
        if (!run->free_list) {
                if (run->nchunks == run->capchunks) {
                        size_t cap = run->capchunks ? 2 * run->capchunks : 16;
                        void **c = realloc(run->chunks, cap * sizeof(*c));
                        if (!c)
                                return NULL;
                        run->chunks = c;
                        run->capchunks = cap;
                }
                char *chunk = calloc(POOL_CHUNK, run->stride);
                if (!chunk)
                        return NULL;
                run->chunks[run->nchunks++] = chunk;
                for (size_t i = POOL_CHUNK; i-- > 0;) {
                        struct run_request *r =
                            (struct run_request *)(void *)(chunk + i * run->stride);
                        r->next_free = run->free_list;
                        run->free_list = r;
                }
        }
        struct run_request *r = run->free_list;
        run->free_list = r->next_free;
        return r;
}

static void pool_put(struct run *run, struct run_request *r)
{
        r->next_free = run->free_list;
        run->free_list = r;
}

/* ---- the trace --------------------------------------------------------- */

static inline struct run_handoff *handoffs_of(struct run *run, struct run_request *r)
{
        return (struct run_handoff *)(void *)(r->stages + run->nstages);
}

/* Records that stage `stage` of the traced request r was handed to d (the
 * observer's AC_STAGE_DISPATCHED). */
static void trace_handed(struct run *run, struct run_request *r, struct run_device *d,
                         uint32_t stage)
{
        if (r->nhanded == run->handoffs) {
                r->overflow = true;
                return;
        }
        handoffs_of(run, r)[r->nhanded++] =
            (struct run_handoff){.device = (uint32_t)(d - run->devices), .stage = stage};
}

/* Writes r's row of trace.csv (docs/results.md). status is the callback's,
 * or the code ac_submit() rejected it with when `rejected`; done_ns is the
 * time of the callback. */
static void trace_row(struct run *run, struct run_request *r, int status, bool rejected,
                      uint64_t done_ns)
{
        const struct ac_request *q = &r->req;
        const struct run_class *k = &run->classes[r->cls];
        FILE *out = run->res->trace;
        fprintf(out, "%" PRIu32 ",%" PRIu64 ",%s,%" PRIu64 ",%u,%" PRIu64 ",%d,%" PRIu64 ",",
                run->res->replication, r->id, k->cfg->name, q->flow - k->flow_base,
                (unsigned)q->priority, r->bytes, r->measured ? 1 : 0, q->submitted_ns);
        if (rejected)
                fprintf(out, ",,rejected:%s,0,0,", ac_err_name(status));
        else
                fprintf(out, "%" PRIu64 ",%" PRIu64 ",%s,%" PRIu32 ",%" PRIu32 ",", done_ns,
                        done_ns - q->submitted_ns, status == 0 ? "ok" : ac_err_name(status),
                        q->retries, q->migrations);
        const struct run_handoff *h = handoffs_of(run, r);
        for (uint32_t i = 0; i < r->nhanded; i++) {
                if (i > 0)
                        fputc(h[i].stage != h[i - 1].stage ? '>' : '+', out);
                fputs(run->devices[h[i].device].name, out);
        }
        fputs(r->overflow ? "...\n" : "\n", out);
        run->res->trace_rows++;
}

/* ---- the hot path ------------------------------------------------------ */

static void cut_devices(void *ctx);

static uint64_t mix64(uint64_t z)
{
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        return z ^ (z >> 31);
}

static void count_outcome(struct sim_counts *c, const struct ac_request *req, int status)
{
        if (status == 0)
                c->completed++;
        else
                c->failed++;
        c->retried += req->retries;
        c->migrated += req->migrations;
}

static void request_done(struct ac_request *req, int status)
{
        struct run_request *r = sim_container_of(req, struct run_request, req);
        struct run *run = req->user;
        struct run_class *k = &run->classes[r->cls];
        struct sim_results *res = run->res;
        /* the final callback is now: with flow order it may come after
         * completed_ns, the time the status was known (a held request) */
        uint64_t now = sim_now(run->loop);
        uint64_t latency = now - req->submitted_ns;

        run->hash = mix64(run->hash ^ r->id) ^ mix64(latency << 1 | (status != 0));
        count_outcome(&res->all, req, status);
        count_outcome(&k->all, req, status);
        if (r->measured) {
                struct sim_class_result *cr = &res->classes[r->cls];
                count_outcome(&res->requests, req, status);
                count_outcome(&cr->requests, req, status);
                hist_add(&res->hist, latency);
                hist_add(&cr->hist, latency);
        }
        if (status == 0) {
                run->row.completed++;
                if (now >= run->warmup && now <= run->duration) {
                        run->window_completed++;
                        run->window_bytes += r->bytes;
                        k->window_completed++;
                        k->window_bytes += r->bytes;
                }
        } else {
                run->row.failed++;
        }
        run->outstanding--;
        k->outstanding--;
        tally_set(&run->in_system, now, run->outstanding);
        tally_set(&k->in_system, now, k->outstanding);
        if (r->traced)
                trace_row(run, r, status, false, now);

        uint32_t client = r->client, cls = r->cls;
        pool_put(run, r);
        if (client != WORKLOAD_OPEN && !run->draining)
                workload_complete(run->wl, cls, client);
        if (run->draining && run->outstanding == 0)
                sim_stop(run->loop);
}

static void count_submit(struct sim_counts *c, int rc)
{
        c->submitted++;
        if (rc == AC_BACKLOGGED)
                c->backlogged++;
        else if (rc < 0)
                c->rejected++;
}

static void emit(void *ctx, const struct workload_request *rq)
{
        struct run *run = ctx;
        struct run_class *k = &run->classes[rq->cls];
        const struct workload_class_config *cfg = k->cfg;
        uint64_t now = sim_now(run->loop);
        struct run_request *r = pool_get(run);
        if (!r) {
                fprintf(stderr, "run: out of memory for requests\n");
                abort();
        }
        for (size_t i = 0; i < cfg->nchain; i++)
                r->stages[i] = (struct ac_stage){.op = k->ops[i], .bytes = rq->bytes};
        r->req.stages = r->stages;
        r->req.nstages = (uint32_t)cfg->nchain;
        r->req.priority = cfg->priority;
        r->req.flow = k->flow_base + rq->flow;
        r->req.done = request_done;
        r->req.user = run;
        r->id = run->next_id++;
        r->bytes = rq->bytes;
        r->cls = rq->cls;
        r->client = rq->client;
        r->measured = now >= run->warmup;
        r->traced = run->handoffs && r->id < run->res->trace_limit;
        r->overflow = false;
        r->nhanded = 0;
        bool measured = r->measured;
        run->arrival_hash = mix64(run->arrival_hash ^ now) ^
                            mix64(rq->bytes ^ (uint64_t)rq->cls << 48 ^ r->req.flow << 1);

        run->outstanding++;
        k->outstanding++;
        tally_set(&run->in_system, now, run->outstanding);
        tally_set(&k->in_system, now, k->outstanding);
        if (run->outstanding > run->res->max_in_flight)
                run->res->max_in_flight = run->outstanding;
        run->row.arrivals++;
        if (measured)
                run->window_arrivals++;

        /* r may have completed and gone back to the pool when this returns */
        int rc = ac_submit(run->core, &r->req);

        count_submit(&run->res->all, rc);
        count_submit(&k->all, rc);
        if (measured) {
                count_submit(&run->res->requests, rc);
                count_submit(&run->res->classes[rq->cls].requests, rc);
        }
        if (rc < 0) {
                run->row.rejected++;
                run->outstanding--;
                k->outstanding--;
                tally_set(&run->in_system, now, run->outstanding);
                tally_set(&k->in_system, now, k->outstanding);
                if (r->traced) {
                        r->req.submitted_ns = now;
                        trace_row(run, r, rc, true, now);
                }
                pool_put(run, r);
                if (rq->client != WORKLOAD_OPEN)
                        workload_complete(run->wl, rq->cls, rq->client);
        }
        cut_devices(run);
}

/* The observer's stage hook (ac/observer.h): follows d's queued and
 * in-flight counts as the core moves them, and notes d for the next cut.
 * Runs inside the core, which it must not call. */
static void observe_stage(void *ctx, const struct ac_stage_event *ev)
{
        struct run *run = ctx;
        struct run_device *d = run->by_core[ev->device];
        switch (ev->point) {
        case AC_STAGE_QUEUED:
                d->stages_queued++;
                break;
        case AC_STAGE_DISPATCHED:
                d->stages_queued--;
                d->stages_in_flight++;
                if (run->handoffs) {
                        struct run_request *r = sim_container_of(ev->req, struct run_request, req);
                        if (r->traced)
                                trace_handed(run, r, d, ev->stage);
                }
                break;
        case AC_STAGE_COMPLETED:
        case AC_STAGE_TIMED_OUT:
        case AC_STAGE_RECALLED:
                d->stages_in_flight--;
                break;
        case AC_STAGE_MOVED:
                d->stages_queued--;
                break;
        }
        if (!d->dirty) {
                d->dirty = true;
                run->dirty[run->ndirty++] = (size_t)(d - run->devices);
        }
}

/* The observer's device hook: a registered device gets its place in
 * by_core (registration may queue stages on it before it returns). */
static void observe_device(void *ctx, const struct ac_device_event *ev)
{
        struct run *run = ctx;
        if (ev->point == AC_DEVICE_ADDED) {
                assert(run->attaching && ev->device < run->ndevices);
                run->by_core[ev->device] = run->attaching;
        }
}

static const struct ac_observer_ops run_observer_ops = {
    .name = "sim-run",
    .stage = observe_stage,
    .device = observe_device,
};

/* After every core entry point (the platform's `after`, and the run's own
 * submits and attaches): cuts the tallies of the devices whose counts
 * moved, at now. Only a count that differs from the tally's is cut, so a
 * stage queued and dispatched in one entry point leaves the queue's tally
 * alone, exactly as if every device were looked at after every entry
 * point; but only the devices the tracepoints named are looked at. */
static void cut_devices(void *ctx)
{
        struct run *run = ctx;
        uint64_t now = sim_now(run->loop);
        for (size_t i = 0; i < run->ndirty; i++) {
                struct run_device *d = &run->devices[run->dirty[i]];
                d->dirty = false;
                if (d->stages_queued != d->queue.value)
                        tally_set(&d->queue, now, d->stages_queued);
                if (d->stages_in_flight != d->in_flight.value)
                        tally_set(&d->in_flight, now, d->stages_in_flight);
        }
        run->ndirty = 0;
}

/* ---- warm-up, time series, window --------------------------------------- */

static void warmup_end(struct sim_loop *loop, struct sim_event *ev)
{
        struct run *run = sim_container_of(ev, struct run, warmup_ev);
        uint64_t now = sim_now(loop);
        tally_reset(&run->in_system, now);
        for (size_t i = 0; i < run->nclasses; i++)
                tally_reset(&run->classes[i].in_system, now);
        for (size_t i = 0; i < run->ndevices; i++) {
                struct run_device *d = &run->devices[i];
                tally_reset(&d->queue, now);
                tally_reset(&d->in_flight, now);
                if (!d->attached)
                        continue; /* its counters start at 0 when it comes */
                ac_device_get_stats(d->sd.dev, &d->at_warmup);
                device_model_stats(d->sd.model, &d->model_at_warmup);
        }
}

static void sample(struct sim_loop *loop, struct sim_event *ev)
{
        struct run *run = sim_container_of(ev, struct run, sample_ev);
        struct sim_series *se = &run->res->series;
        uint64_t now = sim_now(loop);
        /* interval_ns, or less for the last row when the interval does not
         * divide the duration */
        double length = (double)(now - run->row_start);
        struct ac_engine_stats es;
        ac_engine_get_stats(run->core, &es);

        struct sim_series_row *row = &se->rows[se->nrows];
        *row = run->row;
        row->t_ns = now;
        row->retried = es.retried - run->retried_at_sample;
        row->mean_in_system = tally_window_mean(&run->in_system, now);
        run->retried_at_sample = es.retried;
        memset(&run->row, 0, sizeof(run->row));

        struct sim_series_device *cols = &se->devices[se->nrows * se->ndevices];
        for (size_t i = 0; i < run->ndevices; i++) {
                struct run_device *d = &run->devices[i];
                struct device_model_stats ms = {0};
                if (d->attached)
                        device_model_stats(d->sd.model, &ms);
                cols[i] = (struct sim_series_device){
                    .utilization =
                        (ms.busy_lane_ns - d->busy_at_sample) / ((double)d->cfg.lanes * length),
                    .mean_queue = tally_window_mean(&d->queue, now),
                    .mean_in_flight = tally_window_mean(&d->in_flight, now),
                };
                d->busy_at_sample = ms.busy_lane_ns;
        }
        se->nrows++;
        run->row_start = now;
        uint64_t next =
            run->duration - now > se->interval_ns ? now + se->interval_ns : run->duration;
        if (next > now && sim_schedule(loop, ev, next) != 0) {
                fprintf(stderr, "run: the event set cannot grow\n");
                abort();
        }
}

/* At the end of arrivals: the window's time averages. */
static void window_end(struct run *run)
{
        uint64_t now = sim_now(run->loop);
        double window = (double)(run->duration - run->warmup);
        run->res->mean_in_system = tally_mean(&run->in_system, now);
        for (size_t i = 0; i < run->nclasses; i++)
                run->res->classes[i].mean_in_system = tally_mean(&run->classes[i].in_system, now);
        for (size_t i = 0; i < run->ndevices; i++) {
                struct run_device *d = &run->devices[i];
                struct device_model_stats ms = {0};
                if (d->attached) /* not when it comes during the drain, or never */
                        device_model_stats(d->sd.model, &ms);
                d->utilization = (ms.busy_lane_ns - d->model_at_warmup.busy_lane_ns) /
                                 ((double)d->cfg.lanes * window);
                d->mean_queue = tally_mean(&d->queue, now);
                d->mean_in_flight = tally_mean(&d->in_flight, now);
        }
}

/* ---- build ------------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
        if (err && errlen) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(err, errlen, fmt, ap);
                va_end(ap);
        }
        return rc;
}

static char *copy_text(const char *s)
{
        size_t n = strlen(s) + 1;
        char *c = malloc(n);
        if (c)
                memcpy(c, s, n);
        return c;
}

static int build_core(struct run *run, uint64_t seed, char *err, size_t errlen)
{
        const struct scenario_engine *e = &run->s->engine;
        run->loop = sim_loop_create();
        if (!run->loop || sim_platform_init(&run->plat, run->loop, seed) < 0)
                return fail(err, errlen, AC_ENOMEM, "out of memory");
        run->plat_ready = true;
        run->plat.after = cut_devices;
        run->plat.after_ctx = run;

        struct ac_engine_config cfg;
        ac_engine_config_defaults(&cfg);
        cfg.policy = e->policy;
        cfg.policy_options = e->options;
        cfg.npolicy_options = e->noptions;
        cfg.queue_depth = e->queue_depth;
        cfg.backlog = e->backlog;
        cfg.priority_levels = e->levels;
        cfg.aging_ns = e->aging_ns;
        cfg.failover = e->failover;
        cfg.affinity = e->affinity;
        cfg.flow_order = e->flow_order;
        cfg.platform = sim_platform_seam(&run->plat);
        cfg.observer = (struct ac_observer){.ops = &run_observer_ops, .ctx = run};
        int rc = ac_engine_create(&cfg, &run->core);
        if (rc < 0)
                return fail(err, errlen, rc, "engine: %s", ac_strerror(rc));
        return 0;
}

/* Creates d's model and registers it with the core. Returns 0 or a
 * negative AC_E* code. */
static int attach_device(struct run *run, struct run_device *d)
{
        run->attaching = d;
        int rc = sim_device_attach(&d->sd, &run->plat, run->core, &d->cfg, d->sdev->fallback,
                                   d->sdev->weight, run->seed);
        run->attaching = NULL;
        if (rc == 0)
                d->attached = true;
        return rc;
}

/* The hot-add event: the device arrives while requests flow. Registration
 * may hand it queued or backlogged stages at once, so the tallies are
 * brought up to date as after any entry point that moves stages. */
static void attach_later(struct sim_loop *loop, struct sim_event *ev)
{
        struct run_device *d = sim_container_of(ev, struct run_device, attach_ev);
        struct run *run = d->run;
        (void)loop;
        int rc = attach_device(run, d);
        if (rc < 0) {
                fprintf(stderr, "run: cannot attach %s: %s\n", d->name, ac_strerror(rc));
                abort();
        }
        cut_devices(run);
}

static int build_devices(struct run *run, uint64_t seed, char *err, size_t errlen)
{
        const struct scenario *s = run->s;
        size_t n = scenario_device_total(s);
        run->devices = calloc(n, sizeof(*run->devices));
        run->by_core = calloc(n ? n : 1, sizeof(*run->by_core));
        run->dirty = calloc(n ? n : 1, sizeof(*run->dirty));
        run->res->devices = calloc(n, sizeof(*run->res->devices));
        if (!run->devices || !run->by_core || !run->dirty || !run->res->devices)
                return fail(err, errlen, AC_ENOMEM, "out of memory");
        run->ndevices = n;
        run->res->ndevices = n;
        for (size_t i = 0; i < n; i++) {
                struct run_device *d = &run->devices[i];
                char name[256];
                const struct scenario_device *sd = scenario_device_expand(s, i, name, sizeof(name));
                d->name = copy_text(name);
                run->res->devices[i].name = copy_text(name);
                if (!d->name || !run->res->devices[i].name)
                        return fail(err, errlen, AC_ENOMEM, "out of memory");
                d->cfg = sd->model;
                d->cfg.name = d->name;
                d->cfg.nfaults = 0;
                d->cfg.faults = NULL;
                for (size_t f = 0; f < s->nfaults; f++)
                        if (strcmp(s->faults[f].device, name) == 0)
                                d->cfg.nfaults++;
                if (d->cfg.nfaults) {
                        d->cfg.faults = calloc(d->cfg.nfaults, sizeof(*d->cfg.faults));
                        if (!d->cfg.faults)
                                return fail(err, errlen, AC_ENOMEM, "out of memory");
                        size_t j = 0;
                        for (size_t f = 0; f < s->nfaults; f++)
                                if (strcmp(s->faults[f].device, name) == 0)
                                        d->cfg.faults[j++] = s->faults[f].fault;
                }
                d->sdev = sd;
                d->run = run;
                run->res->devices[i].attach_ns = sd->attach_ns;
                tally_init(&d->queue);
                tally_init(&d->in_flight);
                if (sd->attach_ns > 0) {
                        /* hot-add: the device does not exist before its time */
                        sim_event_init(&d->attach_ev, attach_later);
                        if (sim_schedule(run->loop, &d->attach_ev, sd->attach_ns) != 0)
                                return fail(err, errlen, AC_ENOMEM, "out of memory");
                        continue;
                }
                int rc = attach_device(run, d);
                if (rc < 0)
                        return fail(err, errlen, rc, "device %s: %s", name, ac_strerror(rc));
        }
        return 0;
}

static gsl_rng *class_stream(struct run *run, uint64_t seed, const char *cls, const char *what)
{
        char name[512];
        snprintf(name, sizeof(name), "workload/%s/%s", cls, what);
        gsl_rng *r = sim_rng_stream(seed, name);
        if (r)
                run->rngs[run->nrngs++] = r;
        return r;
}

static int build_workload(struct run *run, uint64_t seed, char *err, size_t errlen)
{
        const struct scenario *s = run->s;
        size_t n = s->nclasses;
        run->classes = calloc(n, sizeof(*run->classes));
        run->res->classes = calloc(n, sizeof(*run->res->classes));
        run->rngs = calloc(3 * n, sizeof(*run->rngs));
        struct workload_rngs *rngs = calloc(n, sizeof(*rngs));
        if (!run->classes || !run->res->classes || !run->rngs || !rngs) {
                free(rngs);
                return fail(err, errlen, AC_ENOMEM, "out of memory");
        }
        run->nclasses = n;
        run->res->nclasses = n;
        uint32_t longest = 1;
        for (size_t i = 0; i < n; i++) {
                const struct workload_class_config *c = &s->classes[i];
                struct run_class *k = &run->classes[i];
                struct sim_class_result *cr = &run->res->classes[i];
                k->cfg = c;
                k->flow_base = (uint64_t)i << 40;
                tally_init(&k->in_system);
                hist_init(&cr->hist);
                cr->name = copy_text(c->name);
                k->ops = calloc(c->nchain, sizeof(*k->ops));
                if (!cr->name || !k->ops) {
                        free(rngs);
                        return fail(err, errlen, AC_ENOMEM, "out of memory");
                }
                for (size_t j = 0; j < c->nchain; j++) {
                        int id = ac_op_intern(run->core, c->chain[j]);
                        if (id < 0) {
                                free(rngs);
                                return fail(err, errlen, id, "workload.%s.chain: %s", c->name,
                                            ac_strerror(id));
                        }
                        k->ops[j] = (uint32_t)id;
                }
                if (c->nchain > longest)
                        longest = (uint32_t)c->nchain;
                rngs[i].arrival = class_stream(run, seed, c->name, "arrivals");
                rngs[i].size = class_stream(run, seed, c->name, "sizes");
                rngs[i].flow = class_stream(run, seed, c->name, "flows");
                if (!rngs[i].arrival || !rngs[i].size || !rngs[i].flow) {
                        free(rngs);
                        return fail(err, errlen, AC_ENOMEM, "out of memory");
                }
        }
        run->nstages = longest;
        size_t stride = sizeof(struct run_request) + longest * sizeof(struct ac_stage);
        if (s->run.trace) {
                /* the core hands a request to devices at most nstages + retries times */
                run->handoffs = longest + s->engine.failover.retries;
                stride += run->handoffs * sizeof(struct run_handoff);
        }
        size_t align = _Alignof(struct run_request);
        run->stride = (stride + align - 1) / align * align;

        static const struct workload_ops ops = {.emit = emit};
        int rc = workload_create(run->loop, s->classes, n, rngs, &ops, run, &run->wl);
        free(rngs);
        if (rc < 0)
                return fail(err, errlen, AC_EINVAL, "workload: cannot create the model");
        return 0;
}

static int build_series(struct run *run, char *err, size_t errlen)
{
        struct sim_series *se = &run->res->series;
        uint64_t interval = run->s->run.sample_ns;
        if (interval == 0)
                interval = run->duration / SIM_SERIES_DEFAULT;
        if (interval == 0)
                interval = 1;
        if ((run->duration + interval - 1) / interval > SIM_SERIES_MAX_ROWS)
                interval = (run->duration + SIM_SERIES_MAX_ROWS - 1) / SIM_SERIES_MAX_ROWS;
        /* the last row ends at the duration, shorter if need be */
        size_t rows = (size_t)((run->duration + interval - 1) / interval);
        se->interval_ns = interval;
        se->ndevices = run->ndevices;
        se->rows = calloc(rows ? rows : 1, sizeof(*se->rows));
        se->devices =
            calloc((rows ? rows : 1) * (run->ndevices ? run->ndevices : 1), sizeof(*se->devices));
        if (!se->rows || !se->devices)
                return fail(err, errlen, AC_ENOMEM, "out of memory");
        sim_event_init(&run->sample_ev, sample);
        if (rows && sim_schedule(run->loop, &run->sample_ev,
                                 interval < run->duration ? interval : run->duration) != 0)
                return fail(err, errlen, AC_ENOMEM, "out of memory");
        return 0;
}

/* ---- results ------------------------------------------------------------ */

static void fill_results(struct run *run)
{
        struct sim_results *res = run->res;
        double window_s = (double)(run->duration - run->warmup) * 1e-9;
        struct ac_engine_stats es;
        ac_engine_get_stats(run->core, &es);
        res->sim_time_ns = sim_now(run->loop);
        res->events = sim_events_fired(run->loop);
        res->late = es.late;
        res->timeouts = es.timeouts;
        res->order_hash = run->hash;
        res->arrival_hash = run->arrival_hash;
        sim_latency_from_hist(&res->latency, &res->hist);
        res->requests_per_s = (double)run->window_completed / window_s;
        res->bytes_per_s = (double)run->window_bytes / window_s;
        res->arrivals_per_s = (double)run->window_arrivals / window_s;
        for (size_t i = 0; i < run->nclasses; i++) {
                struct sim_class_result *cr = &res->classes[i];
                sim_latency_from_hist(&cr->latency, &cr->hist);
                cr->requests_per_s = (double)run->classes[i].window_completed / window_s;
                cr->bytes_per_s = (double)run->classes[i].window_bytes / window_s;
        }

        size_t nfaults = 0;
        for (size_t i = 0; i < run->ndevices; i++) {
                struct run_device *d = &run->devices[i];
                struct sim_device_result *dr = &res->devices[i];
                struct ac_device_stats st;
                struct device_model_stats ms;
                dr->lanes = d->cfg.lanes;
                dr->ring = d->cfg.ring;
                if (!d->attached) /* its time came after the drain, or never */
                        continue;
                ac_device_get_stats(d->sd.dev, &st);
                device_model_stats(d->sd.model, &ms);
                dr->utilization = d->utilization;
                dr->mean_queue = d->mean_queue;
                dr->mean_in_flight = d->mean_in_flight;
                dr->completed = st.completed - d->at_warmup.completed;
                dr->errors = st.errors - d->at_warmup.errors;
                dr->failures = st.failures - d->at_warmup.failures;
                dr->timeouts = st.timeouts - d->at_warmup.timeouts;
                dr->late = st.late - d->at_warmup.late;
                dr->migrated_out = st.migrated_out - d->at_warmup.migrated_out;
                dr->dropped = ms.dropped - d->model_at_warmup.dropped;
                size_t n;
                device_model_timeline(d->sd.model, &n);
                nfaults += n;
        }
        res->faults = calloc(nfaults ? nfaults : 1, sizeof(*res->faults));
        if (!res->faults) {
                fprintf(stderr, "run: out of memory for the fault timeline\n");
                abort();
        }
        for (size_t i = 0; i < run->ndevices; i++) {
                size_t n;
                if (!run->devices[i].attached)
                        continue;
                const struct device_fault_record *t =
                    device_model_timeline(run->devices[i].sd.model, &n);
                for (size_t j = 0; j < n; j++)
                        res->faults[res->nfaults++] =
                            (struct sim_fault_result){.device = i, .record = t[j]};
        }
}

/* Every request is accounted for, and the core agrees. */
static void check_conservation(const struct run *run)
{
        const struct sim_results *res = run->res;
        struct ac_engine_stats es;
        ac_engine_get_stats(run->core, &es);
        assert(run->outstanding == 0);
        assert(ac_engine_idle(run->core));
        assert(res->all.submitted == res->all.completed + res->all.failed + res->all.rejected);
        assert(res->requests.submitted ==
               res->requests.completed + res->requests.failed + res->requests.rejected);
        assert(es.submitted == res->all.submitted && es.completed == res->all.completed &&
               es.failed == res->all.failed && es.rejected == res->all.rejected);
        for (size_t i = 0; i < run->nclasses; i++) {
                const struct sim_counts *c = &run->classes[i].all;
                assert(c->submitted == c->completed + c->failed + c->rejected);
                (void)c;
        }
        (void)res;
        (void)es;
}

/* ---- teardown ----------------------------------------------------------- */

static void teardown(struct run *run)
{
        workload_destroy(run->wl);
        ac_engine_destroy(run->core);
        for (size_t i = 0; i < run->ndevices; i++) {
                struct run_device *d = &run->devices[i];
                if (sim_pending(&d->attach_ev)) /* its time never came */
                        sim_cancel(run->loop, &d->attach_ev);
                if (d->attached)
                        sim_device_detach(&d->sd);
                free(d->cfg.faults);
                free(d->name);
        }
        free(run->devices);
        free(run->by_core);
        free(run->dirty);
        for (size_t i = 0; i < run->nclasses; i++)
                free(run->classes[i].ops);
        free(run->classes);
        for (size_t i = 0; i < run->nrngs; i++)
                gsl_rng_free(run->rngs[i]);
        free(run->rngs);
        for (size_t i = 0; i < run->nchunks; i++)
                free(run->chunks[i]);
        free(run->chunks);
        if (run->plat_ready)
                sim_platform_fini(&run->plat);
        sim_loop_destroy(run->loop);
}

/* ---- the run ------------------------------------------------------------ */

uint64_t sim_run_drain_cap(const struct scenario *s)
{
        if (s->run.drain_cap_ns)
                return s->run.drain_cap_ns;
        const struct ac_failover_config *f = &s->engine.failover;
        uint64_t cap = 4 * ((uint64_t)f->retries + 1) * (f->timeout_ns + f->probe_ns);
        return cap > 1000000000u ? cap : 1000000000u;
}

static double seconds(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs the arrival phase up to `end`, in slices when watched. */
static void run_arrivals(struct sim_loop *loop, uint64_t end, const struct sim_run_watch *watch)
{
        if (watch == NULL || watch->progress == NULL) {
                sim_run_until(loop, end);
                return;
        }
        uint64_t step = end / SIM_RUN_WATCH_STEPS ? end / SIM_RUN_WATCH_STEPS : 1;
        for (uint64_t t = sim_now(loop); t < end;) {
                t = end - t > step ? t + step : end;
                sim_run_until(loop, t);
                watch->progress(watch->ctx, sim_now(loop), end, sim_events_fired(loop));
        }
}

int sim_run(const struct scenario *s, uint32_t replication, struct sim_results *out, char *err,
            size_t errlen)
{
        return sim_run_watched(s, replication, NULL, out, err, errlen);
}

int sim_run_watched(const struct scenario *s, uint32_t replication,
                    const struct sim_run_watch *watch, struct sim_results *out, char *err,
                    size_t errlen)
{
        memset(out, 0, sizeof(*out));
        if (!s->prepared)
                return fail(err, errlen, AC_EINVAL, "the scenario is not prepared");
        double started = seconds();
        uint64_t seed = sim_rng_derive(s->seed, replication);
        struct run run = {
            .s = s,
            .res = out,
            .warmup = s->run.warmup_ns,
            .duration = s->run.duration_ns,
            .hash = 0x6a09e667f3bcc908u,
            .arrival_hash = 0xbb67ae8584caa73bu,
            .seed = seed,
        };
        out->seed = s->seed;
        out->replication = replication;
        out->replication_seed = seed;
        out->duration_ns = s->run.duration_ns;
        out->warmup_ns = s->run.warmup_ns;
        out->scenario = copy_text(s->name ? s->name : "");
        out->policy = copy_text(s->engine.policy);
        hist_init(&out->hist);
        tally_init(&run.in_system);

        int rc = 0;
        if (!out->scenario || !out->policy)
                rc = fail(err, errlen, AC_ENOMEM, "out of memory");
        if (rc == 0 && s->run.trace) {
                out->trace_limit = s->run.trace_limit;
                out->trace = tmpfile();
                if (!out->trace)
                        rc = fail(err, errlen, AC_ENOMEM, "trace: no temporary file");
        }
        if (rc == 0)
                rc = build_core(&run, seed, err, errlen);
        if (rc == 0)
                rc = build_devices(&run, seed, err, errlen);
        if (rc == 0)
                rc = build_workload(&run, seed, err, errlen);
        if (rc == 0)
                rc = build_series(&run, err, errlen);
        if (rc < 0) {
                teardown(&run);
                sim_results_free(out);
                return rc;
        }

        sim_event_init(&run.warmup_ev, warmup_end);
        if (run.warmup == 0)
                warmup_end(run.loop, &run.warmup_ev);
        else if (sim_schedule(run.loop, &run.warmup_ev, run.warmup) != 0)
                abort();
        workload_start(run.wl, run.duration);
        run_arrivals(run.loop, run.duration, watch);
        window_end(&run);

        /* the drain: no more arrivals; wait for every callback */
        workload_stop(run.wl);
        sim_cancel(run.loop, &run.sample_ev);
        run.draining = true;
        if (run.outstanding > 0)
                sim_run_until(run.loop, run.duration + sim_run_drain_cap(s));
        if (run.outstanding > 0) {
                out->drain_capped = true;
                out->unfinished = run.outstanding;
        }
        fill_results(&run);
        out->trace_truncated = out->trace && run.next_id > out->trace_limit;
        if (out->trace && (fflush(out->trace) != 0 || ferror(out->trace))) {
                teardown(&run);
                sim_results_free(out);
                return fail(err, errlen, AC_ENOMEM, "trace: cannot write the temporary file");
        }
        if (!out->drain_capped)
                check_conservation(&run);
        teardown(&run);
        out->wall_time_s = seconds() - started;
        return 0;
}

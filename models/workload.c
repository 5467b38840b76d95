/*
 * models/workload.c - the workload classes of models/workload.h.
 *
 * Each class has one arrival event (open processes, trace replay), one
 * phase event (on/off) and, for closed loop, one event per client, all
 * preallocated at creation. Open-loop arrival times are kept as doubles and
 * rounded only when scheduled, so gaps shorter than a nanosecond or
 * fractional periods do not drift.
 */
#include "models/workload.h"
#include "sim/des/exponential.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#define sim_container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

struct client {
        struct sim_event ev; /* next issue */
        struct class_state *cls;
        uint32_t id;
        bool waiting; /* a request is out */
};

struct class_state {
        struct sim_event arrival; /* next open arrival or trace row */
        struct sim_event phase;   /* on/off: the next state change */
        struct workload *wl;
        const struct workload_class_config *cfg;
        struct workload_rngs rng;
        uint32_t index;
        double next; /* next arrival, ns (open processes) */
        uint64_t k;  /* constant: arrivals so far; trace: next row */
        bool on;     /* on/off state */
        uint64_t rr; /* round-robin flow cursor */
        uint64_t emitted;
        bool size_constant;  /* a constant size: size_bytes, rounded once */
        uint64_t size_bytes; /* for size_constant */
        struct client *clients;
        uint32_t nclients;
};

struct workload {
        struct sim_loop *loop;
        const struct workload_ops *ops;
        void *ctx;
        struct class_state *classes;
        size_t n;
        uint64_t start, end;
        double end_at; /* end as a double, for due() */
        bool started, stopped;
};

static const char *const process_names[] = {
    [ARRIVAL_POISSON] = "poisson", [ARRIVAL_CONSTANT] = "constant", [ARRIVAL_ONOFF] = "on-off",
    [ARRIVAL_CLOSED] = "closed",   [ARRIVAL_TRACE] = "trace",
};

const char *arrival_process_name(enum arrival_process p)
{
        if ((unsigned)p >= sizeof(process_names) / sizeof(process_names[0]))
                return NULL;
        return process_names[p];
}

/* ---- configuration -------------------------------------------------------- */

static int refuse(char *err, size_t errlen, const char *cls, const char *what)
{
        if (err && errlen)
                snprintf(err, errlen, "class %s: %s", cls ? cls : "?", what);
        return -1;
}

static bool positive(double x)
{
        return isfinite(x) && x > 0.0;
}

int workload_class_prepare(struct workload_class_config *c, char *err, size_t errlen)
{
        struct arrival_config *a = &c->arrival;
        const char *why = NULL;
        if (c->flows < 1)
                return refuse(err, errlen, c->name, "flows must be >= 1");
        if (c->nchain < 1 || !c->chain)
                return refuse(err, errlen, c->name, "the chain needs at least one op");
        if ((unsigned)c->flow_pick > FLOW_ROUND_ROBIN)
                return refuse(err, errlen, c->name, "unknown flow pick");
        if (a->process != ARRIVAL_TRACE && dist_prepare(&c->size, &why) < 0)
                return refuse(err, errlen, c->name, why);
        switch (a->process) {
        case ARRIVAL_POISSON:
        case ARRIVAL_CONSTANT:
                if (!positive(a->rate))
                        return refuse(err, errlen, c->name, "rate must be > 0");
                break;
        case ARRIVAL_ONOFF:
                if (!positive(a->rate_on))
                        return refuse(err, errlen, c->name, "onoff: rate_on must be > 0");
                if (!(isfinite(a->rate_off) && a->rate_off >= 0.0))
                        return refuse(err, errlen, c->name, "onoff: rate_off must be >= 0");
                if (!positive(a->mean_on_ns) || !positive(a->mean_off_ns))
                        return refuse(err, errlen, c->name, "onoff: on and off times must be > 0");
                break;
        case ARRIVAL_CLOSED:
                if (a->clients < 1)
                        return refuse(err, errlen, c->name, "closed: clients must be >= 1");
                if (dist_prepare(&a->think, &why) < 0)
                        return refuse(err, errlen, c->name, why);
                break;
        case ARRIVAL_TRACE:
                if (!a->file)
                        return refuse(err, errlen, c->name, "trace: no file");
                trace_free(&a->trace);
                if (trace_load(a->file, c->name, &a->trace, err, errlen) < 0)
                        return -1;
                break;
        default:
                return refuse(err, errlen, c->name, "unknown arrival process");
        }
        return 0;
}

void workload_class_free(struct workload_class_config *c)
{
        trace_free(&c->arrival.trace);
        dist_free(&c->arrival.think);
        dist_free(&c->size);
}

/* ---- emitting ------------------------------------------------------------- */

/* A schedule that fails for want of memory stops the loop, which its
 * runner reports (sim_loop_failed). */
static void arm(struct workload *wl, struct sim_event *ev, uint64_t when)
{
        (void)sim_schedule(wl->loop, ev, when);
}

/* Rounds an arrival time; false when it is at or past the end. */
static bool due(const struct workload *wl, double t, uint64_t *when)
{
        if (!(t < wl->end_at))
                return false;
        uint64_t now = sim_now(wl->loop);
        uint64_t r = t >= 0 && t < 0x1p63 ? dist_round(t) : (uint64_t)llround(t);
        *when = r > now ? r : now;
        return *when < wl->end;
}

static uint64_t pick_flow(struct class_state *k)
{
        uint32_t flows = k->cfg->flows;
        if (flows <= 1)
                return 0;
        if (k->cfg->flow_pick == FLOW_ROUND_ROBIN)
                return k->rr++ % flows;
        return gsl_rng_uniform_int(k->rng.flow, flows);
}

static void emit(struct class_state *k, uint32_t client, uint64_t bytes)
{
        struct workload_request rq = {
            .cls = k->index, .client = client, .bytes = bytes, .flow = pick_flow(k)};
        k->emitted++;
        k->wl->ops->emit(k->wl->ctx, &rq);
}

static uint64_t draw_size(struct class_state *k)
{
        if (k->size_constant) /* rounded at workload_create(): no stream draws */
                return k->size_bytes;
        double b = dist_sample(&k->cfg->size, k->rng.size);
        return b > 0.0 ? (b < 0x1p63 ? dist_round(b) : (uint64_t)llround(b)) : 0;
}

/* ---- open processes ------------------------------------------------------- */

/* Schedules the next open arrival, `gap_ns` after the last one. */
static void next_arrival(struct class_state *k, double gap_ns)
{
        uint64_t when;
        k->next += gap_ns;
        if (due(k->wl, k->next, &when))
                arm(k->wl, &k->arrival, when);
}

static double current_rate(const struct class_state *k)
{
        const struct arrival_config *a = &k->cfg->arrival;
        if (a->process == ARRIVAL_ONOFF)
                return k->on ? a->rate_on : a->rate_off;
        return a->rate;
}

static void open_arrive(struct sim_loop *loop, struct sim_event *ev)
{
        struct class_state *k = sim_container_of(ev, struct class_state, arrival);
        const struct arrival_config *a = &k->cfg->arrival;
        emit(k, WORKLOAD_OPEN, draw_size(k));
        if (k->wl->stopped)
                return;
        if (a->process == ARRIVAL_CONSTANT) {
                /* from the start, so fractional periods do not drift */
                k->k++;
                k->next = (double)k->wl->start;
                next_arrival(k, (double)k->k * 1e9 / a->rate);
        } else {
                next_arrival(k, 1e9 / current_rate(k) * sim_exponential(k->rng.arrival));
        }
}

/* on/off: enters a state at time now, draws its length and the first
 * arrival in it (both exponential, so redrawing at a change is exact). */
static void enter_state(struct class_state *k, bool on)
{
        const struct arrival_config *a = &k->cfg->arrival;
        struct workload *wl = k->wl;
        uint64_t now = sim_now(wl->loop);
        k->on = on;
        double length = (on ? a->mean_on_ns : a->mean_off_ns) * sim_exponential(k->rng.arrival);
        uint64_t when;
        if (due(wl, (double)now + length, &when))
                arm(wl, &k->phase, when);
        sim_cancel(wl->loop, &k->arrival);
        double rate = current_rate(k);
        if (rate > 0.0) {
                k->next = (double)now;
                next_arrival(k, (1e9 / rate) * sim_exponential(k->rng.arrival));
        }
}

static void phase_change(struct sim_loop *loop, struct sim_event *ev)
{
        struct class_state *k = sim_container_of(ev, struct class_state, phase);
        enter_state(k, !k->on);
}

/* ---- trace replay --------------------------------------------------------- */

static void trace_arrive(struct sim_loop *loop, struct sim_event *ev)
{
        struct class_state *k = sim_container_of(ev, struct class_state, arrival);
        const struct trace *t = &k->cfg->arrival.trace;
        struct workload *wl = k->wl;
        uint64_t now = sim_now(loop);
        /* every row due now, in file order */
        while (k->k < t->n && wl->start + t->rows[k->k].time_ns <= now) {
                emit(k, WORKLOAD_OPEN, t->rows[k->k].bytes);
                k->k++;
                if (wl->stopped)
                        return;
        }
        if (k->k < t->n && wl->start + t->rows[k->k].time_ns < wl->end)
                arm(wl, &k->arrival, wl->start + t->rows[k->k].time_ns);
}

/* ---- closed loop ---------------------------------------------------------- */

static void client_issue(struct sim_loop *loop, struct sim_event *ev)
{
        struct client *c = sim_container_of(ev, struct client, ev);
        c->waiting = true;
        emit(c->cls, c->id, draw_size(c->cls));
}

static void client_think(struct class_state *k, struct client *c)
{
        struct workload *wl = k->wl;
        double t = (double)sim_now(wl->loop) + dist_sample(&k->cfg->arrival.think, k->rng.arrival);
        uint64_t when;
        if (!wl->stopped && due(wl, t, &when))
                arm(wl, &c->ev, when);
}

void workload_complete(struct workload *wl, uint32_t cls, uint32_t client)
{
        assert(cls < wl->n);
        struct class_state *k = &wl->classes[cls];
        assert(client < k->nclients);
        struct client *c = &k->clients[client];
        assert(c->waiting && "a completion for a client with nothing out");
        c->waiting = false;
        client_think(k, c);
}

/* ---- life ----------------------------------------------------------------- */

int workload_create(struct sim_loop *loop, const struct workload_class_config *classes, size_t n,
                    const struct workload_rngs *rngs, const struct workload_ops *ops, void *ctx,
                    struct workload **out)
{
        if (!loop || (n && (!classes || !rngs)) || !ops || !ops->emit)
                return -1;
        for (size_t i = 0; i < n; i++) {
                if (!rngs[i].arrival || !rngs[i].size)
                        return -1;
                if (!rngs[i].flow && classes[i].flow_pick == FLOW_UNIFORM && classes[i].flows > 1)
                        return -1;
        }
        struct workload *wl = calloc(1, sizeof(*wl));
        if (!wl)
                return -1;
        wl->loop = loop;
        wl->ops = ops;
        wl->ctx = ctx;
        wl->n = n;
        wl->classes = calloc(n ? n : 1, sizeof(*wl->classes));
        if (!wl->classes) {
                free(wl);
                return -1;
        }
        for (size_t i = 0; i < n; i++) {
                struct class_state *k = &wl->classes[i];
                const struct arrival_config *a = &classes[i].arrival;
                k->wl = wl;
                k->cfg = &classes[i];
                k->rng = rngs[i];
                k->index = (uint32_t)i;
                if (classes[i].size.ready && classes[i].size.kind == DIST_CONSTANT) {
                        k->size_bytes = draw_size(k);
                        k->size_constant = true;
                }
                sim_event_init(&k->arrival,
                               a->process == ARRIVAL_TRACE ? trace_arrive : open_arrive);
                sim_event_init(&k->phase, phase_change);
                if (a->process != ARRIVAL_CLOSED)
                        continue;
                k->clients = calloc(a->clients, sizeof(*k->clients));
                if (!k->clients) {
                        workload_destroy(wl);
                        return -1;
                }
                k->nclients = a->clients;
                for (uint32_t j = 0; j < a->clients; j++) {
                        sim_event_init(&k->clients[j].ev, client_issue);
                        k->clients[j].cls = k;
                        k->clients[j].id = j;
                }
        }
        *out = wl;
        return 0;
}

int workload_start(struct workload *wl, uint64_t end_ns)
{
        if (wl->started)
                return -1;
        wl->started = true;
        wl->start = sim_now(wl->loop);
        wl->end = end_ns;
        wl->end_at = (double)end_ns;
        uint64_t when;
        for (size_t i = 0; i < wl->n; i++) {
                struct class_state *k = &wl->classes[i];
                const struct arrival_config *a = &k->cfg->arrival;
                k->next = (double)wl->start;
                switch (a->process) {
                case ARRIVAL_POISSON:
                        next_arrival(k, (1e9 / a->rate) * sim_exponential(k->rng.arrival));
                        break;
                case ARRIVAL_CONSTANT:
                        if (due(wl, k->next, &when))
                                arm(wl, &k->arrival, when);
                        break;
                case ARRIVAL_ONOFF: {
                        double p_on = a->mean_on_ns / (a->mean_on_ns + a->mean_off_ns);
                        enter_state(k, gsl_rng_uniform(k->rng.arrival) < p_on);
                        break;
                }
                case ARRIVAL_CLOSED:
                        for (uint32_t j = 0; j < a->clients; j++)
                                client_think(k, &k->clients[j]);
                        break;
                case ARRIVAL_TRACE:
                        if (a->trace.n > 0 && wl->start + a->trace.rows[0].time_ns < wl->end)
                                arm(wl, &k->arrival, wl->start + a->trace.rows[0].time_ns);
                        break;
                }
        }
        return 0;
}

static void cancel_all(struct workload *wl)
{
        for (size_t i = 0; i < wl->n; i++) {
                struct class_state *k = &wl->classes[i];
                sim_cancel(wl->loop, &k->arrival);
                sim_cancel(wl->loop, &k->phase);
                if (!k->clients)
                        continue;
                for (uint32_t j = 0; j < k->nclients; j++)
                        sim_cancel(wl->loop, &k->clients[j].ev);
        }
}

void workload_stop(struct workload *wl)
{
        wl->stopped = true;
        cancel_all(wl);
}

uint64_t workload_emitted(const struct workload *wl, uint32_t cls)
{
        assert(cls < wl->n);
        return wl->classes[cls].emitted;
}

void workload_destroy(struct workload *wl)
{
        if (!wl)
                return;
        cancel_all(wl);
        for (size_t i = 0; i < wl->n; i++)
                free(wl->classes[i].clients);
        free(wl->classes);
        free(wl);
}

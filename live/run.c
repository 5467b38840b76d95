/*
 * live/run.c - one live replication (live/run.h).
 *
 * Laid out as: the run's state; requests (their buffers, the io the
 * devices read them through, the callback that measures them); the class
 * threads that pace arrivals on the real clock (open loops) or issue for
 * their clients (closed loops); the fault thread (scheduled faults, random
 * failure processes, hot-adds); the sample thread (the time series); then
 * live_run(): build, run, drain, measure, shut down.
 *
 * Locks: the engine lock (the platform's), then a device's, then the run's
 * `mu`, which guards every counter below; a class's `mu` guards its issue
 * heap. Callbacks run with no engine lock held (the core's contract) and
 * take `mu` and their class's lock.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "live/affinity.h"
#include "live/device.h"
#include "live/platform.h"
#include "live/run.h"
#include "sim/des/rng.h"
#include "sim/run/run.h"
#include "sim/run/series.h"

/* ---- the run's state ------------------------------------------------- */

struct issue { /* one pending issue of a class: an arrival or a client */
        uint64_t at_ns;
        uint32_t client;
};

struct live_class {
        struct live_run *run;
        const struct workload_class_config *cfg;
        uint32_t index;
        uint32_t *ops; /* interned chain */
        gsl_rng *arrivals, *sizes, *flows;
        pthread_t thread;
        bool started;
        pthread_mutex_t mu;
        pthread_cond_t cv;
        struct issue *heap; /* min-heap on at_ns: one entry (open) or one per client */
        size_t nheap;
        uint64_t next_flow;
        struct live_req *spare; /* requests called back, kept with their buffers; under mu */
        /* open loops' state */
        bool on;            /* on/off: in the on state */
        uint64_t phase_end; /* on/off: when the state changes */
        size_t trace_row;   /* trace: the next row */
        /* measured, under run->mu */
        struct sim_class_result *res;
        uint64_t in_system;
        double in_system_area; /* over the window */
        uint64_t in_system_last;
};

struct live_dev {
        struct live_device dev;
        char *name;
        const struct scenario_device *sd;
        atomic_bool started;     /* registered: set by the main or the fault thread */
        uint64_t busy_at_warmup; /* live_device busy_ns */
        struct live_ledger ledger_at_warmup;
        uint64_t busy_at_row; /* the same at the last time-series row */
        struct ac_device_stats at_warmup;
        double queue_sum, in_flight_sum; /* samples in the window */
        uint64_t samples;
};

struct fault_action {
        uint64_t at_ns;
        size_t device;
        bool start;    /* start the fault, or end it (or attach, with mode < 0) */
        int mode;      /* enum device_fault_mode, or -1: attach the device */
        double param;  /* factor or probability */
        size_t record; /* index into res->faults */
};

struct live_run {
        const struct scenario *s;
        struct sim_results *res;
        uint64_t seed;
        struct live_platform plat;
        bool plat_ready;
        struct ac_engine *eng;
        uint8_t keys[LIVE_MAX_KEY];
        struct live_dev *devs;
        size_t ndevs;
        struct live_class *classes;
        size_t nclasses;
        struct fault_action *actions;
        size_t nactions;
        pthread_t fault_thread, sample_thread;
        bool fault_started, sample_started;
        pthread_cond_t fault_cv; /* the fault thread waits here (CLOCK_MONOTONIC) */
        bool stop_faults;        /* under mu: the drain is over */

        uint64_t duration, warmup, drain_cap;
        atomic_bool stop_issue; /* arrivals have stopped */

        pthread_mutex_t mu;
        pthread_cond_t idle; /* outstanding reached 0 */
        uint64_t outstanding, max_in_flight, next_id;
        double in_system_area; /* requests outstanding, integrated over the window */
        uint64_t in_system_last;
        uint64_t ok_in_window, bytes_in_window, arrivals_in_window;
        struct sim_series_row row; /* the row being counted */
        uint64_t retried_at_row;
        struct live_watch watch;
        struct live_path *path; /* NULL: not kept */
        uint32_t replication;

        /* the core's device events (res->device_events), from its observer
         * under the engine lock; ev_mu is taken after every other lock */
        pthread_mutex_t ev_mu;
        size_t *by_core;    /* the core's device index -> index into devs */
        size_t attaching;   /* the device being registered (one thread at a time) */
        bool events_closed; /* the drain is over: later events are not the run's */
        bool events_failed; /* out of memory for the list */
        bool *fault_began;  /* per res->faults record: its window started */

        /* run.memory: bytes of requests allocated (records and buffers,
         * the classes' spare ones too), under mu; held_full: an arrival
         * found no room, at held_at with held_outstanding outstanding */
        uint64_t held;
        bool held_full;
        bool issue_failed; /* an arrival had no request: run.memory or out of memory */
        uint64_t held_at, held_outstanding, held_asked;

        /* pinned lanes: the CPUs allowed, the first for the run's threads,
         * the others for the lanes in turn (next_cpu) */
        bool pinned;
        int cpus[LIVE_MAX_CPUS];
        int ncpus;
        unsigned next_cpu;

        /* the latencies of the time series' current row, under mu: every
         * callback's, the run's then each class's, as the simulator's rows */
        struct hist *row_hist;
};

static uint64_t now_of(struct live_run *run)
{
        return live_now_ns(&run->plat);
}

static void sleep_until(struct live_run *run, uint64_t t_ns)
{
        struct timespec ts = live_deadline(&run->plat, t_ns);
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                ;
}

/* Time-weighted count over [warmup, duration]: brought up to `now`. */
static void weigh(uint64_t count, uint64_t *last, double *area, uint64_t now, uint64_t from,
                  uint64_t to)
{
        uint64_t a = *last > from ? *last : from, b = now < to ? now : to;
        if (b > a)
                *area += (double)count * (double)(b - a);
        *last = now;
}

/* One request more (up) or fewer in the system at `now`, under run->mu:
 * the run's and the class's time-weighted counts are first brought up to
 * now. */
static void count_in_system(struct live_run *run, struct live_class *c, uint64_t now, bool up)
{
        weigh(run->outstanding, &run->in_system_last, &run->in_system_area, now, run->warmup,
              run->duration);
        weigh(c->in_system, &c->in_system_last, &c->in_system_area, now, run->warmup,
              run->duration);
        if (up) {
                run->outstanding++;
                c->in_system++;
                if (run->outstanding > run->max_in_flight)
                        run->max_in_flight = run->outstanding;
        } else {
                run->outstanding--;
                c->in_system--;
                if (run->outstanding == 0)
                        pthread_cond_broadcast(&run->idle);
        }
}

/* ---- requests -------------------------------------------------------- */

struct live_req {
        struct ac_request r; /* first: the callback gets it back */
        struct live_class *cls;
        struct live_req *next_spare;
        size_t cap; /* bytes each buffer holds */
        uint32_t client;
        uint64_t bytes;
        bool measured;
        uint8_t iv[12];
        uint8_t tag[LIVE_TAG];
        uint8_t *buf[2];        /* stage k reads buf[k % 2] and writes buf[(k + 1) % 2] */
        struct live_stamps *at; /* per stage, after stages[] in the same block */
        struct ac_stage stages[];
};

static void stage_io(void *ctx, struct ac_request *r, uint32_t stage, struct live_stage_io *io)
{
        struct live_req *q = (struct live_req *)r;
        (void)ctx;
        io->in = q->buf[stage % 2];
        io->out = q->buf[(stage + 1) % 2];
        io->tag = q->tag;
        io->iv = q->iv;
        io->stamps = &q->at[stage];
}

static void req_free(struct live_req *q)
{
        free(q->buf[0]);
        free(q->buf[1]);
        free(q);
}

/* Keeps q for the class's next request: buffers of large requests are
 * not mapped and unmapped for every one (which costs milliseconds of page
 * faults and TLB flushes on a virtual machine). */
static void req_put(struct live_req *q)
{
        struct live_class *c = q->cls;
        pthread_mutex_lock(&c->mu);
        q->next_spare = c->spare;
        c->spare = q;
        pthread_mutex_unlock(&c->mu);
}

/* A request of class c with room for `bytes`, zeroed but for its buffers;
 * or NULL when out of memory. */
/* Counts `more` bytes of requests against run.memory, under run->mu:
 * false (and the run marked full at `now`) when they do not fit. */
static bool hold(struct live_run *run, uint64_t more, uint64_t now)
{
        bool fits = false;
        pthread_mutex_lock(&run->mu);
        if (!run->held_full && more <= run->s->run.memory - run->held) {
                run->held += more;
                fits = true;
        } else if (!run->held_full) {
                run->held_full = true;
                run->held_at = now;
                run->held_outstanding = run->outstanding;
                run->held_asked = more;
        }
        pthread_mutex_unlock(&run->mu);
        return fits;
}

static struct live_req *req_get(struct live_class *c, uint64_t bytes, uint64_t now)
{
        pthread_mutex_lock(&c->mu);
        struct live_req *q = c->spare;
        if (q != NULL)
                c->spare = q->next_spare;
        pthread_mutex_unlock(&c->mu);
        size_t size = sizeof(*q) + c->cfg->nchain * (sizeof(struct ac_stage) + sizeof(*q->at));
        uint64_t more =
            (q == NULL ? size : 0) +
            (q == NULL || q->cap < bytes + 64 ? 2 * (bytes + 64 - (q ? q->cap : 0)) : 0);
        if (more > 0 && !hold(c->run, more, now)) {
                if (q != NULL)
                        req_put(q);
                return NULL;
        }
        if (q == NULL && (q = calloc(1, size)) == NULL)
                return NULL;
        uint8_t *b0 = q->buf[0], *b1 = q->buf[1];
        size_t cap = q->cap;
        memset(q, 0, size);
        q->buf[0] = b0;
        q->buf[1] = b1;
        q->cap = cap;
        q->cls = c;
        q->at = (struct live_stamps *)(void *)&q->stages[c->cfg->nchain];
        if (q->cap < bytes + 64) {
                uint8_t *n0 = realloc(q->buf[0], bytes + 64);
                if (n0 != NULL)
                        q->buf[0] = n0;
                uint8_t *n1 = n0 ? realloc(q->buf[1], bytes + 64) : NULL;
                if (n1 != NULL)
                        q->buf[1] = n1;
                if (n0 == NULL || n1 == NULL) {
                        req_free(q);
                        return NULL;
                }
                q->cap = bytes + 64;
                /* touched here, by the submitter, so that a device's worker
                 * never takes the page faults of a new buffer */
                memset(q->buf[0], 0x5a, q->cap);
                memset(q->buf[1], 0, q->cap);
        }
        return q;
}

static void think_again(struct live_class *c, uint64_t now, uint32_t client);

const char *const live_segment_names[LIVE_SEGMENTS] = {
    "submit_to_driver",    "driver_to_worker", "worker_to_transform", "transform",
    "transform_to_report", "report_to_core",   "core_to_callback",
};

static uint64_t span(uint64_t from, uint64_t to)
{
        return to > from ? to - from : 0;
}

/* Adds where request q spent its time (docs/live.md, "Where a live request
 * spends its time") to the run's path, under run->mu; `now` is its
 * callback's time. Each segment sums over the request's stages; a stage
 * after the first counts from its previous stage's report. Stamps are on
 * CLOCK_MONOTONIC, the core's times on the platform's clock. */
static void path_add(struct live_run *run, const struct live_req *q, uint64_t now)
{
        uint64_t o = run->plat.origin_ns, seg[LIVE_SEGMENTS] = {0};
        uint64_t prev = q->r.submitted_ns + o;
        for (uint32_t k = 0; k < q->r.nstages; k++) {
                const struct live_stamps *a = &q->at[k];
                if (a->report == 0)
                        return; /* a stage no worker reported (none on this path) */
                seg[LIVE_SEG_TO_DRIVER] += span(prev, a->driver);
                seg[LIVE_SEG_TO_WORKER] += span(a->driver, a->take);
                if (a->woke)
                        hist_add(&run->path->woken, span(a->driver, a->take));
                seg[LIVE_SEG_TO_TRANSFORM] += span(a->take, a->start);
                seg[LIVE_SEG_TRANSFORM] += span(a->start, a->end);
                seg[LIVE_SEG_TO_REPORT] += span(a->end, a->report);
                prev = a->report;
        }
        seg[LIVE_SEG_TO_CORE] = span(prev, q->r.completed_ns + o);
        seg[LIVE_SEG_TO_CALLBACK] = span(q->r.completed_ns, now);
        for (int i = 0; i < LIVE_SEGMENTS; i++)
                hist_add(&run->path->seg[i], seg[i]);
}

static void on_done(struct ac_request *r, int status)
{
        struct live_req *q = (struct live_req *)r;
        struct live_class *c = q->cls;
        struct live_run *run = c->run;
        uint64_t now = now_of(run);
        uint64_t latency = r->completed_ns - r->submitted_ns;
        pthread_mutex_lock(&run->mu);
        hist_add(&run->row_hist[0], span(r->submitted_ns, now));
        hist_add(&run->row_hist[1 + c->index], span(r->submitted_ns, now));
        struct sim_counts *counts[2] = {&run->res->all, q->measured ? &run->res->requests : NULL};
        for (int k = 0; k < 2; k++) {
                if (counts[k] == NULL)
                        continue;
                counts[k]->completed += status == 0;
                counts[k]->failed += status != 0;
                counts[k]->retried += r->retries;
                counts[k]->migrated += r->migrations;
        }
        if (q->measured) {
                struct sim_counts *cc = &c->res->requests;
                cc->completed += status == 0;
                cc->failed += status != 0;
                cc->retried += r->retries;
                cc->migrated += r->migrations;
                hist_add(&run->res->hist, latency);
                hist_add(&c->res->hist, latency);
                if (status == 0 && run->path != NULL)
                        path_add(run, q, now);
        }
        if (status == 0 && r->completed_ns >= run->warmup && r->completed_ns <= run->duration) {
                run->ok_in_window++;
                run->bytes_in_window += q->bytes;
                c->res->requests_per_s += 1; /* counts now; divided by the window at the end */
                c->res->bytes_per_s += (double)q->bytes;
        }
        run->row.completed += status == 0;
        run->row.failed += status != 0;
        count_in_system(run, c, now, false);
        pthread_mutex_unlock(&run->mu);
        uint32_t client = q->client;
        req_put(q);
        think_again(c, now, client);
}

/* Makes and submits one request of class c; returns the outcome of
 * ac_submit(), or AC_ENOMEM. */
/* Notes a submission at t_ns for the trace of the first run, under
 * run->mu (live_path.record_arrivals). */
static void record_arrival(struct live_run *run, uint64_t t_ns, uint64_t bytes, uint32_t cls)
{
        struct live_path *p = run->path;
        if (p == NULL || !p->record_arrivals || run->replication > 0 || p->arrivals_failed)
                return;
        if (p->narrivals == p->caparrivals) {
                size_t cap = p->caparrivals ? 2 * p->caparrivals : 4096;
                struct live_arrival *grown = realloc(p->arrivals, cap * sizeof(*grown));
                if (grown == NULL) {
                        p->arrivals_failed = true;
                        return;
                }
                p->arrivals = grown;
                p->caparrivals = cap;
        }
        p->arrivals[p->narrivals++] = (struct live_arrival){t_ns, bytes, cls};
}

static int issue(struct live_class *c, uint32_t client, uint64_t at, uint64_t now)
{
        struct live_run *run = c->run;
        const struct workload_class_config *cfg = c->cfg;
        uint64_t bytes;
        if (cfg->arrival.process == ARRIVAL_TRACE)
                bytes = cfg->arrival.trace.rows[c->trace_row - 1].bytes;
        else
                bytes = (uint64_t)llround(dist_sample(&cfg->size, c->sizes));
        if (bytes < 16) /* XTS takes a block; the scenario's sizes are rarely this small */
                bytes = 16;
        struct live_req *q = req_get(c, bytes, now);
        if (q == NULL)
                return AC_ENOMEM; /* run.memory, or the machine's */
        q->client = client;
        q->bytes = bytes;
        q->measured = now >= run->warmup;
        for (size_t k = 0; k < cfg->nchain; k++)
                q->stages[k] = (struct ac_stage){.op = c->ops[k], .bytes = bytes};
        q->r.stages = q->stages;
        q->r.nstages = (uint32_t)cfg->nchain;
        q->r.priority = cfg->priority;
        uint64_t flow = cfg->flow_pick == FLOW_ROUND_ROBIN
                            ? c->next_flow++ % cfg->flows
                            : (uint64_t)gsl_rng_uniform_int(c->flows, cfg->flows);
        q->r.flow = ((uint64_t)c->index << 40) | flow;
        q->r.done = on_done;

        pthread_mutex_lock(&run->mu);
        if (q->measured && run->path != NULL) /* how late the submitter was for it */
                hist_add(&run->path->late, span(at, now));
        uint64_t id = run->next_id++;
        memcpy(q->iv, &id, sizeof(id));
        count_in_system(run, c, now, true);
        pthread_mutex_unlock(&run->mu);

        bool measured = q->measured; /* q may be called back and freed inside ac_submit */
        uint64_t sent = now_of(run);
        int rc = ac_submit(run->eng, &q->r);

        pthread_mutex_lock(&run->mu);
        struct sim_counts *counts[3] = {&run->res->all, measured ? &run->res->requests : NULL,
                                        measured ? &c->res->requests : NULL};
        for (int k = 0; k < 3; k++) {
                if (counts[k] == NULL)
                        continue;
                counts[k]->submitted++;
                counts[k]->rejected += rc < 0;
                counts[k]->backlogged += rc == AC_BACKLOGGED;
        }
        record_arrival(run, sent, bytes, c->index);
        run->row.arrivals++;
        run->row.rejected += rc < 0;
        if (now >= run->warmup && now < run->duration)
                run->arrivals_in_window++;
        if (rc < 0) /* refused: never called back */
                count_in_system(run, c, now, false);
        pthread_mutex_unlock(&run->mu);
        if (rc < 0) {
                req_put(q);
                think_again(c, now, client); /* a refused client thinks again */
        }
        return rc;
}

/* ---- class threads --------------------------------------------------- */

static void heap_up(struct issue *h, size_t i)
{
        while (i > 0 && h[(i - 1) / 2].at_ns > h[i].at_ns) {
                struct issue t = h[i];
                h[i] = h[(i - 1) / 2];
                h[(i - 1) / 2] = t;
                i = (i - 1) / 2;
        }
}

static struct issue heap_pop(struct issue *h, size_t *n)
{
        struct issue top = h[0];
        h[0] = h[--*n];
        for (size_t i = 0;;) {
                size_t l = 2 * i + 1, m = i;
                if (l < *n && h[l].at_ns < h[m].at_ns)
                        m = l;
                if (l + 1 < *n && h[l + 1].at_ns < h[m].at_ns)
                        m = l + 1;
                if (m == i)
                        break;
                struct issue t = h[i];
                h[i] = h[m];
                h[m] = t;
                i = m;
        }
        return top;
}

/* A closed-loop client thinks from `now`, then issues again: its think
 * time drawn under the class's lock, as the class thread draws from the
 * same stream. Nothing for an open loop, or once arrivals have stopped. */
static void think_again(struct live_class *c, uint64_t now, uint32_t client)
{
        const struct arrival_config *a = &c->cfg->arrival;
        if (a->process != ARRIVAL_CLOSED)
                return;
        pthread_mutex_lock(&c->mu);
        if (!atomic_load(&c->run->stop_issue)) {
                uint64_t at = now + (uint64_t)llround(dist_sample(&a->think, c->arrivals));
                c->heap[c->nheap] = (struct issue){at, client};
                heap_up(c->heap, c->nheap++);
                pthread_cond_signal(&c->cv);
        }
        pthread_mutex_unlock(&c->mu);
}

/* The next arrival of an open loop after one at `t`, or UINT64_MAX when
 * there is none (the end of a trace). */
static uint64_t next_arrival(struct live_class *c, uint64_t t)
{
        const struct arrival_config *a = &c->cfg->arrival;
        switch (a->process) {
        case ARRIVAL_POISSON:
                return t + (uint64_t)llround(gsl_ran_exponential(c->arrivals, 1e9 / a->rate));
        case ARRIVAL_CONSTANT:
                return t + (uint64_t)llround(1e9 / a->rate);
        case ARRIVAL_ONOFF:
                for (;;) {
                        double rate = c->on ? a->rate_on : a->rate_off;
                        uint64_t next = rate > 0 ? t + (uint64_t)llround(gsl_ran_exponential(
                                                           c->arrivals, 1e9 / rate))
                                                 : UINT64_MAX;
                        if (next < c->phase_end)
                                return next;
                        /* memoryless: the phase changes, draw again from its end */
                        t = c->phase_end;
                        c->on = !c->on;
                        c->phase_end =
                            t + (uint64_t)llround(gsl_ran_exponential(
                                    c->arrivals, c->on ? a->mean_on_ns : a->mean_off_ns));
                }
        case ARRIVAL_TRACE:
                return c->trace_row < a->trace.n ? a->trace.rows[c->trace_row].time_ns : UINT64_MAX;
        case ARRIVAL_CLOSED:
                break;
        }
        return UINT64_MAX;
}

static void *class_main(void *arg)
{
        struct live_class *c = arg;
        struct live_run *run = c->run;
        bool open = c->cfg->arrival.process != ARRIVAL_CLOSED;
        pthread_mutex_lock(&c->mu);
        while (!atomic_load(&run->stop_issue)) {
                if (c->nheap == 0) {
                        pthread_cond_wait(&c->cv, &c->mu);
                        continue;
                }
                uint64_t at = c->heap[0].at_ns;
                if (at >= run->duration)
                        break;
                uint64_t now = now_of(run);
                if (now < at) {
                        pthread_mutex_unlock(&c->mu);
                        sleep_until(run, at < now + 5000000 ? at : now + 5000000);
                        pthread_mutex_lock(&c->mu);
                        continue; /* re-read: a closed loop's heap may have changed */
                }
                struct issue next = heap_pop(c->heap, &c->nheap);
                if (open) {
                        if (c->cfg->arrival.process == ARRIVAL_TRACE)
                                c->trace_row++;
                        uint64_t t = next_arrival(c, next.at_ns);
                        if (t != UINT64_MAX) {
                                c->heap[c->nheap] = (struct issue){t, 0};
                                heap_up(c->heap, c->nheap++);
                        }
                }
                pthread_mutex_unlock(&c->mu);
                if (issue(c, next.client, next.at_ns, now) == AC_ENOMEM) {
                        /* no room for the request: the run stops, no results */
                        pthread_mutex_lock(&run->mu);
                        run->issue_failed = true;
                        pthread_mutex_unlock(&run->mu);
                        atomic_store(&run->stop_issue, true);
                        pthread_mutex_lock(&c->mu);
                        break;
                }
                pthread_mutex_lock(&c->mu);
        }
        pthread_mutex_unlock(&c->mu);
        return NULL;
}

/* ---- faults ---------------------------------------------------------- */

static enum live_fault live_mode(int mode)
{
        switch (mode) {
        case DEVICE_FAULT_FAIL_STOP:
                return LIVE_FAIL_STOP;
        case DEVICE_FAULT_HANG:
                return LIVE_HANG;
        case DEVICE_FAULT_SLOW:
                return LIVE_SLOW;
        case DEVICE_FAULT_FLAKY:
                return LIVE_FLAKY;
        default:
                return LIVE_REMOVED;
        }
}

static int start_device(struct live_run *run, struct live_dev *d);

/* Waits until t_ns or until the run ends its faults; returns false then. */
static bool fault_wait(struct live_run *run, uint64_t t_ns)
{
        struct timespec ts = live_deadline(&run->plat, t_ns);
        pthread_mutex_lock(&run->mu);
        while (!run->stop_faults && now_of(run) < t_ns)
                if (pthread_cond_timedwait(&run->fault_cv, &run->mu, &ts) == ETIMEDOUT)
                        break;
        bool go = !run->stop_faults;
        pthread_mutex_unlock(&run->mu);
        return go;
}

static void *fault_main(void *arg)
{
        struct live_run *run = arg;
        for (size_t i = 0; i < run->nactions; i++) {
                struct fault_action *a = &run->actions[i];
                if (!fault_wait(run, a->at_ns))
                        break;
                struct live_dev *d = &run->devs[a->device];
                if (a->mode < 0) {
                        if (start_device(run, d) < 0)
                                fprintf(stderr, "live: cannot attach %s\n", d->name);
                        continue;
                }
                if (!d->started)
                        continue;
                uint64_t now = now_of(run);
                pthread_mutex_lock(&run->mu);
                struct device_fault_record *rec = &run->res->faults[a->record].record;
                if (a->start) {
                        rec->start_ns = now;
                        run->fault_began[a->record] = true;
                } else
                        rec->end_ns = now;
                pthread_mutex_unlock(&run->mu);
                live_device_inject(&d->dev, a->start ? live_mode(a->mode) : LIVE_OK, a->param);
        }
        return NULL;
}

static int cmp_action(const void *a, const void *b)
{
        const struct fault_action *x = a, *y = b;
        if (x->at_ns != y->at_ns)
                return x->at_ns < y->at_ns ? -1 : 1;
        return x->record < y->record ? -1 : x->record > y->record; /* stable by record */
}

/* Adds a fault window (end UINT64_MAX: for good) with its record. */
static int add_window(struct live_run *run, size_t dev, uint64_t start, uint64_t end, int mode,
                      double factor, double probability, int32_t process)
{
        size_t r = run->res->nfaults++;
        run->res->faults[r] = (struct sim_fault_result){.device = dev,
                                                        .record = {.start_ns = start,
                                                                   .end_ns = UINT64_MAX,
                                                                   .mode = mode,
                                                                   .factor = factor,
                                                                   .probability = probability,
                                                                   .process = process}};
        double param = mode == DEVICE_FAULT_SLOW ? factor : probability;
        run->actions[run->nactions++] = (struct fault_action){start, dev, true, mode, param, r};
        if (end != UINT64_MAX && mode != DEVICE_FAULT_REMOVE)
                run->actions[run->nactions++] =
                    (struct fault_action){end, dev, false, mode, param, r};
        return 0;
}

/* The timeline: scheduled faults, random failure processes drawn for the
 * whole run from the device's stream, and hot-adds. */
static int plan_faults(struct live_run *run, struct sim_error *e)
{
        const struct scenario *s = run->s;
        size_t windows = s->nfaults, cap = 0;
        for (size_t i = 0; i < run->ndevs; i++)
                for (size_t p = 0; p < run->devs[i].sd->model.nfailures; p++)
                        windows += 1000; /* at most this many episodes per process */
        cap = 2 * windows + run->ndevs;
        run->res->faults = calloc(windows ? windows : 1, sizeof(*run->res->faults));
        run->fault_began = calloc(windows ? windows : 1, sizeof(*run->fault_began));
        run->actions = calloc(cap ? cap : 1, sizeof(*run->actions));
        if (!run->res->faults || !run->fault_began || !run->actions)
                return sim_fail(e, -1, "out of memory");
        for (size_t i = 0; i < run->ndevs; i++)
                if (run->devs[i].sd->attach_ns > 0)
                        run->actions[run->nactions++] =
                            (struct fault_action){run->devs[i].sd->attach_ns, i, true, -1, 0, 0};
        for (size_t f = 0; f < s->nfaults; f++) {
                const struct device_fault_config *fc = &s->faults[f].fault;
                size_t dev = 0;
                while (dev < run->ndevs && strcmp(run->devs[dev].name, s->faults[f].device) != 0)
                        dev++;
                if (dev == run->ndevs)
                        continue; /* the loader checked the names */
                add_window(run, dev, fc->at_ns, fc->for_ns ? fc->at_ns + fc->for_ns : UINT64_MAX,
                           (int)fc->mode, fc->factor, fc->probability, -1);
        }
        for (size_t i = 0; i < run->ndevs; i++) {
                const struct device_config *m = &run->devs[i].sd->model;
                if (m->nfailures == 0)
                        continue;
                char name[300];
                snprintf(name, sizeof(name), "device/%s/faults", run->devs[i].name);
                gsl_rng *r = sim_rng_stream(run->seed, name);
                if (r == NULL)
                        return sim_fail(e, -1, "out of memory");
                for (size_t p = 0; p < m->nfailures; p++) {
                        const struct device_failure_config *fp = &m->failures[p];
                        if (fp->mode == DEVICE_FAULT_FLAKY) { /* a background for the whole run */
                                add_window(run, i, 0, UINT64_MAX, (int)fp->mode, 1.0,
                                           fp->probability, (int32_t)p);
                                continue;
                        }
                        uint64_t t = 0;
                        for (int k = 0; k < 1000; k++) {
                                t += (uint64_t)llround(dist_sample(&fp->ttf, r));
                                if (t >= run->duration)
                                        break;
                                uint64_t end = t + (uint64_t)llround(dist_sample(&fp->ttr, r));
                                add_window(run, i, t, end, (int)fp->mode, fp->factor,
                                           fp->probability, (int32_t)p);
                                t = end;
                        }
                }
                gsl_rng_free(r);
        }
        qsort(run->actions, run->nactions, sizeof(*run->actions), cmp_action);
        return 0;
}

/* ---- the time series ------------------------------------------------- */

static void *sample_main(void *arg)
{
        struct live_run *run = arg;
        struct sim_series *ser = &run->res->series;
        for (size_t k = 0; k < ser->nrows; k++) {
                uint64_t t = (k + 1) * ser->interval_ns;
                if (t > run->duration)
                        t = run->duration;
                sleep_until(run, t);
                struct ac_engine_stats es;
                ac_engine_get_stats(run->eng, &es);
                uint64_t now = now_of(run);
                pthread_mutex_lock(&run->mu);
                struct sim_series_row *row = &ser->rows[k];
                *row = run->row;
                row->t_ns = t;
                row->retried = es.retried - run->retried_at_row;
                row->mean_in_system = (double)run->outstanding;
                run->retried_at_row = es.retried;
                memset(&run->row, 0, sizeof(run->row));
                for (size_t j = 0; j < ser->nlatency; j++)
                        sim_series_cut_latency(&run->row_hist[j],
                                               &ser->latency[k * ser->nlatency + j]);
                uint64_t done = run->res->all.completed + run->res->all.failed;
                pthread_mutex_unlock(&run->mu);
                for (size_t i = 0; i < run->ndevs; i++) {
                        struct live_dev *d = &run->devs[i];
                        struct sim_series_device *cell = &ser->devices[k * ser->ndevices + i];
                        if (!d->started)
                                continue;
                        struct ac_device_stats ds;
                        ac_device_get_stats(d->dev.dev, &ds);
                        pthread_mutex_lock(&d->dev.mu);
                        uint64_t busy = d->dev.busy_ns;
                        pthread_mutex_unlock(&d->dev.mu);
                        cell->mean_queue = ds.queued;
                        cell->mean_in_flight = ds.in_flight;
                        /* busy lane time since the last row */
                        cell->utilization = (double)(busy - d->busy_at_row) /
                                            ((double)d->sd->model.lanes * (double)ser->interval_ns);
                        d->busy_at_row = busy;
                        if (t > run->warmup) {
                                d->queue_sum += ds.queued;
                                d->in_flight_sum += ds.in_flight;
                                d->samples++;
                        }
                }
                if (run->watch.progress)
                        run->watch.progress(run->watch.ctx, now, run->duration, done);
        }
        return NULL;
}

/* ---- building -------------------------------------------------------- */

bool live_op_known(void *ctx, const char *op)
{
        (void)ctx;
        return live_op_find(op) != NULL;
}

void live_facts_read(struct live_facts *f)
{
        memset(f, 0, sizeof(*f));
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        f->cpus = n > 0 ? (unsigned)n : 1;
        snprintf(f->openssl, sizeof(f->openssl), "%s", OpenSSL_version(OPENSSL_VERSION));
        snprintf(f->cpu, sizeof(f->cpu), "unknown");
        FILE *in = fopen("/proc/cpuinfo", "r");
        if (in == NULL)
                return;
        char line[512];
        while (fgets(line, sizeof(line), in)) {
                if (strncmp(line, "model name", 10) != 0)
                        continue;
                char *v = strchr(line, ':');
                if (v == NULL)
                        break;
                v += 1 + (v[1] == ' ');
                v[strcspn(v, "\n")] = '\0';
                snprintf(f->cpu, sizeof(f->cpu), "%s", v);
                break;
        }
        fclose(in);
}

/* The observer's device hook (ac/observer.h): each state change of a
 * device goes on the run's list of device events, with the platform's
 * time, as the simulator's run keeps them (device_events.csv). Runs
 * inside the core, under the engine lock, which it must not call. */
static void observe_device(void *ctx, const struct ac_device_event *ev)
{
        struct live_run *run = ctx;
        struct sim_results *res = run->res;
        pthread_mutex_lock(&run->ev_mu);
        if (ev->point == AC_DEVICE_ADDED && ev->device < run->ndevs)
                run->by_core[ev->device] = run->attaching;
        if (run->events_closed || run->events_failed || ev->device >= run->ndevs)
                goto out;
        if (res->ndevice_events == res->capdevice_events) {
                size_t cap = res->capdevice_events ? 2 * res->capdevice_events : 16;
                struct sim_device_event *grown = realloc(res->device_events, cap * sizeof(*grown));
                if (!grown) {
                        run->events_failed = true; /* the run reports it */
                        goto out;
                }
                res->device_events = grown;
                res->capdevice_events = cap;
        }
        res->device_events[res->ndevice_events++] = (struct sim_device_event){
            .t_ns = ev->now_ns,
            .device = (uint32_t)run->by_core[ev->device],
            .point = (uint16_t)ev->point,
            .cause = (uint16_t)ev->cause,
            .status = ev->status,
        };
out:
        pthread_mutex_unlock(&run->ev_mu);
}

static const struct ac_observer_ops live_observer_ops = {
    .name = "live-run",
    .device = observe_device,
};

/* After the drain: no later device event is the run's; the fault windows
 * that never began are dropped (as in a simulated run), and what the core
 * made of the others is read from the events. Returns 0, or -1 when the
 * events did not fit in memory. */
static int close_events(struct live_run *run)
{
        struct sim_results *res = run->res;
        pthread_mutex_lock(&run->ev_mu);
        run->events_closed = true;
        bool failed = run->events_failed;
        pthread_mutex_unlock(&run->ev_mu);
        if (failed)
                return -1;
        size_t kept = 0;
        pthread_mutex_lock(&run->mu);
        for (size_t i = 0; i < res->nfaults; i++)
                if (run->fault_began[i])
                        res->faults[kept++] = res->faults[i];
        res->nfaults = kept;
        pthread_mutex_unlock(&run->mu);
        run_detect_faults(res);
        return 0;
}

static int start_device(struct live_run *run, struct live_dev *d)
{
        const struct device_config *m = &d->sd->model;
        const char *names[AC_MAX_OPS];
        size_t n = m->nops < AC_MAX_OPS ? m->nops : AC_MAX_OPS;
        for (size_t k = 0; k < n; k++)
                names[k] = m->ops[k].name;
        struct live_device_config dc = {.name = d->name,
                                        .ops = names,
                                        .nops = n,
                                        .ring = m->ring,
                                        .lanes = m->lanes,
                                        .weight = d->sd->weight,
                                        .fallback = d->sd->fallback,
                                        .max_bytes = 64u << 20,
                                        .io = stage_io,
                                        .io_ctx = run,
                                        .seed = sim_rng_stream_seed(run->seed, d->name),
                                        .keys = run->keys};
        int *cpus = NULL;
        if (run->pinned) {
                if ((cpus = malloc(m->lanes * sizeof(*cpus))) == NULL)
                        return AC_ENOMEM;
                for (uint32_t k = 0; k < m->lanes; k++)
                        cpus[k] = run->cpus[1 + run->next_cpu++ % (unsigned)(run->ncpus - 1)];
                dc.lane_cpus = cpus;
        }
        pthread_mutex_lock(&run->ev_mu);
        run->attaching = (size_t)(d - run->devs);
        pthread_mutex_unlock(&run->ev_mu);
        int rc = live_device_start(&d->dev, run->eng, &dc);
        free(cpus);
        if (rc == 0)
                d->started = true;
        return rc;
}

static int build(struct live_run *run, struct sim_error *e)
{
        const struct scenario *s = run->s;
        for (size_t i = 0; i < sizeof(run->keys); i++)
                run->keys[i] = (uint8_t)(run->seed >> (8 * (i % 8))) ^ (uint8_t)(i * 29);
        if (live_platform_init(&run->plat, run->seed) < 0)
                return sim_fail(e, -1, "cannot start the timer thread");
        run->plat_ready = true;
        struct ac_engine_config ec;
        scenario_engine_config(s, &ec);
        ec.platform = live_platform_seam(&run->plat);
        ec.observer = (struct ac_observer){&live_observer_ops, run};
        run->ndevs = scenario_device_total(s);
        run->by_core = calloc(run->ndevs ? run->ndevs : 1, sizeof(*run->by_core));
        if (run->by_core == NULL)
                return sim_fail(e, -1, "out of memory");
        int rc = ac_engine_create(&ec, &run->eng);
        if (rc < 0)
                return sim_fail(e, rc == AC_ENOMEM ? -1 : -2, "engine: %s", ac_strerror(rc));

        run->devs = calloc(run->ndevs ? run->ndevs : 1, sizeof(*run->devs));
        run->res->devices = calloc(run->ndevs ? run->ndevs : 1, sizeof(*run->res->devices));
        if (!run->devs || !run->res->devices)
                return sim_fail(e, -1, "out of memory");
        run->res->ndevices = run->ndevs;
        for (size_t i = 0; i < run->ndevs; i++) {
                struct live_dev *d = &run->devs[i];
                char name[256];
                d->sd = scenario_device_expand(s, i, name, sizeof(name));
                d->name = strdup(name);
                run->res->devices[i].name = strdup(name);
                if (!d->name || !run->res->devices[i].name)
                        return sim_fail(e, -1, "out of memory");
                run->res->devices[i].lanes = d->sd->model.lanes;
                run->res->devices[i].ring = d->sd->model.ring;
                run->res->devices[i].attach_ns = d->sd->attach_ns;
                if (d->sd->attach_ns > 0)
                        continue;
                rc = start_device(run, d);
                if (rc < 0)
                        return sim_fail(e, rc == AC_ENOENT || rc == AC_EINVAL ? -2 : -1,
                                        "device %s: %s", name, ac_strerror(rc));
        }

        run->nclasses = s->nclasses;
        run->classes = calloc(s->nclasses ? s->nclasses : 1, sizeof(*run->classes));
        run->res->classes = calloc(s->nclasses ? s->nclasses : 1, sizeof(*run->res->classes));
        if (!run->classes || !run->res->classes)
                return sim_fail(e, -1, "out of memory");
        run->res->nclasses = s->nclasses;
        struct sim_series *ser = &run->res->series;
        ser->nlatency = s->nclasses + 1;
        ser->latency = calloc((ser->nrows ? ser->nrows : 1) * ser->nlatency, sizeof(*ser->latency));
        run->row_hist = malloc(ser->nlatency * sizeof(*run->row_hist));
        if (!ser->latency || !run->row_hist)
                return sim_fail(e, -1, "out of memory");
        for (size_t j = 0; j < ser->nlatency; j++)
                hist_init(&run->row_hist[j]);
        for (size_t i = 0; i < s->nclasses; i++) {
                struct live_class *c = &run->classes[i];
                const struct workload_class_config *cfg = &s->classes[i];
                c->run = run;
                c->cfg = cfg;
                c->index = (uint32_t)i;
                c->res = &run->res->classes[i];
                c->res->name = strdup(cfg->name);
                hist_init(&c->res->hist);
                c->ops = calloc(cfg->nchain, sizeof(*c->ops));
                size_t slots = cfg->arrival.process == ARRIVAL_CLOSED ? cfg->arrival.clients : 1;
                c->heap = calloc(slots, sizeof(*c->heap));
                char name[300];
                snprintf(name, sizeof(name), "workload/%s/arrivals", cfg->name);
                c->arrivals = sim_rng_stream(run->seed, name);
                snprintf(name, sizeof(name), "workload/%s/sizes", cfg->name);
                c->sizes = sim_rng_stream(run->seed, name);
                snprintf(name, sizeof(name), "workload/%s/flows", cfg->name);
                c->flows = sim_rng_stream(run->seed, name);
                if (!c->res->name || !c->ops || !c->heap || !c->arrivals || !c->sizes || !c->flows)
                        return sim_fail(e, -1, "out of memory");
                for (size_t k = 0; k < cfg->nchain; k++) {
                        int id = ac_op_intern(run->eng, cfg->chain[k]);
                        if (id < 0)
                                return sim_fail(e, -2, "workload.%s.chain: %s", cfg->name,
                                                ac_strerror(id));
                        c->ops[k] = (uint32_t)id;
                }
                pthread_mutex_init(&c->mu, NULL);
                pthread_cond_init(&c->cv, NULL);
                const struct arrival_config *a = &cfg->arrival;
                if (a->process == ARRIVAL_CLOSED) {
                        for (uint32_t k = 0; k < a->clients; k++) /* clients think first */
                                c->heap[c->nheap++] = (struct issue){
                                    (uint64_t)llround(dist_sample(&a->think, c->arrivals)), k};
                        for (size_t k = c->nheap; k-- > 0;)
                                heap_up(c->heap, k);
                } else {
                        c->on = true; /* on/off starts on */
                        if (a->process == ARRIVAL_ONOFF)
                                c->phase_end = (uint64_t)llround(
                                    gsl_ran_exponential(c->arrivals, a->mean_on_ns));
                        uint64_t first = a->process == ARRIVAL_CONSTANT ? 0 : next_arrival(c, 0);
                        if (first != UINT64_MAX)
                                c->heap[c->nheap++] = (struct issue){first, 0};
                }
        }
        return plan_faults(run, e);
}

/* ---- the end ---------------------------------------------------------- */

static void fill_results(struct live_run *run, uint64_t end_ns)
{
        struct sim_results *res = run->res;
        double window = (double)(run->duration - run->warmup);
        double window_s = window * 1e-9;
        struct ac_engine_stats es;
        ac_engine_get_stats(run->eng, &es);
        res->sim_time_ns = end_ns;
        res->events = run->next_id;
        sim_latency_from_hist(&res->latency, &res->hist);
        res->requests_per_s = (double)run->ok_in_window / window_s;
        res->bytes_per_s = (double)run->bytes_in_window / window_s;
        res->arrivals_per_s = (double)run->arrivals_in_window / window_s;
        res->mean_in_system = run->in_system_area / window;
        res->max_in_flight = run->max_in_flight;
        res->late = es.late;
        res->timeouts = es.timeouts;
        for (size_t i = 0; i < run->nclasses; i++) {
                struct live_class *c = &run->classes[i];
                sim_latency_from_hist(&c->res->latency, &c->res->hist);
                c->res->requests_per_s /= window_s;
                c->res->bytes_per_s /= window_s;
                c->res->mean_in_system = c->in_system_area / window;
        }
        for (size_t i = 0; i < run->ndevs; i++) {
                struct live_dev *d = &run->devs[i];
                struct sim_device_result *dr = &res->devices[i];
                if (!d->started)
                        continue;
                struct ac_device_stats ds;
                ac_device_get_stats(d->dev.dev, &ds);
                pthread_mutex_lock(&d->dev.mu);
                uint64_t busy = d->dev.busy_ns, dropped = d->dev.dropped;
                pthread_mutex_unlock(&d->dev.mu);
                uint64_t from = d->sd->attach_ns > run->warmup ? d->sd->attach_ns : run->warmup;
                double span = run->duration > from ? (double)(run->duration - from) : 1.0;
                dr->utilization =
                    (double)(busy - d->busy_at_warmup) / ((double)d->sd->model.lanes * span);
                if (dr->utilization > 1.0) /* busy time of the drain counted too */
                        dr->utilization = 1.0;
                sim_device_result_counts(dr, &ds, &d->at_warmup);
                dr->dropped = dropped;
                dr->mean_queue = d->samples ? d->queue_sum / (double)d->samples : 0;
                dr->mean_in_flight = d->samples ? d->in_flight_sum / (double)d->samples : 0;
        }
}

void live_path_init(struct live_path *path)
{
        memset(path, 0, sizeof(*path));
        for (int i = 0; i < LIVE_SEGMENTS; i++)
                hist_init(&path->seg[i]);
        hist_init(&path->woken);
        hist_init(&path->late);
}

void live_path_release(struct live_path *path)
{
        for (size_t i = 0; path->service && i < path->ndevices; i++)
                free(path->service[i].name);
        free(path->service);
        path->service = NULL;
        path->ndevices = 0;
        free(path->arrivals);
        path->arrivals = NULL;
        path->narrivals = path->caparrivals = 0;
}

static void add_sums(struct live_ledger *to, const struct live_ledger *l)
{
        to->stages += l->stages;
        to->held_ns += l->held_ns;
        to->held_sq += l->held_sq;
        to->gap_ns += l->gap_ns;
        to->woken += l->woken;
        to->wake_ns += l->wake_ns;
        to->wake_sq += l->wake_sq;
}

/* Adds what each device's lanes gave after the warm-up to run->path.
 * Returns 0, or -1 out of memory. */
static int service_add(struct live_run *run)
{
        struct live_path *p = run->path;
        if (p->service == NULL) {
                p->service = calloc(run->ndevs, sizeof(*p->service));
                if (p->service == NULL)
                        return -1;
                p->ndevices = run->ndevs;
                for (size_t i = 0; i < run->ndevs; i++)
                        if ((p->service[i].name = strdup(run->devs[i].name)) == NULL)
                                return -1;
        }
        for (size_t i = 0; i < run->ndevs && i < p->ndevices; i++) {
                struct live_dev *d = &run->devs[i];
                if (!d->started)
                        continue;
                pthread_mutex_lock(&d->dev.mu);
                struct live_ledger now = d->dev.ledger;
                pthread_mutex_unlock(&d->dev.mu);
                /* a device removed and started again counts from its start */
                struct live_ledger zero = {0};
                const struct live_ledger *from =
                    now.stages >= d->ledger_at_warmup.stages ? &d->ledger_at_warmup : &zero;
                struct live_ledger l = live_ledger_since(&now, from);
                add_sums(&p->service[i].ledger, &l);
        }
        return 0;
}

static void teardown(struct live_run *run)
{
        if (run->plat_ready)
                live_platform_stop(&run->plat); /* no timer fires after this */
        for (size_t i = 0; i < run->ndevs; i++)
                if (run->devs && run->devs[i].started)
                        live_device_stop(&run->devs[i].dev);
        if (run->eng)
                ac_engine_destroy(run->eng);
        if (run->plat_ready)
                live_platform_fini(&run->plat);
        for (size_t i = 0; run->devs && i < run->ndevs; i++)
                free(run->devs[i].name);
        free(run->devs);
        for (size_t i = 0; run->classes && i < run->nclasses; i++) {
                struct live_class *c = &run->classes[i];
                while (c->spare) {
                        struct live_req *q = c->spare;
                        c->spare = q->next_spare;
                        req_free(q);
                }
                free(c->ops);
                free(c->heap);
                if (c->arrivals)
                        gsl_rng_free(c->arrivals);
                if (c->sizes)
                        gsl_rng_free(c->sizes);
                if (c->flows)
                        gsl_rng_free(c->flows);
                if (c->res) {
                        pthread_mutex_destroy(&c->mu);
                        pthread_cond_destroy(&c->cv);
                }
        }
        free(run->classes);
        free(run->actions);
        free(run->fault_began);
        free(run->row_hist);
        free(run->by_core);
        pthread_mutex_destroy(&run->ev_mu);
        pthread_mutex_destroy(&run->mu);
        pthread_cond_destroy(&run->idle);
        pthread_cond_destroy(&run->fault_cv);
}

/* Snapshots what the device figures count from: the end of the warm-up. */
static void mark_warmup(struct live_run *run)
{
        for (size_t i = 0; i < run->ndevs; i++) {
                struct live_dev *d = &run->devs[i];
                if (!d->started)
                        continue;
                /* the core's counts and the device's at one instant: read
                 * the device's between two readings of the core's that
                 * agree (no completion reached the core in between) */
                struct ac_device_stats again;
                for (int k = 0; k < 100; k++) {
                        ac_device_get_stats(d->dev.dev, &d->at_warmup);
                        pthread_mutex_lock(&d->dev.mu);
                        d->busy_at_warmup = d->dev.busy_ns;
                        d->ledger_at_warmup = d->dev.ledger;
                        pthread_mutex_unlock(&d->dev.mu);
                        ac_device_get_stats(d->dev.dev, &again);
                        if (again.completed + again.errors + again.late ==
                            d->at_warmup.completed + d->at_warmup.errors + d->at_warmup.late)
                                break;
                }
        }
}

static enum sim_outcome run_live(const struct scenario *s, uint32_t replication,
                                 const struct live_watch *watch, bool pinned, const int *cpus,
                                 int ncpus, struct live_path *path, struct sim_results *out,
                                 struct sim_error *e)
{
        memset(out, 0, sizeof(*out));
        struct live_run run = {.s = s, .res = out};
        run.seed = sim_rng_derive(s->seed, replication);
        run.duration = s->run.duration_ns;
        run.warmup = s->run.warmup_ns;
        run.drain_cap = sim_run_drain_cap(s);
        if (watch)
                run.watch = *watch;
        run.path = path;
        run.replication = replication;
        run.pinned = pinned;
        if (pinned) {
                run.ncpus = ncpus < LIVE_MAX_CPUS ? ncpus : LIVE_MAX_CPUS;
                memcpy(run.cpus, cpus, (size_t)run.ncpus * sizeof(*cpus));
        }
        if (path != NULL)
                path->pinned = pinned;
        pthread_mutex_init(&run.mu, NULL);
        pthread_mutex_init(&run.ev_mu, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&run.idle, &ca);
        pthread_cond_init(&run.fault_cv, &ca);
        pthread_condattr_destroy(&ca);
        out->scenario = strdup(s->name);
        out->policy = strdup(s->engine.policy);
        out->seed = s->seed;
        out->replication = replication;
        out->replication_seed = run.seed;
        out->duration_ns = s->run.duration_ns;
        out->warmup_ns = s->run.warmup_ns;
        hist_init(&out->hist);
        uint64_t interval;
        out->series.nrows = (size_t)sim_series_rows(run.duration, s->run.sample_ns, &interval);
        out->series.interval_ns = interval;
        out->series.ndevices = scenario_device_total(s);
        out->series.rows = calloc(out->series.nrows, sizeof(*out->series.rows));
        out->series.devices =
            calloc(out->series.nrows * (out->series.ndevices ? out->series.ndevices : 1),
                   sizeof(*out->series.devices));
        struct timespec w0;
        clock_gettime(CLOCK_MONOTONIC, &w0);

        int rc = !out->scenario || !out->policy || !out->series.rows || !out->series.devices
                     ? sim_fail(e, -1, "out of memory")
                     : build(&run, e);
        if (rc == 0 && pthread_create(&run.fault_thread, NULL, fault_main, &run) == 0)
                run.fault_started = true;
        if (rc == 0 && pthread_create(&run.sample_thread, NULL, sample_main, &run) == 0)
                run.sample_started = true;
        for (size_t i = 0; rc == 0 && i < run.nclasses; i++)
                if (pthread_create(&run.classes[i].thread, NULL, class_main, &run.classes[i]) == 0)
                        run.classes[i].started = true;
        if (rc == 0 && (!run.fault_started || !run.sample_started))
                rc = sim_fail(e, -1, "cannot start threads");

        if (rc == 0 && run.warmup > 0) {
                sleep_until(&run, run.warmup);
                mark_warmup(&run);
        } else if (rc == 0) {
                mark_warmup(&run);
        }
        if (rc == 0)
                sleep_until(&run, run.duration);
        /* arrivals stop */
        atomic_store(&run.stop_issue, true);
        for (size_t i = 0; i < run.nclasses; i++) {
                struct live_class *c = &run.classes[i];
                if (!c->started)
                        continue;
                pthread_mutex_lock(&c->mu);
                pthread_cond_signal(&c->cv);
                pthread_mutex_unlock(&c->mu);
                pthread_join(c->thread, NULL);
        }
        if (run.sample_started)
                pthread_join(run.sample_thread, NULL);
        /* the drain: every accepted request called back, or the cap */
        if (rc == 0) {
                struct timespec ts = live_deadline(&run.plat, run.duration + run.drain_cap);
                pthread_mutex_lock(&run.mu);
                while (run.outstanding > 0)
                        if (pthread_cond_timedwait(&run.idle, &run.mu, &ts) == ETIMEDOUT)
                                break;
                out->drain_capped = run.outstanding > 0;
                out->unfinished = run.outstanding;
                pthread_mutex_unlock(&run.mu);
        }
        if (run.fault_started) { /* faults still to come do not matter any more */
                pthread_mutex_lock(&run.mu);
                run.stop_faults = true;
                pthread_cond_signal(&run.fault_cv);
                pthread_mutex_unlock(&run.mu);
                pthread_join(run.fault_thread, NULL);
        }
        if (rc == 0 && run.issue_failed && run.held_full) {
                uint64_t m = s->run.memory;
                rc = sim_fail(e, -2,
                              "run.memory: at most %" PRIu64 " bytes (%.4g MiB) of requests held "
                              "at once; an arrival at %.9g s needed %" PRIu64
                              " bytes more with %" PRIu64
                              " outstanding and %.4g MiB held (records and buffers, those kept for "
                              "reuse included), so replication %" PRIu32 " stopped there with no "
                              "results: raise run.memory, or lower the load or the sizes",
                              m, (double)m / 1048576.0, (double)run.held_at / 1e9, run.held_asked,
                              run.held_outstanding, (double)run.held / 1048576.0, replication);
        } else if (rc == 0 && run.issue_failed) {
                rc = sim_fail(e, -1, "out of memory for a request");
        }
        if (rc == 0 && close_events(&run) < 0)
                rc = sim_fail(e, -1, "out of memory");
        if (rc == 0)
                fill_results(&run, now_of(&run));
        if (rc == 0 && run.path != NULL && service_add(&run) < 0)
                rc = sim_fail(e, -1, "out of memory");
        if (rc == 0 && ac_engine_shutdown(run.eng) == 0) /* refuse more; then wait for quiet */
                live_platform_wait_idle(&run.plat, now_of(&run) + run.drain_cap);
        struct timespec w1;
        clock_gettime(CLOCK_MONOTONIC, &w1);
        out->wall_time_s =
            (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) * 1e-9;
        teardown(&run);
        if (rc < 0) {
                sim_results_free(out);
                return rc == -2 ? SIM_BAD_INPUT : SIM_FAILED;
        }
        return SIM_OK;
}

enum sim_outcome live_run(const struct scenario *s, uint32_t replication,
                          const struct live_watch *watch, bool pin, struct live_path *path,
                          struct sim_results *out, struct sim_error *e)
{
        /* pinned: this thread, and so every thread it starts, on the first
         * CPU allowed; the lanes move to the others as they start */
        struct live_affinity was;
        bool pinned = false;
        int cpus[LIVE_MAX_CPUS];
        int ncpus = 0;
        if (pin && live_affinity_save(&was) == 0) {
                ncpus = live_affinity_cpus(&was, cpus, LIVE_MAX_CPUS);
                pinned = ncpus >= 2 && live_pin_self(cpus[0]) == 0;
        }
        enum sim_outcome o = run_live(s, replication, watch, pinned, cpus, ncpus, path, out, e);
        if (pinned)
                live_affinity_restore(&was);
        return o;
}

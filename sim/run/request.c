/*
 * sim/run/request.c - the requests of a replication: a free-list pool of
 * struct run_request (grown up to the most ever outstanding, first by
 * POOL_CHUNK, then by a huge page's worth, so nothing is allocated per
 * request in steady state, memory follows the requests held, not the queue
 * bounds, and a pool of a million requests costs a few hundred page faults
 * rather than tens of thousands: sim/des/pages.h); the workload's
 * emit, which submits one to the core; and the core's callback, which
 * accounts for it. One of each per request: the hot path. A plain run
 * (no checks, no trace, one class: run->plain) takes copies of both with
 * the branches for those compiled out; every other run the full ones.
 *
 * run.memory bounds the pool: an arrival that finds run.memory / stride
 * requests outstanding stops the run (held_full, reported by run.c), and
 * the last chunk is cut to that count, so the pool never passes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/des/pages.h"
#include "sim/run/replication.h"

#define POOL_CHUNK 1024 /* requests in the pool's first chunk */

/* ---- the pool ------------------------------------------------------------ */

static void request_done(struct ac_request *req, int status);

/* Adds a chunk of requests to the free list: false when out of memory.
 * The first holds POOL_CHUNK, so that a small run holds little; the next
 * ones fill SIM_HUGE_PAGE each (at least one request). The last is cut to
 * max_held. Out of line: it runs once a chunk. */
__attribute__((noinline)) static bool pool_grow(struct replication *run)
{
        if (run->nchunks == run->capchunks) {
                size_t cap = run->capchunks ? 2 * run->capchunks : 16;
                void **c = realloc(run->chunks, cap * sizeof(*c));
                if (!c)
                        return false;
                run->chunks = c;
                run->capchunks = cap;
        }
        /* outstanding < max_held and the pool is all in use, so
         * pooled < max_held: n >= 1 */
        size_t n = POOL_CHUNK;
        size_t bytes = n * run->stride;
        if (run->pooled > 0 && run->stride < SIM_HUGE_PAGE) {
                /* a whole huge page, as many as it holds */
                n = SIM_HUGE_PAGE / run->stride;
                bytes = SIM_HUGE_PAGE;
        } else if (run->pooled > 0) { /* a request larger than a huge page: one */
                n = 1;
                bytes = run->stride;
        }
        if (run->max_held - run->pooled < n) { /* the last chunk */
                n = (size_t)(run->max_held - run->pooled);
                bytes = n * run->stride;
        }
        /* blocks of whole cache lines, the first at the start of one */
        char *chunk = sim_pages_alloc(bytes);
        if (!chunk)
                return false;
        memset(chunk, 0, n * run->stride);
        run->chunks[run->nchunks++] = chunk;
        run->pooled += n;
        for (size_t i = n; i-- > 0;) {
                struct run_request *r =
                    (struct run_request *)(void *)(chunk + i * run->stride + run->chain_room);
                r->next_free = run->free_list;
                run->free_list = r;
                /* the same for every request: set once, here (the core does
                 * not write them) */
                r->req.done = request_done;
                r->req.user = run;
        }
        return true;
}

/* Returns a free request, or NULL: out of memory, or run.memory's worth
 * outstanding (run->held_full). */
static inline struct run_request *pool_get(struct replication *run)
{
        if (run->outstanding >= run->max_held) {
                run->held_full = true;
                return NULL;
        }
        if (!run->free_list && !pool_grow(run))
                return NULL;
        struct run_request *r = run->free_list;
        run->free_list = r->next_free;
        return r;
}

static void pool_put(struct replication *run, struct run_request *r)
{
        r->next_free = run->free_list;
        run->free_list = r;
}

/* ---- emit and callback: the hot path ------------------------------------- */

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

/* The callback's accounting of r. `plain` (a constant where it is
 * inlined): a run with no checks, no trace and one class, r an open
 * arrival; the compiler then drops what such a request never needs. */
static inline __attribute__((always_inline)) void
account_done(struct replication *run, struct run_request *r, int status, bool plain)
{
        const struct ac_request *req = &r->req;
        struct run_class *k = &run->classes[r->cls];
        struct sim_results *res = run->res;
        if (!plain && run->check)
                run_check_done(run, r, status);
        /* the final callback is now: with flow order it may come after
         * completed_ns, the time the status was known (a held request) */
        uint64_t now = sim_now(run->loop);
        uint64_t latency = now - req->submitted_ns;

        run->hash = mix64(run->hash ^ r->id) ^ mix64(latency << 1 | (status != 0));
        hist_add(&run->row_hist[0], latency);
        count_outcome(&res->all, req, status);
        if (r->measured) {
                count_outcome(&res->requests, req, status);
                hist_add(&res->hist, latency);
        }
        bool window = now >= run->warmup && now <= run->duration;
        if (status == 0) {
                run->row.completed++;
                if (window) {
                        run->window_completed++;
                        run->window_bytes += r->bytes;
                }
        } else {
                run->row.failed++;
        }
        run->outstanding--;
        tally_set(&run->in_system, now, run->outstanding);
        /* One class: its figures are the run's, copied at the end
         * (run_fill_results, window_end), so only a second class costs
         * its own. */
        if (!plain && run->nclasses > 1) {
                hist_add(&run->row_hist[1 + r->cls], latency);
                count_outcome(&k->all, req, status);
                if (r->measured) {
                        struct sim_class_result *cr = &res->classes[r->cls];
                        count_outcome(&cr->requests, req, status);
                        hist_add(&cr->hist, latency);
                }
                if (status == 0 && window) {
                        k->window_completed++;
                        k->window_bytes += r->bytes;
                }
                k->outstanding--;
                tally_set(&k->in_system, now, k->outstanding);
        }
        if (!plain && r->traced)
                run_trace_row(run, r, status, false, now);

        uint32_t client = r->client, cls = r->cls;
        pool_put(run, r);
        if (!plain && client != WORKLOAD_OPEN && !run->draining)
                workload_complete(run->wl, cls, client);
        if (run->draining && run->outstanding == 0)
                sim_stop(run->loop);
}

/* account_done() of a request that is not plain: out of line. */
__attribute__((noinline)) static void account_other(struct replication *run, struct run_request *r,
                                                    int status)
{
        account_done(run, r, status, false);
}

static void request_done(struct ac_request *req, int status)
{
        struct run_request *r = sim_container_of(req, struct run_request, req);
        struct replication *run = req->user;
        if (run->plain && r->client == WORKLOAD_OPEN)
                account_done(run, r, status, true);
        else
                account_other(run, r, status);
}

static void count_submit(struct sim_counts *c, int rc)
{
        c->submitted++;
        if (rc == AC_BACKLOGGED)
                c->backlogged++;
        else if (rc < 0)
                c->rejected++;
}

/* Makes a request of rq and submits it. `plain` (a constant where it is
 * inlined): run->plain, so that the compiler drops what only checks, the
 * trace and more classes need. */
static inline __attribute__((always_inline)) void
submit_as(struct replication *run, const struct workload_request *rq, bool plain)
{
        struct run_class *k = &run->classes[rq->cls];
        const struct workload_class_config *cfg = k->cfg;
        uint64_t now = sim_now(run->loop);
        struct run_request *r = pool_get(run);
        if (!r) { /* the run stops here and reports it (run.c), out of
                   * memory or at run.memory */
                sim_loop_fail(run->loop);
                return;
        }
        struct ac_stage *stages = run_stages(run, r);
        if (cfg->nchain == 1) /* most chains: no loop to set up */
                stages[0] = (struct ac_stage){.op = k->ops[0], .bytes = rq->bytes};
        else
                for (size_t i = 0; i < cfg->nchain; i++)
                        stages[i] = (struct ac_stage){.op = k->ops[i], .bytes = rq->bytes};
        r->req.stages = stages;
        r->req.nstages = (uint32_t)cfg->nchain;
        r->req.priority = cfg->priority;
        r->req.flow = k->flow_base + rq->flow;
        r->id = run->next_id++;
        r->bytes = rq->bytes;
        r->cls = rq->cls;
        r->client = rq->client;
        r->measured = now >= run->warmup;
        if (!plain) { /* only the trace and the checks read these: in a
                       * plain run they stay as pool_grow() zeroed them */
                r->traced = run->handoffs && r->id < run->res->trace_limit;
                r->overflow = false;
                r->nhanded = 0;
                r->live = true;
                r->stages_ok = 0;
        }
        bool measured = r->measured;
        /* what a request is, mixed: a class of one size and one flow asks
         * the same every time, so the last answer is kept (zeroed, the
         * pair is right too: mix64(0) is 0) */
        uint64_t what = rq->bytes ^ (uint64_t)rq->cls << 48 ^ r->req.flow << 1;
        if (what != k->what_hashed) {
                k->what_hashed = what;
                k->what_mixed = mix64(what);
        }
        run->arrival_hash = mix64(run->arrival_hash ^ now) ^ k->what_mixed;

        run->outstanding++;
        tally_set(&run->in_system, now, run->outstanding);
        if (run->outstanding > run->res->max_in_flight)
                run->res->max_in_flight = run->outstanding;
        run->row.arrivals++;
        if (measured)
                run->window_arrivals++;
        /* else the class's are the run's (see account_done) */
        bool classes = !plain && run->nclasses > 1;
        if (classes) {
                k->outstanding++;
                tally_set(&k->in_system, now, k->outstanding);
        }

        /* r may have completed and gone back to the pool when this returns */
        int rc = ac_submit(run->core, &r->req);

        count_submit(&run->res->all, rc);
        if (measured)
                count_submit(&run->res->requests, rc);
        if (classes) {
                count_submit(&k->all, rc);
                if (measured)
                        count_submit(&run->res->classes[rq->cls].requests, rc);
        }
        if (rc < 0) {
                if (!plain)
                        r->live = false;
                run->row.rejected++;
                run->outstanding--;
                tally_set(&run->in_system, now, run->outstanding);
                if (classes) {
                        k->outstanding--;
                        tally_set(&k->in_system, now, k->outstanding);
                }
                if (!plain && r->traced) {
                        r->req.submitted_ns = now;
                        run_trace_row(run, r, rc, true, now);
                }
                pool_put(run, r);
                if (rq->client != WORKLOAD_OPEN)
                        workload_complete(run->wl, rq->cls, rq->client);
        }
        if (!plain && run->plat.after) /* a checked run's checks */
                run->plat.after(run);
}

/* submit_as() in a run that is not plain: out of line. */
__attribute__((noinline)) static void submit_other(struct replication *run,
                                                   const struct workload_request *rq)
{
        submit_as(run, rq, false);
}

static void emit(void *ctx, const struct workload_request *rq)
{
        struct replication *run = ctx;
        if (run->plain)
                submit_as(run, rq, true);
        else
                submit_other(run, rq);
}

const struct workload_ops run_workload_ops = {.emit = emit};

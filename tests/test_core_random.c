/*
 * test_core_random.c - the core under random devices, capabilities, faults
 * and workloads, over many seeds, with invariants checked after every step.
 *
 * Each seed draws an engine configuration (balancer, queue and backlog
 * bounds, levels, aging, watchdog, retry budget, errors to fail, probing,
 * affinity, flow order, locking), a set of test devices (operations, ring
 * depth, fallback, probe op), and then a random walk of steps: submit a
 * request (a chain of 1..3 stages, a priority, one of a few flows), complete
 * a job ok or with an error, leave a job hung (only with a watchdog), move
 * the clock, complete a job again after the core moved it (late), refuse
 * submits, report a device failed or recovered, unregister it with a drain
 * deadline, remove it, hot-add a device. Without the lock, a device may
 * also answer from inside submit: complete the stage (ok or not), or
 * report itself failed, unregistered or removed there; and callbacks may
 * submit the next request or report a device failed, recovered or
 * unregistered. Then faults stop and the engine drains. After every step:
 *
 *   - a callback fires at most once per request, never for a rejected one,
 *     and after the run exactly once for every accepted one;
 *   - "applied" is a completion the core accepted (status 0, not late): a
 *     request's applied stages are exactly 0, 1, ..., n-1, each once, and
 *     none is applied after its callback; an ok callback comes after all n;
 *   - every stage handed to a device is the request's next unapplied one,
 *     and a request is handed to devices at most nstages + retries times;
 *   - a completion the driver knows the core gave up on is counted late,
 *     and every other one is not;
 *   - with flow order, the callbacks of a flow fire in submission order;
 *   - ring bounds hold, and the engine, level and device counters conserve.
 *
 * A failure prints the seed; ACSIM_SEED=n replays one seed, ACSIM_SEEDS=n
 * changes how many run.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ac/ac.h"
#include "support/tcore.h"

#define MAX_DEVS   8
#define MAX_REQS   240
#define MAX_STAGES 3
#define NFLOWS     6

struct rreq {
        struct ac_request req;
        struct ac_stage stages[MAX_STAGES];
        int calls;
        int status;
        bool accepted;
        uint32_t applied;    /* stages whose ok completion the core accepted */
        uint32_t dispatches; /* stages handed to devices */
        uint64_t flow_pos;   /* place among the accepted requests of its flow */
};

static struct {
        uint64_t seed;
        bool running;             /* a seed is under way: print it if the test stops */
        uint64_t x;               /* the walk's own random state */
        size_t scanned[MAX_DEVS]; /* jobs already counted as dispatches */
        uint32_t ops[4];
        size_t nops;
        struct rreq reqs[MAX_REQS];
        int nreqs, next;
        uint64_t flow_accepted[NFLOWS];  /* accepted so far, per flow */
        uint64_t flow_called[NFLOWS];    /* callbacks so far, per flow */
        uint64_t accepted, callbacks;    /* as the test saw them */
        uint64_t applied, late_expected; /* completions it made */
        unsigned storm;                  /* percent of fault steps that happen */
        bool reentrant;                  /* devices and callbacks call back in */
        bool draining;                   /* faults have stopped */
} W;

/* What the seeds exercised, summed, to show the walk reaches everything. */
static struct {
        uint64_t seeds, accepted, rejected, ok, failed, enodev, retried, migrated, timeouts, late,
            held, failures, drained_gone, inside_submit, inside_callback;
} cover;

static const char *const op_names[4] = {"aes", "sha", "gcm", "chacha"};

static uint64_t draw(void)
{
        uint64_t z = (W.x += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint64_t below(uint64_t n)
{
        return n ? draw() % n : 0;
}

static bool chance(unsigned percent)
{
        return below(100) < percent;
}

#define CHECK(cond, ...) cr_assert(cond, "seed %llu: " __VA_ARGS__)
#define SEED             ((unsigned long long)W.seed)

static void submit_next(void);
static struct tdev *any_device(void);
static struct tdev *failed_device(void);

static void on_done(struct ac_request *req, int status)
{
        struct rreq *r = req->user;
        CHECK(r->calls == 0, "request %td called twice", r - W.reqs, SEED);
        CHECK(r->accepted, "callback of a rejected request", SEED);
        CHECK(!tc.tp.locked, "callback under the lock", SEED);
        r->calls++;
        r->status = status;
        W.callbacks++;
        CHECK(status == 0 || status == AC_EIO || status == AC_ETIMEDOUT || status == AC_ENODEV,
              "final status %d", SEED, status);
        if (status == 0)
                CHECK(r->applied == r->req.nstages, "ok after %u of %u stages", SEED, r->applied,
                      r->req.nstages);
        else
                CHECK(r->applied < r->req.nstages, "failed after all stages", SEED);
        if (tc.cfg.flow_order) {
                uint64_t f = r->req.flow;
                CHECK(r->flow_pos == W.flow_called[f], "flow %llu: callback %llu before %llu", SEED,
                      (unsigned long long)f, (unsigned long long)r->flow_pos,
                      (unsigned long long)W.flow_called[f]);
                W.flow_called[f]++;
        }
        if (!W.reentrant)
                return;
        /* A closed-loop client, or one that manages devices from here. */
        uint64_t roll = below(100);
        struct tdev *t;
        if (roll < 20 && W.next < W.nreqs) {
                submit_next();
                cover.inside_callback++;
        } else if (W.draining) {
                return;
        } else if (roll < 24 && (t = any_device()) != NULL) {
                ac_device_failed(t->dev, AC_EIO);
                cover.inside_callback++;
        } else if (roll < 30 && (t = failed_device()) != NULL) {
                ac_device_recovered(t->dev);
                cover.inside_callback++;
        } else if (roll < 31 && (t = any_device()) != NULL) {
                (void)ac_device_unregister(t->dev, below(3000));
                cover.inside_callback++;
        }
}

static void complete(struct tdev *t, size_t i, int status);

/* A device answering from inside submit (no lock only). */
static int answer_inside_submit(struct tdev *t, size_t job)
{
        uint64_t roll = below(100);
        cover.inside_submit++;
        if (roll < 45 || (W.draining && roll < 90)) {
                complete(t, job, 0);
        } else if (W.draining) {
                return 0;
        } else if (roll < 60) {
                complete(t, job, AC_EIO);
        } else if (roll < 68) {
                ac_device_failed(t->dev, AC_EIO);
        } else if (roll < 72) {
                (void)ac_device_unregister(t->dev, below(3000));
                if (chance(50))
                        return AC_EIO; /* and refuses the stage */
        } else if (roll < 75) {
                ac_device_removed(t->dev);
        }
        /* else: it stays pending, as usual */
        return 0;
}

/* ---- the world --------------------------------------------------------- */

static void add_device(void)
{
        size_t i = tc.ndevs;
        struct tdev_spec spec = {.name = NULL};
        char name[16];
        snprintf(name, sizeof(name), "d%zu", i);
        spec.name = name;
        uint64_t mask = (1u << (i % W.nops)) | below(1u << W.nops);
        size_t k = 0;
        for (size_t o = 0; o < W.nops; o++)
                if (mask & (1u << o))
                        spec.ops[k++] = op_names[o];
        spec.ring = 1 + (uint32_t)below(4);
        spec.fallback = chance(20);
        spec.probe = chance(60);
        CHECK(tdev_add(&tc.devs[i], tc.eng, &tc.tp, &spec) == 0, "register", SEED);
        tc.devs[i].probe_heals = !tc.tp.locking && chance(50);
        if (W.reentrant && chance(40))
                tc.devs[i].on_submit = answer_inside_submit;
        W.scanned[i] = 0;
        tc.ndevs++;
}

static void configure(void)
{
        W.x = W.seed;
        bool locking = chance(30);
        tcore_init(W.seed, locking);
        struct ac_engine_config *c = &tc.cfg;
        size_t nbal = 0;
        while (ac_balancers[nbal])
                nbal++;
        c->policy = ac_balancers[below(nbal)]->name;
        c->queue_depth = 1 + (uint32_t)below(8);
        c->backlog = (uint32_t)below(17);
        c->priority_levels = 1 + (uint32_t)below(4);
        c->aging_ns = chance(50) ? 0 : 50 + below(500);
        c->failover.timeout_ns = chance(25) ? 0 : 200 + below(2000);
        c->failover.retries = (uint32_t)below(4);
        c->failover.errors_to_fail = 1 + (uint32_t)below(3);
        c->failover.probe_ns = chance(30) ? 0 : 300 + below(3000);
        c->failover.drain_ns = 100 + below(3000);
        c->affinity = chance(50);
        c->flow_order = chance(50);
        CHECK(tcore_open() == 0, "create %s", SEED, c->policy);
        W.reentrant = !locking && chance(50);
        W.nops = 1 + below(4);
        for (size_t o = 0; o < W.nops; o++)
                W.ops[o] = (uint32_t)ac_op_intern(tc.eng, op_names[o]);
        size_t n = W.nops + below(4);
        for (size_t i = 0; i < n; i++)
                add_device();
        W.nreqs = 120 + (int)below(MAX_REQS - 120);
        W.storm = chance(50) ? 100 : 15; /* stormy or calm */
}

/* ---- checks ------------------------------------------------------------ */

/* Counts the stages handed to devices since the last look. */
static void scan_dispatches(void)
{
        for (size_t d = 0; d < tc.ndevs; d++) {
                struct tdev *t = &tc.devs[d];
                for (size_t i = W.scanned[d]; i < t->njobs; i++) {
                        struct tdev_job *j = &t->jobs[i];
                        struct rreq *r = j->req->user;
                        r->dispatches++;
                        CHECK(j->stage == r->applied, "stage %u handed out, %u applied", SEED,
                              j->stage, r->applied);
                        CHECK(r->dispatches <= r->req.nstages + tc.cfg.failover.retries,
                              "request handed out %u times", SEED, r->dispatches);
                        /* Handed out and taken back within the step is fine. */
                        CHECK(r->calls == 0 || j->done, "a stage handed out after the callback",
                              SEED);
                }
                W.scanned[d] = t->njobs;
        }
}

static void check_counters(void)
{
        struct ac_engine_stats es;
        ac_engine_get_stats(tc.eng, &es);
        CHECK(es.submitted == es.accepted + es.backlogged + es.rejected, "submitted", SEED);
        CHECK(es.accepted + es.backlogged ==
                  es.completed + es.failed + es.queued + es.backlog + es.in_flight + es.held,
              "engine conservation", SEED);
        CHECK(es.accepted + es.backlogged == W.accepted, "accepted", SEED);
        CHECK(es.completed + es.failed == W.callbacks, "callbacks counted", SEED);
        CHECK(es.late == W.late_expected, "late %llu, expected %llu", SEED,
              (unsigned long long)es.late, (unsigned long long)W.late_expected);
        uint64_t sub = 0, queued = 0, in_flight = 0;
        for (uint32_t l = 0; l < tc.cfg.priority_levels; l++) {
                struct ac_level_stats ls;
                ac_level_get_stats(tc.eng, l, &ls);
                CHECK(ls.submitted == ls.completed + ls.failed + ls.queued + ls.in_flight,
                      "level %u conservation", SEED, l);
                CHECK(ls.held <= ls.completed + ls.failed, "level held", SEED);
                sub += ls.submitted;
                queued += ls.queued;
                in_flight += ls.in_flight;
        }
        CHECK(sub == W.accepted, "levels' submitted", SEED);
        CHECK(queued == es.queued + es.backlog, "levels' queued", SEED);
        CHECK(in_flight == es.in_flight, "levels' in flight", SEED);
        uint64_t dq = 0, df = 0, late = 0;
        for (size_t d = 0; d < tc.ndevs; d++) {
                struct tdev *t = &tc.devs[d];
                struct ac_device_stats ds;
                ac_device_get_stats(t->dev, &ds);
                CHECK(ds.enqueued == ds.completed + ds.errors + ds.timeouts + ds.queued +
                                         ds.in_flight + ds.migrated_out,
                      "device %zu enqueued", SEED, d);
                CHECK(ds.dispatched ==
                          ds.completed + ds.errors + ds.timeouts + ds.recalled + ds.in_flight,
                      "device %zu dispatched", SEED, d);
                CHECK(ds.recalled <= ds.migrated_out, "device %zu recalled", SEED, d);
                CHECK(ds.in_flight <= t->ring && t->max_outstanding <= t->ring,
                      "device %zu ring bound", SEED, d);
                CHECK(ds.in_flight == tdev_pending(t), "device %zu in flight %u, pending %zu", SEED,
                      d, ds.in_flight, tdev_pending(t));
                enum ac_health h = ac_device_health(t->dev);
                if (h != AC_DEV_HEALTHY)
                        CHECK(ds.queued == 0, "device %zu out of service holds a queue", SEED, d);
                if (h == AC_DEV_FAILED || h == AC_DEV_GONE)
                        CHECK(ds.in_flight == 0, "device %zu out of service holds stages", SEED, d);
                if (h == AC_DEV_DRAINING)
                        CHECK(ds.in_flight > 0, "device %zu drained but not gone", SEED, d);
                dq += ds.queued;
                df += ds.in_flight;
                late += ds.late;
        }
        CHECK(dq == es.queued && df == es.in_flight, "devices' queued and in flight", SEED);
        CHECK(late == es.late, "devices' late", SEED);
}

/* ---- steps ------------------------------------------------------------- */

static void submit_next(void)
{
        struct rreq *r = &W.reqs[W.next++];
        *r = (struct rreq){.req = {.stages = r->stages}};
        r->req.nstages = 1 + (uint32_t)below(MAX_STAGES);
        for (uint32_t s = 0; s < r->req.nstages; s++)
                r->stages[s] = (struct ac_stage){.op = W.ops[below(W.nops)], .bytes = below(4096)};
        r->req.priority = (uint8_t)below(tc.cfg.priority_levels);
        r->req.flow = below(NFLOWS);
        r->req.done = on_done;
        r->req.user = r;
        /* Accepted before the call: the callback may run inside it, and so
         * may other callbacks that submit. A rejected submit runs none. */
        r->flow_pos = W.flow_accepted[r->req.flow]++;
        r->accepted = true;
        W.accepted++;
        int rc = ac_submit(tc.eng, &r->req);
        CHECK(rc == AC_ACCEPTED || rc == AC_BACKLOGGED || rc == AC_ENOSPC || rc == AC_ENODEV,
              "submit returned %d", SEED, rc);
        if (rc < 0) {
                r->accepted = false;
                W.accepted--;
                W.flow_accepted[r->req.flow]--;
                CHECK(r->calls == 0, "a rejected request was called back", SEED);
        }
}

/* Returns a random device, or NULL when there is none. */
static struct tdev *any_device(void)
{
        return tc.ndevs ? &tc.devs[below(tc.ndevs)] : NULL;
}

/* Returns the index of a random pending, not hung job of t among its
 * oldest few, or SIZE_MAX. */
static size_t pending_job(struct tdev *t)
{
        size_t cand[8], n = 0;
        size_t first = tdev_oldest(t);
        for (size_t i = first; i < t->njobs && n < 8 && first != SIZE_MAX; i++)
                if (!t->jobs[i].done && !t->jobs[i].hung)
                        cand[n++] = i;
        return n ? cand[below(n)] : SIZE_MAX;
}

/* Completes job i of t; an ok completion is an application of its stage. */
static void complete(struct tdev *t, size_t i, int status)
{
        scan_dispatches(); /* the job may be new since the last look */
        struct tdev_job *j = &t->jobs[i];
        struct rreq *r = j->req->user;
        if (status == 0) {
                CHECK(r->calls == 0, "a stage applied after the callback", SEED);
                CHECK(j->stage == r->applied, "stage %u applied after %u", SEED, j->stage,
                      r->applied);
                r->applied++;
                W.applied++;
        }
        tdev_complete(t, i, status);
}

/* Returns a random device with a job to complete, or NULL. */
static struct tdev *busy_device(void)
{
        for (int tries = 0; tries < 4; tries++) {
                struct tdev *t = any_device();
                if (t && tdev_oldest(t) != SIZE_MAX)
                        return t;
        }
        return NULL;
}

/* Returns a random failed device, or NULL. */
static struct tdev *failed_device(void)
{
        for (int tries = 0; tries < 4; tries++) {
                struct tdev *t = any_device();
                if (t && ac_device_health(t->dev) == AC_DEV_FAILED)
                        return t;
        }
        return NULL;
}

static void step(void)
{
        struct tdev *t = any_device();
        uint64_t roll = below(1000);
        uint64_t timeout = tc.cfg.failover.timeout_ns;
        bool fault = chance(W.storm);
        if (roll < 300) {
                if (W.next < W.nreqs)
                        submit_next();
        } else if (roll < 720) {
                t = busy_device();
                size_t i = t ? pending_job(t) : SIZE_MAX;
                if (i != SIZE_MAX)
                        complete(t, i, fault && chance(8) ? AC_EIO : 0);
        } else if (roll < 760) {
                size_t i = t ? pending_job(t) : SIZE_MAX;
                if (i != SIZE_MAX && timeout && fault)
                        t->jobs[i].hung = true;
        } else if (roll < 860) {
                tp_advance_to(&tc.tp, tc.tp.now + below(timeout ? timeout : 1000));
        } else if (roll < 890) {
                /* A completion for a job the core gave up on, or a second
                 * one: late. */
                if (t && t->njobs) {
                        size_t i = (size_t)below(t->njobs);
                        if (t->jobs[i].done) {
                                W.late_expected++;
                                tdev_complete_stale(t, i, chance(50) ? 0 : AC_EIO);
                        }
                }
        } else if (roll < 905) {
                if (t && (fault || t->refuse))
                        t->refuse = t->refuse ? 0 : chance(50) ? AC_EIO : AC_EBUSY;
        } else if (roll < 920) {
                if (t && fault)
                        ac_device_failed(t->dev, AC_EIO);
        } else if (roll < 960) {
                if ((t = failed_device()) != NULL)
                        ac_device_recovered(t->dev);
        } else if (roll < 968) {
                if (t && fault)
                        (void)ac_device_unregister(t->dev, below(3000));
        } else if (roll < 972) {
                if (t && fault)
                        ac_device_removed(t->dev);
        } else if (roll < 985) {
                if (tc.ndevs < MAX_DEVS)
                        add_device();
        } else {
                tp_advance_to(&tc.tp, tc.tp.now + 1 + below(5000));
        }
}

/* Faults stop; completes everything that is not hung, lets watchdogs,
 * probes and drain deadlines fire, until the engine is idle. */
static void drain(void)
{
        W.draining = true;
        for (size_t d = 0; d < tc.ndevs; d++)
                tc.devs[d].refuse = 0;
        for (int round = 0; round < 10000 && !ac_engine_idle(tc.eng); round++) {
                bool any = false;
                for (size_t d = 0; d < tc.ndevs; d++) {
                        struct tdev *t = &tc.devs[d];
                        size_t i = tdev_oldest(t);
                        if (i != SIZE_MAX) {
                                complete(t, i, 0);
                                any = true;
                        }
                }
                if (!any)
                        tp_advance_to(&tc.tp, tc.tp.now + (tc.cfg.failover.timeout_ns
                                                               ? tc.cfg.failover.timeout_ns
                                                               : tc.cfg.failover.drain_ns));
                scan_dispatches();
                check_counters();
        }
        CHECK(ac_engine_idle(tc.eng), "the engine does not drain", SEED);
        struct ac_engine_stats es;
        ac_engine_get_stats(tc.eng, &es);
        CHECK(es.accepted + es.backlogged == es.completed + es.failed, "all accounted for", SEED);
        CHECK(es.queued == 0 && es.backlog == 0 && es.in_flight == 0 && es.held == 0,
              "nothing left", SEED);
        for (int i = 0; i < W.next; i++) {
                struct rreq *r = &W.reqs[i];
                CHECK(r->calls == (r->accepted ? 1 : 0), "request %d: %d callbacks", SEED, i,
                      r->calls);
                CHECK(r->req.retries <= tc.cfg.failover.retries, "request %d: %u retries", SEED, i,
                      r->req.retries);
        }
}

static void account(void)
{
        struct ac_engine_stats es;
        ac_engine_get_stats(tc.eng, &es);
        cover.seeds++;
        cover.accepted += es.accepted + es.backlogged;
        cover.rejected += es.rejected;
        cover.ok += es.completed;
        cover.failed += es.failed;
        cover.retried += es.retried;
        cover.migrated += es.migrated;
        cover.timeouts += es.timeouts;
        cover.late += es.late;
        for (int i = 0; i < W.next; i++)
                cover.enodev += W.reqs[i].accepted && W.reqs[i].status == AC_ENODEV;
        for (uint32_t l = 0; l < tc.cfg.priority_levels; l++) {
                struct ac_level_stats ls;
                ac_level_get_stats(tc.eng, l, &ls);
                cover.held += ls.held;
        }
        for (size_t d = 0; d < tc.ndevs; d++) {
                struct ac_device_stats ds;
                ac_device_get_stats(tc.devs[d].dev, &ds);
                cover.failures += ds.failures;
                cover.drained_gone += ac_device_health(tc.devs[d].dev) == AC_DEV_GONE;
        }
}

static void run_seed(uint64_t seed)
{
        memset(&W, 0, sizeof(W));
        W.seed = seed;
        W.running = true;
        configure();
        while (W.next < W.nreqs) {
                step();
                scan_dispatches();
                check_counters();
        }
        drain();
        account();
        tc.own_callbacks = true; /* on_done counts; account() checked them */
        tcore_fini();
        W.running = false;
}

static void report(void)
{
        if (W.running)
                fprintf(stderr,
                        "test_core_random: failing seed %llu; replay with ACSIM_SEED=%llu\n", SEED,
                        SEED);
}

static uint64_t env_u64(const char *name, uint64_t fallback)
{
        const char *v = getenv(name);
        return v && *v ? strtoull(v, NULL, 10) : fallback;
}

Test(core_random, invariants_hold_over_many_seeds, .fini = report)
{
        const char *one = getenv("ACSIM_SEED");
        if (one && *one) {
                run_seed(strtoull(one, NULL, 10));
                return;
        }
        uint64_t n = env_u64("ACSIM_SEEDS", 5000);
        for (uint64_t s = 1; s <= n; s++)
                run_seed(s);
        cr_log_info("%llu seeds: accepted %llu, rejected %llu, ok %llu, failed %llu (enodev "
                    "%llu), retried %llu, migrated %llu, timeouts %llu, late %llu, held %llu, "
                    "device failures %llu, devices gone %llu, answers inside submit %llu, "
                    "calls from callbacks %llu",
                    (unsigned long long)cover.seeds, (unsigned long long)cover.accepted,
                    (unsigned long long)cover.rejected, (unsigned long long)cover.ok,
                    (unsigned long long)cover.failed, (unsigned long long)cover.enodev,
                    (unsigned long long)cover.retried, (unsigned long long)cover.migrated,
                    (unsigned long long)cover.timeouts, (unsigned long long)cover.late,
                    (unsigned long long)cover.held, (unsigned long long)cover.failures,
                    (unsigned long long)cover.drained_gone, (unsigned long long)cover.inside_submit,
                    (unsigned long long)cover.inside_callback);
}

/*
 * test_core_threading.c - what a threaded platform needs of the core, shown
 * deterministically on one thread: a timer fire that was already under way
 * when its arming was cancelled (a timer thread waiting for the lock) is
 * recognised as stale; deadlines that cross UINT64_MAX wrap round instead
 * of saturating; a released device is freed while fires and completions
 * for it may still come, and they find nothing of it.
 *
 * The platform here is the test's own: a clock that may start anywhere and
 * wraps modulo 2^64, timers in a small array that the test fires, or takes
 * out as a timer thread would (to deliver the fire later, after the core
 * has moved on), and a lock that records whether it is held.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "ac/ac.h"

/* ---- the platform ------------------------------------------------------ */

#define XP_TIMERS 64

struct xp {
        uint64_t now;
        uint64_t start; /* the clock at init: deadlines are ordered from here */
        struct ac_timer *armed[XP_TIMERS];
        uint64_t when[XP_TIMERS];
        size_t narmed;
        struct ac_timer *last; /* the last timer armed */
        bool locked;
        uint64_t locks;         /* times the lock was taken */
        int idles;              /* idle op calls */
        bool idle_locked;       /* the lock was held at the last one */
        void (*run)(void *arg); /* a deferred run, pending */
        void *run_arg;
        int defers; /* defer op calls */
};

static struct xp xp;

static uint64_t xp_now(void *ctx)
{
        return ((struct xp *)ctx)->now;
}

static size_t xp_find(const struct xp *p, const struct ac_timer *t)
{
        for (size_t i = 0; i < p->narmed; i++)
                if (p->armed[i] == t)
                        return i;
        return SIZE_MAX;
}

static void xp_remove(struct xp *p, size_t i)
{
        p->narmed--;
        p->armed[i] = p->armed[p->narmed];
        p->when[i] = p->when[p->narmed];
}

static void xp_arm(void *ctx, struct ac_timer *t, uint64_t when)
{
        struct xp *p = ctx;
        cr_assert(p->locked || p->locks == 0, "timer armed without the lock");
        size_t i = xp_find(p, t);
        if (i == SIZE_MAX) {
                cr_assert_lt(p->narmed, XP_TIMERS);
                i = p->narmed++;
                p->armed[i] = t;
        }
        p->when[i] = when;
        p->last = t;
}

static void xp_cancel(void *ctx, struct ac_timer *t)
{
        struct xp *p = ctx;
        size_t i = xp_find(p, t);
        if (i != SIZE_MAX)
                xp_remove(p, i);
}

static void xp_lock(void *ctx)
{
        struct xp *p = ctx;
        cr_assert(!p->locked, "the core took its lock twice");
        p->locked = true;
        p->locks++;
}

static void xp_unlock(void *ctx)
{
        struct xp *p = ctx;
        cr_assert(p->locked, "the core released a lock it did not hold");
        p->locked = false;
}

static void xp_idle(void *ctx)
{
        struct xp *p = ctx;
        p->idles++;
        p->idle_locked = p->locked;
}

static void xp_defer(void *ctx, void (*run)(void *arg), void *arg)
{
        struct xp *p = ctx;
        cr_assert(p->locked, "defer is called with the lock held");
        cr_assert_null(p->run, "one run pending at a time");
        p->run = run;
        p->run_arg = arg;
        p->defers++;
}

/* Runs the pending deferred run, as the platform's completion thread. */
static void xp_run_deferred(void)
{
        void (*run)(void *) = xp.run;
        cr_assert_not_null(run, "no run pending");
        xp.run = NULL;
        run(xp.run_arg);
}

static const struct ac_platform_ops xp_ops = {
    .name = "threads-on-one",
    .now_ns = xp_now,
    .timer_arm = xp_arm,
    .timer_cancel = xp_cancel,
    .lock = xp_lock,
    .unlock = xp_unlock,
    .idle = xp_idle,
};

static const struct ac_platform_ops xp_ops_defer = {
    .name = "threads-on-one-deferring",
    .now_ns = xp_now,
    .timer_arm = xp_arm,
    .timer_cancel = xp_cancel,
    .lock = xp_lock,
    .unlock = xp_unlock,
    .defer = xp_defer,
    .idle = xp_idle,
};

static void xp_init(uint64_t start)
{
        xp = (struct xp){.now = start, .start = start};
}

/* Moves the clock forward by `by` (wrapping), firing the timers due on the
 * way, earliest first. Returns the number fired. */
static size_t xp_advance(uint64_t by)
{
        uint64_t to = xp.now - xp.start + by; /* from the start: no wrap */
        size_t fired = 0;
        for (;;) {
                size_t best = SIZE_MAX;
                for (size_t i = 0; i < xp.narmed; i++) {
                        uint64_t w = xp.when[i] - xp.start;
                        if (w <= to && (best == SIZE_MAX || w < xp.when[best] - xp.start))
                                best = i;
                }
                if (best == SIZE_MAX)
                        break;
                struct ac_timer *t = xp.armed[best];
                xp.now = xp.when[best];
                xp_remove(&xp, best);
                cr_assert(!xp.locked, "a timer fired with the lock held");
                t->fire(t);
                fired++;
        }
        xp.now = xp.start + to;
        return fired;
}

/* Takes t out as a timer thread does when it is due, without firing it:
 * the test delivers the fire later with t->fire(t), as that thread would
 * once it gets the lock. */
static void xp_take(struct ac_timer *t)
{
        size_t i = xp_find(&xp, t);
        cr_assert_neq(i, SIZE_MAX, "the timer is not armed");
        xp_remove(&xp, i);
}

/* ---- a driver that records its jobs ------------------------------------ */

#define XD_JOBS 64

struct xd {
        struct ac_device *dev;
        uint64_t tags[XD_JOBS];
        size_t njobs;
        size_t aborts;
};

static int xd_submit(void *ctx, struct ac_device *dev, const struct ac_job *job)
{
        struct xd *d = ctx;
        (void)dev;
        cr_assert_lt(d->njobs, XD_JOBS);
        d->tags[d->njobs++] = job->tag;
        return 0;
}

static void xd_abort(void *ctx, struct ac_device *dev, uint64_t tag)
{
        struct xd *d = ctx;
        (void)dev;
        (void)tag;
        d->aborts++;
}

static void xd_probe(void *ctx, struct ac_device *dev)
{
        (void)ctx;
        (void)dev;
}

static const struct ac_driver_ops xd_driver = {
    .name = "recorder",
    .submit = xd_submit,
    .abort = xd_abort,
    .probe = xd_probe,
};

static struct ac_engine *eng;
static struct ac_engine_config cfg;
static uint32_t op_enc;

static void setup_at(uint64_t start, uint64_t timeout_ns)
{
        xp_init(start);
        ac_engine_config_defaults(&cfg);
        cfg.platform = (struct ac_platform){.ops = &xp_ops, .ctx = &xp};
        cfg.failover.timeout_ns = timeout_ns;
        cfg.failover.probe_ns = 0;
        cfg.failover.errors_to_fail = 1;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        int id = ac_op_intern(eng, "enc");
        cr_assert_geq(id, 0);
        op_enc = (uint32_t)id;
}

static void add(struct xd *d, const char *name, uint32_t ring)
{
        static const char *const ops[] = {"enc"};
        *d = (struct xd){0};
        struct ac_device_config dc = {.name = name,
                                      .ops = ops,
                                      .nops = 1,
                                      .ring = ring,
                                      .driver = &xd_driver,
                                      .driver_ctx = d};
        cr_assert_eq(ac_device_register(eng, &dc, &d->dev), 0);
}

struct xr {
        struct ac_request req;
        struct ac_stage stage;
        int calls;
        int status;
};

static void xr_done(struct ac_request *req, int status)
{
        struct xr *r = (struct xr *)req;
        r->calls++;
        r->status = status;
}

static int submit(struct xr *r)
{
        *r = (struct xr){.stage = {.op = op_enc, .bytes = 64}};
        r->req.stages = &r->stage;
        r->req.nstages = 1;
        r->req.done = xr_done;
        return ac_submit(eng, &r->req);
}

static void teardown(void)
{
        if (eng)
                ac_engine_destroy(eng);
        eng = NULL;
}

static void setup(void)
{
        setup_at(0, 1000);
}

/* ---- stale timer fires ------------------------------------------------- */

TestSuite(core_timers, .init = setup, .fini = teardown);

/* The timer thread takes the watchdog of r1's stage when it is due, and
 * waits for the lock; meanwhile r1 completes (the cancel cannot stop a fire
 * already taken) and r2's stage goes into the same ring slot, with the
 * watchdog armed again. The old fire then gets the lock: it must not time
 * out r2's stage, nor fail the healthy device. */
Test(core_timers, stale_watchdog_fire_does_not_time_out_the_next_stage)
{
        struct xd a;
        add(&a, "a", 1);
        struct xr r1, r2;
        cr_assert_eq(submit(&r1), AC_ACCEPTED);
        cr_assert_eq(a.njobs, 1);
        struct ac_timer *wd = xp.last;
        cr_assert_not_null(wd);

        xp.now = 1000; /* r1's watchdog is due: the timer thread takes it */
        xp_take(wd);
        ac_device_complete(a.dev, a.tags[0], 0);
        cr_assert_eq(r1.calls, 1);
        cr_assert_eq(r1.status, 0);
        cr_assert_eq(submit(&r2), AC_ACCEPTED);
        cr_assert_eq(a.njobs, 2, "r2's stage went to the same slot");

        wd->fire(wd); /* the stale fire */
        cr_assert_eq(ac_device_health(a.dev), AC_DEV_HEALTHY, "a stale fire failed the device");
        struct ac_engine_stats es;
        ac_engine_get_stats(eng, &es);
        cr_assert_eq(es.timeouts, 0);
        cr_assert_eq(a.aborts, 0);
        cr_assert_eq(r2.calls, 0);

        ac_device_complete(a.dev, a.tags[1], 0);
        cr_assert_eq(r2.calls, 1);
        cr_assert_eq(r2.status, 0);
        cr_assert_eq(xp_advance(5000), 0, "no watchdog is left armed");
}

/* The same race when the stage is still the one the fire was for, but its
 * watchdog was armed again (a real expiry later): the early fire is stale,
 * the later one is not. */
Test(core_timers, real_fire_after_a_stale_one_still_times_out)
{
        struct xd a, b;
        add(&a, "a", 1);
        add(&b, "b", 1);
        struct xr r1, r2;
        cr_assert_eq(submit(&r1), AC_ACCEPTED);
        struct ac_timer *wd = xp.last;
        xp.now = 1000;
        xp_take(wd);
        ac_device_complete(a.dev, a.tags[0], 0);
        cr_assert_eq(submit(&r2), AC_ACCEPTED); /* least-loaded: a again */
        cr_assert_eq(a.njobs, 2);
        wd->fire(wd); /* stale: ignored */
        cr_assert_eq(ac_device_health(a.dev), AC_DEV_HEALTHY);
        cr_assert_eq(xp_advance(1000), 1, "r2's own watchdog");
        cr_assert_eq(ac_device_health(a.dev), AC_DEV_FAILED, "a real expiry still fails it");
        cr_assert_eq(b.njobs, 1, "r2 retried on b");
        ac_device_complete(b.dev, b.tags[0], 0);
        cr_assert_eq(r2.calls, 1);
        cr_assert_eq(r2.status, 0);
}

/* ---- deadlines across UINT64_MAX --------------------------------------- */

/* The clock is 1 us before UINT64_MAX and the watchdog 5 us: it must fire
 * 5 us from now, not at UINT64_MAX (after 1 us). */
TestSuite(core_deadlines, .fini = teardown);

Test(core_deadlines, watchdog_deadline_wraps_round_instead_of_saturating)
{
        setup_at(UINT64_MAX - 1000, 5000);
        struct xd a, b;
        add(&a, "a", 1);
        add(&b, "b", 1);
        struct xr r;
        cr_assert_eq(submit(&r), AC_ACCEPTED);
        cr_assert_eq(xp_advance(1000), 0, "the watchdog fired after 1 us of 5");
        cr_assert_eq(ac_device_health(a.dev), AC_DEV_HEALTHY);
        cr_assert_eq(xp_advance(3999), 0);
        cr_assert_eq(xp_advance(1), 1, "the watchdog fires at 5 us");
        cr_assert_eq(ac_device_health(a.dev), AC_DEV_FAILED);
        cr_assert_eq(b.njobs, 1);
        ac_device_complete(b.dev, b.tags[0], 0);
        cr_assert_eq(r.calls, 1);
        cr_assert_eq(r.status, 0);
}

/* ---- the lock around every entry point ----------------------------------- */

TestSuite(core_locking, .init = setup, .fini = teardown);

#define TAKES_THE_LOCK(expr)                                                                       \
        do {                                                                                       \
                uint64_t before = xp.locks;                                                        \
                (void)(expr);                                                                      \
                cr_assert_gt(xp.locks, before, "%s read the engine without the lock", #expr);      \
                cr_assert(!xp.locked);                                                             \
        } while (0)

/* A thread registering a device reallocates the device array while another
 * looks a device up: every lookup takes the lock, as the entry points that
 * change what it reads do. */
Test(core_locking, lookups_take_the_lock)
{
        struct xd a;
        add(&a, "a", 1);
        TAKES_THE_LOCK(ac_engine_ndevices(eng));
        TAKES_THE_LOCK(ac_engine_device(eng, 0));
        TAKES_THE_LOCK(ac_device_health(a.dev));
        TAKES_THE_LOCK(ac_device_view(a.dev));
        TAKES_THE_LOCK(ac_op_name(eng, op_enc));
        TAKES_THE_LOCK(ac_op_lookup(eng, "enc"));
        TAKES_THE_LOCK(ac_engine_idle(eng));
        struct ac_engine_stats es;
        TAKES_THE_LOCK((ac_engine_get_stats(eng, &es), 0));
        struct ac_device_stats ds;
        TAKES_THE_LOCK((ac_device_get_stats(a.dev, &ds), 0));
        struct ac_level_stats ls;
        TAKES_THE_LOCK(ac_level_get_stats(eng, 0, &ls));
        struct ac_device_view v;
        TAKES_THE_LOCK((ac_device_view_get(a.dev, &v), 0));
        cr_assert_str_eq(v.name, "a");
        cr_assert_eq(ac_engine_device(eng, 0), a.dev);
        cr_assert_null(ac_engine_device(eng, 1));
        cr_assert_str_eq(ac_op_name(eng, op_enc), "enc");
}

/* ---- shutting down --------------------------------------------------- */

TestSuite(core_shutdown, .init = setup, .fini = teardown);

static bool seen_idle, seen_quiescent;

static void done_looking(struct ac_request *req, int status)
{
        xr_done(req, status);
        seen_idle = ac_engine_idle(eng);
        seen_quiescent = ac_engine_quiescent(eng);
}

/* ac_engine_idle is true in the last callback, while the thread running it
 * is still in the engine: whoever destroys the engine on seeing it idle
 * frees it under that thread. Quiescence says when it may go. */
Test(core_shutdown, idle_in_the_last_callback_is_not_quiescent)
{
        struct xd a;
        add(&a, "a", 1);
        struct xr r;
        r = (struct xr){.stage = {.op = op_enc, .bytes = 64}};
        r.req.stages = &r.stage;
        r.req.nstages = 1;
        r.req.done = done_looking;
        cr_assert_eq(ac_submit(eng, &r.req), AC_ACCEPTED);
        cr_assert(!ac_engine_quiescent(eng), "a request in the engine");
        ac_device_complete(a.dev, a.tags[0], 0);
        cr_assert_eq(r.calls, 1);
        cr_assert(seen_idle);
        cr_assert(!seen_quiescent, "the callback's thread is still inside");
        cr_assert(ac_engine_quiescent(eng));
}

/* A failed device's probe timer stays armed for ever: the engine is never
 * quiescent until shutdown stops the probing. */
Test(core_shutdown, shutdown_stops_the_probes_of_failed_devices)
{
        ac_engine_destroy(eng);
        cfg.failover.probe_ns = 1000;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        cr_assert_eq(ac_op_intern(eng, "enc"), (int)op_enc);
        struct xd a;
        add(&a, "a", 1);
        ac_device_failed(a.dev, AC_EIO);
        cr_assert_eq(xp.narmed, 1, "the probe");
        cr_assert(ac_engine_idle(eng));
        cr_assert(!ac_engine_quiescent(eng), "a timer is armed");
        cr_assert_eq(xp.idles, 0);
        cr_assert_eq(ac_engine_shutdown(eng), 0);
        cr_assert_eq(xp.narmed, 0, "probing stopped");
        cr_assert(ac_engine_quiescent(eng));
        cr_assert_eq(xp.idles, 1);
        cr_assert(xp.idle_locked);
        cr_assert_eq(xp_advance(10000), 0);
        ac_device_recovered(a.dev);
        ac_device_failed(a.dev, AC_EIO);
        cr_assert_eq(xp.narmed, 0, "no probe after shutdown");
        cr_assert_eq(xp.idles, 1, "told once");
}

/* Shutdown refuses new work, lets what was accepted finish (failover
 * included), and tells the platform once, when the last thread leaves. */
Test(core_shutdown, shutdown_drains_then_tells_the_platform_once)
{
        struct xd a, b;
        add(&a, "a", 1);
        add(&b, "b", 1);
        struct xr r1, r2, r3;
        cr_assert_eq(submit(&r1), AC_ACCEPTED);
        cr_assert_eq(submit(&r2), AC_ACCEPTED);
        cr_assert_eq(ac_engine_shutdown(eng), 0);
        cr_assert_eq(submit(&r3), AC_ESHUTDOWN);
        struct xd c;
        static const char *const ops[] = {"enc"};
        struct ac_device_config dc = {
            .name = "c", .ops = ops, .nops = 1, .ring = 1, .driver = &xd_driver, .driver_ctx = &c};
        cr_assert_eq(ac_device_register(eng, &dc, &c.dev), AC_ESHUTDOWN);
        ac_device_complete(a.dev, a.tags[0], AC_EIO); /* a fails; r1 moves to b's queue */
        cr_assert_eq(ac_device_health(a.dev), AC_DEV_FAILED);
        cr_assert_eq(xp.idles, 0);
        ac_device_complete(b.dev, b.tags[0], 0);
        cr_assert_eq(xp.idles, 0, "r1 still to go");
        ac_device_complete(b.dev, b.tags[1], 0);
        cr_assert_eq(r1.calls, 1);
        cr_assert_eq(r1.status, 0);
        cr_assert_eq(r2.calls, 1);
        cr_assert_eq(r3.calls, 0);
        cr_assert_eq(xp.idles, 1);
        cr_assert(xp.idle_locked, "told under the lock");
        cr_assert(ac_engine_quiescent(eng));
        cr_assert_eq(xp.narmed, 0);
}

/* ---- callbacks on the platform's completion context --------------------- */

static void setup_defer(void)
{
        setup();
        ac_engine_destroy(eng);
        cfg.platform.ops = &xp_ops_defer;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        cr_assert_eq(ac_op_intern(eng, "enc"), (int)op_enc);
}

TestSuite(core_defer, .init = setup_defer, .fini = teardown);

/* With a defer op, a driver's ac_device_complete never runs callbacks (one
 * driver thread would otherwise run everyone's): the platform's completion
 * context runs them, all that are due, in order. */
Test(core_defer, callbacks_run_on_the_completion_context)
{
        struct xd a;
        add(&a, "a", 2);
        struct xr r1, r2;
        cr_assert_eq(submit(&r1), AC_ACCEPTED);
        cr_assert_eq(submit(&r2), AC_ACCEPTED);
        ac_device_complete(a.dev, a.tags[0], 0);
        cr_assert_eq(r1.calls, 0, "a callback ran inside the driver's completion");
        cr_assert_eq(xp.defers, 1);
        ac_device_complete(a.dev, a.tags[1], 0);
        cr_assert_eq(r2.calls, 0);
        cr_assert_eq(xp.defers, 1, "one run pending covers both");
        cr_assert(!ac_engine_idle(eng), "callbacks due");
        cr_assert(!ac_engine_quiescent(eng));
        xp_run_deferred();
        cr_assert_eq(r1.calls, 1);
        cr_assert_eq(r2.calls, 1);
        cr_assert(ac_engine_quiescent(eng));
}

static struct xr chained;

static void done_and_submit(struct ac_request *req, int status)
{
        xr_done(req, status);
        cr_assert_eq(submit(&chained), AC_ACCEPTED);
}

/* A callback may submit (closed loop); the callback of what it submits
 * comes on a later run, never nested in this one. */
Test(core_defer, a_callback_may_submit)
{
        struct xd a;
        add(&a, "a", 2);
        struct xr r = {.stage = {.op = op_enc, .bytes = 64}};
        r.req.stages = &r.stage;
        r.req.nstages = 1;
        r.req.done = done_and_submit;
        cr_assert_eq(ac_submit(eng, &r.req), AC_ACCEPTED);
        ac_device_complete(a.dev, a.tags[0], 0);
        xp_run_deferred();
        cr_assert_eq(r.calls, 1);
        cr_assert_eq(a.njobs, 2);
        cr_assert_null(xp.run, "nothing due yet");
        ac_device_complete(a.dev, a.tags[1], 0);
        cr_assert_eq(chained.calls, 0);
        xp_run_deferred();
        cr_assert_eq(chained.calls, 1);
        cr_assert_eq(chained.status, 0);
}

/* ---- releasing removed devices ------------------------------------------ */

TestSuite(core_release, .init = setup, .fini = teardown);

static struct ac_engine_memory memory(void)
{
        struct ac_engine_memory m;
        ac_engine_memory(eng, &m);
        return m;
}

/* Thousands of add/remove cycles of one name, each with a stage in flight
 * at the removal and a late completion for it before the release: the
 * device objects and timer records held stay those of the first cycle. */
Test(core_release, memory_stays_flat_over_add_remove_cycles)
{
        struct xd keep, churn;
        add(&keep, "keep", 1);
        struct ac_engine_memory first = {0};
        for (int cycle = 0; cycle < 5000; cycle++) {
                add(&churn, "qat0", 4); /* the name is free again every time */
                struct xr r1, r2;
                cr_assert_eq(submit(&r1), AC_ACCEPTED);
                cr_assert_eq(submit(&r2), AC_ACCEPTED);
                size_t on_churn = churn.njobs;
                ac_device_removed(churn.dev);
                /* what was in flight there moved to keep, or waits for it */
                ac_device_complete(churn.dev, churn.tags[0], 0); /* late */
                ac_device_release(churn.dev);
                cr_assert_eq(ac_engine_device(eng, 1 + (size_t)cycle), NULL, "cycle %d", cycle);
                while (r1.calls + r2.calls < 2) {
                        cr_assert_gt(keep.njobs, 0);
                        ac_device_complete(keep.dev, keep.tags[keep.njobs - 1], 0);
                }
                keep.njobs = 0;
                cr_assert_eq(r1.calls, 1);
                cr_assert_eq(r2.calls, 1);
                cr_assert_eq(r1.status, 0);
                cr_assert_eq(r2.status, 0);
                cr_assert_leq(churn.aborts, on_churn);
                struct ac_engine_memory m = memory();
                cr_assert_eq(m.devices, 1, "cycle %d: %zu device objects held", cycle, m.devices);
                if (cycle == 0)
                        first = m;
                cr_assert_eq(m.timers, first.timers, "cycle %d: %zu timer records", cycle,
                             m.timers);
        }
        struct ac_engine_stats es;
        ac_engine_get_stats(eng, &es);
        cr_assert_geq(es.late, 5000, "each cycle's late completion was counted");
        cr_assert_eq(memory().indexes, 5001);
}

/* A timer thread has taken a device's watchdog when it came due and waits
 * for the lock; meanwhile the device is removed and released (freed). The
 * fire then comes: it finds its record disarmed and does nothing (ASan
 * would see any read of the freed device). Then a new device takes the
 * same record and arms it: the old fire, delivered again, is stale. */
Test(core_release, a_stale_watchdog_fire_after_the_release_is_harmless)
{
        struct xd a, b;
        add(&a, "a", 1);
        add(&b, "b", 1);
        struct xr r1;
        cr_assert_eq(submit(&r1), AC_ACCEPTED);
        cr_assert_eq(a.njobs, 1);
        struct ac_timer *wd = xp.last;
        xp.now = 1000;
        xp_take(wd);
        ac_device_removed(a.dev); /* r1 moves to b */
        ac_device_release(a.dev);
        cr_assert_eq(memory().devices, 1);
        cr_assert_eq(ac_engine_device(eng, 0), NULL);
        wd->fire(wd);
        cr_assert_eq(ac_device_health(b.dev), AC_DEV_HEALTHY);
        struct ac_engine_stats es;
        ac_engine_get_stats(eng, &es);
        cr_assert_eq(es.timeouts, 0);

        struct xd c;
        add(&c, "a", 1); /* takes the pooled records back */
        struct xr r2;
        cr_assert_eq(submit(&r2), AC_ACCEPTED); /* least-loaded: c */
        cr_assert_eq(c.njobs, 1);
        wd->fire(wd); /* stale for whichever record it is now */
        ac_engine_get_stats(eng, &es);
        cr_assert_eq(es.timeouts, 0);
        cr_assert_eq(ac_device_health(c.dev), AC_DEV_HEALTHY);
        ac_device_complete(b.dev, b.tags[0], 0);
        ac_device_complete(c.dev, c.tags[0], 0);
        cr_assert_eq(r1.calls, 1);
        cr_assert_eq(r1.status, 0);
        cr_assert_eq(r2.calls, 1);
        cr_assert_eq(r2.status, 0);
        cr_assert_eq(xp_advance(5000), 0, "no timer is left armed");
}

/* The same for a probe: the device failed, its probe came due and was
 * taken by the timer thread, then the device was released. */
Test(core_release, a_stale_probe_fire_after_the_release_is_harmless)
{
        ac_engine_destroy(eng);
        eng = NULL;
        xp_init(0);
        cfg.failover.probe_ns = 500;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        cr_assert_geq(ac_op_intern(eng, "enc"), 0);
        struct xd a;
        add(&a, "a", 1);
        ac_device_failed(a.dev, AC_EIO);
        struct ac_timer *probe = xp.last;
        xp.now = 500;
        xp_take(probe);
        ac_device_release(a.dev);
        cr_assert_eq(memory().devices, 0);
        probe->fire(probe);
        cr_assert_eq(xp.narmed, 0);
        cr_assert(ac_engine_quiescent(eng));
}

/* A driver without abort keeps its in-flight stages through removal's
 * drain; releasing it says it lets go of them: they move, once. */
static const struct ac_driver_ops xd_driver_no_abort = {
    .name = "recorder-no-abort",
    .submit = xd_submit,
};

Test(core_release, release_moves_what_a_driver_without_abort_held)
{
        ac_engine_destroy(eng);
        eng = NULL;
        setup_at(0, 0); /* no watchdog */
        static const char *const ops[] = {"enc"};
        struct xd a = {0}, b;
        struct ac_device_config dc = {.name = "a",
                                      .ops = ops,
                                      .nops = 1,
                                      .ring = 2,
                                      .driver = &xd_driver_no_abort,
                                      .driver_ctx = &a};
        cr_assert_eq(ac_device_register(eng, &dc, &a.dev), 0);
        struct xr r1;
        cr_assert_eq(submit(&r1), AC_ACCEPTED);
        cr_assert_eq(a.njobs, 1);
        add(&b, "b", 1);
        cr_assert_eq(ac_device_unregister(a.dev, 100), 0);
        xp_advance(1000); /* the deadline: a driver without abort keeps it */
        cr_assert_eq(ac_device_health(a.dev), AC_DEV_DRAINING);
        cr_assert_eq(b.njobs, 0);
        ac_device_release(a.dev);
        cr_assert_eq(memory().devices, 1);
        cr_assert_eq(b.njobs, 1, "r1 moved to b");
        ac_device_complete(b.dev, b.tags[0], 0);
        cr_assert_eq(r1.calls, 1);
        cr_assert_eq(r1.status, 0);
        cr_assert_eq(r1.req.retries, 1, "the stage lost at a spent an attempt");
}

/*
 * test_core_failover_edges.c - failover at its edges: a cascade of
 * thousands of devices failing one after the other on a small stack, a
 * driver whose ring is full for a moment (AC_EBUSY), and a driver that
 * reports its device recovered from inside abort while the core is
 * moving the device's work off.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "ac/ac.h"
#include "support/tdev.h"
#include "support/tp.h"
#include "support/treq.h"

static struct tp tp;
static struct treq_log log_;
static struct ac_engine *eng;
static struct ac_engine_config cfg;

static void setup(void)
{
        tp_init(&tp, 11, false);
        ac_engine_config_defaults(&cfg);
        cfg.platform = tp_platform(&tp);
        cfg.failover.timeout_ns = 0;
        cfg.failover.probe_ns = 0;
        cfg.failover.errors_to_fail = 1;
}

static void teardown(void)
{
        if (eng)
                ac_engine_destroy(eng);
        eng = NULL;
        treq_log_fini(&log_);
        tp_fini(&tp);
}

TestSuite(core_failover_edges, .init = setup, .fini = teardown);

static uint32_t op(const char *name)
{
        int id = ac_op_intern(eng, name);
        cr_assert_geq(id, 0);
        return (uint32_t)id;
}

static int submit(struct treq *r, int id, uint32_t o)
{
        treq_init(r, &log_, id, &o, 1, 64, 0);
        return ac_submit(eng, &r->req);
}

/* ---- a cascade --------------------------------------------------------- */

static int refuse_submit(void *ctx, struct ac_device *dev, const struct ac_job *job)
{
        (void)ctx;
        (void)dev;
        (void)job;
        return AC_EIO;
}

static const struct ac_driver_ops refuser = {.name = "refuser", .submit = refuse_submit};

#define CASCADE 3000

struct cascade {
        struct treq r;
        int rc;
};

static void *cascade_run(void *arg)
{
        struct cascade *c = arg;
        c->rc = submit(&c->r, 0, op("aes"));
        return NULL;
}

/* Every device refuses the stage, which fails it (errors_to_fail 1), and
 * the stage moves on to the next: CASCADE devices fail within one
 * ac_submit. On a 256 KiB stack that must not overflow: failover work is
 * a loop, not a recursion as deep as the cascade. */
Test(core_failover_edges, a_cascade_of_failing_devices_runs_in_bounded_stack)
{
        cfg.policy = "round-robin";
        cfg.failover.retries = CASCADE + 1;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        static const char *const ops[] = {"aes"};
        for (int i = 0; i < CASCADE; i++) {
                char name[16];
                snprintf(name, sizeof(name), "d%d", i);
                struct ac_device_config dc = {
                    .name = name, .ops = ops, .nops = 1, .ring = 1, .driver = &refuser};
                struct ac_device *dev;
                cr_assert_eq(ac_device_register(eng, &dc, &dev), 0);
        }
        static struct cascade c;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        cr_assert_eq(pthread_attr_setstacksize(&attr, 256 * 1024), 0);
        pthread_t th;
        cr_assert_eq(pthread_create(&th, &attr, cascade_run, &c), 0);
        pthread_join(th, NULL);
        pthread_attr_destroy(&attr);
        cr_assert_eq(c.rc, AC_ACCEPTED);
        cr_assert_eq(c.r.calls, 1);
        cr_assert_eq(c.r.status, AC_ENODEV, "every device failed");
        cr_assert_eq(c.r.req.retries, CASCADE);
        for (size_t i = 0; i < CASCADE; i++)
                cr_assert_eq(ac_device_health(ac_engine_device(eng, i)), AC_DEV_FAILED);
}

/* ---- a full ring is not a failure --------------------------------------- */

static int busy_once(struct tdev *d, size_t job)
{
        (void)d;
        return job == 1 ? AC_EBUSY : 0;
}

/* The second stage is refused with AC_EBUSY: it waits at the head of the
 * queue, is handed over again when the first completes, and neither fails
 * the device (errors_to_fail is 1) nor spends an attempt. */
Test(core_failover_edges, ebusy_requeues_the_stage_and_does_not_fail_the_device)
{
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        struct tdev a;
        struct tdev_spec spec = {.name = "a", .ops = {"aes"}, .ring = 2};
        cr_assert_eq(tdev_add(&a, eng, &tp, &spec), 0);
        a.on_submit = busy_once;
        uint32_t aes = op("aes");
        struct treq r[3];
        for (int i = 0; i < 3; i++)
                cr_assert_eq(submit(&r[i], i, aes), AC_ACCEPTED);
        cr_assert_eq(ac_device_health(a.dev), AC_DEV_HEALTHY, "a full ring failed the device");
        cr_assert_eq(a.njobs, 2, "no more submits after AC_EBUSY");
        cr_assert_eq(tdev_pending(&a), 1);
        tdev_complete(&a, 0, 0);
        cr_assert_eq(a.jobs[2].req, &r[1].req, "the refused stage goes first");
        tdev_complete_all(&a, 0);
        for (int i = 0; i < 3; i++) {
                cr_assert_eq(r[i].calls, 1);
                cr_assert_eq(r[i].status, 0);
                cr_assert_eq(r[i].req.retries, 0);
        }
        struct ac_device_stats ds;
        ac_device_get_stats(a.dev, &ds);
        cr_assert_eq(ds.errors, 0);
        cr_assert_eq(ds.full, 1);
        cr_assert_eq(ds.dispatched, 3);
        cr_assert_eq(ds.failures, 0);
        tdev_fini(&a);
}

static int busy_first(struct tdev *d, size_t job)
{
        (void)d;
        return job == 0 ? AC_EBUSY : 0;
}

/* Nothing in flight at the device to complete: it is tried again after
 * failover.busy_ns. */
Test(core_failover_edges, ebusy_with_nothing_in_flight_retries_after_busy_ns)
{
        cfg.failover.busy_ns = 500;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        struct tdev a;
        struct tdev_spec spec = {.name = "a", .ops = {"aes"}, .ring = 1};
        cr_assert_eq(tdev_add(&a, eng, &tp, &spec), 0);
        a.on_submit = busy_first;
        struct treq r;
        cr_assert_eq(submit(&r, 0, op("aes")), AC_ACCEPTED);
        cr_assert_eq(a.njobs, 1);
        cr_assert_eq(tp_advance_to(&tp, 499), 0);
        cr_assert_eq(a.njobs, 1);
        cr_assert_eq(tp_advance_to(&tp, 500), 1);
        cr_assert_eq(a.njobs, 2, "tried again");
        tdev_complete(&a, 1, 0);
        cr_assert_eq(r.calls, 1);
        cr_assert_eq(r.status, 0);
        cr_assert_eq(ac_device_health(a.dev), AC_DEV_HEALTHY);
        cr_assert_eq(tp_armed(&tp), 0);
        tdev_fini(&a);
}

/* ---- recovery reported from inside abort --------------------------------- */

#define RING 2

struct healer {
        struct ac_device *dev;
        uint64_t tags[64];
        bool live[64];
        size_t njobs;
        uint32_t outstanding;
        uint32_t most;
        bool heal_in_abort;
};

static int healer_submit(void *ctx, struct ac_device *dev, const struct ac_job *job)
{
        struct healer *h = ctx;
        (void)dev;
        cr_assert_lt(h->outstanding, RING, "the driver holds more than ring stages");
        cr_assert_lt(h->njobs, 64);
        h->tags[h->njobs] = job->tag;
        h->live[h->njobs++] = true;
        if (++h->outstanding > h->most)
                h->most = h->outstanding;
        return 0;
}

static void healer_abort(void *ctx, struct ac_device *dev, uint64_t tag)
{
        struct healer *h = ctx;
        for (size_t i = 0; i < h->njobs; i++)
                if (h->live[i] && h->tags[i] == tag) {
                        h->live[i] = false;
                        h->outstanding--;
                }
        if (h->heal_in_abort) {
                h->heal_in_abort = false;
                ac_device_recovered(dev);
        }
}

static const struct ac_driver_ops healer_driver = {
    .name = "healer", .submit = healer_submit, .abort = healer_abort};

/* The device fails with its ring full and more waiting in the backlog; its
 * driver reports it recovered from inside the first abort, which lets the
 * backlog in. The stages not yet aborted are still the driver's: it must
 * never be handed more than `ring`. */
Test(core_failover_edges, recovery_inside_abort_never_overfills_the_ring)
{
        cfg.queue_depth = 1;
        cfg.backlog = 8;
        cfg.failover.retries = 3;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        static const char *const ops[] = {"aes"};
        static struct healer h;
        h = (struct healer){0};
        struct ac_device_config dc = {.name = "a",
                                      .ops = ops,
                                      .nops = 1,
                                      .ring = RING,
                                      .driver = &healer_driver,
                                      .driver_ctx = &h};
        cr_assert_eq(ac_device_register(eng, &dc, &h.dev), 0);
        uint32_t aes = op("aes");
        static struct treq r[5];
        for (int i = 0; i < 5; i++)
                cr_assert_geq(submit(&r[i], i, aes), 0);
        cr_assert_eq(h.outstanding, RING);
        h.heal_in_abort = true;
        ac_device_failed(h.dev, AC_EIO);
        cr_assert_eq(ac_device_health(h.dev), AC_DEV_HEALTHY);
        cr_assert_leq(h.most, RING);
        /* Everything finishes, each callback once. */
        for (size_t i = 0; i < h.njobs; i++)
                if (h.live[i]) {
                        h.live[i] = false;
                        h.outstanding--;
                        ac_device_complete(h.dev, h.tags[i], 0);
                        i = (size_t)-1; /* new jobs may have come in: from the start */
                }
        for (int i = 0; i < 5; i++) {
                cr_assert_eq(r[i].calls, 1, "request %d", i);
                cr_assert_eq(r[i].status, 0);
        }
        cr_assert(ac_engine_idle(eng));
}

/* ---- affinity and fallback devices --------------------------------------- */

/* With affinity, a chain stays on its device for the next stage, but not on
 * a fallback device once hardware that can do the stage is healthy again:
 * a fallback device is for when no hardware can. */
Test(core_failover_edges, affinity_does_not_keep_a_chain_on_a_fallback_device)
{
        cfg.affinity = true;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        struct tdev hw, fb;
        struct tdev_spec hs = {.name = "hw", .ops = {"aes", "sha"}, .ring = 1};
        struct tdev_spec fs = {.name = "cpu", .ops = {"aes", "sha"}, .ring = 1, .fallback = true};
        cr_assert_eq(tdev_add(&hw, eng, &tp, &hs), 0);
        cr_assert_eq(tdev_add(&fb, eng, &tp, &fs), 0);
        ac_device_failed(hw.dev, AC_EIO);
        uint32_t chain[] = {op("aes"), op("sha")};
        struct treq r;
        treq_init(&r, &log_, 0, chain, 2, 64, 0);
        cr_assert_eq(ac_submit(eng, &r.req), AC_ACCEPTED);
        cr_assert_eq(fb.njobs, 1, "no hardware: the fallback device");
        ac_device_recovered(hw.dev);
        tdev_complete(&fb, 0, 0);
        cr_assert_eq(hw.njobs, 1, "the next stage went to the healthy hardware");
        cr_assert_eq(fb.njobs, 1, "affinity kept the chain on the fallback device");
        tdev_complete(&hw, 0, 0);
        cr_assert_eq(r.calls, 1);
        cr_assert_eq(r.status, 0);
        tdev_fini(&hw);
        tdev_fini(&fb);
}

/* ---- removed devices ------------------------------------------------------ */

/* A removed device gives its name back: the card that comes back as qat0
 * registers again (a new device; the old handle stays valid and its late
 * completions are ignored). A draining device still holds its name. */
Test(core_failover_edges, a_removed_device_releases_its_name)
{
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        struct tdev a1, a2, a3;
        struct tdev_spec spec = {.name = "qat0", .ops = {"aes"}, .ring = 1};
        cr_assert_eq(tdev_add(&a1, eng, &tp, &spec), 0);
        struct treq r1, r2;
        cr_assert_eq(submit(&r1, 1, op("aes")), AC_ACCEPTED);
        ac_device_removed(a1.dev);
        cr_assert_eq(r1.calls, 1);
        cr_assert_eq(r1.status, AC_ENODEV);
        cr_assert_eq(tdev_add(&a2, eng, &tp, &spec), 0, "the name of a removed device is free");
        cr_assert_neq(a2.dev, a1.dev);
        cr_assert_eq(ac_engine_ndevices(eng), 2);
        cr_assert_eq(submit(&r2, 2, op("aes")), AC_ACCEPTED);
        cr_assert_eq(a2.njobs, 1);
        tdev_complete_stale(&a1, 0, 0); /* the old card answers late */
        struct ac_device_stats ds;
        ac_device_get_stats(a1.dev, &ds);
        cr_assert_eq(ds.late, 1);
        cr_assert_eq(ac_device_unregister(a2.dev, 1000), 0);
        cr_assert_eq(ac_device_health(a2.dev), AC_DEV_DRAINING);
        cr_assert_eq(tdev_add(&a3, eng, &tp, &spec), AC_EEXIST, "draining: still its name");
        tdev_complete(&a2, 0, 0);
        cr_assert_eq(r2.calls, 1);
        cr_assert_eq(r2.status, 0);
        cr_assert_eq(ac_device_health(a2.dev), AC_DEV_GONE);
        cr_assert_eq(tdev_add(&a3, eng, &tp, &spec), 0);
        tdev_fini(&a1);
        tdev_fini(&a2);
        tdev_fini(&a3);
}

/* ---- drivers without abort ------------------------------------------------- */

static const struct ac_driver_ops no_abort_driver = {.name = "no-abort", .submit = healer_submit};

static void add_no_abort(struct healer *h, const char *name)
{
        static const char *const ops[] = {"aes"};
        *h = (struct healer){0};
        struct ac_device_config dc = {.name = name,
                                      .ops = ops,
                                      .nops = 1,
                                      .ring = RING,
                                      .driver = &no_abort_driver,
                                      .driver_ctx = h};
        cr_assert_eq(ac_device_register(eng, &dc, &h->dev), 0);
}

/* A driver without abort cannot be told that the core gave a stage up: it
 * may still work on it, in place, in the caller's buffers. So its stage is
 * not taken back when its watchdog expires: the device fails (no more
 * work for it, its queue moves), and the request waits for its answer; it
 * is neither finished under the driver nor applied twice elsewhere. */
Test(core_failover_edges, a_driver_without_abort_keeps_its_stage_until_it_answers)
{
        cfg.failover.timeout_ns = 1000;
        cfg.failover.retries = 3;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        static struct healer h;
        add_no_abort(&h, "a");
        struct tdev b;
        struct tdev_spec spec = {.name = "b", .ops = {"aes"}, .ring = 2};
        cr_assert_eq(tdev_add(&b, eng, &tp, &spec), 0);
        struct treq r;
        cr_assert_eq(submit(&r, 0, op("aes")), AC_ACCEPTED);
        cr_assert_eq(h.njobs, 1);
        cr_assert_eq(tp_advance_to(&tp, 1000), 1, "the watchdog");
        cr_assert_eq(ac_device_health(h.dev), AC_DEV_FAILED, "hung: failed");
        cr_assert_eq(b.njobs, 0, "the stage went elsewhere while a still holds it");
        cr_assert_eq(r.calls, 0);
        ac_device_complete(h.dev, h.tags[0], 0); /* it answers after all */
        cr_assert_eq(r.calls, 1);
        cr_assert_eq(r.status, 0);
        cr_assert_eq(b.njobs, 0);
        cr_assert(ac_engine_idle(eng));
        tdev_fini(&b);
}

/* The same when the device reports itself failed, or misses its drain
 * deadline; removal (the device is gone: nothing touches the request any
 * more) does move the stage. */
Test(core_failover_edges, a_driver_without_abort_loses_its_stage_only_when_removed)
{
        cfg.failover.retries = 3;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        static struct healer h;
        add_no_abort(&h, "a");
        struct tdev b;
        struct tdev_spec spec = {.name = "b", .ops = {"aes"}, .ring = 2};
        cr_assert_eq(tdev_add(&b, eng, &tp, &spec), 0);
        struct treq r1, r2;
        cr_assert_eq(submit(&r1, 1, op("aes")), AC_ACCEPTED);
        cr_assert_eq(h.njobs, 1);
        ac_device_failed(h.dev, AC_EIO);
        cr_assert_eq(b.njobs, 0, "kept by a");
        ac_device_recovered(h.dev);
        cr_assert_eq(ac_device_unregister(h.dev, 500), 0);
        tp_advance_to(&tp, 1000); /* past the drain deadline */
        cr_assert_eq(ac_device_health(h.dev), AC_DEV_DRAINING, "still holds r1's stage");
        cr_assert_eq(b.njobs, 0);
        cr_assert_eq(submit(&r2, 2, op("aes")), AC_ACCEPTED);
        cr_assert_eq(b.njobs, 1, "new work goes to b");
        ac_device_removed(h.dev);
        cr_assert_eq(ac_device_health(h.dev), AC_DEV_GONE);
        cr_assert_eq(b.njobs, 2, "removed: the stage moves");
        tdev_complete_all(&b, 0);
        cr_assert_eq(r1.calls, 1);
        cr_assert_eq(r1.status, 0);
        cr_assert_eq(r2.calls, 1);
        ac_device_complete(h.dev, h.tags[0], 0); /* too late: ignored */
        cr_assert_eq(r1.calls, 1);
        tdev_fini(&b);
}

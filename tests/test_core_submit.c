/*
 * test_core_submit.c - what ac_submit answers and where stages go: the
 * three outcomes at the bounds (queue, backlog), malformed requests, no
 * capable device, the ring bound, dispatch when a ring slot frees, the
 * backlog moving in, capability matching across heterogeneous devices,
 * fallback devices, driver refusals and stale tags.
 */
#include <criterion/criterion.h>

#include "ac/ac.h"
#include "support/tcore.h"

static void setup(void)
{
        tcore_init(7, false);
}

TestSuite(core_submit, .init = setup, .fini = tcore_fini);

static void start(const char *policy, uint32_t queue_depth, uint32_t backlog)
{
        tc.cfg.policy = policy;
        tc.cfg.queue_depth = queue_depth;
        tc.cfg.backlog = backlog;
        tcore_start();
}

static uint32_t op(const char *name)
{
        int id = ac_op_intern(tc.eng, name);
        cr_assert_geq(id, 0);
        return (uint32_t)id;
}

static int submit(struct treq *r, int id, uint32_t o, uint8_t prio)
{
        return tcore_submit(r, id, o, 64, prio);
}

Test(core_submit, outcomes_at_the_bounds)
{
        start("least-loaded", 2, 2);
        struct tdev *d = tcore_add(&(struct tdev_spec){
            .name = "d", .ops = {"aes"}, .ring = 1, .weight = 0, .fallback = false});
        uint32_t aes = op("aes");
        struct treq r[6];
        cr_assert_eq(submit(&r[0], 0, aes, 0), AC_ACCEPTED); /* straight to the ring */
        cr_assert_eq(submit(&r[1], 1, aes, 0), AC_ACCEPTED); /* queue 1/2 */
        cr_assert_eq(submit(&r[2], 2, aes, 0), AC_ACCEPTED); /* queue 2/2 */
        cr_assert_eq(submit(&r[3], 3, aes, 0), AC_BACKLOGGED);
        cr_assert_eq(submit(&r[4], 4, aes, 0), AC_BACKLOGGED);
        cr_assert_eq(submit(&r[5], 5, aes, 0), AC_ENOSPC);

        struct ac_engine_stats es;
        ac_engine_get_stats(tc.eng, &es);
        cr_assert_eq(es.submitted, 6);
        cr_assert_eq(es.accepted, 3);
        cr_assert_eq(es.backlogged, 2);
        cr_assert_eq(es.rejected, 1);
        cr_assert_eq(es.in_flight, 1);
        cr_assert_eq(es.queued, 2);
        cr_assert_eq(es.backlog, 2);
        cr_assert_eq(d->njobs, 1);

        /* Each completion frees the ring slot: the queue head goes in and
         * the backlog head takes the queue place it left. */
        tdev_complete(d, 0, 0);
        ac_engine_get_stats(tc.eng, &es);
        cr_assert_eq(es.in_flight, 1);
        cr_assert_eq(es.queued, 2);
        cr_assert_eq(es.backlog, 1);
        cr_assert_eq(tdev_complete_all(d, 0), 4);
        cr_assert(ac_engine_idle(tc.eng));
        cr_assert_eq(tc.log.n, 5);
        for (int i = 0; i < 5; i++) {
                cr_assert_eq(tc.log.done[i]->id, i, "FIFO through ring, queue and backlog");
                cr_assert_eq(tc.log.done[i]->calls, 1);
                cr_assert_eq(tc.log.done[i]->status, 0);
        }
        cr_assert_eq(r[5].calls, 0, "a rejected request gets no callback");
}

Test(core_submit, zero_backlog_rejects_when_queues_are_full)
{
        start("least-loaded", 1, 0);
        struct tdev *d = tcore_add(&(struct tdev_spec){
            .name = "d", .ops = {"aes"}, .ring = 1, .weight = 0, .fallback = false});
        uint32_t aes = op("aes");
        struct treq r[3];
        cr_assert_eq(submit(&r[0], 0, aes, 0), AC_ACCEPTED);
        cr_assert_eq(submit(&r[1], 1, aes, 0), AC_ACCEPTED);
        cr_assert_eq(submit(&r[2], 2, aes, 0), AC_ENOSPC);
        tdev_complete_all(d, 0);
}

Test(core_submit, malformed_requests_are_einval)
{
        start("least-loaded", 4, 4);
        struct tdev *d = tcore_add(&(struct tdev_spec){
            .name = "d", .ops = {"aes"}, .ring = 1, .weight = 0, .fallback = false});
        uint32_t aes = op("aes");
        struct treq r;
        treq_init(&r, &tc.log, 0, &aes, 1, 64, 0);
        r.req.nstages = 0;
        cr_assert_eq(ac_submit(tc.eng, &r.req), AC_EINVAL);
        treq_init(&r, &tc.log, 0, &aes, 1, 64, 3); /* 3 levels: 0..2 */
        cr_assert_eq(ac_submit(tc.eng, &r.req), AC_EINVAL);
        uint32_t unknown = 40;
        treq_init(&r, &tc.log, 0, &unknown, 1, 64, 0);
        cr_assert_eq(ac_submit(tc.eng, &r.req), AC_EINVAL);
        treq_init(&r, &tc.log, 0, &aes, 1, 64, 0);
        r.req.done = NULL;
        cr_assert_eq(ac_submit(tc.eng, &r.req), AC_EINVAL);
        treq_init(&r, &tc.log, 0, &aes, 1, 64, 0);
        r.req.stages = NULL;
        cr_assert_eq(ac_submit(tc.eng, &r.req), AC_EINVAL);

        /* A request already in the engine cannot be submitted again. */
        treq_init(&r, &tc.log, 0, &aes, 1, 64, 0);
        cr_assert_eq(ac_submit(tc.eng, &r.req), AC_ACCEPTED);
        cr_assert_eq(ac_submit(tc.eng, &r.req), AC_EINVAL);

        struct ac_engine_stats es;
        ac_engine_get_stats(tc.eng, &es);
        cr_assert_eq(es.rejected, 6);
        cr_assert_eq(es.accepted, 1);
        cr_assert_eq(d->njobs, 1);
        tdev_complete_all(d, 0);
        cr_assert_eq(r.calls, 1);
}

Test(core_submit, no_capable_device_is_enodev)
{
        start("least-loaded", 4, 4);
        struct tdev *d = tcore_add(&(struct tdev_spec){
            .name = "d", .ops = {"aes"}, .ring = 1, .weight = 0, .fallback = false});
        uint32_t sha = op("sha");
        struct treq r;
        cr_assert_eq(submit(&r, 0, sha, 0), AC_ENODEV);
        cr_assert_eq(d->njobs, 0);
        cr_assert_eq(r.calls, 0);
}

Test(core_submit, ring_bound_holds_and_slots_refill_at_once)
{
        start("least-loaded", 64, 0);
        struct tdev *d = tcore_add(&(struct tdev_spec){
            .name = "d", .ops = {"aes"}, .ring = 3, .weight = 0, .fallback = false});
        uint32_t aes = op("aes");
        enum { N = 60 };
        static struct treq r[N];
        for (int i = 0; i < N; i++)
                cr_assert_eq(submit(&r[i], i, aes, (uint8_t)(i % 3)), AC_ACCEPTED);
        cr_assert_eq(tdev_pending(d), 3);
        /* Complete in a scrambled order: the ring refills after each one. */
        uint64_t x = 12345;
        while (tdev_pending(d) > 0) {
                size_t pending[3], n = 0;
                for (size_t i = 0; i < d->njobs; i++)
                        if (!d->jobs[i].done)
                                pending[n++] = i;
                x = x * 6364136223846793005ull + 1442695040888963407ull;
                tdev_complete(d, pending[(x >> 33) % n], 0);
                struct ac_device_stats ds;
                ac_device_get_stats(d->dev, &ds);
                cr_assert_eq(ds.in_flight, ds.queued > 0 ? 3 : tdev_pending(d));
        }
        cr_assert_eq(d->max_outstanding, 3);
        cr_assert_eq(d->njobs, N);
        cr_assert_eq(tc.log.n, N);
}

Test(core_submit, capability_matching_across_heterogeneous_devices)
{
        start("round-robin", 64, 0);
        struct tdev *a, *b, *c;
        a = tcore_add(&(struct tdev_spec){.name = "aes-only", .ops = {"aes"}, .ring = 32});
        b = tcore_add(&(struct tdev_spec){.name = "sha-only", .ops = {"sha"}, .ring = 32});
        c = tcore_add(&(struct tdev_spec){.name = "both", .ops = {"sha", "aes"}, .ring = 32});
        uint32_t aes = op("aes"), sha = op("sha"), chacha = op("chacha");
        enum { N = 12 };
        static struct treq r[2 * N];
        for (int i = 0; i < N; i++) {
                cr_assert_eq(submit(&r[2 * i], 2 * i, aes, 0), AC_ACCEPTED);
                cr_assert_eq(submit(&r[2 * i + 1], 2 * i + 1, sha, 0), AC_ACCEPTED);
        }
        struct treq x;
        cr_assert_eq(submit(&x, 99, chacha, 0), AC_ENODEV, "interned but no device does it");
        for (size_t i = 0; i < a->njobs; i++)
                cr_assert_eq(a->jobs[i].op, aes);
        for (size_t i = 0; i < b->njobs; i++)
                cr_assert_eq(b->jobs[i].op, sha);
        cr_assert_eq(a->njobs + b->njobs + c->njobs, 2 * N);
        cr_assert_gt(a->njobs, 0);
        cr_assert_gt(b->njobs, 0);
        cr_assert_gt(c->njobs, 0);
        size_t c_aes = 0;
        for (size_t i = 0; i < c->njobs; i++)
                c_aes += c->jobs[i].op == aes;
        cr_assert_eq(a->njobs + c_aes, N, "every aes stage went to an aes device");
        tdev_complete_all(a, 0);
        tdev_complete_all(b, 0);
        tdev_complete_all(c, 0);
        cr_assert_eq(tc.log.n, 2 * N);
}

Test(core_submit, fallback_only_when_no_other_capable_device_is_healthy)
{
        start("least-loaded", 2, 4);
        struct tdev *hw, *sw;
        hw = tcore_add(&(struct tdev_spec){.name = "hw", .ops = {"aes"}, .ring = 1});
        sw = tcore_add(&(struct tdev_spec){
            .name = "sw", .ops = {"aes"}, .ring = 4, .weight = 0, .fallback = true});
        uint32_t aes = op("aes");
        static struct treq r[8];
        /* hw full: the next ones wait in the backlog, not on the fallback. */
        cr_assert_eq(submit(&r[0], 0, aes, 0), AC_ACCEPTED);
        cr_assert_eq(submit(&r[1], 1, aes, 0), AC_ACCEPTED);
        cr_assert_eq(submit(&r[2], 2, aes, 0), AC_ACCEPTED);
        cr_assert_eq(submit(&r[3], 3, aes, 0), AC_BACKLOGGED);
        cr_assert_eq(sw->njobs, 0);
        /* hw fails: its work, the backlog and new work go to the software
         * device, oldest first. */
        ac_device_failed(hw->dev, AC_EIO);
        cr_assert_eq(ac_device_health(hw->dev), AC_DEV_FAILED);
        cr_assert_eq(hw->aborts, 1);
        cr_assert_eq(sw->njobs, 4, "in-flight, queued and backlogged stages moved at once");
        for (int i = 0; i < 4; i++)
                cr_assert_eq(sw->jobs[i].req, &r[i].req);
        cr_assert_eq(submit(&r[4], 4, aes, 0), AC_ACCEPTED);
        tdev_complete_all(sw, 0);
        cr_assert_eq(tc.log.n, 5);
        for (int i = 0; i < 5; i++)
                cr_assert_eq(tc.log.done[i]->id, i);
        for (size_t i = 0; i < tc.log.n; i++)
                cr_assert_eq(tc.log.done[i]->calls, 1);
        /* A late completion from the failed device is counted and ignored. */
        ac_device_complete(hw->dev, hw->jobs[0].tag, 0);
        struct ac_engine_stats es;
        ac_engine_get_stats(tc.eng, &es);
        cr_assert_eq(es.late, 1);
        cr_assert_eq(es.migrated, 3);
        cr_assert_eq(tc.log.n, 5);
        /* Back to health: hw takes new work again. */
        ac_device_recovered(hw->dev);
        cr_assert_eq(submit(&r[5], 5, aes, 0), AC_ACCEPTED);
        cr_assert_eq(hw->njobs, 2);
        tdev_complete_all(hw, 0);
}

Test(core_submit, driver_refusal_without_budget_fails_the_request_once)
{
        tc.cfg.queue_depth = 4;
        tc.cfg.failover.retries = 0;
        tcore_start();
        struct tdev *d = tcore_add(&(struct tdev_spec){.name = "d", .ops = {"aes"}, .ring = 2});
        uint32_t aes = op("aes");
        d->refuse = AC_EIO; /* a refusal; AC_EBUSY would only be "full for now" */
        struct treq r;
        cr_assert_eq(submit(&r, 0, aes, 0), AC_ACCEPTED, "accepted, then the device refused");
        cr_assert_eq(r.calls, 1);
        cr_assert_eq(r.status, AC_EIO);
        struct ac_device_stats ds;
        ac_device_get_stats(d->dev, &ds);
        cr_assert_eq(ds.errors, 1);
        cr_assert_eq(ds.in_flight, 0);
        cr_assert(ac_engine_idle(tc.eng));
}

Test(core_submit, stale_and_unknown_tags_are_late)
{
        start("least-loaded", 4, 0);
        struct tdev *d = tcore_add(&(struct tdev_spec){.name = "d", .ops = {"aes"}, .ring = 2});
        uint32_t aes = op("aes");
        struct treq r[2];
        cr_assert_eq(submit(&r[0], 0, aes, 0), AC_ACCEPTED);
        uint64_t tag = d->jobs[0].tag;
        tdev_complete(d, 0, 0);
        cr_assert_eq(submit(&r[1], 1, aes, 0), AC_ACCEPTED);
        cr_assert_eq((uint32_t)d->jobs[1].tag, (uint32_t)tag, "the slot is reused ...");
        cr_assert_neq(d->jobs[1].tag, tag, "... under a new generation");
        ac_device_complete(d->dev, tag, 0);    /* stale */
        ac_device_complete(d->dev, 1000, 0);   /* no such slot */
        ac_device_complete(d->dev, 1, AC_EIO); /* a free slot */
        cr_assert_eq(r[1].calls, 0);
        struct ac_device_stats ds;
        ac_device_get_stats(d->dev, &ds);
        cr_assert_eq(ds.late, 3);
        cr_assert_eq(ds.completed, 1);
        cr_assert_eq(ds.errors, 0);
        tdev_complete(d, 1, 0);
        cr_assert_eq(r[1].calls, 1);
        cr_assert_eq(r[0].calls, 1);
}

Test(core_submit, new_device_takes_the_backlog)
{
        start("least-loaded", 1, 8);
        struct tdev *a, *b;
        a = tcore_add(&(struct tdev_spec){.name = "a", .ops = {"aes"}, .ring = 1});
        uint32_t aes = op("aes");
        static struct treq r[5];
        for (int i = 0; i < 5; i++)
                cr_assert_eq(submit(&r[i], i, aes, 0), i < 2 ? AC_ACCEPTED : AC_BACKLOGGED);
        b = tcore_add(&(struct tdev_spec){.name = "b", .ops = {"aes"}, .ring = 1});
        cr_assert_eq(b->njobs, 1);
        cr_assert_eq(b->jobs[0].req, &r[2].req, "the oldest backlogged stage went first");
        struct ac_engine_stats es;
        ac_engine_get_stats(tc.eng, &es);
        cr_assert_eq(es.backlog, 1);
        cr_assert_eq(es.queued, 2);
        while (tdev_complete_next(a, 0) | tdev_complete_next(b, 0))
                ;
        cr_assert_eq(tc.log.n, 5);
        cr_assert(ac_engine_idle(tc.eng));
}

Test(core_submit, fallback_device_does_not_take_backlog_while_hardware_is_healthy, .timeout = 5)
{
        start("least-loaded", 1, 4);
        struct tdev *hw, *sw;
        hw = tcore_add(&(struct tdev_spec){.name = "hw", .ops = {"aes"}, .ring = 1});
        uint32_t aes = op("aes");
        static struct treq r[4];
        for (int i = 0; i < 4; i++)
                cr_assert_eq(submit(&r[i], i, aes, 0), i < 2 ? AC_ACCEPTED : AC_BACKLOGGED);
        sw = tcore_add(
            &(struct tdev_spec){.name = "sw", .ops = {"aes"}, .ring = 4, .fallback = true});
        cr_assert_eq(sw->njobs, 0);
        struct ac_engine_stats es;
        ac_engine_get_stats(tc.eng, &es);
        cr_assert_eq(es.backlog, 2);
        tdev_complete_all(hw, 0);
        cr_assert_eq(tc.log.n, 4);
        for (int i = 0; i < 4; i++)
                cr_assert_eq(tc.log.done[i]->id, i, "backlog order kept");
}

Test(core_submit, backlog_nobody_can_serve_any_more_ends_with_enodev)
{
        start("least-loaded", 1, 4);
        struct tdev *a, *b;
        a = tcore_add(&(struct tdev_spec){.name = "a", .ops = {"aes"}, .ring = 1});
        b = tcore_add(&(struct tdev_spec){.name = "b", .ops = {"sha"}, .ring = 1});
        uint32_t aes = op("aes"), sha = op("sha");
        static struct treq r[4];
        cr_assert_eq(submit(&r[0], 0, aes, 0), AC_ACCEPTED);
        cr_assert_eq(submit(&r[1], 1, aes, 0), AC_ACCEPTED);
        cr_assert_eq(submit(&r[2], 2, aes, 0), AC_BACKLOGGED);
        cr_assert_eq(submit(&r[3], 3, sha, 0), AC_ACCEPTED);
        ac_device_removed(a->dev);
        cr_assert_eq(ac_device_health(a->dev), AC_DEV_GONE);
        for (int i = 0; i < 3; i++) {
                cr_assert_eq(r[i].calls, 1);
                cr_assert_eq(r[i].status, AC_ENODEV);
        }
        cr_assert_eq(r[3].calls, 0, "the sha request is untouched");
        tdev_complete_all(b, 0);
        cr_assert_eq(r[3].status, 0);
        cr_assert(ac_engine_idle(tc.eng));
}

/*
 * test_core_failover.c - failover, one behaviour per test: bursts of error
 * completions, the retry budget, a hang caught by the watchdog (and the
 * late completion that follows), probing and recovery, removal with and
 * without a drain deadline, a failure in the middle of a chain, every
 * device failing and recovering, a fallback device taking over and giving
 * back, hot-add, and per-flow completion order with its head-of-line wait.
 */
#include <criterion/criterion.h>

#include "ac/ac.h"
#include "core.h" /* the flow table's size */
#include "support/tcore.h"

static void setup(void)
{
        tcore_init(5, false);
        tc.cfg.queue_depth = 8;
        tc.cfg.backlog = 8;
        tc.cfg.failover.timeout_ns = 0;
        tc.cfg.failover.probe_ns = 0;
}

TestSuite(core_failover, .init = setup, .fini = tcore_fini);

static struct tdev *add(const char *name, const char *op1, const char *op2, uint32_t ring,
                        bool fallback, bool probe)
{
        return tcore_add(&(struct tdev_spec){
            .name = name, .ops = {op1, op2}, .ring = ring, .fallback = fallback, .probe = probe});
}

static uint32_t op(const char *name)
{
        int id = ac_op_lookup(tc.eng, name);
        cr_assert_geq(id, 0);
        return (uint32_t)id;
}

static int submit(struct treq *r, int id, uint32_t o)
{
        return tcore_submit(r, id, o, 64, 0);
}

static struct ac_device_stats dstats(const struct tdev *d)
{
        struct ac_device_stats ds;
        ac_device_get_stats(d->dev, &ds);
        return ds;
}

static struct ac_engine_stats estats(void)
{
        struct ac_engine_stats es;
        ac_engine_get_stats(tc.eng, &es);
        return es;
}

Test(core_failover, consecutive_errors_fail_a_device_and_stages_are_retried)
{
        tc.cfg.failover.errors_to_fail = 3;
        tc.cfg.policy = "round-robin";
        tcore_start();
        struct tdev *a, *b;
        a = add("a", "aes", NULL, 4, false, false);
        b = add("b", "aes", NULL, 4, false, false);
        uint32_t aes = op("aes");
        static struct treq r[8];
        for (int i = 0; i < 8; i++)
                cr_assert_eq(submit(&r[i], i, aes), AC_ACCEPTED);
        cr_assert_eq(a->njobs, 4);
        /* error, ok, error, error: the ok breaks the run, a stays healthy. */
        tdev_complete(a, 0, AC_EIO);
        tdev_complete(a, 1, 0);
        tdev_complete(a, 2, AC_EIO);
        tdev_complete(a, 3, AC_EIO);
        cr_assert_eq(ac_device_health(a->dev), AC_DEV_HEALTHY);
        cr_assert_eq(r[0].req.retries, 1, "the errored stage was tried again");
        cr_assert_eq(r[0].calls, 0);
        /* The third error in a row fails it; its in-flight stages move. */
        size_t i = tdev_oldest(a);
        cr_assert_neq(i, SIZE_MAX);
        size_t pending = tdev_pending(a);
        tdev_complete(a, i, AC_EIO);
        cr_assert_eq(ac_device_health(a->dev), AC_DEV_FAILED);
        cr_assert_eq(tdev_pending(a), 0);
        cr_assert_eq(a->aborts, pending - 1, "in-flight stages taken back");
        tdev_complete_all(b, 0);
        cr_assert_eq(tc.log.n, 8);
        for (int k = 0; k < 8; k++) {
                cr_assert_eq(r[k].calls, 1);
                cr_assert_eq(r[k].status, 0);
        }
        struct ac_device_stats ds = dstats(a);
        cr_assert_eq(ds.errors, 4);
        cr_assert_eq(ds.failures, 1);
        cr_assert_eq(ds.recalled, pending - 1);
        struct ac_engine_stats es = estats();
        cr_assert_eq(es.retried, 4 + pending - 1, "errors and lost in-flight stages cost a retry");
        cr_assert_eq(es.completed, 8);
}

Test(core_failover, a_spent_budget_ends_the_request_with_eio)
{
        tc.cfg.failover.retries = 2;
        tc.cfg.failover.errors_to_fail = 100;
        tcore_start();
        struct tdev *a = add("a", "aes", NULL, 1, false, false);
        struct treq r;
        cr_assert_eq(submit(&r, 0, op("aes")), AC_ACCEPTED);
        tdev_complete(a, 0, AC_EIO);
        tdev_complete(a, 1, AC_EIO);
        cr_assert_eq(r.calls, 0);
        tdev_complete(a, 2, AC_EBUSY);
        cr_assert_eq(r.calls, 1);
        cr_assert_eq(r.status, AC_EIO);
        cr_assert_eq(r.req.retries, 2);
        cr_assert_eq(a->njobs, 3, "first attempt plus two retries");
        cr_assert(ac_engine_idle(tc.eng));
}

Test(core_failover, a_hang_is_caught_by_the_watchdog_and_the_late_completion_ignored)
{
        tc.cfg.failover.timeout_ns = 1000;
        tcore_start();
        struct tdev *a, *b;
        a = add("a", "aes", NULL, 2, false, false);
        b = add("b", "aes", NULL, 2, false, false);
        uint32_t aes = op("aes");
        static struct treq r[3];
        cr_assert_eq(submit(&r[0], 0, aes), AC_ACCEPTED); /* a */
        cr_assert_eq(submit(&r[1], 1, aes), AC_ACCEPTED); /* b */
        cr_assert_eq(a->jobs[0].req, &r[0].req);
        /* b answers in time: its watchdog is cancelled. */
        tdev_complete_at(b, 0, 0, 500);
        cr_assert_eq(tp_armed(&tc.tp), 1, "only a's watchdog is left");
        tp_advance_to(&tc.tp, 700);
        cr_assert_eq(submit(&r[2], 2, aes), AC_ACCEPTED); /* b */
        a->jobs[0].hung = true;
        tp_advance_to(&tc.tp, 999);
        cr_assert_eq(ac_device_health(a->dev), AC_DEV_HEALTHY);
        tp_advance_to(&tc.tp, 1000);
        cr_assert_eq(ac_device_health(a->dev), AC_DEV_FAILED, "a hang fails the device");
        cr_assert(a->jobs[0].aborted, "the driver was told");
        cr_assert_eq(b->njobs, 3, "the stage runs again on b");
        cr_assert_eq(b->jobs[2].req, &r[0].req);
        cr_assert_eq(r[0].req.retries, 1);
        tdev_complete_all(b, 0);
        cr_assert_eq(r[0].calls, 1);
        cr_assert_eq(r[0].status, 0);
        /* a wakes up and completes the stage after all: late, ignored. */
        tdev_complete_stale(a, 0, 0);
        cr_assert_eq(r[0].calls, 1);
        struct ac_engine_stats es = estats();
        cr_assert_eq(es.timeouts, 1);
        cr_assert_eq(es.late, 1);
        cr_assert_eq(es.completed, 3);
        struct ac_device_stats ds = dstats(a);
        cr_assert_eq(ds.timeouts, 1);
        cr_assert_eq(ds.late, 1);
        cr_assert_eq(ds.completed, 0);
        cr_assert_eq(tp_armed(&tc.tp), 0);
}

Test(core_failover, a_timeout_with_the_budget_spent_is_etimedout)
{
        tc.cfg.failover.timeout_ns = 1000;
        tc.cfg.failover.retries = 0;
        tcore_start();
        add("a", "aes", NULL, 1, false, false);
        struct treq r;
        cr_assert_eq(submit(&r, 0, op("aes")), AC_ACCEPTED);
        tp_advance_to(&tc.tp, 5000);
        cr_assert_eq(r.calls, 1);
        cr_assert_eq(r.status, AC_ETIMEDOUT);
}

Test(core_failover, a_failed_device_is_probed_and_returns_when_healthy)
{
        tc.cfg.failover.probe_ns = 10000;
        tcore_start();
        struct tdev *a, *b;
        a = add("a", "aes", NULL, 1, false, true);
        b = add("b", "aes", NULL, 1, false, false);
        uint32_t aes = op("aes");
        tp_advance_to(&tc.tp, 1000);
        ac_device_failed(a->dev, AC_EIO);
        ac_device_failed(b->dev, AC_EIO);
        cr_assert_eq(tp_armed(&tc.tp), 1, "a device without a probe op is not probed");
        tp_advance_to(&tc.tp, 30999);
        cr_assert_eq(a->probes, 2);
        struct treq r[2];
        cr_assert_eq(submit(&r[0], 0, aes), AC_ENODEV);
        a->probe_heals = true;
        tp_advance_to(&tc.tp, 41000);
        cr_assert_eq(a->probes, 3, "healed by the probe at 31000");
        cr_assert_eq(ac_device_health(a->dev), AC_DEV_HEALTHY);
        cr_assert_eq(tp_armed(&tc.tp), 0, "probing stops with recovery");
        struct ac_device_stats ds = dstats(a);
        cr_assert_eq(ds.failed_ns, 30000);
        cr_assert_eq(submit(&r[0], 0, aes), AC_ACCEPTED);
        cr_assert_eq(a->njobs, 1);
        /* b comes back only when it says so. */
        tp_advance_to(&tc.tp, 100000);
        cr_assert_eq(ac_device_health(b->dev), AC_DEV_FAILED);
        ds = dstats(b);
        cr_assert_eq(ds.failed_ns, 99000, "failed time brought up to now");
        ac_device_recovered(b->dev);
        cr_assert_eq(submit(&r[1], 1, aes), AC_ACCEPTED);
        cr_assert_eq(b->njobs, 1);
        tdev_complete_all(a, 0);
        tdev_complete_all(b, 0);
        cr_assert(ac_engine_idle(tc.eng));
}

Test(core_failover, removal_under_load_drains_until_the_deadline)
{
        tc.cfg.policy = "round-robin";
        tcore_start();
        struct tdev *a, *b;
        a = add("a", "aes", NULL, 2, false, false);
        b = add("b", "aes", NULL, 2, false, false);
        uint32_t aes = op("aes");
        static struct treq r[8];
        for (int i = 0; i < 8; i++)
                cr_assert_eq(submit(&r[i], i, aes), AC_ACCEPTED);
        cr_assert_eq(dstats(a).queued, 2);
        cr_assert_eq(ac_device_unregister(a->dev, 5000), 0);
        cr_assert_eq(ac_device_health(a->dev), AC_DEV_DRAINING);
        struct ac_device_stats ds = dstats(a);
        cr_assert_eq(ds.queued, 0, "queued stages move at once");
        cr_assert_eq(ds.in_flight, 2, "in-flight ones may finish");
        cr_assert_eq(ds.migrated_out, 2);
        struct treq extra;
        cr_assert_eq(submit(&extra, 8, aes), AC_ACCEPTED);
        cr_assert_eq(a->njobs, 2, "a draining device takes no work");
        tdev_complete_at(a, 0, 0, 1000);
        cr_assert_eq(r[0].calls, 1, "a stage finishing in time counts");
        tp_advance_to(&tc.tp, 5000);
        cr_assert_eq(ac_device_health(a->dev), AC_DEV_GONE);
        cr_assert(a->jobs[1].aborted);
        ds = dstats(a);
        cr_assert_eq(ds.recalled, 1);
        cr_assert_eq(ds.in_flight, 0);
        struct ac_request *moved = a->jobs[1].req;
        cr_assert_eq(moved->retries, 1, "a lost in-flight stage costs a retry");
        tdev_complete_stale(a, 1, 0);
        tdev_complete_all(b, 0);
        cr_assert_eq(tc.log.n, 9);
        for (size_t i = 0; i < tc.log.n; i++) {
                cr_assert_eq(tc.log.done[i]->calls, 1);
                cr_assert_eq(tc.log.done[i]->status, 0);
        }
        cr_assert_eq(estats().late, 1);
        cr_assert_eq(ac_device_unregister(a->dev, 0), AC_EINVAL, "gone for good");
        cr_assert(ac_engine_idle(tc.eng));
}

Test(core_failover, a_drained_device_is_gone_as_soon_as_it_is_empty)
{
        tcore_start();
        struct tdev *a, *b;
        a = add("a", "aes", NULL, 2, false, false);
        b = add("b", "aes", NULL, 2, false, false);
        struct treq r;
        cr_assert_eq(submit(&r, 0, op("aes")), AC_ACCEPTED);
        cr_assert_eq(ac_device_unregister(a->dev, 0), 0);
        cr_assert_eq(tp_armed(&tc.tp), 1, "the engine's default drain deadline");
        tdev_complete(a, 0, 0);
        cr_assert_eq(ac_device_health(a->dev), AC_DEV_GONE);
        cr_assert_eq(tp_armed(&tc.tp), 0, "the deadline is cancelled");
        cr_assert_eq(r.status, 0);
        cr_assert_eq(ac_device_unregister(b->dev, 0), 0);
        cr_assert_eq(ac_device_health(b->dev), AC_DEV_GONE, "nothing to drain");
}

Test(core_failover, surprise_removal_moves_everything_at_once)
{
        tcore_start();
        struct tdev *a, *b;
        a = add("a", "aes", NULL, 1, false, false);
        b = add("b", "aes", NULL, 4, false, false);
        uint32_t aes = op("aes");
        static struct treq r[4];
        cr_assert_eq(submit(&r[0], 0, aes), AC_ACCEPTED); /* a */
        cr_assert_eq(submit(&r[1], 1, aes), AC_ACCEPTED); /* b */
        ac_device_removed(a->dev);
        cr_assert_eq(ac_device_health(a->dev), AC_DEV_GONE);
        cr_assert_eq(b->njobs, 2);
        cr_assert_eq(b->jobs[1].req, &r[0].req);
        tdev_complete_all(b, 0);
        cr_assert_eq(tc.log.n, 2);
        cr_assert_eq(r[0].req.migrations, 1);
}

Test(core_failover, a_failure_mid_chain_retries_only_the_failed_stage)
{
        tc.cfg.policy = "round-robin";
        tcore_start();
        struct tdev *e1, *e2, *mac;
        e1 = add("e1", "aes", NULL, 4, false, false);
        e2 = add("e2", "aes", NULL, 4, false, false);
        mac = add("mac", "sha", NULL, 4, false, false);
        uint32_t chain[3] = {op("aes"), op("sha"), op("aes")};
        struct treq r;
        treq_init(&r, &tc.log, 0, chain, 3, 256, 1);
        cr_assert_eq(ac_submit(tc.eng, &r.req), AC_ACCEPTED);
        cr_assert_eq(e1->njobs, 1);
        tdev_complete(e1, 0, 0);
        cr_assert_eq(mac->njobs, 1);
        tdev_complete(mac, 0, 0);
        /* Stage 2 goes to one of e1, e2; that device fails it. */
        struct tdev *bad = e2->njobs ? e2 : e1, *good = e2->njobs ? e1 : e2;
        size_t before = good->njobs;
        cr_assert_eq(bad->jobs[bad->njobs - 1].stage, 2);
        tdev_complete(bad, bad->njobs - 1, AC_EIO);
        cr_assert_eq(ac_device_health(bad->dev), AC_DEV_FAILED);
        cr_assert_eq(good->njobs, before + 1);
        cr_assert_eq(good->jobs[before].stage, 2, "only the failed stage runs again");
        cr_assert_eq(mac->njobs, 1, "the sha stage is not repeated");
        cr_assert_eq(r.calls, 0);
        tdev_complete(good, before, 0);
        cr_assert_eq(r.calls, 1);
        cr_assert_eq(r.status, 0);
        cr_assert_eq(r.req.retries, 1);
}

Test(core_failover, every_device_failing_ends_work_with_enodev_until_one_recovers)
{
        tc.cfg.queue_depth = 1;
        tc.cfg.backlog = 4;
        tcore_start();
        struct tdev *a, *b;
        a = add("a", "aes", NULL, 1, false, false);
        b = add("b", "aes", NULL, 1, false, false);
        uint32_t aes = op("aes");
        static struct treq r[6];
        for (int i = 0; i < 6; i++)
                cr_assert_eq(submit(&r[i], i, aes), i < 4 ? AC_ACCEPTED : AC_BACKLOGGED);
        ac_device_failed(a->dev, AC_EIO);
        cr_assert_eq(tc.log.n, 0, "b takes a's work, through the backlog");
        ac_device_failed(b->dev, AC_EIO);
        cr_assert_eq(tc.log.n, 6);
        for (int i = 0; i < 6; i++) {
                cr_assert_eq(r[i].calls, 1);
                cr_assert_eq(r[i].status, AC_ENODEV, "no capable device left");
        }
        struct treq more;
        cr_assert_eq(submit(&more, 9, aes), AC_ENODEV);
        cr_assert(ac_engine_idle(tc.eng));
        ac_device_recovered(a->dev);
        ac_device_recovered(b->dev);
        cr_assert_eq(submit(&more, 9, aes), AC_ACCEPTED);
        tdev_complete_all(a, 0);
        tdev_complete_all(b, 0);
        cr_assert_eq(more.status, 0);
        cr_assert_eq(dstats(a).failures, 1);
        cr_assert_eq(dstats(b).failures, 1);
}

Test(core_failover, fallback_takes_over_and_gives_back)
{
        tcore_start();
        struct tdev *hw, *sw;
        hw = add("hw", "aes", NULL, 1, false, false);
        sw = add("sw", "aes", NULL, 1, true, false);
        uint32_t aes = op("aes");
        static struct treq r[6];
        ac_device_failed(hw->dev, AC_EIO);
        for (int i = 0; i < 4; i++)
                cr_assert_eq(submit(&r[i], i, aes), AC_ACCEPTED);
        cr_assert_eq(sw->njobs, 1);
        cr_assert_eq(dstats(sw).queued, 3);
        ac_device_recovered(hw->dev);
        struct ac_device_stats ds = dstats(sw);
        cr_assert_eq(ds.queued, 0, "queued stages go back to hardware");
        cr_assert_eq(ds.in_flight, 1, "the one in flight finishes where it is");
        cr_assert_eq(ds.migrated_out, 3);
        cr_assert_eq(dstats(hw).queued + dstats(hw).in_flight, 3);
        cr_assert_eq(submit(&r[4], 4, aes), AC_ACCEPTED);
        tdev_complete_all(sw, 0);
        cr_assert_eq(sw->njobs, 1, "no new work for the fallback");
        tdev_complete_all(hw, 0);
        cr_assert_eq(tc.log.n, 5);
        for (size_t i = 0; i < tc.log.n; i++)
                cr_assert_eq(tc.log.done[i]->status, 0);
}

Test(core_failover, hot_added_hardware_takes_work_at_once)
{
        tcore_start();
        struct tdev *sw, *hw;
        sw = add("sw", "aes", NULL, 1, true, false);
        uint32_t aes = op("aes");
        static struct treq r[4];
        for (int i = 0; i < 4; i++)
                cr_assert_eq(submit(&r[i], i, aes), AC_ACCEPTED);
        hw = add("hw", "aes", NULL, 2, false, false);
        cr_assert_eq(hw->njobs, 2, "the new device starts at once");
        cr_assert_eq(dstats(sw).queued, 0);
        cr_assert_eq(dstats(hw).queued, 1);
        tdev_complete_all(hw, 0);
        tdev_complete_all(sw, 0);
        cr_assert_eq(tc.log.n, 4);
}

Test(core_failover, flow_order_holds_callbacks_and_measures_the_wait)
{
        tc.cfg.flow_order = true;
        tc.cfg.policy = "round-robin";
        tcore_start();
        struct tdev *d = tc.devs;
        add("a", "aes", NULL, 2, false, false);
        add("b", "aes", NULL, 1, false, false);
        add("c", "aes", NULL, 1, false, false);
        uint32_t aes = op("aes");
        static struct treq r[4];
        for (int i = 0; i < 3; i++) {
                treq_init(&r[i], &tc.log, i, &aes, 1, 64, (uint8_t)i);
                r[i].req.flow = 7;
                cr_assert_eq(ac_submit(tc.eng, &r[i].req), AC_ACCEPTED);
        }
        treq_init(&r[3], &tc.log, 3, &aes, 1, 64, 0);
        r[3].req.flow = 8;
        cr_assert_eq(ac_submit(tc.eng, &r[3].req), AC_ACCEPTED);
        tdev_complete_at(&d[2], 0, 0, 100); /* r2 */
        tdev_complete_at(&d[1], 0, 0, 200); /* r1 */
        cr_assert_eq(tc.log.n, 0, "held behind r0");
        struct ac_engine_stats es = estats();
        cr_assert_eq(es.held, 2);
        tdev_complete_at(&d[0], 1, 0, 250); /* r3, another flow */
        cr_assert_eq(tc.log.n, 1);
        cr_assert_eq(tc.log.done[0], &r[3]);
        tdev_complete_at(&d[0], 0, 0, 300); /* r0 */
        cr_assert_eq(tc.log.n, 4);
        for (int i = 0; i < 3; i++)
                cr_assert_eq(tc.log.done[1 + i], &r[i], "submission order");
        cr_assert_eq(r[2].req.completed_ns, 100, "the status was known at 100");
        struct ac_level_stats ls;
        ac_level_get_stats(tc.eng, 2, &ls);
        cr_assert_eq(ls.hol_ns, 200);
        cr_assert_eq(ls.held, 1);
        ac_level_get_stats(tc.eng, 1, &ls);
        cr_assert_eq(ls.hol_ns, 100);
        ac_level_get_stats(tc.eng, 0, &ls);
        cr_assert_eq(ls.hol_ns, 0);
        cr_assert_eq(ls.held, 0);
        es = estats();
        cr_assert_eq(es.held, 0);
        cr_assert_eq(es.completed, 4);
        cr_assert(ac_engine_idle(tc.eng));
}

Test(core_failover, without_flow_order_callbacks_follow_completions)
{
        tc.cfg.policy = "round-robin";
        tcore_start();
        struct tdev *d = tc.devs;
        add("a", "aes", NULL, 1, false, false);
        add("b", "aes", NULL, 1, false, false);
        uint32_t aes = op("aes");
        static struct treq r[2];
        for (int i = 0; i < 2; i++) {
                treq_init(&r[i], &tc.log, i, &aes, 1, 64, 0);
                r[i].req.flow = 7;
                cr_assert_eq(ac_submit(tc.eng, &r[i].req), AC_ACCEPTED);
        }
        tdev_complete(&d[1], 0, 0);
        cr_assert_eq(tc.log.n, 1);
        cr_assert_eq(tc.log.done[0], &r[1]);
        tdev_complete(&d[0], 0, 0);
}

Test(core_failover, a_rejected_request_leaves_its_flow)
{
        tc.cfg.flow_order = true;
        tc.cfg.queue_depth = 1;
        tc.cfg.backlog = 0;
        tcore_start();
        struct tdev *d = add("a", "aes", NULL, 1, false, false);
        uint32_t aes = op("aes");
        static struct treq r[4];
        for (int i = 0; i < 4; i++) {
                treq_init(&r[i], &tc.log, i, &aes, 1, 64, 0);
                r[i].req.flow = 3;
        }
        cr_assert_eq(ac_submit(tc.eng, &r[0].req), AC_ACCEPTED);
        cr_assert_eq(ac_submit(tc.eng, &r[1].req), AC_ACCEPTED);
        cr_assert_eq(ac_submit(tc.eng, &r[2].req), AC_ENOSPC);
        tdev_complete_all(d, 0);
        cr_assert_eq(tc.log.n, 2);
        cr_assert_eq(ac_submit(tc.eng, &r[3].req), AC_ACCEPTED);
        cr_assert_eq(ac_submit(tc.eng, &r[2].req), AC_ACCEPTED);
        tdev_complete_all(d, 0);
        cr_assert_eq(tc.log.n, 4);
        cr_assert_eq(tc.log.done[2], &r[3]);
        cr_assert_eq(tc.log.done[3], &r[2]);
        cr_assert(ac_engine_idle(tc.eng));
}

/* The flow table follows the flows in the engine: 1000 flows of three
 * requests each, the three split over two devices, so that completing one
 * device first holds most of them; the table grows past them and shrinks
 * back to its minimum as they leave, and every flow's callbacks keep its
 * submission order throughout. */
Test(core_failover, flow_order_holds_as_the_flow_table_grows_and_shrinks)
{
        enum { FLOWS = 1000, PER = 3, N = FLOWS * PER };
        tc.cfg.flow_order = true;
        tc.cfg.policy = "round-robin";
        tcore_start();
        struct tdev *a = add("a", "aes", NULL, N, false, false);
        struct tdev *b = add("b", "aes", NULL, N, false, false);
        uint32_t aes = op("aes");
        static struct treq r[N];
        cr_assert_eq(((size_t)1 << (64 - tc.eng->flow_shift)), 64, "the minimum to start");
        for (int i = 0; i < N; i++) {
                treq_init(&r[i], &tc.log, i, &aes, 1, 64, 0);
                r[i].req.flow = 1000003u * (uint64_t)(i / PER); /* spread, not 0 .. n */
                cr_assert_eq(ac_submit(tc.eng, &r[i].req), AC_ACCEPTED);
        }
        cr_assert_eq(tc.eng->flow_heads, FLOWS);
        size_t buckets = (size_t)1 << (64 - tc.eng->flow_shift);
        cr_assert_geq(buckets, FLOWS, "at most one head per bucket: %zu", buckets);
        cr_assert_leq(buckets, 2 * FLOWS, "grown with the flows: %zu", buckets);
        tdev_complete_all(b, 0);
        struct ac_engine_stats es = estats();
        cr_assert_gt(es.held, 0, "b's requests behind a's are held");
        tdev_complete_all(a, 0);
        cr_assert_eq(tc.log.n, N);
        int next[FLOWS] = {0};
        for (int k = 0; k < N; k++) {
                int id = tc.log.done[k]->id, f = id / PER;
                cr_assert_eq(id % PER, next[f], "flow %d: request %d before %d", f, id,
                             f * PER + next[f]);
                next[f]++;
        }
        cr_assert_eq(tc.eng->flow_heads, 0);
        cr_assert_eq(((size_t)1 << (64 - tc.eng->flow_shift)), 64, "back to the minimum");
        es = estats();
        cr_assert_eq(es.held, 0);
        cr_assert(ac_engine_idle(tc.eng));
}

/* "Never": durations at the top of the range are cut to 2^63 - 1 ns, so
 * that their deadlines, modulo 2^64, are never taken for the past. */
Test(core_failover, huge_timeouts_never_fire_early)
{
        tc.cfg.failover.timeout_ns = UINT64_MAX;
        tc.cfg.failover.probe_ns = UINT64_MAX - 5;
        tc.cfg.failover.drain_ns = UINT64_MAX / 2 + 7;
        tc.cfg.failover.errors_to_fail = 1;
        tc.cfg.failover.retries = 1;
        tcore_start();
        struct tdev *a, *b;
        a = add("a", "aes", NULL, 2, false, true);
        b = add("b", "aes", NULL, 2, false, false);
        tp_advance_to(&tc.tp, UINT64_MAX / 2 + 1000);
        struct treq r[3];
        uint32_t aes = op("aes");
        cr_assert_eq(submit(&r[0], 0, aes), AC_ACCEPTED); /* watchdog armed on a */
        cr_assert_eq(submit(&r[1], 1, aes), AC_ACCEPTED); /* on b */
        cr_assert_eq(a->njobs, 1);
        cr_assert_eq(b->njobs, 1);
        tp_advance_to(&tc.tp, tc.tp.now + 1000000);
        cr_assert_eq(estats().timeouts, 0, "no watchdog fired early");
        tdev_complete(a, 0, AC_EIO); /* a fails: a probe is armed */
        cr_assert_eq(ac_device_health(a->dev), AC_DEV_FAILED);
        cr_assert_eq(ac_device_unregister(b->dev, 0), 0); /* a drain deadline */
        cr_assert_eq(ac_device_health(b->dev), AC_DEV_DRAINING);
        tp_advance_to(&tc.tp, tc.tp.now + 1000000);
        cr_assert_eq(a->probes, 0, "no probe fired early");
        cr_assert_eq(ac_device_health(b->dev), AC_DEV_DRAINING, "no drain deadline fired early");
        tdev_complete_all(b, 0);
        cr_assert_eq(r[0].calls + r[1].calls, 2);
}

/* As Linux's crypto_enqueue_request_head: a stage that reached a device and
 * must be tried again has waited its turn already, so it goes before the
 * stages of its level that have not started; it does not jump a more
 * urgent level. */
Test(core_failover, a_retried_stage_goes_to_the_head_of_its_level)
{
        tc.cfg.failover.errors_to_fail = 1000;
        tc.cfg.failover.retries = 2;
        tcore_start();
        struct tdev *d = add("d", "aes", NULL, 1, false, false);
        uint32_t aes = op("aes");
        struct treq r[4];
        for (int i = 0; i < 3; i++) {
                treq_init(&r[i], &tc.log, i, &aes, 1, 64, 1);
                cr_assert_eq(ac_submit(tc.eng, &r[i].req), AC_ACCEPTED);
        }
        treq_init(&r[3], &tc.log, 3, &aes, 1, 64, 0);
        cr_assert_eq(ac_submit(tc.eng, &r[3].req), AC_ACCEPTED);
        cr_assert_eq(d->njobs, 1);
        cr_assert_eq(d->jobs[0].req, &r[0].req);
        tdev_complete(d, 0, AC_EIO); /* r0 is retried; r3 is more urgent */
        cr_assert_eq(d->jobs[1].req, &r[3].req);
        tdev_complete(d, 1, 0);
        cr_assert_eq(d->jobs[2].req, &r[0].req, "the retried stage goes before r1 and r2");
        tdev_complete(d, 2, AC_EIO);
        cr_assert_eq(d->jobs[3].req, &r[0].req, "and again");
        tdev_complete_all(d, 0);
        cr_assert_eq(d->jobs[4].req, &r[1].req);
        cr_assert_eq(d->jobs[5].req, &r[2].req);
        for (int i = 0; i < 4; i++)
                cr_assert_eq(r[i].calls, 1);
        cr_assert_eq(r[0].req.retries, 2);
}

/* A device that reports another one recovered from inside its own submit:
 * the failed device's work is moved once, the device is back in service
 * afterwards, and nothing loops. */
static struct tdev *heal_me;

static int heal_inside_submit(struct tdev *d, size_t job)
{
        (void)job;
        if (heal_me && ac_device_health(heal_me->dev) == AC_DEV_FAILED) {
                struct tdev *t = heal_me;
                heal_me = NULL;
                ac_device_recovered(t->dev);
        }
        (void)d;
        return 0;
}

Test(core_failover, a_device_recovering_while_its_work_is_moved_gets_no_stage_twice, .timeout = 10)
{
        tc.cfg.failover.retries = 1;
        tcore_start();
        struct tdev *a, *b;
        a = add("a", "aes", NULL, 1, false, false);
        b = add("b", "aes", NULL, 1, false, false);
        uint32_t aes = op("aes");
        struct treq r[6];
        for (int i = 0; i < 6; i++)
                cr_assert_eq(submit(&r[i], i, aes), AC_ACCEPTED);
        /* least-loaded: r0 on a, r1 on b, r2 r4 queued on a, r3 r5 on b */
        cr_assert_eq(a->njobs, 1);
        cr_assert_eq(b->njobs, 1);
        tdev_complete_all(b, 0); /* b does r1, r3, r5 and is idle */
        cr_assert_eq(b->njobs, 3);
        heal_me = a;
        b->on_submit = heal_inside_submit;
        /* r0 moves to b, whose submit heals a; r2 and r4 move after that,
         * and a is a candidate again. */
        ac_device_failed(a->dev, AC_EIO);
        cr_assert_null(heal_me, "a was healed from inside b's submit");
        cr_assert_eq(ac_device_health(a->dev), AC_DEV_HEALTHY);
        for (int round = 0; round < 8; round++) {
                tdev_complete_all(a, 0);
                tdev_complete_all(b, 0);
        }
        for (int i = 0; i < 6; i++)
                cr_assert_eq(r[i].calls, 1, "request %d: %d callbacks", i, r[i].calls);
        cr_assert(ac_engine_idle(tc.eng));
        struct ac_device_stats ds = dstats(a);
        cr_assert_eq(ds.recalled, 1, "only r0 was in flight on a when it failed");
        cr_assert_eq(ds.migrated_out, 3, "r0, r2 and r4 moved off a, once each");
}

/* A driver that unregisters its device from inside submit and refuses the
 * stage: nothing is in flight any more, so the device is gone at once, not
 * at the drain deadline. */
static int leave_and_refuse(struct tdev *d, size_t job)
{
        (void)job;
        cr_assert_eq(ac_device_unregister(d->dev, 1000000), 0);
        return AC_EIO;
}

Test(core_failover, a_device_that_leaves_inside_submit_and_refuses_is_gone_at_once)
{
        tc.cfg.failover.retries = 1;
        tcore_start();
        struct tdev *a, *b;
        a = add("a", "aes", NULL, 2, false, false);
        b = add("b", "aes", NULL, 2, false, false);
        a->on_submit = leave_and_refuse;
        uint32_t aes = op("aes");
        struct treq r;
        cr_assert_eq(submit(&r, 0, aes), AC_ACCEPTED);
        cr_assert_eq(a->njobs, 1);
        cr_assert_eq(ac_device_health(a->dev), AC_DEV_GONE, "nothing in flight: gone");
        cr_assert_eq(b->njobs, 1, "the refused stage was retried on b");
        tdev_complete_all(b, 0);
        cr_assert_eq(r.calls, 1);
        cr_assert_eq(r.status, 0);
        cr_assert_eq(tp_armed(&tc.tp), 0, "no drain deadline left armed");
}

/*
 * test_core_queue.c - the order in which waiting stages reach a device:
 * priority first, FIFO within a level, aging lifting a waiting stage one
 * level per aging interval, the backlog in the same order, and the time
 * stages wait counted per level. The backlog indexed by operation
 * (core_impl/backlog.h) is held against the single queue it replaced, step
 * by step over random pushes, pulls for random sets of operations and
 * evictions.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ac/ac.h"
#include "backlog.h"
#include "support/tcore.h"

static struct tdev *dev;
static uint32_t aes;

static void setup(void)
{
        tcore_init(3, false);
}

TestSuite(core_queue, .init = setup, .fini = tcore_fini);

/* One device with a ring of one, so the queue decides the order. */
static void start(uint32_t levels, uint64_t aging_ns, uint32_t queue_depth, uint32_t backlog)
{
        tc.cfg.priority_levels = levels;
        tc.cfg.aging_ns = aging_ns;
        tc.cfg.queue_depth = queue_depth;
        tc.cfg.backlog = backlog;
        tcore_start();
        dev = tcore_add(&(struct tdev_spec){.name = "d", .ops = {"aes"}});
        aes = (uint32_t)ac_op_lookup(tc.eng, "aes");
}

static int submit(struct treq *r, int id, uint8_t prio)
{
        return tcore_submit(r, id, aes, 64, prio);
}

/* Completes the device's jobs one by one; returns the ids in the order the
 * device received them, from its job `first` on (job 0 is the blocker). */
static size_t drain(int *ids, size_t max)
{
        size_t first = 1;
        tdev_complete_all(dev, 0);
        size_t n = 0;
        for (size_t i = first; i < dev->njobs && n < max; i++)
                ids[n++] = ((struct treq *)dev->jobs[i].req->user)->id;
        return n;
}

Test(core_queue, priority_order_and_fifo_within_a_level)
{
        start(3, 0, 64, 0);
        static struct treq blocker, r[9];
        cr_assert_eq(submit(&blocker, 100, 2), AC_ACCEPTED);
        static const uint8_t prio[9] = {2, 1, 0, 2, 0, 1, 1, 2, 0};
        for (int i = 0; i < 9; i++)
                cr_assert_eq(submit(&r[i], i, prio[i]), AC_ACCEPTED);
        int ids[9];
        cr_assert_eq(drain(ids, 9), 9);
        static const int want[9] = {2, 4, 8, 1, 5, 6, 0, 3, 7};
        for (int i = 0; i < 9; i++)
                cr_assert_eq(ids[i], want[i], "position %d: got %d, want %d", i, ids[i], want[i]);
        struct ac_level_stats ls;
        for (uint32_t l = 0; l < 3; l++) {
                cr_assert_eq(ac_level_get_stats(tc.eng, l, &ls), 0);
                cr_assert_eq(ls.submitted, l == 2 ? 4 : 3);
                cr_assert_eq(ls.completed, ls.submitted);
        }
        cr_assert_eq(ac_level_get_stats(tc.eng, 3, &ls), AC_EINVAL);
}

/* A level-2 stage waits from t=0, a level-0 and a level-1 stage from
 * t=1500; the ring frees at t=1600. */
static void aging_scenario(int *ids)
{
        static struct treq blocker, a, b, c;
        cr_assert_eq(submit(&blocker, 100, 0), AC_ACCEPTED);
        cr_assert_eq(submit(&a, 0, 2), AC_ACCEPTED);
        tp_advance_to(&tc.tp, 1500);
        cr_assert_eq(submit(&b, 1, 0), AC_ACCEPTED);
        cr_assert_eq(submit(&c, 2, 1), AC_ACCEPTED);
        tdev_complete_at(dev, 0, 0, 1600);
        /* Keep the clock at 1600 while the rest go through. */
        cr_assert_eq(drain(ids, 3), 3);
}

Test(core_queue, without_aging_priority_is_strict)
{
        start(3, 0, 64, 0);
        int ids[3];
        aging_scenario(ids);
        cr_assert_eq(ids[0], 1);
        cr_assert_eq(ids[1], 2);
        cr_assert_eq(ids[2], 0);
}

Test(core_queue, aging_lifts_a_waiting_stage)
{
        /* At t=1600 with aging 1000: a (level 2, waited 1600) sits at 1;
         * b at 0; c (level 1, waited 100) at 1. b first, then a before c:
         * same effective level, a is older. */
        start(3, 1000, 64, 0);
        int ids[3];
        aging_scenario(ids);
        cr_assert_eq(ids[0], 1);
        cr_assert_eq(ids[1], 0);
        cr_assert_eq(ids[2], 2);
}

Test(core_queue, aging_to_level_zero_beats_younger_urgent_work)
{
        start(3, 1000, 64, 0);
        static struct treq blocker, old, fresh;
        cr_assert_eq(submit(&blocker, 100, 0), AC_ACCEPTED);
        cr_assert_eq(submit(&old, 0, 2), AC_ACCEPTED);
        tp_advance_to(&tc.tp, 5000);
        cr_assert_eq(submit(&fresh, 1, 0), AC_ACCEPTED);
        tdev_complete(dev, 0, 0);
        int ids[2];
        cr_assert_eq(drain(ids, 2), 2);
        cr_assert_eq(ids[0], 0, "waited five intervals: level 0, and older");
        cr_assert_eq(ids[1], 1);
}

Test(core_queue, backlog_keeps_priority_order)
{
        start(3, 0, 1, 8);
        static struct treq blocker, queued, r[6];
        cr_assert_eq(submit(&blocker, 100, 0), AC_ACCEPTED);
        cr_assert_eq(submit(&queued, 101, 2), AC_ACCEPTED);
        static const uint8_t prio[6] = {2, 0, 1, 0, 2, 1};
        for (int i = 0; i < 6; i++)
                cr_assert_eq(submit(&r[i], i, prio[i]), AC_BACKLOGGED);
        int ids[8];
        cr_assert_eq(drain(ids, 8), 7);
        static const int want[7] = {101, 1, 3, 2, 5, 0, 4};
        for (int i = 0; i < 7; i++)
                cr_assert_eq(ids[i], want[i], "position %d: got %d, want %d", i, ids[i], want[i]);
}

Test(core_queue, waiting_time_is_counted_per_level)
{
        start(2, 0, 8, 0);
        static struct treq blocker, a, b;
        cr_assert_eq(submit(&blocker, 100, 0), AC_ACCEPTED); /* waits 0 */
        tp_advance_to(&tc.tp, 100);
        cr_assert_eq(submit(&a, 0, 1), AC_ACCEPTED); /* waits 100..400 */
        tp_advance_to(&tc.tp, 200);
        cr_assert_eq(submit(&b, 1, 0), AC_ACCEPTED); /* waits 200..300 */
        tdev_complete_at(dev, 0, 0, 300);
        tdev_complete_at(dev, 1, 0, 400);
        tdev_complete_at(dev, 2, 0, 500);
        struct ac_level_stats l0, l1;
        ac_level_get_stats(tc.eng, 0, &l0);
        ac_level_get_stats(tc.eng, 1, &l1);
        cr_assert_eq(l0.queued_ns, 100);
        cr_assert_eq(l1.queued_ns, 300);
        cr_assert_eq(l0.queued, 0);
        cr_assert_eq(l1.in_flight, 0);
}

/* ---- the backlog indexed by operation against one queue --------------- */

#define RB_REQS 512
#define RB_OPS  6

/* The backlog as it was: one queue, a level walked past the stages of
 * other operations. */
static struct ac_request *one_queue_next(const struct ac_queue *q, const struct ac_request *base,
                                         const struct ac_request *twin, uint64_t ops, uint64_t now,
                                         uint64_t aging_ns)
{
        struct ac_request *best = NULL;
        uint32_t best_level = 0;
        for (uint32_t mask = q->mask; mask; mask &= mask - 1) {
                struct ac_request *r = q->lvl[__builtin_ctz(mask)].head;
                while (r && !(ops & (uint64_t)1 << twin[r - base].stages[0].op))
                        r = r->core.next;
                if (!r)
                        continue;
                uint32_t e = queue_effective_level(r, now, aging_ns);
                if (!best || queue_before(r, e, best, best_level)) {
                        best = r;
                        best_level = e;
                }
        }
        return best;
}

static uint64_t rb_state;

static uint64_t rb_below(uint64_t n)
{
        rb_state = rb_state * 6364136223846793005ull + 1442695040888963407ull;
        return (rb_state >> 33) % n;
}

/* req[i] sits in the indexed backlog, one[i] (its twin, same fields) in
 * the single queue; every pick must be the same request. */
static void backlog_against_one_queue(uint64_t seed, uint64_t aging_ns)
{
        static struct ac_request req[RB_REQS], one[RB_REQS];
        static struct ac_stage stage[RB_REQS];
        static bool in[RB_REQS];
        struct core_backlog b = {0};
        struct ac_queue q = {0};
        backlog_init(&b);
        memset(in, 0, sizeof(in));
        rb_state = seed;
        uint64_t now = 0, picks = 0, evicted = 0;
        for (int step = 0; step < 40000; step++) {
                now += rb_below(3) * 100;
                uint64_t choice = rb_below(10);
                if (choice < 5) { /* a stage enters, at the tail or (under way) the head */
                        size_t i = (size_t)rb_below(RB_REQS);
                        if (in[i])
                                continue;
                        stage[i] = (struct ac_stage){.op = (uint32_t)rb_below(RB_OPS)};
                        uint32_t level = (uint32_t)rb_below(4);
                        bool head = rb_below(5) == 0;
                        req[i] = (struct ac_request){.stages = &stage[i], .nstages = 1};
                        req[i].core.enqueued_ns = now;
                        one[i] = req[i];
                        backlog_add(&b, &req[i], level, head);
                        if (head)
                                queue_push_head(&q, &one[i], level);
                        else
                                queue_push_tail(&q, &one[i], level);
                        in[i] = true;
                } else if (choice < 9) { /* a device with some operations pulls */
                        uint64_t ops = rb_below((uint64_t)1 << RB_OPS);
                        struct ac_request *got = backlog_next(&b, ops, now, aging_ns);
                        struct ac_request *want = one_queue_next(&q, one, req, ops, now, aging_ns);
                        cr_assert_eq(got ? got - req : -1, want ? want - one : -1,
                                     "seed %llu step %d: picked %td, the single queue %td",
                                     (unsigned long long)seed, step, got ? got - req : -1,
                                     want ? want - one : -1);
                        if (got) {
                                backlog_del(&b, got);
                                queue_remove(&q, want);
                                in[got - req] = false;
                                picks++;
                        }
                } else { /* the operations no device does any more are evicted */
                        uint64_t dead = rb_below((uint64_t)1 << RB_OPS) & rb_below(64);
                        for (uint32_t level = 0; level < AC_MAX_LEVELS; level++) {
                                struct ac_request *r;
                                struct ac_request *w = q.lvl[level].head;
                                while ((r = backlog_first(&b, dead, level)) != NULL) {
                                        while (w &&
                                               !(dead & (uint64_t)1 << req[w - one].stages[0].op))
                                                w = w->core.next;
                                        cr_assert_not_null(w, "seed %llu step %d",
                                                           (unsigned long long)seed, step);
                                        cr_assert_eq(r - req, w - one,
                                                     "seed %llu step %d: evicted "
                                                     "out of order",
                                                     (unsigned long long)seed, step);
                                        struct ac_request *next = w->core.next;
                                        backlog_del(&b, r);
                                        queue_remove(&q, w);
                                        in[r - req] = false;
                                        w = next;
                                        evicted++;
                                }
                                while (w && !(dead & (uint64_t)1 << req[w - one].stages[0].op))
                                        w = w->core.next;
                                cr_assert_null(w, "seed %llu step %d: one left behind",
                                               (unsigned long long)seed, step);
                        }
                }
                cr_assert_eq(b.count, q.count);
        }
        cr_assert_gt(picks, 1000);
        cr_assert_gt(evicted, 100);
}

Test(core_queue, backlog_by_operation_picks_as_one_queue_did)
{
        for (uint64_t seed = 1; seed <= 8; seed++) {
                backlog_against_one_queue(seed, 0);
                backlog_against_one_queue(seed, 700); /* aging, head pushes ageing late */
        }
}

/*
 * test_core_observer.c - the core's tracepoints (ac/observer.h): the exact
 * sequence of points for a plain request, a chain, a failover by errors
 * and by the watchdog, a fallback engaged and giving back, a removal with
 * and without a drain; and, over a random walk with faults, that the
 * points summed per device give the core's own statistics after every
 * step.
 */
#include <criterion/criterion.h>

#include "ac/ac.h"
#include "support/tdev.h"
#include "support/tp.h"
#include "support/treq.h"

/* One tracepoint as the test keeps it. */
struct rec {
        char kind; /* 's' stage, 'd' device */
        int point;
        uint32_t device;
        const struct ac_request *req; /* stage points */
        uint32_t stage;
        int status;
        int cause;
        uint64_t now_ns;
};

#define MAX_RECS 65536

static struct rec recs[MAX_RECS];
static size_t nrecs;
static struct tp tp;
static struct treq_log log_;
static struct ac_engine *eng;
static struct ac_engine_config cfg;

static void on_stage(void *ctx, const struct ac_stage_event *ev)
{
        cr_assert_eq(ctx, &recs, "the observer's context");
        cr_assert_lt(nrecs, MAX_RECS);
        cr_assert_eq(ev->device, ac_device_index(ev->dev));
        recs[nrecs++] = (struct rec){.kind = 's',
                                     .point = (int)ev->point,
                                     .device = ev->device,
                                     .req = ev->req,
                                     .stage = ev->stage,
                                     .status = ev->status,
                                     .now_ns = ev->now_ns};
}

static void on_device(void *ctx, const struct ac_device_event *ev)
{
        cr_assert_lt(nrecs, MAX_RECS);
        cr_assert_eq(ev->device, ac_device_index(ev->dev));
        recs[nrecs++] = (struct rec){.kind = 'd',
                                     .point = (int)ev->point,
                                     .device = ev->device,
                                     .status = ev->status,
                                     .cause = (int)ev->cause,
                                     .now_ns = ev->now_ns};
}

static const struct ac_observer_ops observer = {
    .name = "test",
    .stage = on_stage,
    .device = on_device,
};

static void setup(void)
{
        nrecs = 0;
        tp_init(&tp, 11, false);
        ac_engine_config_defaults(&cfg);
        cfg.platform = tp_platform(&tp);
        cfg.observer = (struct ac_observer){.ops = &observer, .ctx = &recs};
        cfg.queue_depth = 8;
        cfg.backlog = 8;
        cfg.failover.timeout_ns = 0;
        cfg.failover.probe_ns = 0;
}

static void teardown(void)
{
        if (eng)
                ac_engine_destroy(eng);
        eng = NULL;
        treq_log_fini(&log_);
        tp_fini(&tp);
}

TestSuite(core_observer, .init = setup, .fini = teardown);

static void start(void)
{
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
}

static void add(struct tdev *d, const char *name, const char *op1, uint32_t ring, bool fallback)
{
        struct tdev_spec spec = {.name = name, .ops = {op1}, .ring = ring, .fallback = fallback};
        cr_assert_eq(tdev_add(d, eng, &tp, &spec), 0);
}

static uint32_t op(const char *name)
{
        int id = ac_op_lookup(eng, name);
        cr_assert_geq(id, 0);
        return (uint32_t)id;
}

static int submit(struct treq *r, int id, uint32_t o)
{
        treq_init(r, &log_, id, &o, 1, 64, 0);
        return ac_submit(eng, &r->req);
}

/* Expected points: S(point, device, request, stage[, .status = code]) and
 * D(point, device[, .cause = cause, .status = code]). */
#define S(p, d, r, ...)                                                                            \
        (struct rec)                                                                               \
        {                                                                                          \
                .kind = 's', .point = AC_STAGE_##p, .device = (d), .req = &(r)->req,               \
                .stage = __VA_ARGS__                                                               \
        }
#define D(p, ...)                                                                                  \
        (struct rec)                                                                               \
        {                                                                                          \
                .kind = 'd', .point = AC_DEVICE_##p, .device = __VA_ARGS__                         \
        }

static const char *stage_name(int p)
{
        static const char *const n[] = {"QUEUED",    "DISPATCHED", "COMPLETED",
                                        "TIMED_OUT", "MOVED",      "RECALLED"};
        return p >= 0 && p < 6 ? n[p] : "?";
}

static const char *device_name(int p)
{
        static const char *const n[] = {
            "ADDED",    "FAILED",  "PROBING",          "RECOVERED",
            "DRAINING", "REMOVED", "FALLBACK_ENGAGED", "FALLBACK_GIVEN_BACK"};
        return p >= 0 && p < 8 ? n[p] : "?";
}

/* Checks that the points from `from` on are exactly want[0 .. n - 1]
 * (times aside). Returns the index after them. */
static size_t expect(size_t from, const struct rec *want, size_t n)
{
        cr_assert_eq(nrecs - from, n, "%zu points after %zu, expected %zu", nrecs - from, from, n);
        for (size_t i = 0; i < n; i++) {
                const struct rec *g = &recs[from + i], *w = &want[i];
                const char *gname = g->kind == 's' ? stage_name(g->point) : device_name(g->point);
                const char *wname = w->kind == 's' ? stage_name(w->point) : device_name(w->point);
                cr_assert(g->kind == w->kind && g->point == w->point,
                          "point %zu: got %s, expected %s", i, gname, wname);
                cr_assert_eq(g->device, w->device, "point %zu (%s): device", i, gname);
                cr_assert_eq(g->status, w->status, "point %zu (%s): status", i, gname);
                if (w->kind == 's') {
                        cr_assert_eq(g->req, w->req, "point %zu (%s): request", i, gname);
                        cr_assert_eq(g->stage, w->stage, "point %zu (%s): stage", i, gname);
                } else {
                        cr_assert_eq(g->cause, w->cause, "point %zu (%s): cause", i, gname);
                }
        }
        return nrecs;
}

#define EXPECT(from, ...)                                                                          \
        do {                                                                                       \
                const struct rec want_[] = {__VA_ARGS__};                                          \
                expect((from), want_, sizeof(want_) / sizeof(want_[0]));                           \
        } while (0)

Test(core_observer, a_plain_request)
{
        start();
        struct tdev a;
        add(&a, "a", "aes", 1, false);
        EXPECT(0, D(ADDED, 0));
        static struct treq r;
        tp_advance_to(&tp, 10);
        cr_assert_eq(submit(&r, 0, op("aes")), AC_ACCEPTED);
        EXPECT(1, S(QUEUED, 0, &r, 0), S(DISPATCHED, 0, &r, 0));
        cr_assert_eq(recs[1].now_ns, 10);
        tdev_complete_at(&a, 0, 0, 250);
        EXPECT(1, S(QUEUED, 0, &r, 0), S(DISPATCHED, 0, &r, 0), S(COMPLETED, 0, &r, 0));
        cr_assert_eq(recs[3].now_ns, 250, "the platform's time");
        cr_assert_eq(r.calls, 1);
        tdev_fini(&a);
}

Test(core_observer, a_chain_over_two_devices)
{
        start();
        struct tdev a, b;
        add(&a, "a", "aes", 1, false);
        add(&b, "b", "sha", 1, false);
        uint32_t ops[2] = {op("aes"), op("sha")};
        static struct treq r;
        treq_init(&r, &log_, 0, ops, 2, 64, 0);
        cr_assert_eq(ac_submit(eng, &r.req), AC_ACCEPTED);
        tdev_complete(&a, 0, 0);
        tdev_complete(&b, 0, 0);
        EXPECT(2, S(QUEUED, 0, &r, 0), S(DISPATCHED, 0, &r, 0), S(COMPLETED, 0, &r, 0),
               S(QUEUED, 1, &r, 1), S(DISPATCHED, 1, &r, 1), S(COMPLETED, 1, &r, 1));
        cr_assert_eq(r.calls, 1);
        tdev_fini(&a);
        tdev_fini(&b);
}

Test(core_observer, a_failover_by_errors)
{
        cfg.policy = "round-robin";
        start();
        struct tdev a, b;
        add(&a, "a", "aes", 1, false);
        add(&b, "b", "aes", 1, false);
        uint32_t aes = op("aes");
        static struct treq r[3];
        for (int i = 0; i < 3; i++)
                cr_assert_eq(submit(&r[i], i, aes), AC_ACCEPTED);
        /* r0 on a, r1 on b, r2 queued behind a's full ring */
        size_t mark =
            expect(2,
                   (const struct rec[]){S(QUEUED, 0, &r[0], 0), S(DISPATCHED, 0, &r[0], 0),
                                        S(QUEUED, 1, &r[1], 0), S(DISPATCHED, 1, &r[1], 0),
                                        S(QUEUED, 0, &r[2], 0)},
                   5);
        /* An error fails a (one error to fail): the state change first,
         * then its queued stage moves, then the errored stage is retried
         * at the head of b's queue. */
        tdev_complete(&a, 0, AC_EIO);
        mark = expect(mark,
                      (const struct rec[]){S(COMPLETED, 0, &r[0], 0, .status = AC_EIO),
                                           D(FAILED, 0, .cause = AC_FAIL_ERRORS, .status = AC_EIO),
                                           S(MOVED, 0, &r[2], 0), S(QUEUED, 1, &r[2], 0),
                                           S(QUEUED, 1, &r[0], 0)},
                      5);
        tdev_complete_all(&b, 0);
        EXPECT(mark, S(COMPLETED, 1, &r[1], 0), S(DISPATCHED, 1, &r[0], 0),
               S(COMPLETED, 1, &r[0], 0), S(DISPATCHED, 1, &r[2], 0), S(COMPLETED, 1, &r[2], 0));
        tdev_fini(&a);
        tdev_fini(&b);
}

Test(core_observer, a_failover_by_the_watchdog)
{
        cfg.policy = "round-robin";
        cfg.failover.timeout_ns = 1000;
        start();
        struct tdev a, b;
        add(&a, "a", "aes", 2, false);
        add(&b, "b", "aes", 2, false);
        uint32_t aes = op("aes");
        static struct treq r[3];
        for (int i = 0; i < 3; i++)
                cr_assert_eq(submit(&r[i], i, aes), AC_ACCEPTED);
        /* r0 and r2 in flight on a, r1 on b; b answers, a hangs */
        tdev_complete_at(&b, 0, 0, 500);
        size_t mark = nrecs;
        tp_advance_to(&tp, 1000);
        EXPECT(mark, S(TIMED_OUT, 0, &r[0], 0),
               D(FAILED, 0, .cause = AC_FAIL_WATCHDOG, .status = AC_ETIMEDOUT),
               S(RECALLED, 0, &r[2], 0), S(QUEUED, 1, &r[2], 0), S(DISPATCHED, 1, &r[2], 0),
               S(QUEUED, 1, &r[0], 0), S(DISPATCHED, 1, &r[0], 0));
        cr_assert_eq(recs[mark].now_ns, 1000);
        tdev_complete_all(&b, 0);
        cr_assert_eq(log_.n, 3);
        tdev_fini(&a);
        tdev_fini(&b);
}

Test(core_observer, a_fallback_engaged_and_giving_back)
{
        start();
        struct tdev h, f;
        add(&h, "hw", "aes", 1, false);
        add(&f, "sw", "aes", 1, true);
        uint32_t aes = op("aes");
        ac_device_failed(h.dev, AC_EIO);
        static struct treq r[2];
        cr_assert_eq(submit(&r[0], 0, aes), AC_ACCEPTED);
        cr_assert_eq(submit(&r[1], 1, aes), AC_ACCEPTED);
        size_t mark =
            expect(2,
                   (const struct rec[]){D(FAILED, 0, .cause = AC_FAIL_REPORTED, .status = AC_EIO),
                                        D(FALLBACK_ENGAGED, 1), S(QUEUED, 1, &r[0], 0),
                                        S(DISPATCHED, 1, &r[0], 0), S(QUEUED, 1, &r[1], 0)},
                   5);
        /* The hardware is back: the fallback gives back what is queued;
         * what is in flight there finishes there. */
        ac_device_recovered(h.dev);
        EXPECT(mark, D(RECOVERED, 0), D(FALLBACK_GIVEN_BACK, 1), S(MOVED, 1, &r[1], 0),
               S(QUEUED, 0, &r[1], 0), S(DISPATCHED, 0, &r[1], 0));
        tdev_complete_all(&f, 0);
        tdev_complete_all(&h, 0);
        cr_assert_eq(log_.n, 2);
        tdev_fini(&h);
        tdev_fini(&f);
}

Test(core_observer, a_removal_with_and_without_a_drain)
{
        cfg.policy = "round-robin";
        start();
        struct tdev a, b, c;
        add(&a, "a", "aes", 1, false);
        add(&b, "b", "aes", 1, false);
        add(&c, "c", "aes", 1, false);
        uint32_t aes = op("aes");
        static struct treq r[4];
        for (int i = 0; i < 4; i++)
                cr_assert_eq(submit(&r[i], i, aes), AC_ACCEPTED);
        /* r0 on a, r1 on b, r2 on c, r3 queued on a */
        size_t mark = nrecs;
        cr_assert_eq(ac_device_unregister(a.dev, 1000), 0);
        mark = expect(
            mark,
            (const struct rec[]){D(DRAINING, 0), S(MOVED, 0, &r[3], 0), S(QUEUED, 1, &r[3], 0)}, 3);
        tdev_complete(&a, 0, 0);
        mark = expect(mark, (const struct rec[]){S(COMPLETED, 0, &r[0], 0), D(REMOVED, 0)}, 2);
        /* surprise removal: gone now, its in-flight stage recalled */
        ac_device_removed(c.dev);
        EXPECT(mark, D(REMOVED, 2), S(RECALLED, 2, &r[2], 0), S(QUEUED, 1, &r[2], 0));
        tdev_complete_all(&b, 0);
        cr_assert_eq(log_.n, 4);
        tdev_fini(&a);
        tdev_fini(&b);
        tdev_fini(&c);
}

/* ---- the points add up to the core's statistics ------------------------ */

struct sums {
        uint64_t enqueued, dispatched, completed, errors, timeouts, migrated_out, recalled,
            failures;
        int64_t queued, in_flight;
};

static void check_sums(size_t ndev)
{
        struct sums s[8] = {0};
        for (size_t i = 0; i < nrecs; i++) {
                const struct rec *g = &recs[i];
                cr_assert_lt(g->device, ndev);
                struct sums *x = &s[g->device];
                if (g->kind == 'd') {
                        x->failures += g->point == AC_DEVICE_FAILED;
                        continue;
                }
                switch (g->point) {
                case AC_STAGE_QUEUED:
                        x->enqueued++;
                        x->queued++;
                        break;
                case AC_STAGE_DISPATCHED:
                        x->dispatched++;
                        x->queued--;
                        x->in_flight++;
                        break;
                case AC_STAGE_COMPLETED:
                        if (g->status == 0)
                                x->completed++;
                        else
                                x->errors++;
                        x->in_flight--;
                        break;
                case AC_STAGE_TIMED_OUT:
                        x->timeouts++;
                        x->in_flight--;
                        break;
                case AC_STAGE_MOVED:
                        x->migrated_out++;
                        x->queued--;
                        break;
                case AC_STAGE_RECALLED:
                        x->migrated_out++;
                        x->recalled++;
                        x->in_flight--;
                        break;
                }
        }
        for (size_t d = 0; d < ndev; d++) {
                struct ac_device_stats ds;
                ac_device_get_stats(ac_engine_device(eng, d), &ds);
                struct sums *x = &s[d];
                cr_assert_eq(x->enqueued, ds.enqueued, "device %zu enqueued", d);
                cr_assert_eq(x->dispatched, ds.dispatched, "device %zu dispatched", d);
                cr_assert_eq(x->completed, ds.completed, "device %zu completed", d);
                cr_assert_eq(x->errors, ds.errors, "device %zu errors", d);
                cr_assert_eq(x->timeouts, ds.timeouts, "device %zu timeouts", d);
                cr_assert_eq(x->migrated_out, ds.migrated_out, "device %zu migrated_out", d);
                cr_assert_eq(x->recalled, ds.recalled, "device %zu recalled", d);
                cr_assert_eq(x->failures, ds.failures, "device %zu failures", d);
                cr_assert_eq(x->queued, (int64_t)ds.queued, "device %zu queued", d);
                cr_assert_eq(x->in_flight, (int64_t)ds.in_flight, "device %zu in flight", d);
        }
}

static uint64_t next_rand(uint64_t *x)
{
        uint64_t z = (*x += 0x9e3779b97f4a7c15u);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        return z ^ (z >> 31);
}

Test(core_observer, the_points_add_up_to_the_statistics)
{
        cfg.policy = "least-loaded";
        cfg.failover.timeout_ns = 5000;
        cfg.failover.retries = 2;
        cfg.failover.errors_to_fail = 2;
        cfg.backlog = 64;
        start();
        enum { NDEV = 4, NREQ = 400 };
        static struct tdev d[NDEV];
        add(&d[0], "a", "aes", 2, false);
        add(&d[1], "b", "aes", 3, false);
        add(&d[2], "c", "aes", 1, false);
        add(&d[3], "sw", "aes", 2, true);
        uint32_t aes = op("aes");
        static struct treq r[NREQ];
        uint64_t rng = 7, now = 0;
        size_t sent = 0, rejected = 0;
        for (int step = 0; step < 4000 && (sent < NREQ || log_.n + rejected < sent); step++) {
                uint64_t x = next_rand(&rng);
                struct tdev *t = &d[x % NDEV];
                switch ((x >> 8) % 10) {
                case 0:
                case 1:
                case 2:
                        if (sent < NREQ) {
                                rejected += submit(&r[sent], (int)sent, aes) < 0;
                                sent++;
                        }
                        break;
                case 3:
                        if (ac_device_health(t->dev) == AC_DEV_HEALTHY && (x >> 16) % 8 == 0)
                                ac_device_failed(t->dev, AC_EIO);
                        else if (ac_device_health(t->dev) == AC_DEV_FAILED)
                                ac_device_recovered(t->dev);
                        break;
                case 4:
                        if (tdev_oldest(t) != SIZE_MAX)
                                tdev_complete(t, tdev_oldest(t), AC_EIO);
                        break;
                case 5:
                        now += 1500; /* lets a watchdog expire now and then */
                        tp_advance_to(&tp, now);
                        break;
                default:
                        tdev_complete_next(t, 0);
                        break;
                }
                check_sums(NDEV);
                /* a device failed for good would leave requests waiting */
                if (step % 500 == 499)
                        for (int k = 0; k < NDEV; k++)
                                if (ac_device_health(d[k].dev) == AC_DEV_FAILED)
                                        ac_device_recovered(d[k].dev);
        }
        for (int k = 0; k < NDEV; k++)
                if (ac_device_health(d[k].dev) == AC_DEV_FAILED)
                        ac_device_recovered(d[k].dev);
        for (int more = 1; more;) {
                more = 0;
                for (int k = 0; k < NDEV; k++)
                        more += (int)tdev_complete_all(&d[k], 0);
                check_sums(NDEV);
        }
        cr_assert(ac_engine_idle(eng));
        check_sums(NDEV);
        struct ac_engine_stats es;
        ac_engine_get_stats(eng, &es);
        cr_assert_gt(es.migrated, 0, "the walk moved stages");
        cr_assert_gt(es.retried, 0, "the walk retried stages");
        cr_assert_gt(es.timeouts, 0, "the walk let watchdogs expire");
        struct ac_device_stats sw;
        ac_device_get_stats(d[3].dev, &sw);
        cr_assert_gt(sw.completed, 0, "the fallback took work");
        size_t recalled = 0, given_back = 0;
        for (size_t i = 0; i < nrecs; i++) {
                recalled += recs[i].kind == 's' && recs[i].point == AC_STAGE_RECALLED;
                given_back += recs[i].kind == 'd' && recs[i].point == AC_DEVICE_FALLBACK_GIVEN_BACK;
        }
        cr_assert_gt(recalled, 0, "the walk recalled in-flight stages");
        cr_assert_gt(given_back, 0, "the fallback gave work back");
        for (int k = 0; k < NDEV; k++)
                tdev_fini(&d[k]);
}

/* Without an observer nothing is called: the default config has none. */
Test(core_observer, none_by_default)
{
        struct ac_engine_config c;
        ac_engine_config_defaults(&c);
        cr_assert_null(c.observer.ops);
}

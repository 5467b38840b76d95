/*
 * test_core_completion.c - what happens after a device answers: exactly one
 * callback per accepted request, with the lock released and state settled
 * so that callbacks may submit; devices that complete inside submit;
 * chains routed stage by stage (with and without affinity); counters that
 * conserve under a scrambled mixed workload; busy time and the service
 * rate the view shows.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "ac/ac.h"
#include "support/tcore.h"

/* Failover knobs for the next start(): no retries, devices never fail on
 * errors, so an error completion ends its request (the plain path). */
static bool plain_errors;

static void teardown(void)
{
        tcore_fini();
        plain_errors = false;
}

static void start(bool locking, const char *policy, uint32_t queue_depth, uint32_t backlog,
                  bool affinity)
{
        tcore_init(11, locking);
        tc.cfg.policy = policy;
        tc.cfg.queue_depth = queue_depth;
        tc.cfg.backlog = backlog;
        tc.cfg.affinity = affinity;
        if (plain_errors) {
                tc.cfg.failover.retries = 0;
                tc.cfg.failover.errors_to_fail = 1000;
        }
        tcore_start();
}

static uint32_t op(const char *name)
{
        return (uint32_t)ac_op_lookup(tc.eng, name);
}

TestSuite(core_completion, .fini = teardown);

Test(core_completion, exactly_once_with_mixed_statuses)
{
        plain_errors = true;
        start(true, "round-robin", 16, 64, false);
        struct tdev *a, *b;
        a = tcore_add(&(struct tdev_spec){.name = "a", .ops = {"aes"}, .ring = 2});
        b = tcore_add(&(struct tdev_spec){.name = "b", .ops = {"aes"}, .ring = 3});
        uint32_t aes = op("aes");
        enum { N = 40 };
        static struct treq r[N];
        for (int i = 0; i < N; i++) {
                treq_init(&r[i], &tc.log, i, &aes, 1, 100, (uint8_t)(i % 3));
                cr_assert_geq(ac_submit(tc.eng, &r[i].req), 0);
        }
        /* Every third job on a fails. */
        size_t k = 0;
        for (;;) {
                size_t ia = tdev_oldest(a), ib = tdev_oldest(b);
                if (ia == SIZE_MAX && ib == SIZE_MAX)
                        break;
                tp_advance_to(&tc.tp, tc.tp.now + 10);
                if (ia != SIZE_MAX)
                        tdev_complete(a, ia, k++ % 3 == 0 ? AC_EIO : 0);
                if (ib != SIZE_MAX)
                        tdev_complete(b, ib, 0);
        }
        cr_assert_eq(tc.log.n, N);
        size_t failed = 0;
        for (int i = 0; i < N; i++) {
                cr_assert_eq(r[i].calls, 1, "request %d called %d times", i, r[i].calls);
                cr_assert(r[i].status == 0 || r[i].status == AC_EIO);
                failed += r[i].status != 0;
                cr_assert_geq(r[i].req.completed_ns, r[i].req.submitted_ns);
        }
        struct ac_engine_stats es;
        ac_engine_get_stats(tc.eng, &es);
        cr_assert_eq(es.failed, failed);
        cr_assert_eq(es.completed, N - failed);
        cr_assert_gt(failed, 0);
        cr_assert(ac_engine_idle(tc.eng));
        cr_assert(!tc.tp.locked);
        cr_assert_gt(tc.tp.lock_count, 0, "the lock hooks were used");
}

/* Closed loop: each callback resubmits its request until it has gone
 * round `laps` times. Runs with the checking lock: the callback must find
 * it released. */
static int laps_left[8];

static void again(struct ac_request *req, int status)
{
        struct treq *r = req->user;
        cr_assert(!tc.tp.locked, "callbacks run with the lock released");
        cr_assert_eq(status, 0);
        r->calls++;
        if (--laps_left[r->id] > 0)
                cr_assert_eq(ac_submit(tc.eng, req), AC_ACCEPTED);
}

Test(core_completion, callbacks_may_resubmit)
{
        start(true, "least-loaded", 4, 0, false);
        struct tdev *d = tcore_add(&(struct tdev_spec){.name = "d", .ops = {"aes"}, .ring = 3});
        uint32_t aes = op("aes");
        static struct treq r[8];
        for (int i = 0; i < 8; i++) {
                laps_left[i] = 5;
                treq_init(&r[i], NULL, i, &aes, 1, 64, 0);
                r[i].req.done = again;
                tc.own_callbacks = true;
        }
        for (int i = 0; i < 7; i++)
                cr_assert_eq(ac_submit(tc.eng, &r[i].req), AC_ACCEPTED);
        cr_assert_eq(tdev_complete_all(d, 0), 35);
        for (int i = 0; i < 7; i++)
                cr_assert_eq(r[i].calls, 5);
        cr_assert_eq(d->max_outstanding, 3);
        cr_assert(ac_engine_idle(tc.eng));
}

Test(core_completion, devices_may_complete_inside_submit)
{
        start(false, "least-loaded", 4, 0, false);
        struct tdev *d = tcore_add(&(struct tdev_spec){.name = "d", .ops = {"aes"}, .ring = 2});
        d->complete_inline = true;
        uint32_t aes = op("aes");
        static struct treq r[8];
        for (int i = 0; i < 8; i++) {
                laps_left[i] = 100;
                treq_init(&r[i], NULL, i, &aes, 1, 64, 0);
                r[i].req.done = again;
                tc.own_callbacks = true;
                cr_assert_eq(ac_submit(tc.eng, &r[i].req), AC_ACCEPTED);
        }
        for (int i = 0; i < 8; i++)
                cr_assert_eq(r[i].calls, 100);
        cr_assert_eq(d->njobs, 800);
        cr_assert(ac_engine_idle(tc.eng));
}

Test(core_completion, chain_goes_stage_by_stage)
{
        start(false, "least-loaded", 8, 0, false);
        struct tdev *enc, *mac;
        enc = tcore_add(&(struct tdev_spec){.name = "enc", .ops = {"aes"}, .ring = 4});
        mac = tcore_add(&(struct tdev_spec){.name = "mac", .ops = {"sha"}, .ring = 4});
        uint32_t chain[3] = {op("aes"), op("sha"), op("aes")};
        struct treq r;
        treq_init(&r, &tc.log, 0, chain, 3, 1500, 1);
        cr_assert_eq(ac_submit(tc.eng, &r.req), AC_ACCEPTED);
        cr_assert_eq(enc->njobs, 1);
        cr_assert_eq(mac->njobs, 0);
        cr_assert_eq(enc->jobs[0].stage, 0);
        cr_assert_eq(enc->jobs[0].bytes, 1500);
        tdev_complete_at(enc, 0, 0, 100);
        cr_assert_eq(r.calls, 0, "no callback before the last stage");
        cr_assert_eq(mac->njobs, 1);
        cr_assert_eq(mac->jobs[0].stage, 1);
        cr_assert_eq(mac->jobs[0].req, &r.req);
        tdev_complete_at(mac, 0, 0, 200);
        cr_assert_eq(enc->njobs, 2);
        cr_assert_eq(enc->jobs[1].stage, 2);
        cr_assert_eq(r.calls, 0);
        tdev_complete_at(enc, 1, 0, 300);
        cr_assert_eq(r.calls, 1);
        cr_assert_eq(r.status, 0);
        cr_assert_eq(r.req.completed_ns, 300);
        struct ac_level_stats ls;
        ac_level_get_stats(tc.eng, 1, &ls);
        cr_assert_eq(ls.submitted, 1);
        cr_assert_eq(ls.completed, 1);
}

Test(core_completion, chain_error_mid_way_without_budget_ends_the_request)
{
        plain_errors = true;
        start(false, "least-loaded", 8, 0, false);
        struct tdev *enc, *mac;
        enc = tcore_add(&(struct tdev_spec){.name = "enc", .ops = {"aes"}, .ring = 4});
        mac = tcore_add(&(struct tdev_spec){.name = "mac", .ops = {"sha"}, .ring = 4});
        uint32_t chain[2] = {op("aes"), op("sha")};
        struct treq r;
        treq_init(&r, &tc.log, 0, chain, 2, 64, 0);
        cr_assert_eq(ac_submit(tc.eng, &r.req), AC_ACCEPTED);
        tdev_complete(enc, 0, AC_EIO);
        cr_assert_eq(r.calls, 1);
        cr_assert_eq(r.status, AC_EIO);
        cr_assert_eq(mac->njobs, 0, "a failed stage is not followed by the next");
}

static size_t chain_on_both(bool affinity)
{
        start(false, "least-loaded", 8, 0, affinity);
        struct tdev *both, *mac;
        both = tcore_add(&(struct tdev_spec){.name = "both", .ops = {"aes", "sha"}, .ring = 4});
        mac = tcore_add(&(struct tdev_spec){.name = "mac", .ops = {"sha"}, .ring = 4});
        uint32_t chain[2] = {op("aes"), op("sha")};
        static struct treq r, other;
        uint32_t aes = op("aes");
        treq_init(&other, &tc.log, 1, &aes, 1, 64, 0);
        cr_assert_eq(ac_submit(tc.eng, &other.req), AC_ACCEPTED); /* loads "both" */
        treq_init(&r, &tc.log, 0, chain, 2, 64, 0);
        cr_assert_eq(ac_submit(tc.eng, &r.req), AC_ACCEPTED);
        tdev_complete(both, 1, 0);
        size_t stayed = both->njobs - 2;
        tdev_complete_all(both, 0);
        tdev_complete_all(mac, 0);
        cr_assert_eq(r.calls, 1);
        cr_assert_eq(other.calls, 1);
        return stayed;
}

Test(core_completion, affinity_keeps_a_chain_on_its_device)
{
        cr_assert_eq(chain_on_both(true), 1, "with affinity the sha stage stays");
}

Test(core_completion, without_affinity_the_balancer_routes_the_next_stage)
{
        cr_assert_eq(chain_on_both(false), 0, "least-loaded sends it to the idle mac");
}

static void check_conservation(struct tdev *devs, size_t ndevs, uint32_t levels)
{
        struct ac_engine_stats es;
        ac_engine_get_stats(tc.eng, &es);
        cr_assert_eq(es.submitted, es.accepted + es.backlogged + es.rejected);
        cr_assert_eq(es.accepted + es.backlogged,
                     es.completed + es.failed + es.queued + es.backlog + es.in_flight + es.held);
        uint64_t sub = 0, done = 0, queued = 0, in_flight = 0;
        for (uint32_t l = 0; l < levels; l++) {
                struct ac_level_stats ls;
                cr_assert_eq(ac_level_get_stats(tc.eng, l, &ls), 0);
                cr_assert_eq(ls.submitted, ls.completed + ls.failed + ls.queued + ls.in_flight);
                sub += ls.submitted;
                done += ls.completed + ls.failed;
                queued += ls.queued;
                in_flight += ls.in_flight;
        }
        cr_assert_eq(sub, es.accepted + es.backlogged);
        cr_assert_eq(queued, es.queued + es.backlog);
        cr_assert_eq(in_flight, es.in_flight);
        uint32_t dq = 0, df = 0;
        for (size_t i = 0; i < ndevs; i++) {
                struct ac_device_stats ds;
                ac_device_get_stats(devs[i].dev, &ds);
                cr_assert_eq(ds.enqueued, ds.completed + ds.errors + ds.timeouts + ds.queued +
                                              ds.in_flight + ds.migrated_out);
                cr_assert_eq(ds.dispatched,
                             ds.completed + ds.errors + ds.timeouts + ds.recalled + ds.in_flight);
                cr_assert_leq(ds.in_flight, devs[i].ring);
                cr_assert_eq(ds.in_flight, tdev_pending(&devs[i]));
                dq += ds.queued;
                df += ds.in_flight;
        }
        cr_assert_eq(dq, es.queued);
        cr_assert_eq(df, es.in_flight);
}

Test(core_completion, counters_conserve_under_a_mixed_workload)
{
        plain_errors = true;
        start(false, "round-robin", 6, 10, false);
        struct tdev *devs = tc.devs;
        tcore_add(&(struct tdev_spec){.name = "a", .ops = {"aes"}, .ring = 2});
        tcore_add(&(struct tdev_spec){.name = "b", .ops = {"aes", "sha"}, .ring = 4});
        tcore_add(&(struct tdev_spec){.name = "c", .ops = {"sha"}, .ring = 1});
        uint32_t aes = op("aes"), sha = op("sha");
        uint32_t chains[3][2] = {{aes, aes}, {sha, sha}, {aes, sha}};
        enum { N = 400 };
        static struct treq r[N];
        uint64_t x = 99;
        int next = 0;
        for (int step = 0; step < 4000 && (next < N || !ac_engine_idle(tc.eng)); step++) {
                x = x * 6364136223846793005ull + 1442695040888963407ull;
                unsigned roll = (unsigned)(x >> 40);
                tp_advance_to(&tc.tp, tc.tp.now + roll % 50);
                if (roll % 3 != 0 && next < N) {
                        struct treq *q = &r[next];
                        const uint32_t *c = chains[roll % 9 / 3];
                        treq_init(q, &tc.log, next, c, 1 + roll / 7 % 2, roll % 2000,
                                  (uint8_t)(roll / 11 % 3));
                        next++;
                        (void)ac_submit(tc.eng, &q->req);
                } else {
                        struct tdev *d = &devs[roll / 3 % 3];
                        size_t pending[8], n = 0;
                        for (size_t i = d->next; i < d->njobs && n < 8; i++)
                                if (!d->jobs[i].done)
                                        pending[n++] = i;
                        if (n)
                                tdev_complete(d, pending[roll / 17 % n],
                                              roll % 23 == 0 ? AC_EIO : 0);
                }
                check_conservation(devs, 3, 3);
        }
        cr_assert_eq(next, N);
        cr_assert(ac_engine_idle(tc.eng));
        struct ac_engine_stats es;
        ac_engine_get_stats(tc.eng, &es);
        cr_assert_gt(es.backlogged, 0, "the workload reached the backlog");
        cr_assert_gt(es.rejected, 0, "and beyond it");
        cr_assert_gt(es.failed, 0);
        cr_assert_eq(tc.log.n, es.completed + es.failed);
        for (int i = 0; i < N; i++)
                cr_assert_leq(r[i].calls, 1);
}

Test(core_completion, busy_time_and_service_rate)
{
        start(false, "least-loaded", 8, 0, false);
        struct tdev *d = tcore_add(&(struct tdev_spec){.name = "d", .ops = {"aes"}, .ring = 2});
        uint32_t aes = op("aes");
        static struct treq r[3];
        tp_advance_to(&tc.tp, 1000);
        treq_init(&r[0], &tc.log, 0, &aes, 1, 1000, 0);
        cr_assert_eq(ac_submit(tc.eng, &r[0].req), AC_ACCEPTED);
        const struct ac_device_view *v = ac_device_view(d->dev);
        cr_assert_eq(v->service_ns, 0, "unknown before the first completion");
        tp_advance_to(&tc.tp, 1200);
        treq_init(&r[1], &tc.log, 1, &aes, 1, 500, 0);
        cr_assert_eq(ac_submit(tc.eng, &r[1].req), AC_ACCEPTED);
        struct ac_device_stats ds;
        tp_advance_to(&tc.tp, 1500);
        ac_device_get_stats(d->dev, &ds);
        cr_assert_eq(ds.busy_ns, 500, "brought up to now while busy");
        cr_assert_eq(v->in_flight, 2);
        cr_assert_eq(v->in_flight_bytes, 1500);
        tdev_complete_at(d, 0, 0, 1800); /* 800 ns for 1000 B */
        cr_assert_float_eq(v->service_ns, 800.0, 1e-9);
        cr_assert_float_eq(v->ns_per_byte, 0.8, 1e-12);
        tdev_complete_at(d, 1, 0, 2000); /* 800 ns for 500 B */
        cr_assert_float_eq(v->service_ns, 800.0, 1e-9);
        cr_assert_float_eq(v->ns_per_byte, 0.8 + (1.6 - 0.8) / 8, 1e-12);
        cr_assert_eq(v->completed, 2);
        tp_advance_to(&tc.tp, 3000);
        treq_init(&r[2], &tc.log, 2, &aes, 1, 10, 0);
        cr_assert_eq(ac_submit(tc.eng, &r[2].req), AC_ACCEPTED);
        tdev_complete_at(d, 2, 0, 3100);
        ac_device_get_stats(d->dev, &ds);
        cr_assert_eq(ds.busy_ns, 1000 + 100, "idle time between is not busy");
}

/* A request on the heap, freed by its own callback: the usual pattern of a
 * caller that allocates per request. */
static int freed_calls;

static void free_it(struct ac_request *req, int status)
{
        cr_assert_eq(status, 0);
        freed_calls++;
        free(req->user);
}

Test(core_completion, a_callback_may_free_its_request_when_the_device_completes_inside_submit)
{
        start(false, "least-loaded", 4, 0, false);
        struct tdev *d = tcore_add(&(struct tdev_spec){.name = "d", .ops = {"aes"}, .ring = 2});
        d->complete_inline = true;
        uint32_t aes = op("aes");
        freed_calls = 0;
        for (int i = 0; i < 4; i++) {
                struct treq *r = malloc(sizeof(*r));
                cr_assert_not_null(r);
                treq_init(r, NULL, i, &aes, 1, 64, (uint8_t)(i % 3));
                r->req.done = free_it;
                tc.own_callbacks = true;
                /* The callback runs only once ac_submit is done with r. */
                cr_assert_eq(ac_submit(tc.eng, &r->req), AC_ACCEPTED);
        }
        cr_assert_eq(freed_calls, 4);
        struct ac_level_stats ls;
        for (uint32_t l = 0; l < 3; l++) {
                cr_assert_eq(ac_level_get_stats(tc.eng, l, &ls), 0);
                cr_assert_eq(ls.submitted, ls.completed);
        }
        cr_assert(ac_engine_idle(tc.eng));
}

/*
 * test_policies_registry.c - the balancer registry and the built-in
 * balancers: one conformance test over every registered balancer, then the
 * choices of round-robin and least-loaded in situations where the right
 * answer is known.
 */
#include <criterion/criterion.h>

#include "ac/ac.h"
#include "support/tcore.h"

static uint32_t aes;

TestSuite(policies_registry, .fini = tcore_fini);

static void start(const char *policy, size_t ndevs, uint32_t ring)
{
        tcore_init(5, false);
        tc.cfg.policy = policy;
        tc.cfg.queue_depth = 64;
        tc.cfg.backlog = 0;
        tcore_start();
        static const char *names[4] = {"d0", "d1", "d2", "d3"};
        for (size_t i = 0; i < ndevs; i++)
                tcore_add(&(struct tdev_spec){.name = names[i], .ops = {"aes"}, .ring = ring});
        aes = (uint32_t)ac_op_lookup(tc.eng, "aes");
}

/* Submits one request; returns the index of the device that got it (read
 * from the core's bookkeeping: a test may look where a caller may not). */
static int route(struct treq *r, int id)
{
        cr_assert_eq(tcore_submit(r, id, aes, 64, 0), AC_ACCEPTED);
        const struct ac_device *dev = r->req.core.device;
        cr_assert_not_null(dev);
        return (int)ac_device_index(dev);
}

Test(policies_registry, registry_finds_every_balancer_by_name)
{
        size_t n = 0;
        for (size_t i = 0; ac_balancers[i]; i++, n++) {
                const struct ac_balancer_ops *b = ac_balancers[i];
                cr_assert_not_null(b->name);
                cr_assert_not_null(b->description);
                cr_assert_not_null(b->init);
                cr_assert_not_null(b->pick);
                cr_assert_eq(ac_balancer_find(b->name), b);
                for (size_t j = 0; j < i; j++)
                        cr_assert_str_neq(ac_balancers[j]->name, b->name);
        }
        cr_assert_geq(n, 2);
        cr_assert_not_null(ac_balancer_find("round-robin"));
        cr_assert_not_null(ac_balancer_find("least-loaded"));
        cr_assert_null(ac_balancer_find("nope"));
        cr_assert_null(ac_balancer_find(NULL));
}

/* Conformance: every balancer, on heterogeneous devices under a scrambled
 * load, places every stage on a capable device and every request
 * completes once. */
Test(policies_registry, every_balancer_places_every_stage)
{
        for (size_t b = 0; ac_balancers[b]; b++) {
                const char *name = ac_balancers[b]->name;
                start(name, 0, 1);
                tcore_add(&(struct tdev_spec){.name = "a", .ops = {"aes"}, .ring = 2});
                tcore_add(&(struct tdev_spec){.name = "b", .ops = {"aes", "sha"}, .ring = 3});
                tcore_add(&(struct tdev_spec){.name = "c", .ops = {"sha"}, .ring = 1});
                aes = (uint32_t)ac_op_lookup(tc.eng, "aes");
                uint32_t sha = (uint32_t)ac_op_lookup(tc.eng, "sha");
                enum { N = 120 };
                static struct treq r[N];
                uint64_t x = 7 + b;
                for (int i = 0; i < N; i++) {
                        x = x * 6364136223846793005ull + 1442695040888963407ull;
                        uint32_t o = (x >> 40) % 2 ? aes : sha;
                        treq_init(&r[i], &tc.log, i, &o, 1, 64, (uint8_t)((x >> 20) % 3));
                        cr_assert_eq(ac_submit(tc.eng, &r[i].req), AC_ACCEPTED, "%s", name);
                        if (i % 3 == 2)
                                for (size_t d = 0; d < 3; d++)
                                        tdev_complete_next(&tc.devs[d], 0);
                }
                while (tdev_complete_next(&tc.devs[0], 0) | tdev_complete_next(&tc.devs[1], 0) |
                       tdev_complete_next(&tc.devs[2], 0))
                        ;
                for (size_t d = 0; d < 3; d++) {
                        uint64_t caps = ac_device_view(tc.devs[d].dev)->capabilities;
                        for (size_t j = 0; j < tc.devs[d].njobs; j++)
                                cr_assert(caps & (1ull << tc.devs[d].jobs[j].op), "%s", name);
                }
                for (int i = 0; i < N; i++)
                        cr_assert_eq(r[i].calls, 1, "%s: request %d", name, i);
                cr_assert(ac_engine_idle(tc.eng), "%s", name);
                tcore_fini();
        }
}

Test(policies_registry, round_robin_takes_turns)
{
        start("round-robin", 3, 8);
        static struct treq r[7];
        static const int want[7] = {0, 1, 2, 0, 1, 2, 0};
        for (int i = 0; i < 7; i++)
                cr_assert_eq(route(&r[i], i), want[i], "request %d", i);
        for (size_t d = 0; d < 3; d++)
                tdev_complete_all(&tc.devs[d], 0);
}

Test(policies_registry, round_robin_skips_devices_out_of_service)
{
        start("round-robin", 3, 8);
        ac_device_failed(tc.devs[1].dev, AC_EIO);
        static struct treq r[5];
        static const int want[5] = {0, 2, 0, 2, 0};
        for (int i = 0; i < 5; i++)
                cr_assert_eq(route(&r[i], i), want[i], "request %d", i);
        ac_device_recovered(tc.devs[1].dev);
        static struct treq s[3];
        static const int then[3] = {1, 2, 0}; /* the turn was at d1 */
        for (int i = 0; i < 3; i++)
                cr_assert_eq(route(&s[i], 10 + i), then[i], "request %d", 10 + i);
        for (size_t d = 0; d < 3; d++)
                tdev_complete_all(&tc.devs[d], 0);
}

Test(policies_registry, least_loaded_picks_fewest_queued_plus_in_flight)
{
        start("least-loaded", 3, 2);
        static struct treq r[12];
        /* Equal load: ties go to the first device. */
        cr_assert_eq(route(&r[0], 0), 0);
        cr_assert_eq(route(&r[1], 1), 1);
        cr_assert_eq(route(&r[2], 2), 2);
        cr_assert_eq(route(&r[3], 3), 0);
        /* d1 finishes one: it is the least loaded now. */
        tdev_complete(&tc.devs[1], 0, 0);
        cr_assert_eq(route(&r[4], 4), 1);
        cr_assert_eq(route(&r[5], 5), 1);
        cr_assert_eq(route(&r[6], 6), 2);
        /* Rings full (2 each), queues take the rest: in-flight plus
         * queued still balances, ties to the first. */
        cr_assert_eq(route(&r[7], 7), 0);
        cr_assert_eq(route(&r[8], 8), 1);
        cr_assert_eq(route(&r[9], 9), 2);
        cr_assert_eq(route(&r[10], 10), 0);
        struct ac_device_stats ds;
        ac_device_get_stats(tc.devs[0].dev, &ds);
        cr_assert_eq(ds.in_flight, 2);
        cr_assert_eq(ds.queued, 2);
        for (size_t d = 0; d < 3; d++)
                tdev_complete_all(&tc.devs[d], 0);
        cr_assert(ac_engine_idle(tc.eng));
}

Test(policies_registry, least_loaded_ignores_devices_that_cannot_do_the_stage)
{
        start("least-loaded", 0, 1);
        tcore_add(&(struct tdev_spec){.name = "busy-aes", .ops = {"aes"}, .ring = 4});
        tcore_add(&(struct tdev_spec){.name = "idle-sha", .ops = {"sha"}, .ring = 4});
        aes = (uint32_t)ac_op_lookup(tc.eng, "aes");
        static struct treq r[3];
        for (int i = 0; i < 3; i++)
                cr_assert_eq(route(&r[i], i), 0);
        tdev_complete_all(&tc.devs[0], 0);
}

/*
 * test_core_engine.c - engine life: configuration defaults and checks,
 * policy lookup and option refusal, operation names, device registration,
 * and the option helpers balancers use.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "ac/ac.h"
#include "core.h"
#include "support/tcore.h"

static void setup(void)
{
        tcore_init(1, false);
}

TestSuite(core_engine, .init = setup, .fini = tcore_fini);

/* The defaults on the test platform (the tests create engines of their
 * own). */
static struct ac_engine_config config(void)
{
        return tc.cfg;
}

Test(core_engine, defaults_are_documented)
{
        struct ac_engine_config cfg;
        ac_engine_config_defaults(&cfg);
        cr_assert_str_eq(cfg.policy, "least-loaded");
        cr_assert_eq(cfg.queue_depth, 256);
        cr_assert_eq(cfg.backlog, 1024);
        cr_assert_eq(cfg.priority_levels, 3);
        cr_assert_eq(cfg.aging_ns, 0);
        cr_assert_eq(cfg.failover.timeout_ns, 5000000);
        cr_assert_eq(cfg.failover.retries, 3);
        cr_assert_eq(cfg.failover.errors_to_fail, 1);
        cr_assert_eq(cfg.failover.probe_ns, 100000000);
        cr_assert_eq(cfg.failover.drain_ns, 10000000);
        cr_assert(!cfg.affinity);
        cr_assert(!cfg.flow_order);
        cr_assert_null(cfg.platform.ops);
}

Test(core_engine, create_and_destroy)
{
        struct ac_engine_config cfg = config();
        struct ac_engine *eng = NULL;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        cr_assert_not_null(eng);
        cr_assert_str_eq(ac_engine_balancer(eng)->name, "least-loaded");
        cr_assert(ac_engine_idle(eng));
        cr_assert_eq(ac_engine_ndevices(eng), 0);
        ac_engine_destroy(eng);
}

Test(core_engine, bad_config_is_refused)
{
        struct ac_engine *eng = NULL;
        struct ac_engine_config cfg = config();
        cfg.platform.ops = NULL;
        cr_assert_eq(ac_engine_create(&cfg, &eng), AC_EINVAL);
        cfg = config();
        cfg.queue_depth = 0;
        cr_assert_eq(ac_engine_create(&cfg, &eng), AC_EINVAL);
        cfg = config();
        cfg.priority_levels = 0;
        cr_assert_eq(ac_engine_create(&cfg, &eng), AC_EINVAL);
        cfg.priority_levels = AC_MAX_LEVELS + 1;
        cr_assert_eq(ac_engine_create(&cfg, &eng), AC_EINVAL);
        cfg = config();
        cfg.failover.errors_to_fail = 0;
        cr_assert_eq(ac_engine_create(&cfg, &eng), AC_EINVAL);
        cfg = config();
        cfg.policy = NULL;
        cr_assert_eq(ac_engine_create(&cfg, &eng), AC_EINVAL);

        struct ac_platform_ops half = *tp_platform(&tc.tp).ops;
        half.lock = NULL;
        half.unlock = NULL;
        half.now_ns = NULL;
        cfg = config();
        cfg.platform.ops = &half;
        cr_assert_eq(ac_engine_create(&cfg, &eng), AC_EINVAL, "now_ns is required");
        cr_assert_null(eng);
}

static void no_lock(void *ctx)
{
        (void)ctx;
}

Test(core_engine, lock_hooks_come_in_pairs)
{
        struct ac_platform_ops ops = *tp_platform(&tc.tp).ops;
        ops.lock = no_lock;
        ops.unlock = NULL;
        struct ac_engine_config cfg = config();
        cfg.platform.ops = &ops;
        struct ac_engine *eng = NULL;
        cr_assert_eq(ac_engine_create(&cfg, &eng), AC_EINVAL);
}

Test(core_engine, unknown_policy_is_enoent)
{
        struct ac_engine_config cfg = config();
        cfg.policy = "no-such-balancer";
        struct ac_engine *eng = NULL;
        cr_assert_eq(ac_engine_create(&cfg, &eng), AC_ENOENT);
        cr_assert_null(eng);
}

Test(core_engine, unknown_policy_option_is_refused)
{
        struct ac_option opts[] = {{"d", "2"}};
        struct ac_engine_config cfg = config();
        cfg.policy = "round-robin";
        cfg.policy_options = opts;
        cfg.npolicy_options = 1;
        struct ac_engine *eng = NULL;
        cr_assert_eq(ac_engine_create(&cfg, &eng), AC_EINVAL);
        cr_assert_null(eng);
}

Test(core_engine, operation_names_are_interned)
{
        struct ac_engine_config cfg = config();
        struct ac_engine *eng = NULL;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        int a = ac_op_intern(eng, "aes-gcm-enc");
        int b = ac_op_intern(eng, "hmac-sha256");
        cr_assert_geq(a, 0);
        cr_assert_geq(b, 0);
        cr_assert_neq(a, b);
        cr_assert_eq(ac_op_intern(eng, "aes-gcm-enc"), a);
        cr_assert_eq(ac_op_lookup(eng, "hmac-sha256"), b);
        cr_assert_eq(ac_op_lookup(eng, "chacha20"), AC_ENOENT);
        cr_assert_str_eq(ac_op_name(eng, (uint32_t)a), "aes-gcm-enc");
        cr_assert_null(ac_op_name(eng, 63));
        cr_assert_eq(ac_op_intern(eng, ""), AC_EINVAL);
        char name[16];
        for (int i = 2; i < AC_MAX_OPS; i++) {
                snprintf(name, sizeof(name), "op%d", i);
                cr_assert_eq(ac_op_intern(eng, name), i);
        }
        cr_assert_eq(ac_op_intern(eng, "one-too-many"), AC_ENOSPC);
        cr_assert_eq(ac_op_intern(eng, "op7"), 7, "known names still resolve when full");
        ac_engine_destroy(eng);
}

Test(core_engine, devices_register_with_their_view)
{
        struct ac_engine_config cfg = config();
        cfg.queue_depth = 17;
        struct ac_engine *eng = NULL;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        struct tdev a, b, c;
        cr_assert_eq(
            tdev_add(
                &a, eng, &tc.tp,
                &(struct tdev_spec){
                    .name = "qat0", .ops = {"aes"}, .ring = 4, .weight = 0, .fallback = false}),
            0);
        cr_assert_eq(tdev_add(&b, eng, &tc.tp,
                              &(struct tdev_spec){.name = "qat1",
                                                  .ops = {"sha", "aes"},
                                                  .ring = 8,
                                                  .weight = 3,
                                                  .fallback = false}),
                     0);
        cr_assert_eq(
            tdev_add(
                &c, eng, &tc.tp,
                &(struct tdev_spec){
                    .name = "qat0", .ops = {"aes"}, .ring = 4, .weight = 0, .fallback = false}),
            AC_EEXIST);
        cr_assert_eq(
            tdev_add(&c, eng, &tc.tp,
                     &(struct tdev_spec){
                         .name = "cpu", .ops = {"aes"}, .ring = 1, .weight = 0, .fallback = true}),
            0);
        cr_assert_eq(ac_engine_ndevices(eng), 3);
        cr_assert_eq(ac_engine_device(eng, 1), b.dev);
        cr_assert_null(ac_engine_device(eng, 3));

        int aes = ac_op_lookup(eng, "aes"), sha = ac_op_lookup(eng, "sha");
        const struct ac_device_view *v = ac_device_view(b.dev);
        cr_assert_str_eq(v->name, "qat1");
        cr_assert_str_eq(ac_device_name(b.dev), "qat1");
        cr_assert_eq(v->index, 1);
        cr_assert_eq(ac_device_index(b.dev), 1);
        cr_assert_eq(v->ring, 8);
        cr_assert_eq(v->weight, 3);
        cr_assert_eq(v->queue_depth, 17);
        cr_assert_eq(v->capabilities, (1ull << aes) | (1ull << sha));
        cr_assert_eq(v->health, AC_DEV_HEALTHY);
        cr_assert_eq(ac_device_view(a.dev)->weight, 1, "weight 0 means 1");
        cr_assert(ac_device_view(c.dev)->fallback);
        tdev_fini(&a);
        tdev_fini(&b);
        tdev_fini(&c);
        ac_engine_destroy(eng);
}

static int done_calls;

static void count_done(struct ac_request *req, int status)
{
        (void)req;
        cr_assert_eq(status, 0);
        done_calls++;
}

/* A device takes a watchdog record per ring slot only when the engine
 * arms watchdogs (failover.timeout_ns): without one its footprint is the
 * probe, drain and busy-retry records alone. Its ring still works. */
Test(core_engine, watchdog_records_only_with_a_timeout)
{
        for (int timeout = 0; timeout < 2; timeout++) {
                struct ac_engine_config cfg = config();
                cfg.failover.timeout_ns = timeout ? 1000000 : 0;
                struct ac_engine *eng = NULL;
                cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
                struct tdev a, b;
                cr_assert_eq(
                    tdev_add(&a, eng, &tc.tp,
                             &(struct tdev_spec){.name = "qat0", .ops = {"aes"}, .ring = 4}),
                    0);
                cr_assert_eq(
                    tdev_add(&b, eng, &tc.tp,
                             &(struct tdev_spec){.name = "qat1", .ops = {"aes"}, .ring = 64}),
                    0);
                struct ac_engine_memory m;
                ac_engine_memory(eng, &m);
                cr_assert_eq(m.timers, timeout ? (4 + 3) + (64 + 3) : 3 + 3, "timeout %d: %zu",
                             timeout, m.timers);
                /* Every slot of both rings takes a stage and gives it back,
                 * twice, each request called back once. */
                uint32_t aes = (uint32_t)ac_op_lookup(eng, "aes");
                struct ac_stage st = {.op = aes, .bytes = 64};
                struct ac_request r[2 * 68];
                done_calls = 0;
                for (int round = 0; round < 2; round++) {
                        for (int i = 0; i < 68; i++) {
                                struct ac_request *q = &r[round * 68 + i];
                                *q = (struct ac_request){
                                    .stages = &st, .nstages = 1, .done = count_done};
                                cr_assert_eq(ac_submit(eng, q), AC_ACCEPTED);
                        }
                        cr_assert_eq(tdev_pending(&a), 4, "qat0's ring full");
                        cr_assert_eq(tdev_pending(&b), 34, "round-robin: half of them");
                        tdev_complete_all(&a, 0);
                        tdev_complete_all(&b, 0);
                }
                cr_assert_eq(done_calls, 2 * 68);
                tdev_fini(&a);
                tdev_fini(&b);
                ac_engine_destroy(eng);
        }
}

/* With many devices a stage finds its device out of the caches: what it
 * touches there (struct ac_device, core.h) must stay in the device's first
 * three cache lines, every field before the queue's level 1, and devices
 * and their slots must start lines. */
Test(core_engine, a_stage_touches_three_lines_of_its_device)
{
        cr_assert_leq(offsetof(struct ac_device, queue.lvl[1]), 3 * DEVICE_ALIGN,
                      "the hot fields end at %zu", offsetof(struct ac_device, queue.lvl[1]));
        cr_assert_eq(offsetof(struct ac_device, slots) % DEVICE_ALIGN, 0);
        struct ac_engine_config cfg = config();
        struct ac_engine *eng = NULL;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        struct tdev d[5];
        for (uint32_t i = 0; i < 5; i++) {
                char name[8];
                snprintf(name, sizeof(name), "d%u", (unsigned)i);
                cr_assert_eq(
                    tdev_add(&d[i], eng, &tc.tp,
                             &(struct tdev_spec){.name = name, .ops = {"aes"}, .ring = i + 1}),
                    0);
                cr_assert_eq((uintptr_t)d[i].dev % DEVICE_ALIGN, 0, "device %u at %p", (unsigned)i,
                             (void *)d[i].dev);
        }
        for (int i = 0; i < 5; i++)
                tdev_fini(&d[i]);
        ac_engine_destroy(eng);
}

static int refuse_submit(void *ctx, struct ac_device *dev, const struct ac_job *job)
{
        (void)ctx;
        (void)dev;
        (void)job;
        return AC_EBUSY;
}

Test(core_engine, bad_device_config_is_refused)
{
        struct ac_engine_config cfg = config();
        struct ac_engine *eng = NULL;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        static const struct ac_driver_ops driver = {.name = "x", .submit = refuse_submit};
        static const struct ac_driver_ops no_submit = {.name = "y"};
        const char *ops[] = {"aes"};
        struct ac_device_config dc = {
            .name = "d", .ops = ops, .nops = 1, .ring = 1, .driver = &driver};
        struct ac_device *dev = NULL;
        struct ac_device_config bad = dc;
        bad.ring = 0;
        cr_assert_eq(ac_device_register(eng, &bad, &dev), AC_EINVAL);
        bad = dc;
        bad.nops = 0;
        cr_assert_eq(ac_device_register(eng, &bad, &dev), AC_EINVAL);
        bad = dc;
        bad.name = "";
        cr_assert_eq(ac_device_register(eng, &bad, &dev), AC_EINVAL);
        bad = dc;
        bad.driver = &no_submit;
        cr_assert_eq(ac_device_register(eng, &bad, &dev), AC_EINVAL);
        cr_assert_null(dev);
        cr_assert_eq(ac_device_register(eng, &dc, &dev), 0);
        cr_assert_not_null(dev);
        ac_engine_destroy(eng);
}

Test(core_engine, option_helpers_parse_and_check_range)
{
        struct ac_option opts[] = {{"d", "2"},
                                   {"big", "99999999999999999999999"},
                                   {"neg", "-1"},
                                   {"x", "0.25"},
                                   {"junk", "3x"}};
        struct ac_balancer_env env = {.options = opts, .noptions = 5};
        uint64_t u = 7;
        cr_assert_eq(ac_option_u64(&env, "absent", 0, 10, &u), 0);
        cr_assert_eq(u, 7, "absent keys leave the default");
        cr_assert_eq(ac_option_u64(&env, "d", 1, 10, &u), 0);
        cr_assert_eq(u, 2);
        cr_assert_eq(ac_option_u64(&env, "d", 3, 10, &u), AC_ERANGE);
        cr_assert_eq(ac_option_u64(&env, "big", 0, UINT64_MAX, &u), AC_ERANGE);
        cr_assert_eq(ac_option_u64(&env, "neg", 0, 10, &u), AC_EINVAL);
        cr_assert_eq(ac_option_u64(&env, "junk", 0, 10, &u), AC_EINVAL);
        double x = 1;
        cr_assert_eq(ac_option_double(&env, "x", 0, 1, &x), 0);
        cr_assert_float_eq(x, 0.25, 1e-12);
        cr_assert_eq(ac_option_double(&env, "x", 0.5, 1, &x), AC_ERANGE);
        cr_assert_eq(ac_option_double(&env, "junk", 0, 10, &x), AC_EINVAL);
        cr_assert_str_eq(ac_option_str(&env, "junk"), "3x");
        cr_assert_null(ac_option_str(&env, "absent"));
}

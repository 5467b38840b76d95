/*
 * test_platform.c - the simulated platform: the core's timers on the
 * event engine, its random stream, the status mapping, and devices backed
 * by device models driven through the real core (completion times, ring
 * bound, fail-stop and recovery, removal, the observer).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/run/platform.h"
#include "sim/des/rng.h"

/* ---- timers ---------------------------------------------------------------- */

struct stamp {
        struct ac_timer t;
        struct sim_loop *loop;
        uint64_t fired_at[4];
        int fired;
        int order; /* global firing order */
};

static int order_counter;

static void on_fire(struct ac_timer *t)
{
        struct stamp *s = (struct stamp *)t;
        cr_assert_lt(s->fired, 4);
        s->fired_at[s->fired++] = sim_now(s->loop);
        s->order = order_counter++;
}

Test(platform, timers_fire_at_their_time_in_order)
{
        struct sim_loop *loop = sim_loop_create();
        struct sim_platform p;
        cr_assert_eq(sim_platform_init(&p, loop, 1), 0);
        struct ac_platform ap = sim_platform_seam(&p);
        struct stamp a = {.t.fire = on_fire, .loop = loop}, b = a, c = a;
        order_counter = 0;
        ap.ops->timer_arm(ap.ctx, &a.t, 300);
        ap.ops->timer_arm(ap.ctx, &b.t, 100);
        ap.ops->timer_arm(ap.ctx, &c.t, 300); /* a tie: armed after a */
        cr_assert_eq(ap.ops->now_ns(ap.ctx), 0);
        sim_run_until(loop, UINT64_MAX);
        cr_assert_eq(b.fired_at[0], 100);
        cr_assert_eq(a.fired_at[0], 300);
        cr_assert_eq(c.fired_at[0], 300);
        cr_assert(b.order < a.order && a.order < c.order);
        cr_assert_eq(ap.ops->now_ns(ap.ctx), 300);
        sim_platform_fini(&p);
        sim_loop_destroy(loop);
}

Test(platform, cancel_and_rearm)
{
        struct sim_loop *loop = sim_loop_create();
        struct sim_platform p;
        cr_assert_eq(sim_platform_init(&p, loop, 1), 0);
        struct ac_platform ap = sim_platform_seam(&p);
        struct stamp a = {.t.fire = on_fire, .loop = loop}, b = a;
        ap.ops->timer_cancel(ap.ctx, &a.t); /* never armed: a no-op */
        ap.ops->timer_arm(ap.ctx, &a.t, 50);
        ap.ops->timer_arm(ap.ctx, &b.t, 60);
        ap.ops->timer_cancel(ap.ctx, &a.t);
        ap.ops->timer_cancel(ap.ctx, &a.t);   /* twice: still a no-op */
        ap.ops->timer_arm(ap.ctx, &b.t, 500); /* moves it */
        cr_assert_eq(sim_pending_count(loop), 1);
        sim_run_until(loop, 1000);
        cr_assert_eq(a.fired, 0);
        cr_assert_eq(b.fired, 1);
        cr_assert_eq(b.fired_at[0], 500);
        /* re-armed from inside nothing, after firing: fires again */
        ap.ops->timer_arm(ap.ctx, &b.t, 1200);
        sim_run_until(loop, 2000);
        cr_assert_eq(b.fired, 2);
        cr_assert_eq(b.fired_at[1], 1200);
        sim_platform_fini(&p);
        sim_loop_destroy(loop);
}

Test(platform, random_is_a_named_stream)
{
        struct sim_loop *loop = sim_loop_create();
        struct sim_platform p, q, r;
        cr_assert_eq(sim_platform_init(&p, loop, 7), 0);
        cr_assert_eq(sim_platform_init(&q, loop, 7), 0);
        cr_assert_eq(sim_platform_init(&r, loop, 8), 0);
        struct ac_platform ap = sim_platform_seam(&p), aq = sim_platform_seam(&q),
                           ar = sim_platform_seam(&r);
        bool differs = false, high = false;
        for (int i = 0; i < 64; i++) {
                uint64_t x = ap.ops->random_u64(ap.ctx);
                cr_assert_eq(x, aq.ops->random_u64(aq.ctx), "same seed, same draws");
                if (x != ar.ops->random_u64(ar.ctx))
                        differs = true;
                if (x >> 32)
                        high = true;
        }
        cr_assert(differs, "another seed gives other draws");
        cr_assert(high, "all 64 bits are used");
        /* it is the stream named "balancer" */
        gsl_rng *g = sim_rng_stream(7, "balancer");
        struct sim_platform p2;
        cr_assert_eq(sim_platform_init(&p2, loop, 7), 0);
        uint64_t hi = gsl_rng_get(g);
        uint64_t want = hi << 32 | gsl_rng_get(g);
        cr_assert_eq(sim_platform_seam(&p2).ops->random_u64(&p2), want);
        gsl_rng_free(g);
        sim_platform_fini(&p);
        sim_platform_fini(&q);
        sim_platform_fini(&r);
        sim_platform_fini(&p2);
        sim_loop_destroy(loop);
}

Test(platform, status_mapping)
{
        cr_assert_eq(sim_device_status(DEVICE_OK), 0);
        cr_assert_eq(sim_device_status(DEVICE_ESTAGE), AC_EIO);
        cr_assert_eq(sim_device_status(DEVICE_EDOWN), AC_ESHUTDOWN);
        cr_assert_eq(sim_device_status(DEVICE_EFULL), AC_EBUSY);
        cr_assert_eq(sim_device_status(DEVICE_EINVAL), AC_EINVAL);
        cr_assert_eq(sim_device_status(DEVICE_ENOMEM), AC_ENOMEM);
}

/* ---- devices through the core ------------------------------------------------ */

#define NREQ 16

struct bed {
        struct sim_loop *loop;
        struct sim_platform plat;
        struct ac_engine *core;
        struct device_op_config op;
        struct device_fault_config faults[2];
        struct device_config cfg;
        struct sim_device dev;
        struct ac_stage stage;
        struct ac_request req[NREQ];
        uint64_t done_at[NREQ];
        int status[NREQ];
        int ndone;
        int observed;
};

static struct bed B;

static void req_done(struct ac_request *req, int status)
{
        size_t i = (size_t)(req - B.req);
        B.done_at[i] = sim_now(B.loop);
        B.status[i] = status;
        B.ndone++;
}

static void observe(void *ctx)
{
        cr_assert_eq(ctx, &B);
        B.observed++;
}

/* One device: `lanes` lanes, ring `ring`, constant service of 1000 ns,
 * with up to two scheduled faults. */
static void bed_up(uint32_t lanes, uint32_t ring, const struct device_fault_config *faults,
                   size_t nfaults)
{
        memset(&B, 0, sizeof(B));
        if (nfaults)
                memcpy(B.faults, faults, nfaults * sizeof(*faults));
        B.loop = sim_loop_create();
        cr_assert_eq(sim_platform_init(&B.plat, B.loop, 3), 0);
        B.plat.after = observe;
        B.plat.after_ctx = &B;
        struct ac_engine_config cfg;
        ac_engine_config_defaults(&cfg);
        cfg.policy = "round-robin";
        cfg.failover.timeout_ns = 0;
        cfg.platform = sim_platform_seam(&B.plat);
        cr_assert_eq(ac_engine_create(&cfg, &B.core), 0);
        B.op = (struct device_op_config){
            .name = "aes", .has_service = true, .service = {.kind = DIST_CONSTANT, .a = 1000}};
        B.cfg = (struct device_config){.name = "card",
                                       .lanes = lanes,
                                       .ring = ring,
                                       .ops = &B.op,
                                       .nops = 1,
                                       .faults = B.faults,
                                       .nfaults = nfaults};
        const char *why = NULL;
        cr_assert_eq(device_config_prepare(&B.cfg, &why), 0, "%s", why);
        cr_assert_eq(sim_device_attach(&B.dev, &B.plat, B.core, &B.cfg, false, 1, 3), 0);
        int op = ac_op_lookup(B.core, "aes");
        cr_assert_geq(op, 0);
        cr_assert_eq(B.dev.op_index[op], 0);
        B.stage = (struct ac_stage){.op = (uint32_t)op, .bytes = 64};
        for (int i = 0; i < NREQ; i++)
                B.req[i] = (struct ac_request){
                    .stages = &B.stage, .nstages = 1, .done = req_done, .flow = (uint64_t)i};
}

static void bed_down(void)
{
        ac_engine_destroy(B.core);
        sim_device_detach(&B.dev);
        dist_free(&B.op.service);
        sim_platform_fini(&B.plat);
        sim_loop_destroy(B.loop);
}

Test(platform_device, stages_complete_after_their_service_time)
{
        bed_up(2, 2, NULL, 0);
        for (int i = 0; i < 5; i++)
                cr_assert_eq(ac_submit(B.core, &B.req[i]), AC_ACCEPTED);
        /* two lanes, ring of two: the core's queue holds the other three */
        cr_assert_eq(ac_device_view(B.dev.dev)->in_flight, 2);
        cr_assert_eq(ac_device_view(B.dev.dev)->queued, 3);
        sim_run_until(B.loop, UINT64_MAX);
        cr_assert_eq(B.ndone, 5);
        uint64_t want[5] = {1000, 1000, 2000, 2000, 3000};
        for (int i = 0; i < 5; i++) {
                cr_assert_eq(B.status[i], 0);
                cr_assert_eq(B.done_at[i], want[i], "request %d done at %llu", i,
                             (unsigned long long)B.done_at[i]);
        }
        cr_assert_eq(B.observed, 5, "the observer runs after every completion");
        cr_assert(ac_engine_idle(B.core));
        struct device_model_stats ms;
        device_model_stats(B.dev.model, &ms);
        cr_assert_eq(ms.completed, 5);
        cr_assert_float_eq(ms.busy_lane_ns, 5000.0, 1e-9);
        bed_down();
}

Test(platform_device, fail_stop_moves_work_and_recovery_restores_the_device)
{
        /* fail-stop from 1500 to 4000 ns */
        struct device_fault_config f = {
            .at_ns = 1500, .for_ns = 2500, .mode = DEVICE_FAULT_FAIL_STOP};
        bed_up(1, 4, &f, 1);
        for (int i = 0; i < 3; i++)
                cr_assert_eq(ac_submit(B.core, &B.req[i]), AC_ACCEPTED);
        sim_run_until(B.loop, 2000);
        cr_assert_eq(B.ndone, 3, "one served, two failed with the device");
        cr_assert_eq(B.status[0], 0);
        cr_assert_eq(B.done_at[0], 1000);
        cr_assert_lt(B.status[1], 0);
        cr_assert_lt(B.status[2], 0);
        cr_assert_eq(ac_device_health(B.dev.dev), AC_DEV_FAILED);
        cr_assert_eq(ac_submit(B.core, &B.req[3]), AC_ENODEV);
        sim_run_until(B.loop, 4000);
        cr_assert_eq(ac_device_health(B.dev.dev), AC_DEV_HEALTHY, "the model reported recovery");
        cr_assert_eq(ac_submit(B.core, &B.req[4]), AC_ACCEPTED);
        sim_run_until(B.loop, UINT64_MAX);
        cr_assert_eq(B.status[4], 0);
        cr_assert_eq(B.done_at[4], 5000);
        bed_down();
}

Test(platform_device, removal_reaches_the_core)
{
        struct device_fault_config f = {.at_ns = 500, .mode = DEVICE_FAULT_REMOVE};
        bed_up(1, 1, &f, 1);
        cr_assert_eq(ac_submit(B.core, &B.req[0]), AC_ACCEPTED);
        sim_run_until(B.loop, UINT64_MAX);
        cr_assert_eq(ac_device_health(B.dev.dev), AC_DEV_GONE);
        cr_assert_eq(B.ndone, 1);
        cr_assert_eq(B.status[0], AC_ENODEV, "no device left for the moved stage");
        cr_assert_eq(B.done_at[0], 500);
        bed_down();
}

Test(platform_device, streams_are_named_by_device)
{
        /* two attaches of the same device name under the same seed give
         * the same service draws: the stream is device/<name>/service */
        gsl_rng *g = sim_rng_stream(3, "device/card/service");
        bed_up(1, 1, NULL, 0);
        cr_assert_eq(gsl_rng_get(B.dev.service), gsl_rng_get(g));
        gsl_rng_free(g);
        bed_down();
}

/*
 * test_device.c - the crypto card model driven directly on the event
 * engine: queueing theory (M/M/1, M/M/c), exact linear costs, FIFO lanes,
 * the fault modes (hang, fail-stop, slow, flaky, remove), the timeline,
 * abort, ring limits and determinism.
 *
 * A small harness owns the engine, the generators and a Poisson source that
 * submits stages; it records every stage's submit and completion times.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/device.h"
#include "sim/des/loop.h"
#include "sim/des/queueing.h"

#define MAX_STAGES 400000

struct harness {
        struct sim_loop *loop;
        struct device_model *dev;
        gsl_rng *service, *faults, *arrivals;
        gsl_rng *failures[4];
        uint64_t *submitted_at; /* by tag */
        uint64_t *done_at;      /* by tag; UINT64_MAX while not done */
        int *status;
        uint64_t ntags;
        uint64_t completed, errors, failed, recovered, removed;
        uint64_t refused;
        /* Poisson source */
        struct sim_event arrival;
        double mean_gap_ns;
        uint64_t limit;
        uint32_t op;
        uint64_t bytes;
        /* create_fixed()'s device: one operation of 100 ns a stage */
        struct device_op_config fixed_op;
        struct device_config fixed;
};

static struct harness H;

static void on_complete(void *ctx, uint64_t tag, int status)
{
        struct harness *h = ctx;
        cr_assert_lt(tag, h->ntags);
        cr_assert_eq(h->done_at[tag], UINT64_MAX, "tag %llu completed twice",
                     (unsigned long long)tag);
        h->done_at[tag] = sim_now(h->loop);
        h->status[tag] = status;
        h->completed++;
        if (status != DEVICE_OK)
                h->errors++;
}

static void on_failed(void *ctx, int reason)
{
        struct harness *h = ctx;
        cr_assert_eq(reason, DEVICE_EDOWN);
        h->failed++;
}

static void on_recovered(void *ctx)
{
        ((struct harness *)ctx)->recovered++;
}

static void on_removed(void *ctx)
{
        ((struct harness *)ctx)->removed++;
}

static const struct device_model_ops harness_ops = {
    .complete = on_complete,
    .failed = on_failed,
    .recovered = on_recovered,
    .removed = on_removed,
};

static gsl_rng *rng(unsigned long seed)
{
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, seed);
        return r;
}

static void setup(void)
{
        memset(&H, 0, sizeof(H));
        H.loop = sim_loop_create();
        H.service = rng(11);
        H.faults = rng(12);
        H.arrivals = rng(13);
        for (int k = 0; k < 4; k++)
                H.failures[k] = rng(20 + (unsigned long)k);
        H.submitted_at = malloc(MAX_STAGES * sizeof(uint64_t));
        H.done_at = malloc(MAX_STAGES * sizeof(uint64_t));
        H.status = calloc(MAX_STAGES, sizeof(int));
        for (size_t i = 0; i < MAX_STAGES; i++)
                H.done_at[i] = UINT64_MAX;
}

static void teardown(void)
{
        device_model_destroy(H.dev);
        sim_loop_destroy(H.loop);
        gsl_rng_free(H.service);
        gsl_rng_free(H.faults);
        gsl_rng_free(H.arrivals);
        for (int k = 0; k < 4; k++)
                gsl_rng_free(H.failures[k]);
        free(H.submitted_at);
        free(H.done_at);
        free(H.status);
}

TestSuite(device, .init = setup, .fini = teardown);

static void create(struct device_config *cfg)
{
        const char *why = NULL;
        cr_assert_eq(device_config_prepare(cfg, &why), 0, "%s", why);
        struct device_model_rngs rngs = {
            .service = H.service, .failures = H.failures, .faults = H.faults};
        cr_assert_eq(device_model_create(H.loop, cfg, &rngs, &harness_ops, &H, &H.dev), 0);
}

/* Submits the next tag now; returns the device's answer. */
static int submit(uint32_t op, uint64_t bytes)
{
        uint64_t tag = H.ntags;
        cr_assert_lt(tag, MAX_STAGES);
        int rc = device_model_submit(H.dev, tag, op, bytes);
        if (rc == DEVICE_OK) {
                H.submitted_at[tag] = sim_now(H.loop);
                H.ntags++;
        } else {
                H.refused++;
        }
        return rc;
}

/* Creates a device named `name` of one operation costing 100 ns a stage
 * (no rate, no jitter), with `lanes` lanes and a ring of `ring`, and
 * submits `stages` stages now, each taken. */
static void create_fixed(const char *name, uint32_t lanes, uint32_t ring, int stages)
{
        H.fixed_op = (struct device_op_config){.name = "c", .setup_ns = 100.0};
        H.fixed = (struct device_config){
            .name = name, .lanes = lanes, .ring = ring, .ops = &H.fixed_op, .nops = 1};
        create(&H.fixed);
        for (int i = 0; i < stages; i++)
                cr_assert_eq(submit(0, 0), DEVICE_OK);
}

static void arrive(struct sim_loop *loop, struct sim_event *ev)
{
        submit(H.op, H.bytes);
        if (H.ntags < H.limit)
                sim_schedule(loop, ev,
                             sim_now(loop) +
                                 (uint64_t)llround(gsl_ran_exponential(H.arrivals, H.mean_gap_ns)));
}

static void poisson(double mean_gap_ns, uint64_t limit)
{
        H.mean_gap_ns = mean_gap_ns;
        H.limit = limit;
        H.arrival.fn = arrive;
        sim_schedule(H.loop, &H.arrival, sim_now(H.loop));
}

/* Mean sojourn of the completed stages, skipping the first `skip` tags. */
static double mean_sojourn(uint64_t skip)
{
        double sum = 0.0;
        uint64_t n = 0;
        for (uint64_t t = skip; t < H.ntags; t++) {
                cr_assert_neq(H.done_at[t], UINT64_MAX);
                sum += (double)(H.done_at[t] - H.submitted_at[t]);
                n++;
        }
        return sum / (double)n;
}

static struct device_op_config exp_service(double mean)
{
        return (struct device_op_config){
            .name = "op", .has_service = true, .service = {.kind = DIST_EXPONENTIAL, .a = mean}};
}

/* Sends 250000 Poisson arrivals (mean gap gap_ns) to cfg's device, runs
 * them all, and checks the mean time on the device after the first 10000
 * against theory (relative tolerance tol) and, when util >= 0, the lanes'
 * busy fraction against util (within 0.02). Leaves the run in H. */
static void against_theory(struct device_config *cfg, double gap_ns, const char *what, double want,
                           double tol, double util)
{
        create(cfg);
        poisson(gap_ns, 250000);
        sim_run_until(H.loop, UINT64_MAX);
        cr_assert_eq(H.refused, 0, "%s: refused", what);
        cr_assert_eq(H.completed, 250000, "%s: completed", what);
        double w = mean_sojourn(10000);
        cr_log_info("%s: mean sojourn %.1f ns (theory %.1f)", what, w, want);
        cr_assert(fabs(w - want) / want < tol, "%s: mean sojourn %.1f, want %.1f", what, w, want);
        if (util < 0)
                return;
        struct device_model_stats st;
        device_model_stats(H.dev, &st);
        double u = st.busy_lane_ns / (double)sim_now(H.loop) / cfg->lanes;
        cr_assert(fabs(u - util) < 0.02, "%s: utilisation %.4f, want %.2f", what, u, util);
}

Test(device, mm1_mean_sojourn)
{
        /* mu = 1/1000 ns, lambda = 0.8 mu: W = 1 / (mu - lambda) = 5000 ns */
        struct device_op_config op = exp_service(1000.0);
        struct device_config cfg = {.name = "mm1", .lanes = 1, .ring = 4096, .ops = &op, .nops = 1};
        against_theory(&cfg, 1250.0, "M/M/1 rho 0.8", 5000.0, 0.04, 0.8);
        struct device_model_stats st;
        device_model_stats(H.dev, &st);
        cr_assert_eq(st.completed, 250000);
        cr_assert_eq(st.held, 0);
        cr_assert_eq(st.busy, 0);
}

Test(device, mmc_mean_sojourn_erlang_c)
{
        /* c = 4 lanes, mu = 1/2000 ns each, offered load a = 3 (rho 0.75) */
        const unsigned c = 4;
        const double mu = 1.0 / 2000.0, lambda = 3.0 * mu;
        double want = queueing_mmc_mean(c, lambda, mu); /* sim/des/queueing.c */
        struct device_op_config op = exp_service(2000.0);
        struct device_config cfg = {.name = "mmc", .lanes = c, .ring = 4096, .ops = &op, .nops = 1};
        against_theory(&cfg, 1.0 / lambda, "M/M/4 rho 0.75", want, 0.03, 0.75);
}

Test(device, mm1_with_latency_adds_a_constant)
{
        /* M/M/1 at rho 0.8 (W = 5000 ns) with a 3000 ns latency that holds
         * no lane: the queue is the M/M/1's, the sojourn W + 3000 ns, the
         * utilisation still 0.8. */
        struct device_op_config op = exp_service(1000.0);
        op.latency_ns = 3000.0;
        struct device_config cfg = {
            .name = "mm1l", .lanes = 1, .ring = 4096, .ops = &op, .nops = 1};
        against_theory(&cfg, 1250.0, "M/M/1 rho 0.8 + 3 us latency", 8000.0, 0.03, 0.8);
        struct device_model_stats st;
        device_model_stats(H.dev, &st);
        cr_assert_eq(st.held, 0);
        cr_assert_eq(st.busy, 0);
}

Test(device, latency_frees_the_lane_but_holds_the_slot)
{
        /* 100 ns of service, 1000 ns of latency, one lane, a ring of 3:
         * the lane serves back to back while finished stages keep their
         * slots until they are reported. */
        struct device_op_config op = {.name = "c", .setup_ns = 100.0, .latency_ns = 1000.0};
        struct device_config cfg = {.name = "lat", .lanes = 1, .ring = 3, .ops = &op, .nops = 1};
        create(&cfg);
        for (int i = 0; i < 3; i++)
                cr_assert_eq(submit(0, 0), DEVICE_OK);
        sim_run_until(H.loop, 350);
        struct device_model_stats st;
        device_model_stats(H.dev, &st);
        cr_assert_eq(st.busy, 0, "every stage served by 300 ns");
        cr_assert_eq(st.held, 3, "and each still holds its slot");
        cr_assert_eq(submit(0, 0), DEVICE_EFULL);
        cr_assert(device_model_abort(H.dev, 1)); /* taken back while delivering */
        sim_run_until(H.loop, UINT64_MAX);
        cr_assert_eq(H.done_at[0], 1100);
        cr_assert_eq(H.done_at[1], UINT64_MAX);
        cr_assert_eq(H.done_at[2], 1300);
        device_model_stats(H.dev, &st);
        cr_assert_eq(st.completed, 2);
        cr_assert_eq(st.aborted, 1);
        cr_assert_eq(st.held, 0);
        cr_assert(fabs(st.busy_lane_ns - 300.0) < 1e-9, "busy %.1f ns", st.busy_lane_ns);
}

Test(device, hang_holds_a_delivering_stage)
{
        /* 10 us of service, 20 us of latency; a hang from 15 us to 45 us
         * catches the stage 5 us into its latency: reported at 60 us. */
        struct device_op_config op = {.name = "c", .setup_ns = 10000.0, .latency_ns = 20000.0};
        struct device_fault_config hang = {
            .at_ns = 15000, .for_ns = 30000, .mode = DEVICE_FAULT_HANG};
        struct device_config cfg = {.name = "hl",
                                    .lanes = 1,
                                    .ring = 4,
                                    .ops = &op,
                                    .nops = 1,
                                    .faults = &hang,
                                    .nfaults = 1};
        create(&cfg);
        submit(0, 0);
        sim_run_until(H.loop, 44999);
        cr_assert_eq(H.completed, 0, "a report during the hang");
        sim_run_until(H.loop, UINT64_MAX);
        cr_assert_eq(H.done_at[0], 60000);
}

Test(device, gap_holds_the_lane_after_the_report)
{
        /* 100 ns of service and a 50 ns gap on one lane: each stage is
         * reported 100 ns into its lane time, the next starts 150 ns after
         * the one before; the slot is free at the report. */
        struct device_op_config op = {.name = "c", .setup_ns = 100.0, .gap_ns = 50.0};
        struct device_config cfg = {.name = "gap", .lanes = 1, .ring = 3, .ops = &op, .nops = 1};
        create(&cfg);
        for (int i = 0; i < 3; i++)
                cr_assert_eq(submit(0, 0), DEVICE_OK);
        sim_run_until(H.loop, 120);
        struct device_model_stats st;
        device_model_stats(H.dev, &st);
        cr_assert_eq(H.done_at[0], 100);
        cr_assert_eq(st.held, 2, "the reported stage's slot is free");
        cr_assert_eq(st.busy, 1, "the lane is in its gap");
        cr_assert_eq(submit(0, 0), DEVICE_OK);
        sim_run_until(H.loop, UINT64_MAX);
        static const uint64_t want[] = {100, 250, 400, 550};
        for (int i = 0; i < 4; i++)
                cr_assert_eq(H.done_at[i], want[i], "tag %d done at %llu", i,
                             (unsigned long long)H.done_at[i]);
        device_model_stats(H.dev, &st);
        cr_assert_eq(st.busy, 0);
        cr_assert(fabs(st.busy_lane_ns - 600.0) < 1e-9, "busy %.1f ns", st.busy_lane_ns);
}

Test(device, mg1_with_gap_queues_on_the_lane_time)
{
        /* Exponential service of mean 800 ns plus a 200 ns gap at 0.8 of the
         * lane (lambda = 0.8 / 1000 ns). The lane time B = S + g has
         * E[B] = 1000, E[B^2] = 2 * 800^2 + 2 * 800 * 200 + 200^2 = 1640000;
         * a stage waits as in M/G/1 (Pollaczek-Khinchine, W_q = lambda E[B^2]
         * / (2 (1 - rho)) = 3280 ns) for the lanes before it, but is
         * reported after its own service, not its gap. Its gap is then part
         * of the wait of who comes next: mean time on the device W_q + 800
         * = 4080 ns. */
        struct device_op_config op = exp_service(800.0);
        op.gap_ns = 200.0;
        struct device_config cfg = {
            .name = "mg1g", .lanes = 1, .ring = 4096, .ops = &op, .nops = 1};
        against_theory(&cfg, 1250.0, "M/G/1 with a gap, rho 0.8", 4080.0, 0.04, 0.8);
}

Test(device, mg1_with_a_wakeup_distribution_is_welchs_queue)
{
        /* Exponential service of mean 500 ns, Poisson arrivals 1500 ns
         * apart; a stage that finds the lane idle first waits a wake-up
         * drawn from an exponential of mean 1000 ns, holding the lane: an
         * M/G/1 queue whose busy periods start with an exceptional service
         * S0 = W + S (Welch 1964). With rho = lambda E[S] = 1/3 and
         * rho0 = lambda E[S0] = 1, an arrival finds the lane idle with
         * P0 = (1 - rho) / (1 - rho + rho0) = 0.4 and waits
         *   W_q = lambda E[S^2] / (2 (1 - rho))
         *       + lambda (E[S0^2] - E[S^2]) / (2 (1 - rho + rho0))
         *       = 250 + 600 ns,
         * so its time on the device is W_q + E[S] + P0 E[W] = 1750 ns, the
         * lane busy rho + P0 lambda E[W] = 0.6 of the time. A constant
         * wake-up of the same mean gives 1550 ns: the draws are checked,
         * not only their mean. */
        struct device_op_config op = exp_service(500.0);
        op.wakeup_ns = 1000.0;
        op.has_wakeup_dist = true;
        op.wakeup_dist = (struct dist){.kind = DIST_EXPONENTIAL, .a = 1000.0};
        cr_assert_eq(dist_prepare(&op.wakeup_dist, NULL), 0);
        struct device_config cfg = {
            .name = "welch", .lanes = 1, .ring = 4096, .ops = &op, .nops = 1};
        against_theory(&cfg, 1500.0, "M/G/1 with an exponential wake-up", 1750.0, 0.03, 0.6);
        dist_free(&op.wakeup_dist);
}

Test(device, wakeup_only_on_an_idle_lane)
{
        /* 100 ns of service, a 30 ns wake-up: the first stage finds the lane
         * idle (done at 130), the next two follow it on the busy lane (230,
         * 330); one submitted after the lane went idle again wakes it. */
        struct device_op_config op = {.name = "c", .setup_ns = 100.0, .wakeup_ns = 30.0};
        struct device_config cfg = {.name = "wk", .lanes = 1, .ring = 4, .ops = &op, .nops = 1};
        create(&cfg);
        for (int i = 0; i < 3; i++)
                cr_assert_eq(submit(0, 0), DEVICE_OK);
        sim_run_until(H.loop, 1000);
        cr_assert_eq(submit(0, 0), DEVICE_OK);
        sim_run_until(H.loop, UINT64_MAX);
        static const uint64_t want[] = {130, 230, 330, 1130};
        for (int i = 0; i < 4; i++)
                cr_assert_eq(H.done_at[i], want[i], "tag %d done at %llu", i,
                             (unsigned long long)H.done_at[i]);
}

Test(device, mg1_with_setup_times)
{
        /* M/G/1 with a set-up time D before the first stage of each busy
         * period (Takagi, Queueing Analysis vol. 1): W_q = lambda E[S^2] /
         * (2 (1 - rho)) + (2 D + lambda D^2) / (2 (1 + lambda D)). Here
         * exponential service of mean 1000 ns, lambda = 1 / 2000 ns, D = 500
         * ns: W_q = 1000 + 450, the mean time on the device 2450 ns. */
        struct device_op_config op = exp_service(1000.0);
        op.wakeup_ns = 500.0;
        struct device_config cfg = {
            .name = "mg1s", .lanes = 1, .ring = 4096, .ops = &op, .nops = 1};
        against_theory(&cfg, 2000.0, "M/G/1 with set-up times", 2450.0, 0.03, -1);
}

Test(device, linear_cost_is_exact)
{
        struct device_op_config ops[2] = {
            {.name = "aes", .setup_ns = 1000.0, .rate = 2.5},
            {.name = "sha",
             .setup_ns = 300.0,
             .rate = 4.0,
             .has_jitter = true,
             .jitter = {.kind = DIST_CONSTANT, .a = 2.0}},
        };
        struct device_config cfg = {.name = "lin", .lanes = 1, .ring = 8, .ops = ops, .nops = 2};
        create(&cfg);
        static const uint64_t sizes[] = {0, 40, 1500, 4096, 65536};
        for (size_t i = 0; i < 5; i++) {
                for (uint32_t op = 0; op < 2; op++) {
                        uint64_t start = sim_now(H.loop);
                        uint64_t tag = H.ntags;
                        cr_assert_eq(submit(op, sizes[i]), DEVICE_OK);
                        sim_run_until(H.loop, UINT64_MAX);
                        double cost = ops[op].setup_ns + (double)sizes[i] / ops[op].rate;
                        if (op == 1)
                                cost *= 2.0;
                        cr_assert_eq(H.done_at[tag] - start, (uint64_t)llround(cost),
                                     "op %u, %llu bytes: %llu ns", op, (unsigned long long)sizes[i],
                                     (unsigned long long)(H.done_at[tag] - start));
                        cr_assert_eq(H.status[tag], DEVICE_OK);
                }
        }
}

Test(device, lanes_serve_the_ring_in_fifo_order)
{
        create_fixed("fifo", 2, 5, 5);
        cr_assert_eq(submit(0, 0), DEVICE_EFULL);
        struct device_model_stats st;
        device_model_stats(H.dev, &st);
        cr_assert_eq(st.held, 5);
        cr_assert_eq(st.busy, 2);
        cr_assert_eq(st.refused, 1);
        sim_run_until(H.loop, UINT64_MAX);
        static const uint64_t want[] = {100, 100, 200, 200, 300};
        for (int i = 0; i < 5; i++)
                cr_assert_eq(H.done_at[i], want[i], "tag %d done at %llu", i,
                             (unsigned long long)H.done_at[i]);
        cr_assert_eq(submit(7, 0), DEVICE_EINVAL);
}

Test(device, abort_frees_slot_and_lane)
{
        create_fixed("ab", 1, 3, 3);
        sim_run_until(H.loop, 50);
        cr_assert(device_model_abort(H.dev, 1)); /* waiting */
        cr_assert(device_model_abort(H.dev, 0)); /* in service: tag 2 starts now */
        cr_assert_not(device_model_abort(H.dev, 0));
        cr_assert_not(device_model_abort(H.dev, 99));
        sim_run_until(H.loop, UINT64_MAX);
        cr_assert_eq(H.done_at[0], UINT64_MAX);
        cr_assert_eq(H.done_at[1], UINT64_MAX);
        cr_assert_eq(H.done_at[2], 150);
        struct device_model_stats st;
        device_model_stats(H.dev, &st);
        cr_assert_eq(st.aborted, 2);
        cr_assert_eq(st.completed, 1);
}

Test(device, service_stream_goes_on_in_the_model)
{
        /* The model draws from a copy of the owner's service stream taken
         * at creation: its stages cost the draws the owner's stream would
         * have given next, and the owner's stream stays where it was. */
        struct device_op_config op = exp_service(1000.0);
        struct device_config cfg = {.name = "own", .lanes = 1, .ring = 4, .ops = &op, .nops = 1};
        cr_assert_eq(device_config_prepare(&cfg, NULL), 0);
        gsl_rng *before = gsl_rng_clone(H.service);
        gsl_rng *next = gsl_rng_clone(H.service);
        cr_assert(before && next);
        create(&cfg);
        for (int i = 0; i < 3; i++)
                cr_assert_eq(submit(0, 0), DEVICE_OK);
        sim_run_until(H.loop, UINT64_MAX);
        uint64_t t = 0;
        for (int i = 0; i < 3; i++) {
                t += dist_round(dist_sample(&op.service, next));
                cr_assert_eq(H.done_at[i], t, "tag %d done at %llu", i,
                             (unsigned long long)H.done_at[i]);
        }
        for (int i = 0; i < 4; i++)
                cr_assert_eq(gsl_rng_get(H.service), gsl_rng_get(before));
        gsl_rng_free(before);
        gsl_rng_free(next);
}

Test(device, busy_lane_ns_is_the_stats_figure)
{
        /* Two lanes, three 100 ns stages: two lanes busy until 100, one
         * until 200. At 150, 250 busy lane ns, by either reading. */
        create_fixed("busy", 2, 3, 3);
        sim_run_until(H.loop, 150);
        struct device_model_stats st;
        device_model_stats(H.dev, &st);
        cr_assert_eq(st.busy_lane_ns, 250.0);
        cr_assert_eq(device_model_busy_lane_ns(H.dev), st.busy_lane_ns);
}

Test(device, abort_behind_the_head_keeps_the_fifo)
{
        /* One lane, cost 100 ns + 1 ns a byte: tag 0 serves, 1 to 4 wait.
         * Taking back 2 (in the middle) and 4 (the newest) leaves 1, 3 and
         * then a later 5 in that order, each with its own cost, kept while
         * it waited. */
        struct device_op_config op = {.name = "c", .setup_ns = 100.0, .rate = 1.0};
        struct device_config cfg = {.name = "mid", .lanes = 1, .ring = 5, .ops = &op, .nops = 1};
        create(&cfg);
        for (uint64_t i = 0; i < 5; i++)
                cr_assert_eq(submit(0, 10 * i), DEVICE_OK);
        cr_assert(device_model_abort(H.dev, 2));
        cr_assert(device_model_abort(H.dev, 4));
        cr_assert_eq(submit(0, 50), DEVICE_OK); /* tag 5 */
        sim_run_until(H.loop, UINT64_MAX);
        static const uint64_t want[] = {100, 210, UINT64_MAX, 340, UINT64_MAX, 490};
        for (int i = 0; i < 6; i++)
                cr_assert_eq(H.done_at[i], want[i], "tag %d done at %llu", i,
                             (unsigned long long)H.done_at[i]);
        struct device_model_stats st;
        device_model_stats(H.dev, &st);
        cr_assert_eq(st.aborted, 2);
        cr_assert_eq(st.completed, 4);
        cr_assert_eq(st.held, 0);
}

Test(device, hang_stops_completions_then_completes_late)
{
        /* Constant 20 us stages on one lane; a hang from 10 us to 60 us. */
        struct device_op_config op = {.name = "c", .setup_ns = 20000.0};
        struct device_fault_config hang = {
            .at_ns = 10000, .for_ns = 50000, .mode = DEVICE_FAULT_HANG};
        struct device_config cfg = {.name = "hang",
                                    .lanes = 1,
                                    .ring = 8,
                                    .ops = &op,
                                    .nops = 1,
                                    .faults = &hang,
                                    .nfaults = 1};
        create(&cfg);
        submit(0, 0); /* 0 -> 10 us of work done before the hang */
        sim_run_until(H.loop, 30000);
        cr_assert_not(device_model_working(H.dev));
        cr_assert_eq(submit(0, 0), DEVICE_OK); /* accepted into the ring while hung */
        sim_run_until(H.loop, 59999);
        cr_assert_eq(H.completed, 0, "a completion during the hang");
        sim_run_until(H.loop, UINT64_MAX);
        cr_assert(device_model_working(H.dev));
        cr_assert_eq(H.done_at[0], 70000); /* resumes at 60 us with 10 us left */
        cr_assert_eq(H.done_at[1], 90000);
        cr_assert_eq(H.failed, 0); /* a hang says nothing */
        size_t n;
        const struct device_fault_record *tl = device_model_timeline(H.dev, &n);
        cr_assert_eq(n, 1);
        cr_assert_eq(tl[0].mode, DEVICE_FAULT_HANG);
        cr_assert_eq(tl[0].start_ns, 10000);
        cr_assert_eq(tl[0].end_ns, 60000);
        cr_assert_eq(tl[0].process, -1);
}

Test(device, busy_lane_time_is_exact_across_a_hang)
{
        /* Two lanes, constant 20 us stages, a hang from 10 us to 60 us.
         * Stage 0 holds a lane from 0 to 70 us (hung lanes count as busy);
         * stage 1, submitted at 20 us while hung, waits and is served from
         * 60 to 80 us on the other lane: 90 us of busy lane time. */
        struct device_op_config op = {.name = "c", .setup_ns = 20000.0};
        struct device_fault_config hang = {
            .at_ns = 10000, .for_ns = 50000, .mode = DEVICE_FAULT_HANG};
        struct device_config cfg = {.name = "hang2",
                                    .lanes = 2,
                                    .ring = 8,
                                    .ops = &op,
                                    .nops = 1,
                                    .faults = &hang,
                                    .nfaults = 1};
        create(&cfg);
        submit(0, 0);
        sim_run_until(H.loop, 20000);
        cr_assert_eq(submit(0, 0), DEVICE_OK);
        sim_run_until(H.loop, UINT64_MAX);
        cr_assert_eq(H.done_at[0], 70000);
        cr_assert_eq(H.done_at[1], 80000);
        struct device_model_stats st;
        device_model_stats(H.dev, &st);
        cr_assert_float_eq(st.busy_lane_ns, 90000.0, 1e-6, "busy lane time %g ns, not 90000",
                           st.busy_lane_ns);
}

Test(device, fail_stop_drops_reports_and_refuses)
{
        struct device_op_config op = {.name = "c", .setup_ns = 1000.0};
        struct device_fault_config fs = {
            .at_ns = 500, .for_ns = 2000, .mode = DEVICE_FAULT_FAIL_STOP};
        struct device_config cfg = {.name = "fs",
                                    .lanes = 2,
                                    .ring = 8,
                                    .ops = &op,
                                    .nops = 1,
                                    .faults = &fs,
                                    .nfaults = 1};
        create(&cfg);
        for (int i = 0; i < 5; i++)
                submit(0, 0);
        sim_run_until(H.loop, 1000);
        cr_assert_eq(H.failed, 1);
        cr_assert_not(device_model_working(H.dev));
        cr_assert_eq(submit(0, 0), DEVICE_EDOWN);
        struct device_model_stats st;
        device_model_stats(H.dev, &st);
        cr_assert_eq(st.dropped, 5);
        cr_assert_eq(st.held, 0);
        cr_assert_eq(st.busy, 0);
        cr_assert_eq(st.failures, 1);
        sim_run_until(H.loop, 2500);
        cr_assert_eq(H.recovered, 1);
        cr_assert(device_model_working(H.dev));
        cr_assert_eq(submit(0, 0), DEVICE_OK);
        sim_run_until(H.loop, UINT64_MAX);
        cr_assert_eq(H.completed, 1);
        cr_assert_eq(H.done_at[5], 3500);
        for (int i = 0; i < 5; i++)
                cr_assert_eq(H.done_at[i], UINT64_MAX, "dropped stage %d completed", i);
}

Test(device, fail_stop_process_alternates)
{
        /* mtbf 1 ms, mttr 250 us: down a fifth of the time */
        struct device_op_config op = {.name = "c", .setup_ns = 100.0};
        struct device_failure_config f = {
            .mode = DEVICE_FAULT_FAIL_STOP,
            .ttf = {.kind = DIST_EXPONENTIAL, .a = 1e6},
            .ttr = {.kind = DIST_EXPONENTIAL, .a = 2.5e5},
        };
        struct device_config cfg = {.name = "fsp",
                                    .lanes = 1,
                                    .ring = 8,
                                    .ops = &op,
                                    .nops = 1,
                                    .failures = &f,
                                    .nfailures = 1};
        create(&cfg);
        const uint64_t T = 4000000000ULL; /* 4 s: ~3200 cycles */
        sim_run_until(H.loop, T);
        size_t n;
        const struct device_fault_record *tl = device_model_timeline(H.dev, &n);
        cr_assert_gt(n, 2500);
        cr_assert_eq(H.failed, n);
        cr_assert(H.recovered == n || H.recovered + 1 == n);
        double down = 0.0;
        for (size_t i = 0; i < n; i++) {
                cr_assert_eq(tl[i].mode, DEVICE_FAULT_FAIL_STOP);
                cr_assert_eq(tl[i].process, 0);
                uint64_t end = tl[i].end_ns == UINT64_MAX ? T : tl[i].end_ns;
                cr_assert_geq(end, tl[i].start_ns);
                if (i > 0)
                        cr_assert_geq(tl[i].start_ns, tl[i - 1].end_ns);
                down += (double)(end - tl[i].start_ns);
        }
        cr_log_info("fail-stop process: %zu windows, down fraction %.4f", n, down / (double)T);
        cr_assert(fabs(down / (double)T - 0.2) < 0.02, "down fraction %.4f, want 0.2",
                  down / (double)T);
}

Test(device, slow_scales_service)
{
        struct device_op_config op = {.name = "c", .setup_ns = 1000.0};
        struct device_fault_config slow[2] = {
            {.at_ns = 0, .mode = DEVICE_FAULT_SLOW, .factor = 4.0},
            {.at_ns = 10500, .for_ns = 600, .mode = DEVICE_FAULT_SLOW, .factor = 3.0},
        };
        struct device_config cfg = {.name = "slow",
                                    .lanes = 1,
                                    .ring = 8,
                                    .ops = &op,
                                    .nops = 1,
                                    .faults = slow,
                                    .nfaults = 2};
        create(&cfg);
        sim_run_until(H.loop, 0);
        submit(0, 0);
        sim_run_until(H.loop, 5000);
        cr_assert_eq(H.done_at[0], 4000);
        /* At 10000 a 1000 ns stage starts at x4 (4000 ns); from 10500 to
         * 11100 it runs at x12: 500/4 + 600/12 = 175 ns of work done, the
         * last 825 at x4 take 3300 ns. */
        sim_run_until(H.loop, 10000);
        submit(0, 0);
        sim_run_until(H.loop, UINT64_MAX);
        cr_assert_eq(H.done_at[1], 11100 + 3300);
        size_t n;
        const struct device_fault_record *tl = device_model_timeline(H.dev, &n);
        cr_assert_eq(n, 2);
        cr_assert_eq(tl[0].end_ns, UINT64_MAX);
        cr_assert_float_eq(tl[1].factor, 3.0, 0.0);
        cr_assert_eq(tl[1].end_ns, 11100);
}

Test(device, flaky_error_fraction)
{
        struct device_op_config op = {.name = "c", .setup_ns = 10.0};
        struct device_failure_config f = {.mode = DEVICE_FAULT_FLAKY, .probability = 0.1};
        struct device_config cfg = {.name = "flaky",
                                    .lanes = 4,
                                    .ring = 64,
                                    .ops = &op,
                                    .nops = 1,
                                    .failures = &f,
                                    .nfailures = 1};
        create(&cfg);
        poisson(20.0, 100000);
        sim_run_until(H.loop, UINT64_MAX);
        cr_assert_eq(H.completed, 100000);
        double frac = (double)H.errors / (double)H.completed;
        cr_log_info("flaky p 0.1: error fraction %.4f", frac);
        cr_assert(fabs(frac - 0.1) < 0.005, "error fraction %.4f, want 0.1", frac);
        struct device_model_stats st;
        device_model_stats(H.dev, &st);
        cr_assert_eq(st.errors, H.errors);
        cr_assert_eq(st.failures, 0);
        cr_assert_eq(H.failed, 0);
}

Test(device, scheduled_flaky_window)
{
        struct device_op_config op = {.name = "c", .setup_ns = 10.0};
        struct device_fault_config f = {
            .at_ns = 1000, .for_ns = 1000, .mode = DEVICE_FAULT_FLAKY, .probability = 1.0};
        struct device_config cfg = {
            .name = "sf", .lanes = 1, .ring = 8, .ops = &op, .nops = 1, .faults = &f, .nfaults = 1};
        create(&cfg);
        for (uint64_t t = 0; t < 3000; t += 100) {
                sim_run_until(H.loop, t);
                submit(0, 0);
        }
        sim_run_until(H.loop, UINT64_MAX);
        for (uint64_t tag = 0; tag < H.ntags; tag++) {
                bool inside = H.done_at[tag] >= 1000 && H.done_at[tag] < 2000;
                cr_assert_eq(H.status[tag], inside ? DEVICE_ESTAGE : DEVICE_OK, "tag %llu",
                             (unsigned long long)tag);
        }
}

Test(device, scheduled_windows_in_timeline_and_remove)
{
        struct device_op_config op = {.name = "c", .setup_ns = 100.0};
        struct device_fault_config f[3] = {
            {.at_ns = 1000, .for_ns = 500, .mode = DEVICE_FAULT_HANG},
            {.at_ns = 2000, .for_ns = 300, .mode = DEVICE_FAULT_SLOW, .factor = 2.0},
            {.at_ns = 5000, .mode = DEVICE_FAULT_REMOVE},
        };
        struct device_config cfg = {
            .name = "tl", .lanes = 1, .ring = 8, .ops = &op, .nops = 1, .faults = f, .nfaults = 3};
        create(&cfg);
        sim_run_until(H.loop, 4990);
        submit(0, 0);
        sim_run_until(H.loop, UINT64_MAX);
        cr_assert_eq(H.removed, 1);
        cr_assert_eq(H.completed, 0);
        cr_assert_not(device_model_working(H.dev));
        cr_assert_eq(submit(0, 0), DEVICE_EDOWN);
        size_t n;
        const struct device_fault_record *tl = device_model_timeline(H.dev, &n);
        cr_assert_eq(n, 3);
        cr_assert_eq(tl[0].mode, DEVICE_FAULT_HANG);
        cr_assert_eq(tl[0].start_ns, 1000);
        cr_assert_eq(tl[0].end_ns, 1500);
        cr_assert_eq(tl[1].mode, DEVICE_FAULT_SLOW);
        cr_assert_eq(tl[1].start_ns, 2000);
        cr_assert_eq(tl[1].end_ns, 2300);
        cr_assert_eq(tl[2].mode, DEVICE_FAULT_REMOVE);
        cr_assert_eq(tl[2].start_ns, 5000);
        cr_assert_eq(tl[2].end_ns, UINT64_MAX);
        struct device_model_stats st;
        device_model_stats(H.dev, &st);
        cr_assert_eq(st.dropped, 1);
        cr_assert_eq(st.failures, 3);
        cr_assert_str_eq(device_fault_mode_name(DEVICE_FAULT_FAIL_STOP), "fail-stop");
        cr_assert_null(device_fault_mode_name((enum device_fault_mode)42));
}

/* Runs a busy device with every kind of randomness and returns a hash of
 * the completion times and statuses. */
static uint64_t run_fingerprint(unsigned long seed)
{
        gsl_rng_set(H.service, seed);
        gsl_rng_set(H.arrivals, seed + 1);
        gsl_rng_set(H.failures[0], seed + 2);
        gsl_rng_set(H.failures[1], seed + 3);
        struct device_op_config op = {.name = "c",
                                      .setup_ns = 200.0,
                                      .rate = 1.0,
                                      .has_jitter = true,
                                      .jitter = {.kind = DIST_LOGNORMAL, .a = 1.0, .b = 0.3}};
        struct device_failure_config f[2] = {
            {.mode = DEVICE_FAULT_HANG,
             .ttf = {.kind = DIST_EXPONENTIAL, .a = 1e6},
             .ttr = {.kind = DIST_EXPONENTIAL, .a = 1e5}},
            {.mode = DEVICE_FAULT_FLAKY, .probability = 0.05},
        };
        struct device_config cfg = {.name = "det",
                                    .lanes = 3,
                                    .ring = 100000,
                                    .ops = &op,
                                    .nops = 1,
                                    .failures = f,
                                    .nfailures = 2};
        create(&cfg);
        H.bytes = 512;
        poisson(400.0, 20000);
        sim_run_until(H.loop, 100000000); /* the failure process never ends */
        uint64_t hash = 1469598103934665603ULL;
        for (uint64_t t = 0; t < H.ntags; t++) {
                hash = (hash ^ H.done_at[t]) * 1099511628211ULL;
                hash = (hash ^ (uint64_t)(H.status[t] + 8)) * 1099511628211ULL;
        }
        cr_assert_eq(H.completed, H.ntags);
        device_model_destroy(H.dev);
        H.dev = NULL;
        return hash;
}

static void reset_run(void)
{
        sim_loop_destroy(H.loop);
        H.loop = sim_loop_create();
        H.ntags = H.completed = H.errors = 0;
        for (size_t i = 0; i < MAX_STAGES; i++)
                H.done_at[i] = UINT64_MAX;
}

Test(device, same_seeds_same_completions)
{
        uint64_t a = run_fingerprint(5);
        reset_run();
        uint64_t b = run_fingerprint(5);
        reset_run();
        uint64_t c = run_fingerprint(6);
        cr_assert_eq(a, b);
        cr_assert_neq(a, c);
}

Test(device, bad_configs_refused)
{
        struct device_op_config op = {.name = "c", .setup_ns = 1.0};
        const char *why = NULL;
        struct device_config cfg = {.name = "bad", .lanes = 0, .ring = 1, .ops = &op, .nops = 1};
        cr_assert_eq(device_config_prepare(&cfg, &why), -1);
        cfg.lanes = 1;
        cfg.ring = 0;
        cr_assert_eq(device_config_prepare(&cfg, &why), -1);
        cfg.ring = 4;
        cfg.nops = 0;
        cr_assert_eq(device_config_prepare(&cfg, &why), -1);
        cfg.nops = DEVICE_MAX_OPS + 1; /* refused before the ops are read */
        cr_assert_eq(device_config_prepare(&cfg, &why), -1);
        cr_assert_not_null(strstr(why, "at most"));
        cfg.nops = 1;
        op.rate = -1.0;
        cr_assert_eq(device_config_prepare(&cfg, &why), -1);
        op.rate = 1.0;
        struct device_fault_config f = {.mode = DEVICE_FAULT_SLOW, .factor = 0.5};
        cfg.faults = &f;
        cfg.nfaults = 1;
        cr_assert_eq(device_config_prepare(&cfg, &why), -1);
        cr_assert_not_null(strstr(why, "factor"));
        f = (struct device_fault_config){.mode = DEVICE_FAULT_REMOVE, .for_ns = 5};
        cr_assert_eq(device_config_prepare(&cfg, &why), -1);
        f = (struct device_fault_config){.mode = DEVICE_FAULT_FLAKY, .probability = 1.5};
        cr_assert_eq(device_config_prepare(&cfg, &why), -1);
        f.probability = 0.5;
        cr_assert_eq(device_config_prepare(&cfg, &why), 0);
        struct device_failure_config p = {.mode = DEVICE_FAULT_HANG,
                                          .ttf = {.kind = DIST_EXPONENTIAL, .a = 0.0}};
        cfg.failures = &p;
        cfg.nfailures = 1;
        cr_assert_eq(device_config_prepare(&cfg, &why), -1);
        p.mode = DEVICE_FAULT_REMOVE;
        cr_assert_eq(device_config_prepare(&cfg, &why), -1);
        cfg.failures = NULL;
        cfg.nfailures = 0;
        op.latency_ns = -1.0;
        cr_assert_eq(device_config_prepare(&cfg, &why), -1);
        cr_assert_not_null(strstr(why, "latency"));
        op.latency_ns = NAN;
        cr_assert_eq(device_config_prepare(&cfg, &why), -1);
        op.latency_ns = 5.0;
        cr_assert_eq(device_config_prepare(&cfg, &why), 0);
        op.gap_ns = -2.0;
        cr_assert_eq(device_config_prepare(&cfg, &why), -1);
        cr_assert_not_null(strstr(why, "gap"));
        op.gap_ns = 2.0;
        cr_assert_eq(device_config_prepare(&cfg, &why), 0);
        op.wakeup_ns = INFINITY;
        cr_assert_eq(device_config_prepare(&cfg, &why), -1);
        cr_assert_not_null(strstr(why, "wakeup"));
}

Test(device, abort_during_hang_never_completes)
{
        /* What the core's watchdog does: give up on the hung stage. */
        struct device_op_config op = {.name = "c", .setup_ns = 1000.0};
        struct device_fault_config hang = {
            .at_ns = 500, .for_ns = 10000, .mode = DEVICE_FAULT_HANG};
        struct device_config cfg = {.name = "ha",
                                    .lanes = 1,
                                    .ring = 4,
                                    .ops = &op,
                                    .nops = 1,
                                    .faults = &hang,
                                    .nfaults = 1};
        create(&cfg);
        submit(0, 0);
        submit(0, 0);
        sim_run_until(H.loop, 5000);
        cr_assert(device_model_abort(H.dev, 0));
        sim_run_until(H.loop, UINT64_MAX);
        cr_assert_eq(H.done_at[0], UINT64_MAX);
        cr_assert_eq(H.done_at[1], 10500 + 1000); /* starts when the hang ends */
}

/* The owner submits the next stage from inside the completion callback, as
 * the core does when it routes a chain. */
static void resubmit(void *ctx, uint64_t tag, int status)
{
        on_complete(ctx, tag, status);
        if (H.ntags < 10)
                cr_assert_eq(submit(0, 0), DEVICE_OK);
}

Test(device, submit_from_completion_callback)
{
        static const struct device_model_ops ops = {.complete = resubmit,
                                                    .failed = on_failed,
                                                    .recovered = on_recovered,
                                                    .removed = on_removed};
        struct device_op_config op = {.name = "c", .setup_ns = 100.0};
        struct device_config cfg = {.name = "re", .lanes = 1, .ring = 1, .ops = &op, .nops = 1};
        const char *why;
        cr_assert_eq(device_config_prepare(&cfg, &why), 0);
        struct device_model_rngs rngs = {.service = H.service};
        cr_assert_eq(device_model_create(H.loop, &cfg, &rngs, &ops, &H, &H.dev), 0);
        submit(0, 0);
        sim_run_until(H.loop, UINT64_MAX);
        cr_assert_eq(H.completed, 10);
        for (uint64_t t = 0; t < 10; t++)
                cr_assert_eq(H.done_at[t], 100 * (t + 1));
}

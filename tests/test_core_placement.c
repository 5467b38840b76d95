/*
 * test_core_placement.c - placement from the eligible lists and their tree
 * (core_impl/eligible.c) against the scan it replaces, as an oracle.
 *
 * Two engines run side by side under every registered balancer: one
 * places as the core does, the other with eng->eligible_scan set, which
 * gathers every candidate by a scan of every device for every stage, as
 * before the index, and hands the balancer that array. Both get the same
 * random walk (submits of one- and two-stage chains, completions ok and
 * with errors, devices failed, recovered, removed and hot-added, with
 * small queues and rings so that queues fill and the tree, not the
 * array, answers), and both platforms the same random words. Checked:
 *
 *   - every stage goes to the same device in both, in the same order (the
 *     sampled and indexed picks equal the scan's, ties included);
 *   - in the end every accepted request was called back exactly once in
 *     each engine, and with the same status.
 *
 * The same for shortest-expected-delay alone with 350 more devices at the
 * start, where its index prunes most of the tree; and with 62 more, queues
 * of 16 to 23 and 1024 requests, where some device holds 8 stages or more,
 * so that every class of its keys by stages held is in the index.
 *
 * In a build with ACSIM_CORE_CHECKS (the sanitizer tree) the core also
 * asserts at every placement that the tree's candidates, ranks and least
 * loaded are the scan's.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ac/ac.h"
#include "core.h"

#define SEEDS    24
#define STEPS    3000
#define MAX_DEVS 448  /* 48, or 400 more for the test at scale */
#define MAX_REQS 1024 /* 160 but in the deep-queue test */
#define MAX_LOG  40000
#define RING     2

static uint64_t splitmix(uint64_t *s)
{
        uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
}

/* One engine and what it did. */
struct side {
        uint64_t clock, rng;
        struct ac_engine *eng;
        struct pdev {
                struct side *side;
                struct ac_device *dev; /* NULL: removed and released */
                uint64_t tags[64];
                unsigned head, count;
        } devs[MAX_DEVS + 1]; /* one more for drain() */
        struct preq {
                struct ac_request req;
                struct ac_stage stages[2];
                int calls, status;
        } reqs[MAX_REQS];
        uint32_t log[MAX_LOG]; /* device index of every stage handed out */
        size_t nlog;
};

static uint64_t p_now(void *ctx)
{
        return ((struct side *)ctx)->clock;
}

static void p_arm(void *ctx, struct ac_timer *t, uint64_t when)
{
        (void)ctx;
        t->opaque[0] = when; /* timers never fire here: the same in both */
}

static void p_cancel(void *ctx, struct ac_timer *t)
{
        (void)ctx;
        t->opaque[0] = 0;
}

static uint64_t p_random(void *ctx)
{
        return splitmix(&((struct side *)ctx)->rng);
}

static const struct ac_platform_ops p_ops = {.name = "placement",
                                             .now_ns = p_now,
                                             .timer_arm = p_arm,
                                             .timer_cancel = p_cancel,
                                             .random_u64 = p_random};

static int d_submit(void *ctx, struct ac_device *dev, const struct ac_job *job)
{
        struct pdev *d = ctx;
        struct side *s = d->side;
        cr_assert(d->count < 64);
        d->tags[(d->head + d->count++) % 64] = job->tag;
        cr_assert(s->nlog < MAX_LOG);
        s->log[s->nlog++] = ac_device_index(dev);
        return 0;
}

static const struct ac_driver_ops d_ops = {.name = "placement", .submit = d_submit};

static void r_done(struct ac_request *req, int status)
{
        struct preq *r = (struct preq *)req;
        r->calls++;
        r->status = status;
}

static const char *const op_names[] = {"aes", "sha", "md5"};

/* Registers device k of s: its name, operations and fallback flag drawn
 * from `spec` so that both sides get the same. */
static void add(struct side *s, size_t k, uint64_t spec)
{
        char name[16];
        /* Some "cpu" devices, for size-split's default groups. */
        snprintf(name, sizeof(name), "%s%zu", spec % 3 == 0 ? "cpu" : "dev", k);
        const char *ops[3];
        size_t nops = 0;
        for (int i = 0; i < 3; i++)
                if ((spec >> (4 + i)) & 1 || (i == 0 && (spec >> 4 & 7) == 0))
                        ops[nops++] = op_names[i];
        struct pdev *d = &s->devs[k];
        *d = (struct pdev){.side = s};
        struct ac_device_config dc = {.name = name,
                                      .ops = ops,
                                      .nops = nops,
                                      .ring = 1 + (uint32_t)(spec >> 8 & 1),
                                      .weight = 1 + (uint32_t)(spec >> 9 & 3),
                                      .fallback = (spec >> 12 & 7) == 0,
                                      .driver = &d_ops,
                                      .driver_ctx = d};
        cr_assert_eq(ac_device_register(s->eng, &dc, &d->dev), 0);
}

static bool deep;          /* queues of 16 to 23, not 1 to 3 */
static size_t nreqs = 160; /* requests the walk submits, <= MAX_REQS */

static void start(struct side *s, const char *policy, uint64_t seed, bool scan)
{
        memset(s, 0, sizeof(*s));
        s->rng = seed;
        struct ac_engine_config cfg;
        ac_engine_config_defaults(&cfg);
        cfg.platform = (struct ac_platform){.ops = &p_ops, .ctx = s};
        cfg.policy = policy;
        cfg.queue_depth = deep ? 16 + (uint32_t)(seed % 8) : 1 + (uint32_t)(seed % 3);
        cfg.backlog = 64;
        cfg.affinity = seed % 2 == 0;
        cfg.failover.retries = 2;
        cfg.failover.errors_to_fail = 2;
        cr_assert_eq(ac_engine_create(&cfg, &s->eng), 0, "%s", policy);
        s->eng->eligible_scan = scan;
}

/* Completes the oldest job of device k with status. */
static void complete(struct side *s, size_t k, int status)
{
        struct pdev *d = &s->devs[k];
        if (!d->dev || !d->count)
                return;
        uint64_t tag = d->tags[d->head];
        d->head = (d->head + 1) % 64;
        d->count--;
        ac_device_complete(d->dev, tag, status);
}

/* One step of the walk, drawn from `w`, applied to s. */
static void step(struct side *s, uint64_t w, size_t *ndevs)
{
        s->clock += 100;
        size_t k = (size_t)(w >> 8) % *ndevs;
        struct pdev *d = &s->devs[k];
        switch (w % 16) {
        case 0:
                if (d->dev && (w >> 20) % 4 == 0)
                        ac_device_failed(d->dev, AC_EIO);
                break;
        case 1:
                if (d->dev)
                        ac_device_recovered(d->dev);
                break;
        case 2:
                if (d->dev && (w >> 20) % 8 == 0) {
                        ac_device_removed(d->dev);
                        ac_device_release(d->dev);
                        d->dev = NULL; /* its tags are the core's no more */
                }
                break;
        case 3:
                if (*ndevs < MAX_DEVS && (w >> 20) % 4 == 0)
                        add(s, (*ndevs)++, w >> 24);
                break;
        case 4:
        case 5:
        case 6:
                complete(s, k, (w >> 20) % 16 == 0 ? AC_EIO : 0);
                break;
        default: {
                struct preq *r = &s->reqs[(w >> 32) % nreqs];
                if (r->req.core.state != AC_REQ_IDLE)
                        break;
                r->stages[0] =
                    (struct ac_stage){.op = (uint32_t)((w >> 40) % 3), .bytes = (w >> 44) % 4096};
                r->stages[1] = (struct ac_stage){.op = (uint32_t)((w >> 42) % 3), .bytes = 64};
                r->req = (struct ac_request){.stages = r->stages,
                                             .nstages = 1 + (uint32_t)((w >> 46) & 1),
                                             .priority = (uint8_t)((w >> 47) & 1),
                                             .flow = (w >> 48) % 4,
                                             .done = r_done};
                if (ac_submit(s->eng, &r->req) >= 0)
                        r->calls--; /* accepted: owes one callback */
                break;
        }
        }
}

/* Brings every device back, adds one that does everything, and completes
 * until nothing is left in the engine. */
static void drain(struct side *s, size_t *ndevs)
{
        for (size_t k = 0; k < *ndevs; k++)
                if (s->devs[k].dev)
                        ac_device_recovered(s->devs[k].dev);
        add(s, (*ndevs)++, 7u << 4 | 1u << 12); /* all three operations, not a fallback */
        for (bool any = true; any;) {
                any = false;
                for (size_t k = 0; k < *ndevs; k++)
                        if (s->devs[k].dev && s->devs[k].count) {
                                complete(s, k, 0);
                                any = true;
                        }
        }
        struct ac_engine_stats st;
        ac_engine_get_stats(s->eng, &st);
        cr_assert_eq(st.queued + st.backlog + st.in_flight, 0);
}

static struct side a, b;
static size_t more_devices; /* at the start, beyond the 3 .. 32 drawn */
static size_t most_held;    /* the most stages one device held after a walk (side a) */

static void differ(const char *policy, uint64_t seed)
{
        start(&a, policy, seed, false);
        start(&b, policy, seed, true);
        uint64_t w = seed;
        size_t na = 0, nb = 0;
        uint64_t spec = splitmix(&w);
        size_t first = 3 + (size_t)(spec % 30) + more_devices; /* 3 .. 32 to begin with */
        for (size_t k = 0; k < first; k++) {
                uint64_t sp = splitmix(&w);
                add(&a, na++, sp);
                add(&b, nb++, sp);
        }
        for (int i = 0; i < STEPS; i++) {
                uint64_t x = splitmix(&w);
                step(&a, x, &na);
                step(&b, x, &nb);
                cr_assert_eq(a.nlog, b.nlog, "%s seed %llu step %d: stages handed out", policy,
                             (unsigned long long)seed, i);
                if (a.nlog)
                        cr_assert_eq(a.log[a.nlog - 1], b.log[b.nlog - 1],
                                     "%s seed %llu step %d: device of stage %zu", policy,
                                     (unsigned long long)seed, i, a.nlog - 1);
        }
        for (size_t k = 0; k < na; k++)
                if (a.devs[k].dev) {
                        const struct ac_device_view *v = &a.devs[k].dev->view;
                        size_t held = (size_t)v->queued + v->in_flight;
                        most_held = held > most_held ? held : most_held;
                }
        drain(&a, &na);
        drain(&b, &nb);
        cr_assert_eq(a.nlog, b.nlog);
        cr_assert(memcmp(a.log, b.log, a.nlog * sizeof(a.log[0])) == 0, "%s seed %llu", policy,
                  (unsigned long long)seed);
        for (size_t i = 0; i < nreqs; i++) {
                /* -1 per accepted submit, +1 per callback */
                cr_assert_eq(a.reqs[i].calls, 0, "%s seed %llu request %zu", policy,
                             (unsigned long long)seed, i);
                cr_assert_eq(a.reqs[i].calls, b.reqs[i].calls);
                cr_assert_eq(a.reqs[i].status, b.reqs[i].status);
        }
        ac_engine_destroy(a.eng);
        ac_engine_destroy(b.eng);
}

Test(placement, index_picks_equal_scan_under_churn)
{
        size_t stages = 0;
        for (const struct ac_balancer_ops *const *bp = ac_balancers; *bp; bp++)
                for (uint64_t seed = 1; seed <= SEEDS; seed++) {
                        differ((*bp)->name, seed);
                        stages += a.nlog;
                }
        cr_assert_gt(stages, 100000); /* the walk did place work */
}

/* Walks shortest-expected-delay over seeds 1 .. seeds; returns the stages
 * handed out. */
static size_t delay_walks(uint64_t seeds)
{
        size_t stages = 0;
        for (uint64_t seed = 1; seed <= seeds; seed++) {
                differ("shortest-expected-delay", seed);
                stages += a.nlog;
        }
        return stages;
}

/* shortest-expected-delay's index (AC_BALANCER_KEYS, ac_pick_least) at a
 * few hundred devices of two ring sizes and four weights, whose figures
 * (a moving average per device) all differ: the pruned search picks what
 * the scan picks, stage for stage, through the churn of the walk. */
Test(placement, delay_index_equals_scan_at_scale)
{
        more_devices = 350;
        size_t stages = delay_walks(24);
        cr_assert_gt(stages, 8000, "%zu", stages); /* 160 requests over 400 devices */
}

/* The same with queues of 16 to 23 and 1024 requests over about a hundred
 * devices, so that devices hold from none to a dozen stages and more:
 * every class of shortest-expected-delay's keys by stages held (0, 1,
 * 2-3, 4-7, 8 or more) is in its index at once, and the pruned search
 * still picks what the scan picks. (Each test runs in a process of its
 * own: the settings do not reach the others.) */
Test(placement, delay_index_equals_scan_with_deep_queues)
{
        more_devices = 62;
        nreqs = MAX_REQS;
        deep = true;
        size_t stages = delay_walks(12);
        cr_assert_gt(stages, 10000, "%zu", stages);
        cr_assert_geq(most_held, 8, "no device held 8 stages: the top class went untested");
}

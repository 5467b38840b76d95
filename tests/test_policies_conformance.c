/*
 * test_policies_conformance.c - one suite run over every balancer in
 * ac_balancers[], so that a new balancer is held to the same contract the
 * day it is registered:
 *
 *   picks     a pick is always a candidate index, on any view the core can
 *             show (called directly, with odd figures); through the engine,
 *             under random capabilities, health changes and full queues,
 *             every stage sits on a healthy device that can do it and no
 *             queue exceeds its bound;
 *   replay    the same platform seed gives the same device for every stage;
 *   promise   under sustained load on healthy, capable devices, every device
 *             gets work within a bounded number of submissions; the two
 *             balancers that promise something else (primary-backup,
 *             size-split) are held to their own promise instead;
 *   failover  failing a device under load moves its queued and in-flight
 *             stages elsewhere and every request completes exactly once.
 *
 * Scenarios are driven by the test's own generator (scene_next), so the
 * platform's random source is the balancers' alone.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "ac/ac.h"
#include "support/tcore.h"

#define MAX_DEVS 6
#define MAX_REQS 1200

TestSuite(policies_conformance, .fini = tcore_fini);

/* The scenario's own generator (a 64-bit LCG, high bits). */
static uint64_t scene_next(uint64_t *x, uint64_t n)
{
        *x = *x * 6364136223846793005ull + 1442695040888963407ull;
        return (*x >> 33) % n;
}

static void start(const char *policy, uint64_t seed, uint32_t queue_depth, uint32_t backlog)
{
        tcore_init(seed, false);
        tc.cfg.policy = policy;
        tc.cfg.queue_depth = queue_depth;
        tc.cfg.backlog = backlog;
        tc.cfg.failover.timeout_ns = 0; /* no watchdogs: the test drives time */
        tc.cfg.failover.probe_ns = 0;
        tcore_start();
}

/* noinline: once inlined with a two-element list, GCC 12's -Warray-bounds
 * loses the NULL terminator and warns (a false positive in Release builds). */
__attribute__((noinline)) static void add(const char *name, const char *const *ops, uint32_t ring,
                                          uint32_t weight, bool fallback)
{
        cr_assert_lt(tc.ndevs, MAX_DEVS);
        struct tdev_spec spec = {
            .name = name, .ring = ring, .weight = weight, .fallback = fallback};
        for (size_t i = 0; i < TDEV_MAX_OPS && ops[i]; i++)
                spec.ops[i] = ops[i];
        tcore_add(&spec);
}

/* Submits a request of one or two stages; returns ac_submit's answer. */
static int submit(const uint32_t *ops, size_t nops, uint64_t bytes, uint8_t priority)
{
        cr_assert_lt(tc.nreqs, MAX_REQS);
        return tcore_request(ops, nops, bytes, priority);
}

/* Index of the device holding request i's current stage, or -1. */
static int holder(size_t i)
{
        const struct ac_device *dev = tc.reqs[i].req.core.device;
        return dev ? (int)ac_device_index(dev) : -1;
}

/* Every live stage sits on a healthy device that can do it; no queue
 * exceeds its bound; no device holds more than its ring. */
static void check_placements(const char *policy)
{
        for (size_t i = 0; i < tc.nreqs; i++) {
                const struct treq *r = &tc.reqs[i];
                if (tc.outcome[i] < 0 || r->calls)
                        continue;
                const struct ac_device *dev = r->req.core.device;
                if (!dev)
                        continue; /* in the backlog */
                const struct ac_device_view *v = ac_device_view(dev);
                uint32_t op = r->req.stages[r->req.core.stage].op;
                cr_assert_eq(v->health, AC_DEV_HEALTHY, "%s: request %zu on %s, not healthy",
                             policy, i, v->name);
                cr_assert(v->capabilities & (1ull << op), "%s: request %zu on %s, not capable",
                          policy, i, v->name);
        }
        for (size_t d = 0; d < tc.ndevs; d++) {
                const struct ac_device_view *v = ac_device_view(tc.devs[d].dev);
                cr_assert_leq(v->queued, v->queue_depth, "%s: %s queue", policy, v->name);
                cr_assert_leq(v->in_flight, v->ring, "%s: %s ring", policy, v->name);
                for (size_t j = 0; j < tc.devs[d].njobs; j++)
                        cr_assert(v->capabilities & (1ull << tc.devs[d].jobs[j].op),
                                  "%s: %s got an operation it cannot do", policy, v->name);
        }
}

/* Completes everything, failed devices recovered first; then every
 * accepted request has had exactly one callback and no rejected one any. */
static void drain_and_count(const char *policy)
{
        for (size_t d = 0; d < tc.ndevs; d++)
                if (ac_device_health(tc.devs[d].dev) == AC_DEV_FAILED)
                        ac_device_recovered(tc.devs[d].dev);
        bool more = true;
        while (more) {
                more = false;
                for (size_t d = 0; d < tc.ndevs; d++)
                        more |= tdev_complete_next(&tc.devs[d], 0);
        }
        for (size_t i = 0; i < tc.nreqs; i++)
                cr_assert_eq(tc.reqs[i].calls, tc.outcome[i] < 0 ? 0 : 1,
                             "%s: request %zu (submit %d): %d callbacks", policy, i, tc.outcome[i],
                             tc.reqs[i].calls);
        cr_assert(ac_engine_idle(tc.eng), "%s", policy);
}

/* ---- picks: direct calls --------------------------------------------- */

static uint64_t word_state;
static uint64_t word(void *ctx)
{
        (void)ctx;
        uint64_t z = (word_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
}

Test(policies_conformance, pick_returns_a_candidate_on_any_view)
{
        static const char *names[8] = {"cpu0", "qat0", "qat1", "d3", "cpu1", "x", "qat10", "d7"};
        for (size_t b = 0; ac_balancers[b]; b++) {
                const struct ac_balancer_ops *ops = ac_balancers[b];
                static unsigned char priv[4096] __attribute__((aligned(16)));
                cr_assert_leq(ops->priv_size, sizeof(priv), "%s", ops->name);
                memset(priv, 0, sizeof(priv));
                struct ac_device_view views[8];
                const struct ac_device_view *all[8];
                for (size_t i = 0; i < 8; i++) {
                        views[i] = (struct ac_device_view){.name = names[i],
                                                           .index = (uint32_t)i,
                                                           .weight = 1,
                                                           .ring = 1,
                                                           .queue_depth = 16};
                        all[i] = &views[i];
                }
                struct ac_balancer_env env = {.random_u64 = word, .random_ctx = NULL};
                cr_assert_eq(ops->init(priv, &env), 0, "%s", ops->name);
                uint64_t x = 99 + b;
                for (size_t i = 0; i < 8 && ops->device_changed; i++)
                        ops->device_changed(priv, &views[i]);
                for (int round = 0; round < 3000; round++) {
                        size_t n = 1 + scene_next(&x, 8);
                        for (size_t i = 0; i < n; i++) {
                                struct ac_device_view *v = &views[i];
                                v->weight = (uint32_t)(1 + scene_next(&x, 100));
                                v->ring = (uint32_t)(1 + scene_next(&x, 64));
                                v->queued = (uint32_t)scene_next(&x, 17);
                                v->in_flight = (uint32_t)scene_next(&x, v->ring + 1);
                                v->queued_bytes = v->queued * scene_next(&x, 70000);
                                v->in_flight_bytes = v->in_flight * scene_next(&x, 70000);
                                v->service_ns = scene_next(&x, 3) ? (double)scene_next(&x, 1e6) : 0;
                                v->ns_per_byte =
                                    scene_next(&x, 3) ? scene_next(&x, 1000) / 97.0 : 0;
                        }
                        /* Candidates: a random subset, in registration order. */
                        const struct ac_device_view *cand[8];
                        size_t nc = 0;
                        for (size_t i = 0; i < n; i++)
                                if (scene_next(&x, 3))
                                        cand[nc++] = all[i];
                        if (nc == 0)
                                cand[nc++] = all[scene_next(&x, n)];
                        struct ac_pick p = {.op = 0,
                                            .bytes = scene_next(&x, 4) ? scene_next(&x, 9000) : 0,
                                            .priority = (uint8_t)scene_next(&x, 3),
                                            .candidates = cand,
                                            .ncandidates = nc};
                        size_t got = ops->pick(priv, &p);
                        cr_assert_lt(got, nc, "%s: pick %zu of %zu candidates", ops->name, got, nc);
                        if (ops->completed && scene_next(&x, 2))
                                ops->completed(priv, cand[got], 0, scene_next(&x, 5000));
                        if (ops->device_changed && scene_next(&x, 50) == 0)
                                ops->device_changed(priv, all[scene_next(&x, n)]);
                }
                if (ops->fini)
                        ops->fini(priv);
        }
}

/* A random source of its own per balancer instance (the env's ctx). */
static uint64_t word_of(void *ctx)
{
        uint64_t *state = ctx;
        uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
}

/* AC_BALANCER_ONE: the core skips the pick of a lone candidate, so such a
 * pick must be that candidate and leave nothing behind. Two instances see
 * the same picks of several candidates; one of them also picks a lone
 * candidate before each: its answer is 0 and the two never part. */
Test(policies_conformance, a_balancer_that_is_not_asked_about_one_candidate_would_not_mind)
{
        size_t flagged = 0;
        for (size_t b = 0; ac_balancers[b]; b++) {
                const struct ac_balancer_ops *ops = ac_balancers[b];
                if (!(ops->flags & AC_BALANCER_ONE))
                        continue;
                flagged++;
                static unsigned char priv[2][4096] __attribute__((aligned(16)));
                cr_assert_leq(ops->priv_size, sizeof(priv[0]), "%s", ops->name);
                memset(priv, 0, sizeof(priv));
                struct ac_device_view views[8];
                const struct ac_device_view *all[8];
                for (size_t i = 0; i < 8; i++) {
                        views[i] = (struct ac_device_view){
                            .index = (uint32_t)i, .weight = 1, .ring = 8, .queue_depth = 16};
                        all[i] = &views[i];
                }
                uint64_t state[2] = {7, 7};
                for (size_t k = 0; k < 2; k++) {
                        struct ac_balancer_env env = {.random_u64 = word_of,
                                                      .random_ctx = &state[k],
                                                      .devices = all,
                                                      .ndevices = 8};
                        cr_assert_eq(ops->init(priv[k], &env), 0, "%s", ops->name);
                }
                uint64_t x = 5 + b;
                for (int round = 0; round < 3000; round++) {
                        for (size_t i = 0; i < 8; i++) {
                                views[i].queued = (uint32_t)scene_next(&x, 17);
                                views[i].in_flight = (uint32_t)scene_next(&x, 9);
                        }
                        const struct ac_device_view *lone = all[scene_next(&x, 8)];
                        struct ac_pick one = {.candidates = &lone, .ncandidates = 1};
                        cr_assert_eq(ops->pick(priv[0], &one), 0, "%s", ops->name);
                        const struct ac_device_view *cand[8];
                        size_t nc = 0;
                        for (size_t i = 0; i < 8; i++)
                                if (scene_next(&x, 2))
                                        cand[nc++] = all[i];
                        if (nc < 2)
                                continue;
                        struct ac_pick p = {.candidates = cand, .ncandidates = nc};
                        size_t got = ops->pick(priv[0], &p);
                        cr_assert_eq(got, ops->pick(priv[1], &p),
                                     "%s: a lone pick changed a later one (round %d)", ops->name,
                                     round);
                }
                for (size_t k = 0; k < 2 && ops->fini; k++)
                        ops->fini(priv[k]);
        }
        cr_assert_gt(flagged, 0, "least-loaded says AC_BALANCER_ONE");
}

Test(policies_conformance, every_balancer_starts_with_defaults_and_declares_its_options)
{
        for (size_t b = 0; ac_balancers[b]; b++) {
                const struct ac_balancer_ops *ops = ac_balancers[b];
                cr_assert_not_null(ops->name);
                cr_assert_not_null(ops->description);
                cr_assert_gt(strlen(ops->description), 10, "%s", ops->name);
                for (const struct ac_option_spec *s = ops->options; s && s->key; s++) {
                        cr_assert_not_null(s->help, "%s.%s", ops->name, s->key);
                        cr_assert_not_null(strstr(s->help, "default"),
                                           "%s.%s: help must state the default", ops->name, s->key);
                }
                start(ops->name, 1, 4, 0);
                tcore_fini();
        }
}

/* ---- picks: through the engine --------------------------------------- */

/* Runs one random situation under policy: devices with random capabilities,
 * rings and weights (one a fallback), random submits, completions, failures
 * and recoveries; checks placements after every step. Fills `trace` (when
 * given) with the device of every stage dispatched, in order. */
static void run_scene(const char *policy, uint64_t platform_seed, uint64_t scene_seed,
                      uint32_t *trace, size_t *ntrace)
{
        static const char *opnames[3] = {"aes", "sha", "gcm"};
        static const char *devnames[MAX_DEVS] = {"cpu0", "qat0", "qat1", "d3", "d4", "d5"};
        uint64_t x = scene_seed;
        start(policy, platform_seed, (uint32_t)(1 + scene_next(&x, 4)),
              (uint32_t)scene_next(&x, 8));
        size_t n = 2 + scene_next(&x, MAX_DEVS - 1);
        for (size_t d = 0; d < n; d++) {
                const char *ops[4] = {NULL};
                size_t k = 0;
                uint64_t mask = 1 + scene_next(&x, 7); /* a non-empty subset of 3 ops */
                for (size_t o = 0; o < 3; o++)
                        if (mask & (1u << o))
                                ops[k++] = opnames[o];
                bool fallback = d == n - 1 && scene_next(&x, 2);
                if (fallback)
                        ops[0] = "aes", ops[1] = "sha", ops[2] = "gcm";
                add(devnames[d], ops, (uint32_t)(1 + scene_next(&x, 3)),
                    (uint32_t)(1 + scene_next(&x, 4)), fallback);
        }
        uint32_t ids[3];
        for (size_t o = 0; o < 3; o++) {
                int id = ac_op_lookup(tc.eng, opnames[o]);
                ids[o] = id >= 0 ? (uint32_t)id : (uint32_t)ac_op_intern(tc.eng, opnames[o]);
        }
        for (int step = 0; step < 250; step++) {
                uint64_t what = scene_next(&x, 20);
                if (what < 9) {
                        uint32_t chain[2] = {ids[scene_next(&x, 3)], ids[scene_next(&x, 3)]};
                        uint64_t bytes = scene_next(&x, 2) ? 64 : 1 + scene_next(&x, 8192);
                        submit(chain, 1 + scene_next(&x, 2), bytes, (uint8_t)scene_next(&x, 3));
                } else if (what < 17) {
                        tp_advance_to(&tc.tp, tc.tp.now + 100 + scene_next(&x, 2000));
                        tdev_complete_next(&tc.devs[scene_next(&x, n)], 0);
                } else if (what < 19) {
                        ac_device_failed(tc.devs[scene_next(&x, n)].dev, AC_EIO);
                } else {
                        struct tdev *d = &tc.devs[scene_next(&x, n)];
                        if (ac_device_health(d->dev) == AC_DEV_FAILED)
                                ac_device_recovered(d->dev);
                }
                check_placements(policy);
        }
        drain_and_count(policy);
        if (trace) {
                /* Stage order across devices: by dispatch time, then device
                 * and position; enough to tell two runs apart. */
                *ntrace = 0;
                for (size_t d = 0; d < n; d++)
                        for (size_t j = 0; j < tc.devs[d].njobs; j++) {
                                const struct treq *r = tc.devs[d].jobs[j].req->user;
                                trace[(*ntrace)++] = (uint32_t)(d << 24 | (uint32_t)r->id << 4 |
                                                                tc.devs[d].jobs[j].stage);
                        }
        }
        tcore_fini();
}

Test(policies_conformance, every_pick_is_a_healthy_capable_device_with_room)
{
        for (size_t b = 0; ac_balancers[b]; b++)
                for (uint64_t s = 0; s < 30; s++)
                        run_scene(ac_balancers[b]->name, 1 + s, 1000 + s, NULL, NULL);
}

/* ---- replay ----------------------------------------------------------- */

Test(policies_conformance, same_seed_same_choices)
{
        static uint32_t first[8 * MAX_REQS], second[8 * MAX_REQS];
        for (size_t b = 0; ac_balancers[b]; b++) {
                const char *name = ac_balancers[b]->name;
                for (uint64_t s = 0; s < 5; s++) {
                        size_t n1 = 0, n2 = 0;
                        run_scene(name, 42 + s, 7 + s, first, &n1);
                        run_scene(name, 42 + s, 7 + s, second, &n2);
                        cr_assert_eq(n1, n2, "%s", name);
                        cr_assert(n1 > 0);
                        cr_assert_eq(memcmp(first, second, n1 * sizeof(*first)), 0,
                                     "%s: seed %llu replayed differently", name,
                                     (unsigned long long)(42 + s));
                }
        }
}

/* ---- promise ---------------------------------------------------------- */

/* Balancers whose promise is not "every capable device gets work". */
static bool spreads(const char *name)
{
        return strcmp(name, "primary-backup") != 0 && strcmp(name, "size-split") != 0;
}

/* Sustained load, closed loop: `population` requests stay outstanding;
 * every step, 1 us apart, each device completes its oldest stage and as
 * many new requests are submitted, alternating small (64 B) and large
 * (4 KiB) ones. placed[i] is the device request i went to; `promise`
 * (when given) checks each placement the moment it is made. */
static void sustained(const char *policy, size_t population, size_t steps, int *placed,
                      void (*promise)(const char *policy, size_t i))
{
        uint32_t aes = (uint32_t)ac_op_lookup(tc.eng, "aes");
        for (size_t step = 0; step < steps; step++) {
                while (tc.nreqs - tc.log.n < population) {
                        int rc = submit(&aes, 1, tc.nreqs % 2 ? 4096 : 64, 0);
                        cr_assert_eq(rc, AC_ACCEPTED, "%s: request %zu", policy, tc.nreqs - 1);
                        placed[tc.nreqs - 1] = holder(tc.nreqs - 1);
                        cr_assert_geq(placed[tc.nreqs - 1], 0);
                        if (promise)
                                promise(policy, tc.nreqs - 1);
                }
                tp_advance_to(&tc.tp, tc.tp.now + 1000);
                for (size_t d = 0; d < tc.ndevs; d++)
                        tdev_complete_next(&tc.devs[d], 0);
                check_placements(policy);
        }
}

/* The longest run of requests in [from, to) (those `counts` accepts) that
 * went elsewhere than device d, including the run at the end. */
static size_t gap_of(const int *placed, int d, size_t from, size_t to, bool (*counts)(size_t))
{
        size_t gap = 0, last = from;
        for (size_t i = from; i < to; i++) {
                if (counts && !counts(i))
                        continue;
                if (placed[i] == d) {
                        if (i - last > gap)
                                gap = i - last;
                        last = i + 1;
                }
        }
        return to - last > gap ? to - last : gap;
}

static bool is_small(size_t i)
{
        return tc.reqs[i].stages[0].bytes < 1024;
}

static bool is_large(size_t i)
{
        return !is_small(i);
}

static bool full(int d)
{
        const struct ac_device_view *v = ac_device_view(tc.devs[d].dev);
        return v->queued >= v->queue_depth;
}

/* primary-backup: the primary (first registered) while it has room, else
 * the backup (second), else anyone. */
static void primary_backup_promise(const char *policy, size_t i)
{
        int d = holder(i);
        cr_assert(d == 0 || (full(0) && (d == 1 || full(1))), "%s: request %zu went to %d", policy,
                  i, d);
}

/* size-split (defaults: small is cpu*, the rest large, 1024 B): a stage
 * goes to its own group while that group has room. */
static void size_split_promise(const char *policy, size_t i)
{
        const char *dev = ac_device_name(tc.devs[holder(i)].dev);
        bool small = is_small(i);
        bool group_full = small ? full(0) && full(2) : full(1) && full(3);
        cr_assert(group_full || strncmp(dev, small ? "cpu" : "qat", 3) == 0,
                  "%s: %llu bytes went to %s", policy,
                  (unsigned long long)tc.reqs[i].stages[0].bytes, dev);
}

Test(policies_conformance,
     every_device_gets_work_under_sustained_load_or_the_policy_keeps_its_promise)
{
        static const char *aes_only[] = {"aes", NULL};
        static const char *spread_names[4] = {"d0", "d1", "d2", "d3"};
        static const char *split_names[4] = {"cpu0", "qat0", "cpu1", "qat1"};
        static int placed[MAX_REQS];
        for (size_t b = 0; ac_balancers[b]; b++) {
                const char *name = ac_balancers[b]->name;
                bool split = strcmp(name, "size-split") == 0;
                bool pb = strcmp(name, "primary-backup") == 0;
                start(name, 3, 64, 0);
                for (size_t d = 0; d < 4; d++)
                        add(split ? split_names[d] : spread_names[d], aes_only, 2,
                            (uint32_t)(1 + d), false);
                sustained(name, 24, 10, placed, NULL); /* settle */
                size_t from = tc.nreqs;
                sustained(name, 24, 150, placed,
                          split ? size_split_promise
                          : pb  ? primary_backup_promise
                                : NULL);
                cr_assert_geq(tc.nreqs - from, 150, "%s", name);
                if (spreads(name)) {
                        for (int d = 0; d < 4; d++) {
                                size_t gap = gap_of(placed, d, from, tc.nreqs, NULL);
                                cr_assert_leq(gap, 40, "%s: d%d went %zu submissions without work",
                                              name, d, gap);
                        }
                } else if (split) {
                        /* Within its group every device gets work. */
                        for (int d = 0; d < 4; d++) {
                                size_t gap = gap_of(placed, d, from, tc.nreqs,
                                                    d % 2 == 0 ? is_small : is_large);
                                cr_assert_leq(gap, 40, "%s: %s starved", name, split_names[d]);
                        }
                } else {
                        cr_assert_eq(tc.devs[1].njobs, 0,
                                     "%s: the backup worked while the "
                                     "primary had room",
                                     name);
                }
                drain_and_count(name);
                tcore_fini();
        }
}

/* ---- failover ---------------------------------------------------------- */

Test(policies_conformance, failing_a_device_under_load_moves_its_work)
{
        static const char *aes_only[] = {"aes", NULL};
        for (size_t b = 0; ac_balancers[b]; b++) {
                const char *name = ac_balancers[b]->name;
                for (int victim = 0; victim < 2; victim++) {
                        start(name, 9, 8, 0);
                        static const char *names[4] = {"cpu0", "qat0", "cpu1", "qat1"};
                        for (size_t d = 0; d < 4; d++)
                                add(names[d], aes_only, 2, 1, false);
                        uint32_t aes = (uint32_t)ac_op_lookup(tc.eng, "aes");
                        /* Enough that the victim (primary or backup for
                         * primary-backup) holds queued and in-flight work. */
                        for (int i = 0; i < 24; i++)
                                cr_assert_eq(submit(&aes, 1, i % 2 ? 64 : 4096, 0), AC_ACCEPTED,
                                             "%s", name);
                        struct tdev *v = &tc.devs[victim];
                        const struct ac_device_view *vv = ac_device_view(v->dev);
                        cr_assert_gt(vv->in_flight, 0, "%s: victim %d idle", name, victim);
                        uint32_t held = vv->queued + vv->in_flight;
                        uint32_t in_flight = vv->in_flight;
                        size_t jobs_before = v->njobs;
                        struct ac_engine_stats before, after;
                        ac_engine_get_stats(tc.eng, &before);
                        ac_device_failed(v->dev, AC_EIO);
                        ac_engine_get_stats(tc.eng, &after);
                        cr_assert_eq(vv->queued + vv->in_flight, 0, "%s", name);
                        cr_assert_eq(v->aborts, in_flight, "%s: in-flight stages not taken back",
                                     name);
                        cr_assert_eq(after.migrated - before.migrated, held, "%s", name);
                        for (size_t i = 0; i < tc.nreqs; i++)
                                cr_assert_neq(holder(i), victim, "%s: request %zu stayed", name, i);
                        check_placements(name);
                        /* More work while it is down: none reaches it. */
                        for (int i = 0; i < 8; i++)
                                submit(&aes, 1, 64, 0);
                        for (bool any = true; any;) { /* each of the three, every round */
                                any = false;
                                for (int k = 1; k <= 3; k++)
                                        if (tdev_complete_next(&tc.devs[(victim + k) % 4], 0))
                                                any = true;
                        }
                        cr_assert_eq(v->njobs, jobs_before, "%s: a failed device got work", name);
                        for (size_t i = 0; i < tc.nreqs; i++) {
                                cr_assert_eq(tc.reqs[i].calls, tc.outcome[i] < 0 ? 0 : 1,
                                             "%s: request %zu", name, i);
                                if (tc.outcome[i] >= 0)
                                        cr_assert_eq(tc.reqs[i].status, 0, "%s: request %zu", name,
                                                     i);
                        }
                        /* Back in service, it takes work again. */
                        ac_device_recovered(v->dev);
                        drain_and_count(name);
                        tcore_fini();
                }
        }
}

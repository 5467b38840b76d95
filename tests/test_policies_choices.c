/*
 * test_policies_choices.c - what each balancer of policies/ chooses, in
 * situations where the right answer is known: weighted-round-robin's turns
 * and proportions, random's uniformity, power-of-d's two limits (d = 1 is
 * random, d = n is least-loaded) and its smaller maximum queue,
 * shortest-expected-delay's preference for the faster device and its prior
 * for new ones, size-split's routing and fallback, primary-backup's
 * switching; and every option they refuse. The bounded draw they share is
 * checked first.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "ac/ac.h"
#include "policies/draw.h"
#include "support/tcore.h"

#define MAX_DEVS 16
#define MAX_REQS 4096

static uint32_t aes;

TestSuite(policies_choices, .fini = tcore_fini);

/* Creates the engine; returns ac_engine_create's answer. `random` false
 * gives a platform without a random source. */
static int open_engine(const char *policy, uint64_t seed, const struct ac_option *opts,
                       size_t nopts, uint32_t queue_depth, bool random)
{
        static struct ac_platform_ops no_random;
        tcore_init(seed, false);
        if (!random) {
                no_random = *tc.cfg.platform.ops;
                no_random.random_u64 = NULL;
                tc.cfg.platform.ops = &no_random;
        }
        tc.cfg.policy = policy;
        tc.cfg.policy_options = opts;
        tc.cfg.npolicy_options = nopts;
        tc.cfg.queue_depth = queue_depth;
        tc.cfg.backlog = 0;
        tc.cfg.failover.timeout_ns = 0;
        tc.cfg.failover.probe_ns = 0;
        return tcore_open();
}

static void start(const char *policy, uint64_t seed, const struct ac_option *opts, size_t nopts,
                  uint32_t queue_depth)
{
        int rc = open_engine(policy, seed, opts, nopts, queue_depth, true);
        cr_assert_eq(rc, 0, "%s: %s", policy, ac_strerror(rc));
}

static void add(const char *name, uint32_t ring, uint32_t weight)
{
        cr_assert_lt(tc.ndevs, MAX_DEVS);
        tcore_add(
            &(struct tdev_spec){.name = name, .ops = {"aes"}, .ring = ring, .weight = weight});
        aes = (uint32_t)ac_op_lookup(tc.eng, "aes");
}

/* Submits one single-stage request; returns the index of the device that
 * took it, or the negative submit result. */
static int route(uint64_t bytes)
{
        cr_assert_lt(tc.nreqs, MAX_REQS);
        struct treq *r = &tc.reqs[tc.nreqs];
        int rc = tcore_request(&aes, 1, bytes, 0);
        if (rc < 0)
                return rc;
        cr_assert_eq(rc, AC_ACCEPTED);
        return (int)ac_device_index(r->req.core.device);
}

/* ---- the bounded draw -------------------------------------------------- */

static const uint64_t *script;
static size_t scripted;
static uint64_t scripted_word(void *ctx)
{
        (void)ctx;
        return script[scripted++];
}

Test(policies_choices, draw_rejects_the_biased_tail_and_maps_by_multiply_shift)
{
        struct draw_source src = {.random_u64 = scripted_word};
        /* n = 3: 2^32 mod 3 = 1, so x = 0 (low word 0) is the one value
         * rejected; the next word maps by x * 3 >> 32. */
        static const uint64_t words[] = {0x00000000deadbeefull, 0xffffffff00000000ull,
                                         0x5555555600000000ull};
        script = words;
        scripted = 0;
        cr_assert_eq(draw_below(&src, 3), 2);
        cr_assert_eq(scripted, 2, "the tail value was not drawn again");
        cr_assert_eq(draw_below(&src, 3), 1); /* 0x55555556 * 3 = 0x1_0000_0002 */
        cr_assert_eq(scripted, 3);
        /* n = 1 never rejects and always gives 0. */
        static const uint64_t zero[] = {0};
        script = zero;
        scripted = 0;
        cr_assert_eq(draw_below(&src, 1), 0);
        cr_assert_eq(scripted, 1);
}

static uint64_t mix_state;
static uint64_t mix_word(void *ctx)
{
        (void)ctx;
        uint64_t z = (mix_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
}

/* Pearson's statistic of counts against a uniform expectation. */
static double chi_square(const unsigned *count, size_t k, unsigned total)
{
        double expect = (double)total / (double)k, chi = 0;
        for (size_t i = 0; i < k; i++)
                chi += ((double)count[i] - expect) * ((double)count[i] - expect) / expect;
        return chi;
}

Test(policies_choices, draw_is_uniform)
{
        struct draw_source src = {.random_u64 = mix_word};
        mix_state = 12345;
        unsigned count[7] = {0};
        for (int i = 0; i < 70000; i++) {
                uint32_t v = draw_below(&src, 7);
                cr_assert_lt(v, 7);
                count[v]++;
        }
        cr_assert_lt(chi_square(count, 7, 70000), 22.46); /* p = 0.001, 6 dof */
}

/* ---- weighted-round-robin --------------------------------------------- */

Test(policies_choices, wrr_interleaves_turns_by_weight)
{
        start("weighted-round-robin", 1, NULL, 0, 64);
        add("a", 8, 5);
        add("b", 8, 1);
        add("c", 8, 1);
        static const int want[14] = {0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0};
        for (int i = 0; i < 14; i++)
                cr_assert_eq(route(64), want[i], "pick %d", i);
        tcore_drain();
}

Test(policies_choices, wrr_shares_equal_weights_over_a_long_run)
{
        start("weighted-round-robin", 1, NULL, 0, 1024);
        for (uint32_t d = 0; d < 4; d++)
                add((const char *[]){"a", "b", "c", "d"}[d], 1, d + 1);
        unsigned count[4] = {0};
        for (int i = 0; i < 2000; i++)
                count[route(64)]++;
        for (int d = 0; d < 4; d++)
                cr_assert_eq(count[d], 200u * (unsigned)(d + 1), "device %d: %u", d, count[d]);
        /* One fails: the others share in proportion to their weights. */
        tcore_drain();
        ac_device_failed(tc.devs[3].dev, AC_EIO);
        memset(count, 0, sizeof(count));
        for (int i = 0; i < 600; i++)
                count[route(64)]++;
        cr_assert_eq(count[3], 0);
        for (int d = 0; d < 3; d++)
                cr_assert_eq(count[d], 100u * (unsigned)(d + 1), "device %d: %u", d, count[d]);
        tcore_drain();
}

Test(policies_choices, wrr_keys_credit_by_device_not_position)
{
        /* Each device holds two stages (ring 1, queue 1); b is served at a
         * quarter of the pace of a and c, so it drops out of the candidates
         * and comes back. The turns below are those of smooth weighted
         * round-robin with credit kept per device (worked out by hand and
         * by an independent model); credit kept per candidate position
         * diverges at the 12th pick. */
        start("weighted-round-robin", 1, NULL, 0, 1);
        add("a", 1, 1);
        add("b", 1, 1);
        add("c", 1, 1);
        static const int want[24] = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2,
                                     2, 0, 1, 2, 0, 2, 1, 0, 2, 0, 1, 2};
        for (int i = 0; i < 24; i++) {
                cr_assert_eq(route(64), want[i], "pick %d", i);
                if (i % 4 == 3) {
                        tdev_complete_next(&tc.devs[1], 0);
                } else {
                        tdev_complete_next(&tc.devs[0], 0);
                        tdev_complete_next(&tc.devs[2], 0);
                }
        }
        tcore_drain();
}

/* ---- random ----------------------------------------------------------- */

Test(policies_choices, random_is_roughly_uniform)
{
        start("random", 2024, NULL, 0, 4096);
        for (int d = 0; d < 5; d++)
                add((const char *[]){"a", "b", "c", "d", "e"}[d], 1, 1);
        unsigned count[5] = {0};
        for (int i = 0; i < 4000; i++)
                count[route(64)]++;
        cr_assert_lt(chi_square(count, 5, 4000), 18.47); /* p = 0.001, 4 dof */
        tcore_drain();
}

/* The device sequence of n picks under policy (options given), seed. */
static void sequence(const char *policy, const struct ac_option *opts, size_t nopts, uint64_t seed,
                     size_t ndev, int *out, size_t n)
{
        start(policy, seed, opts, nopts, 4096);
        for (size_t d = 0; d < ndev; d++)
                add((const char *[]){"a", "b", "c", "d", "e", "f"}[d], 2, 1);
        for (size_t i = 0; i < n; i++) {
                out[i] = route(64);
                if (i % 3 == 2) /* loads differ, so least-loaded has choices to make */
                        tdev_complete_next(&tc.devs[i % ndev], 0);
        }
        tcore_drain();
        tcore_fini();
}

Test(policies_choices, random_follows_the_platform_seed)
{
        static int a[500], b[500], c[500];
        sequence("random", NULL, 0, 1, 6, a, 500);
        sequence("random", NULL, 0, 1, 6, b, 500);
        sequence("random", NULL, 0, 2, 6, c, 500);
        cr_assert_eq(memcmp(a, b, sizeof(a)), 0);
        cr_assert_neq(memcmp(a, c, sizeof(a)), 0);
}

Test(policies_choices, drawing_balancers_refuse_a_platform_without_randomness)
{
        cr_assert_eq(open_engine("random", 1, NULL, 0, 8, false), AC_EINVAL);
        cr_assert_eq(open_engine("power-of-two", 1, NULL, 0, 8, false), AC_EINVAL);
        /* The others do not draw and do not care. */
        static const char *calm[] = {"round-robin",          "least-loaded",
                                     "weighted-round-robin", "shortest-expected-delay",
                                     "size-split",           "primary-backup"};
        for (size_t i = 0; i < sizeof(calm) / sizeof(*calm); i++) {
                cr_assert_eq(open_engine(calm[i], 1, NULL, 0, 8, false), 0, "%s", calm[i]);
                tcore_fini();
        }
}

/* ---- power-of-two ----------------------------------------------------- */

Test(policies_choices, p2c_with_d_1_is_random)
{
        static int a[600], b[600];
        struct ac_option d1 = {"d", "1"};
        sequence("power-of-two", &d1, 1, 77, 6, a, 600);
        sequence("random", NULL, 0, 77, 6, b, 600);
        cr_assert_eq(memcmp(a, b, sizeof(a)), 0);
}

Test(policies_choices, p2c_with_d_n_is_least_loaded)
{
        static int a[600], b[600];
        struct ac_option d6 = {"d", "6"};
        sequence("power-of-two", &d6, 1, 77, 6, a, 600);
        sequence("least-loaded", NULL, 0, 77, 6, b, 600);
        cr_assert_eq(memcmp(a, b, sizeof(a)), 0);
}

static uint64_t load_of(size_t d)
{
        const struct ac_device_view *v = ac_device_view(tc.devs[d].dev);
        return (uint64_t)v->queued + v->in_flight;
}

Test(policies_choices, p2c_picks_the_less_loaded_of_two_distinct_draws)
{
        /* Three devices, d = 2: the pair drawn always holds one device that
         * is not the most loaded, so a device more loaded than both others
         * is never chosen; the least loaded is chosen whenever it is drawn,
         * that is in 2 picks of 3. */
        start("power-of-two", 5, &(struct ac_option){"d", "2"}, 1, 1024);
        add("a", 1, 1);
        add("b", 1, 1);
        add("c", 1, 1);
        unsigned to_min = 0;
        for (int i = 0; i < 1500; i++) {
                uint64_t l[3] = {load_of(0), load_of(1), load_of(2)};
                int d = route(64);
                cr_assert_geq(d, 0);
                int o1 = (d + 1) % 3, o2 = (d + 2) % 3;
                cr_assert(l[d] <= l[o1] || l[d] <= l[o2], "pick %d: the most loaded won", i);
                to_min += l[d] <= l[o1] && l[d] <= l[o2];
                if (i % 2) /* uneven service, so loads differ */
                        tdev_complete_next(&tc.devs[i % 3], 0);
        }
        cr_assert(to_min > 900 && to_min < 1300, "least loaded chosen %u times of 1500", to_min);
        tcore_drain();
}

Test(policies_choices, p2c_keeps_the_longest_queue_short)
{
        /* 16 devices, 2000 stages, nothing completes: balls into bins. One
         * choice leaves the longest queue well above the mean of 125; two
         * keep it within a few. */
        unsigned worst[2];
        const char *policies[2] = {"random", "power-of-two"};
        for (int k = 0; k < 2; k++) {
                start(policies[k], 31, NULL, 0, 512);
                for (int d = 0; d < 16; d++)
                        add((const char *[]){"d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8",
                                             "d9", "d10", "d11", "d12", "d13", "d14", "d15"}[d],
                            1, 1);
                unsigned count[16] = {0};
                for (int i = 0; i < 2000; i++)
                        count[route(64)]++;
                worst[k] = 0;
                for (int d = 0; d < 16; d++)
                        if (count[d] > worst[k])
                                worst[k] = count[d];
                tcore_drain();
                tcore_fini();
        }
        cr_assert_geq(worst[0], 135, "random: %u", worst[0]);
        cr_assert_leq(worst[1], 127, "power-of-two: %u", worst[1]);
}

Test(policies_choices, p2c_refuses_bad_d)
{
        static const struct {
                const char *value;
                int rc;
        } cases[] = {{"0", AC_ERANGE},
                     {"17", AC_ERANGE},
                     {"two", AC_EINVAL},
                     {"-1", AC_EINVAL},
                     {"", AC_EINVAL}};
        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
                struct ac_option o = {"d", cases[i].value};
                cr_assert_eq(open_engine("power-of-two", 1, &o, 1, 8, true), cases[i].rc, "d=%s",
                             cases[i].value);
                tcore_fini();
        }
        struct ac_option o = {"d", "16"};
        cr_assert_eq(open_engine("power-of-two", 1, &o, 1, 8, true), 0);
}

/* ---- shortest-expected-delay ----------------------------------------- */

/* Runs an open-loop stream through two ring-1 devices that take
 * rate[d] ns per byte: one 1000-byte stage every `gap` ns, `n` of them.
 * Returns the share the first device got; *max_queued[d] the longest
 * software queue each saw. */
static double two_speed_run(const char *policy, const double rate[2], uint64_t gap, int n,
                            uint32_t max_queued[2])
{
        start(policy, 8, NULL, 0, 64);
        add("fast", 1, 1);
        add("slow", 1, 1);
        unsigned count[2] = {0};
        max_queued[0] = max_queued[1] = 0;
        uint64_t next_arrival = 0;
        int sent = 0;
        for (;;) {
                uint64_t when = UINT64_MAX;
                int who = -1;
                for (int d = 0; d < 2; d++) {
                        size_t j = tdev_oldest(&tc.devs[d]);
                        if (j == SIZE_MAX)
                                continue;
                        const struct tdev_job *job = &tc.devs[d].jobs[j];
                        uint64_t t = job->at_ns + (uint64_t)((double)job->bytes * rate[d]);
                        if (t < when)
                                when = t, who = d;
                }
                if (sent < n && next_arrival <= when) {
                        tp_advance_to(&tc.tp, next_arrival);
                        int d = route(1000);
                        cr_assert_geq(d, 0, "%s: rejected at %llu ns", policy,
                                      (unsigned long long)next_arrival);
                        count[d]++;
                        sent++;
                        next_arrival += gap;
                        for (int k = 0; k < 2; k++) {
                                uint32_t q = ac_device_view(tc.devs[k].dev)->queued;
                                if (q > max_queued[k])
                                        max_queued[k] = q;
                        }
                } else if (who >= 0) {
                        tdev_complete_at(&tc.devs[who], tdev_oldest(&tc.devs[who]), 0, when);
                } else {
                        break;
                }
        }
        cr_assert(ac_engine_idle(tc.eng));
        tcore_fini();
        return (double)count[0] / (double)n;
}

Test(policies_choices, sed_prefers_the_faster_device_in_proportion)
{
        /* 1 and 3 ns/B: 1 us and 3 us a stage, 1.33 stages per us together;
         * one stage every 0.9 us is more than the fast one alone can do. */
        const double rate[2] = {1.0, 3.0};
        uint32_t q_sed[2], q_rr[2];
        double share = two_speed_run("shortest-expected-delay", rate, 900, 3000, q_sed);
        double rr = two_speed_run("round-robin", rate, 900, 3000, q_rr);
        /* At least its 3:1 share of capacity, and only as much of the slow
         * one as the fast one cannot absorb (one stage in nine here). */
        cr_assert(share >= 0.75 && share < 0.95, "fast device share %.3f", share);
        cr_assert_leq(q_sed[0], 3, "the fast device queued %u", q_sed[0]);
        cr_assert_leq(q_sed[1], 2, "the slow device queued %u", q_sed[1]);
        /* Round-robin ignores speed: the slow device's queue runs into its
         * bound (64) and only then does work go elsewhere. */
        cr_assert_eq(q_rr[1], 64, "round-robin slow queue %u", q_rr[1]);
        cr_assert_lt(rr, share);
}

Test(policies_choices, sed_tries_a_device_it_knows_nothing_about)
{
        start("shortest-expected-delay", 1, NULL, 0, 64);
        add("a", 1, 1);
        add("b", 1, 1);
        /* Teach it a and b: 1000 ns for 1000 bytes each. */
        for (int i = 0; i < 8; i++) {
                route(1000);
                route(1000);
                tp_advance_to(&tc.tp, tc.tp.now + 1000);
                tdev_complete_next(&tc.devs[0], 0);
                tdev_complete_next(&tc.devs[1], 0);
        }
        cr_assert_gt(ac_device_view(tc.devs[0].dev)->ns_per_byte, 0);
        route(1000);
        route(1000);
        /* A new device, nothing known: it borrows the best figure and,
         * being empty, takes the next stage. */
        add("c", 1, 1);
        cr_assert_eq(route(1000), 2);
        tcore_drain();
}

Test(policies_choices, sed_before_any_estimate_spreads_by_weight)
{
        start("shortest-expected-delay", 1, NULL, 0, 64);
        add("a", 4, 1);
        add("b", 4, 3);
        unsigned count[2] = {0};
        for (int i = 0; i < 40; i++)
                count[route(64)]++;
        cr_assert_eq(count[0], 10);
        cr_assert_eq(count[1], 30);
        tcore_drain();
}

/* ---- size-split ------------------------------------------------------- */

Test(policies_choices, size_split_routes_by_threshold_and_falls_back)
{
        struct ac_option opts[] = {{"threshold", "512"}, {"small", "cpu"}, {"large", "qat,card"}};
        start("size-split", 1, opts, 3, 4);
        add("cpu0", 1, 1);
        add("qat0", 1, 1);
        add("qat1", 1, 1);
        add("cardx", 1, 1);
        add("other", 1, 1);
        cr_assert_eq(route(511), 0);
        cr_assert_eq(route(100), 0);
        cr_assert_eq(route(512), 1);
        cr_assert_eq(route(4096), 2);
        cr_assert_eq(route(4096), 3);
        cr_assert_eq(route(4096), 1); /* least loaded within the group, ties to the first */
        /* cpu fails: small stages go to the large group. */
        ac_device_failed(tc.devs[0].dev, AC_EIO);
        int d = route(64);
        cr_assert(d >= 1 && d <= 3, "small stage went to %d", d);
        ac_device_recovered(tc.devs[0].dev);
        cr_assert_eq(route(64), 0);
        tcore_drain();
        /* Both groups gone: anything, here the device neither list names. */
        for (int k = 0; k < 4; k++)
                ac_device_failed(tc.devs[k].dev, AC_EIO);
        cr_assert_eq(route(64), 4);
        cr_assert_eq(route(9000), 4);
        for (int k = 0; k < 4; k++)
                ac_device_recovered(tc.devs[k].dev);
        tcore_drain();
}

Test(policies_choices, size_split_defaults_small_to_cpu_and_large_to_the_rest)
{
        start("size-split", 1, NULL, 0, 8);
        add("qat0", 1, 1);
        add("cpu0", 1, 1);
        add("cpu1", 1, 1);
        cr_assert_eq(route(1023), 1);
        cr_assert_eq(route(1023), 2);
        cr_assert_eq(route(1024), 0);
        cr_assert_eq(route(1 << 20), 0);
        tcore_drain();
}

Test(policies_choices, size_split_refuses_bad_options)
{
        static const struct {
                const char *key, *value;
                int rc;
        } cases[] = {
            {"threshold", "big", AC_EINVAL},
            {"threshold", "99999999999999999999999", AC_ERANGE},
            {"small", "", AC_EINVAL},
            {"small", "cpu,", AC_EINVAL},
            {"large", ",qat", AC_EINVAL},
            {"large", "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", AC_ERANGE},
            {"small",
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
             AC_ERANGE},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
                struct ac_option o = {cases[i].key, cases[i].value};
                cr_assert_eq(open_engine("size-split", 1, &o, 1, 8, true), cases[i].rc, "%s=%s",
                             cases[i].key, cases[i].value);
                tcore_fini();
        }
}

/* ---- primary-backup --------------------------------------------------- */

Test(policies_choices, primary_backup_switches_on_failure_and_full_and_back_on_recovery)
{
        start("primary-backup", 1, NULL, 0, 2);
        add("p", 1, 1);
        add("b", 1, 1);
        add("x", 1, 1);
        /* The primary takes all while it has queue room: 2 queued + 1 in
         * flight; then the backup; then the rest. */
        static const int want[8] = {0, 0, 0, 1, 1, 1, 2, 2};
        for (int i = 0; i < 8; i++)
                cr_assert_eq(route(64), want[i], "stage %d", i);
        /* The primary frees a slot: it is first again. */
        tdev_complete_next(&tc.devs[0], 0);
        cr_assert_eq(route(64), 0);
        tcore_drain();
        /* Primary fails: the backup; it recovers: the primary again. */
        ac_device_failed(tc.devs[0].dev, AC_EIO);
        cr_assert_eq(route(64), 1);
        cr_assert_eq(route(64), 1);
        ac_device_recovered(tc.devs[0].dev);
        cr_assert_eq(route(64), 0);
        tcore_drain();
        /* Both fail: anything. */
        ac_device_failed(tc.devs[0].dev, AC_EIO);
        ac_device_failed(tc.devs[1].dev, AC_EIO);
        cr_assert_eq(route(64), 2);
        ac_device_recovered(tc.devs[0].dev);
        ac_device_recovered(tc.devs[1].dev);
        tcore_drain();
}

Test(policies_choices, primary_backup_by_name_and_spilling_at_the_ring)
{
        struct ac_option opts[] = {{"primary", "qat1"}, {"backup", "cpu"}, {"spill", "ring"}};
        start("primary-backup", 1, opts, 3, 8);
        add("cpu", 1, 1);
        add("qat0", 1, 1);
        add("qat1", 2, 1);
        /* qat1 until its ring (2) is full, then cpu (the backup) takes
         * everything it can, queue included, before qat1 queues. */
        static const int want[7] = {2, 2, 0, 0, 0, 0, 0};
        for (int i = 0; i < 7; i++)
                cr_assert_eq(route(64), want[i], "stage %d", i);
        tdev_complete_next(&tc.devs[2], 0);
        cr_assert_eq(route(64), 2);
        tcore_drain();
}

Test(policies_choices, primary_backup_default_backup_is_the_first_device_not_the_primary)
{
        struct ac_option opts[] = {{"primary", "a"}};
        start("primary-backup", 1, opts, 1, 1);
        add("b", 1, 1);
        add("a", 1, 1);
        add("c", 1, 1);
        cr_assert_eq(route(64), 1);
        cr_assert_eq(route(64), 1);
        cr_assert_eq(route(64), 0); /* b: the first registered that is not a */
        cr_assert_eq(route(64), 0);
        cr_assert_eq(route(64), 2);
        tcore_drain();
}

Test(policies_choices, primary_backup_refuses_bad_options)
{
        static const struct ac_option cases[][2] = {
            {{"spill", "sometimes"}, {NULL, NULL}},
            {{"primary", ""}, {NULL, NULL}},
            {{"primary", "a"}, {"backup", "a"}},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
                size_t n = cases[i][1].key ? 2 : 1;
                cr_assert_eq(open_engine("primary-backup", 1, cases[i], n, 8, true), AC_EINVAL,
                             "case %zu", i);
                tcore_fini();
        }
        struct ac_option long_name = {
            "backup", "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"};
        cr_assert_eq(open_engine("primary-backup", 1, &long_name, 1, 8, true), AC_ERANGE);
}

/*
 * test_rng.c - random streams: a stream is a function of (seed, name)
 * alone, different names and seeds give different streams, and replication
 * seeds depend on (seed, index) alone.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sim/des/rng.h"

#define DRAWS 1000

static void draw(gsl_rng *r, unsigned long *out)
{
        for (int i = 0; i < DRAWS; i++)
                out[i] = gsl_rng_get(r);
}

/* Number of positions where two sequences agree. */
static int agreements(const unsigned long *a, const unsigned long *b)
{
        int n = 0;
        for (int i = 0; i < DRAWS; i++)
                n += a[i] == b[i];
        return n;
}

Test(rng, stream_is_a_function_of_seed_and_name)
{
        static unsigned long a[DRAWS], b[DRAWS];
        gsl_rng *r1 = sim_rng_stream(1, "workload/ipsec/arrival");
        gsl_rng *r2 = sim_rng_stream(1, "workload/ipsec/arrival");
        cr_assert_not_null(r1);
        cr_assert_str_eq(gsl_rng_name(r1), SIM_RNG_TYPE->name);
        draw(r1, a);
        draw(r2, b);
        cr_assert_eq(memcmp(a, b, sizeof(a)), 0);
        gsl_rng_free(r1);
        gsl_rng_free(r2);
}

Test(rng, different_names_and_seeds_give_different_streams)
{
        static const char *names[] = {"device/qat0/jitter",
                                      "device/qat1/jitter",
                                      "device/qat0/failure",
                                      "workload/ipsec/size",
                                      "a",
                                      "b",
                                      ""};
        enum { N = sizeof(names) / sizeof(names[0]) };
        static unsigned long seq[N + 2][DRAWS];
        for (int i = 0; i < N; i++) {
                gsl_rng *r = sim_rng_stream(7, names[i]);
                draw(r, seq[i]);
                gsl_rng_free(r);
        }
        /* The same name under other seeds, including one differing only in
         * the high 32 bits (GSL itself would ignore those). */
        gsl_rng *r = sim_rng_stream(8, names[0]);
        draw(r, seq[N]);
        gsl_rng_free(r);
        r = sim_rng_stream(7 + (1ull << 32), names[0]);
        draw(r, seq[N + 1]);
        gsl_rng_free(r);
        for (int i = 0; i < N + 2; i++)
                for (int j = i + 1; j < N + 2; j++)
                        cr_assert_lt(agreements(seq[i], seq[j]), 3, "streams %d and %d agree", i,
                                     j);
}

Test(rng, creation_order_does_not_matter)
{
        static const char *names[] = {"x", "y", "z"};
        static unsigned long fwd[3][DRAWS], rev[3][DRAWS];
        gsl_rng *r[3];
        for (int i = 0; i < 3; i++)
                r[i] = sim_rng_stream(99, names[i]);
        /* Interleave the draws too: streams are independent objects. */
        for (int k = 0; k < DRAWS; k++)
                for (int i = 0; i < 3; i++)
                        fwd[i][k] = gsl_rng_get(r[i]);
        for (int i = 0; i < 3; i++)
                gsl_rng_free(r[i]);
        for (int i = 2; i >= 0; i--) {
                /* An extra stream created in between changes nothing. */
                gsl_rng *extra = sim_rng_stream(99, "device/new");
                gsl_rng_get(extra);
                r[i] = sim_rng_stream(99, names[i]);
                draw(r[i], rev[i]);
                gsl_rng_free(extra);
                gsl_rng_free(r[i]);
        }
        cr_assert_eq(memcmp(fwd, rev, sizeof(fwd)), 0);
}

Test(rng, stream_seed_has_no_collisions_among_many_names)
{
        enum { N = 2000 };
        static uint32_t seeds[N];
        char name[32];
        for (int i = 0; i < N; i++) {
                snprintf(name, sizeof(name), "device/qat%d/jitter", i);
                seeds[i] = sim_rng_stream_seed(1, name);
        }
        /* 2000 names: a collision has probability ~5e-4 for a good hash,
         * and the names are fixed, so this is deterministic. */
        for (int i = 0; i < N; i++)
                for (int j = i + 1; j < N; j++)
                        cr_assert_neq(seeds[i], seeds[j], "%d and %d collide", i, j);
}

Test(rng, derive_depends_on_seed_and_index_alone)
{
        enum { N = 1000 };
        static uint64_t d[N];
        for (int i = 0; i < N; i++) {
                d[i] = sim_rng_derive(42, (uint64_t)i);
                cr_assert_neq(d[i], 42);
                cr_assert_neq(d[i], sim_rng_derive(43, (uint64_t)i));
        }
        /* In another order, the same values. */
        for (int i = N - 1; i >= 0; i--)
                cr_assert_eq(sim_rng_derive(42, (uint64_t)i), d[i]);
        for (int i = 0; i < N; i++)
                for (int j = i + 1; j < N; j++)
                        cr_assert_neq(d[i], d[j]);
        /* Nearby indices differ in about half their bits. */
        int bits = __builtin_popcountll(d[0] ^ d[1]);
        cr_assert(bits > 16 && bits < 48, "%d bits differ", bits);
}

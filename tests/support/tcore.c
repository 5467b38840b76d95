/*
 * tests/support/tcore.c - the core suites' fixture (see tcore.h).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/tcore.h"

struct tcore tc;

void tcore_init(uint64_t seed, bool locking)
{
        tp_init(&tc.tp, seed, locking);
        ac_engine_config_defaults(&tc.cfg);
        tc.cfg.platform = tp_platform(&tc.tp);
}

int tcore_open(void)
{
        int rc = ac_engine_create(&tc.cfg, &tc.eng);
        if (rc < 0)
                tc.eng = NULL;
        return rc;
}

void tcore_start(void)
{
        int rc = tcore_open();
        cr_assert_eq(rc, 0, "%s: %s", tc.cfg.policy ? tc.cfg.policy : "default", ac_strerror(rc));
}

struct tdev *tcore_add(const struct tdev_spec *spec)
{
        cr_assert_lt(tc.ndevs, TCORE_MAX_DEVS);
        struct tdev *d = &tc.devs[tc.ndevs];
        cr_assert_eq(tdev_add(d, tc.eng, &tc.tp, spec), 0, "%s", spec->name);
        tc.ndevs++;
        return d;
}

uint32_t tcore_op(const char *name)
{
        int id = ac_op_lookup(tc.eng, name);
        cr_assert_geq(id, 0, "%s", name);
        return (uint32_t)id;
}

int tcore_submit(struct treq *r, int id, uint32_t op, uint64_t bytes, uint8_t priority)
{
        treq_init(r, &tc.log, id, &op, 1, bytes, priority);
        return ac_submit(tc.eng, &r->req);
}

int tcore_request(const uint32_t *ops, size_t nops, uint64_t bytes, uint8_t priority)
{
        cr_assert_lt(tc.nreqs, TCORE_MAX_REQS);
        struct treq *r = &tc.reqs[tc.nreqs];
        treq_init(r, &tc.log, (int)tc.nreqs, ops, nops, bytes, priority);
        int rc = ac_submit(tc.eng, &r->req);
        tc.outcome[tc.nreqs++] = rc;
        return rc;
}

void tcore_drain(void)
{
        bool more = true;
        while (more) {
                more = false;
                for (size_t d = 0; d < tc.ndevs; d++)
                        more |= tdev_complete_next(&tc.devs[d], 0);
        }
        cr_assert(ac_engine_idle(tc.eng));
}

/* Criterion prints a failed assertion in a .fini but still counts the test
 * as passed; a crash there makes the suite exit 1 with a warning naming the
 * test. So the teardown's checks print their message and abort. */
#define CHECK(cond, ...)                                                                           \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "tcore_fini: " __VA_ARGS__);                               \
                        fputc('\n', stderr);                                                       \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

/* Exactly once: what the core counted against what the test saw. */
static void check_callbacks(void)
{
        struct ac_engine_stats es;
        ac_engine_get_stats(tc.eng, &es);
        bool idle = ac_engine_idle(tc.eng);
        uint64_t callbacks = es.completed + es.failed;
        for (size_t i = 0; i < tc.nreqs; i++) {
                const struct treq *r = &tc.reqs[i];
                int want = tc.outcome[i] < 0 ? 0 : 1;
                if (idle)
                        CHECK(r->calls == want, "request %zu: %d callbacks, want %d", i, r->calls,
                              want);
                else
                        CHECK(r->calls <= want, "request %zu: %d callbacks", i, r->calls);
        }
        if (tc.own_callbacks)
                return;
        CHECK(tc.log.n <= callbacks, "%zu callbacks seen, the core made %llu", tc.log.n,
              (unsigned long long)callbacks);
        if (idle) {
                CHECK(tc.log.n == callbacks, "%zu callbacks seen, the core made %llu", tc.log.n,
                      (unsigned long long)callbacks);
                CHECK(callbacks == es.accepted + es.backlogged,
                      "idle with %llu callbacks for %llu accepted requests",
                      (unsigned long long)callbacks,
                      (unsigned long long)(es.accepted + es.backlogged));
        }
}

void tcore_fini(void)
{
        if (tc.eng) {
                check_callbacks();
                ac_engine_destroy(tc.eng);
        }
        for (size_t i = 0; i < tc.ndevs; i++)
                tdev_fini(&tc.devs[i]);
        treq_log_fini(&tc.log);
        tp_fini(&tc.tp);
        /* Only what was used: suites that start thousands of engines pay
         * for their devices and requests, not for the whole arrays. */
        memset(tc.devs, 0, tc.ndevs * sizeof(tc.devs[0]));
        memset(tc.reqs, 0, tc.nreqs * sizeof(tc.reqs[0]));
        memset(tc.outcome, 0, tc.nreqs * sizeof(tc.outcome[0]));
        tc.eng = NULL;
        tc.ndevs = tc.nreqs = 0;
        tc.own_callbacks = false;
        memset(&tc.tp, 0, sizeof(tc.tp));
        memset(&tc.cfg, 0, sizeof(tc.cfg));
}

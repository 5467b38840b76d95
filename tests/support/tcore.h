/*
 * tests/support/tcore.h - the fixture the core and balancer suites share:
 * one engine on the test platform (tp), the scripted test devices (tdev)
 * it registers, the requests it submits (treq) and the log of their
 * callbacks, and a teardown that holds the core to its promise of exactly
 * one callback per accepted request before it frees everything.
 *
 * A suite names tcore_fini as its .fini; a test calls tcore_init, adjusts
 * tc.cfg, then tcore_start (or tcore_open to see a refusal).
 */
#ifndef TESTS_SUPPORT_TCORE_H
#define TESTS_SUPPORT_TCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ac/ac.h"
#include "support/tdev.h"
#include "support/tp.h"
#include "support/treq.h"

#define TCORE_MAX_DEVS 16
#define TCORE_MAX_REQS 4096

struct tcore {
        struct tp tp;
        struct ac_engine_config cfg;      /* tcore_init's defaults; tcore_start reads it */
        struct ac_engine *eng;            /* NULL until started */
        struct treq_log log;              /* callbacks of every treq, in order */
        struct tdev devs[TCORE_MAX_DEVS]; /* tcore_add's, in registration order */
        size_t ndevs;
        struct treq reqs[TCORE_MAX_REQS]; /* tcore_request's, in submission order */
        int outcome[TCORE_MAX_REQS];      /* ac_submit's answer for each */
        size_t nreqs;
        bool own_callbacks; /* the test gave some requests a callback of its
                             * own, so the log does not see every callback */
};

extern struct tcore tc;

/* Starts the test platform at time 0 with `seed` (and the checking lock
 * when `locking`) and fills tc.cfg with the defaults on it. */
void tcore_init(uint64_t seed, bool locking);
/* Creates tc.eng from tc.cfg; returns ac_engine_create's answer (tc.eng
 * stays NULL on a refusal). */
int tcore_open(void);
/* tcore_open, failing the test on a refusal. */
void tcore_start(void);
/* Registers the next test device of tc.devs, failing the test on a
 * refusal; returns it. */
struct tdev *tcore_add(const struct tdev_spec *spec);
/* Returns the id of a known operation name (fails the test otherwise). */
uint32_t tcore_op(const char *name);
/* Fills r with one stage of `op` on `bytes`, logging into tc.log, and
 * submits it; returns ac_submit's answer. */
int tcore_submit(struct treq *r, int id, uint32_t op, uint64_t bytes, uint8_t priority);
/* Submits the next request of tc.reqs (id = its index): a chain of the
 * nops ops, each on `bytes`; returns ac_submit's answer. */
int tcore_request(const uint32_t *ops, size_t nops, uint64_t bytes, uint8_t priority);
/* Completes the devices' jobs round by round, oldest first, until none is
 * pending; asserts the engine is then idle. */
void tcore_drain(void);
/* The teardown. Checks that no request of tc.reqs was called back more
 * than once nor a refused one at all, that the log saw no more callbacks
 * than the core made, and, when the engine is idle, that every accepted
 * request was called back (each of tc.reqs exactly once); then destroys
 * the engine and frees the devices, the log and the platform. A test may
 * call it to start again. */
void tcore_fini(void);

#endif

/*
 * tp.h - the test platform: a manual clock, one-shot timers fired in
 * (time, sequence) order when the test advances the clock, a seeded random
 * source, and an optional checking lock.
 *
 * Tests own the struct tp and pass tp_platform(&tp) in the engine config.
 */
#ifndef TP_H
#define TP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ac/platform.h"

struct tp {
        uint64_t now;            /* the clock, ns */
        uint64_t seq;            /* arming order, breaks ties */
        struct ac_timer **armed; /* armed timers, unordered */
        size_t narmed, caparmed;
        uint64_t rng;        /* splitmix64 state */
        bool locking;        /* provide the lock pair */
        bool locked;         /* the lock is held now */
        uint64_t lock_count; /* times taken */
        uint64_t fired;      /* timers fired */
};

/* Sets up tp at time 0; `locking` gives the platform a lock pair that
 * fails the test on a double lock or an unlock without a lock. */
void tp_init(struct tp *tp, uint64_t seed, bool locking);
void tp_fini(struct tp *tp);
/* Returns the platform to put in an engine config. */
struct ac_platform tp_platform(struct tp *tp);
/* Moves the clock to `when` (>= now), firing the timers due on the way in
 * (time, sequence) order, each with the clock at its time. Returns the
 * number fired. */
size_t tp_advance_to(struct tp *tp, uint64_t when);
/* Returns the number of armed timers. */
size_t tp_armed(const struct tp *tp);

#endif

/*
 * live/platform.h - the core's platform seam on POSIX threads: the
 * monotonic clock, one timer thread, a mutex, and a random stream.
 *
 * now_ns() reads CLOCK_MONOTONIC, counted from the platform's start so that
 * times in results read like simulated ones. Timers are kept in an
 * intrusive pairing heap threaded through the words of struct ac_timer, so
 * arming and cancelling allocate nothing and take O(1) and O(log n)
 * amortised. One timer thread sleeps until the earliest deadline and fires
 * each due timer with no platform lock held; arm and cancel never wait for
 * a fire under way, so a fire can arrive after its cancel returned. The
 * core recognises such a stale fire itself (docs/architecture.md,
 * "Threading contract").
 *
 * The engine lock is a plain (non-recursive) mutex: drivers built on this
 * platform report completions from their own threads, never from inside a
 * driver op.
 */
#ifndef LIVE_PLATFORM_H
#define LIVE_PLATFORM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ac/platform.h"

struct live_platform {
        pthread_mutex_t lock;   /* the engine lock (lock/unlock of the seam) */
        pthread_mutex_t tlock;  /* guards the timer heap, never held while firing */
        pthread_cond_t tcond;   /* the timer thread waits here (CLOCK_MONOTONIC) */
        struct ac_timer *heap;  /* root of the pairing heap, NULL when none is armed */
        pthread_t timer_thread; /* fires due timers */
        bool running;           /* the timer thread runs */
        bool stopping;          /* asked to stop */
        uint64_t origin_ns;     /* CLOCK_MONOTONIC at init: now_ns() counts from here */
        uint64_t rng;           /* xorshift64* state, under lock */
        uint64_t fired;         /* timers fired, for statistics */
};

/* Sets up the platform and starts its timer thread; random_u64 draws from
 * a stream seeded with `seed`. Returns 0, or a negative AC_E* code. */
int live_platform_init(struct live_platform *p, uint64_t seed);

/* Stops the timer thread: when it returns no timer is firing and none
 * will fire again; arm and cancel still work (they only keep the heap).
 * The first step of a shutdown, after the engine is idle. */
void live_platform_stop(struct live_platform *p);

/* Stops the timer thread if it runs and releases what init took. Call it
 * after the engine is destroyed. */
void live_platform_fini(struct live_platform *p);

/* The seam to hand to the core in struct ac_engine_config. */
struct ac_platform live_platform_seam(struct live_platform *p);

/* Returns CLOCK_MONOTONIC in nanoseconds since the platform's start. */
uint64_t live_now_ns(const struct live_platform *p);

#endif

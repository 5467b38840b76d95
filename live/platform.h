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
 * driver op. Completion callbacks run on the platform's completion thread
 * (the core's `defer` op), never inside a driver's ac_device_complete() or
 * a caller's ac_submit(); the core's `idle` op wakes live_platform_wait_idle().
 */
#ifndef LIVE_PLATFORM_H
#define LIVE_PLATFORM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "ac/platform.h"

struct live_platform {
        pthread_mutex_t lock;   /* the engine lock (lock/unlock of the seam) */
        pthread_mutex_t tlock;  /* guards the timer heap, never held while firing */
        pthread_cond_t tcond;   /* the timer thread waits here (CLOCK_MONOTONIC) */
        struct ac_timer *heap;  /* root of the pairing heap, NULL when none is armed */
        pthread_t timer_thread; /* fires due timers */
        bool running;           /* the timer thread runs */
        bool waits_for_arm;     /* the timer thread sleeps until a timer is armed */
        uint64_t wakes_at;      /* else it sleeps until then: arming later needs no wake */
        bool stopping;          /* asked to stop */
        uint64_t origin_ns;     /* CLOCK_MONOTONIC at init: now_ns() counts from here */
        uint64_t rng;           /* xorshift64* state, under lock */
        uint64_t fired;         /* timers fired, for statistics */

        pthread_mutex_t dlock;       /* guards the three below and `quiescent` */
        pthread_cond_t dcond;        /* the completion thread waits here */
        void (*deferred)(void *arg); /* the core's run of callbacks, pending */
        void *deferred_arg;
        pthread_t done_thread;   /* runs what the core deferred */
        bool quiescent;          /* the core said so after shutdown */
        bool done_stopping;      /* the completion thread is asked to stop */
        pthread_cond_t icond;    /* live_platform_wait_idle waits here */
        bool deferred_callbacks; /* set before live_platform_seam(): see there */
};

/* Sets up the platform and starts its timer thread; random_u64 draws from
 * a stream seeded with `seed`. Returns 0, or a negative AC_E* code. */
int live_platform_init(struct live_platform *p, uint64_t seed);

/* Waits until the engine, shut down with ac_engine_shutdown(), has told the
 * platform it is quiescent (no request, no thread inside, no timer armed),
 * or until deadline_ns (platform time); returns true when it has. */
bool live_platform_wait_idle(struct live_platform *p, uint64_t deadline_ns);

/* Stops the timer thread: when it returns no timer is firing and none
 * will fire again; arm and cancel still work (they only keep the heap).
 * Stops the completion thread too, after it ran what was deferred. The
 * step of a shutdown after live_platform_wait_idle(). */
void live_platform_stop(struct live_platform *p);

/* Stops the timer thread if it runs and releases what init took. Call it
 * after the engine is destroyed. */
void live_platform_fini(struct live_platform *p);

/* The seam to hand to the core in struct ac_engine_config. The core's
 * callbacks run on the thread that finished the request (a device's
 * worker after its report, the timer thread after a watchdog, a thread
 * that injected a fault), once it has released the engine lock: no thread
 * is woken per request (docs/live.md, "The platform"). With
 * p->deferred_callbacks set beforehand, they run on the platform's
 * completion thread instead (the core's defer op). */
struct ac_platform live_platform_seam(struct live_platform *p);

/* Returns CLOCK_MONOTONIC in nanoseconds since the platform's start. */
uint64_t live_now_ns(const struct live_platform *p);

/* The absolute CLOCK_MONOTONIC time of platform time t_ns, for the timed
 * waits of pthread_cond_timedwait and clock_nanosleep. */
struct timespec live_deadline(const struct live_platform *p, uint64_t t_ns);

#endif

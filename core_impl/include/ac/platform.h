/*
 * ac/platform.h - the seam between the core and the world it runs in.
 *
 * The core reads no clock, arms no OS timer, draws no random number and
 * takes no lock on its own: it calls through one small ops table with an
 * opaque context. The simulator backs it with its event engine; a threaded
 * user-space service would back it with the monotonic clock, a timer wheel and
 * a mutex. Nothing in the core changes between the two.
 *
 * Timers are one-shot and owned by the caller (intrusive): the core embeds
 * struct ac_timer in its own objects and the platform links it into
 * whatever timer structure it keeps, using the opaque words for its
 * bookkeeping. Arming and cancelling never allocate.
 *
 * Times are nanoseconds modulo 2^64: a deadline may have wrapped round past
 * UINT64_MAX, so a platform orders two times a and b by (int64_t)(a - b),
 * never by a < b (the core never arms a timer more than 2^63 - 1 ns ahead).
 *
 * The core arms and cancels with its lock held, and every fire takes that
 * lock, so timer_cancel must never wait for a fire already under way (it
 * would wait for a thread that waits for the canceller's lock). Such a fire
 * may still be delivered after the cancel, or after the timer was armed
 * again: the core records each arming under its lock and ignores a fire
 * that is not the current arming's (a stale fire).
 */
#ifndef AC_PLATFORM_H
#define AC_PLATFORM_H

#include <stdint.h>

struct ac_timer;
typedef void (*ac_timer_fn)(struct ac_timer *t);

struct ac_timer {
        ac_timer_fn fire;   /* set by the owner before arming */
        uint64_t opaque[6]; /* the platform's bookkeeping; zero before first use */
};

struct ac_platform_ops {
        const char *name;
        /* Required. Monotonic time in nanoseconds. */
        uint64_t (*now_ns)(void *ctx);
        /* Required. Arms t to fire once at absolute time when_ns (modulo
         * 2^64, never earlier than now). Arming an armed timer moves it. */
        void (*timer_arm)(void *ctx, struct ac_timer *t, uint64_t when_ns);
        /* Required. Disarms t; a no-op if t is not armed. Never waits for a
         * fire of t already under way: that fire may still come (see the
         * top of this file). */
        void (*timer_cancel)(void *ctx, struct ac_timer *t);
        /* Optional. Uniform random 64-bit word for balancers that draw
         * (random, power-of-d). NULL makes such balancers refuse to init. */
        uint64_t (*random_u64)(void *ctx);
        /* Optional pair. Taken around every core entry point when set;
         * NULL in a single-threaded simulation. */
        void (*lock)(void *ctx);
        void (*unlock)(void *ctx);
        /* Optional. Completion callbacks are due: call run(arg) once, later,
         * on a completion context of the platform's choosing (a thread, a
         * work queue), not from inside this call. Called with the lock
         * held; must not call into the core. With it, callbacks never run
         * inside a driver's ac_device_complete() or a caller's ac_submit();
         * NULL: the outermost entry point runs them before it returns. */
        void (*defer)(void *ctx, void (*run)(void *arg), void *arg);
        /* Optional. After ac_engine_shutdown(), the engine has become
         * quiescent (see ac_engine_quiescent): called once, with the lock
         * held, by the last thread out of the core, which only releases
         * the lock after it. The platform wakes whoever waits to destroy
         * the engine; it must not call into the core from here. */
        void (*idle)(void *ctx);
};

struct ac_platform {
        const struct ac_platform_ops *ops;
        void *ctx;
};

#endif

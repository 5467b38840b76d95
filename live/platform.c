/*
 * live/platform.c - the platform seam on POSIX threads (live/platform.h).
 *
 * Laid out as: the clock; the pairing heap of timers, threaded through the
 * opaque words of struct ac_timer; the timer thread; the ops table.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ac/error.h"
#include "live/platform.h"

/* ---- the clock ------------------------------------------------------- */

static uint64_t monotonic_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t live_now_ns(const struct live_platform *p)
{
        return monotonic_ns() - p->origin_ns;
}

struct timespec live_deadline(const struct live_platform *p, uint64_t t_ns)
{
        uint64_t at = p->origin_ns + t_ns;
        return (struct timespec){.tv_sec = (time_t)(at / 1000000000u),
                                 .tv_nsec = (long)(at % 1000000000u)};
}

/* ---- the timer heap ---------------------------------------------------
 *
 * A pairing heap: each node has its leftmost child, its next sibling and
 * a back link (its parent when it is the leftmost child, else its previous
 * sibling). The words of struct ac_timer hold them; the platform alone
 * touches them, under tlock. Ties between equal deadlines fire in any
 * order: the live clock has no ties that matter.
 */
enum { W_WHEN, W_CHILD, W_NEXT, W_PREV, W_ARMED };

static uint64_t when_of(const struct ac_timer *t)
{
        return t->opaque[W_WHEN];
}
static struct ac_timer *link_of(const struct ac_timer *t, int w)
{
        return (struct ac_timer *)(uintptr_t)t->opaque[w];
}
static void set_link(struct ac_timer *t, int w, struct ac_timer *to)
{
        t->opaque[w] = (uint64_t)(uintptr_t)to;
}

/* Whether deadline a comes before b: times are modulo 2^64 (ac/platform.h). */
static bool before(uint64_t a, uint64_t b)
{
        return (int64_t)(a - b) < 0;
}

/* Joins two heaps whose roots have no siblings; returns the new root. */
static struct ac_timer *meld(struct ac_timer *a, struct ac_timer *b)
{
        if (a == NULL)
                return b;
        if (b == NULL)
                return a;
        if (before(when_of(b), when_of(a))) {
                struct ac_timer *t = a;
                a = b;
                b = t;
        }
        struct ac_timer *first = link_of(a, W_CHILD);
        set_link(b, W_NEXT, first);
        if (first != NULL)
                set_link(first, W_PREV, b);
        set_link(b, W_PREV, a);
        set_link(a, W_CHILD, b);
        set_link(a, W_NEXT, NULL);
        set_link(a, W_PREV, NULL);
        return a;
}

/* Melds a list of siblings into one heap: pairs left to right, then the
 * pairs right to left (the two-pass rule that gives the amortised bounds),
 * without recursion. */
static struct ac_timer *merge_siblings(struct ac_timer *first)
{
        struct ac_timer *pairs = NULL; /* stacked through W_NEXT */
        while (first != NULL) {
                struct ac_timer *a = first, *b = link_of(a, W_NEXT);
                first = b ? link_of(b, W_NEXT) : NULL;
                set_link(a, W_NEXT, NULL);
                set_link(a, W_PREV, NULL);
                if (b != NULL) {
                        set_link(b, W_NEXT, NULL);
                        set_link(b, W_PREV, NULL);
                }
                struct ac_timer *m = meld(a, b);
                set_link(m, W_NEXT, pairs);
                pairs = m;
        }
        struct ac_timer *root = NULL;
        while (pairs != NULL) {
                struct ac_timer *next = link_of(pairs, W_NEXT);
                set_link(pairs, W_NEXT, NULL);
                root = meld(root, pairs);
                pairs = next;
        }
        return root;
}

static void heap_remove(struct live_platform *p, struct ac_timer *t)
{
        struct ac_timer *kids = link_of(t, W_CHILD);
        set_link(t, W_CHILD, NULL);
        if (p->heap == t) {
                p->heap = merge_siblings(kids);
        } else {
                struct ac_timer *prev = link_of(t, W_PREV), *next = link_of(t, W_NEXT);
                if (link_of(prev, W_CHILD) == t)
                        set_link(prev, W_CHILD, next);
                else
                        set_link(prev, W_NEXT, next);
                if (next != NULL)
                        set_link(next, W_PREV, prev);
                set_link(t, W_NEXT, NULL);
                set_link(t, W_PREV, NULL);
                p->heap = meld(p->heap, merge_siblings(kids));
        }
        t->opaque[W_ARMED] = 0;
}

/* ---- the timer thread ------------------------------------------------ */

static void *timer_main(void *arg)
{
        struct live_platform *p = arg;
        pthread_mutex_lock(&p->tlock);
        while (!p->stopping) {
                struct ac_timer *t = p->heap;
                uint64_t now = live_now_ns(p);
                if (t == NULL && (p->waits_for_arm || !before(now, p->wakes_at))) {
                        p->waits_for_arm = true;
                        pthread_cond_wait(&p->tcond, &p->tlock);
                        continue;
                }
                if (t == NULL || before(now, when_of(t))) {
                        /* Sleep until the earliest deadline; with none left,
                         * keep the last one, so that the arm and cancel of
                         * each stage's watchdog do not wake this thread. */
                        if (t != NULL)
                                p->wakes_at = when_of(t);
                        p->waits_for_arm = false;
                        struct timespec ts = live_deadline(p, now + (p->wakes_at - now));
                        pthread_cond_timedwait(&p->tcond, &p->tlock, &ts);
                        continue;
                }
                heap_remove(p, t);
                p->fired++;
                /* Fired with no platform lock held: the core takes the
                 * engine lock inside, and may arm or cancel timers. */
                pthread_mutex_unlock(&p->tlock);
                t->fire(t);
                pthread_mutex_lock(&p->tlock);
        }
        pthread_mutex_unlock(&p->tlock);
        return NULL;
}

/* ---- the completion thread ------------------------------------------- */

static void *done_main(void *arg)
{
        struct live_platform *p = arg;
        pthread_mutex_lock(&p->dlock);
        for (;;) {
                if (p->deferred != NULL) {
                        void (*run)(void *) = p->deferred;
                        void *run_arg = p->deferred_arg;
                        p->deferred = NULL;
                        pthread_mutex_unlock(&p->dlock);
                        run(run_arg); /* the core's callbacks, with no platform lock held */
                        pthread_mutex_lock(&p->dlock);
                        continue;
                }
                if (p->done_stopping)
                        break;
                pthread_cond_wait(&p->dcond, &p->dlock);
        }
        pthread_mutex_unlock(&p->dlock);
        return NULL;
}

/* ---- the ops table --------------------------------------------------- */

/* Called by the core with its lock held; at most one run is pending. */
static void op_defer(void *ctx, void (*run)(void *arg), void *arg)
{
        struct live_platform *p = ctx;
        pthread_mutex_lock(&p->dlock);
        p->deferred = run;
        p->deferred_arg = arg;
        pthread_cond_signal(&p->dcond);
        pthread_mutex_unlock(&p->dlock);
}

static void op_idle(void *ctx)
{
        struct live_platform *p = ctx;
        pthread_mutex_lock(&p->dlock);
        p->quiescent = true;
        pthread_cond_broadcast(&p->icond);
        pthread_mutex_unlock(&p->dlock);
}

bool live_platform_wait_idle(struct live_platform *p, uint64_t deadline_ns)
{
        struct timespec ts = live_deadline(p, deadline_ns);
        pthread_mutex_lock(&p->dlock);
        while (!p->quiescent)
                if (pthread_cond_timedwait(&p->icond, &p->dlock, &ts) == ETIMEDOUT)
                        break;
        bool idle = p->quiescent;
        pthread_mutex_unlock(&p->dlock);
        return idle;
}

static uint64_t op_now(void *ctx)
{
        return live_now_ns(ctx);
}

static void op_arm(void *ctx, struct ac_timer *t, uint64_t when_ns)
{
        struct live_platform *p = ctx;
        pthread_mutex_lock(&p->tlock);
        if (t->opaque[W_ARMED])
                heap_remove(p, t);
        t->opaque[W_WHEN] = when_ns;
        t->opaque[W_ARMED] = 1;
        set_link(t, W_CHILD, NULL);
        set_link(t, W_NEXT, NULL);
        set_link(t, W_PREV, NULL);
        p->heap = meld(p->heap, t);
        /* Wake the thread only when it would sleep past this deadline. */
        if (p->waits_for_arm || before(when_ns, p->wakes_at))
                pthread_cond_signal(&p->tcond);
        pthread_mutex_unlock(&p->tlock);
}

static void op_cancel(void *ctx, struct ac_timer *t)
{
        struct live_platform *p = ctx;
        pthread_mutex_lock(&p->tlock);
        if (t->opaque[W_ARMED])
                heap_remove(p, t);
        pthread_mutex_unlock(&p->tlock);
}

/* xorshift64* (Vigna): enough for a balancer's draws; called under the
 * engine lock. */
static uint64_t op_random(void *ctx)
{
        struct live_platform *p = ctx;
        p->rng ^= p->rng >> 12;
        p->rng ^= p->rng << 25;
        p->rng ^= p->rng >> 27;
        return p->rng * 0x2545F4914F6CDD1DULL;
}

static void op_lock(void *ctx)
{
        pthread_mutex_lock(&((struct live_platform *)ctx)->lock);
}

static void op_unlock(void *ctx)
{
        pthread_mutex_unlock(&((struct live_platform *)ctx)->lock);
}

static const struct ac_platform_ops live_ops_table = {
    .name = "live",
    .now_ns = op_now,
    .timer_arm = op_arm,
    .timer_cancel = op_cancel,
    .random_u64 = op_random,
    .lock = op_lock,
    .unlock = op_unlock,
    .idle = op_idle,
};

/* The same with callbacks on the completion thread. */
static const struct ac_platform_ops live_deferred_ops_table = {
    .name = "live-deferred",
    .now_ns = op_now,
    .timer_arm = op_arm,
    .timer_cancel = op_cancel,
    .random_u64 = op_random,
    .lock = op_lock,
    .unlock = op_unlock,
    .defer = op_defer,
    .idle = op_idle,
};

struct ac_platform live_platform_seam(struct live_platform *p)
{
        return (struct ac_platform){
            .ops = p->deferred_callbacks ? &live_deferred_ops_table : &live_ops_table, .ctx = p};
}

/* Destroys the locks and conditions of init. */
static void release(struct live_platform *p)
{
        pthread_cond_destroy(&p->tcond);
        pthread_cond_destroy(&p->icond);
        pthread_cond_destroy(&p->dcond);
        pthread_mutex_destroy(&p->lock);
        pthread_mutex_destroy(&p->tlock);
        pthread_mutex_destroy(&p->dlock);
}

int live_platform_init(struct live_platform *p, uint64_t seed)
{
        *p = (struct live_platform){0};
        /* splitmix64 of the seed: a nonzero xorshift state for every seed */
        uint64_t z = seed + 0x9E3779B97F4A7C15ULL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        p->rng = (z ^ (z >> 31)) | 1;
        pthread_condattr_t ca;
        if (pthread_condattr_init(&ca) != 0)
                return AC_ENOMEM;
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        int rc = pthread_cond_init(&p->tcond, &ca);
        rc |= pthread_cond_init(&p->icond, &ca);
        pthread_condattr_destroy(&ca);
        rc |= pthread_cond_init(&p->dcond, NULL);
        if (rc != 0)
                return AC_ENOMEM;
        pthread_mutex_init(&p->lock, NULL);
        pthread_mutex_init(&p->tlock, NULL);
        pthread_mutex_init(&p->dlock, NULL);
        p->origin_ns = monotonic_ns();
        p->waits_for_arm = true;
        if (pthread_create(&p->timer_thread, NULL, timer_main, p) != 0)
                goto fail;
        if (pthread_create(&p->done_thread, NULL, done_main, p) != 0) {
                pthread_mutex_lock(&p->tlock);
                p->stopping = true;
                pthread_cond_signal(&p->tcond);
                pthread_mutex_unlock(&p->tlock);
                pthread_join(p->timer_thread, NULL);
                goto fail;
        }
        p->running = true;
        return 0;
fail:
        release(p);
        return AC_ENOMEM;
}

void live_platform_stop(struct live_platform *p)
{
        if (!p->running)
                return;
        pthread_mutex_lock(&p->tlock);
        p->stopping = true;
        pthread_cond_signal(&p->tcond);
        pthread_mutex_unlock(&p->tlock);
        pthread_join(p->timer_thread, NULL);
        pthread_mutex_lock(&p->dlock); /* the completion thread runs what is pending, then stops */
        p->done_stopping = true;
        pthread_cond_signal(&p->dcond);
        pthread_mutex_unlock(&p->dlock);
        pthread_join(p->done_thread, NULL);
        p->running = false;
}

void live_platform_fini(struct live_platform *p)
{
        live_platform_stop(p);
        release(p);
}

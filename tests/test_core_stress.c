/*
 * test_core_stress.c - the core driven from real threads, as a threaded
 * service would: a mutex platform, a timer thread that takes due timers
 * and fires them without the platform's timer lock (so cancel never
 * waits), one worker thread per device completing its stages (sometimes
 * with an error, sometimes failing and recovering the device), callers
 * submitting from their own threads, and a completion thread that runs the
 * callbacks (the platform's defer op). At the end: shutdown, wait for the
 * idle op, stop the threads, destroy.
 *
 * It checks outcomes only (every accepted request called back exactly
 * once, nothing left), never timings; it is meant to be run under
 * ThreadSanitizer too.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "ac/ac.h"

#define DEVICES    4
#define RING       4
#define CALLERS    3
#define PER_CALLER 400
#define MAX_TIMERS 256

/* ---- the platform -------------------------------------------------------- */

struct mp {
        pthread_mutex_t core; /* the core's lock */
        /* timers */
        pthread_mutex_t tmu;
        struct ac_timer *armed[MAX_TIMERS];
        size_t narmed;
        bool stop_timers;
        pthread_t timer_thread;
        /* deferred callbacks */
        pthread_mutex_t dmu;
        pthread_cond_t dcv;
        void (*run)(void *arg);
        void *run_arg;
        bool stop_completions;
        pthread_t completion_thread;
        /* idle */
        bool idle;
        pthread_cond_t idle_cv; /* with core */
};

static struct mp mp;

static uint64_t mp_now(void *ctx)
{
        (void)ctx;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* opaque[0]: armed, [1]: deadline */
static void mp_arm(void *ctx, struct ac_timer *t, uint64_t when)
{
        (void)ctx;
        pthread_mutex_lock(&mp.tmu);
        if (!t->opaque[0]) {
                cr_assert_lt(mp.narmed, MAX_TIMERS);
                mp.armed[mp.narmed++] = t;
        }
        t->opaque[0] = 1;
        t->opaque[1] = when;
        pthread_mutex_unlock(&mp.tmu);
}

static void mp_cancel(void *ctx, struct ac_timer *t)
{
        (void)ctx;
        pthread_mutex_lock(&mp.tmu);
        for (size_t i = 0; i < mp.narmed; i++)
                if (mp.armed[i] == t) {
                        mp.armed[i] = mp.armed[--mp.narmed];
                        break;
                }
        t->opaque[0] = 0;
        pthread_mutex_unlock(&mp.tmu);
}

static void mp_lock(void *ctx)
{
        (void)ctx;
        pthread_mutex_lock(&mp.core);
}

static void mp_unlock(void *ctx)
{
        (void)ctx;
        pthread_mutex_unlock(&mp.core);
}

static void mp_defer(void *ctx, void (*run)(void *arg), void *arg)
{
        (void)ctx;
        pthread_mutex_lock(&mp.dmu);
        mp.run = run;
        mp.run_arg = arg;
        pthread_cond_signal(&mp.dcv);
        pthread_mutex_unlock(&mp.dmu);
}

static void mp_idle(void *ctx)
{
        (void)ctx;
        mp.idle = true; /* under the core lock */
        pthread_cond_broadcast(&mp.idle_cv);
}

static const struct ac_platform_ops mp_ops = {
    .name = "pthreads",
    .now_ns = mp_now,
    .timer_arm = mp_arm,
    .timer_cancel = mp_cancel,
    .lock = mp_lock,
    .unlock = mp_unlock,
    .defer = mp_defer,
    .idle = mp_idle,
};

static void pause_us(long us)
{
        struct timespec ts = {.tv_sec = 0, .tv_nsec = us * 1000};
        nanosleep(&ts, NULL);
}

/* Takes a due timer off the list under the timer lock and fires it
 * without that lock: a cancel meanwhile does not wait, and the core sees
 * the fire as stale. */
static void *timer_main(void *arg)
{
        (void)arg;
        for (;;) {
                struct ac_timer *due = NULL;
                pthread_mutex_lock(&mp.tmu);
                if (mp.stop_timers) {
                        pthread_mutex_unlock(&mp.tmu);
                        return NULL;
                }
                uint64_t now = mp_now(NULL);
                for (size_t i = 0; i < mp.narmed; i++)
                        if ((int64_t)(now - mp.armed[i]->opaque[1]) >= 0) {
                                due = mp.armed[i];
                                mp.armed[i] = mp.armed[--mp.narmed];
                                due->opaque[0] = 0;
                                break;
                        }
                pthread_mutex_unlock(&mp.tmu);
                if (due)
                        due->fire(due);
                else
                        pause_us(50);
        }
}

static void *completion_main(void *arg)
{
        (void)arg;
        pthread_mutex_lock(&mp.dmu);
        for (;;) {
                while (!mp.run && !mp.stop_completions)
                        pthread_cond_wait(&mp.dcv, &mp.dmu);
                if (!mp.run)
                        break;
                void (*run)(void *) = mp.run;
                void *a = mp.run_arg;
                mp.run = NULL;
                pthread_mutex_unlock(&mp.dmu);
                run(a);
                pthread_mutex_lock(&mp.dmu);
        }
        pthread_mutex_unlock(&mp.dmu);
        return NULL;
}

/* ---- devices: a worker thread each ----------------------------------------- */

struct wdev {
        struct ac_device *dev;
        pthread_mutex_t mu;
        pthread_cond_t cv;
        uint64_t tags[64]; /* stages handed over, not yet answered */
        size_t ntags;
        bool stop;
        bool heal; /* probed: report recovery from the worker */
        unsigned seed;
        pthread_t th;
};

static struct wdev wdevs[DEVICES];

static int w_submit(void *ctx, struct ac_device *dev, const struct ac_job *job)
{
        struct wdev *w = ctx;
        (void)dev;
        pthread_mutex_lock(&w->mu);
        cr_assert_lt(w->ntags, RING, "more than ring stages handed over");
        w->tags[w->ntags++] = job->tag;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
        return 0;
}

static void w_abort(void *ctx, struct ac_device *dev, uint64_t tag)
{
        struct wdev *w = ctx;
        (void)dev;
        pthread_mutex_lock(&w->mu);
        for (size_t i = 0; i < w->ntags; i++)
                if (w->tags[i] == tag) {
                        w->tags[i] = w->tags[--w->ntags];
                        break;
                }
        pthread_mutex_unlock(&w->mu);
}

static void w_probe(void *ctx, struct ac_device *dev)
{
        struct wdev *w = ctx;
        (void)dev;
        pthread_mutex_lock(&w->mu);
        w->heal = true;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
}

static const struct ac_driver_ops w_driver = {
    .name = "worker", .submit = w_submit, .abort = w_abort, .probe = w_probe};

static void *worker_main(void *arg)
{
        struct wdev *w = arg;
        pthread_mutex_lock(&w->mu);
        for (;;) {
                while (!w->ntags && !w->stop && !w->heal)
                        pthread_cond_wait(&w->cv, &w->mu);
                if (w->stop)
                        break;
                if (w->heal) {
                        w->heal = false;
                        pthread_mutex_unlock(&w->mu);
                        ac_device_recovered(w->dev);
                        pthread_mutex_lock(&w->mu);
                        continue;
                }
                uint64_t tag = w->tags[0];
                w->tags[0] = w->tags[--w->ntags];
                unsigned roll = (unsigned)rand_r(&w->seed) % 1000;
                pthread_mutex_unlock(&w->mu);
                /* Answers from its own thread, never from inside an op. */
                if (roll < 3) {
                        ac_device_failed(w->dev, AC_EIO);
                        pause_us(100);
                        ac_device_recovered(w->dev);
                } else {
                        ac_device_complete(w->dev, tag, roll < 20 ? AC_EIO : 0);
                }
                pthread_mutex_lock(&w->mu);
        }
        pthread_mutex_unlock(&w->mu);
        return NULL;
}

/* ---- callers ------------------------------------------------------------- */

struct sreq {
        struct ac_request req;
        struct ac_stage stages[2];
        atomic_int calls;
        atomic_bool accepted;
};

static struct sreq reqs[CALLERS][PER_CALLER];
static atomic_int outstanding;
static struct ac_engine *eng;

static void s_done(struct ac_request *req, int status)
{
        struct sreq *r = (struct sreq *)req;
        (void)status;
        atomic_fetch_add(&r->calls, 1);
        atomic_fetch_sub(&outstanding, 1);
}

static void *caller_main(void *arg)
{
        struct sreq *mine = arg;
        for (int i = 0; i < PER_CALLER; i++) {
                struct sreq *r = &mine[i];
                r->stages[0] = (struct ac_stage){.op = 0, .bytes = 64};
                r->stages[1] = (struct ac_stage){.op = 1, .bytes = 64};
                r->req.stages = r->stages;
                r->req.nstages = 1 + (unsigned)(i % 2);
                r->req.priority = (uint8_t)(i % 3);
                r->req.flow = (uint64_t)i % 7;
                r->req.done = s_done;
                for (;;) {
                        atomic_fetch_add(&outstanding, 1);
                        int rc = ac_submit(eng, &r->req);
                        if (rc >= 0) {
                                r->accepted = true;
                                break;
                        }
                        atomic_fetch_sub(&outstanding, 1);
                        pause_us(20); /* full or no device for now */
                }
        }
        return NULL;
}

Test(core_stress, threads_drive_the_core_and_shut_it_down)
{
        pthread_mutex_init(&mp.core, NULL);
        pthread_mutex_init(&mp.tmu, NULL);
        pthread_mutex_init(&mp.dmu, NULL);
        pthread_cond_init(&mp.dcv, NULL);
        pthread_cond_init(&mp.idle_cv, NULL);

        struct ac_engine_config cfg;
        ac_engine_config_defaults(&cfg);
        cfg.platform = (struct ac_platform){.ops = &mp_ops, .ctx = &mp};
        cfg.queue_depth = 16;
        cfg.backlog = 64;
        cfg.failover.retries = 1000;
        cfg.failover.errors_to_fail = 3;
        cfg.failover.timeout_ns = 50000000; /* 50 ms */
        cfg.failover.probe_ns = 1000000;
        cfg.flow_order = true;
        cr_assert_eq(ac_engine_create(&cfg, &eng), 0);
        cr_assert_eq(ac_op_intern(eng, "aes"), 0);
        cr_assert_eq(ac_op_intern(eng, "sha"), 1);

        pthread_create(&mp.timer_thread, NULL, timer_main, NULL);
        pthread_create(&mp.completion_thread, NULL, completion_main, NULL);
        static const char *const ops[] = {"aes", "sha"};
        static const char *const names[DEVICES] = {"d0", "d1", "d2", "d3"};
        for (int d = 0; d < DEVICES; d++) {
                struct wdev *w = &wdevs[d];
                pthread_mutex_init(&w->mu, NULL);
                pthread_cond_init(&w->cv, NULL);
                w->seed = (unsigned)d + 1;
                struct ac_device_config dc = {.name = names[d],
                                              .ops = ops,
                                              .nops = 2,
                                              .ring = RING,
                                              .driver = &w_driver,
                                              .driver_ctx = w};
                cr_assert_eq(ac_device_register(eng, &dc, &w->dev), 0);
                pthread_create(&w->th, NULL, worker_main, w);
        }

        pthread_t callers[CALLERS];
        for (int c = 0; c < CALLERS; c++)
                pthread_create(&callers[c], NULL, caller_main, reqs[c]);
        for (int c = 0; c < CALLERS; c++)
                pthread_join(callers[c], NULL);

        /* Shut down: no new work, wait until the last thread is out. */
        cr_assert_eq(ac_engine_shutdown(eng), 0);
        pthread_mutex_lock(&mp.core);
        while (!mp.idle)
                pthread_cond_wait(&mp.idle_cv, &mp.core);
        pthread_mutex_unlock(&mp.core);
        cr_assert(ac_engine_quiescent(eng));

        /* The platform's threads: the timer thread flushes what it took. */
        pthread_mutex_lock(&mp.tmu);
        mp.stop_timers = true;
        pthread_mutex_unlock(&mp.tmu);
        pthread_join(mp.timer_thread, NULL);
        pthread_mutex_lock(&mp.dmu);
        mp.stop_completions = true;
        pthread_cond_signal(&mp.dcv);
        pthread_mutex_unlock(&mp.dmu);
        pthread_join(mp.completion_thread, NULL);
        for (int d = 0; d < DEVICES; d++) {
                struct wdev *w = &wdevs[d];
                pthread_mutex_lock(&w->mu);
                w->stop = true;
                pthread_cond_signal(&w->cv);
                pthread_mutex_unlock(&w->mu);
                pthread_join(w->th, NULL);
        }

        cr_assert_eq(atomic_load(&outstanding), 0);
        for (int c = 0; c < CALLERS; c++)
                for (int i = 0; i < PER_CALLER; i++) {
                        cr_assert(reqs[c][i].accepted);
                        cr_assert_eq(atomic_load(&reqs[c][i].calls), 1, "caller %d request %d", c,
                                     i);
                }
        ac_engine_destroy(eng);
        eng = NULL;
}

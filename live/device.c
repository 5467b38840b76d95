/*
 * live/device.c - a device of worker threads doing real crypto
 * (live/device.h).
 *
 * Laid out as: the job slots and their queue; the driver ops the core
 * calls (with the engine lock held: they only take the device's mutex);
 * the worker loop; fault injection; start and stop.
 *
 * Lock order: the engine lock, then the device's mu. A worker never holds
 * mu while it enters the core.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ac/error.h"
#include "live/device.h"
#include "live/affinity.h"

enum slot_state { SLOT_FREE, SLOT_QUEUED, SLOT_SERVING };

struct live_job {
        enum slot_state state;
        bool computing; /* a worker is transforming its bytes: abort waits */
        bool aborted;   /* taken back while being served: drop the result */
        uint64_t tag;
        const struct live_op *op;
        uint64_t bytes;
        struct live_stage_io io;
        struct live_stamps at; /* this stage's, given to io.stamps on report */
};

static uint64_t mono_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- slots and queue (under mu) ------------------------------------- */

static uint32_t take_slot(struct live_device *d)
{
        return d->free_slots[--d->nfree];
}

static void free_slot(struct live_device *d, uint32_t s)
{
        d->slots[s].state = SLOT_FREE;
        d->slots[s].aborted = false;
        d->free_slots[d->nfree++] = s;
}

static void enqueue(struct live_device *d, uint32_t s)
{
        d->queue[(d->qhead + d->qlen++) % d->ring] = s;
        d->slots[s].state = SLOT_QUEUED;
}

/* The oldest queued slot, skipping those the core took back; or UINT32_MAX. */
static uint32_t dequeue(struct live_device *d)
{
        while (d->qlen > 0) {
                uint32_t s = d->queue[d->qhead];
                d->qhead = (d->qhead + 1) % d->ring;
                d->qlen--;
                if (d->slots[s].state == SLOT_QUEUED)
                        return s;
        }
        return UINT32_MAX;
}

/* Drops every stage held (fail-stop, removal): queued ones are freed,
 * served ones are marked so their result is thrown away. */
static void drop_all(struct live_device *d)
{
        for (uint32_t s = 0; s < d->ring; s++) {
                struct live_job *j = &d->slots[s];
                if (j->state == SLOT_QUEUED) {
                        free_slot(d, s);
                        d->dropped++;
                } else if (j->state == SLOT_SERVING && !j->aborted) {
                        j->aborted = true;
                        d->dropped++;
                }
        }
        d->qlen = 0;
}

static bool refusing(const struct live_device *d)
{
        return d->fault == LIVE_FAIL_STOP || d->fault == LIVE_REMOVED || d->stopping;
}

/* ---- driver ops: called by the core with the engine lock held -------- */

static int drv_submit(void *ctx, struct ac_device *dev, const struct ac_job *job)
{
        struct live_device *d = ctx;
        (void)dev;
        if (job->op >= d->nop_of || d->op_of[job->op] == NULL || job->bytes > d->max_bytes)
                return AC_EINVAL;
        pthread_mutex_lock(&d->mu);
        int rc = 0;
        if (refusing(d)) {
                rc = AC_EIO;
        } else if (d->nfree == 0) {
                rc = AC_EBUSY; /* cannot happen while the core keeps to the ring */
        } else {
                uint32_t s = take_slot(d);
                struct live_job *j = &d->slots[s];
                j->tag = job->tag;
                j->op = d->op_of[job->op];
                j->bytes = job->bytes;
                j->aborted = false;
                j->io.stamps = NULL;
                d->io(d->io_ctx, job->req, job->stage, &j->io);
                j->at = (struct live_stamps){.driver = mono_ns(), .woke = d->sleeping > d->qlen};
                enqueue(d, s);
                pthread_cond_signal(&d->work);
        }
        pthread_mutex_unlock(&d->mu);
        return rc;
}

/* Takes a stage back. A stage being transformed is waited for (one
 * stage's time; the worker needs no lock of the core to finish), so that
 * once abort returns nothing writes into the request any more. */
static void drv_abort(void *ctx, struct ac_device *dev, uint64_t tag)
{
        struct live_device *d = ctx;
        (void)dev;
        pthread_mutex_lock(&d->mu);
        for (uint32_t s = 0; s < d->ring; s++) {
                struct live_job *j = &d->slots[s];
                if (j->state == SLOT_FREE || j->tag != tag || j->aborted)
                        continue;
                while (j->computing && j->tag == tag)
                        pthread_cond_wait(&d->done, &d->mu);
                if (j->state == SLOT_FREE || j->tag != tag || j->aborted)
                        break; /* it finished and answered meanwhile: nothing to take */
                d->aborted++;
                if (j->state == SLOT_QUEUED)
                        free_slot(d, s); /* dequeue skips it */
                else
                        j->aborted = true; /* the worker drops its answer */
                break;
        }
        pthread_mutex_unlock(&d->mu);
}

static void drv_probe(void *ctx, struct ac_device *dev)
{
        struct live_device *d = ctx;
        (void)dev;
        /* Answered by a worker, outside the engine lock this op runs under. */
        pthread_mutex_lock(&d->mu);
        d->probe_pending = true;
        pthread_cond_signal(&d->work);
        pthread_mutex_unlock(&d->mu);
}

static const struct ac_driver_ops live_driver = {
    .name = "live",
    .submit = drv_submit,
    .abort = drv_abort,
    .probe = drv_probe,
};

/* ---- workers --------------------------------------------------------- */

static void sleep_ns(uint64_t ns)
{
        struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
                              .tv_nsec = (long)(ns % 1000000000u)};
        while (nanosleep(&ts, &ts) != 0)
                ;
}

/* A uniform draw in [0, 1) from the device's stream, under mu. */
static double uniform(struct live_device *d)
{
        d->rng ^= d->rng << 13;
        d->rng ^= d->rng >> 7;
        d->rng ^= d->rng << 17;
        return (double)(d->rng >> 11) * 0x1.0p-53;
}

static uint64_t span_ns(uint64_t from, uint64_t to)
{
        return to > from ? to - from : 0;
}

struct live_ledger live_ledger_since(const struct live_ledger *a, const struct live_ledger *b)
{
        return (struct live_ledger){
            .stages = a->stages - b->stages,
            .held_ns = a->held_ns - b->held_ns,
            .held_sq = a->held_sq - b->held_sq,
            .gap_ns = a->gap_ns - b->gap_ns,
            .woken = a->woken - b->woken,
            .wake_ns = a->wake_ns - b->wake_ns,
            .wake_sq = a->wake_sq - b->wake_sq,
        };
}

/* Serves one stage, in the request's own buffers (in and out differ: a
 * stage applied twice writes the same bytes). Returns with mu held. */
static void serve(struct live_device *d, struct live_crypto *c, uint32_t s)
{
        struct live_job *j = &d->slots[s];
        const struct live_op *op = j->op;
        size_t len = (size_t)j->bytes;
        uint8_t iv[LIVE_MAX_IV], tag[LIVE_TAG];
        if (op->iv_len > 0)
                memcpy(iv, j->io.iv, op->iv_len);
        if (op->kind == LIVE_AEAD_OPEN)
                memcpy(tag, j->io.tag, LIVE_TAG);
        uint64_t tagged = j->tag;
        j->state = SLOT_SERVING;
        j->computing = true;
        pthread_mutex_unlock(&d->mu);

        uint64_t t0 = mono_ns();
        j->at.start = t0;
        struct live_params p = {.key = d->keys, .iv = iv};
        long n = live_crypto_apply(c, op, &p, j->io.in, len, j->io.out, tag);
        uint64_t t1 = mono_ns(), spent = t1 - t0;

        pthread_mutex_lock(&d->mu);
        j->at.end = t1;
        j->computing = false;
        pthread_cond_broadcast(&d->done);
        if (n >= 0 && op->kind == LIVE_AEAD_SEAL && !j->aborted)
                memcpy(j->io.tag, tag, LIVE_TAG); /* still ours: abort waited for us */
        if (d->fault == LIVE_SLOW && d->factor > 1.0) {
                uint64_t extra = (uint64_t)((double)spent * (d->factor - 1.0));
                pthread_mutex_unlock(&d->mu);
                sleep_ns(extra);
                pthread_mutex_lock(&d->mu);
                spent = mono_ns() - t0;
        }
        while (d->fault == LIVE_HANG && !j->aborted && !d->stopping)
                pthread_cond_wait(&d->work, &d->mu); /* hung: hold the stage */
        d->busy_ns += spent;
        if (j->aborted || d->stopping) {
                free_slot(d, s);
                return;
        }
        int status = n < 0 ? AC_EIO : 0;
        if (status == 0 && d->fault == LIVE_FLAKY && uniform(d) < d->probability)
                status = AC_EIO;
        uint64_t report = mono_ns(), held = span_ns(j->at.take, report);
        if (j->io.stamps != NULL) { /* still ours: the core has not taken it back */
                j->at.report = report;
                *j->io.stamps = j->at;
        }
        free_slot(d, s);
        d->completed++;
        d->errors += status != 0;
        d->ledger.stages++;
        d->ledger.held_ns += (double)held;
        d->ledger.held_sq += (double)held * (double)held;
        pthread_mutex_unlock(&d->mu);
        ac_device_complete(d->dev, tagged, status);
        pthread_mutex_lock(&d->mu);
        d->ledger.gap_ns += (double)span_ns(report, mono_ns());
}

static bool working(const struct live_device *d)
{
        return d->fault != LIVE_HANG && !refusing(d);
}

static void *worker_main(void *arg)
{
        struct live_device *d = arg;
        struct live_crypto *c = live_crypto_new();
        pthread_mutex_lock(&d->mu);
        if (d->lane_cpus != NULL) { /* lane k on its CPU */
                int cpu = d->lane_cpus[d->pinned++ % d->lanes];
                d->pin_failed += live_pin_self(cpu) < 0;
        }
        if (c == NULL) {
                /* a lane that cannot work: the others still can */
                pthread_mutex_unlock(&d->mu);
                goto out;
        }
        while (!d->stopping) {
                if (d->probe_pending && working(d)) {
                        d->probe_pending = false;
                        pthread_mutex_unlock(&d->mu);
                        ac_device_recovered(d->dev);
                        pthread_mutex_lock(&d->mu);
                        continue;
                }
                uint32_t s = d->fault == LIVE_HANG ? UINT32_MAX : dequeue(d);
                if (s == UINT32_MAX) {
                        uint64_t t0 = mono_ns();
                        d->sleeping++;
                        d->idle_from += t0;
                        pthread_cond_wait(&d->work, &d->mu);
                        d->sleeping--;
                        d->idle_from -= t0;
                        d->idle_ns += mono_ns() - t0; /* waited for work */
                        continue;
                }
                struct live_stamps *at = &d->slots[s].at;
                at->take = mono_ns();
                if (at->woke) {
                        double w = (double)span_ns(at->driver, at->take);
                        d->ledger.woken++;
                        d->ledger.wake_ns += w;
                        d->ledger.wake_sq += w * w;
                }
                serve(d, c, s);
        }
        pthread_mutex_unlock(&d->mu);
out:
        live_crypto_free(c);
        return NULL;
}

/* ---- readings -------------------------------------------------------- */

uint64_t live_device_idle_ns(struct live_device *d, uint64_t *now_ns)
{
        pthread_mutex_lock(&d->mu);
        uint64_t now = mono_ns();
        /* each wait under way, from its start to now */
        uint64_t idle = d->idle_ns + (uint64_t)d->sleeping * now - d->idle_from;
        pthread_mutex_unlock(&d->mu);
        *now_ns = now;
        return idle;
}

/* ---- faults ---------------------------------------------------------- */

void live_device_inject(struct live_device *d, enum live_fault f, double param)
{
        pthread_mutex_lock(&d->mu);
        enum live_fault was = d->fault;
        if (was == LIVE_REMOVED) { /* gone for good */
                pthread_mutex_unlock(&d->mu);
                return;
        }
        d->fault = f;
        d->factor = f == LIVE_SLOW ? param : 1.0;
        d->probability = f == LIVE_FLAKY ? param : 0.0;
        if (f == LIVE_FAIL_STOP || f == LIVE_REMOVED)
                drop_all(d);
        pthread_cond_broadcast(&d->work);
        pthread_mutex_unlock(&d->mu);
        if (f == LIVE_FAIL_STOP && was != LIVE_FAIL_STOP)
                ac_device_failed(d->dev, AC_EIO);
        else if (f == LIVE_REMOVED)
                ac_device_removed(d->dev);
        else if (f == LIVE_OK && was == LIVE_FAIL_STOP)
                ac_device_recovered(d->dev);
}

/* ---- start and stop -------------------------------------------------- */

static void release(struct live_device *d)
{
        free(d->name);
        free(d->op_of);
        free(d->slots);
        free(d->queue);
        free(d->free_slots);
        free(d->workers);
        free(d->lane_cpus);
}

int live_device_start(struct live_device *d, struct ac_engine *eng,
                      const struct live_device_config *cfg)
{
        *d = (struct live_device){.eng = eng,
                                  .io = cfg->io,
                                  .io_ctx = cfg->io_ctx,
                                  .keys = cfg->keys,
                                  .max_bytes = cfg->max_bytes,
                                  .ring = cfg->ring,
                                  .lanes = cfg->lanes,
                                  .rng = cfg->seed | 1};
        if (cfg->ring == 0 || cfg->lanes == 0 || cfg->io == NULL || cfg->keys == NULL)
                return AC_EINVAL;
        d->nop_of = AC_MAX_OPS;
        d->op_of = calloc(AC_MAX_OPS, sizeof(*d->op_of));
        d->name = strdup(cfg->name);
        d->slots = calloc(cfg->ring, sizeof(*d->slots));
        d->queue = calloc(cfg->ring, sizeof(*d->queue));
        d->free_slots = calloc(cfg->ring, sizeof(*d->free_slots));
        d->workers = calloc(cfg->lanes, sizeof(*d->workers));
        if (cfg->lane_cpus != NULL && (d->lane_cpus = malloc(cfg->lanes * sizeof(int))) != NULL)
                memcpy(d->lane_cpus, cfg->lane_cpus, cfg->lanes * sizeof(int));
        if (!d->op_of || !d->name || !d->slots || !d->queue || !d->free_slots || !d->workers ||
            (cfg->lane_cpus != NULL && d->lane_cpus == NULL)) {
                release(d);
                return AC_ENOMEM;
        }
        for (size_t i = 0; i < cfg->nops; i++) {
                const struct live_op *op = live_op_find(cfg->ops[i]);
                if (op == NULL) {
                        release(d);
                        return AC_ENOENT;
                }
                int id = ac_op_intern(eng, cfg->ops[i]);
                if (id < 0) {
                        release(d);
                        return id;
                }
                d->op_of[id] = op;
        }
        for (uint32_t s = 0; s < cfg->ring; s++)
                free_slot(d, cfg->ring - 1 - s);
        pthread_mutex_init(&d->mu, NULL);
        pthread_cond_init(&d->work, NULL);
        pthread_cond_init(&d->done, NULL);
        struct ac_device_config dc = {
            .name = cfg->name,
            .ops = cfg->ops,
            .nops = cfg->nops,
            .ring = cfg->ring,
            .weight = cfg->weight,
            .fallback = cfg->fallback,
            .driver = &live_driver,
            .driver_ctx = d,
        };
        /* Workers first: the device takes work the moment it is registered. */
        for (; d->nworkers < cfg->lanes; d->nworkers++)
                if (pthread_create(&d->workers[d->nworkers], NULL, worker_main, d) != 0)
                        break;
        int rc = d->nworkers == 0 ? AC_ENOMEM : ac_device_register(eng, &dc, &d->dev);
        if (rc < 0) {
                live_device_stop(d);
                return rc;
        }
        return 0;
}

void live_device_stop(struct live_device *d)
{
        pthread_mutex_lock(&d->mu);
        d->stopping = true;
        pthread_cond_broadcast(&d->work);
        pthread_mutex_unlock(&d->mu);
        for (uint32_t i = 0; i < d->nworkers; i++)
                pthread_join(d->workers[i], NULL);
        d->nworkers = 0;
        pthread_cond_destroy(&d->work);
        pthread_cond_destroy(&d->done);
        pthread_mutex_destroy(&d->mu);
        release(d);
}

void live_device_remove(struct live_device *d)
{
        live_device_inject(d, LIVE_REMOVED, 0); /* a no-op when removed already */
        struct ac_device *dev = d->dev;
        /* Workers first: one may be inside ac_device_complete for the
         * card. After the join nothing of this driver calls the core. */
        live_device_stop(d);
        ac_device_release(dev);
        d->dev = NULL;
}

/*
 * sim/run/platform.c - the simulated platform of sim/run/platform.h: the seam on
 * the event engine, and the driver ops on the device models.
 */
#include "sim/run/platform.h"

#include <assert.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/des/rng.h"

/* ---- the seam --------------------------------------------------------- */

/* A core timer's opaque words hold the lane timer (sim/des/lane.h) that
 * fires it. */
static_assert(sizeof(struct sim_timer) <= sizeof(((struct ac_timer *)0)->opaque),
              "a sim_timer must fit in ac_timer.opaque");
static_assert(alignof(struct sim_timer) <= alignof(uint64_t),
              "ac_timer.opaque must be aligned for a sim_timer");

static inline struct sim_timer *timer_of(struct ac_timer *t)
{
        return (struct sim_timer *)(void *)t->opaque;
}

static void after_core(struct sim_platform *p)
{
        if (p->after)
                p->after(p->after_ctx);
}

/* True when the fault point at hand fires (never when they are off). */
static bool buggify(const struct sim_platform *p)
{
        return p->buggify && gsl_rng_uniform_int(p->buggify, SIM_BUGGIFY_ODDS) == 0;
}

static uint64_t plat_now(void *ctx)
{
        return sim_now(((struct sim_platform *)ctx)->loop);
}

/* A lane's timer came due: fires the owner's callback. */
static void timer_fire(struct sim_lane *lane, struct sim_timer *st)
{
        struct ac_timer *t = sim_container_of(st, struct ac_timer, opaque);
        struct sim_platform *p = lane->ctx;
        t->fire(t);
        after_core(p);
        if (buggify(p)) { /* a timer that fires twice: the second is stale */
                t->fire(t);
                after_core(p);
        }
}

/* The lane of `delay`: the one last used if it matches, else any other
 * that does, else an empty one given that delay, else a new one. Returns
 * NULL when out of memory. */
static struct sim_lane *lane_for(struct sim_platform *p, uint64_t delay)
{
        if (p->nlanes && p->lanes[p->last_lane]->delay == delay)
                return p->lanes[p->last_lane];
        size_t empty = SIZE_MAX;
        for (size_t i = 0; i < p->nlanes; i++) {
                if (p->lanes[i]->delay == delay) {
                        p->last_lane = i;
                        return p->lanes[i];
                }
                if (p->lanes[i]->armed == 0 && empty == SIZE_MAX)
                        empty = i;
        }
        if (empty == SIZE_MAX) {
                if (p->nlanes == p->caplanes) {
                        size_t cap = p->caplanes ? 2 * p->caplanes : 4;
                        struct sim_lane **lanes = realloc(p->lanes, cap * sizeof(*lanes));
                        if (!lanes)
                                return NULL;
                        p->lanes = lanes;
                        p->caplanes = cap;
                }
                struct sim_lane *lane = malloc(sizeof(*lane));
                if (!lane)
                        return NULL;
                empty = p->nlanes;
                p->lanes[p->nlanes++] = lane;
        }
        sim_lane_init(p->lanes[empty], p->loop, delay, timer_fire, p);
        p->last_lane = empty;
        return p->lanes[empty];
}

/* plat_timer_arm() past its common case: t armed already, or a delay
 * other than the last lane's. */
__attribute__((noinline)) static void arm_in_lane(struct sim_platform *p, struct sim_timer *st,
                                                  uint64_t delay)
{
        if (sim_timer_armed(st))
                sim_lane_cancel(st); /* arming an armed timer moves it */
        struct sim_lane *lane = lane_for(p, delay);
        if (!lane) {
                sim_loop_fail(p->loop); /* the run reports it (sim_loop_failed) */
                return;
        }
        /* a failure stops the loop; the run reports it (sim_loop_failed) */
        (void)sim_lane_arm(lane, st);
}

static void plat_timer_arm(void *ctx, struct ac_timer *t, uint64_t when_ns)
{
        struct sim_platform *p = ctx;
        struct sim_timer *st = timer_of(t);
        uint64_t now = sim_now(p->loop);
        assert(when_ns >= now && "a timer armed in the past");
        /* a watchdog, armed per stage with one delay: the lane last used */
        if (!sim_timer_armed(st) && p->nlanes && p->lanes[p->last_lane]->delay == when_ns - now) {
                (void)sim_lane_arm(p->lanes[p->last_lane], st); /* as in arm_in_lane() */
                return;
        }
        arm_in_lane(p, st, when_ns - now);
}

static void plat_timer_cancel(void *ctx, struct ac_timer *t)
{
        (void)ctx;
        sim_lane_cancel(timer_of(t));
}

static uint64_t plat_random(void *ctx)
{
        gsl_rng *r = ((struct sim_platform *)ctx)->random;
        /* taus2 gives 32 bits a draw */
        uint64_t hi = gsl_rng_get(r);
        return hi << 32 | gsl_rng_get(r);
}

static const struct ac_platform_ops sim_platform_ops = {
    .name = "sim",
    .now_ns = plat_now,
    .timer_arm = plat_timer_arm,
    .timer_cancel = plat_timer_cancel,
    .random_u64 = plat_random,
};

int sim_platform_init(struct sim_platform *p, struct sim_loop *loop, uint64_t seed)
{
        *p = (struct sim_platform){.loop = loop};
        p->random = sim_rng_stream(seed, "balancer");
        return p->random ? 0 : AC_ENOMEM;
}

int sim_platform_buggify(struct sim_platform *p, uint64_t seed)
{
        if (seed == 0)
                return 0;
        p->buggify = sim_rng_stream(seed, "buggify");
        return p->buggify ? 0 : AC_ENOMEM;
}

void sim_platform_fini(struct sim_platform *p)
{
        /* The timers are their owners' (the core cancels its own before it
         * frees them): only the lanes' events leave the loop here. */
        for (size_t i = 0; i < p->nlanes; i++) {
                sim_cancel(p->loop, &p->lanes[i]->ev);
                free(p->lanes[i]);
        }
        free(p->lanes);
        p->lanes = NULL;
        p->nlanes = p->caplanes = 0;
        if (p->buggify)
                gsl_rng_free(p->buggify);
        p->buggify = NULL;
        if (p->random)
                gsl_rng_free(p->random);
        p->random = NULL;
}

struct ac_platform sim_platform_seam(struct sim_platform *p)
{
        return (struct ac_platform){.ops = &sim_platform_ops, .ctx = p};
}

/* ---- devices: the driver (core -> model) ------------------------------ */

int sim_device_status(int model_status)
{
        switch (model_status) {
        case DEVICE_OK:
                return 0;
        case DEVICE_ESTAGE:
                return AC_EIO;
        case DEVICE_EDOWN:
                return AC_ESHUTDOWN;
        case DEVICE_EFULL:
                return AC_EBUSY;
        case DEVICE_ENOMEM:
                return AC_ENOMEM;
        default:
                return AC_EINVAL;
        }
}

/* A plain device's submit (no fault points): the model and the op map,
 * the first words of d (platform.h). */
static int drv_submit_plain(void *ctx, struct ac_device *dev, const struct ac_job *job)
{
        struct sim_device *d = ctx;
        (void)dev;
        uint8_t op = d->op_index[job->op];
        if (op == SIM_DEVICE_NO_OP)
                return AC_EINVAL;
        return sim_device_status(device_model_submit(d->model, job->tag, op, job->bytes));
}

/* drv_submit() with the fault points on: out of line, so that the
 * common case keeps no draw and no call of its own. An op the model
 * lacks is refused before the draw, as without them. */
__attribute__((noinline)) static int submit_watched(struct sim_device *d, struct ac_device *dev,
                                                    const struct ac_job *job)
{
        if (d->op_index[job->op] != SIM_DEVICE_NO_OP && buggify(d->plat)) {
                ac_device_complete(dev, job->tag, 0); /* done at once, inside its own submit */
                return 0;
        }
        return drv_submit_plain(d, dev, job);
}

static int drv_submit(void *ctx, struct ac_device *dev, const struct ac_job *job)
{
        struct sim_device *d = ctx;
        if (d->plat->buggify)
                return submit_watched(d, dev, job);
        return drv_submit_plain(ctx, dev, job);
}

static void drv_abort(void *ctx, struct ac_device *dev, uint64_t tag)
{
        struct sim_device *d = ctx;
        device_model_abort(d->model, tag);
}

static void drv_probe(void *ctx, struct ac_device *dev)
{
        struct sim_device *d = ctx;
        if (device_model_working(d->model))
                ac_device_recovered(dev);
        /* the core calls probe from its own timer; the timer's event runs
         * the observer */
}

static const struct ac_driver_ops sim_driver_ops = {
    .name = "sim-model",
    .submit = drv_submit,
    .abort = drv_abort,
    .probe = drv_probe,
};

static const struct ac_driver_ops sim_plain_driver_ops = {
    .name = "sim-model",
    .submit = drv_submit_plain,
    .abort = drv_abort,
    .probe = drv_probe,
};

/* ---- devices: the model's reports (model -> core) --------------------- */

/* buggify: the late duplicate of a completion comes. */
static void late_complete(struct sim_loop *loop, struct sim_event *ev)
{
        struct sim_device *d = sim_container_of(ev, struct sim_device, late);
        (void)loop;
        ac_device_complete(d->dev, d->late_tag, d->late_status);
        after_core(d->plat);
}

/* A completion with fault points on, or in a checked run. Out of line, so
 * that the path of every other completion is a tail call. */
__attribute__((noinline)) static void complete_watched(struct sim_device *d, uint64_t tag, int rc)
{
        struct sim_platform *p = d->plat;
        if (!p->buggify) {
                ac_device_complete(d->dev, tag, rc);
                after_core(p);
                return;
        }
        if (buggify(p)) /* a stale tag: the slot's previous generation */
                ac_device_complete(d->dev, tag - ((uint64_t)1 << 32), rc);
        ac_device_complete(d->dev, tag, rc);
        if (buggify(p)) /* the same completion twice */
                ac_device_complete(d->dev, tag, rc);
        if (!sim_pending(&d->late) && buggify(p)) { /* and once more, later */
                d->late_tag = tag;
                d->late_status = rc;
                sim_schedule(p->loop, &d->late,
                             sim_now(p->loop) + 1 + gsl_rng_uniform_int(p->buggify, 1000000));
        }
        after_core(p);
}

static void model_complete(void *ctx, uint64_t tag, int status)
{
        struct sim_device *d = ctx;
        const struct sim_platform *p = d->plat;
        int rc = sim_device_status(status);
        if (p->buggify || p->after) {
                complete_watched(d, tag, rc);
                return;
        }
        ac_device_complete(d->dev, tag, rc); /* no fault points, no checks: every stage */
}

static void model_failed(void *ctx, int reason)
{
        struct sim_device *d = ctx;
        ac_device_failed(d->dev, sim_device_status(reason));
        after_core(d->plat);
}

static void model_recovered(void *ctx)
{
        struct sim_device *d = ctx;
        ac_device_recovered(d->dev);
        after_core(d->plat);
}

static void model_removed(void *ctx)
{
        struct sim_device *d = ctx;
        ac_device_removed(d->dev);
        after_core(d->plat);
}

static const struct device_model_ops sim_model_ops = {
    .complete = model_complete,
    .failed = model_failed,
    .recovered = model_recovered,
    .removed = model_removed,
};

/* A plain device's reports (no fault points, no after): ctx is the core's
 * device, so a stage's report reads nothing of the struct sim_device. */
static void plain_complete(void *ctx, uint64_t tag, int status)
{
        ac_device_complete(ctx, tag, sim_device_status(status));
}

static void plain_failed(void *ctx, int reason)
{
        ac_device_failed(ctx, sim_device_status(reason));
}

static void plain_recovered(void *ctx)
{
        ac_device_recovered(ctx);
}

static void plain_removed(void *ctx)
{
        ac_device_removed(ctx);
}

static const struct device_model_ops sim_plain_model_ops = {
    .complete = plain_complete,
    .failed = plain_failed,
    .recovered = plain_recovered,
    .removed = plain_removed,
};

/* ---- devices: life ---------------------------------------------------- */

static gsl_rng *stream(uint64_t seed, const char *device, const char *purpose)
{
        char name[256];
        snprintf(name, sizeof(name), "device/%s/%s", device, purpose);
        return sim_rng_stream(seed, name);
}

static void free_streams(struct sim_device *d)
{
        if (d->service)
                gsl_rng_free(d->service);
        if (d->faults)
                gsl_rng_free(d->faults);
        for (size_t i = 0; d->failures && i < d->nfailures; i++)
                if (d->failures[i])
                        gsl_rng_free(d->failures[i]);
        free(d->failures);
        d->service = d->faults = NULL;
        d->failures = NULL;
}

int sim_device_attach(struct sim_device *d, struct sim_platform *p, struct ac_engine *eng,
                      const struct device_config *cfg, bool fallback, uint32_t weight,
                      uint64_t seed)
{
        *d = (struct sim_device){.plat = p, .nfailures = cfg->nfailures};
        sim_event_init(&d->late, late_complete);
        memset(d->op_index, SIM_DEVICE_NO_OP, sizeof(d->op_index));
        if (cfg->nops > SIM_DEVICE_NO_OP)
                return AC_EINVAL;
        d->service = stream(seed, cfg->name, "service");
        d->faults = stream(seed, cfg->name, "faults");
        d->failures = calloc(cfg->nfailures ? cfg->nfailures : 1, sizeof(*d->failures));
        bool ok = d->service && d->faults && d->failures;
        for (size_t i = 0; ok && i < cfg->nfailures; i++) {
                char purpose[32];
                snprintf(purpose, sizeof(purpose), "failure/%zu", i);
                d->failures[i] = stream(seed, cfg->name, purpose);
                ok = d->failures[i] != NULL;
        }
        if (!ok) {
                free_streams(d);
                return AC_ENOMEM;
        }
        struct device_model_rngs rngs = {
            .service = d->service, .failures = d->failures, .faults = d->faults};
        int rc = device_model_create(p->loop, cfg, &rngs, &sim_model_ops, d, &d->model);
        if (rc != DEVICE_OK) {
                free_streams(d);
                return sim_device_status(rc);
        }

        /* Map the ops before registering: registration may already hand
         * the device backlogged stages. */
        const char **names = calloc(cfg->nops, sizeof(*names));
        if (!names) {
                sim_device_detach(d);
                return AC_ENOMEM;
        }
        for (size_t i = 0; i < cfg->nops; i++) {
                names[i] = cfg->ops[i].name;
                int id = ac_op_intern(eng, names[i]);
                if (id < 0) {
                        free(names);
                        sim_device_detach(d);
                        return id;
                }
                d->op_index[id] = (uint8_t)i;
        }
        /* with the fault points off and no checks, the plain driver and
         * reports (platform.h); the model reports to d until registered */
        bool plain = !p->buggify && !p->after;
        struct ac_device_config dc = {
            .name = cfg->name,
            .ops = names,
            .nops = cfg->nops,
            .ring = cfg->ring,
            .weight = weight,
            .fallback = fallback,
            .driver = plain ? &sim_plain_driver_ops : &sim_driver_ops,
            .driver_ctx = d,
        };
        rc = ac_device_register(eng, &dc, &d->dev);
        free(names);
        if (rc < 0) {
                sim_device_detach(d);
                return rc;
        }
        if (plain)
                device_model_report_to(d->model, &sim_plain_model_ops, d->dev);
        return 0;
}

void sim_device_detach(struct sim_device *d)
{
        if (sim_pending(&d->late))
                sim_cancel(d->plat->loop, &d->late);
        device_model_destroy(d->model);
        d->model = NULL;
        free_streams(d);
        d->dev = NULL;
}

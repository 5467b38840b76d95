/*
 * tdev.c - scriptable test devices (see tdev.h).
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "support/tdev.h"

static int tdev_submit(void *ctx, struct ac_device *dev, const struct ac_job *job)
{
        struct tdev *d = ctx;
        cr_assert_eq(dev, d->dev);
        if (d->refuse < 0)
                return d->refuse;
        cr_assert_lt(d->outstanding, d->ring, "%s: ring bound %u exceeded",
                     d->dev ? ac_device_name(dev) : "?", d->ring);
        if (d->njobs == d->capjobs) {
                d->capjobs = d->capjobs ? d->capjobs * 2 : 64;
                d->jobs = realloc(d->jobs, d->capjobs * sizeof(*d->jobs));
                cr_assert_not_null(d->jobs);
        }
        d->jobs[d->njobs++] = (struct tdev_job){
            .tag = job->tag,
            .op = job->op,
            .bytes = job->bytes,
            .priority = job->priority,
            .flow = job->flow,
            .req = job->req,
            .stage = job->stage,
            .at_ns = d->tp->now,
        };
        d->outstanding++;
        if (d->outstanding > d->max_outstanding)
                d->max_outstanding = d->outstanding;
        if (d->complete_inline)
                tdev_complete(d, d->njobs - 1, d->inline_status);
        else if (d->on_submit) {
                size_t i = d->njobs - 1;
                int rc = d->on_submit(d, i);
                if (rc < 0 && !d->jobs[i].done) {
                        d->jobs[i].done = true;
                        d->outstanding--;
                        return rc;
                }
        }
        return 0;
}

static void tdev_abort(void *ctx, struct ac_device *dev, uint64_t tag)
{
        struct tdev *d = ctx;
        for (size_t i = 0; i < d->njobs; i++) {
                struct tdev_job *j = &d->jobs[i];
                if (j->tag == tag && !j->done) {
                        j->done = j->aborted = true;
                        d->outstanding--;
                        d->aborts++;
                        return;
                }
        }
        cr_assert_fail("%s: abort of an unknown tag", ac_device_name(dev));
}

static void tdev_probe(void *ctx, struct ac_device *dev)
{
        struct tdev *d = ctx;
        /* With a lock, the probe runs under it: no entry point from here. */
        if (!d->tp->locking)
                cr_assert_eq(ac_device_health(dev), AC_DEV_FAILED,
                             "only failed devices are probed");
        d->probes++;
        if (d->probe_heals)
                ac_device_recovered(dev);
}

static const struct ac_driver_ops tdev_driver = {
    .name = "tdev",
    .submit = tdev_submit,
    .abort = tdev_abort,
};

static const struct ac_driver_ops tdev_driver_probe = {
    .name = "tdev-probe",
    .submit = tdev_submit,
    .abort = tdev_abort,
    .probe = tdev_probe,
};

int tdev_add(struct tdev *d, struct ac_engine *eng, struct tp *tp, const struct tdev_spec *spec)
{
        *d = (struct tdev){.tp = tp, .ring = spec->ring ? spec->ring : 1};
        size_t nops = 0;
        while (nops < TDEV_MAX_OPS && spec->ops[nops])
                nops++;
        struct ac_device_config cfg = {
            .name = spec->name,
            .ops = spec->ops,
            .nops = nops,
            .ring = d->ring,
            .weight = spec->weight,
            .fallback = spec->fallback,
            .driver = spec->probe ? &tdev_driver_probe : &tdev_driver,
            .driver_ctx = d,
        };
        return ac_device_register(eng, &cfg, &d->dev);
}

void tdev_fini(struct tdev *d)
{
        free(d->jobs);
        d->jobs = NULL;
        d->njobs = d->capjobs = 0;
}

void tdev_complete(struct tdev *d, size_t i, int status)
{
        cr_assert_lt(i, d->njobs);
        struct tdev_job *j = &d->jobs[i];
        cr_assert(!j->done, "job %zu completed twice", i);
        j->done = true;
        d->outstanding--;
        ac_device_complete(d->dev, j->tag, status);
}

void tdev_complete_stale(struct tdev *d, size_t i, int status)
{
        cr_assert_lt(i, d->njobs);
        cr_assert(d->jobs[i].done, "job %zu is still pending", i);
        ac_device_complete(d->dev, d->jobs[i].tag, status);
}

void tdev_complete_at(struct tdev *d, size_t i, int status, uint64_t when)
{
        tp_advance_to(d->tp, when);
        tdev_complete(d, i, status);
}

size_t tdev_oldest(struct tdev *d)
{
        while (d->next < d->njobs && d->jobs[d->next].done)
                d->next++;
        for (size_t i = d->next; i < d->njobs; i++)
                if (!d->jobs[i].done && !d->jobs[i].hung)
                        return i;
        return SIZE_MAX;
}

bool tdev_complete_next(struct tdev *d, int status)
{
        size_t i = tdev_oldest(d);
        if (i == SIZE_MAX)
                return false;
        tdev_complete(d, i, status);
        return true;
}

size_t tdev_complete_all(struct tdev *d, int status)
{
        size_t n = 0;
        while (tdev_complete_next(d, status))
                n++;
        return n;
}

size_t tdev_pending(const struct tdev *d)
{
        return d->outstanding;
}

/*
 * failover.c - what the core does when devices misbehave, come and go: the
 * retry budget, the per-stage watchdog, the health of a device (healthy ->
 * failed -> probed -> healthy; draining -> gone), moving work off a device,
 * and giving work back from a fallback device when hardware returns.
 *
 *   core_stage_error     an error completion or refusal: count, maybe fail
 *                        the device, retry the stage or end the request
 *   core_watchdog_fire   a stage outlived failover.timeout_ns: the device
 *                        hangs; take the stage back, fail the device, retry
 *   ac_device_failed     the device says so: fail it
 *   core_probe_fire      every probe_ns while failed: driver->probe
 *   ac_device_recovered  back to service; fallback devices give work back
 *   ac_device_unregister queued stages move now, in-flight after drain_ns
 *   ac_device_removed    everything moves now; gone for good
 *
 * The budget: a request may make failover.retries attempts in all beyond
 * the first attempt of each stage. An attempt is spent when a stage that
 * was handed to a device does not complete ok there: an error completion, a
 * refusal, a watchdog expiry, or an in-flight stage taken back because its
 * device failed, was removed or missed its drain deadline. Moving a queued
 * stage costs nothing: it never reached a device. So a request is handed to
 * devices at most nstages + retries times, and a flapping device cannot
 * keep a request alive for ever. A stage taken back from a device keeps
 * its ring slot's old tag, whose generation has moved on: if the device
 * completes it after all, the completion is counted late and ignored.
 */
#include "core.h"

static inline uint64_t slot_tag(const struct ac_device *dev, const struct ac_slot *s)
{
        return (uint64_t)(s - dev->slots) | (uint64_t)s->generation << 32;
}

/* Tells dev's driver that the stage with `tag`, taken back from slot s,
 * is given up, and only then frees the slot: a driver that reports its
 * device recovered from inside abort is never handed more than `ring`
 * stages. */
static void abort_stage(struct ac_device *dev, struct ac_slot *s, uint64_t tag)
{
        if (dev->driver->abort)
                dev->driver->abort(dev->driver_ctx, dev, tag);
        core_slot_release(dev, s);
}

/* Takes the stage in slot s back from dev and tells the driver. Returns
 * its request. */
static struct ac_request *take_back(struct ac_engine *eng, struct ac_device *dev, struct ac_slot *s)
{
        uint64_t tag = slot_tag(dev, s);
        struct ac_request *req = core_stage_recall(eng, dev, s);
        abort_stage(dev, s, tag);
        return req;
}

/* Spends one attempt of req's budget and routes its current stage again,
 * or, with the budget spent, ends the request with status. */
static void retry(struct ac_engine *eng, struct ac_request *req, int status)
{
        if (req->retries >= eng->cfg.failover.retries) {
                core_finish(eng, req, status, core_now(eng));
                return;
        }
        req->retries++;
        eng->stats.retried++;
        /* It has waited its turn once: the head of its level, as Linux's
         * crypto_enqueue_request_head. */
        core_reroute(eng, req, NULL, true);
}

/* An in-flight stage may be taken back from dev only when its driver can
 * be told (abort: after it returns, the device no longer touches the
 * request) or the device is unplugged. A driver without abort may still be
 * working on the stage, in place, in the caller's buffers: the stage stays
 * with it until it answers, so the request is never finished, nor its
 * stage applied elsewhere, while the device may still touch it. */
static bool may_take_back(const struct ac_device *dev)
{
        return dev->driver->abort || dev->unplugged;
}

static void count_move(struct ac_engine *eng, struct ac_device *dev, struct ac_request *req)
{
        dev->stats.migrated_out++;
        eng->stats.migrated++;
        req->migrations++;
}

/* Moves dev's queued stages, and its in-flight ones when `in_flight`, to
 * other devices. In-flight stages first, since they were dispatched before
 * any queued one; each is a lost attempt and spends one retry.
 *
 * Everything is detached before anything moves: placing a stage calls
 * drivers, and a driver may report dev recovered from there (or from the
 * abort op), after which dev is a candidate again. Moving from a snapshot
 * moves each stage dev held once, and never what it took after. */
static void evacuate(struct ac_engine *eng, struct ac_device *dev, bool in_flight)
{
        struct ac_request *lost = NULL, **lost_tail = &lost;
        struct ac_request *queued = NULL, **queued_tail = &queued;
        struct ac_request *req;
        for (uint32_t i = 0; in_flight && may_take_back(dev) && i < dev->view.ring; i++) {
                struct ac_slot *s = &dev->slots[i];
                if (!s->req)
                        continue;
                uint64_t tag = slot_tag(dev, s);
                req = core_stage_recall(eng, dev, s);
                req->core.tag = tag; /* for the abort below */
                core_trace_stage(eng, AC_STAGE_RECALLED, dev, req, tag, 0, core_now(eng));
                count_move(eng, dev, req);
                dev->stats.recalled++;
                req->core.next = NULL;
                *lost_tail = req;
                lost_tail = &req->core.next;
        }
        while ((req = queue_peek(&dev->queue, 0, 0)) != NULL) {
                core_stage_unqueue(eng, dev, req);
                core_trace_stage(eng, AC_STAGE_MOVED, dev, req, 0, 0, core_now(eng));
                count_move(eng, dev, req);
                req->core.next = NULL;
                *queued_tail = req;
                queued_tail = &req->core.next;
        }
        while ((req = lost) != NULL) {
                lost = req->core.next;
                req->core.next = NULL;
                uint64_t tag = req->core.tag;
                req->core.tag = 0;
                abort_stage(dev, &dev->slots[(uint32_t)tag], tag);
                retry(eng, req, AC_EIO);
        }
        while ((req = queued) != NULL) {
                queued = req->core.next;
                req->core.next = NULL;
                core_reroute(eng, req, NULL, false);
        }
        /* Reported recovered from inside an abort: the slots freed since
         * are its to fill. */
        if (dev->view.health == AC_DEV_HEALTHY)
                core_ring_fill(eng, dev);
        core_health_changed(eng);
}

/* ---- failover work, one loop ----------------------------------------- */

/* Moving work off a device places stages, which calls drivers, which may
 * refuse (an error that fails another device) or report another device
 * failed: failover sets off more failover. Done where it is set off, that
 * is a recursion as deep as the cascade (one frame chain per failing
 * device). Instead, failover work begun while some is already under way
 * further up the stack (eng->recovering) goes on the engine's lists, and
 * the outermost one runs them to the end: devices to move work off first,
 * then stages to retry, each in the order they came. */

static void evac_push(struct ac_engine *eng, struct ac_device *dev, bool in_flight)
{
        dev->evac_in_flight |= in_flight;
        if (dev->evac_pending)
                return;
        dev->evac_pending = true;
        dev->evac_next = NULL;
        if (eng->evac_tail)
                eng->evac_tail->evac_next = dev;
        else
                eng->evac_head = dev;
        eng->evac_tail = dev;
}

static void retry_push(struct ac_engine *eng, struct ac_request *req, int status)
{
        req->core.status = status;
        req->core.next = NULL;
        if (eng->retry_tail)
                eng->retry_tail->core.next = req;
        else
                eng->retry_head = req;
        eng->retry_tail = req;
}

/* Runs the failover work left on the lists until none is left. */
static void settle(struct ac_engine *eng)
{
        for (;;) {
                struct ac_device *dev = eng->evac_head;
                if (dev) {
                        eng->evac_head = dev->evac_next;
                        if (!eng->evac_head)
                                eng->evac_tail = NULL;
                        bool in_flight = dev->evac_in_flight;
                        dev->evac_pending = dev->evac_in_flight = false;
                        /* Back in service meanwhile (its driver said so):
                         * what it holds now is its own again. */
                        if (dev->view.health != AC_DEV_HEALTHY)
                                evacuate(eng, dev, in_flight);
                        continue;
                }
                struct ac_request *req = eng->retry_head;
                if (!req)
                        return;
                eng->retry_head = req->core.next;
                if (!eng->retry_head)
                        eng->retry_tail = NULL;
                req->core.next = NULL;
                retry(eng, req, (int)req->core.status);
        }
}

/* Moves dev's work off (when dev is not NULL; its in-flight stages too
 * when `in_flight`), then retries req's stage (when req is not NULL) with
 * status for an exhausted budget: now, when no failover work is under way
 * further up the stack, else on its lists. */
static void move_off(struct ac_engine *eng, struct ac_device *dev, bool in_flight,
                     struct ac_request *req, int status)
{
        if (eng->recovering) {
                if (dev)
                        evac_push(eng, dev, in_flight);
                if (req)
                        retry_push(eng, req, status);
                return;
        }
        eng->recovering = true;
        if (dev)
                evacuate(eng, dev, in_flight);
        if (req)
                retry(eng, req, status);
        settle(eng);
        eng->recovering = false;
}

/* ---- the health of a device ------------------------------------------- */

/* Declares a healthy dev failed: it takes no work and is probed. The
 * caller moves its work off (evacuate). */
static void mark_failed(struct ac_engine *eng, struct ac_device *dev)
{
        uint64_t now = core_now(eng);
        dev->view.health = AC_DEV_FAILED;
        dev->failed_since = now;
        dev->errors_in_row = 0;
        core_busy_clear(eng, dev);
        dev->stats.failures++;
        /* Without a probe op only the device itself can say it is back. */
        if (eng->cfg.failover.probe_ns && dev->driver->probe && !eng->closing)
                core_timer_arm(eng, dev->probe, core_deadline(now, eng->cfg.failover.probe_ns));
        core_notify(eng, dev);
}

/* Ends a failed period: failed_ns grows, probing stops. */
static void end_failed(struct ac_engine *eng, struct ac_device *dev)
{
        dev->stats.failed_ns += core_now(eng) - dev->failed_since;
        core_timer_cancel(eng, dev->probe);
}

void core_stage_error(struct ac_engine *eng, struct ac_device *dev, struct ac_request *req)
{
        bool down = dev->view.health == AC_DEV_HEALTHY &&
                    ++dev->errors_in_row >= eng->cfg.failover.errors_to_fail;
        /* dev's other work moves before req is placed again: placing calls
         * drivers, which may report dev recovered, and what dev takes after
         * that is not to be moved. req, retried last, goes first. */
        if (down) {
                mark_failed(eng, dev);
                core_trace_device(eng, dev, AC_DEVICE_FAILED, AC_FAIL_ERRORS, AC_EIO);
        }
        move_off(eng, down ? dev : NULL, true, req, AC_EIO);
}

void core_watchdog_expired(struct ac_engine *eng, struct ac_device *dev, struct ac_slot *s)
{
        /* The arming is current (core_timer_fire), so a stage is in the
         * slot: the watchdog is cancelled whenever one leaves it. */
        bool due = s->req != NULL;
        if (due && !may_take_back(dev)) {
                /* Hung, but the stage cannot be taken back: it stays until
                 * the device answers or is removed. The device takes no
                 * more, and its queued stages move. */
                eng->stats.timeouts++;
                if (dev->view.health == AC_DEV_HEALTHY) {
                        mark_failed(eng, dev);
                        core_trace_device(eng, dev, AC_DEVICE_FAILED, AC_FAIL_WATCHDOG,
                                          AC_ETIMEDOUT);
                        move_off(eng, dev, false, NULL, 0);
                }
        } else if (due) {
                /* A stage that outlives its timeout means hung hardware,
                 * not a slow stage: the device fails at once, and its other
                 * stages, likely hung too, move now rather than one by one
                 * as their own watchdogs expire. */
                uint64_t tag = slot_tag(dev, s);
                struct ac_request *req = take_back(eng, dev, s);
                dev->stats.timeouts++;
                eng->stats.timeouts++;
                core_trace_stage(eng, AC_STAGE_TIMED_OUT, dev, req, tag, 0, core_now(eng));
                bool down = dev->view.health == AC_DEV_HEALTHY;
                if (down) {
                        mark_failed(eng, dev);
                        core_trace_device(eng, dev, AC_DEVICE_FAILED, AC_FAIL_WATCHDOG,
                                          AC_ETIMEDOUT);
                } else {
                        core_device_drained(eng, dev);
                }
                /* dev's work first: see core_stage_error */
                move_off(eng, down ? dev : NULL, true, req, AC_ETIMEDOUT);
        }
}

void core_probe_due(struct ac_engine *eng, struct ac_device *dev)
{
        if (dev->view.health == AC_DEV_FAILED && !eng->closing) {
                /* Re-armed first: the driver may answer inside probe. */
                core_timer_arm(eng, dev->probe,
                               core_deadline(core_now(eng), eng->cfg.failover.probe_ns));
                core_trace_device(eng, dev, AC_DEVICE_PROBING, AC_FAIL_NONE, 0);
                dev->driver->probe(dev->driver_ctx, dev);
        }
}

void ac_device_failed(struct ac_device *dev, int reason)
{
        struct ac_engine *eng = dev->eng;
        core_enter(eng);
        if (dev->view.health == AC_DEV_HEALTHY) {
                mark_failed(eng, dev);
                core_trace_device(eng, dev, AC_DEVICE_FAILED, AC_FAIL_REPORTED, reason);
                move_off(eng, dev, true, NULL, 0);
        } else if (dev->view.health == AC_DEV_DRAINING) {
                /* Its in-flight stages will not finish now: move them. */
                dev->stats.failures++;
                dev->view.health = AC_DEV_GONE;
                core_device_gone(eng, dev);
                core_timer_cancel(eng, dev->drain);
                core_notify(eng, dev);
                core_trace_device(eng, dev, AC_DEVICE_FAILED, AC_FAIL_REPORTED, reason);
                core_trace_device(eng, dev, AC_DEVICE_REMOVED, AC_FAIL_NONE, 0);
                move_off(eng, dev, true, NULL, 0);
        }
        core_leave(eng);
}

/* Moves the queued stages of every healthy fallback device that hardware
 * dev can do back through the balancer (which now prefers dev). They are
 * detached first, so that nothing placed meanwhile is moved twice. */
void core_give_back(struct ac_engine *eng, struct ac_device *dev)
{
        uint64_t caps = dev->view.capabilities;
        for (size_t i = 0; i < eng->nfallbacks; i++) {
                struct ac_device *f = eng->fallbacks[i];
                if (!f->view.fallback || f->view.health != AC_DEV_HEALTHY ||
                    !(f->view.capabilities & caps))
                        continue;
                core_trace_device(eng, f, AC_DEVICE_FALLBACK_GIVEN_BACK, AC_FAIL_NONE, 0);
                if (!f->view.queued)
                        continue;
                struct ac_request *moved = NULL, **tail = &moved;
                for (uint32_t mask = f->queue.mask; mask; mask &= mask - 1) {
                        struct ac_request *r = f->queue.lvl[__builtin_ctz(mask)].head;
                        while (r) {
                                struct ac_request *next = r->core.next;
                                if (caps & (uint64_t)1 << r->stages[r->core.stage].op) {
                                        core_stage_unqueue(eng, f, r);
                                        core_trace_stage(eng, AC_STAGE_MOVED, f, r, 0, 0,
                                                         core_now(eng));
                                        count_move(eng, f, r);
                                        *tail = r;
                                        tail = &r->core.next;
                                }
                                r = next;
                        }
                }
                while (moved) {
                        struct ac_request *r = moved;
                        moved = r->core.next;
                        r->core.next = NULL;
                        core_reroute(eng, r, NULL, false);
                }
        }
}

void ac_device_recovered(struct ac_device *dev)
{
        struct ac_engine *eng = dev->eng;
        core_enter(eng);
        if (dev->view.health == AC_DEV_FAILED) {
                end_failed(eng, dev);
                dev->view.health = AC_DEV_HEALTHY;
                dev->errors_in_row = 0;
                core_notify(eng, dev);
                core_trace_device(eng, dev, AC_DEVICE_RECOVERED, AC_FAIL_NONE, 0);
                core_backlog_pull(eng, dev);
                if (!dev->view.fallback)
                        core_give_back(eng, dev);
        }
        core_leave(eng);
}

void core_device_drained(struct ac_engine *eng, struct ac_device *dev)
{
        if (dev->view.health == AC_DEV_DRAINING && dev->view.in_flight == 0) {
                dev->view.health = AC_DEV_GONE;
                core_device_gone(eng, dev);
                core_timer_cancel(eng, dev->drain);
                core_notify(eng, dev);
                core_trace_device(eng, dev, AC_DEVICE_REMOVED, AC_FAIL_NONE, 0);
        }
}

void core_drain_due(struct ac_engine *eng, struct ac_device *dev)
{
        /* A driver without abort keeps its stages until they answer (see
         * may_take_back): the device stays draining until then. */
        if (dev->view.health == AC_DEV_DRAINING && may_take_back(dev)) {
                /* The deadline passed: what is still in flight moves. */
                dev->view.health = AC_DEV_GONE;
                core_device_gone(eng, dev);
                core_notify(eng, dev);
                core_trace_device(eng, dev, AC_DEVICE_REMOVED, AC_FAIL_NONE, 0);
                move_off(eng, dev, true, NULL, 0);
        }
}

/* Takes dev out of service for good. Its queued stages move now; its
 * in-flight ones too, unless they may drain until drain_ns from now. A
 * draining device can still be removed at once. */
static void take_out(struct ac_engine *eng, struct ac_device *dev, bool drain, uint64_t drain_ns)
{
        enum ac_health h = dev->view.health;
        if (h == AC_DEV_GONE || (h == AC_DEV_DRAINING && drain))
                return;
        if (h == AC_DEV_FAILED)
                end_failed(eng, dev);
        if (h == AC_DEV_DRAINING)
                core_timer_cancel(eng, dev->drain);
        dev->view.health = drain ? AC_DEV_DRAINING : AC_DEV_GONE;
        dev->unplugged = !drain;
        if (!drain)
                core_device_gone(eng, dev);
        core_busy_clear(eng, dev);
        core_notify(eng, dev);
        core_trace_device(eng, dev, drain ? AC_DEVICE_DRAINING : AC_DEVICE_REMOVED, AC_FAIL_NONE,
                          0);
        move_off(eng, dev, !drain, NULL, 0);
        if (drain && dev->view.in_flight > 0)
                core_timer_arm(eng, dev->drain, core_deadline(core_now(eng), drain_ns));
        core_device_drained(eng, dev);
}

int ac_device_unregister(struct ac_device *dev, uint64_t drain_ns)
{
        if (!dev)
                return AC_EINVAL;
        struct ac_engine *eng = dev->eng;
        core_enter(eng);
        int rc = dev->view.health == AC_DEV_GONE ? AC_EINVAL : 0;
        take_out(eng, dev, true, drain_ns ? drain_ns : eng->cfg.failover.drain_ns);
        core_leave(eng);
        return rc;
}

void ac_device_removed(struct ac_device *dev)
{
        struct ac_engine *eng = dev->eng;
        core_enter(eng);
        take_out(eng, dev, false, 0);
        core_leave(eng);
}

void core_device_unplug(struct ac_engine *eng, struct ac_device *dev)
{
        if (dev->view.health != AC_DEV_GONE) {
                take_out(eng, dev, false, 0);
                return;
        }
        /* Gone, but a driver without abort still held stages (failed while
         * draining): they may move now. */
        if (!dev->unplugged) {
                dev->unplugged = true;
                if (dev->view.in_flight > 0)
                        move_off(eng, dev, true, NULL, 0);
        }
}

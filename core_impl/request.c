/*
 * request.c - the path of a request through the core.
 *
 *   ac_submit          validate, then place stage 0
 *   place              candidates -> balancer -> device queue, or backlog
 *   core_ring_fill     device queue -> ring slot -> driver->submit
 *   ac_device_complete ring slot freed -> next stage, a retry (failover.c)
 *                      or the final status; refill the ring; let the
 *                      backlog in
 *   core_leave         unlock, then run due callbacks
 *
 * Nothing here allocates: requests are the caller's and linked through
 * req->core; ring slots were allocated at registration; the candidate array
 * is the engine's scratch. Operations are compared as bits, never as names.
 *
 * Callbacks: a request whose final status is known goes on the engine's
 * done list with its state already settled (counters, queues, rings). The
 * outermost entry point under way releases the lock and then runs the done
 * list, one callback at a time with the lock released, so a callback may
 * call ac_submit(). An entry point nested in another (a driver completing
 * inside submit) runs none: the outer one may still be reading a request
 * whose callback is due, and the callback may free it. If a callback is
 * already running further up the stack (or on another thread), the new ones
 * are left to that runner, so nested submits never recurse into callbacks.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core.h"

#define EWMA_SHIFT 3 /* moving averages weigh a new sample 1/8 */

static inline uint64_t op_bit(uint32_t op)
{
        return (uint64_t)1 << op;
}

static inline const struct ac_stage *current_stage(const struct ac_request *req)
{
        return &req->stages[req->core.stage];
}

static inline bool queue_has_room(const struct ac_device *dev)
{
        return dev->view.queued < dev->view.queue_depth;
}

/* True when dev's ring can take a stage now. A slot may be out of use yet
 * not free: its stage is being taken back and the driver not told yet
 * (failover.c). */
static inline bool ring_ready(const struct ac_device *dev)
{
        return dev->free_slot != AC_SLOT_NONE && dev->view.health == AC_DEV_HEALTHY && !dev->busy;
}

/* ---- callbacks ------------------------------------------------------- */

void core_release(struct ac_engine *eng, struct ac_request *req)
{
        if (req->core.status == 0)
                eng->stats.completed++;
        else
                eng->stats.failed++;
        req->core.next = NULL;
        if (eng->done_tail)
                eng->done_tail->core.next = req;
        else
                eng->done_head = req;
        eng->done_tail = req;
}

void core_finish(struct ac_engine *eng, struct ac_request *req, int status, uint64_t now)
{
        struct ac_level_stats *ls = &eng->levels[req->priority];
        req->completed_ns = now;
        req->core.state = AC_REQ_DONE;
        req->core.device = NULL;
        req->core.status = status;
        if (status == 0)
                ls->completed++;
        else
                ls->failed++;
        if (eng->flows)
                core_flow_done(eng, req);
        else
                core_release(eng, req);
}

static struct ac_request *done_pop(struct ac_engine *eng)
{
        struct ac_request *req = eng->done_head;
        if (req) {
                eng->done_head = req->core.next;
                if (!eng->done_head)
                        eng->done_tail = NULL;
                req->core.next = NULL;
                req->core.state = AC_REQ_IDLE;
        }
        return req;
}

/* The runner (eng->draining set, lock not held): runs the callback of
 * req, which its caller popped off the done list under the lock, then the
 * rest of the list, one callback at a time with the lock released, until
 * it is empty. The last thing it does to the engine is to release the
 * lock. */
static void run_callbacks(struct ac_engine *eng, struct ac_request *req)
{
        for (;;) {
                /* From here the request is the caller's again. */
                req->done(req, (int)req->core.status);
                core_lock(eng);
                req = done_pop(eng);
                if (!req) {
                        eng->draining = false;
                        core_idle_check(eng);
                }
                core_unlock(eng);
                if (!req)
                        return;
        }
}

/* The platform's completion context (its defer op). */
static void run_deferred(void *arg)
{
        struct ac_engine *eng = arg;
        core_lock(eng);
        eng->deferred = false;
        struct ac_request *first = NULL;
        if (eng->done_head && !eng->draining) {
                eng->draining = true;
                first = done_pop(eng);
        } else {
                core_idle_check(eng);
        }
        core_unlock(eng);
        if (first)
                run_callbacks(eng, first);
}

void core_leave(struct ac_engine *eng)
{
        /* A nested entry point (a driver answering inside submit) leaves the
         * callbacks to the outermost one: the caller of that one may still
         * be using a request whose callback is due. */
        bool run = --eng->depth == 0 && eng->done_head && !eng->draining;
        if (run && eng->platform.ops->defer) {
                /* The platform runs them, on its completion context. */
                run = false;
                if (!eng->deferred) {
                        eng->deferred = true;
                        eng->platform.ops->defer(eng->platform.ctx, run_deferred, eng);
                }
        }
        if (eng->depth == 0) {
                core_live_compact(eng); /* no scan of the devices under way */
                core_reap(eng);
        }
        /* The runner's first request is popped under this entry point's
         * lock: one lock pair fewer for the usual single callback. */
        struct ac_request *first = NULL;
        if (run) {
                eng->draining = true;
                first = done_pop(eng);
        } else if (eng->depth == 0) {
                core_idle_check(eng);
        }
        core_unlock(eng);
        if (first)
                run_callbacks(eng, first);
}

/* ---- placing a stage -------------------------------------------------- */

/* What a stage of `bytes` queued on dev changes in req and dev's view,
 * the trees told; the queue's links and the engine's counts are the
 * caller's (queue_stage, pass_queue). */
static inline void view_queued(struct ac_engine *eng, struct ac_device *dev, struct ac_request *req,
                               uint64_t bytes)
{
        req->core.state = AC_REQ_QUEUED;
        req->core.device = dev;
        dev->view.queued_bytes += bytes; /* before the trees read it */
        core_eligible_touch(eng, dev, ++dev->view.queued == dev->view.queue_depth);
}

/* The other way: returns true when dev's queue was full and has room now
 * (the trees not told). */
static inline bool view_unqueued(struct ac_device *dev, uint64_t bytes)
{
        bool room = dev->view.queued-- == dev->view.queue_depth;
        dev->view.queued_bytes -= bytes;
        return room;
}

/* Puts req's current stage in dev's queue, at the head of its level when
 * `head`; now is the caller's reading of the clock, which the QUEUED
 * point carries. */
static void queue_stage(struct ac_engine *eng, struct ac_device *dev, struct ac_request *req,
                        bool head, uint64_t now)
{
        if (head)
                queue_push_head(&dev->queue, req, req->priority);
        else
                queue_push_tail(&dev->queue, req, req->priority);
        view_queued(eng, dev, req, current_stage(req)->bytes);
        eng->stats.queued++;
        eng->levels[req->priority].queued++;
        core_trace_stage(eng, AC_STAGE_QUEUED, dev, req, 0, 0, now);
}

static void enqueue(struct ac_engine *eng, struct ac_device *dev, struct ac_request *req, bool head,
                    uint64_t now)
{
        queue_stage(eng, dev, req, head, now);
        dev->enqueued++;
}

static void backlog_push(struct ac_engine *eng, struct ac_request *req, bool head)
{
        backlog_add(&eng->backlog, req, req->priority, head);
        req->core.state = AC_REQ_BACKLOG;
        req->core.device = NULL;
        eng->stats.backlog++;
        eng->levels[req->priority].queued++;
}

/* Collects into eng->candidates the devices that may take a stage of op:
 * healthy, capable, with queue room. Fallback devices count only while no
 * other capable device is healthy. Returns the number of candidates and
 * sets *capable to the number of healthy capable devices considered. */
static size_t gather(struct ac_engine *eng, uint32_t op, size_t *capable)
{
        uint64_t bit = op_bit(op);
        size_t n = 0, healthy = 0, fallbacks = 0;
        for (size_t i = 0; i < eng->nlive; i++) {
                const struct ac_device *dev = eng->live[i];
                if (!(dev->view.capabilities & bit) || dev->view.health != AC_DEV_HEALTHY)
                        continue;
                if (dev->view.fallback) {
                        fallbacks++;
                        continue;
                }
                healthy++;
                if (queue_has_room(dev))
                        eng->candidates[n++] = &dev->view;
        }
        if (healthy == 0 && fallbacks > 0) {
                for (size_t i = 0; i < eng->nlive; i++) {
                        const struct ac_device *dev = eng->live[i];
                        if (!(dev->view.capabilities & bit) || dev->view.health != AC_DEV_HEALTHY ||
                            !dev->view.fallback)
                                continue;
                        healthy++;
                        if (queue_has_room(dev))
                                eng->candidates[n++] = &dev->view;
                }
        }
        *capable = healthy;
        return n;
}

#ifdef ACSIM_CORE_CHECKS
/* The eligible list el of op and its tree agree with gather: the same
 * candidates in the same order, the same least loaded when kept. */
static void check_index(struct ac_engine *eng, uint32_t op, const struct ac_eligible *el,
                        const struct ac_device_view *const *candidates, size_t n, size_t capable)
{
        size_t scanned_capable, scanned = gather(eng, op, &scanned_capable);
        assert(scanned == n && scanned_capable == capable);
        struct ac_pick p = {.candidates = candidates, .ncandidates = n, .index = el};
        for (size_t k = 0; k < n; k++)
                assert(eng->candidates[k] == ac_pick_candidate(&p, k));
        for (size_t k = 0; k < n; k++) {
                const struct ac_device_view *v = eng->candidates[k];
                assert(ac_pick_rank(&p, v->index) == k);
                assert(ac_pick_load(&p, k) == (uint64_t)v->queued + v->in_flight);
        }
        if (n > 0 && el->loads) {
                struct ac_pick scan = {.candidates = eng->candidates, .ncandidates = n};
                assert(ac_pick_least_loaded(&p) == ac_pick_least_loaded(&scan));
        }
}
#endif

/* True when a healthy device other than a fallback one can do op: from
 * the eligible lists when they can be had, else by a scan. */
static bool hardware_can(struct ac_engine *eng, uint32_t op)
{
        if (!eng->eligible_scan && core_eligible(eng, op))
                return eng->hardware[op].n > 0;
        for (size_t i = 0; i < eng->nlive; i++) {
                const struct ac_device *dev = eng->live[i];
                if (!dev->view.fallback && dev->view.health == AC_DEV_HEALTHY &&
                    (dev->view.capabilities & op_bit(op)))
                        return true;
        }
        return false;
}

/* With affinity, the device of the previous stage keeps the chain when it
 * can take the next one, unless it is a fallback device and hardware can. */
static bool keeps_chain(struct ac_engine *eng, const struct ac_device *prev, uint32_t op)
{
        if (!prev || !eng->cfg.affinity || !(prev->view.capabilities & op_bit(op)) ||
            prev->view.health != AC_DEV_HEALTHY || !queue_has_room(prev))
                return false;
        return !prev->view.fallback || !hardware_can(eng, op);
}

/* Asks the balancer where a stage of req goes among n candidates (the
 * array, or NULL for a sampling balancer, and the index el). It is asked
 * even with one candidate, so that stateful policies see every placement;
 * only a balancer that says its pick of one is that one and leaves nothing
 * behind (AC_BALANCER_ONE) is not (place). Returns the device. */
static struct ac_device *balancer_pick(struct ac_engine *eng, const struct ac_request *req,
                                       const struct ac_stage *st, const struct ac_device *prev,
                                       const struct ac_device_view *const *candidates, size_t n,
                                       const struct ac_eligible *el)
{
        struct ac_pick p = {
            .op = st->op,
            .bytes = st->bytes,
            .priority = req->priority,
            .flow = req->flow,
            .stage = req->core.stage,
            .previous = prev ? &prev->view : NULL,
            .candidates = candidates,
            .ncandidates = n,
            .index = el,
        };
        size_t i = eng->balancer->pick(eng->balancer_priv, &p);
        assert(i < n);
        return core_container_of(ac_pick_candidate(&p, i), struct ac_device, view);
}

static void pass_queue(struct ac_engine *eng, struct ac_device *dev, struct ac_request *req,
                       uint64_t now);

/* Places req's current stage: on a device's queue (AC_ACCEPTED), in the
 * backlog (AC_BACKLOGGED), or nowhere (AC_ENOSPC, AC_ENODEV). `admit` is
 * true for a new request, which the backlog bound applies to; a request
 * already under way always gets into the backlog, at the head of its
 * level. `head` puts it at the head of its level in the device queue too
 * (a retried stage). `prev` is the device of the previous stage, or NULL.
 * The caller has set req->core.enqueued_ns, the time its wait began (aging
 * and queued_ns count from it); now is the time it read for this placing. */
static int place(struct ac_engine *eng, struct ac_request *req, struct ac_device *prev, bool admit,
                 bool head, uint64_t now)
{
        const struct ac_stage *st = current_stage(req);
        struct ac_device *dev = NULL;

        if (keeps_chain(eng, prev, st->op)) {
                dev = prev;
        } else {
                /* The eligible list and its tree answer without a scan:
                 * while none of its queues is full the list is the
                 * candidates, in order; otherwise a balancer that samples
                 * reads them from the tree, and one that wants the array
                 * gets it gathered. */
                const struct ac_eligible *el =
                    eng->eligible_scan ? NULL : core_eligible(eng, st->op);
                const struct ac_device_view *const *candidates = eng->candidates;
                size_t capable, n;
                if (el && el->n == 0) {
                        el = NULL;
                        capable = n = 0;
                } else if (el &&
                           (el->room[1] == el->n || (eng->balancer->flags & AC_BALANCER_SAMPLES))) {
                        candidates = el->room[1] == el->n ? el->views : NULL;
                        capable = el->n;
                        n = el->room[1];
                } else {
                        el = NULL;
                        n = gather(eng, st->op, &capable);
                }
#ifdef ACSIM_CORE_CHECKS
                if (el) /* the scan finds the same, in order */
                        check_index(eng, st->op, el, candidates, n, capable);
#endif
                if (n == 0) {
                        if (capable == 0)
                                return AC_ENODEV;
                        if (admit && eng->stats.backlog >= eng->cfg.backlog)
                                return AC_ENOSPC;
                        backlog_push(eng, req, !admit);
                        return AC_BACKLOGGED;
                }
                if (n == 1 && candidates && (eng->balancer->flags & AC_BALANCER_ONE))
                        dev = core_container_of(candidates[0], struct ac_device, view);
                else
                        dev = balancer_pick(eng, req, st, prev, candidates, n, el);
        }
        if (dev->view.queued == 0 && !dev->dispatching && ring_ready(dev)) {
                pass_queue(eng, dev, req, now);
        } else {
                enqueue(eng, dev, req, head, now);
                core_ring_fill(eng, dev);
        }
        return AC_ACCEPTED;
}

/* core_reroute at time now, read by the caller. */
static void reroute_at(struct ac_engine *eng, struct ac_request *req, struct ac_device *from,
                       bool head, uint64_t now)
{
        req->core.enqueued_ns = now;
        int rc = place(eng, req, from, false, head, now);
        if (rc == AC_ENODEV)
                core_finish(eng, req, AC_ENODEV, now);
}

void core_reroute(struct ac_engine *eng, struct ac_request *req, struct ac_device *from, bool head)
{
        reroute_at(eng, req, from, head, core_now(eng));
}

/* ---- the backlog ------------------------------------------------------ */

/* Returns the operations dev may take from the backlog: all it can do,
 * except, for a fallback device, those a healthy other device does. */
static uint64_t backlog_caps(const struct ac_engine *eng, const struct ac_device *dev)
{
        uint64_t caps = dev->view.capabilities;
        if (!dev->view.fallback)
                return caps;
        for (size_t i = 0; i < eng->nlive; i++) {
                const struct ac_device *o = eng->live[i];
                if (!o->view.fallback && o->view.health == AC_DEV_HEALTHY)
                        caps &= ~o->view.capabilities;
        }
        return caps;
}

void core_backlog_pull(struct ac_engine *eng, struct ac_device *dev)
{
        if (!eng->backlog.count)
                return;
        uint64_t caps = backlog_caps(eng, dev);
        while (caps && eng->backlog.count && dev->view.health == AC_DEV_HEALTHY &&
               queue_has_room(dev)) {
                /* Independent of the backlog's length (backlog.h). */
                uint64_t now = core_now(eng);
                struct ac_request *req = backlog_next(&eng->backlog, caps, now, eng->cfg.aging_ns);
                if (!req)
                        return;
                backlog_del(&eng->backlog, req);
                eng->stats.backlog--;
                eng->levels[req->priority].queued--;
                /* enqueued_ns is kept: its wait began in the backlog. */
                int rc = place(eng, req, NULL, false, false, now);
                if (rc == AC_ENODEV)
                        core_finish(eng, req, AC_ENODEV, now);
                else if (rc == AC_BACKLOGGED)
                        return; /* not for dev after all; never spin on it */
        }
}

void core_health_changed(struct ac_engine *eng)
{
        if (!eng->backlog.count)
                return;
        uint64_t served = 0;
        for (size_t i = 0; i < eng->nlive; i++)
                if (eng->live[i]->view.health == AC_DEV_HEALTHY)
                        served |= eng->live[i]->view.capabilities;
        /* The stages of operations no healthy device does end, level by
         * level, each level in its order. */
        uint64_t dead = eng->backlog.ops & ~served;
        for (uint32_t level = 0; dead && level < AC_MAX_LEVELS; level++) {
                struct ac_request *r;
                while ((r = backlog_first(&eng->backlog, dead, level)) != NULL) {
                        backlog_del(&eng->backlog, r);
                        eng->stats.backlog--;
                        eng->levels[r->priority].queued--;
                        core_finish(eng, r, AC_ENODEV, core_now(eng));
                }
        }
        for (size_t i = 0; i < eng->nlive && eng->backlog.count; i++)
                core_backlog_pull(eng, eng->live[i]);
}

/* ---- the ring --------------------------------------------------------- */

/* A stage moves from dev's queue into its ring (core_ring_fill, which
 * tells the eligible trees: the load stays the same). */
static void busy_start(struct ac_device *dev, uint64_t now)
{
        if (dev->view.in_flight++ == 0)
                dev->busy_since = now;
}

/* The caller tells the eligible trees once the view is whole again. */
static void busy_stop(struct ac_device *dev, uint64_t now)
{
        if (--dev->view.in_flight == 0)
                dev->busy_ns += now - dev->busy_since;
}

/* The stage leaves slot s: its tag is stale from now on. The slot is not
 * free yet (core_slot_release), so that a driver told of the stage (abort)
 * before the slot is reused never holds more than `ring` stages. */
static void slot_retire(struct ac_slot *s)
{
        s->req = NULL;
        s->generation++;
}

void core_slot_release(struct ac_device *dev, struct ac_slot *s)
{
        s->next_free = dev->free_slot;
        dev->free_slot = (uint32_t)(s - dev->slots);
}

/* Settles a stage that left the ring (completed, errored or refused):
 * counters, the moving averages, the balancer's hook. Returns the request. */
static inline struct ac_request *stage_done(struct ac_engine *eng, struct ac_device *dev,
                                            struct ac_slot *s, int status, uint64_t now)
{
        struct ac_request *req = s->req;
        const struct ac_stage *st = current_stage(req);
        uint64_t service = now - s->dispatched_ns;

        if (eng->cfg.failover.timeout_ns) /* else never armed: its record stays cold */
                core_timer_cancel(eng, s->watchdog);
        slot_retire(s);
        core_slot_release(dev, s);
        busy_stop(dev, now);
        dev->view.in_flight_bytes -= st->bytes;
        eng->stats.in_flight--;
        eng->levels[req->priority].in_flight--;
        core_trace_stage(eng, AC_STAGE_COMPLETED, dev, req, req->core.tag, status, now);
        if (status == 0) {
                dev->errors_in_row = 0;
                dev->view.completed++;
                double sample = (double)service;
                if (dev->view.service_ns == 0)
                        dev->view.service_ns = sample;
                else
                        dev->view.service_ns +=
                            (sample - dev->view.service_ns) / (double)(1u << EWMA_SHIFT);
                if (st->bytes > 0) {
                        double per_byte = sample / (double)st->bytes;
                        if (dev->view.ns_per_byte == 0)
                                dev->view.ns_per_byte = per_byte;
                        else
                                dev->view.ns_per_byte +=
                                    (per_byte - dev->view.ns_per_byte) / (double)(1u << EWMA_SHIFT);
                }
        } else {
                dev->stats.errors++;
        }
        core_eligible_touch(eng, dev, false); /* load, bytes and figures as they are now */
        if (eng->balancer->completed)
                eng->balancer->completed(eng->balancer_priv, &dev->view, status, service);
        req->core.device = NULL;
        req->core.tag = 0;
        return req;
}

/* After a stage left dev with status at time now: the next stage, or the
 * end. */
static inline void advance(struct ac_engine *eng, struct ac_device *dev, struct ac_request *req,
                           int status, uint64_t now)
{
        if (status != 0) {
                core_stage_error(eng, dev, req);
                return;
        }
        if (req->core.stage + 1 < req->nstages) {
                req->core.stage++;
                reroute_at(eng, req, dev, false, now);
                return;
        }
        core_finish(eng, req, 0, now);
}

/* core_stage_unqueue without telling the eligible trees. Returns true
 * when dev's queue was full and has room now. */
static bool stage_unqueue(struct ac_engine *eng, struct ac_device *dev, struct ac_request *req)
{
        queue_remove(&dev->queue, req);
        bool room = view_unqueued(dev, current_stage(req)->bytes);
        eng->stats.queued--;
        eng->levels[req->priority].queued--;
        req->core.device = NULL;
        return room;
}

void core_stage_unqueue(struct ac_engine *eng, struct ac_device *dev, struct ac_request *req)
{
        core_eligible_touch(eng, dev, stage_unqueue(eng, dev, req));
}

struct ac_request *core_stage_recall(struct ac_engine *eng, struct ac_device *dev,
                                     struct ac_slot *s)
{
        struct ac_request *req = s->req;
        if (eng->cfg.failover.timeout_ns) /* else never armed: its record stays cold */
                core_timer_cancel(eng, s->watchdog);
        slot_retire(s);
        busy_stop(dev, core_now(eng));
        dev->view.in_flight_bytes -= current_stage(req)->bytes;
        core_eligible_touch(eng, dev, false);
        eng->stats.in_flight--;
        eng->levels[req->priority].in_flight--;
        req->core.device = NULL;
        req->core.tag = 0;
        return req;
}

/* The driver refused the stage in slot s with AC_EBUSY: its ring is full
 * for now, which is not a failure (Linux's -EBUSY against a hard error).
 * The stage goes back to the head of its level, spending no attempt, and
 * the device takes no more until it completes a stage, or, when it has
 * nothing in flight to complete, until failover.busy_ns from now. */
static void busy_requeue(struct ac_engine *eng, struct ac_device *dev, struct ac_slot *s)
{
        struct ac_request *req = core_stage_recall(eng, dev, s);
        core_slot_release(dev, s);
        dev->dispatched--;
        dev->stats.full++;
        uint64_t now = core_now(eng);
        req->core.enqueued_ns = now; /* queued_ns counted up to now */
        if (dev->view.health != AC_DEV_HEALTHY) {
                /* It left service inside submit: the stage, which never
                 * ran there, moves like a queued one. */
                dev->stats.migrated_out++;
                eng->stats.migrated++;
                req->migrations++;
                core_reroute(eng, req, NULL, true);
                return;
        }
        queue_stage(eng, dev, req, true, now);
        dev->busy = true;
        if (dev->view.in_flight == 0) {
                uint64_t after =
                    eng->cfg.failover.busy_ns ? eng->cfg.failover.busy_ns : AC_BUSY_RETRY_NS;
                core_timer_arm(eng, dev->busy_retry, core_deadline(core_now(eng), after));
        }
}

void core_busy_due(struct ac_engine *eng, struct ac_device *dev)
{
        dev->busy = false;
        core_ring_fill(eng, dev);
        core_backlog_pull(eng, dev);
}

/* dev can be offered stages again: it completed one, or its health
 * changed. */
void core_busy_clear(struct ac_engine *eng, struct ac_device *dev)
{
        dev->busy = false;
        core_timer_cancel(eng, dev->busy_retry);
}

/* Hands req's current stage, just off dev's queue (room: the queue had
 * been full), to a free slot of dev's ring and to the driver, at time now;
 * dev->dispatching is set. */
static void dispatch(struct ac_engine *eng, struct ac_device *dev, struct ac_request *req,
                     bool room, uint64_t now)
{
        const struct ac_stage *st = current_stage(req);
        struct ac_level_stats *ls = &eng->levels[req->priority];
        ls->queued_ns += now - req->core.enqueued_ns;

        assert(dev->view.in_flight < dev->view.ring);
        struct ac_slot *s = &dev->slots[dev->free_slot];
        dev->free_slot = s->next_free;
        s->req = req;
        s->dispatched_ns = now;
        uint64_t tag = (uint64_t)(s - dev->slots) | (uint64_t)s->generation << 32;
        req->core.state = AC_REQ_FLIGHT;
        req->core.tag = tag;
        req->core.device = dev;
        busy_start(dev, now);
        /* Queued one less, in flight one more: only the room can have
         * changed, told before the driver can answer. */
        dev->view.in_flight_bytes += st->bytes;
        if (room)
                core_eligible_touch(eng, dev, true);
        dev->dispatched++;
        eng->stats.in_flight++;
        ls->in_flight++;
        /* Armed before submit: a driver may complete inside it. */
        if (eng->cfg.failover.timeout_ns)
                core_timer_arm(eng, s->watchdog, core_deadline(now, eng->cfg.failover.timeout_ns));

        struct ac_job job = {
            .tag = tag,
            .op = st->op,
            .op_name = eng->ops[st->op],
            .bytes = st->bytes,
            .priority = req->priority,
            .flow = req->flow,
            .req = req,
            .stage = req->core.stage,
        };
        core_trace_stage(eng, AC_STAGE_DISPATCHED, dev, req, tag, 0, now);
        int rc = dev->driver->submit(dev->driver_ctx, dev, &job);
        if (rc < 0 && s->req == req && s->generation == (uint32_t)(tag >> 32)) {
                if (rc == AC_EBUSY)
                        busy_requeue(eng, dev, s);
                else {
                        /* Refused at once: an error completion. */
                        uint64_t at = core_now(eng);
                        stage_done(eng, dev, s, rc, at);
                        advance(eng, dev, req, rc, at);
                }
        }
}

/* Moves stages from dev's queue into its ring while it can take them;
 * dev->dispatching is set. */
static void fill(struct ac_engine *eng, struct ac_device *dev)
{
        while (dev->view.queued > 0 && ring_ready(dev)) {
                uint64_t now = core_now(eng);
                struct ac_request *req = queue_peek(&dev->queue, now, eng->cfg.aging_ns);
                dispatch(eng, dev, req, stage_unqueue(eng, dev, req), now);
        }
}

/* Ends a fill of dev begun by setting dev->dispatching. */
static void fill_end(struct ac_engine *eng, struct ac_device *dev)
{
        dev->dispatching = false;
        /* The driver may have unregistered its device from inside submit
         * and then refused the stage: nothing left in flight means gone. */
        if (dev->view.health == AC_DEV_DRAINING)
                core_device_drained(eng, dev);
}

void core_ring_fill(struct ac_engine *eng, struct ac_device *dev)
{
        if (dev->dispatching)
                return; /* a driver completed inside its submit: the outer loop goes on */
        dev->dispatching = true;
        fill(eng, dev);
        fill_end(eng, dev);
}

/* place's stage for dev, whose queue is empty and whose ring can take it
 * now (no fill under way): it passes through the queue as enqueue and
 * core_ring_fill would move it, at once, with the same points (QUEUED,
 * then DISPATCHED), views and trees on the way, but is not linked in and
 * looked up again, and the engine's queued counts, which nothing can read
 * in between, do not go up and down. now is place's reading of the clock. */
static void pass_queue(struct ac_engine *eng, struct ac_device *dev, struct ac_request *req,
                       uint64_t now)
{
        uint64_t bytes = current_stage(req)->bytes;
        view_queued(eng, dev, req, bytes);
        dev->enqueued++;
        core_trace_stage(eng, AC_STAGE_QUEUED, dev, req, 0, 0, now);
        bool room = view_unqueued(dev, bytes);
        dev->dispatching = true;
        dispatch(eng, dev, req, room, core_now(eng));
        if (dev->view.queued) /* a driver answering inside submit queued here */
                fill(eng, dev);
        fill_end(eng, dev);
}

/* ---- entry points ----------------------------------------------------- */

static bool request_valid(const struct ac_engine *eng, const struct ac_request *req)
{
        if (!req || !req->done || !req->stages || req->nstages == 0 ||
            req->priority >= eng->cfg.priority_levels)
                return false;
        for (uint32_t i = 0; i < req->nstages; i++)
                if (req->stages[i].op >= eng->nops)
                        return false;
        return true;
}

int ac_submit(struct ac_engine *eng, struct ac_request *req)
{
        core_enter(eng);
        eng->stats.submitted++;
        if (eng->closing) {
                eng->stats.rejected++;
                core_leave(eng);
                return AC_ESHUTDOWN;
        }
        if (!request_valid(eng, req) || req->core.state != AC_REQ_IDLE) {
                eng->stats.rejected++;
                core_leave(eng);
                return AC_EINVAL;
        }
        req->submitted_ns = core_now(eng);
        req->completed_ns = 0;
        req->retries = 0;
        req->migrations = 0;
        req->core.next = req->core.prev = NULL;
        req->core.device = NULL;
        req->core.tag = 0;
        req->core.stage = 0;
        req->core.flags = 0;
        req->core.enqueued_ns = req->submitted_ns;
        /* It joins its flow first: it may finish inside place(). */
        if (eng->flows)
                core_flow_add(eng, req);
        int rc = place(eng, req, NULL, true, false, req->submitted_ns);
        switch (rc) {
        case AC_ACCEPTED:
                eng->stats.accepted++;
                break;
        case AC_BACKLOGGED:
                eng->stats.backlogged++;
                break;
        default:
                eng->stats.rejected++;
                if (eng->flows)
                        core_flow_cancel(eng, req);
                req->core.state = AC_REQ_IDLE;
                break;
        }
        if (rc >= 0)
                eng->levels[req->priority].submitted++;
        core_leave(eng);
        return rc;
}

void ac_device_complete(struct ac_device *dev, uint64_t tag, int status)
{
        struct ac_engine *eng = dev->eng;
        core_enter(eng);
        uint32_t index = (uint32_t)tag;
        struct ac_slot *s = index < dev->view.ring ? &dev->slots[index] : NULL;
        if (!s || !s->req || s->generation != (uint32_t)(tag >> 32)) {
                /* Stale or unknown: the stage was moved, or never was. */
                dev->stats.late++;
                eng->stats.late++;
                core_leave(eng);
                return;
        }
        /* The fill below takes the queue's head after the callback: fetch
         * it now, as it has waited out of the caches since it was queued. */
        queue_prefetch_head(&dev->queue);
        uint64_t now = core_now(eng);
        struct ac_request *req = stage_done(eng, dev, s, status, now);
        if (dev->busy)
                core_busy_clear(eng, dev); /* a slot came free: try it again */
        advance(eng, dev, req, status, now);
        if (dev->view.health == AC_DEV_DRAINING)
                core_device_drained(eng, dev);
        if (dev->view.queued) /* else the fill has nothing to move (drained: just told) */
                core_ring_fill(eng, dev);
        core_backlog_pull(eng, dev);
        core_leave(eng);
}

/*
 * check.c - the core's invariants, checked from outside an entry point
 * (ac_engine_check in ac/engine.h): a checking build (acsim swarm) calls it
 * after every entry point, when no core code is running.
 *
 * It reads the core's structures and changes nothing. Layout: one function
 * per part (a device's ring, its queue, the backlog, the engine's counts),
 * each writing the first broken invariant into the caller's buffer.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "core.h"

/* Formats the violation into buf; returns buf, for the callers' return. */
static const char *broken(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static const char *broken(char *buf, size_t cap, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, cap, fmt, ap);
        va_end(ap);
        return buf;
}

/* Counts the requests linked in q, level by level, checking the links;
 * returns the count, or UINT32_MAX when a link is broken. */
static uint32_t queue_walk(const struct ac_queue *q, uint32_t levels, uint32_t bound,
                           uint32_t state)
{
        uint32_t n = 0;
        for (uint32_t l = 0; l < AC_MAX_LEVELS; l++) {
                const struct ac_request *prev = NULL;
                for (const struct ac_request *r = q->lvl[l].head; r; r = r->core.next) {
                        /* a head's prev is undefined (queue.h) */
                        if (l >= levels || (prev && r->core.prev != prev) || r->core.level != l ||
                            r->core.state != state || n > bound)
                                return UINT32_MAX;
                        prev = r;
                        n++;
                }
                if (q->lvl[l].tail != prev || ((q->mask >> l & 1u) != 0) != (prev != NULL))
                        return UINT32_MAX;
        }
        return n;
}

/* The backlog, one queue per operation (backlog.h): each queue's links,
 * each request filed under its current stage's operation, the masks and
 * the counts by level and in all against the engine's statistics. */
static const char *check_backlog(const struct ac_engine *eng, const struct ac_engine_stats *st,
                                 char *buf, size_t cap)
{
        const struct core_backlog *b = &eng->backlog;
        uint32_t total = 0, levels[AC_MAX_LEVELS] = {0};
        for (uint32_t o = 0; o < AC_MAX_OPS; o++) {
                const struct ac_queue *q = &b->op[o];
                uint32_t n = queue_walk(q, eng->cfg.priority_levels, b->count, AC_REQ_BACKLOG);
                if (n == UINT32_MAX)
                        return broken(buf, cap,
                                      "backlog: the links of operation %" PRIu32 " are broken", o);
                if ((n != 0) != ((b->ops >> o & 1u) != 0))
                        return broken(buf, cap,
                                      "backlog: operation %" PRIu32 " holds %" PRIu32
                                      " but its bit says otherwise",
                                      o, n);
                for (uint32_t l = 0; l < AC_MAX_LEVELS; l++) {
                        for (const struct ac_request *r = q->lvl[l].head; r; r = r->core.next) {
                                if (backlog_op_of(r) != o)
                                        return broken(buf, cap,
                                                      "backlog: a stage of operation %" PRIu32
                                                      " filed under %" PRIu32,
                                                      backlog_op_of(r), o);
                                levels[l]++;
                        }
                }
                total += n;
        }
        for (uint32_t l = 0; l < AC_MAX_LEVELS; l++)
                if (levels[l] != b->levels[l] || (levels[l] != 0) != ((b->mask >> l & 1u) != 0))
                        return broken(buf, cap,
                                      "backlog: level %" PRIu32 " holds %" PRIu32
                                      ", counted %" PRIu32,
                                      l, levels[l], b->levels[l]);
        if (total != b->count || total != st->backlog)
                return broken(buf, cap,
                              "backlog: %" PRIu32 " linked, count %" PRIu32
                              ", engine says %" PRIu32,
                              total, b->count, st->backlog);
        return NULL;
}

static const char *check_device(const struct ac_engine *eng, const struct ac_device *dev, char *buf,
                                size_t cap)
{
        const struct ac_device_view *v = &dev->view;
        uint32_t in_flight = 0;
        for (uint32_t i = 0; i < v->ring; i++) {
                const struct ac_slot *s = &dev->slots[i];
                if (!s->req)
                        continue;
                in_flight++;
                const struct ac_request *r = s->req;
                if (r->core.state != AC_REQ_FLIGHT || r->core.device != dev)
                        return broken(buf, cap,
                                      "ring: %s slot %" PRIu32 " holds a request in state %" PRIu32,
                                      v->name, i, r->core.state);
                if (r->core.stage >= r->nstages)
                        return broken(buf, cap,
                                      "chain: %s holds stage %" PRIu32 " of a chain of %" PRIu32,
                                      v->name, r->core.stage, r->nstages);
                if ((uint32_t)(r->core.tag & 0xffffffffu) != i ||
                    (uint32_t)(r->core.tag >> 32) != s->generation)
                        return broken(buf, cap,
                                      "ring: %s slot %" PRIu32 " and its request's tag disagree",
                                      v->name, i);
        }
        if (in_flight != v->in_flight)
                return broken(buf, cap,
                              "ring: %s has %" PRIu32 " slots taken, counts %" PRIu32 " in flight",
                              v->name, in_flight, v->in_flight);
        if (v->in_flight > v->ring)
                return broken(buf, cap, "ring bound: %s has %" PRIu32 " in flight, ring %" PRIu32,
                              v->name, v->in_flight, v->ring);
        uint32_t queued =
            queue_walk(&dev->queue, eng->cfg.priority_levels, dev->queue.count, AC_REQ_QUEUED);
        if (queued == UINT32_MAX || queued != v->queued || queued != dev->queue.count)
                return broken(buf, cap,
                              "queue: %s's links or count are broken (%" PRIu32 " counted)",
                              v->name, v->queued);
        if (v->queued > v->queue_depth)
                return broken(buf, cap, "queue bound: %s holds %" PRIu32 ", depth %" PRIu32,
                              v->name, v->queued, v->queue_depth);
        if ((v->health == AC_DEV_GONE || dev->unplugged) && (v->queued || v->in_flight))
                return broken(buf, cap,
                              "removal: gone device %s still holds %" PRIu32 " queued, %" PRIu32
                              " in flight",
                              v->name, v->queued, v->in_flight);
        return NULL;
}

const char *ac_engine_check(const struct ac_engine *eng, char *buf, size_t cap)
{
        if (eng->depth != 0)
                return broken(buf, cap, "entry: %" PRIu32 " entry points still under way",
                              eng->depth);
        uint64_t queued = 0, in_flight = 0;
        for (size_t i = 0; i < eng->ndevices; i++) {
                const struct ac_device *dev = eng->devices[i];
                if (!dev)
                        continue; /* released and freed (ac_device_release) */
                if (dev->view.index != i)
                        return broken(buf, cap, "devices: %s is at %zu, says %" PRIu32,
                                      dev->view.name, i, dev->view.index);
                const char *why = check_device(eng, dev, buf, cap);
                if (why)
                        return why;
                queued += dev->view.queued;
                in_flight += dev->view.in_flight;
        }
        const struct ac_engine_stats *st = &eng->stats;
        const char *why = check_backlog(eng, st, buf, cap);
        if (why)
                return why;
        /* The backlog's bound holds for new requests only: one already under
         * way (a chain's next stage, a retry, a stage moved off a failed
         * device) always gets in, so it is not checked here. */
        if (queued != st->queued || in_flight != st->in_flight)
                return broken(buf, cap,
                              "counts: devices hold %" PRIu64 " queued, %" PRIu64
                              " in flight; engine says %" PRIu32 ", %" PRIu32,
                              queued, in_flight, st->queued, st->in_flight);
        if (st->submitted != st->accepted + st->backlogged + st->rejected)
                return broken(buf, cap,
                              "conservation: %" PRIu64 " submitted, %" PRIu64 " accepted + %" PRIu64
                              " backlogged + %" PRIu64 " rejected",
                              st->submitted, st->accepted, st->backlogged, st->rejected);
        /* Outside an entry point no callback is pending: every accepted
         * request is in a queue, the backlog, a ring, held, or done. */
        if (eng->done_head != NULL)
                return broken(buf, cap, "callbacks: some are pending outside an entry point");
        uint64_t inside = (uint64_t)st->queued + st->backlog + st->in_flight + st->held;
        uint64_t entered = st->accepted + st->backlogged;
        uint64_t ended = st->completed + st->failed;
        if (ended > entered || entered - ended < inside)
                return broken(buf, cap,
                              "conservation: %" PRIu64 " entered, %" PRIu64 " ended, %" PRIu64
                              " inside",
                              entered, ended, inside);
        return NULL;
}

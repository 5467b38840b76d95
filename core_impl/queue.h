/*
 * queue.h - a bounded-by-the-caller priority queue of requests: one
 * intrusive FIFO per level plus a bitmask of the non-empty levels.
 *
 * Used for each device's software queue and for the engine's backlog. Push
 * and remove are O(1); taking the next request is O(1) without aging and
 * O(levels) with it. Aging is lazy and needs no timer: a request that has
 * waited w ns sits at effective level max(0, level - w / aging_ns), and the
 * head with the lowest effective level goes first, the older one on a tie.
 * Within a level the order is FIFO, so only the heads need looking at.
 * The exception is work already under way, pushed at the head of its level
 * (a retried stage; a chain's next stage in the backlog): it goes first in
 * its level whatever its age, and while it waits its level ages from its
 * wait, not from the older stages behind it, which are lifted that much
 * later. Retries are rare, so this stays a bounded, local inexactness.
 */
#ifndef AC_QUEUE_H
#define AC_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "ac/engine.h"

/* One level's FIFO: its ends side by side, so that a push or a removal at
 * one level touches one cache line of the queue (with the mask and count
 * just before level 0's, the only level most engines use). The requests
 * are linked both ways through req->core, but the head's prev is
 * undefined (queue_remove). */
struct ac_queue_level {
        struct ac_request *head; /* oldest */
        struct ac_request *tail; /* newest */
};

struct ac_queue {
        uint32_t mask;                            /* bit l set: level l not empty */
        uint32_t count;                           /* requests in all levels */
        struct ac_queue_level lvl[AC_MAX_LEVELS]; /* by level */
};

static inline void queue_push_tail(struct ac_queue *q, struct ac_request *r, uint32_t level)
{
        r->core.level = level;
        r->core.next = NULL;
        r->core.prev = q->lvl[level].tail;
        if (q->lvl[level].tail)
                q->lvl[level].tail->core.next = r;
        else
                q->lvl[level].head = r;
        q->lvl[level].tail = r;
        q->mask |= 1u << level;
        q->count++;
}

/* For work that was already under way (a retried stage, a chain's next
 * stage waiting in the backlog): it goes before the requests that have not
 * started, as Linux's crypto_enqueue_request_head. */
static inline void queue_push_head(struct ac_queue *q, struct ac_request *r, uint32_t level)
{
        r->core.level = level;
        r->core.prev = NULL;
        r->core.next = q->lvl[level].head;
        if (q->lvl[level].head)
                q->lvl[level].head->core.prev = r;
        else
                q->lvl[level].tail = r;
        q->lvl[level].head = r;
        q->mask |= 1u << level;
        q->count++;
}

/* Taking the head leaves the new head's prev as it was: a head's prev is
 * never read (the level's head says which request is first), so the next
 * request, waiting and likely out of the caches, is not written. */
static inline void queue_remove(struct ac_queue *q, struct ac_request *r)
{
        uint32_t level = r->core.level;
        struct ac_queue_level *l = &q->lvl[level];
        if (l->head == r) {
                l->head = r->core.next;
                if (!l->head) {
                        l->tail = NULL;
                        q->mask &= ~(1u << level);
                }
        } else {
                r->core.prev->core.next = r->core.next;
                if (r->core.next)
                        r->core.next->core.prev = r->core.prev;
                else
                        l->tail = r->core.prev;
        }
        r->core.next = r->core.prev = NULL;
        q->count--;
}

/* Returns the effective level of r at time now (see the top of the file). */
static inline uint32_t queue_effective_level(const struct ac_request *r, uint64_t now,
                                             uint64_t aging_ns)
{
        uint32_t level = r->core.level;
        if (aging_ns == 0 || level == 0 || (int64_t)(now - r->core.enqueued_ns) <= 0)
                return level;
        uint64_t rise = (now - r->core.enqueued_ns) / aging_ns;
        return rise >= level ? 0 : level - (uint32_t)rise;
}

/* True when a should go before b, both candidates at time now. */
static inline int queue_before(const struct ac_request *a, uint32_t ea, const struct ac_request *b,
                               uint32_t eb)
{
        if (ea != eb)
                return ea < eb;
        if (a->core.enqueued_ns != b->core.enqueued_ns)
                return (int64_t)(a->core.enqueued_ns - b->core.enqueued_ns) < 0; /* modulo 2^64 */
        return a->core.level < b->core.level;
}

/* Returns the request that should go next, without removing it; NULL when
 * the queue is empty. */
static inline struct ac_request *queue_peek(const struct ac_queue *q, uint64_t now,
                                            uint64_t aging_ns)
{
        uint32_t mask = q->mask;
        if (!mask)
                return NULL;
        struct ac_request *best = q->lvl[__builtin_ctz(mask)].head;
        if (aging_ns == 0)
                return best;
        uint32_t best_level = queue_effective_level(best, now, aging_ns);
        mask &= mask - 1;
        while (mask) {
                struct ac_request *r = q->lvl[__builtin_ctz(mask)].head;
                uint32_t e = queue_effective_level(r, now, aging_ns);
                if (queue_before(r, e, best, best_level)) {
                        best = r;
                        best_level = e;
                }
                mask &= mask - 1;
        }
        return best;
}

/* Starts fetching the lines of the request queue_peek would return
 * without aging: the public struct and the core's part, written when it is
 * taken. A hint; nothing is read but the mask and the head. */
static inline void queue_prefetch_head(const struct ac_queue *q)
{
        if (q->mask) {
                const struct ac_request *r = q->lvl[__builtin_ctz(q->mask)].head;
                __builtin_prefetch(r, 1);
                __builtin_prefetch(&r->core, 1);
        }
}

#endif

/*
 * backlog.h - the engine's backlog, indexed by operation: the stages that
 * wait for queue room, one struct ac_queue (a FIFO per level) for each
 * operation, keyed by the operation of the request's current stage.
 *
 * Offering a device's queue room to the backlog asks for the stage that
 * should go next among those the device can do. A single queue had to walk
 * each level past the stages of other operations to find it, so with a long
 * backlog of work only one device can do, every completion elsewhere
 * scanned all of it. Here the first stage of a level among a set of
 * operations is the head, among those operations' queues, with the
 * smallest position key: O(operations x levels), whatever the length.
 *
 * The position key keeps the order of the single queue it replaces: a stage
 * pushed to the tail of its level takes a key above every key given so
 * far, one pushed to the head (work already under way) a key below every
 * key given so far. Within a level, key order is the order the single
 * queue had; within one operation's queue it is also its FIFO order. The
 * key lives in req->core.tag, unused while a stage waits here (it is the
 * ring tag once in flight), and is 0 again when the stage leaves.
 */
#ifndef AC_BACKLOG_H
#define AC_BACKLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "queue.h"

struct core_backlog {
        struct ac_queue op[AC_MAX_OPS]; /* by the current stage's operation */
        uint64_t ops;                   /* bit o: op[o] not empty */
        uint32_t levels[AC_MAX_LEVELS]; /* stages waiting at each level */
        uint32_t mask;                  /* bit l: levels[l] > 0 */
        uint32_t count;                 /* stages waiting in all */
        uint64_t head_key, tail_key;    /* the next keys to give at either end */
};

#define BACKLOG_KEY_START ((uint64_t)1 << 63)

static inline void backlog_init(struct core_backlog *b)
{
        b->head_key = BACKLOG_KEY_START - 1;
        b->tail_key = BACKLOG_KEY_START;
}

static inline uint32_t backlog_op_of(const struct ac_request *r)
{
        return r->stages[r->core.stage].op;
}

/* Puts r (its current stage) at the tail of its level, or at the head for
 * work already under way. */
static inline void backlog_add(struct core_backlog *b, struct ac_request *r, uint32_t level,
                               bool head)
{
        uint32_t op = backlog_op_of(r);
        if (head) {
                queue_push_head(&b->op[op], r, level);
                r->core.tag = b->head_key--;
        } else {
                queue_push_tail(&b->op[op], r, level);
                r->core.tag = b->tail_key++;
        }
        b->ops |= (uint64_t)1 << op;
        if (b->levels[level]++ == 0)
                b->mask |= 1u << level;
        b->count++;
}

static inline void backlog_del(struct core_backlog *b, struct ac_request *r)
{
        uint32_t op = backlog_op_of(r), level = r->core.level;
        queue_remove(&b->op[op], r);
        r->core.tag = 0;
        if (!b->op[op].mask)
                b->ops &= ~((uint64_t)1 << op);
        if (--b->levels[level] == 0)
                b->mask &= ~(1u << level);
        b->count--;
}

/* Returns the first stage of `level` whose operation is in ops (the one
 * the single queue would have met first), or NULL. */
static inline struct ac_request *backlog_first(const struct core_backlog *b, uint64_t ops,
                                               uint32_t level)
{
        struct ac_request *first = NULL;
        for (ops &= b->ops; ops; ops &= ops - 1) {
                struct ac_request *r = b->op[__builtin_ctzll(ops)].lvl[level].head;
                if (r && (!first || r->core.tag < first->core.tag))
                        first = r;
        }
        return first;
}

/* Returns the stage that should go next among those whose operation is in
 * ops, at time now, or NULL: the first of each level, compared by
 * effective level and wait as queue_peek compares heads. */
static inline struct ac_request *backlog_next(const struct core_backlog *b, uint64_t ops,
                                              uint64_t now, uint64_t aging_ns)
{
        struct ac_request *best = NULL;
        uint32_t best_level = 0;
        if (!(ops & b->ops))
                return NULL;
        for (uint32_t mask = b->mask; mask; mask &= mask - 1) {
                struct ac_request *r = backlog_first(b, ops, (uint32_t)__builtin_ctz(mask));
                if (!r)
                        continue;
                if (aging_ns == 0)
                        return r; /* levels ascend: the first found goes */
                uint32_t e = queue_effective_level(r, now, aging_ns);
                if (!best || queue_before(r, e, best, best_level)) {
                        best = r;
                        best_level = e;
                }
        }
        return best;
}

#endif

/*
 * core.h - the core's private structures: engine, device, ring slot, and the
 * thin wrappers through which the core calls the platform.
 *
 * Files: engine.c (create, destroy, operation names, statistics), device.c
 * (registration and device state changes), request.c (the request path:
 * submit, place, dispatch, complete, callbacks), option.c (policy options).
 * Queues are in queue.h. Public API: include/ac/.
 *
 * Locking: when the platform has a lock pair, every entry point takes it and
 * releases it before running completion callbacks (see request.c).
 */
#ifndef AC_CORE_H
#define AC_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ac/ac.h"
#include "queue.h"

/* Where a request is: ac_request.core.state. */
enum ac_req_state {
        AC_REQ_IDLE = 0, /* not in the engine (before submit, after callback) */
        AC_REQ_BACKLOG,  /* current stage in the engine's backlog */
        AC_REQ_QUEUED,   /* current stage in a device's software queue */
        AC_REQ_FLIGHT,   /* current stage submitted to a device */
        AC_REQ_DONE,     /* final status known, callback pending */
};

/* The final status waits in a scratch word until the callback runs. */
#define AC_REQ_STATUS(r) ((r)->core.scratch[0])

/* One place in a device's hardware ring, preallocated at registration. Its
 * tag is index | generation << 32; the generation moves on every time the
 * slot is freed, so a tag from an earlier use is recognised as stale. */
struct ac_slot {
        struct ac_request *req;   /* stage in flight here, NULL when free */
        struct ac_device *dev;    /* owner, for the watchdog's callback */
        uint64_t dispatched_ns;   /* when the stage was handed to the driver */
        uint32_t generation;      /* high half of the tag */
        uint32_t next_free;       /* free list link (index), when free */
        struct ac_timer watchdog; /* per-stage timeout (failover) */
};

#define AC_SLOT_NONE UINT32_MAX

struct ac_device {
        struct ac_engine *eng;
        struct ac_device_view view; /* what balancers read; holds queued/in_flight */
        char *name;                 /* owned copy of the configured name */
        const struct ac_driver_ops *driver;
        void *driver_ctx;
        struct ac_queue queue;        /* the software queue, view.queue_depth bound */
        struct ac_slot *slots;        /* view.ring of them */
        uint32_t free_slot;           /* head of the free list, AC_SLOT_NONE if full */
        bool dispatching;             /* ring_fill running: no nested fill */
        uint64_t busy_since;          /* when in_flight went from 0 to 1 */
        uint64_t failed_since;        /* when last declared failed */
        struct ac_device_stats stats; /* counters; queued/in_flight come from view */
};

struct ac_engine {
        struct ac_engine_config cfg; /* a copy; policy_options not kept */
        struct ac_platform platform;
        const struct ac_balancer_ops *balancer;
        void *balancer_priv;
        char *ops[AC_MAX_OPS]; /* interned operation names */
        uint32_t nops;
        struct ac_device **devices;               /* registration order */
        const struct ac_device_view **views;      /* the same, as views */
        const struct ac_device_view **candidates; /* scratch for one pick */
        size_t ndevices, capdevices;
        struct ac_queue backlog;      /* stages waiting for queue room */
        struct ac_request *done_head; /* final status known, callback due */
        struct ac_request *done_tail;
        bool draining; /* someone is running callbacks */
        uint64_t seq;  /* submission sequence */
        struct ac_engine_stats stats;
        struct ac_level_stats levels[AC_MAX_LEVELS];
};

/* ---- the seam, called through these alone ---------------------------- */

static inline uint64_t core_now(const struct ac_engine *eng)
{
        return eng->platform.ops->now_ns(eng->platform.ctx);
}

static inline void core_lock(const struct ac_engine *eng)
{
        if (eng->platform.ops->lock)
                eng->platform.ops->lock(eng->platform.ctx);
}

static inline void core_unlock(const struct ac_engine *eng)
{
        if (eng->platform.ops->unlock)
                eng->platform.ops->unlock(eng->platform.ctx);
}

static inline void core_timer_arm(const struct ac_engine *eng, struct ac_timer *t, uint64_t when)
{
        eng->platform.ops->timer_arm(eng->platform.ctx, t, when);
}

static inline void core_timer_cancel(const struct ac_engine *eng, struct ac_timer *t)
{
        eng->platform.ops->timer_cancel(eng->platform.ctx, t);
}

/* ---- between the core's files ---------------------------------------- */

/* engine.c: interns an operation name, lock held. Returns its id or a
 * negative code (see ac_op_intern). */
int core_op_intern(struct ac_engine *eng, const char *name);
/* device.c: a draining device with nothing in flight is gone. */
void core_device_drained(struct ac_engine *eng, struct ac_device *dev);

/* request.c: moves what it can from the device's queue into its ring. */
void core_ring_fill(struct ac_engine *eng, struct ac_device *dev);
/* request.c: lets backlogged stages that dev can serve into the queues. */
void core_backlog_pull(struct ac_engine *eng, struct ac_device *dev);
/* request.c: routes req's current stage again (it is in no queue or ring
 * now); fails the request with AC_ENODEV when no device can take it. */
void core_reroute(struct ac_engine *eng, struct ac_request *req, struct ac_device *from);
/* request.c: takes req out of dev's software queue. */
void core_stage_unqueue(struct ac_engine *eng, struct ac_device *dev, struct ac_request *req);
/* request.c: takes the stage in slot s back from dev without a completion
 * (the slot's generation moves on). Returns its request. */
struct ac_request *core_stage_recall(struct ac_engine *eng, struct ac_device *dev,
                                     struct ac_slot *s);
/* request.c: ends an entry point: releases the lock, then runs the
 * callbacks that are due (unless a runner further up already does). */
void core_leave(struct ac_engine *eng);

#endif

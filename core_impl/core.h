/*
 * core.h - the core's private structures: engine, device, ring slot, and the
 * thin wrappers through which the core calls the platform.
 *
 * Files: engine.c (create, destroy, operation names, statistics), device.c
 * (registration, lookups), request.c (the request path: submit, place,
 * dispatch, complete, callbacks), failover.c (retry budget, watchdogs,
 * probes, drain deadlines, the health of devices), flow.c (per-flow
 * completion order), option.c (policy options), observer.c (the
 * tracepoints of ac/observer.h). Queues are in queue.h.
 * Public API: include/ac/.
 *
 * Locking: when the platform has a lock pair, every entry point takes it and
 * releases it before running completion callbacks (see request.c).
 */
#ifndef AC_CORE_H
#define AC_CORE_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ac/ac.h"
#include "backlog.h"
#include "queue.h"

/* Where a request is: ac_request.core.state. */
enum ac_req_state {
        AC_REQ_IDLE = 0, /* not in the engine (before submit, after callback) */
        AC_REQ_BACKLOG,  /* current stage in the engine's backlog */
        AC_REQ_QUEUED,   /* current stage in a device's software queue */
        AC_REQ_FLIGHT,   /* current stage submitted to a device */
        AC_REQ_DONE,     /* final status known, callback pending */
};

/* ac_request.core.flags */
enum {
        AC_REQ_F_HEAD = 1u << 0, /* oldest request of its flow in the engine */
        AC_REQ_F_HELD = 1u << 1, /* done, held back for flow order */
};

#define core_container_of(p, type, member) ((type *)(void *)((char *)(p)-offsetof(type, member)))

/* A timer the core arms, with the record that makes a stale fire harmless.
 * The platform's cancel never waits for a fire already under way (that fire
 * waits for the lock the canceller holds), so a fire may arrive after its
 * arming was cancelled or replaced by a new one. Each arming is recorded
 * here under the lock, and its deadline serves as its generation: a fire
 * is acted on only when the record says armed and that deadline has come.
 * A stale fire finds no arming, or a later one not yet due (ignored), or a
 * later one due already, which it then ends just as that arming's own fire
 * would; the own fire, when it comes, finds the record disarmed.
 *
 * Records are the engine's, not the device's: a device takes ring + 3 of
 * them (3 when the engine has no failover.timeout_ns: no watchdog is ever
 * armed then) from the engine's pool at registration and gives them back when it
 * is freed, and a record is freed only with the engine. So a stale fire
 * that comes after its device was freed still finds its record (disarmed,
 * or armed again for a device that took it since) and never reaches the
 * freed device: the fire finds its device through the record, under the
 * lock, only when the arming is current. */
enum core_timer_kind {
        CORE_TIMER_WATCHDOG, /* a ring slot's per-stage timeout */
        CORE_TIMER_PROBE,    /* the next probe of a failed device */
        CORE_TIMER_DRAIN,    /* the drain deadline of a draining device */
        CORE_TIMER_BUSY,     /* retry after AC_EBUSY with nothing in flight */
};

struct core_timer {
        struct ac_timer t;         /* the platform's part; t.fire never changes */
        struct ac_engine *eng;     /* never changes: read before the lock */
        struct ac_device *dev;     /* owner while taken from the pool */
        uint32_t slot;             /* ring slot, for a watchdog */
        enum core_timer_kind kind; /* what the fire does */
        uint64_t when;             /* deadline of the current arming */
        bool armed;                /* an arming is current */
        struct core_timer *next;   /* the pool's free list */
        struct core_timer *all;    /* every record, for destroy */
};

/* One place in a device's hardware ring, preallocated at registration. Its
 * tag is index | generation << 32; the generation moves on every time the
 * slot is freed, so a tag from an earlier use is recognised as stale. */
struct ac_slot {
        struct ac_request *req;      /* stage in flight here, NULL when free */
        uint64_t dispatched_ns;      /* when the stage was handed to the driver */
        uint32_t generation;         /* high half of the tag */
        uint32_t next_free;          /* free list link (index), when free */
        struct core_timer *watchdog; /* per-stage timeout (failover), from the pool;
                                        NULL when the engine has no timeout */
};

#define AC_SLOT_NONE UINT32_MAX

/* Retry delay after an AC_EBUSY refusal when failover.busy_ns is 0. */
#define AC_BUSY_RETRY_NS 10000

/* A device's alignment in its block: a cache line. */
#define DEVICE_ALIGN 64

/* With 1000 devices a stage sent to any one of them finds it out of the
 * caches, and the fewer lines it touches there the less it waits. The
 * device starts a cache line (DEVICE_ALIGN) and a stage's words fill its
 * first three, laid out by who reads them:
 *
 *   line 0  completion and dispatch: eng, the driver, the busy time, the
 *           dispatch and error counts; the view's name (cold) at its end
 *   line 1  the view from its weight to its service time: what a balancer
 *           and the placement read (index, health, fallback, queue bound
 *           and length, the load, the capabilities)
 *   line 2  the view's last words, then the placement's own: the flags,
 *           the free list's head, pos_first, the enqueue count and the
 *           queue's mask, count and level 0, the only level most engines
 *           use (the other levels follow, cold)
 *
 * so that a placement on a device whose ring is full (most of them, under
 * load) touches lines 1 and 2 alone, and a completion the three and its
 * slot. What failover, removal and lookups use comes after; the ring's
 * slots last, in the same block. The static_asserts below check the
 * lines; fields are added here with them in mind. */
struct ac_device {
        /* line 0 */
        struct ac_engine *eng;
        const struct ac_driver_ops *driver;
        void *driver_ctx;
        uint64_t busy_since; /* when in_flight went from 0 to 1 */
        /* The statistics every stage moves, kept here rather than in
         * `stats` (whose own copies stay 0): ac_device_get_stats fills
         * them in, and `completed` from view.completed. */
        uint64_t busy_ns, dispatched;
        uint32_t errors_in_row;     /* consecutive error completions */
        struct ac_device_view view; /* what balancers read; holds queued/in_flight;
                                       from line 0 (its name) to line 2 */
        /* line 2 */
        bool dispatching;   /* ring_fill running: no nested fill */
        bool busy;          /* refused a stage with AC_EBUSY: wait */
        bool listed;        /* in the eligible lists (healthy at their build) */
        bool follow;        /* ... one of which reads its load (or keys) */
        uint32_t free_slot; /* head of the free list, AC_SLOT_NONE if full */
        uint32_t pos_first; /* pos[] of its lowest operation, here in a hot line:
                               a device of one operation never reads pos */
        uint64_t enqueued;
        struct ac_queue queue;        /* the software queue, view.queue_depth bound */
        struct ac_device_stats stats; /* the other counters; queued/in_flight from view */
        uint32_t pos[AC_MAX_OPS];     /* while listed: its position in the eligible list
                                         of each operation it can do but its lowest */
        /* failover, removal, lookups */
        bool unplugged;                /* gone by ac_device_removed: holds nothing */
        char *name;                    /* owned copy of the configured name */
        uint64_t failed_since;         /* when last declared failed */
        struct core_timer *probe;      /* next probe while failed */
        struct core_timer *drain;      /* drain deadline while draining */
        struct core_timer *busy_retry; /* when busy with nothing in flight */
        bool evac_pending;             /* on the engine's list of work to move */
        bool evac_in_flight;           /* ... in-flight stages included */
        bool released;                 /* ac_device_release: free once unreachable */
        bool engaged;                  /* fallback with work since its last give-back
                                          (kept for the observer only) */
        struct ac_device *evac_next;   /* that list */
        struct ac_device *name_next;   /* engine's name table chain, while not gone */
        struct ac_device *reap_next;   /* the engine's list of released devices */
        void *block;                   /* what was allocated: the device, aligned, inside */
        /* view.ring of them, allocated with the device, from a line of
         * their own: two slots a line, none across two */
        _Alignas(DEVICE_ALIGN) struct ac_slot slots[];
};

/* The line of struct ac_device a field starts in, and true when it ends in
 * the same one. */
#define DEVICE_LINE(f) (offsetof(struct ac_device, f) / DEVICE_ALIGN)
#define DEVICE_IN(f, ln)                                                                           \
        (DEVICE_LINE(f) == (ln) &&                                                                 \
         (offsetof(struct ac_device, f) + sizeof(((struct ac_device *)0)->f) - 1) /                \
                 DEVICE_ALIGN ==                                                                   \
             (ln))

static_assert(DEVICE_IN(eng, 0) && DEVICE_IN(driver, 0) && DEVICE_IN(driver_ctx, 0) &&
                  DEVICE_IN(busy_since, 0) && DEVICE_IN(busy_ns, 0) && DEVICE_IN(dispatched, 0) &&
                  DEVICE_IN(errors_in_row, 0),
              "completion and dispatch words: line 0");
static_assert(DEVICE_IN(view.weight, 1) && DEVICE_IN(view.ring, 1) && DEVICE_IN(view.index, 1) &&
                  DEVICE_IN(view.health, 1) && DEVICE_IN(view.fallback, 1) &&
                  DEVICE_IN(view.queue_depth, 1) && DEVICE_IN(view.queued, 1) &&
                  DEVICE_IN(view.in_flight, 1) && DEVICE_IN(view.queued_bytes, 1) &&
                  DEVICE_IN(view.in_flight_bytes, 1) && DEVICE_IN(view.capabilities, 1) &&
                  DEVICE_IN(view.service_ns, 1),
              "what a placement reads of the view: line 1");
static_assert(DEVICE_IN(view.ns_per_byte, 2) && DEVICE_IN(view.completed, 2) &&
                  DEVICE_IN(dispatching, 2) && DEVICE_IN(busy, 2) && DEVICE_IN(listed, 2) &&
                  DEVICE_IN(follow, 2) && DEVICE_IN(free_slot, 2) && DEVICE_IN(pos_first, 2) &&
                  DEVICE_IN(enqueued, 2) && DEVICE_IN(queue.mask, 2) && DEVICE_IN(queue.count, 2) &&
                  DEVICE_IN(queue.lvl[0], 2),
              "the placement's own words and the queue's level 0: line 2");
static_assert(offsetof(struct ac_device, slots) % DEVICE_ALIGN == 0 &&
                  DEVICE_ALIGN % sizeof(struct ac_slot) == 0,
              "slots start a line, none across two");

/* The healthy devices that can do one operation, hardware or fallback
 * ones, in registration order (eligible.c). Rebuilt after a change of
 * health (core_notify marks them stale). Over their positions a tree with
 * `leaves` leaves (a power of two; node 1 the root, node k's children 2k
 * and 2k + 1, position i at leaf leaves + i) holds, per node, how many of
 * its devices have queue room and, when the balancer asks for it, the
 * load (queued plus in flight) of each at its leaf (AC_BALANCER_LOADS) and
 * the least load among those under each node (AC_BALANCER_LEAST), or the
 * least of each of the balancer's keys under each node (AC_BALANCER_KEYS).
 * The devices with room are the candidates a placement would gather: the
 * tree counts them, finds the k-th and the least loaded in O(log n), and
 * follows each queue as it fills and empties (core_eligible_touch). */
struct ac_eligible {
        const struct ac_device_view **views;
        uint32_t n, cap;
        uint32_t leaves; /* of the tree; 0: none allocated yet */
        uint32_t *room;  /* 2 * leaves: devices with queue room under the node */
        uint64_t *least; /* 2 * leaves: their least load, UINT64_MAX if none */
        bool loads;      /* least is kept at the leaves (AC_BALANCER_LOADS; a list
                            of one keeps none: its view is read) */
        bool mins;       /* ... and above them (AC_BALANCER_LEAST) */
        double *keys;    /* 2 * leaves * AC_PICK_KEYS, node k's at k * AC_PICK_KEYS:
                            the least of each balancer key under the node
                            (AC_BALANCER_KEYS), INFINITY where no candidate */
};

struct ac_engine {
        struct ac_engine_config cfg; /* a copy; policy_options not kept */
        struct ac_platform platform;
        const struct ac_balancer_ops *balancer;
        void *balancer_priv;
        char *ops[AC_MAX_OPS]; /* interned operation names */
        uint32_t nops;
        struct ac_device **devices;               /* by index; NULL once freed */
        const struct ac_device_view **candidates; /* scratch for one pick, caplive */
        size_t ndevices, capdevices;
        struct ac_device **live; /* devices not gone, registration order: the scans */
        size_t nlive, caplive;
        struct ac_device **fallbacks; /* the same, fallback devices only */
        size_t nfallbacks;
        bool live_stale;               /* some there are gone: compact when no scan runs */
        struct ac_device **names;      /* devices not gone by name hash, chained */
        size_t nnames;                 /* buckets, a power of two (0: none yet) */
        struct ac_device *reap;        /* released devices not freed yet */
        struct core_timer *timer_pool; /* timer records free for a device */
        struct core_timer *timer_all;  /* every timer record */
        size_t ntimers;                /* records allocated */
        size_t nheld;                  /* device objects allocated */
        struct core_backlog backlog;   /* stages waiting for queue room, by operation */
        struct ac_eligible hardware[AC_MAX_OPS]; /* healthy devices by operation, */
        struct ac_eligible fallback[AC_MAX_OPS]; /* registration order (place) */
        bool eligible_stale;                     /* a device's health changed since */
        bool eligible_scan;                      /* place by gather alone: the oracle
                                                    the lists are tested against */
        struct ac_request *done_head;            /* final status known, callback due */
        struct ac_request *done_tail;
        bool draining;                              /* someone is running callbacks */
        uint32_t depth;                             /* entry points under way (nested: a driver
                                                       answering inside submit, abort or probe) */
        uint32_t timers;                            /* core timers armed now (struct core_timer) */
        bool recovering;                            /* failover work under way (failover.c) */
        bool deferred;                              /* platform defer: a run is pending */
        bool closing;                               /* ac_engine_shutdown: no new work */
        bool idle_told;                             /* the platform's idle op was called */
        struct ac_device *evac_head, *evac_tail;    /* devices to move work off */
        struct ac_request *retry_head, *retry_tail; /* stages to retry */
        struct ac_request **flows; /* flow_order: oldest request of each flow, by hash */
        uint32_t flow_shift;       /* 64 - log2(number of buckets) */
        size_t flow_heads;         /* flows in the table (heads) */
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

/* Arms ct to fire at `when` and records the arming (see struct core_timer). */
static inline void core_timer_arm(struct ac_engine *eng, struct core_timer *ct, uint64_t when)
{
        if (!ct->armed)
                eng->timers++;
        ct->armed = true;
        ct->when = when;
        eng->platform.ops->timer_arm(eng->platform.ctx, &ct->t, when);
}

/* Returns now + after. Times are modulo 2^64 (see ac/platform.h): a
 * deadline past UINT64_MAX wraps round and is compared as a difference, so
 * a delay is at most 2^63 - 1 ns (292 years; longer ones are cut to it). */
static inline uint64_t core_deadline(uint64_t now, uint64_t after)
{
        return now + (after > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : after);
}

/* True when time a is at or after time b, modulo 2^64. */
static inline bool core_time_reached(uint64_t a, uint64_t b)
{
        return (int64_t)(a - b) >= 0;
}

/* Cancels ct's arming, without waiting for a fire already under way: that
 * fire finds the record disarmed and does nothing. */
static inline void core_timer_cancel(struct ac_engine *eng, struct core_timer *ct)
{
        if (!ct->armed)
                return;
        ct->armed = false;
        eng->timers--;
        eng->platform.ops->timer_cancel(eng->platform.ctx, &ct->t);
}

/* At a fire, lock held: true when it is the fire of ct's current arming,
 * which is then over; false for a stale fire (cancelled, or replaced by a
 * later arming), to be ignored. */
static inline bool core_timer_due(struct ac_engine *eng, struct core_timer *ct)
{
        if (!ct->armed || !core_time_reached(core_now(eng), ct->when))
                return false;
        ct->armed = false;
        eng->timers--;
        return true;
}

static inline struct core_timer *core_timer_of(struct ac_timer *t)
{
        return core_container_of(t, struct core_timer, t);
}

/* Starts an entry point that ends with core_leave(): takes the lock and
 * counts the nesting, so that callbacks run only when the outermost entry
 * point leaves, never while one further up is still at work. */
static inline void core_enter(struct ac_engine *eng)
{
        core_lock(eng);
        eng->depth++;
}

/* ---- tracepoints (ac/observer.h): one branch when there is no observer */

/* observer.c: builds the event and calls the observer's hook. */
void core_trace_stage_emit(struct ac_engine *eng, enum ac_stage_point point, struct ac_device *dev,
                           const struct ac_request *req, uint64_t tag, int status, uint64_t now);
void core_trace_device_emit(struct ac_engine *eng, struct ac_device *dev,
                            enum ac_device_point point, enum ac_fail_cause cause, int status);

/* `now` is the time the caller read from the platform for what it is
 * doing (docs/architecture.md, The observer): a stage point costs no read
 * of the clock of its own. */
static inline void core_trace_stage(struct ac_engine *eng, enum ac_stage_point point,
                                    struct ac_device *dev, const struct ac_request *req,
                                    uint64_t tag, int status, uint64_t now)
{
        if (eng->cfg.observer.ops)
                core_trace_stage_emit(eng, point, dev, req, tag, status, now);
}

static inline void core_trace_device(struct ac_engine *eng, struct ac_device *dev,
                                     enum ac_device_point point, enum ac_fail_cause cause,
                                     int status)
{
        if (eng->cfg.observer.ops)
                core_trace_device_emit(eng, dev, point, cause, status);
}

/* ---- between the core's files ---------------------------------------- */

static inline void core_notify(struct ac_engine *eng, struct ac_device *dev)
{
        eng->eligible_stale = true;
        if (eng->balancer->device_changed)
                eng->balancer->device_changed(eng->balancer_priv, &dev->view);
}

/* eligible.c: the devices a stage of op may go to, unfiltered for queue
 * room: the healthy hardware that can do it or, when there is none, the
 * healthy fallback devices that can. Rebuilt first when stale; NULL when
 * that cannot be had (no memory: place gathers instead). */
const struct ac_eligible *core_eligible(struct ac_engine *eng, uint32_t op);
/* eligible.c: dev's load changed, or its queue room when room_changed
 * (it filled, or it had been full): the trees it is in follow. */
void core_eligible_update(struct ac_engine *eng, const struct ac_device *dev, bool room_changed);
/* eligible.c: frees the lists (ac_engine_destroy). */
void core_eligible_free(struct ac_engine *eng);

/* The cheap test before core_eligible_update: a device's load matters to
 * the trees only when one of its lists keeps loads or keys (the balancer
 * asks for them and the list has more than one device); its room always. */
static inline void core_eligible_touch(struct ac_engine *eng, const struct ac_device *dev,
                                       bool room_changed)
{
        if ((room_changed || dev->follow) && dev->listed && !eng->eligible_stale)
                core_eligible_update(eng, dev, room_changed);
}

/* engine.c: interns an operation name, lock held. Returns its id or a
 * negative code (see ac_op_intern). */
int core_op_intern(struct ac_engine *eng, const char *name);

/* device.c: dev has just become gone: its name is free again, and it
 * leaves the scans (compacted at the outermost core_leave). */
void core_device_gone(struct ac_engine *eng, struct ac_device *dev);
/* device.c: drops the gone devices from eng->live and eng->fallbacks; only
 * where no scan of them is under way. */
void core_live_compact(struct ac_engine *eng);
/* device.c: frees the released devices nothing can reach any more; only
 * at the outermost core_leave. */
void core_reap(struct ac_engine *eng);
/* device.c: frees every device and timer record (ac_engine_destroy). */
void core_devices_free(struct ac_engine *eng);
/* The fire of every core timer: dispatches on the record's kind. */
void core_timer_fire(struct ac_timer *t);
/* failover.c: dev's driver lets go of it (ac_device_release): removed now
 * if it is not gone, and its in-flight stages taken back. */
void core_device_unplug(struct ac_engine *eng, struct ac_device *dev);
/* failover.c: a draining device with nothing in flight is gone. */
void core_device_drained(struct ac_engine *eng, struct ac_device *dev);
/* failover.c: a stage of req left dev with an error (completion or
 * refusal): counts towards failing dev, then retries the stage within the
 * budget or ends the request with AC_EIO. */
void core_stage_error(struct ac_engine *eng, struct ac_device *dev, struct ac_request *req);
/* failover.c, lock held, the arming current and over: the watchdog of
 * ring slot s of dev expired, dev's probe is due, its drain deadline
 * passed. */
void core_watchdog_expired(struct ac_engine *eng, struct ac_device *dev, struct ac_slot *s);
void core_probe_due(struct ac_engine *eng, struct ac_device *dev);
void core_drain_due(struct ac_engine *eng, struct ac_device *dev);
/* failover.c: hardware dev is healthy (added or recovered): fallback
 * devices give back the queued stages it can do. */
void core_give_back(struct ac_engine *eng, struct ac_device *dev);

/* flow.c: sets up the flow table for flow_order. Returns 0 or AC_ENOMEM. */
int core_flow_init(struct ac_engine *eng);
/* flow.c: req joins the tail of its flow (before it is placed). */
void core_flow_add(struct ac_engine *eng, struct ac_request *req);
/* flow.c: req, just added, was rejected: it leaves its flow. */
void core_flow_cancel(struct ac_engine *eng, struct ac_request *req);
/* flow.c: req's final status is known: it is released to the done list
 * when all earlier requests of its flow are, otherwise held. */
void core_flow_done(struct ac_engine *eng, struct ac_request *req);

/* request.c: settles req with its final status, known at time now
 * (completed_ns; level counters), and releases it, or hands it to flow
 * ordering. */
void core_finish(struct ac_engine *eng, struct ac_request *req, int status, uint64_t now);
/* request.c: counts req's callback as due and puts it on the done list. */
void core_release(struct ac_engine *eng, struct ac_request *req);

/* request.c: frees ring slot s of dev, whose stage has left it (after
 * core_stage_recall, once the driver is told). */
void core_slot_release(struct ac_device *dev, struct ac_slot *s);
/* request.c, lock held: a device's busy_retry arming is over. */
void core_busy_due(struct ac_engine *eng, struct ac_device *dev);
/* request.c: dev is no longer held back by an AC_EBUSY refusal. */
void core_busy_clear(struct ac_engine *eng, struct ac_device *dev);
/* request.c: moves what it can from the device's queue into its ring. */
void core_ring_fill(struct ac_engine *eng, struct ac_device *dev);
/* request.c: lets backlogged stages that dev can serve into the queues. */
void core_backlog_pull(struct ac_engine *eng, struct ac_device *dev);
/* request.c: after a device's health changed: backlogged stages no healthy
 * device can do end with AC_ENODEV, the rest are offered to every device
 * (a fallback device may be eligible now). */
void core_health_changed(struct ac_engine *eng);
/* request.c: routes req's current stage again (it is in no queue or ring
 * now), at the head of its level when `head` (a retried stage); fails the
 * request with AC_ENODEV when no device can take it. */
void core_reroute(struct ac_engine *eng, struct ac_request *req, struct ac_device *from, bool head);
/* request.c: takes req out of dev's software queue. */
void core_stage_unqueue(struct ac_engine *eng, struct ac_device *dev, struct ac_request *req);
/* request.c: takes the stage in slot s back from dev without a completion
 * (the slot's generation moves on, its watchdog is cancelled). Returns its
 * request. The slot stays out of use until core_slot_release(), so that
 * the driver can be told first. */
struct ac_request *core_stage_recall(struct ac_engine *eng, struct ac_device *dev,
                                     struct ac_slot *s);
/* request.c: ends an entry point begun with core_enter(): releases the
 * lock, then, from the outermost entry point only, runs the callbacks that
 * are due (unless a runner further up already does), or hands them to the
 * platform's defer op. */
void core_leave(struct ac_engine *eng);
/* engine.c: lock held: true when no request is in the engine, no thread
 * inside it (entry point, callback runner, deferred run) and no timer
 * armed. */
bool core_quiescent(const struct ac_engine *eng);
/* engine.c: core_idle_check once the engine is closing. */
void core_idle_tell(struct ac_engine *eng);

/* Lock held, the caller on its way out: after shutdown, tells the platform
 * once that the engine is quiescent. Every entry point passes here: before
 * shutdown it is one test. */
static inline void core_idle_check(struct ac_engine *eng)
{
        if (eng->closing)
                core_idle_tell(eng);
}

#endif

/*
 * ac/observer.h - tracepoints: what the core does to stages and devices,
 * told as it does it.
 *
 * An observer is an optional ops table with an opaque context, passed in
 * struct ac_engine_config like the platform. When it is absent (ops NULL,
 * the default) each tracepoint costs one predictable branch and nothing
 * else. When present, the core calls `stage` each time a stage enters or
 * leaves a device's software queue or ring, and `device` each time a
 * device changes state, with the platform's time. Either hook may be NULL.
 *
 * Stage points, and what each does to dev's counts (ac_device_view):
 *   QUEUED      +1 queued      put in dev's queue (placed, retried, moved)
 *   DISPATCHED  -1 queued,     from dev's queue into a ring slot, just
 *               +1 in flight   before driver->submit (which may refuse)
 *   COMPLETED   -1 in flight   left dev's ring with `status`: 0 ok, < 0 an
 *                              error completion or a refusal at submit
 *   TIMED_OUT   -1 in flight   taken back by its watchdog
 *   MOVED       -1 queued      taken off dev's queue, to be placed again
 *   RECALLED    -1 in flight   taken back from dev's ring, to be placed
 *                              again (its device failed, left, or missed
 *                              its drain deadline)
 * A stage placed again after MOVED, RECALLED, TIMED_OUT or an error shows
 * as QUEUED on its next device, or not at all while it waits in the
 * engine's backlog or when its request ends there.
 *
 * Device points: ADDED (registered), FAILED (with a cause and a status),
 * PROBING (driver->probe is about to be called), RECOVERED, DRAINING
 * (unregistered with a drain), REMOVED (gone for good), FALLBACK_ENGAGED
 * (a fallback device got its first stage since it was added or last gave
 * work back), FALLBACK_GIVEN_BACK (hardware it shares an operation with is
 * healthy again: it gives back its queued stages, each a MOVED).
 *
 * Ordering: points come in the order the core acts, within one entry
 * point and across them. A device's state change comes before the stage
 * points it causes (FAILED, then a RECALLED or MOVED per stage, then their
 * QUEUED elsewhere). Summed per device, the points give its statistics
 * (ac_device_stats): enqueued = QUEUED, dispatched = DISPATCHED, completed
 * = COMPLETED with status 0, errors = COMPLETED with status < 0, timeouts
 * = TIMED_OUT, migrated_out = MOVED + RECALLED, recalled = RECALLED,
 * failures = FAILED, and queued and in flight as in the table above.
 *
 * The hooks run inside the core with the platform lock held (when there
 * is one) and the core in the middle of its work: they must not call any
 * entry point of the core (ac_submit, ac_device_*, statistics getters,
 * ...), must not block, and should be short. They may read the event and
 * the request and device it points to, but change neither. Pointers in an
 * event are valid during the call only.
 */
#ifndef AC_OBSERVER_H
#define AC_OBSERVER_H

#include <stdint.h>

struct ac_device;
struct ac_request;

enum ac_stage_point {
        AC_STAGE_QUEUED = 0,
        AC_STAGE_DISPATCHED,
        AC_STAGE_COMPLETED,
        AC_STAGE_TIMED_OUT,
        AC_STAGE_MOVED,
        AC_STAGE_RECALLED,
};

struct ac_stage_event {
        enum ac_stage_point point;
        uint64_t now_ns;              /* the platform's time, as the core read it for
                                         the action (docs/architecture.md) */
        const struct ac_device *dev;  /* the device the stage entered or left */
        uint32_t device;              /* its index (ac_device_index) */
        const struct ac_request *req; /* the stage's request */
        uint32_t stage;               /* index of the stage in req's chain */
        uint64_t tag;                 /* ring tag; 0 for QUEUED and MOVED */
        int status;                   /* COMPLETED: 0 or the error; else 0 */
};

enum ac_device_point {
        AC_DEVICE_ADDED = 0,
        AC_DEVICE_FAILED,
        AC_DEVICE_PROBING,
        AC_DEVICE_RECOVERED,
        AC_DEVICE_DRAINING,
        AC_DEVICE_REMOVED,
        AC_DEVICE_FALLBACK_ENGAGED,
        AC_DEVICE_FALLBACK_GIVEN_BACK,
};

/* Why a device was declared failed (AC_DEVICE_FAILED). */
enum ac_fail_cause {
        AC_FAIL_NONE = 0, /* any other point */
        AC_FAIL_ERRORS,   /* failover.errors_to_fail errors in a row (status AC_EIO) */
        AC_FAIL_WATCHDOG, /* a stage outlived failover.timeout_ns (status AC_ETIMEDOUT) */
        AC_FAIL_REPORTED, /* ac_device_failed (status: its reason) */
};

struct ac_device_event {
        enum ac_device_point point;
        uint64_t now_ns;             /* the platform's time */
        const struct ac_device *dev; /* the device */
        uint32_t device;             /* its index (ac_device_index) */
        enum ac_fail_cause cause;    /* FAILED; AC_FAIL_NONE otherwise */
        int status;                  /* FAILED: see the cause; else 0 */
};

struct ac_observer_ops {
        const char *name;
        /* Optional. A stage entered or left a device's queue or ring. */
        void (*stage)(void *ctx, const struct ac_stage_event *ev);
        /* Optional. A device changed state. */
        void (*device)(void *ctx, const struct ac_device_event *ev);
};

struct ac_observer {
        const struct ac_observer_ops *ops; /* NULL: no observer (the default) */
        void *ctx;
};

#endif

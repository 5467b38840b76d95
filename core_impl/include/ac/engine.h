/*
 * ac/engine.h - the asynchronous crypto engine: requests, submission,
 * completion, statistics.
 *
 * A caller fills a struct ac_request it owns (a chain of stages, a
 * priority, a flow, a callback), and submits it. The engine routes each
 * stage through the balancer to a capable device's bounded priority queue,
 * hands it to the device when a ring slot is free, and after the last stage
 * calls the callback exactly once with the final status. The request must
 * stay valid and untouched from submit until its callback returns.
 *
 * Every function here and in ac/device.h takes the platform's lock (when it
 * has one), except those that read what never changes (ac_device_name,
 * ac_device_index, ac_engine_balancer): see "Threading contract" in
 * docs/architecture.md. None may be called with the lock held (from a
 * driver op or a balancer hook on a locking platform).
 *
 * Submit has three outcomes a caller can tell apart:
 *   AC_ACCEPTED    queued;
 *   AC_BACKLOGGED  queued in the bounded backlog: slow down;
 *   < 0            rejected, never queued, no callback: AC_ENODEV (no
 *                  capable device), AC_ENOSPC (queues and backlog full),
 *                  AC_EINVAL (malformed request).
 */
#ifndef AC_ENGINE_H
#define AC_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ac/balancer.h"
#include "ac/device.h"
#include "ac/observer.h"
#include "ac/platform.h"

#define AC_MAX_OPS    64 /* distinct operation names per engine (a capability bitmask) */
#define AC_MAX_LEVELS 16 /* priority levels */

enum { AC_ACCEPTED = 0, AC_BACKLOGGED = 1 };

struct ac_engine;
struct ac_request;

typedef void (*ac_done_fn)(struct ac_request *req, int status);

/* One transformation in a chain: an interned operation and a size. */
struct ac_stage {
        uint32_t op; /* from ac_op_intern() */
        uint64_t bytes;
};

/* Core bookkeeping inside a request. Private: callers zero it (or leave it
 * as the previous completion left it) and never read it. */
struct ac_request_core {
        struct ac_request *next, *prev; /* queue / backlog / ordering links */
        struct ac_device *device;       /* device holding the current stage */
        uint64_t enqueued_ns;           /* when the current stage was queued */
        int64_t status;                 /* the final status until the callback, or the one a
                                           retry waits on (in the line finishing writes) */
        uint64_t tag;                   /* ring tag of the in-flight stage */
        uint32_t stage;                 /* index of the current stage */
        uint32_t state;                 /* where the request is */
        uint32_t level;                 /* queue level the request sits in */
        uint32_t flags;
        uint64_t scratch[4]; /* room for the core to grow without an ABI break */
};

struct ac_request {
        /* Set by the caller before ac_submit(). */
        const struct ac_stage *stages; /* the chain, applied in order */
        uint32_t nstages;              /* >= 1 */
        uint8_t priority;              /* 0 is the most urgent */
        uint64_t flow;                 /* flow id, for per-flow ordering */
        ac_done_fn done;               /* called exactly once per accepted request */
        void *user;
        /* Filled by the core; valid in and after the callback. */
        uint64_t submitted_ns;       /* time of ac_submit() */
        uint64_t completed_ns;       /* time the final status was known */
        uint32_t retries;            /* attempts spent from the retry budget */
        uint32_t migrations;         /* stages moved off a failed/removed/fallback device */
        struct ac_request_core core; /* private */
};

/* Failover (see docs/architecture.md). A request's budget is spent by a
 * stage that reached a device and did not complete ok there (error,
 * refusal, timeout, or taken back from a failed or removed device); moving
 * a queued stage is free. */
struct ac_failover_config {
        uint64_t timeout_ns;     /* watchdog per stage from dispatch; expiry fails the
                                    device (hung); 0 = none */
        uint32_t retries;        /* extra attempts per request, all stages together */
        uint32_t errors_to_fail; /* consecutive error completions that fail a device; >= 1 */
        uint64_t probe_ns;       /* probe interval for failed devices; 0 = no probing */
        uint64_t drain_ns;       /* default drain deadline for removal */
        uint64_t busy_ns;        /* after a refusal with AC_EBUSY (not an error: the
                                    stage is requeued) while nothing is in flight at
                                    the device, try it again this long after;
                                    0 = 10 us */
};

struct ac_engine_config {
        const char *policy; /* a registered balancer's name */
        const struct ac_option *policy_options;
        size_t npolicy_options;
        uint32_t queue_depth;     /* per-device software queue bound, >= 1 */
        uint32_t backlog;         /* engine-wide backlog bound, may be 0 */
        uint32_t priority_levels; /* 1..AC_MAX_LEVELS */
        uint64_t aging_ns;        /* a waiting stage rises one level per
                                     aging_ns; 0 = no aging */
        struct ac_failover_config failover;
        bool affinity;   /* keep a chain on its device when it can do
                            the next stage */
        bool flow_order; /* callbacks of a flow in submission order; the
                            wait is in ac_level_stats.hol_ns */
        struct ac_platform platform;
        struct ac_observer observer; /* optional tracepoints (ac/observer.h);
                                        none by default */
};

/* Fills cfg with the documented defaults: least-loaded, queue 256, backlog
 * 1024, 3 levels, no aging, timeout 5 ms, 3 retries, 1 error to fail,
 * probe 100 ms, drain 10 ms, busy retry 10 us, no affinity, no ordering. The platform is left
 * empty and must be set. */
void ac_engine_config_defaults(struct ac_engine_config *cfg);

/* Creates an engine. Returns 0 and sets *out, or AC_EINVAL (bad config),
 * AC_ENOENT (unknown policy), AC_ENOMEM, or the balancer's init error. */
int ac_engine_create(const struct ac_engine_config *cfg, struct ac_engine **out);

/* Destroys the engine and its devices, cancelling every timer the core
 * armed. Requests still queued or in flight are abandoned without
 * callbacks. Safe only once the engine is quiescent (below) and the
 * platform has delivered or dropped every timer fire it had already taken
 * for the engine (the core cancels without waiting): the shutdown protocol
 * is ac_engine_shutdown, wait for quiescence, destroy (docs/architecture.md,
 * "Threading contract"). Never from a callback, a driver op or a balancer
 * hook. */
void ac_engine_destroy(struct ac_engine *eng);

/* Starts shutting the engine down: from now on ac_submit and
 * ac_device_register return AC_ESHUTDOWN, and failed devices are probed no
 * more (their probe timers are cancelled); the requests already accepted
 * go on to their callbacks, failover included. When the engine becomes
 * quiescent the platform's idle op, if any, is called once. Returns 0. */
int ac_engine_shutdown(struct ac_engine *eng);

/* True when the engine may be destroyed as far as the core knows: no
 * request in it (ac_engine_idle), no thread inside it (an entry point, a
 * callback runner, a deferred run pending) and no timer armed. Unlike
 * ac_engine_idle, false inside a callback: the thread running it is still
 * in the engine. A failed device's probe timer keeps it false until
 * ac_engine_shutdown. */
bool ac_engine_quiescent(const struct ac_engine *eng);

/* Interns an operation name and returns its id (>= 0), or AC_ENOSPC when
 * AC_MAX_OPS names are taken, AC_EINVAL for an empty name. */
int ac_op_intern(struct ac_engine *eng, const char *name);
/* Returns the id of a known name, or AC_ENOENT. */
int ac_op_lookup(const struct ac_engine *eng, const char *name);
const char *ac_op_name(const struct ac_engine *eng, uint32_t op);

/* Submits a request: AC_ACCEPTED, AC_BACKLOGGED or a negative code (see
 * the top of this file). May be called from a completion callback. */
int ac_submit(struct ac_engine *eng, struct ac_request *req);

/* True when no request is queued, backlogged, in flight or held for
 * ordering. Not a licence to destroy: see ac_engine_quiescent. */
bool ac_engine_idle(const struct ac_engine *eng);

/* Devices in registration order, by index (including failed and removed
 * ones): ac_engine_device returns NULL for an index out of range or a
 * device released (ac_device_release) and freed since. */
size_t ac_engine_ndevices(const struct ac_engine *eng);
struct ac_device *ac_engine_device(const struct ac_engine *eng, size_t i);
/* The device's live view, which the core keeps current under its lock:
 * read it only where the core cannot run meanwhile (one thread, as the
 * simulator). With threads, ac_device_view_get copies it under the lock. */
const struct ac_device_view *ac_device_view(const struct ac_device *dev);
void ac_device_view_get(const struct ac_device *dev, struct ac_device_view *out);
const struct ac_balancer_ops *ac_engine_balancer(const struct ac_engine *eng);
/* Checks the core's invariants (ring and queue bounds and links, the
 * counts of devices and engine, conservation of requests) from outside any
 * entry point; core_impl/check.c. Returns NULL when they hold, else buf
 * holding the first broken one, "NAME: detail" (truncated to cap). */
const char *ac_engine_check(const struct ac_engine *eng, char *buf, size_t cap);

/* ---- statistics ----------------------------------------------------- */

struct ac_engine_stats {
        uint64_t submitted;  /* ac_submit() calls */
        uint64_t accepted;   /* AC_ACCEPTED */
        uint64_t backlogged; /* AC_BACKLOGGED */
        uint64_t rejected;   /* negative return */
        uint64_t completed;  /* callbacks with status 0 (released, not held) */
        uint64_t failed;     /* callbacks with status < 0 (released, not held) */
        uint64_t retried;    /* attempts spent: errors, timeouts, lost in-flight stages */
        uint64_t migrated;   /* stages moved off a failed, removed or fallback device */
        uint64_t late;       /* completions for stages already moved elsewhere */
        uint64_t timeouts;   /* watchdog expiries */
        uint32_t queued;     /* now, in device queues */
        uint32_t backlog;    /* now, in the backlog */
        uint32_t in_flight;  /* now, submitted to devices */
        uint32_t held;       /* now, done but held back for flow order */
};

struct ac_device_stats {
        uint64_t enqueued;     /* stages placed in its queue */
        uint64_t dispatched;   /* stages submitted to the device */
        uint64_t completed;    /* ok completions */
        uint64_t errors;       /* error completions and immediate refusals */
        uint64_t full;         /* submits refused with AC_EBUSY, requeued (not errors) */
        uint64_t timeouts;     /* stages its watchdog caught */
        uint64_t late;         /* completions ignored because the stage had moved */
        uint64_t migrated_out; /* stages moved off it, queued or in flight */
        uint64_t recalled;     /* in-flight stages taken back (counted in migrated_out) */
        uint64_t failures;     /* times declared failed */
        uint64_t busy_ns;      /* time with at least one stage in flight */
        uint64_t failed_ns;    /* time spent failed */
        uint32_t queued;       /* now */
        uint32_t in_flight;    /* now */
};

struct ac_level_stats {
        uint64_t submitted; /* accepted requests of this level */
        uint64_t completed; /* final status 0 known (held ones included) */
        uint64_t failed;    /* final status < 0 known (held ones included) */
        uint64_t queued_ns; /* total time stages of this level waited in queues */
        uint64_t hol_ns;    /* total time completions were held back for flow order */
        uint64_t held;      /* completions that were held back */
        uint32_t queued;    /* now */
        uint32_t in_flight; /* now */
};

/* What the engine holds in memory for its devices, to show that hot-plug
 * churn does not grow it. */
struct ac_engine_memory {
        size_t devices; /* device objects allocated: registered, not freed */
        size_t timers;  /* timer records, in use or pooled (freed with the engine) */
        size_t indexes; /* device indexes given out, one pointer each */
};

void ac_engine_get_stats(const struct ac_engine *eng, struct ac_engine_stats *out);
void ac_engine_memory(const struct ac_engine *eng, struct ac_engine_memory *out);
/* Times (busy_ns, failed_ns) are brought up to now. */
void ac_device_get_stats(const struct ac_device *dev, struct ac_device_stats *out);
/* Returns 0, or AC_EINVAL for a level out of range. */
int ac_level_get_stats(const struct ac_engine *eng, uint32_t level, struct ac_level_stats *out);

#endif

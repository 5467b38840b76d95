/*
 * ac/device.h - crypto devices as the core sees them.
 *
 * A device is registered with the operations it can do, a hardware ring
 * depth and a driver ops table. The core hands it one stage at a time
 * (driver->submit) and never more than `ring` at once; the device answers
 * later through the entry points at the bottom of this file. Every stage
 * handed to a driver carries a tag; the device must pass the same tag back.
 * Tags are never reused while a stage could still complete, so a stage the
 * core has already moved elsewhere (failover) is recognised when it
 * completes late, counted, and ignored.
 */
#ifndef AC_DEVICE_H
#define AC_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ac_engine;
struct ac_device;
struct ac_request;

/* What a driver sees of one stage. Valid during the submit call only; a
 * driver copies what it needs. */
struct ac_job {
        uint64_t tag;           /* give back to ac_device_complete() */
        uint32_t op;            /* interned operation id (ac_op_intern) */
        const char *op_name;    /* its name */
        uint64_t bytes;         /* payload size of this stage */
        uint8_t priority;       /* the request's level, 0 most urgent */
        uint64_t flow;          /* the request's flow id */
        struct ac_request *req; /* for a real driver's buffers; see below */
        uint32_t stage;         /* index of this stage in req's chain */
};

/* A driver may touch job->req (and the buffers behind it) only until it
 * reports the stage's completion or until its abort op for the tag
 * returns, whichever is first. The core never finishes a request, nor
 * hands its stage to another device, while a device may still touch it:
 * from a driver without abort it takes no in-flight stage back (not on a
 * watchdog expiry, a failure or a drain deadline) until the device
 * answers or is removed (ac_device_removed). */
struct ac_driver_ops {
        const char *name;
        /* Required. Starts one stage. Returns 0 when the device took it;
         * AC_EBUSY when its ring is full for now (the core puts the stage
         * back at the head of the queue and tries again after the device's
         * next completion, or after failover.busy_ns: no attempt is spent,
         * no error counted); any other negative code when it refused the
         * stage, which the core treats like an error completion of it. */
        int (*submit)(void *ctx, struct ac_device *dev, const struct ac_job *job);
        /* Optional. The core gave up on a stage it had submitted (timed out,
         * or the device failed): when abort returns, the device no longer
         * touches the request (a stage done in place is dropped, or
         * finished into the driver's own buffers). A completion for the
         * tag may still arrive and is then counted as late. Without it,
         * a stage stays with its device until the device answers or is
         * removed: a hung device holds its requests until then. */
        void (*abort)(void *ctx, struct ac_device *dev, uint64_t tag);
        /* Optional. Asks a failed device whether it works again; the device
         * answers, now or later, with ac_device_recovered() (or not at all).
         * Called every failover.probe_ns while the device is failed. */
        void (*probe)(void *ctx, struct ac_device *dev);
};

struct ac_device_config {
        const char *name;       /* unique among the engine's devices not gone */
        const char *const *ops; /* operation names it can do */
        size_t nops;
        uint32_t ring;   /* most stages outstanding at once, >= 1 */
        uint32_t weight; /* declared capacity, for weighted balancers; 0 = 1 */
        bool fallback;   /* software device: used only while no other
                            capable device is healthy */
        const struct ac_driver_ops *driver;
        void *driver_ctx;
};

enum ac_health {
        AC_DEV_HEALTHY = 0, /* takes work */
        AC_DEV_FAILED,      /* declared failed; probed; may recover */
        AC_DEV_DRAINING,    /* being removed: takes no work, in-flight may finish */
        AC_DEV_GONE,        /* removed for good */
};

/* Registers a device; it takes work at once, also while requests flow.
 * Returns 0 and sets *out, or AC_EINVAL, AC_EEXIST, AC_ENOMEM. */
int ac_device_register(struct ac_engine *eng, const struct ac_device_config *cfg,
                       struct ac_device **out);

/* Removes a device (hot-unplug). Its queued stages move to other devices at
 * once; its in-flight stages may finish until drain_ns from now (0: the
 * engine's failover.drain_ns), after which they move too, each spending one
 * retry of its request. Once gone, its name is free for a new device and
 * the core's scans skip it; the handle stays valid (late completions are
 * counted and ignored, any entry point may still be called) until
 * ac_device_release, or until the engine is destroyed.
 * Returns 0, or AC_EINVAL when it is already gone. */
int ac_device_unregister(struct ac_device *dev, uint64_t drain_ns);

/* The last call anyone makes with dev: its driver (and owner) will call
 * nothing more with it, nor complete any of its tags. If dev is not gone
 * it is removed now, as by ac_device_removed; stages still in flight there
 * move now even from a driver without abort (the driver has let go of
 * them). The core frees dev once nothing in it holds the device, at the
 * latest when the outermost entry point under way returns (this one, when
 * no other is): from the moment it is called, dev is no longer valid for
 * the caller, and ac_engine_device returns NULL for its index once it is
 * freed. Its timers' fires that were already under way find their records
 * (the engine's, kept until destroy) and do nothing. Without it, a gone
 * device stays allocated until ac_engine_destroy. Not from inside a driver
 * op, a balancer hook or an observer. */
void ac_device_release(struct ac_device *dev);

/* Entry points for devices. status is 0 for success or a negative code.
 * Without a platform lock they may be called from inside the driver's own
 * ops (a device that completes inside submit); with one, the lock is held
 * during driver ops, so report later (or give the platform a recursive
 * lock). */
void ac_device_complete(struct ac_device *dev, uint64_t tag, int status);
/* The device reports that it failed (fail-stop, reset, fatal error). Its
 * queued and in-flight stages move to other devices; it is probed every
 * failover.probe_ns if its driver has a probe op. */
void ac_device_failed(struct ac_device *dev, int reason);
/* The device reports that it works again (after a probe or on its own).
 * Only a failed device recovers; a removed one is gone for good. */
void ac_device_recovered(struct ac_device *dev);
/* The device reports surprise removal: like unregister with no drain. */
void ac_device_removed(struct ac_device *dev);

const char *ac_device_name(const struct ac_device *dev);
enum ac_health ac_device_health(const struct ac_device *dev);
/* Index of the device within its engine, in registration order. */
uint32_t ac_device_index(const struct ac_device *dev);

#endif

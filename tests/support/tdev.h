/*
 * tdev.h - scriptable test devices. A tdev records every stage the core
 * submits to it (with its tag) and completes nothing on its own: the test
 * completes jobs explicitly, with the status and at the time it chooses.
 * Every submit asserts the ring bound. A tdev can be told to refuse
 * submits, or to complete inside submit; a job can be marked hung (never
 * completed by the helpers below) and completed again after the core gave
 * up on it (a late completion). With a probe op, it counts probes and may
 * report itself recovered from inside the probe.
 */
#ifndef TDEV_H
#define TDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ac/ac.h"
#include "support/tp.h"

#define TDEV_MAX_OPS 8

struct tdev_spec {
        const char *name;
        const char *ops[TDEV_MAX_OPS]; /* NULL-terminated when fewer */
        uint32_t ring;                 /* 0 means 1 */
        uint32_t weight;
        bool fallback;
        bool probe; /* the driver has a probe op */
};

struct tdev_job {
        uint64_t tag;
        uint32_t op;
        uint64_t bytes;
        uint8_t priority;
        uint64_t flow;
        struct ac_request *req;
        uint32_t stage;
        uint64_t at_ns; /* when submitted */
        bool done;      /* completed (or aborted) */
        bool aborted;   /* the core called abort for it */
        bool hung;      /* the test never completes it (the helpers skip it) */
};

struct tdev {
        struct ac_device *dev;
        struct tp *tp;
        uint32_t ring;
        struct tdev_job *jobs; /* every job ever submitted, in order */
        size_t njobs, capjobs;
        size_t next;              /* jobs before this one are done */
        uint32_t outstanding;     /* submitted, not completed nor aborted */
        uint32_t max_outstanding; /* the most at once so far */
        int refuse;               /* < 0: submit returns it and records nothing */
        bool complete_inline;     /* complete each job inside submit ... */
        int inline_status;        /* ... with this status */
        size_t aborts;
        size_t probes;    /* times the core probed it */
        bool probe_heals; /* a probe reports it recovered at once (no lock only) */
        /* Called at the end of each submit the device took, inside the
         * core's call (no lock only): it may complete the job, report the
         * device failed or removed, and so on. A negative return refuses
         * the job after all (it is then done, and submit returns it). */
        int (*on_submit)(struct tdev *d, size_t job);
};

/* Registers a test device; returns what ac_device_register returns. */
int tdev_add(struct tdev *d, struct ac_engine *eng, struct tp *tp, const struct tdev_spec *spec);
void tdev_fini(struct tdev *d);

/* Completes job i with status (the clock as it is). */
void tdev_complete(struct tdev *d, size_t i, int status);
/* Advances the clock to `when`, then completes job i. */
void tdev_complete_at(struct tdev *d, size_t i, int status, uint64_t when);
/* Completes the oldest pending job; returns false when there is none. */
bool tdev_complete_next(struct tdev *d, int status);
/* Completes pending jobs oldest first, including ones submitted meanwhile,
 * until none is left. Returns how many. */
size_t tdev_complete_all(struct tdev *d, int status);
/* Completes job i again, after it was completed or aborted: the core must
 * count it late. */
void tdev_complete_stale(struct tdev *d, size_t i, int status);
/* Returns the index of the oldest pending job that is not hung, or
 * SIZE_MAX. */
size_t tdev_oldest(struct tdev *d);
/* Returns the number of pending jobs (hung ones included). */
size_t tdev_pending(const struct tdev *d);

#endif

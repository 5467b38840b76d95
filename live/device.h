/*
 * live/device.h - a crypto device made of worker threads doing real crypto
 * (live/crypto.h), registered with the core as a driver.
 *
 * A device has `ring` job slots (the core never submits more) and `lanes`
 * worker threads. submit() copies the stage's description into a free slot
 * and queues it; a worker takes the oldest queued stage and transforms it
 * in the request's own buffers, with no lock held. abort() of a stage being
 * transformed waits until the transformation is done (one stage's time:
 * the worker needs nothing of the core to finish), so once abort returns
 * nothing writes into the request any more; a stage held afterwards (hung,
 * slowed) is dropped unanswered. Stages are applied out of place
 * (live_stage_io), so a stage applied twice, once late and once after
 * failover, writes the same bytes from the same input. Completions are
 * reported from the worker, never from inside a driver op.
 *
 * Faults are injected as in the simulator's device model (docs/live.md):
 *   fail-stop  reported failed; drops what it holds; refuses submissions;
 *              on repair reported recovered
 *   hang       workers stop answering; held stages wait; the core's
 *              watchdog must notice; on repair held stages complete (late)
 *   slow       each stage takes `factor` times its measured time
 *   flaky      each stage errors with probability p
 *   remove     surprise removal: drops everything, reported removed
 */
#ifndef LIVE_DEVICE_H
#define LIVE_DEVICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ac/ac.h"
#include "live/crypto.h"

/* When the device handled one stage, each on CLOCK_MONOTONIC (absolute ns):
 * written by the device, all at once, when its worker reports the stage
 * (and only if the core has not taken the stage back), into the owner's
 * record that live_stage_io.stamps points to. docs/live.md, "Where a live
 * request spends its time". */
struct live_stamps {
        uint64_t driver; /* the driver's submit op ran (engine lock held) */
        uint64_t take;   /* a worker took the stage from the device's queue */
        uint64_t start;  /* the transform began (the stage's input copied out) */
        uint64_t end;    /* the transform ended */
        uint64_t report; /* the worker reports: just before ac_device_complete */
        bool woke;       /* submitted to an idle lane: a sleeping worker was woken for it */
};

/* Where one stage of a request reads and writes, as its owner lays it out:
 * `in` holds the stage's bytes, `out` has live_out_room() bytes, distinct
 * from `in`; `tag` is the request's AEAD tag (written by a seal, read by an
 * open). Filled by the owner's io function while the core holds the
 * request, read by the device only while the stage is its own. */
struct live_stage_io {
        const uint8_t *in;
        uint8_t *out;
        uint8_t *tag;
        const uint8_t *iv;          /* iv_len bytes; the key comes from the device's op table */
        struct live_stamps *stamps; /* where the stage's stamps go; NULL: not kept */
};

typedef void (*live_io_fn)(void *ctx, struct ac_request *req, uint32_t stage,
                           struct live_stage_io *io);

enum live_fault {
        LIVE_OK = 0,
        LIVE_FAIL_STOP,
        LIVE_HANG,
        LIVE_SLOW,
        LIVE_FLAKY,
        LIVE_REMOVED,
};

struct live_device_config {
        const char *name;
        const char *const *ops; /* operation names: each must be in live_ops[] */
        size_t nops;
        uint32_t ring;  /* job slots, >= 1 */
        uint32_t lanes; /* worker threads, >= 1 */
        uint32_t weight;
        bool fallback;
        size_t max_bytes; /* the largest stage it takes; a larger one is refused */
        live_io_fn io;
        void *io_ctx;
        uint64_t seed;        /* flaky draws */
        const uint8_t *keys;  /* LIVE_MAX_KEY bytes, the same for every op */
        const int *lane_cpus; /* lanes entries: the CPU lane k's worker is pinned to;
                                 NULL: wherever the scheduler puts it */
};

struct live_job;

/* What a device's lanes gave, summed over the stages they reported
 * (docs/live.md, "The service a run measured"); under the device's mu.
 * A lane holds a stage from taking it to reporting it, is then busy with
 * the core's completion (and, with callbacks on the finishing thread, the
 * callback) until it looks for the next: its gap; a stage that found the
 * lane asleep first waits for its worker to wake. */
struct live_ledger {
        uint64_t stages;         /* reported to the core */
        double held_ns, held_sq; /* take -> report, summed, and its squares */
        double gap_ns;           /* report -> the worker free again, summed */
        uint64_t woken;          /* stages that found their lane asleep */
        double wake_ns, wake_sq; /* driver's submit -> take of those, and squares */
};

/* a - b, field by field: what was served between two readings. */
struct live_ledger live_ledger_since(const struct live_ledger *a, const struct live_ledger *b);

struct live_device {
        struct ac_device *dev;
        struct ac_engine *eng;
        char *name;
        const struct live_op **op_of; /* core op id -> live op; by ac_op_intern id */
        size_t nop_of;
        live_io_fn io;
        void *io_ctx;
        const uint8_t *keys;
        size_t max_bytes;

        pthread_mutex_t mu;     /* guards everything below; taken after the engine lock */
        pthread_cond_t work;    /* workers wait for a stage, a repair or a probe */
        pthread_cond_t done;    /* abort waits here for a stage being transformed */
        struct live_job *slots; /* ring of them */
        uint32_t ring;
        uint32_t *queue; /* slot indices, FIFO */
        uint32_t qhead, qlen;
        uint32_t *free_slots;
        uint32_t nfree;
        enum live_fault fault;
        double factor;      /* slow */
        double probability; /* flaky */
        bool probe_pending; /* the core asked; a worker answers outside every lock */
        bool stopping;
        uint64_t rng;

        pthread_t *workers;
        uint32_t lanes;
        uint32_t nworkers; /* started */
        uint32_t sleeping; /* workers waiting for work, under mu */
        int *lane_cpus;    /* lanes entries, or NULL: see the config */
        uint32_t pinned;   /* workers that took their CPU (and failed: pin_failed) */
        uint32_t pin_failed;

        /* statistics, under mu */
        uint64_t completed; /* reported to the core */
        uint64_t errors;    /* of which with an error status (flaky) */
        uint64_t aborted;   /* taken back by the core */
        uint64_t dropped;   /* lost to fail-stop or removal */
        uint64_t busy_ns;   /* lane time spent transforming */
        uint64_t idle_ns;   /* lane time spent waiting for a stage (or a repair), by
                               the waits ended; live_device_idle_ns() adds those
                               under way */
        uint64_t idle_from; /* the sum of the start times of the waits under way */
        struct live_ledger ledger;
};

/* Registers a live device with the engine and starts its workers. Returns
 * 0, AC_ENOENT when an op has no live implementation, or another negative
 * AC_E* code. */
int live_device_start(struct live_device *d, struct ac_engine *eng,
                      const struct live_device_config *cfg);

/* Injects a fault (LIVE_OK repairs): the device behaves as described above
 * and reports to the core from this thread, which must not hold the engine
 * lock. */
void live_device_inject(struct live_device *d, enum live_fault f, double param);

/* Returns the lane time d's workers spent waiting for work up to now, the
 * waits under way counted up to now, and sets *now_ns to that instant
 * (CLOCK_MONOTONIC). The difference of two readings is the waiting inside
 * the interval between them, however the waits straddle its ends. */
uint64_t live_device_idle_ns(struct live_device *d, uint64_t *now_ns);

/* Stops the workers and frees what start took. Call it after the engine
 * was destroyed, or when the core no longer hands the device work. */
void live_device_stop(struct live_device *d);

/* Takes the card out for good while the engine runs: removed (as the
 * removal fault, if it was not already), its workers stopped (a worker's
 * last completion, late, is delivered before), the core told it may free
 * the device (ac_device_release: the driver's last call), then what start
 * took is freed. d may be started again, under the same name. Not from
 * the engine's callbacks or a driver op. */
void live_device_remove(struct live_device *d);

#endif

/*
 * models/device.h - a parameterised crypto card on the event engine.
 *
 * A device has `lanes` parallel engines and a ring of `ring` slots. The
 * owner submits stages (tag, op index, bytes); a stage takes a ring slot and
 * is served by the first free lane, or waits in the ring in arrival order.
 * Its cost is setup_ns + bytes / rate scaled by a jitter factor, or a draw
 * from a service-time distribution. An op's latency_ns, when above 0, is
 * a delay between the end of service and the completion's report that
 * does not occupy the lane (a card's DMA and interrupt, a thread's
 * wake-up): the lane takes the next stage at once while the finished one
 * keeps its ring slot until it is reported. An op's gap_ns is the
 * reverse: lane time after the stage is reported (a worker's hand-offs
 * after its completion, a card's descriptor fetch); the lane takes its
 * next stage only when it is over. A gap runs at the device's speed like
 * service: a hang stops it, a slow fault stretches it. An op's wakeup_ns
 * is added to the service of a stage that finds its lane idle (a worker
 * thread woken, a card out of a power state), not of one that follows
 * another on a busy lane. The device answers through a small ops
 * table: a stage completed (ok or error), the device failed, recovered, or
 * was removed.
 *
 * Faults come from failure processes (alternating time to failure / time to
 * repair draws, or a permanent flaky background) and from scheduled faults.
 * Modes:
 *   fail-stop  the device reports failed() and drops every stage it holds,
 *              silently; while down it refuses submissions. On repair it
 *              reports recovered().
 *   hang       the lanes stop; stages in service and waiting make no
 *              progress, nothing is reported, submissions still enter the
 *              ring while there is room. On repair every held stage
 *              resumes where it stopped, so stages the owner did not abort
 *              complete late (device_model_working() tells a probe whether
 *              the device works again).
 *   slow       service takes `factor` times longer while active; stages in
 *              service are rescaled at the moment it starts or ends.
 *              Overlapping slow faults multiply.
 *   flaky      each stage completing while active errors with probability
 *              p (its service time is still spent).
 *   remove     (scheduled only) surprise removal: drop everything, report
 *              removed(), refuse everything after. Permanent.
 *
 * The model allocates at creation only: ring slots are preallocated and
 * linked intrusively, so submit and completion do no allocation. The fault
 * timeline grows when a fault starts (rare).
 */
#ifndef MODELS_DEVICE_H
#define MODELS_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/dist.h"
#include "sim/des/loop.h"

/* Statuses and refusals of the device, mapped onto the core's codes by the
 * glue. */
enum device_status {
        DEVICE_OK = 0,
        DEVICE_ESTAGE = -1, /* the stage failed on the card (flaky) */
        DEVICE_EDOWN = -2,  /* refused: the device is failed or removed */
        DEVICE_EFULL = -3,  /* refused: every ring slot is taken */
        DEVICE_EINVAL = -4, /* refused: no such op index; bad config */
        DEVICE_ENOMEM = -5, /* out of memory */
};

enum device_fault_mode {
        DEVICE_FAULT_FAIL_STOP,
        DEVICE_FAULT_HANG,
        DEVICE_FAULT_SLOW,
        DEVICE_FAULT_FLAKY,
        DEVICE_FAULT_REMOVE,
};

/* One operation the device can do. Either the linear cost (setup, rate,
 * optional jitter) or a service distribution. */
struct device_op_config {
        const char *name;        /* as the core knows it, e.g. "aes-gcm-enc" */
        bool has_service;        /* use `service` instead of the linear cost */
        struct dist service;     /* service time, ns */
        double setup_ns;         /* fixed cost per stage, ns */
        double rate;             /* bytes per ns; 0 means bytes cost nothing */
        bool has_jitter;         /* scale the linear cost by `jitter` */
        struct dist jitter;      /* multiplicative factor, mean ~1 */
        double latency_ns;       /* completion delay after the lane is freed, ns (>= 0) */
        double gap_ns;           /* lane time after the report, before the next stage, ns (>= 0) */
        double wakeup_ns;        /* lane time before a stage that found its lane idle, ns (>= 0) */
        bool has_wakeup_dist;    /* draw that lane time from `wakeup_dist` (wakeup_ns its mean) */
        struct dist wakeup_dist; /* the wake-up as a distribution, ns */
};

/* A random failure process. mtbf/mttr of the scenario map to exponential
 * dists; any dist may be given. Flaky processes use only `probability` and
 * are active for the whole run. */
struct device_failure_config {
        enum device_fault_mode mode; /* fail-stop, hang, slow or flaky */
        struct dist ttf;             /* time to failure, ns */
        struct dist ttr;             /* time to repair, ns */
        double factor;               /* slow: service time multiplier, >= 1 */
        double probability;          /* flaky: per-stage error chance, [0, 1] */
};

/* A fault at a given time, for a duration or for good. */
struct device_fault_config {
        uint64_t at_ns;              /* absolute simulated time */
        uint64_t for_ns;             /* 0: permanent */
        enum device_fault_mode mode; /* any; remove must be permanent */
        double factor;               /* slow */
        double probability;          /* flaky */
};

#define DEVICE_MAX_OPS 65536 /* ops per device: a ring slot keeps the index in 16 bits */

struct device_config {
        const char *name;
        uint32_t lanes; /* parallel engines, >= 1 */
        uint32_t ring;  /* most stages held at once (in service + waiting), >= 1 */
        struct device_op_config *ops;
        size_t nops;
        struct device_failure_config *failures;
        size_t nfailures;
        struct device_fault_config *faults;
        size_t nfaults;
};

/* Checks the config and prepares its distributions (dist_prepare on every
 * one); the config must stay alive and unchanged while models use it.
 * Returns 0, or -1 with a one-line reason in *why (static text). */
int device_config_prepare(struct device_config *cfg, const char **why);

/* What the device reports to its owner. All required. The model is in a
 * consistent state during each call, so the owner may submit or abort from
 * inside it. */
struct device_model_ops {
        void (*complete)(void *ctx, uint64_t tag, int status); /* DEVICE_OK or _ESTAGE */
        void (*failed)(void *ctx, int reason);                 /* fail-stop began */
        void (*recovered)(void *ctx);                          /* fail-stop repaired */
        void (*removed)(void *ctx);                            /* gone for good */
};

/* The generators a device draws from, owned by the caller and outliving the
 * model; each one its own stream so that one source never shifts another.
 * The service stream is copied into the model at creation (so its state
 * sits with the model's words) and goes on there: the caller's generator
 * does not advance. */
struct device_model_rngs {
        gsl_rng *service;   /* jitter or service time; copied, see above */
        gsl_rng **failures; /* one per failure process (cfg->nfailures) */
        gsl_rng *faults;    /* scheduled flaky faults' draws; NULL: `service` */
};

/* One fault window, for the fault timeline. */
struct device_fault_record {
        uint64_t start_ns;
        uint64_t end_ns; /* UINT64_MAX while active or when permanent */
        enum device_fault_mode mode;
        double factor;      /* slow */
        double probability; /* flaky */
        int32_t process;    /* failure process index, or -1 when scheduled */
};

struct device_model_stats {  /* what every stage moves first */
        double busy_lane_ns; /* integral of busy lanes over time */
        double held_ns;      /* integral of held stages over time */
        uint32_t held;       /* stages in the ring now */
        uint32_t busy;       /* lanes serving a stage or in its gap now */
        uint64_t submitted;  /* stages accepted */
        uint64_t completed;  /* completions reported, ok or error */
        uint64_t errors;     /* of which errors */
        uint64_t refused;    /* submissions refused (down, full, bad op) */
        uint64_t dropped;    /* stages lost to fail-stop or removal */
        uint64_t aborted;    /* stages the owner aborted */
        uint64_t failures;   /* faults started (any mode but flaky processes) */
};

struct device_model;

/* Creates the model on `loop` and schedules its failure processes and
 * faults (scheduled faults at their absolute times; failure processes draw
 * their first time to failure from now). cfg must be prepared. Returns 0
 * and sets *out, or DEVICE_EINVAL (missing rngs or ops) or DEVICE_ENOMEM. */
int device_model_create(struct sim_loop *loop, const struct device_config *cfg,
                        const struct device_model_rngs *rngs, const struct device_model_ops *ops,
                        void *ctx, struct device_model **out);
/* Cancels the model's events and frees it; stages it holds are forgotten.
 * Does not read the config, which may already be gone. */
void device_model_destroy(struct device_model *dev);
/* Sends the model's reports to ops and ctx from now on, in place of
 * those it was created with: for an owner that learns later where they
 * should go (the platform: its core device, registered after the model). */
void device_model_report_to(struct device_model *dev, const struct device_model_ops *ops,
                            void *ctx);

/* Hands the device one stage. Returns DEVICE_OK, or DEVICE_EDOWN, _EFULL,
 * _EINVAL when refused (nothing is reported later for a refused stage). */
int device_model_submit(struct device_model *dev, uint64_t tag, uint32_t op, uint64_t bytes);
/* Drops the stage with this tag if the device holds it; nothing is reported
 * for it. Returns true if it was held. O(ring). */
bool device_model_abort(struct device_model *dev, uint64_t tag);

/* True while the device is neither down, hung nor removed: the answer to a
 * probe. */
bool device_model_working(const struct device_model *dev);
/* Counters, with the integrals brought up to now. */
void device_model_stats(const struct device_model *dev, struct device_model_stats *out);
/* Returns device_model_stats()'s busy_lane_ns, the same double, reading
 * only what a stage reads (the time series asks every device each row). */
double device_model_busy_lane_ns(const struct device_model *dev);
/* The fault timeline in start order; valid until the next fault starts. A
 * flaky failure process appears as one window from creation, never ending. */
const struct device_fault_record *device_model_timeline(const struct device_model *dev, size_t *n);
const struct device_config *device_model_config(const struct device_model *dev);

/* "fail-stop", "hang", "slow", "flaky", "remove"; NULL for an unknown mode. */
const char *device_fault_mode_name(enum device_fault_mode mode);

#endif

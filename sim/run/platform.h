/*
 * sim/run/platform.h - the simulated platform: the core's seam (ac/platform.h,
 * the driver ops of ac/device.h) backed by the event engine and the device
 * models.
 *
 * Platform: now_ns() reads the engine's clock; a core timer carries a
 * struct sim_timer inside its opaque words, armed in the lane of its delay
 * (sim/des/lane.h: one event in the loop per delay, cancel in O(1)), and
 * fires in (time, sequence) order like every other event; random_u64() draws from
 * the stream named "balancer"; there is no lock (one thread).
 *
 * Devices: a struct sim_device joins one device model (models/device.h) to
 * one core device. The driver's submit hands the stage to the model, abort
 * drops it there, probe asks the model whether it works again; the model's
 * reports (stage completed, failed, recovered, removed) become the core's
 * entry points. A device attached with the fault points off and no
 * `after` gets the plain driver and reports, which check neither: set
 * both before attaching. Each device draws from its own streams, named
 * "device/<name>/service", "device/<name>/failure/<i>" and
 * "device/<name>/faults".
 *
 * Fault points (BUGGIFY, for acsim swarm only): after
 * sim_platform_buggify() with a nonzero seed, the platform misbehaves now
 * and then in the ways the seam allows, each with chance 1/SIM_BUGGIFY_ODDS
 * at its point, drawn from a stream of its own ("buggify") so that the
 * scenario's streams are untouched: a timer fires twice; a device
 * completes a stage inside its own submit, passes a stale tag before the
 * real one, completes a stage twice, or completes it again later (a late
 * duplicate). The core must take each in its stride. Off by default.
 *
 * After: when set, `after` runs after every core entry point the platform
 * makes (a completion, a state report, a timer), so that a checked run
 * can check the core at the end of each. What changed, and on which
 * device, the run learns from the core's own tracepoints (ac/observer.h),
 * not from the platform.
 */
#ifndef SIM_RUN_PLATFORM_H
#define SIM_RUN_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "ac/ac.h"
#include "models/device.h"
#include "sim/des/lane.h"
#include "sim/des/loop.h"

struct sim_device;

struct sim_platform {
        struct sim_loop *loop;
        gsl_rng *random;          /* the "balancer" stream */
        void (*after)(void *ctx); /* optional, see the top */
        void *after_ctx;          /* for after */
        gsl_rng *buggify;         /* the fault points' stream; NULL: off */
        struct sim_lane **lanes;  /* the timers' lanes, one per delay in use */
        size_t nlanes, caplanes;  /* lanes made, room in lanes */
        size_t last_lane;         /* the lane last armed in */
};

#define SIM_BUGGIFY_ODDS 64 /* each fault point fires once in this many chances */

/* Turns the fault points on, drawing from a stream of `seed` (0: off).
 * Returns 0, or AC_ENOMEM. */
int sim_platform_buggify(struct sim_platform *p, uint64_t seed);

/* Sets up the platform on loop, its random stream seeded from `seed`.
 * Returns 0, or AC_ENOMEM. */
int sim_platform_init(struct sim_platform *p, struct sim_loop *loop, uint64_t seed);
void sim_platform_fini(struct sim_platform *p);
/* Returns the platform to put in an ac_engine_config. */
struct ac_platform sim_platform_seam(struct sim_platform *p);

#define SIM_DEVICE_NO_OP 0xff /* op_index entry for an op the model lacks */

/* What a stage reads comes first: with no fault points and no checks
 * (the platform's buggify and after unset when the device is attached),
 * the driver's submit reads the model and the op map, no more, and the
 * model reports to the core's device directly (its context), so a stage
 * reads nothing else of this struct. */
struct sim_device {
        struct device_model *model;
        uint8_t op_index[AC_MAX_OPS]; /* core op id -> model op index */
        struct sim_platform *plat;
        struct ac_device *dev;
        gsl_rng *service;   /* device/<name>/service */
        gsl_rng **failures; /* device/<name>/failure/<i>, one per process */
        gsl_rng *faults;    /* device/<name>/faults */
        size_t nfailures;
        struct sim_event late; /* buggify: a late duplicate completion */
        uint64_t late_tag;     /* its tag */
        int late_status;       /* its status */
};

/* Creates the model of cfg (prepared, alive while d is) on the platform's
 * event loop with its streams under `seed`, and registers it with the core
 * engine `eng` under cfg->name. Returns 0, or a negative AC_E* code (the
 * device is then not attached and needs no detach). */
int sim_device_attach(struct sim_device *d, struct sim_platform *p, struct ac_engine *eng,
                      const struct device_config *cfg, bool fallback, uint32_t weight,
                      uint64_t seed);
/* Destroys the model and frees the streams. The core device stays with its
 * engine (ac_engine_destroy frees it): destroy that first. */
void sim_device_detach(struct sim_device *d);

/* Returns the AC_E* code for a device model status (DEVICE_*). */
int sim_device_status(int model_status);

#endif

/*
 * sim/run/fingerprint.c - the fingerprint of a replication's trajectory
 * (docs/results.md, docs/statistics.md): a 64-bit hash of what the core
 * did, in the order it did it, so two runs with the same fingerprint took
 * the same path event for event, and a change that moves no summary
 * figure beyond the noise still shows.
 *
 * What is hashed, in order:
 *   every stage point of the core's observer (ac/observer.h): its time,
 *     its kind (queued, dispatched, completed, timed out, moved,
 *     recalled), the request's id (emission order), the device's index,
 *     the stage's index in its chain and the completion status;
 *   every device point: its time, its kind, the device, the cause and
 *     the status of a failure;
 *   at the end: the arrivals' hash (time, class, bytes, flow of every
 *     submission, rejected ones too), the callbacks' hash (request,
 *     status, latency) and the clock at the end of the drain.
 * Nothing else: not what only observes the run (the time series' rows,
 * the trace, progress reports, names), not the wall time, not addresses,
 * not the thread or the number of them, so the fingerprint is the same
 * for every -j and on every machine that computes the same trajectory.
 *
 * The observer here forwards every point to the run's own (observe.c's,
 * whose stage hook it has inline, or check.c's in a checked run) and then
 * folds it in: the point's words are mixed each on its own and
 * combined (point4), and the result folded into the hash with one
 * multiply-rotate-multiply, with a final avalanche; all integer
 * arithmetic.
 */
#include "sim/run/replication.h"

#define FOLD_K1 0x9e3779b97f4a7c15u /* 2^64 / golden ratio, odd */
#define FOLD_K2 0xd6e8feb86659fd93u /* an odd constant with mixed bits */
#define FOLD_K3 0xbf58476d1ce4e5b9u /* two more, for the words of a point */
#define FOLD_K4 0x94d049bb133111ebu

static inline uint64_t rotl(uint64_t x, unsigned r)
{
        return x << r | x >> (64 - r);
}

/* Folds one word into h. */
static inline uint64_t fold(uint64_t h, uint64_t w)
{
        h ^= rotl(w * FOLD_K1, 29);
        return rotl(h, 31) * FOLD_K2 + FOLD_K1;
}

/* The words of one point, each multiplied by its own odd constant and
 * rotated by its own amount, then combined: four independent multiplies
 * instead of four in a chain, so folding a point costs one dependent step. */
static inline uint64_t point4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
        return rotl(a * FOLD_K1, 29) ^ rotl(b * FOLD_K2, 41) ^ rotl(c * FOLD_K3, 13) ^ d * FOLD_K4;
}

/* Spreads every bit of h over every other. */
static uint64_t avalanche(uint64_t h)
{
        h ^= h >> 31;
        h *= FOLD_K2;
        h ^= h >> 29;
        h *= FOLD_K1;
        return h ^ h >> 32;
}

/* Folds one stage point into the run's fingerprint. */
static inline void fold_stage(struct replication *run, const struct ac_stage_event *ev)
{
        const struct run_request *r = sim_container_of(ev->req, struct run_request, req);
        run->fingerprint =
            fold(run->fingerprint, point4(ev->now_ns, (uint64_t)ev->point << 32 | ev->device, r->id,
                                          (uint64_t)ev->stage << 32 | (uint32_t)ev->status));
}

/* An unchecked run's stage hook: observe.c's inline, so a tracepoint
 * costs the core one indirect call, not two. */
static void fingerprint_stage(void *ctx, const struct ac_stage_event *ev)
{
        struct replication *run = ctx;
        run_observe_stage(run, ev);
        fold_stage(run, ev);
}

/* A checked run's: check.c's observer, then the fold. */
static void fingerprint_checked_stage(void *ctx, const struct ac_stage_event *ev)
{
        run_check_observer_ops.stage(ctx, ev);
        fold_stage(ctx, ev);
}

static void fold_device(struct replication *run, const struct ac_device_event *ev)
{
        /* a point number past 0xff keeps device points apart from stages */
        run->fingerprint = fold(run->fingerprint,
                                point4(ev->now_ns, (uint64_t)(ev->point + 0x100) << 32 | ev->device,
                                       0, (uint64_t)ev->cause << 32 | (uint32_t)ev->status));
}

static void fingerprint_device(void *ctx, const struct ac_device_event *ev)
{
        run_observer_ops.device(ctx, ev);
        fold_device(ctx, ev);
}

static void fingerprint_checked_device(void *ctx, const struct ac_device_event *ev)
{
        run_check_observer_ops.device(ctx, ev);
        fold_device(ctx, ev);
}

const struct ac_observer_ops run_fingerprint_ops = {
    .name = "sim-run-fingerprint",
    .stage = fingerprint_stage,
    .device = fingerprint_device,
};

const struct ac_observer_ops run_fingerprint_checked_ops = {
    .name = "sim-run-fingerprint-checked",
    .stage = fingerprint_checked_stage,
    .device = fingerprint_checked_device,
};

uint64_t run_fingerprint_finish(const struct replication *run)
{
        uint64_t h = run->fingerprint;
        h = fold(h, run->arrival_hash);
        h = fold(h, run->hash);
        h = fold(h, sim_now(run->loop));
        return avalanche(h);
}

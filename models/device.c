/*
 * models/device.c - the crypto card model of models/device.h.
 *
 * Layout: ring slots (a free list and a FIFO of waiting stages, linked by
 * index inside a preallocated array), lanes (a count: a serving slot owns
 * its completion event), fault sources (failure processes and scheduled
 * faults in one array, each with its own event), and the state they imply
 * (down, hung, slow factor, flaky), recomputed whenever a fault starts or
 * ends.
 *
 * A serving stage keeps `left`, its remaining work at speed 1. While the
 * device runs, the completion event carries the truth and `left` is only
 * refreshed when the speed changes (hang, slow); while hung, no event is
 * pending and `left` is the truth.
 *
 * A lane in an op's gap (after a report, before its next stage) is a
 * `struct gap` with an event and a `left` kept as a serving slot's; the
 * lane counts as busy until it fires.
 *
 * A delivering stage (its service done, its op's latency not yet over)
 * holds its ring slot but no lane; its `done` event reports it. A hang
 * holds it too (nothing is reported while hung): `left` then keeps the
 * rest of its latency, at no speed (slow faults do not stretch it).
 */
#include "models/device.h"

#include <assert.h>
#include <math.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

enum slot_state { SLOT_FREE, SLOT_WAITING, SLOT_SERVING, SLOT_DELIVERING };

/* One cache line: a stage touches its slot and nothing of its neighbours'. */
struct slot {
        struct sim_event done; /* completion */
        struct device_model *dev;
        uint64_t tag;
        double left;   /* remaining work at speed 1, ns; see the top; waiting: the
                          linear cost before jitter (setup + bytes / rate) */
        uint32_t next; /* FIFO link (towards the newest), or next free; NIL ends */
        uint16_t op;   /* < DEVICE_MAX_OPS */
        uint8_t state; /* enum slot_state */
        int8_t status; /* delivering: what will be reported */
};
static_assert(sizeof(struct slot) == 64, "a ring slot is a cache line");

struct gap {                 /* a lane in an op's gap after a report */
        struct sim_event ev; /* the lane is free */
        struct device_model *dev;
        double left;   /* as a slot's */
        uint32_t next; /* free list; NIL ends */
        bool active;
};

struct source {
        struct sim_event ev; /* next start or end */
        struct device_model *dev;
        enum device_fault_mode mode;
        double factor;
        double probability;
        gsl_rng *rng;                                /* flaky draws; process timing */
        const struct device_failure_config *process; /* NULL when scheduled */
        const struct device_fault_config *scheduled; /* NULL for a process */
        int32_t index;                               /* process index, or -1 */
        bool active;
        size_t record; /* timeline entry of the active window */
};

/* The model, its ring and its service stream's state are one allocation
 * aligned to cache lines. With many devices each stage finds its device
 * out of cache, so every line counts: the words a stage reads or writes
 * fill the model's first two lines, the service stream's state (taus2's
 * 24 bytes) among them, then come the fault state and the timeline, then
 * the slots (cfg->ring of them), then a larger stream's state. To make
 * room, what a stage needs not read stays out: `completed` is derived
 * (device_model_stats), the slow factor is read only when `slowed` (a
 * product of 1.0 leaves a time as it was), the flags are bits and the op
 * bound is the last op's index in 16 bits. */
#define RNG_INLINE 24 /* bytes of a stream's state kept in the model's lines: taus2's */

struct device_model {
        /* line 0: where things are, and what the time series reads every
         * row (device_model_busy_lane_ns: the clock, the busy integral,
         * its time and the busy count) */
        _Alignas(64) struct sim_loop *loop;
        const struct device_op_config *op_cfg; /* cfg->ops */
        gsl_rng rng; /* service / jitter: the owner's stream copied, its state in rng_state
                        when it fits, else after the slots */
        void *ctx;
        double busy_lane_ns; /* integral of busy lanes over time */
        uint64_t last;       /* time the integrals were brought up to */
        uint32_t busy;       /* lanes serving a stage or in its gap now */
        uint32_t held;       /* stages in the ring now */

        /* line 1: the rest a stage reads or moves, and the stream's state */
        const struct device_model_ops *ops;
        double held_ns;     /* integral of held stages over time */
        uint64_t submitted; /* stages accepted */
        uint32_t lanes;     /* copied from cfg: read on every stage */
        uint32_t free_head; /* free list */
        uint32_t fifo_head; /* oldest waiting stage */
        uint16_t last_op;   /* cfg->nops - 1 (nops <= DEVICE_MAX_OPS = 2^16) */
        bool down : 1;      /* a fail-stop is active */
        bool hung : 1;      /* a hang is active */
        bool removed : 1;   /* for good */
        bool flaky : 1;     /* a flaky source is active */
        bool slowed : 1;    /* slow > 1: a slow fault is active */
        _Alignas(8) unsigned char rng_state[RNG_INLINE];

        /* line 2 on: what faults, the owner's reads and the set-up touch */
        double slow; /* product of active slow factors, >= 1 */
        uint64_t errors, refused, dropped, aborted, failures; /* as device_model_stats */

        const struct device_config *cfg;
        uint32_t ring;      /* copied from cfg */
        uint32_t fifo_tail; /* newest waiting stage */
        struct gap *gaps;   /* cfg->lanes of them when an op has a gap, else NULL */
        uint32_t free_gap;

        struct source *sources; /* failure processes, then scheduled faults */
        size_t nsources;

        struct device_fault_record *timeline;
        size_t ntimeline, timeline_cap;
};

static_assert(offsetof(struct device_model, held) + sizeof(uint32_t) == 64 &&
                  offsetof(struct device_model, loop) == 0,
              "what the time series reads of the model in its line 0");
static_assert(offsetof(struct device_model, rng_state) + RNG_INLINE == 128,
              "what a stage touches of the model, its stream's state included, fills its first "
              "two lines");
static_assert(offsetof(struct device_model, slow) == 128, "the fault state starts line 2");

/* The ring, after the model. */
static inline struct slot *slots(struct device_model *dev)
{
        return (struct slot *)(void *)(dev + 1);
}

static const char *const mode_names[] = {
    [DEVICE_FAULT_FAIL_STOP] = "fail-stop", [DEVICE_FAULT_HANG] = "hang",
    [DEVICE_FAULT_SLOW] = "slow",           [DEVICE_FAULT_FLAKY] = "flaky",
    [DEVICE_FAULT_REMOVE] = "remove",
};

const char *device_fault_mode_name(enum device_fault_mode mode)
{
        if ((unsigned)mode >= sizeof(mode_names) / sizeof(mode_names[0]))
                return NULL;
        return mode_names[mode];
}

/* ---- configuration ------------------------------------------------------ */

static int refuse(const char **why, const char *reason)
{
        if (why)
                *why = reason;
        return -1;
}

static int check_mode_params(enum device_fault_mode mode, double factor, double probability,
                             const char **why)
{
        if (mode == DEVICE_FAULT_SLOW && !(isfinite(factor) && factor >= 1.0))
                return refuse(why, "slow: factor must be finite and >= 1");
        if (mode == DEVICE_FAULT_FLAKY && !(probability >= 0.0 && probability <= 1.0))
                return refuse(why, "flaky: probability must be within [0, 1]");
        return 0;
}

int device_config_prepare(struct device_config *cfg, const char **why)
{
        if (cfg->lanes < 1)
                return refuse(why, "lanes must be >= 1");
        if (cfg->ring < 1 || cfg->ring == NIL)
                return refuse(why, "ring must be >= 1");
        if (cfg->nops == 0 || !cfg->ops)
                return refuse(why, "a device needs at least one op");
        if (cfg->nops > DEVICE_MAX_OPS)
                return refuse(why, "a device has at most 65536 ops");
        for (size_t i = 0; i < cfg->nops; i++) {
                struct device_op_config *op = &cfg->ops[i];
                if (op->has_service) {
                        if (dist_prepare(&op->service, why) < 0)
                                return -1;
                        continue;
                }
                if (!(isfinite(op->setup_ns) && op->setup_ns >= 0.0))
                        return refuse(why, "op setup must be finite and >= 0");
                if (!(isfinite(op->rate) && op->rate >= 0.0))
                        return refuse(why, "op rate must be finite and >= 0");
                if (op->has_jitter && dist_prepare(&op->jitter, why) < 0)
                        return -1;
        }
        for (size_t i = 0; i < cfg->nops; i++) {
                if (!(isfinite(cfg->ops[i].latency_ns) && cfg->ops[i].latency_ns >= 0.0))
                        return refuse(why, "op latency must be finite and >= 0");
                if (!(isfinite(cfg->ops[i].gap_ns) && cfg->ops[i].gap_ns >= 0.0))
                        return refuse(why, "op gap must be finite and >= 0");
                if (!(isfinite(cfg->ops[i].wakeup_ns) && cfg->ops[i].wakeup_ns >= 0.0))
                        return refuse(why, "op wakeup must be finite and >= 0");
                if (cfg->ops[i].has_wakeup_dist && dist_prepare(&cfg->ops[i].wakeup_dist, why) < 0)
                        return -1;
        }
        for (size_t i = 0; i < cfg->nfailures; i++) {
                struct device_failure_config *f = &cfg->failures[i];
                if (f->mode == DEVICE_FAULT_REMOVE)
                        return refuse(why, "remove is a scheduled fault, not a failure process");
                if (device_fault_mode_name(f->mode) == NULL)
                        return refuse(why, "unknown failure mode");
                if (check_mode_params(f->mode, f->factor, f->probability, why) < 0)
                        return -1;
                if (f->mode == DEVICE_FAULT_FLAKY)
                        continue;
                if (dist_prepare(&f->ttf, why) < 0 || dist_prepare(&f->ttr, why) < 0)
                        return -1;
                if (dist_mean(&f->ttf) <= 0.0)
                        return refuse(why, "time to failure must have a mean > 0");
        }
        for (size_t i = 0; i < cfg->nfaults; i++) {
                struct device_fault_config *f = &cfg->faults[i];
                if (device_fault_mode_name(f->mode) == NULL)
                        return refuse(why, "unknown fault mode");
                if (f->mode == DEVICE_FAULT_REMOVE && f->for_ns != 0)
                        return refuse(why, "remove is permanent: no duration");
                if (f->for_ns != 0 && f->at_ns > UINT64_MAX - f->for_ns)
                        return refuse(why, "fault ends beyond the end of time");
                if (check_mode_params(f->mode, f->factor, f->probability, why) < 0)
                        return -1;
        }
        return 0;
}

/* ---- small pieces --------------------------------------------------------- */

static uint64_t now(const struct device_model *dev)
{
        return sim_now(dev->loop);
}

/* A schedule that fails for want of memory stops the loop, which its
 * runner reports (sim_loop_failed). */
static void arm(struct device_model *dev, struct sim_event *ev, uint64_t when)
{
        (void)sim_schedule(dev->loop, ev, when);
}

/* A duration in ns from a double, rounded, clamped to stay far from
 * overflow (a heavy-tailed draw may be astronomically large). */
static uint64_t ns(double x)
{
        if (!(x > 0.0))
                return 0;
        if (x > 1e18)
                return (uint64_t)1e18;
        return dist_round(x);
}

/* x ns of work at the device's speed: times the slow factor, read only
 * when a slow fault is active (x * 1.0 is x, to the bit). */
static inline double slowed(const struct device_model *dev, double x)
{
        return dev->slowed ? x * dev->slow : x;
}

/* Brings the time integrals up to now; call before busy or held changes. */
static void account(struct device_model *dev)
{
        uint64_t t = now(dev);
        /* through int64_t: the same value below 2^63 ns (292 years), one
         * instruction where the unsigned conversion takes a test and a branch */
        double dt = (double)(int64_t)(t - dev->last);
        dev->busy_lane_ns += dt * dev->busy;
        dev->held_ns += dt * dev->held;
        dev->last = t;
}

/* The linear cost of a stage before its jitter: what a waiting slot keeps
 * in `left` (0 for an op with a service distribution). */
static double linear_cost(const struct device_op_config *o, uint64_t bytes)
{
        if (o->has_service)
                return 0.0;
        double cost = o->setup_ns;
        if (o->rate > 0.0)
                cost += (double)bytes / o->rate;
        return cost;
}

/* The cost of stage s as it starts, drawn now (in the order stages
 * start, as the streams must be). */
static double stage_cost(struct device_model *dev, const struct slot *s)
{
        const struct device_op_config *o = &dev->op_cfg[s->op];
        if (o->has_service)
                return dist_sample(&o->service, &dev->rng);
        double cost = s->left;
        if (o->has_jitter)
                cost *= dist_sample(&o->jitter, &dev->rng);
        return cost;
}

/* ---- the ring ------------------------------------------------------------- */

static void fifo_push(struct device_model *dev, uint32_t i)
{
        struct slot *s = &slots(dev)[i];
        s->state = SLOT_WAITING;
        s->next = NIL;
        if (dev->fifo_head != NIL)
                slots(dev)[dev->fifo_tail].next = i;
        else
                dev->fifo_head = i;
        dev->fifo_tail = i;
}

/* Takes stage i, waiting, out of the FIFO. The links run one way (a slot
 * stays in one cache line), so a stage behind the head costs a walk from
 * the head: only an abort takes one, and an abort is O(ring) anyway. */
static void fifo_unlink(struct device_model *dev, uint32_t i)
{
        struct slot *s = &slots(dev)[i];
        uint32_t prev = NIL;
        if (dev->fifo_head != i) {
                prev = dev->fifo_head;
                while (slots(dev)[prev].next != i)
                        prev = slots(dev)[prev].next;
                slots(dev)[prev].next = s->next;
        } else {
                dev->fifo_head = s->next;
        }
        if (dev->fifo_tail == i)
                dev->fifo_tail = prev;
}

static void slot_release(struct device_model *dev, uint32_t i)
{
        struct slot *s = &slots(dev)[i];
        s->state = SLOT_FREE;
        s->next = dev->free_head;
        dev->free_head = i;
        dev->held--;
}

/* Starts stage i on a lane; `idle`: the lane was idle, so the op's wake-up
 * comes first. */
static void serve(struct device_model *dev, uint32_t i, bool idle)
{
        struct slot *s = &slots(dev)[i];
        s->state = SLOT_SERVING;
        dev->busy++;
        s->left = stage_cost(dev, s);
        const struct device_op_config *op = &dev->op_cfg[s->op];
        if (idle)
                s->left +=
                    op->has_wakeup_dist ? dist_sample(&op->wakeup_dist, &dev->rng) : op->wakeup_ns;
        if (!dev->hung)
                arm(dev, &s->done, now(dev) + ns(slowed(dev, s->left)));
}

/* Starts waiting stages on free lanes, oldest first (fill_lanes). */
static void start_waiting(struct device_model *dev)
{
        while (!dev->hung && !dev->down && dev->busy < dev->lanes && dev->fifo_head != NIL) {
                uint32_t i = dev->fifo_head;
                fifo_unlink(dev, i);
                serve(dev, i, false);
        }
}

/* Starts waiting stages on free lanes, oldest first: with none waiting
 * (most completions below saturation) without a call. */
static inline void fill_lanes(struct device_model *dev)
{
        if (dev->fifo_head != NIL)
                start_waiting(dev);
}

static bool flaky_error(struct device_model *dev)
{
        bool error = false;
        /* Every active flaky source draws, so each stream advances the same
         * way whatever the others decide. */
        for (size_t k = 0; k < dev->nsources; k++) {
                struct source *src = &dev->sources[k];
                if (src->active && src->mode == DEVICE_FAULT_FLAKY &&
                    gsl_rng_uniform(src->rng) < src->probability)
                        error = true;
        }
        return error;
}

/* Reports a stage whose service (and latency) is over and frees its slot;
 * `lane_freed`: its lane came free just now, so a waiting stage may start
 * on it (not so after a latency, whose lane was let go when it began). */
static inline void deliver(struct device_model *dev, struct slot *s, int status, bool lane_freed)
{
        uint64_t tag = s->tag;
        slot_release(dev, (uint32_t)(s - slots(dev)));
        if (lane_freed)
                fill_lanes(dev);
        if (status != DEVICE_OK)
                dev->errors++;
        dev->ops->complete(dev->ctx, tag, status);
}

/* stage_done() past its common case: a stage delivering (its latency
 * over), or whose service ends with a flaky draw, a gap or a latency. */
__attribute__((noinline)) static void stage_done_other(struct device_model *dev, struct slot *s)
{
        if (s->state == SLOT_DELIVERING) {
                deliver(dev, s, s->status, false);
                return;
        }
        int status = dev->flaky && flaky_error(dev) ? DEVICE_ESTAGE : DEVICE_OK;
        double latency = dev->op_cfg[s->op].latency_ns;
        double gap = dev->op_cfg[s->op].gap_ns;
        if (gap > 0.0 && dev->free_gap != NIL) { /* the lane stays busy a while */
                struct gap *g = &dev->gaps[dev->free_gap];
                dev->free_gap = g->next;
                g->active = true;
                g->left = gap;
                arm(dev, &g->ev, now(dev) + ns(slowed(dev, gap)));
        } else {
                dev->busy--;
        }
        if (latency > 0.0) { /* the report comes later; the slot is held till then */
                s->state = SLOT_DELIVERING;
                s->status = (int8_t)status;
                s->left = latency;
                arm(dev, &s->done, now(dev) + ns(latency));
                fill_lanes(dev);
                return;
        }
        deliver(dev, s, status, true);
}

static void stage_done(struct sim_loop *loop, struct sim_event *ev)
{
        struct slot *s = sim_container_of(ev, struct slot, done);
        struct device_model *dev = s->dev;
        assert((s->state == SLOT_SERVING || s->state == SLOT_DELIVERING) && !dev->hung);
        account(dev);
        const struct device_op_config *op = &dev->op_cfg[s->op];
        if (s->state == SLOT_DELIVERING || dev->flaky || op->gap_ns > 0.0 || op->latency_ns > 0.0) {
                stage_done_other(dev, s);
                return;
        }
        /* served, no fault, no gap, no latency: reported now, ok (as
         * stage_done_other() would) */
        dev->busy--;
        deliver(dev, s, DEVICE_OK, true);
}

static void gap_release(struct device_model *dev, struct gap *g)
{
        g->active = false;
        g->next = dev->free_gap;
        dev->free_gap = (uint32_t)(g - dev->gaps);
        dev->busy--;
}

static void gap_done(struct sim_loop *loop, struct sim_event *ev)
{
        struct gap *g = sim_container_of(ev, struct gap, ev);
        struct device_model *dev = g->dev;
        (void)loop;
        assert(g->active && !dev->hung);
        account(dev);
        gap_release(dev, g);
        fill_lanes(dev);
}

int device_model_submit(struct device_model *dev, uint64_t tag, uint32_t op, uint64_t bytes)
{
        if (dev->removed || dev->down) {
                dev->refused++;
                return DEVICE_EDOWN;
        }
        if (op > dev->last_op) {
                dev->refused++;
                return DEVICE_EINVAL;
        }
        uint32_t i = dev->free_head;
        if (i == NIL) {
                dev->refused++;
                return DEVICE_EFULL;
        }
        account(dev);
        struct slot *s = &slots(dev)[i];
        dev->free_head = s->next;
        s->tag = tag;
        s->op = (uint16_t)op;
        s->left = linear_cost(&dev->op_cfg[op], bytes);
        dev->held++;
        dev->submitted++;
        if (!dev->hung && dev->busy < dev->lanes && dev->fifo_head == NIL)
                serve(dev, i, true);
        else
                fifo_push(dev, i);
        return DEVICE_OK;
}

bool device_model_abort(struct device_model *dev, uint64_t tag)
{
        for (uint32_t i = 0; i < dev->ring; i++) {
                struct slot *s = &slots(dev)[i];
                if (s->state == SLOT_FREE || s->tag != tag)
                        continue;
                account(dev);
                if (s->state == SLOT_WAITING) {
                        fifo_unlink(dev, i);
                } else {
                        sim_cancel(dev->loop, &s->done);
                        dev->busy -= s->state == SLOT_SERVING;
                }
                slot_release(dev, i);
                dev->aborted++;
                fill_lanes(dev);
                return true;
        }
        return false;
}

/* Drops every held stage without a word (fail-stop, removal). */
static void drop_all(struct device_model *dev)
{
        account(dev);
        for (uint32_t i = 0; i < dev->ring; i++) {
                struct slot *s = &slots(dev)[i];
                if (s->state == SLOT_FREE)
                        continue;
                sim_cancel(dev->loop, &s->done);
                slot_release(dev, i);
                dev->dropped++;
        }
        for (uint32_t k = 0; dev->gaps && k < dev->lanes; k++)
                if (dev->gaps[k].active) {
                        sim_cancel(dev->loop, &dev->gaps[k].ev);
                        gap_release(dev, &dev->gaps[k]);
                }
        dev->busy = 0;
        dev->fifo_head = dev->fifo_tail = NIL;
}

/* ---- faults --------------------------------------------------------------- */

#define NO_RECORD SIZE_MAX /* a fault window the timeline had no room for */

/* Returns the index of a new record of the timeline, or NO_RECORD when it
 * cannot grow: the loop is then failed (sim_loop_fail), and the run
 * reports that it ran out of memory. */
static size_t timeline_open(struct device_model *dev, const struct source *src)
{
        if (dev->ntimeline == dev->timeline_cap) {
                size_t cap = dev->timeline_cap ? 2 * dev->timeline_cap : 16;
                struct device_fault_record *t = realloc(dev->timeline, cap * sizeof(*t));
                if (!t) {
                        sim_loop_fail(dev->loop);
                        return NO_RECORD;
                }
                dev->timeline = t;
                dev->timeline_cap = cap;
        }
        dev->timeline[dev->ntimeline] = (struct device_fault_record){
            .start_ns = now(dev),
            .end_ns = UINT64_MAX,
            .mode = src->mode,
            .factor = src->mode == DEVICE_FAULT_SLOW ? src->factor : 0.0,
            .probability = src->mode == DEVICE_FAULT_FLAKY ? src->probability : 0.0,
            .process = src->index,
        };
        return dev->ntimeline++;
}

/* Recomputes the state from the active sources and retimes the stages in
 * service when the speed changed. */
static void apply(struct device_model *dev)
{
        /* fill_lanes() below may start waiting stages (the end of a hang):
         * the integrals up to now are at the old busy count */
        account(dev);
        bool hung = false, down = false;
        double slow = 1.0;
        uint32_t flaky = 0;
        for (size_t k = 0; k < dev->nsources; k++) {
                const struct source *src = &dev->sources[k];
                if (!src->active)
                        continue;
                switch (src->mode) {
                case DEVICE_FAULT_FAIL_STOP:
                        down = true;
                        break;
                case DEVICE_FAULT_HANG:
                        hung = true;
                        break;
                case DEVICE_FAULT_SLOW:
                        slow *= src->factor;
                        break;
                case DEVICE_FAULT_FLAKY:
                        flaky++;
                        break;
                case DEVICE_FAULT_REMOVE:
                        break;
                }
        }
        dev->down = down;
        dev->flaky = flaky > 0;
        if (hung == dev->hung && slow == dev->slow)
                return;
        uint64_t t = now(dev);
        for (uint32_t i = 0; i < dev->ring; i++) {
                struct slot *s = &slots(dev)[i];
                if (s->state == SLOT_DELIVERING && hung != dev->hung) {
                        if (hung) { /* held: the rest of its latency waits */
                                s->left = (double)(s->done.time - t);
                                sim_cancel(dev->loop, &s->done);
                        } else {
                                arm(dev, &s->done, t + ns(s->left));
                        }
                }
                if (s->state != SLOT_SERVING)
                        continue;
                if (!dev->hung) {
                        s->left = (double)(s->done.time - t) / dev->slow;
                        sim_cancel(dev->loop, &s->done);
                }
                if (!hung)
                        arm(dev, &s->done, t + ns(s->left * slow));
        }
        for (uint32_t k = 0; dev->gaps && k < dev->lanes; k++) { /* gaps: as service */
                struct gap *g = &dev->gaps[k];
                if (!g->active)
                        continue;
                if (!dev->hung) {
                        g->left = (double)(g->ev.time - t) / dev->slow;
                        sim_cancel(dev->loop, &g->ev);
                }
                if (!hung)
                        arm(dev, &g->ev, t + ns(g->left * slow));
        }
        dev->hung = hung;
        dev->slow = slow;
        dev->slowed = slow != 1.0;
        fill_lanes(dev);
}

static void remove_device(struct device_model *dev, const struct source *removal)
{
        drop_all(dev);
        uint64_t t = now(dev);
        for (size_t k = 0; k < dev->nsources; k++) {
                struct source *src = &dev->sources[k];
                sim_cancel(dev->loop, &src->ev);
                if (src->active && src != removal && src->record != NO_RECORD)
                        dev->timeline[src->record].end_ns = t;
                src->active = false;
        }
        dev->removed = true;
        dev->down = dev->hung = false;
        dev->flaky = false;
        dev->ops->removed(dev->ctx);
}

static void fault_begin(struct device_model *dev, struct source *src)
{
        src->active = true;
        src->record = timeline_open(dev, src);
        dev->failures++;
        if (src->mode == DEVICE_FAULT_REMOVE) {
                remove_device(dev, src);
                return;
        }
        bool was_down = dev->down;
        if (src->mode == DEVICE_FAULT_FAIL_STOP && !was_down)
                drop_all(dev);
        apply(dev);
        if (dev->down && !was_down)
                dev->ops->failed(dev->ctx, DEVICE_EDOWN);
}

static void fault_end(struct device_model *dev, struct source *src)
{
        src->active = false;
        if (src->record != NO_RECORD)
                dev->timeline[src->record].end_ns = now(dev);
        bool was_down = dev->down;
        apply(dev);
        if (was_down && !dev->down)
                dev->ops->recovered(dev->ctx);
}

static void process_fire(struct sim_loop *loop, struct sim_event *ev)
{
        struct source *src = sim_container_of(ev, struct source, ev);
        struct device_model *dev = src->dev;
        if (!src->active) {
                arm(dev, &src->ev, now(dev) + ns(dist_sample(&src->process->ttr, src->rng)));
                fault_begin(dev, src);
        } else {
                arm(dev, &src->ev, now(dev) + ns(dist_sample(&src->process->ttf, src->rng)));
                fault_end(dev, src);
        }
}

static void scheduled_fire(struct sim_loop *loop, struct sim_event *ev)
{
        struct source *src = sim_container_of(ev, struct source, ev);
        struct device_model *dev = src->dev;
        if (!src->active) {
                if (src->scheduled->for_ns != 0)
                        arm(dev, &src->ev, now(dev) + src->scheduled->for_ns);
                fault_begin(dev, src);
        } else {
                fault_end(dev, src);
        }
}

/* ---- life ----------------------------------------------------------------- */

int device_model_create(struct sim_loop *loop, const struct device_config *cfg,
                        const struct device_model_rngs *rngs, const struct device_model_ops *ops,
                        void *ctx, struct device_model **out)
{
        if (!loop || !cfg || !rngs || !rngs->service || !ops || !ops->complete || !ops->failed ||
            !ops->recovered || !ops->removed || cfg->lanes < 1 || cfg->ring < 1 ||
            cfg->ring == NIL || (cfg->nfailures && !rngs->failures))
                return DEVICE_EINVAL;
        for (size_t k = 0; k < cfg->nfailures; k++)
                if (!rngs->failures[k])
                        return DEVICE_EINVAL;

        /* sizeof(struct device_model) and a slot are whole lines: a state
         * too large for rng_state is rounded up to one, and so is the size */
        size_t ring = (size_t)cfg->ring * sizeof(struct slot);
        bool inline_state = rngs->service->type->size <= RNG_INLINE;
        size_t state = inline_state ? 0 : (rngs->service->type->size + 63) / 64 * 64;
        size_t size = sizeof(struct device_model) + ring + state;
        struct device_model *dev = aligned_alloc(alignof(struct device_model), size);
        if (!dev)
                return DEVICE_ENOMEM;
        memset(dev, 0, size);
        dev->loop = loop;
        dev->cfg = cfg;
        dev->op_cfg = cfg->ops;
        dev->last_op = (uint16_t)(cfg->nops - 1);
        dev->ops = ops;
        dev->ctx = ctx;
        /* the service stream goes on from where the owner's is, in the
         * model's own words; the owner's stays where it was */
        dev->rng =
            (gsl_rng){.type = rngs->service->type,
                      .state = inline_state ? (void *)dev->rng_state : (char *)(dev + 1) + ring};
        gsl_rng_memcpy(&dev->rng, rngs->service);
        dev->lanes = cfg->lanes;
        dev->ring = cfg->ring;
        dev->slow = 1.0;
        dev->last = sim_now(loop);
        dev->nsources = cfg->nfailures + cfg->nfaults;
        dev->sources = calloc(dev->nsources ? dev->nsources : 1, sizeof(*dev->sources));
        bool gaps = false;
        for (size_t k = 0; k < cfg->nops; k++)
                gaps = gaps || cfg->ops[k].gap_ns > 0.0;
        dev->gaps = gaps ? calloc(cfg->lanes, sizeof(*dev->gaps)) : NULL;
        if (!dev->sources || (gaps && !dev->gaps)) {
                free(dev->sources);
                free(dev->gaps);
                free(dev);
                return DEVICE_ENOMEM;
        }
        dev->free_gap = gaps ? 0 : NIL;
        for (uint32_t k = 0; gaps && k < cfg->lanes; k++) {
                sim_event_init(&dev->gaps[k].ev, gap_done);
                dev->gaps[k].dev = dev;
                dev->gaps[k].next = k + 1 < cfg->lanes ? k + 1 : NIL;
        }
        for (uint32_t i = 0; i < cfg->ring; i++) {
                sim_event_init(&slots(dev)[i].done, stage_done);
                slots(dev)[i].dev = dev;
                slots(dev)[i].next = i + 1 < cfg->ring ? i + 1 : NIL;
        }
        dev->free_head = 0;
        dev->fifo_head = dev->fifo_tail = NIL;
        *out = dev;

        for (size_t k = 0; k < cfg->nfailures; k++) {
                const struct device_failure_config *f = &cfg->failures[k];
                struct source *src = &dev->sources[k];
                *src = (struct source){.dev = dev,
                                       .mode = f->mode,
                                       .factor = f->factor,
                                       .probability = f->probability,
                                       .rng = rngs->failures[k],
                                       .process = f,
                                       .index = (int32_t)k};
                sim_event_init(&src->ev, process_fire);
                if (f->mode == DEVICE_FAULT_FLAKY) {
                        /* a permanent background: active from the start, in
                         * the timeline, not counted as a failure */
                        src->active = true;
                        src->record = timeline_open(dev, src);
                } else {
                        arm(dev, &src->ev, sim_now(loop) + ns(dist_sample(&f->ttf, src->rng)));
                }
        }
        for (size_t k = 0; k < cfg->nfaults; k++) {
                const struct device_fault_config *f = &cfg->faults[k];
                struct source *src = &dev->sources[cfg->nfailures + k];
                *src = (struct source){.dev = dev,
                                       .mode = f->mode,
                                       .factor = f->factor,
                                       .probability = f->probability,
                                       .rng = rngs->faults ? rngs->faults : &dev->rng,
                                       .scheduled = f,
                                       .index = -1};
                sim_event_init(&src->ev, scheduled_fire);
                uint64_t at = f->at_ns > sim_now(loop) ? f->at_ns : sim_now(loop);
                arm(dev, &src->ev, at);
        }
        apply(dev);
        return 0;
}

void device_model_destroy(struct device_model *dev)
{
        if (!dev)
                return;
        for (uint32_t i = 0; i < dev->ring; i++)
                sim_cancel(dev->loop, &slots(dev)[i].done);
        for (size_t k = 0; k < dev->nsources; k++)
                sim_cancel(dev->loop, &dev->sources[k].ev);
        for (uint32_t k = 0; dev->gaps && k < dev->lanes; k++)
                sim_cancel(dev->loop, &dev->gaps[k].ev);
        free(dev->gaps);
        free(dev->sources);
        free(dev->timeline);
        free(dev);
}

void device_model_report_to(struct device_model *dev, const struct device_model_ops *ops, void *ctx)
{
        dev->ops = ops;
        dev->ctx = ctx;
}

/* ---- what the owner reads ------------------------------------------------- */

bool device_model_working(const struct device_model *dev)
{
        return !dev->removed && !dev->down && !dev->hung;
}

void device_model_stats(const struct device_model *dev, struct device_model_stats *out)
{
        double dt = (double)(now(dev) - dev->last);
        *out = (struct device_model_stats){
            .busy_lane_ns = dev->busy_lane_ns + dt * dev->busy,
            .held_ns = dev->held_ns + dt * dev->held,
            .held = dev->held,
            .busy = dev->busy,
            .submitted = dev->submitted,
            /* every stage accepted is held, reported, dropped or aborted */
            .completed = dev->submitted - dev->held - dev->dropped - dev->aborted,
            .errors = dev->errors,
            .refused = dev->refused,
            .dropped = dev->dropped,
            .aborted = dev->aborted,
            .failures = dev->failures,
        };
}

double device_model_busy_lane_ns(const struct device_model *dev)
{
        double dt = (double)(now(dev) - dev->last);
        double busy_lane_ns = dev->busy_lane_ns;
        busy_lane_ns += dt * dev->busy; /* as device_model_stats() */
        return busy_lane_ns;
}

const struct device_fault_record *device_model_timeline(const struct device_model *dev, size_t *n)
{
        *n = dev->ntimeline;
        return dev->timeline;
}

const struct device_config *device_model_config(const struct device_model *dev)
{
        return dev->cfg;
}

/*
 * sim/run/check.c - a checked replication (struct sim_run_checks of
 * sim/run/run.h, for acsim swarm): the invariants the run can see from
 * outside the core, checked as it goes, and the core's own
 * (ac_engine_check) after every entry point. The first broken one goes to
 * checks->broken, which does not return.
 *
 *   observer   wraps run_observer_ops: each stage of a chain dispatched
 *              and completed ok in order, once; time never goes back
 *   after      after every core entry point: the run's outstanding
 *              requests against the core's count, and the core's
 *              invariants (on big rings and queues after one entry point
 *              in several: see CHECK_SPAN)
 *   done       at every callback: exactly once per accepted request, a
 *              request ok only after all its stages, never after the
 *              engine is destroyed, and with flow order each flow's
 *              callbacks in submission order
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "sim/run/replication.h"

#define FLOW_TABLE_MAX (1u << 20) /* flows followed for order at most */

/* The core's check walks every ring slot and queued stage: on big rings
 * and long queues it runs after one entry point in (the walk's length /
 * CHECK_SPAN), so that it costs about CHECK_SPAN steps per entry point;
 * the counts are compared after every one. */
#define CHECK_SPAN 64

struct run_check {
        uint64_t entries;    /* core entry points so far */
        uint64_t ring_slots; /* the rings of the devices attached */
        uint64_t last_ns;    /* the latest time seen */
        uint64_t *flow_ids;  /* per flow: 1 + id of its latest callback, 0: none */
        size_t nflows;
        uint64_t *flow_base; /* per class: its first slot in flow_ids */
};

static void broken(struct replication *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void broken(struct replication *run, const char *fmt, ...)
{
        char what[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        run->checks->broken(run->checks->ctx, what);
        abort(); /* broken() must not return */
}

int run_check_start(struct replication *run)
{
        const struct scenario *s = run->s;
        run->check = calloc(1, sizeof(*run->check));
        if (!run->check)
                return AC_ENOMEM;
        if (!run->checks->flow_order || !s->engine.flow_order)
                return 0;
        size_t total = 0;
        for (size_t i = 0; i < s->nclasses; i++)
                total += s->classes[i].flows;
        if (total > FLOW_TABLE_MAX)
                return 0; /* too many to follow: not checked */
        run->check->flow_ids = calloc(total ? total : 1, sizeof(uint64_t));
        run->check->flow_base = calloc(s->nclasses ? s->nclasses : 1, sizeof(uint64_t));
        if (!run->check->flow_ids || !run->check->flow_base)
                return AC_ENOMEM;
        for (size_t i = 0, at = 0; i < s->nclasses; i++) {
                run->check->flow_base[i] = at;
                at += s->classes[i].flows;
        }
        run->check->nflows = total;
        return 0;
}

void run_check_stop(struct replication *run)
{
        if (!run->check)
                return;
        free(run->check->flow_ids);
        free(run->check->flow_base);
        free(run->check);
        run->check = NULL;
}

static void check_time(struct replication *run, uint64_t now)
{
        if (now < run->check->last_ns)
                broken(run, "time: %" PRIu64 " ns after %" PRIu64 " ns", now, run->check->last_ns);
        run->check->last_ns = now;
}

static void check_stage(void *ctx, const struct ac_stage_event *ev)
{
        struct replication *run = ctx;
        run_observer_ops.stage(ctx, ev);
        check_time(run, ev->now_ns);
        struct run_request *r = sim_container_of(ev->req, struct run_request, req);
        if (!r->live)
                broken(run, "exactly-once: request %" PRIu64 " moved after its callback", r->id);
        if (ev->point != AC_STAGE_DISPATCHED &&
            !(ev->point == AC_STAGE_COMPLETED && ev->status == 0))
                return;
        if (ev->stage != r->stages_ok)
                broken(run,
                       "chain: request %" PRIu64 " stage %" PRIu32 " %s after %" PRIu32
                       " stages ok",
                       r->id, ev->stage,
                       ev->point == AC_STAGE_DISPATCHED ? "dispatched" : "completed", r->stages_ok);
        if (ev->point == AC_STAGE_COMPLETED)
                r->stages_ok++;
}

static void check_device(void *ctx, const struct ac_device_event *ev)
{
        struct replication *run = ctx;
        run_observer_ops.device(ctx, ev);
        if (ev->point == AC_DEVICE_ADDED)
                run->check->ring_slots += ac_device_view(ev->dev)->ring;
        check_time(ctx, ev->now_ns);
}

const struct ac_observer_ops run_check_observer_ops = {
    .name = "sim-run-check",
    .stage = check_stage,
    .device = check_device,
};

void run_check_after(void *ctx)
{
        struct replication *run = ctx;
        check_time(run, sim_now(run->loop));
        if (!run->checks->core)
                return;
        struct ac_engine_stats es;
        ac_engine_get_stats(run->core, &es);
        struct run_check *c = run->check;
        uint64_t walk = c->ring_slots + es.queued + es.backlog;
        if (c->entries++ % (walk / CHECK_SPAN + 1) == 0) {
                char why[512];
                if (ac_engine_check(run->core, why, sizeof(why)))
                        broken(run, "%s", why);
        }
        uint64_t inside = es.accepted + es.backlogged - es.completed - es.failed;
        if (inside != run->outstanding)
                broken(run,
                       "conservation: the core holds %" PRIu64
                       " requests, the run waits for %" PRIu64,
                       inside, run->outstanding);
}

void run_check_done(struct replication *run, struct run_request *r, int status)
{
        if (!run->core)
                broken(run, "destroy: a callback after the engine was destroyed");
        if (!r->live)
                broken(run, "exactly-once: a second callback for request %" PRIu64, r->id);
        r->live = false;
        check_time(run, sim_now(run->loop));
        if (status == 0 && r->stages_ok != r->req.nstages)
                broken(run, "chain: request %" PRIu64 " ok after %" PRIu32 " of %" PRIu32 " stages",
                       r->id, r->stages_ok, r->req.nstages);
        if (status > 0)
                broken(run, "status: request %" PRIu64 " ended with %d", r->id, status);
        struct run_check *c = run->check;
        if (!c->flow_ids)
                return;
        uint64_t flow = r->req.flow - run->classes[r->cls].flow_base;
        uint64_t *last = &c->flow_ids[c->flow_base[r->cls] + flow];
        if (*last > r->id)
                broken(run,
                       "flow order: request %" PRIu64 " called back after request %" PRIu64
                       " of its flow",
                       r->id, *last - 1);
        *last = r->id + 1;
}

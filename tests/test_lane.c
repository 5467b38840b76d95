/*
 * test_lane.c - timer lanes (sim/des/lane.c): cancel at the head, in the
 * middle and at the tail, equal deadlines, ties with other events, timers
 * armed and cancelled from handlers, and a random run in which every timer
 * fires exactly where a plain event scheduled at its arming fires; then the
 * same through the simulated platform's seam (sim/run/platform.c): moves,
 * re-arming from the fire, and lanes of several delays.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "sim/des/lane.h"
#include "sim/des/loop.h"
#include "sim/run/platform.h"

#define LOG_MAX 20000
static int log_id[LOG_MAX];
static uint64_t log_at[LOG_MAX];
static size_t log_n;

static void note(int id, uint64_t at)
{
        cr_assert_lt(log_n, LOG_MAX);
        log_id[log_n] = id;
        log_at[log_n++] = at;
}

static void expect(const int *ids, const uint64_t *at, size_t n)
{
        cr_assert_eq(log_n, n, "fired %zu, expected %zu", log_n, n);
        for (size_t i = 0; i < n; i++) {
                cr_assert_eq(log_id[i], ids[i], "fire %zu: id %d, expected %d", i, log_id[i],
                             ids[i]);
                cr_assert_eq(log_at[i], at[i], "fire %zu: at %llu, expected %llu", i,
                             (unsigned long long)log_at[i], (unsigned long long)at[i]);
        }
}

struct tick {
        struct sim_timer t;
        int id;
};

static void on_tick(struct sim_lane *lane, struct sim_timer *t)
{
        cr_assert(!sim_timer_armed(t), "a timer is disarmed before its handler");
        note(sim_container_of(t, struct tick, t)->id, sim_now(lane->loop));
}

struct plain {
        struct sim_event ev;
        int id;
};

static void on_plain(struct sim_loop *loop, struct sim_event *ev)
{
        note(sim_container_of(ev, struct plain, ev)->id, sim_now(loop));
}

static struct sim_loop *loop;
static struct sim_lane lane;
static struct tick ticks[8];

static void setup(void)
{
        log_n = 0;
        loop = sim_loop_create();
        cr_assert_not_null(loop);
        sim_lane_init(&lane, loop, 100, on_tick, NULL);
        for (int i = 0; i < 8; i++) {
                sim_timer_init(&ticks[i].t);
                ticks[i].id = i;
        }
}

static void teardown(void)
{
        sim_lane_clear(&lane);
        sim_loop_destroy(loop);
}

TestSuite(lane, .init = setup, .fini = teardown);

/* a at 0, b at 10, c at 20: deadlines 100, 110, 120 */
static void arm_three(void)
{
        cr_assert_eq(sim_lane_arm(&lane, &ticks[0].t), 0);
        sim_run_until(loop, 10);
        cr_assert_eq(sim_lane_arm(&lane, &ticks[1].t), 0);
        sim_run_until(loop, 20);
        cr_assert_eq(sim_lane_arm(&lane, &ticks[2].t), 0);
        cr_assert_eq(lane.armed, 3);
        cr_assert_eq(sim_pending_count(loop), 1, "one event stands for the lane");
        cr_assert_eq(sim_next_time(loop), 100);
}

Test(lane, fires_in_arming_order_at_now_plus_delay)
{
        arm_three();
        cr_assert_eq(sim_run_until(loop, UINT64_MAX), 3);
        expect((int[]){0, 1, 2}, (uint64_t[]){100, 110, 120}, 3);
        cr_assert_eq(lane.armed, 0);
        cr_assert_eq(sim_pending_count(loop), 0);
        for (int i = 0; i < 3; i++)
                cr_assert(!sim_timer_armed(&ticks[i].t));
}

Test(lane, cancel_head_moves_the_event_to_the_next)
{
        arm_three();
        sim_lane_cancel(&ticks[0].t);
        cr_assert(!sim_timer_armed(&ticks[0].t));
        cr_assert_eq(sim_next_time(loop), 110);
        sim_lane_cancel(&ticks[0].t); /* twice: a no-op */
        cr_assert_eq(sim_run_until(loop, UINT64_MAX), 2);
        expect((int[]){1, 2}, (uint64_t[]){110, 120}, 2);
}

Test(lane, cancel_middle_and_tail)
{
        arm_three();
        sim_lane_cancel(&ticks[1].t);
        cr_assert_eq(sim_next_time(loop), 100, "the head stays where it was");
        sim_lane_cancel(&ticks[2].t);
        cr_assert_eq(lane.tail, &ticks[0].t);
        cr_assert_eq(sim_lane_arm(&lane, &ticks[2].t), 0); /* re-armed at 20: 120 */
        sim_run_until(loop, UINT64_MAX);
        expect((int[]){0, 2}, (uint64_t[]){100, 120}, 2);
}

Test(lane, cancel_all_takes_the_event_out)
{
        arm_three();
        for (int i = 2; i >= 0; i--)
                sim_lane_cancel(&ticks[i].t);
        cr_assert_eq(sim_pending_count(loop), 0);
        cr_assert_eq(lane.head, NULL);
        cr_assert_eq(lane.tail, NULL);
        cr_assert_eq(sim_run_until(loop, UINT64_MAX), 0);
        cr_assert_eq(log_n, 0);
}

/* Equal deadlines fire in arming order, and plain events of the same time
 * come between them exactly where they were scheduled. */
Test(lane, ties_with_other_events_keep_schedule_order)
{
        struct plain x = {.id = 10}, y = {.id = 11}, z = {.id = 12};
        sim_event_init(&x.ev, on_plain);
        sim_event_init(&y.ev, on_plain);
        sim_event_init(&z.ev, on_plain);
        sim_schedule(loop, &z.ev, 100); /* before every timer */
        cr_assert_eq(sim_lane_arm(&lane, &ticks[0].t), 0);
        sim_schedule(loop, &x.ev, 100);
        cr_assert_eq(sim_lane_arm(&lane, &ticks[1].t), 0);
        cr_assert_eq(sim_lane_arm(&lane, &ticks[2].t), 0);
        sim_schedule(loop, &y.ev, 100);
        cr_assert_eq(sim_lane_arm(&lane, &ticks[3].t), 0);
        sim_lane_cancel(&ticks[1].t); /* the middle of the tie */
        sim_run_until(loop, UINT64_MAX);
        expect((int[]){12, 0, 10, 2, 11, 3}, (uint64_t[]){100, 100, 100, 100, 100, 100}, 6);
}

/* A handler that arms its own timer again and cancels the next head. */
static void rearm_and_cancel(struct sim_lane *l, struct sim_timer *t)
{
        on_tick(l, t);
        struct tick *k = sim_container_of(t, struct tick, t);
        if (k->id == 0 && sim_now(l->loop) == 100) {
                sim_lane_cancel(&ticks[1].t);
                cr_assert_eq(sim_lane_arm(l, t), 0); /* 200, after c */
        }
}

Test(lane, handler_rearms_and_cancels)
{
        lane.fire = rearm_and_cancel;
        arm_three();
        sim_run_until(loop, UINT64_MAX);
        expect((int[]){0, 2, 0}, (uint64_t[]){100, 120, 200}, 3);
}

/* ---- a random run against plain events ---------------------------------- */

/* Two loops driven by the same draws: in one every timer is a plain event
 * scheduled at now + delay, in the other a lane timer; both log every fire,
 * and the logs must be the same, ties included. Three delays (one lane
 * each, two of them equal in time to other events often), other events at
 * random times on a coarse grid so that ties are common, and handlers that
 * arm, cancel and schedule. */
#define NT      64
#define NP      16
#define NDELAYS 3
static const uint64_t delays[NDELAYS] = {40, 100, 100 + 7};

struct world {
        struct sim_loop *loop;
        bool lanes; /* lane timers, or plain events */
        struct sim_lane lane[NDELAYS];
        struct sim_event tev[NT];
        struct sim_timer tt[NT];
        struct sim_event pev[NP];
        int tdelay[NT];
        unsigned draws; /* the world's own random state */
        int log[LOG_MAX];
        uint64_t at[LOG_MAX];
        size_t n;
};

static unsigned next_draw(struct world *w)
{
        w->draws = w->draws * 1103515245u + 12345u;
        return w->draws >> 16;
}

static bool timer_armed(struct world *w, int i)
{
        return w->lanes ? sim_timer_armed(&w->tt[i]) : sim_pending(&w->tev[i]);
}

static void arm(struct world *w, int i, int d)
{
        w->tdelay[i] = d;
        if (w->lanes) {
                sim_lane_cancel(&w->tt[i]);
                cr_assert_eq(sim_lane_arm(&w->lane[d], &w->tt[i]), 0);
        } else {
                cr_assert_eq(sim_schedule(w->loop, &w->tev[i], sim_now(w->loop) + delays[d]), 0);
        }
}

static void cancel(struct world *w, int i)
{
        if (w->lanes)
                sim_lane_cancel(&w->tt[i]);
        else
                sim_cancel(w->loop, &w->tev[i]);
}

/* A few random steps: arm or move a timer, cancel one, schedule an event;
 * none past the horizon, so that the run ends. */
#define HORIZON 10000
static void act(struct world *w, int steps)
{
        if (sim_now(w->loop) >= HORIZON)
                return;
        for (int s = 0; s < steps; s++) {
                unsigned r = next_draw(w) % 8;
                int i = (int)(next_draw(w) % NT);
                if (r < 4) {
                        arm(w, i, (int)(next_draw(w) % NDELAYS));
                } else if (r < 7) {
                        cancel(w, i);
                } else {
                        int p = (int)(next_draw(w) % NP);
                        uint64_t when = sim_now(w->loop) + 10 * (next_draw(w) % 16);
                        cr_assert_eq(sim_schedule(w->loop, &w->pev[p], when), 0);
                }
        }
}

static void w_log(struct world *w, int id)
{
        cr_assert_lt(w->n, LOG_MAX);
        w->log[w->n] = id;
        w->at[w->n++] = sim_now(w->loop);
}

static struct world *world_of_loop[2];
static struct world *find(struct sim_loop *l)
{
        return world_of_loop[0]->loop == l ? world_of_loop[0] : world_of_loop[1];
}

static void w_plain_timer(struct sim_loop *l, struct sim_event *ev)
{
        struct world *w = find(l);
        int i = (int)(ev - w->tev);
        cr_assert(!timer_armed(w, i));
        w_log(w, i);
        act(w, 2);
}

static void w_lane_timer(struct sim_lane *lane_, struct sim_timer *t)
{
        struct world *w = lane_->ctx;
        int i = (int)(t - w->tt);
        cr_assert(!timer_armed(w, i));
        w_log(w, i);
        act(w, 2);
}

static void w_event(struct sim_loop *l, struct sim_event *ev)
{
        struct world *w = find(l);
        w_log(w, 1000 + (int)(ev - w->pev));
        act(w, 3);
}

static void world_init(struct world *w, bool lanes, unsigned seed, size_t tier_at)
{
        w->loop = sim_loop_create();
        cr_assert_not_null(w->loop);
        sim_loop_tier_at(w->loop, tier_at);
        w->lanes = lanes;
        w->draws = seed;
        w->n = 0;
        for (int d = 0; d < NDELAYS; d++)
                sim_lane_init(&w->lane[d], w->loop, delays[d], w_lane_timer, w);
        for (int i = 0; i < NT; i++) {
                sim_event_init(&w->tev[i], w_plain_timer);
                sim_timer_init(&w->tt[i]);
        }
        for (int p = 0; p < NP; p++)
                sim_event_init(&w->pev[p], w_event);
}

static void world_fini(struct world *w)
{
        for (int d = 0; d < NDELAYS; d++)
                sim_lane_clear(&w->lane[d]);
        sim_loop_destroy(w->loop);
}

static void same_run(unsigned seed, size_t tier_at)
{
        struct world *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
        cr_assert(a && b);
        world_init(a, false, seed, tier_at);
        world_init(b, true, seed, tier_at);
        world_of_loop[0] = a;
        world_of_loop[1] = b;
        /* run both in steps, acting from outside between them too */
        for (int round = 0; round < HORIZON / 50; round++) {
                act(a, 5);
                act(b, 5);
                uint64_t until = sim_now(a->loop) + 50;
                sim_run_until(a->loop, until);
                sim_run_until(b->loop, until);
        }
        sim_run_until(a->loop, UINT64_MAX);
        sim_run_until(b->loop, UINT64_MAX);
        cr_assert_gt(a->n, 1000, "the run fired %zu events", a->n);
        cr_assert_eq(a->n, b->n, "seed %u: %zu fires with plain events, %zu with lanes", seed, a->n,
                     b->n);
        for (size_t i = 0; i < a->n; i++)
                cr_assert(a->log[i] == b->log[i] && a->at[i] == b->at[i],
                          "seed %u, fire %zu: %d at %llu plain, %d at %llu in lanes", seed, i,
                          a->log[i], (unsigned long long)a->at[i], b->log[i],
                          (unsigned long long)b->at[i]);
        cr_assert_eq(sim_events_fired(a->loop), sim_events_fired(b->loop));
        world_fini(a);
        world_fini(b);
        free(a);
        free(b);
}

Test(lane_random, fires_where_plain_events_fire)
{
        for (unsigned seed = 1; seed <= 20; seed++)
                same_run(seed, SIM_LOOP_TIER_AT);
}

Test(lane_random, fires_where_plain_events_fire_with_the_calendar)
{
        for (unsigned seed = 1; seed <= 20; seed++)
                same_run(seed, 4);
}

/* ---- through the platform's seam ----------------------------------------- */

struct stamp {
        struct ac_timer t;
        struct sim_loop *loop;
        struct ac_platform ap;
        int fired;
        uint64_t at[4];
        uint64_t rearm; /* delay to arm again from the fire, 0: none */
};

static void stamp_fire(struct ac_timer *t)
{
        struct stamp *s = (struct stamp *)t;
        cr_assert_lt(s->fired, 4);
        s->at[s->fired++] = sim_now(s->loop);
        if (s->rearm && s->fired < 3)
                s->ap.ops->timer_arm(s->ap.ctx, t, sim_now(s->loop) + s->rearm);
}

Test(lane_platform, moves_rearms_and_several_delays)
{
        struct sim_loop *l = sim_loop_create();
        struct sim_platform p;
        cr_assert_eq(sim_platform_init(&p, l, 1), 0);
        struct ac_platform ap = sim_platform_seam(&p);
        struct stamp a = {.t.fire = stamp_fire, .loop = l, .ap = ap}, b = a, c = a, d = a;
        ap.ops->timer_arm(ap.ctx, &a.t, 100);
        ap.ops->timer_arm(ap.ctx, &b.t, 100);
        ap.ops->timer_arm(ap.ctx, &c.t, 30);
        d.rearm = 25;
        ap.ops->timer_arm(ap.ctx, &d.t, 25);
        cr_assert_eq(p.nlanes, 3, "delays 100, 30 and 25: three lanes");
        ap.ops->timer_arm(ap.ctx, &a.t, 50); /* moved earlier, to a fourth lane */
        cr_assert_eq(p.nlanes, 4);
        sim_run_until(l, 60);
        /* moved later in its own lane: behind b, fires once, at 160 */
        ap.ops->timer_arm(ap.ctx, &a.t, 160);
        ap.ops->timer_cancel(ap.ctx, &c.t); /* fired already: a no-op */
        sim_run_until(l, UINT64_MAX);
        cr_assert_eq(a.fired, 2);
        cr_assert_eq(a.at[0], 50);
        cr_assert_eq(a.at[1], 160);
        cr_assert_eq(b.fired, 1);
        cr_assert_eq(b.at[0], 100);
        cr_assert_eq(c.fired, 1);
        cr_assert_eq(c.at[0], 30);
        cr_assert_eq(d.fired, 3, "armed again from its own fire, twice");
        cr_assert_eq(d.at[1], 50);
        cr_assert_eq(d.at[2], 75);
        cr_assert_eq(sim_pending_count(l), 0);
        /* empty lanes are reused for a new delay rather than added to */
        ap.ops->timer_arm(ap.ctx, &a.t, sim_now(l) + 7);
        cr_assert_eq(p.nlanes, 4);
        sim_run_until(l, UINT64_MAX);
        cr_assert_eq(a.fired, 3);
        sim_platform_fini(&p);
        sim_loop_destroy(l);
}

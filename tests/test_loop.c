/*
 * test_loop.c - the event loop: (time, seq) order and FIFO ties, cancel
 * and reschedule anywhere in the set, events scheduled from handlers,
 * sim_stop, the exact sim_run_until contract, a randomized run checked
 * against a sorted-array reference model, and the assertion that time never
 * goes backwards.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/des/loop.h"

/* A test event: records the order in which events fire. */
struct probe {
        struct sim_event ev; /* the engine's link */
        int id;              /* which probe */
};

#define LOG_MAX 4096
static int fired_log[LOG_MAX];     /* ids in firing order */
static uint64_t fired_at[LOG_MAX]; /* clock when each fired */
static size_t fired_n;

static void record(struct sim_loop *loop, struct sim_event *ev)
{
        struct probe *p = sim_container_of(ev, struct probe, ev);
        cr_assert_lt(fired_n, LOG_MAX);
        cr_assert_eq(sim_now(loop), ev->time);
        cr_assert(!sim_pending(ev));
        fired_at[fired_n] = sim_now(loop);
        fired_log[fired_n++] = p->id;
}

static struct sim_loop *loop;

static void setup(void)
{
        fired_n = 0;
        loop = sim_loop_create();
        cr_assert_not_null(loop);
}

static void teardown(void)
{
        sim_loop_destroy(loop);
}

static void probes_init(struct probe *p, int n, sim_event_fn fn)
{
        for (int i = 0; i < n; i++) {
                sim_event_init(&p[i].ev, fn);
                p[i].id = i;
        }
}

static void expect_log(const int *ids, size_t n)
{
        cr_assert_eq(fired_n, n, "fired %zu events, expected %zu", fired_n, n);
        for (size_t i = 0; i < n; i++)
                cr_assert_eq(fired_log[i], ids[i], "event %zu: id %d, expected %d", i, fired_log[i],
                             ids[i]);
}

TestSuite(loop, .init = setup, .fini = teardown);

Test(loop, fresh_engine_is_empty)
{
        cr_assert_eq(sim_now(loop), 0);
        cr_assert_eq(sim_pending_count(loop), 0);
        cr_assert_eq(sim_events_fired(loop), 0);
        cr_assert_eq(sim_next_time(loop), UINT64_MAX);
        cr_assert_eq(sim_run_until(loop, 100), 0);
        cr_assert_eq(sim_now(loop), 100);
}

Test(loop, fires_in_time_order)
{
        struct probe p[5];
        probes_init(p, 5, record);
        static const uint64_t at[5] = {50, 10, 40, 20, 30};
        for (int i = 0; i < 5; i++)
                cr_assert_eq(sim_schedule(loop, &p[i].ev, at[i]), 0);
        cr_assert_eq(sim_pending_count(loop), 5);
        cr_assert_eq(sim_next_time(loop), 10);
        cr_assert_eq(sim_run_until(loop, UINT64_MAX), 5);
        static const int want[5] = {1, 3, 4, 2, 0};
        expect_log(want, 5);
        for (size_t i = 0; i + 1 < fired_n; i++)
                cr_assert_leq(fired_at[i], fired_at[i + 1]);
        cr_assert_eq(sim_events_fired(loop), 5);
        cr_assert_eq(sim_pending_count(loop), 0);
        cr_assert_eq(sim_now(loop), 50, "run to the end keeps the last event's time");
}

Test(loop, ties_fire_in_schedule_order)
{
        struct probe p[100];
        probes_init(p, 100, record);
        /* Scheduled in a scrambled order, all at the same time. */
        int want[100];
        for (int i = 0; i < 100; i++) {
                int id = (i * 37) % 100;
                want[i] = id;
                sim_schedule(loop, &p[id].ev, 7);
        }
        sim_run_until(loop, UINT64_MAX);
        expect_log(want, 100);
}

Test(loop, reschedule_takes_a_new_sequence_number)
{
        struct probe p[3];
        probes_init(p, 3, record);
        for (int i = 0; i < 3; i++)
                sim_schedule(loop, &p[i].ev, 5);
        /* Moving 0 to the same time puts it behind the others. */
        sim_schedule(loop, &p[0].ev, 5);
        cr_assert_eq(sim_pending_count(loop), 3);
        sim_run_until(loop, UINT64_MAX);
        static const int want[3] = {1, 2, 0};
        expect_log(want, 3);
}

Test(loop, reschedule_earlier_and_later)
{
        struct probe p[6];
        probes_init(p, 6, record);
        for (int i = 0; i < 6; i++)
                sim_schedule(loop, &p[i].ev, (uint64_t)(i + 1) * 10);
        sim_schedule(loop, &p[5].ev, 5);   /* tail to head */
        sim_schedule(loop, &p[0].ev, 100); /* head to tail */
        sim_schedule(loop, &p[3].ev, 25);  /* middle, earlier */
        cr_assert_eq(sim_pending_count(loop), 6);
        cr_assert_eq(sim_next_time(loop), 5);
        sim_run_until(loop, UINT64_MAX);
        static const int want[6] = {5, 1, 3, 2, 4, 0};
        expect_log(want, 6);
}

Test(loop, cancel_head_middle_tail_and_not_pending)
{
        struct probe p[7];
        probes_init(p, 7, record);
        for (int i = 0; i < 6; i++)
                sim_schedule(loop, &p[i].ev, (uint64_t)(i + 1) * 10);
        sim_cancel(loop, &p[0].ev); /* head */
        cr_assert(!sim_pending(&p[0].ev));
        cr_assert_eq(sim_next_time(loop), 20);
        sim_cancel(loop, &p[3].ev); /* middle */
        sim_cancel(loop, &p[5].ev); /* tail */
        sim_cancel(loop, &p[5].ev); /* again: a no-op */
        sim_cancel(loop, &p[6].ev); /* never scheduled: a no-op */
        cr_assert_eq(sim_pending_count(loop), 3);
        sim_run_until(loop, UINT64_MAX);
        static const int want[3] = {1, 2, 4};
        expect_log(want, 3);
        sim_cancel(loop, &p[1].ev); /* already fired: a no-op */
        cr_assert_eq(sim_pending_count(loop), 0);
        /* A cancelled event can be scheduled again. */
        sim_schedule(loop, &p[0].ev, 70);
        sim_run_until(loop, UINT64_MAX);
        cr_assert_eq(fired_n, 4);
        cr_assert_eq(fired_log[3], 0);
}

/* Handlers that schedule more work. */
static struct probe chain_probes[4];

static void chain_step(struct sim_loop *e, struct sim_event *ev)
{
        struct probe *p = sim_container_of(ev, struct probe, ev);
        record(e, ev);
        if (p->id == 0) {
                /* At the current time: fires after what is already due now. */
                sim_schedule(e, &chain_probes[1].ev, sim_now(e));
                /* The event that is firing may reschedule itself. */
                sim_schedule(e, ev, sim_now(e) + 10);
                p->id = 3;
        }
}

Test(loop, handlers_schedule_at_now_and_later)
{
        probes_init(chain_probes, 4, chain_step);
        struct probe other;
        sim_event_init(&other.ev, record);
        other.id = 2;
        sim_schedule(loop, &chain_probes[0].ev, 100);
        sim_schedule(loop, &other.ev, 100);
        cr_assert_eq(sim_run_until(loop, UINT64_MAX), 4);
        static const int want[4] = {0, 2, 1, 3};
        expect_log(want, 4);
        cr_assert_eq(fired_at[2], 100);
        cr_assert_eq(fired_at[3], 110);
        cr_assert_eq(sim_now(loop), 110);
}

static void stopper(struct sim_loop *e, struct sim_event *ev)
{
        record(e, ev);
        sim_stop(e);
}

Test(loop, stop_returns_after_the_current_event)
{
        struct probe p[4];
        probes_init(p, 4, record);
        p[1].ev.fn = stopper;
        for (int i = 0; i < 4; i++)
                sim_schedule(loop, &p[i].ev, (uint64_t)(i + 1) * 10);
        cr_assert_eq(sim_run_until(loop, 1000), 2);
        cr_assert_eq(sim_now(loop), 20, "stop keeps the stopping event's time");
        cr_assert_eq(sim_pending_count(loop), 2);
        /* A later call continues where it stopped. */
        cr_assert_eq(sim_run_until(loop, 1000), 2);
        cr_assert_eq(sim_now(loop), 1000);
        static const int want[4] = {0, 1, 2, 3};
        expect_log(want, 4);
}

Test(loop, stop_outside_a_run_has_no_effect)
{
        struct probe p[2];
        probes_init(p, 2, record);
        sim_schedule(loop, &p[0].ev, 1);
        sim_schedule(loop, &p[1].ev, 2);
        sim_stop(loop);
        cr_assert_eq(sim_run_until(loop, 10), 2);
}

Test(loop, run_until_is_inclusive_and_advances_the_clock)
{
        struct probe p[3];
        probes_init(p, 3, record);
        sim_schedule(loop, &p[0].ev, 10);
        sim_schedule(loop, &p[1].ev, 20);
        sim_schedule(loop, &p[2].ev, 30);
        cr_assert_eq(sim_run_until(loop, 20), 2, "an event at `until` fires");
        cr_assert_eq(sim_now(loop), 20);
        cr_assert_eq(sim_run_until(loop, 25), 0);
        cr_assert_eq(sim_now(loop), 25, "the clock reads `until` when the next event is later");
        cr_assert_eq(sim_next_time(loop), 30);
        cr_assert_eq(sim_run_until(loop, 25), 0, "running to now is allowed");
        cr_assert_eq(sim_run_until(loop, 1000), 1);
        cr_assert_eq(sim_now(loop), 1000, "the clock reads `until` when the set ran dry");
        cr_assert_eq(sim_run_until(loop, UINT64_MAX), 0);
        cr_assert_eq(sim_now(loop), 1000, "run to the end with nothing pending keeps the clock");
        cr_assert_eq(sim_events_fired(loop), 3);
}

Test(loop, scheduling_in_the_past_aborts, .signal = SIGABRT)
{
        struct probe p;
        probes_init(&p, 1, record);
        sim_run_until(loop, 100);
        sim_schedule(loop, &p.ev, 99);
}

Test(loop, running_to_the_past_aborts, .signal = SIGABRT)
{
        sim_run_until(loop, 100);
        sim_run_until(loop, 50);
}

static void free_self(struct sim_loop *e, struct sim_event *ev)
{
        record(e, ev);
        free(sim_container_of(ev, struct probe, ev));
}

Test(loop, handler_may_free_its_event)
{
        for (int i = 0; i < 3; i++) {
                struct probe *p = malloc(sizeof(*p));
                cr_assert_not_null(p);
                sim_event_init(&p->ev, free_self);
                p->id = i;
                sim_schedule(loop, &p->ev, 10);
        }
        /* Under AddressSanitizer, any later touch of a freed event fails. */
        cr_assert_eq(sim_run_until(loop, UINT64_MAX), 3);
        static const int want[3] = {0, 1, 2};
        expect_log(want, 3);
}

Test(loop, destroy_leaves_events_not_pending)
{
        struct probe p[2];
        probes_init(p, 2, record);
        struct sim_loop *other = sim_loop_create();
        cr_assert_not_null(other);
        sim_schedule(other, &p[0].ev, 1);
        sim_schedule(other, &p[1].ev, 2);
        sim_loop_destroy(other);
        cr_assert(!sim_pending(&p[0].ev));
        cr_assert(!sim_pending(&p[1].ev));
}

/*
 * Randomized: thousands of schedule / cancel / reschedule / run operations
 * against a reference model that keeps the pending events in a plain array
 * and finds the next one by a linear scan for the least (time, seq).
 */
#define RAND_EVENTS 600
#define RAND_OPS    20000

struct model_event {
        bool pending;
        uint64_t time, seq;
};

static struct model_event model[RAND_EVENTS];
static uint64_t model_seq;
static int model_expect; /* id the engine must fire next, or -1 */

static int model_next(void)
{
        int best = -1;
        for (int i = 0; i < RAND_EVENTS; i++) {
                if (!model[i].pending)
                        continue;
                if (best < 0 || model[i].time < model[best].time ||
                    (model[i].time == model[best].time && model[i].seq < model[best].seq))
                        best = i;
        }
        return best;
}

static void model_fire(struct sim_loop *e, struct sim_event *ev)
{
        struct probe *p = sim_container_of(ev, struct probe, ev);
        model_expect = model_next();
        cr_assert_eq(p->id, model_expect, "engine fired %d, model expects %d", p->id, model_expect);
        cr_assert_eq(model[p->id].time, sim_now(e));
        model[p->id].pending = false;
}

static uint64_t splitmix(uint64_t *s)
{
        uint64_t z = (*s += 0x9e3779b97f4a7c15u);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        return z ^ (z >> 31);
}

/* Runs the random operations with the calendar starting past tier_at heap
 * events; offsets below `spread` ns, one schedule in `far_every` much
 * further out, so that windows are rebuilt and the far list is used; runs
 * advance the clock by less than `step`. */
static size_t pending_min, pending_max; /* of the last randomized() run, after each op */
static int crossings;                   /* times it went past SORTED_MAX and back to SORTED_AGAIN */
static bool above;                      /* past SORTED_MAX since it was last at SORTED_AGAIN */

/* nevents ids; with `phase`, the operations alternate every `phase` between
 * a mix that fills the set (runs become schedules) and one that drains it
 * (schedules become runs). */
static void randomized_n(int nevents, int phase, size_t tier_at, uint64_t spread, uint64_t step,
                         unsigned far_every)
{
        static struct probe p[RAND_EVENTS];
        probes_init(p, RAND_EVENTS, model_fire);
        memset(model, 0, sizeof(model));
        model_seq = 0;
        sim_loop_tier_at(loop, tier_at);
        uint64_t seed = 0x5eed0001;
        const char *env = getenv("ACSIM_TEST_SEED");
        if (env)
                seed = strtoull(env, NULL, 0);
        printf("engine randomized test: seed 0x%llx (set ACSIM_TEST_SEED to replay)\n",
               (unsigned long long)seed);
        uint64_t rng = seed;
        for (int op = 0; op < RAND_OPS; op++) {
                uint64_t r = splitmix(&rng);
                int id = (int)(r % (uint64_t)nevents);
                unsigned kind = (unsigned)(r >> 32) % 10;
                if (phase && (op / phase) % 2 == 0 && kind >= 7 && kind < 9)
                        kind = 0;
                else if (phase && (op / phase) % 2 == 1 && kind >= 2 && kind < 5)
                        kind = 9;
                if (kind < 5) {
                        /* Schedule or reschedule; small offsets make many ties. */
                        uint64_t when = sim_now(loop) + (r >> 40) % spread;
                        if (far_every && (r >> 8) % far_every == 0)
                                when += (r >> 16) % (1000 * spread);
                        sim_schedule(loop, &p[id].ev, when);
                        model[id].pending = true;
                        model[id].time = when;
                        model[id].seq = model_seq++;
                } else if (kind < 7) {
                        sim_cancel(loop, &p[id].ev);
                        model[id].pending = false;
                } else {
                        uint64_t until = sim_now(loop) + (r >> 40) % step;
                        sim_run_until(loop, until);
                        cr_assert_eq(sim_now(loop), until);
                }
                size_t n = 0;
                for (int i = 0; i < RAND_EVENTS; i++) {
                        n += model[i].pending;
                        cr_assert_eq(sim_pending(&p[i].ev), model[i].pending, "seed 0x%llx",
                                     (unsigned long long)seed);
                }
                cr_assert_eq(sim_pending_count(loop), n);
                pending_min = n < pending_min ? n : pending_min;
                pending_max = n > pending_max ? n : pending_max;
                if (n > SIM_LOOP_SORTED_MAX)
                        above = true;
                if (above && n <= SIM_LOOP_SORTED_AGAIN) {
                        above = false;
                        crossings++;
                }
                int next = model_next();
                cr_assert_eq(sim_next_time(loop), next < 0 ? UINT64_MAX : model[next].time);
        }
        sim_run_until(loop, UINT64_MAX);
        cr_assert_eq(model_next(), -1);
        cr_assert_eq(sim_pending_count(loop), 0);
}

static void randomized(size_t tier_at, uint64_t spread, uint64_t step, unsigned far_every)
{
        randomized_n(RAND_EVENTS, 0, tier_at, spread, step, far_every);
}

Test(loop, randomized_against_reference_model)
{
        randomized(SIM_LOOP_TIER_AT, 50, 20, 0);
}

/* The same with the calendar in use from 16 heap events on: the order must
 * be the heap's exactly, ties included. */
Test(loop, randomized_with_the_calendar)
{
        randomized(16, 50, 20, 0);
}

/* The heap alone, with so few events that it keeps going from its sorted
 * form (up to SIM_LOOP_SORTED_MAX) to a heap and back (at
 * SIM_LOOP_SORTED_AGAIN): cancels and reschedules in both, ties included. */
Test(loop, randomized_across_the_sorted_and_heap_forms)
{
        pending_min = SIZE_MAX;
        pending_max = 0;
        crossings = 0;
        above = false;
        randomized_n(2 * SIM_LOOP_SORTED_MAX, 200, 0, 200, 20, 0);
        printf("sorted and heap forms: %d crossings, %zu to %zu events\n", crossings, pending_min,
               pending_max);
        cr_assert_geq(crossings, 10,
                      "the set went from %zu to %zu events: it became a heap and "
                      "sorted again %d times",
                      pending_min, pending_max, crossings);
}

Test(loop, randomized_with_the_calendar_and_far_events)
{
        randomized(8, 400, 100, 7);
}

Test(loop, randomized_with_the_calendar_and_equal_times)
{
        randomized(4, 2, 2, 3);
}

static uint64_t last_time, last_seq; /* key of the previous event fired */

static void check_order(struct sim_loop *e, struct sim_event *ev)
{
        cr_assert(fired_n == 0 || ev->time > last_time ||
                      (ev->time == last_time && ev->seq > last_seq),
                  "(%llu, %llu) fired after (%llu, %llu)", (unsigned long long)ev->time,
                  (unsigned long long)ev->seq, (unsigned long long)last_time,
                  (unsigned long long)last_seq);
        last_time = ev->time;
        last_seq = ev->seq;
        fired_n++;
}

Test(loop, grows_past_its_initial_size)
{
        enum { N = 100000 };
        struct probe *p = calloc(N, sizeof(*p));
        cr_assert_not_null(p);
        probes_init(p, N, check_order);
        uint64_t rng = 42;
        for (int i = 0; i < N; i++)
                cr_assert_eq(sim_schedule(loop, &p[i].ev, splitmix(&rng) % 100000), 0);
        cr_assert_eq(sim_pending_count(loop), N);
        for (int i = 0; i < N; i += 3)
                sim_cancel(loop, &p[i].ev);
        size_t left = sim_pending_count(loop);
        cr_assert_eq(left, N - (N + 2) / 3);
        last_time = 0;
        last_seq = 0;
        cr_assert_eq(sim_run_until(loop, UINT64_MAX), left);
        cr_assert_eq(fired_n, left);
        free(p);
}

/* Events left in the calendar by a destroyed loop are not pending and can
 * be scheduled on another loop, which fires them in order. */
Test(loop, calendar_events_survive_a_destroyed_loop)
{
        enum { N = 3 * SIM_LOOP_TIER_AT };
        struct probe *p = calloc(N, sizeof(*p));
        cr_assert_not_null(p);
        probes_init(p, N, check_order);
        struct sim_loop *first = sim_loop_create();
        cr_assert_not_null(first);
        uint64_t rng = 7;
        for (int i = 0; i < N; i++)
                cr_assert_eq(sim_schedule(first, &p[i].ev, splitmix(&rng) % 5000), 0);
        cr_assert_eq(sim_run_until(first, 100), sim_events_fired(first));
        sim_loop_destroy(first);
        for (int i = 0; i < N; i++)
                cr_assert(!sim_pending(&p[i].ev));
        for (int i = 0; i < N; i++)
                cr_assert_eq(sim_schedule(loop, &p[i].ev, splitmix(&rng) % 5000), 0);
        for (int i = 0; i < N; i += 2)
                sim_cancel(loop, &p[i].ev);
        fired_n = 0;
        last_time = 0;
        last_seq = 0;
        cr_assert_eq(sim_run_until(loop, UINT64_MAX), N / 2);
        cr_assert_eq(fired_n, N / 2);
        free(p);
}

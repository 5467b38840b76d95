/*
 * test_eventset.c - the event set past the heap: the calendar's bins, the
 * runs fired from a bin in place, rebuilds of the window and the shrink
 * back to the heap alone, checked event by event against a reference
 * binary heap of (time, seq).
 *
 * The reference keeps (time, seq, id) triples and drops stale ones lazily
 * (an entry whose seq is no longer its event's is a cancelled or moved
 * schedule), so it is a plain heap with none of the engine's tiers. A
 * random run grows the set far past the calendar's threshold, with many
 * events on one nanosecond (sorted runs), cancels and moves (holes in a
 * run, bins out of order), schedules with sequence numbers taken earlier
 * (as timer lanes make: bins out of order), far-future events (rebuilds),
 * then drains it below a quarter of the threshold (the shrink), and
 * grows it again.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/des/loop.h"

/* ---- the reference heap ---------------------------------------------------- */

struct ref_key {
        uint64_t time, seq;
        int id;
};

struct ref_heap {
        struct ref_key *k;
        size_t n, size;
};

static bool ref_less(struct ref_key a, struct ref_key b)
{
        return a.time < b.time || (a.time == b.time && a.seq < b.seq);
}

static void ref_push(struct ref_heap *h, struct ref_key x)
{
        if (h->n == h->size) {
                h->size = h->size ? 2 * h->size : 1024;
                h->k = realloc(h->k, h->size * sizeof(*h->k));
                cr_assert_not_null(h->k);
        }
        size_t i = h->n++;
        while (i > 0 && ref_less(x, h->k[(i - 1) / 2])) {
                h->k[i] = h->k[(i - 1) / 2];
                i = (i - 1) / 2;
        }
        h->k[i] = x;
}

static void ref_pop(struct ref_heap *h)
{
        struct ref_key x = h->k[--h->n];
        size_t i = 0;
        for (;;) {
                size_t c = 2 * i + 1;
                if (c >= h->n)
                        break;
                if (c + 1 < h->n && ref_less(h->k[c + 1], h->k[c]))
                        c++;
                if (!ref_less(h->k[c], x))
                        break;
                h->k[i] = h->k[c];
                i = c;
        }
        if (h->n)
                h->k[i] = x;
}

/* ---- the model ------------------------------------------------------------- */

#define NEV 6000 /* events */

struct probe {
        struct sim_event ev; /* the engine's link */
        int id;              /* index in model[] */
};

struct model_event {
        bool pending;
        uint64_t time, seq; /* the key of its current schedule */
};

static struct probe probes[NEV];
static struct model_event model[NEV];
static struct ref_heap ref;
static size_t ref_pending; /* events pending in the model */
static uint64_t rng;
static unsigned hold_every; /* one fire in this many schedules its event again */
static uint64_t hold_spread;

static uint64_t splitmix(uint64_t *s)
{
        uint64_t z = (*s += 0x9e3779b97f4a7c15u);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        return z ^ (z >> 31);
}

/* The id of the next event by the reference, or -1; drops stale entries. */
static int ref_next(void)
{
        while (ref.n) {
                struct ref_key top = ref.k[0];
                if (model[top.id].pending && model[top.id].seq == top.seq)
                        return top.id;
                ref_pop(&ref);
        }
        return -1;
}

static void model_schedule(int id, uint64_t when, uint64_t seq)
{
        if (!model[id].pending)
                ref_pending++;
        model[id] = (struct model_event){true, when, seq};
        ref_push(&ref, (struct ref_key){when, seq, id});
}

static void model_cancel(int id)
{
        if (model[id].pending)
                ref_pending--;
        model[id].pending = false;
}

static void schedule(struct sim_loop *loop, int id, uint64_t when)
{
        uint64_t seq = sim_take_seq(loop);
        cr_assert_eq(sim_schedule_seq(loop, &probes[id].ev, when, seq), 0);
        model_schedule(id, when, seq);
}

static void fire(struct sim_loop *loop, struct sim_event *ev)
{
        struct probe *p = sim_container_of(ev, struct probe, ev);
        int want = ref_next();
        cr_assert_eq(p->id, want, "engine fired %d, the reference %d", p->id, want);
        cr_assert_eq(ev->time, sim_now(loop));
        cr_assert_eq(model[p->id].time, sim_now(loop));
        cr_assert_eq(ev->seq, model[p->id].seq);
        cr_assert(!sim_pending(ev));
        model_cancel(p->id);
        ref_pop(&ref);
        uint64_t r = splitmix(&rng);
        if (hold_every && r % hold_every == 0) /* as the hold model does */
                schedule(loop, p->id, sim_now(loop) + (r >> 32) % hold_spread);
}

static void check_agrees(struct sim_loop *loop, bool every_event)
{
        cr_assert_eq(sim_pending_count(loop), ref_pending);
        int next = ref_next();
        cr_assert_eq(sim_next_time(loop), next < 0 ? UINT64_MAX : model[next].time);
        if (every_event)
                for (int i = 0; i < NEV; i++)
                        cr_assert_eq(sim_pending(&probes[i].ev), model[i].pending, "event %d", i);
}

struct phase {
        size_t ops;          /* operations in the phase */
        unsigned schedule;   /* of 100 operations: schedule or move */
        unsigned cancel;     /* of 100: cancel */
        unsigned old_seq;    /* of 100: schedule with a sequence number taken earlier */
        uint64_t spread;     /* a schedule's offset from now is below this, ns */
        unsigned far_every;  /* one schedule in this many goes 1000 spreads further */
        uint64_t step;       /* a run advances the clock by less than this, ns */
        unsigned hold_every; /* see hold_every above; 0: never */
};

#define OLD_SEQS 64

/* Runs the phases on a loop whose calendar starts past tier_at heap events;
 * returns the least and the greatest pending count seen. */
static void differential(size_t tier_at, const struct phase *phases, size_t nphases, size_t *least,
                         size_t *most)
{
        struct sim_loop *loop = sim_loop_create();
        cr_assert_not_null(loop);
        sim_loop_tier_at(loop, tier_at);
        for (int i = 0; i < NEV; i++) {
                sim_event_init(&probes[i].ev, fire);
                probes[i].id = i;
        }
        memset(model, 0, sizeof(model));
        ref.n = 0;
        ref_pending = 0;
        uint64_t seed = 0x5eed0003;
        const char *env = getenv("ACSIM_TEST_SEED");
        if (env)
                seed = strtoull(env, NULL, 0);
        printf("event set differential test: seed 0x%llx, calendar past %zu (set "
               "ACSIM_TEST_SEED to replay)\n",
               (unsigned long long)seed, tier_at);
        rng = seed;
        uint64_t old[OLD_SEQS]; /* taken, not yet used: each is used once */
        size_t nold = 0;
        *least = SIZE_MAX;
        *most = 0;
        bool seen_big = false;
        for (size_t ph = 0; ph < nphases; ph++) {
                const struct phase *f = &phases[ph];
                hold_every = f->hold_every;
                hold_spread = f->spread;
                for (size_t op = 0; op < f->ops; op++) {
                        uint64_t r = splitmix(&rng);
                        int id = (int)(r % NEV);
                        unsigned kind = (unsigned)((r >> 32) % 100);
                        uint64_t off = (r >> 40) % f->spread;
                        if (f->far_every && (r >> 8) % f->far_every == 0)
                                off += (r >> 16) % (1000 * f->spread);
                        if (kind < f->schedule) {
                                schedule(loop, id, sim_now(loop) + off);
                        } else if (kind < f->schedule + f->old_seq) {
                                /* Take a number now, use one taken earlier:
                                 * the event lands behind later numbers. */
                                if (nold < OLD_SEQS)
                                        old[nold++] = sim_take_seq(loop);
                                if (nold == OLD_SEQS || (r & 1)) {
                                        size_t k = (size_t)(r >> 20) % nold;
                                        uint64_t seq = old[k];
                                        old[k] = old[--nold];
                                        uint64_t when = sim_now(loop) + off;
                                        cr_assert_eq(
                                            sim_schedule_seq(loop, &probes[id].ev, when, seq), 0);
                                        model_schedule(id, when, seq);
                                }
                        } else if (kind < f->schedule + f->old_seq + f->cancel) {
                                sim_cancel(loop, &probes[id].ev);
                                model_cancel(id);
                        } else {
                                sim_run_until(loop, sim_now(loop) + (r >> 40) % f->step);
                        }
                        check_agrees(loop, op % 997 == 0);
                        size_t n = sim_pending_count(loop);
                        if (n > *most)
                                *most = n;
                        if (n > 4 * tier_at)
                                seen_big = true;
                        if (seen_big && n < *least)
                                *least = n;
                }
        }
        hold_every = 0;
        sim_run_until(loop, UINT64_MAX);
        cr_assert_eq(ref_next(), -1);
        cr_assert_eq(sim_pending_count(loop), 0);
        check_agrees(loop, true);
        sim_loop_destroy(loop);
        free(ref.k);
        ref = (struct ref_heap){0};
}

/* Grow (mostly schedules), churn, drain (mostly runs, no new events), grow
 * again: the calendar starts, windows are rebuilt, the set falls back to
 * the heap alone and starts the calendar once more. */
static void grow_drain_grow(size_t tier_at, uint64_t spread, unsigned far_every, unsigned old_seq)
{
        const struct phase phases[] = {
            {6000, 80, 5, old_seq, spread, far_every, spread / 4 + 1, 0},
            {20000, 40, 15, old_seq, spread, far_every, spread, 2},
            {20000, 3, 30, 0, spread, far_every, 4 * spread, 0},
            {6000, 80, 5, old_seq, spread, far_every, spread / 4 + 1, 1},
            {20000, 40, 15, old_seq, spread, far_every, spread, 2},
        };
        size_t least, most;
        differential(tier_at, phases, sizeof(phases) / sizeof(phases[0]), &least, &most);
        /* The paths were taken: far past the threshold, then below a
         * quarter of it (where the heap works alone again). */
        cr_assert_gt(most, 4 * tier_at, "grew to %zu only", most);
        cr_assert_lt(least, tier_at / 4, "drained to %zu only", least);
}

TestSuite(eventset);

/* Offsets below 4 ns among thousands of events: bins of one nanosecond
 * with hundreds of events each, fired as runs; cancels leave holes. */
Test(eventset, equal_times_fire_as_runs)
{
        grow_drain_grow(64, 4, 0, 0);
}

/* Wider offsets: bins of a few events, some out of order and sorted. */
Test(eventset, spread_times)
{
        grow_drain_grow(64, 3000, 0, 0);
}

/* Far-future events: the far list, rebuilds of the window. */
Test(eventset, far_events_and_rebuilds)
{
        grow_drain_grow(32, 200, 5, 0);
}

/* Sequence numbers taken earlier, as timer lanes use them: bins filled out
 * of order, large ones going through the heap, small ones sorted. */
Test(eventset, old_sequence_numbers)
{
        grow_drain_grow(64, 4, 0, 10);
        grow_drain_grow(64, 500, 7, 10);
}

/* At the default threshold, with the hold model's reschedules. */
Test(eventset, default_threshold)
{
        const struct phase phases[] = {
            {12000, 90, 2, 1, 2000, 50, 20, 1},
            {10000, 60, 10, 1, 2000, 50, 40, 1},
            {30000, 1, 30, 0, 2000, 50, 8000, 0},
        };
        size_t least, most;
        differential(SIM_LOOP_TIER_AT, phases, 3, &least, &most);
        cr_assert_gt(most, SIM_LOOP_TIER_AT);
}

/* ---- a run in progress ----------------------------------------------------- */

struct owned {
        struct sim_event ev; /* the engine's link */
        int id;              /* index in the test's array */
};

static struct owned *owned[2000];
static int fired_ids[2000];
static int fired_count, stop_after;

/* Records the event, frees it (the loop must not touch it again) and stops
 * the run after stop_after events. */
static void fire_and_free(struct sim_loop *loop, struct sim_event *ev)
{
        struct owned *o = sim_container_of(ev, struct owned, ev);
        fired_ids[fired_count++] = o->id;
        owned[o->id] = NULL;
        free(o);
        if (fired_count == stop_after)
                sim_stop(loop);
}

/* The least odd id still pending: the head of the run at AT. */
static int run_head_id(int n)
{
        for (int i = 1; i < n; i += 2)
                if (owned[i] && sim_pending(&owned[i]->ev))
                        return i;
        return -1;
}

/* A run of 1000 events on one nanosecond, in progress: its head, middle
 * and last cancelled, members moved to its own time (behind the rest) and
 * later, some fired by handlers that free their events, the rest left to
 * the loop's destruction. AddressSanitizer fails the test if the loop
 * touches a fired event. */
Test(eventset, run_in_progress_cancel_move_and_destroy)
{
        enum { N = 2000, EARLY = 17, AT = 100 };
        struct sim_loop *loop = sim_loop_create();
        cr_assert_not_null(loop);
        sim_loop_tier_at(loop, 16);
        struct sim_event early[EARLY];
        for (int i = 0; i < EARLY; i++) {
                sim_event_init(&early[i], fire_and_free);
                cr_assert_eq(sim_schedule(loop, &early[i], 1 + (uint64_t)i), 0);
        }
        for (int i = 0; i < N; i++) {
                owned[i] = malloc(sizeof(*owned[i]));
                cr_assert_not_null(owned[i]);
                sim_event_init(&owned[i]->ev, fire_and_free);
                owned[i]->id = i;
                /* Odd ids on one nanosecond, even ones spread after it. */
                uint64_t when = i % 2 ? AT : AT + 1 + (uint64_t)i;
                cr_assert_eq(sim_schedule(loop, &owned[i]->ev, when), 0);
        }
        /* The early events are the caller's (not malloc'ed): take them out
         * before they fire. */
        for (int i = 0; i < EARLY; i++)
                sim_cancel(loop, &early[i]);
        cr_assert_eq(sim_pending_count(loop), N);
        cr_assert_eq(sim_next_time(loop), AT);

        /* Cancel the head 50 times: the next is always the next odd id. */
        for (int k = 0; k < 50; k++) {
                int head = run_head_id(N);
                cr_assert_eq(head, 2 * k + 1);
                sim_cancel(loop, &owned[head]->ev);
                cr_assert(!sim_pending(&owned[head]->ev));
                free(owned[head]);
                owned[head] = NULL;
                cr_assert_eq(sim_next_time(loop), AT);
        }
        /* Cancel the middle and the last of the run. */
        int cancelled[] = {501, 503, 777, N - 1};
        for (size_t k = 0; k < sizeof(cancelled) / sizeof(cancelled[0]); k++)
                sim_cancel(loop, &owned[cancelled[k]]->ev);
        /* 103 to AT again: behind every other event at AT; 105 later. */
        cr_assert_eq(sim_schedule(loop, &owned[103]->ev, AT), 0);
        cr_assert_eq(sim_schedule(loop, &owned[105]->ev, AT + 5000), 0);
        size_t pending = sim_pending_count(loop);
        cr_assert_eq(pending, N - 50 - 4);

        /* Fire 300, one run of sim_run_until: in FIFO order, skipping the
         * cancelled and the moved. */
        fired_count = 0;
        stop_after = 300;
        cr_assert_eq(sim_run_until(loop, AT), 300);
        cr_assert_eq(sim_now(loop), AT);
        int want = 101;
        for (int k = 0; k < 300; k++, want += 2) {
                while (want == 103 || want == 105 || want == 501 || want == 503)
                        want += 2;
                cr_assert_eq(fired_ids[k], want, "fire %d: id %d, expected %d", k, fired_ids[k],
                             want);
        }
        cr_assert_eq(sim_pending_count(loop), pending - 300);
        cr_assert_eq(sim_next_time(loop), AT);

        /* Destroy with the run in progress: the loop leaves the pending
         * ones not pending and touches none of the 300 freed. */
        sim_loop_destroy(loop);
        int left = 0;
        for (int i = 0; i < N; i++) {
                if (!owned[i])
                        continue;
                cr_assert(!sim_pending(&owned[i]->ev), "event %d still pending", i);
                left++;
                free(owned[i]);
                owned[i] = NULL;
        }
        cr_assert_eq((size_t)left + 50 + 300, (size_t)N);
}

/* ---- a large set ------------------------------------------------------------ */

static uint64_t last_time, last_seq;
static size_t order_n;

static void check_order(struct sim_loop *loop, struct sim_event *ev)
{
        cr_assert(order_n == 0 || ev->time > last_time ||
                      (ev->time == last_time && ev->seq > last_seq),
                  "(%llu, %llu) fired after (%llu, %llu)", (unsigned long long)ev->time,
                  (unsigned long long)ev->seq, (unsigned long long)last_time,
                  (unsigned long long)last_seq);
        cr_assert_eq(ev->time, sim_now(loop));
        last_time = ev->time;
        last_seq = ev->seq;
        order_n++;
}

/* Enough events that the far list's array passes 2 MiB (where it asks for
 * huge pages): every one fires once, in order, after a third are
 * cancelled and a tenth moved. */
Test(eventset, a_large_set_fires_in_order)
{
        enum { N = 600000 };
        struct sim_event *ev = calloc(N, sizeof(*ev));
        cr_assert_not_null(ev);
        struct sim_loop *loop = sim_loop_create();
        cr_assert_not_null(loop);
        uint64_t r = 99;
        for (int i = 0; i < N; i++) {
                sim_event_init(&ev[i], check_order);
                cr_assert_eq(sim_schedule(loop, &ev[i], splitmix(&r) % 2000), 0);
        }
        for (int i = 0; i < N; i += 3)
                sim_cancel(loop, &ev[i]);
        size_t revived = 0; /* cancelled, then scheduled again */
        for (int i = 1; i < N; i += 10) {
                revived += i % 3 == 0;
                cr_assert_eq(sim_schedule(loop, &ev[i], splitmix(&r) % 4000), 0);
        }
        size_t left = sim_pending_count(loop);
        cr_assert_eq(left, N - (N + 2) / 3 + revived);
        order_n = 0;
        cr_assert_eq(sim_run_until(loop, UINT64_MAX), left);
        cr_assert_eq(order_n, left);
        cr_assert_eq(sim_pending_count(loop), 0);
        sim_loop_destroy(loop);
        free(ev);
}

/*
 * sim/des/loop.h - the discrete-event loop: a simulated clock and an event
 * set.
 *
 * Time is integer nanoseconds. Events are caller-owned and linked
 * intrusively (the loop allocates nothing per event); they fire in
 * (time, sequence) order, where the sequence number is taken when an event
 * is scheduled, so ties fire in the order they were scheduled and a run is
 * a pure function of its inputs. Cancelling and rescheduling a pending
 * event are O(log n) at worst (O(1) for an event in the calendar, see
 * loop.c). Time never goes backwards: scheduling in the past is an
 * assertion failure.
 */
#ifndef SIM_DES_LOOP_H
#define SIM_DES_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_loop;
struct sim_event;

typedef void (*sim_event_fn)(struct sim_loop *loop, struct sim_event *ev);

struct sim_event {
        uint64_t time;   /* when it fires; set by sim_schedule() */
        uint64_t seq;    /* tie-breaker; set by sim_schedule() */
        sim_event_fn fn; /* set by the owner */
        uint32_t slot;   /* position in its part of the event set + 1; 0 when not pending */
        uint32_t part;   /* the calendar bin or far list holding it; 0: the heap, or not pending */
};

/* The first member of struct sim_loop, so that sim_now(), called several
 * times per request, is an inline load rather than a call. */
struct sim_loop_clock {
        uint64_t now; /* the simulated clock, ns */
};

/* Returns a new event loop at time 0, or NULL when out of memory. */
struct sim_loop *sim_loop_create(void);
void sim_loop_destroy(struct sim_loop *loop);

/* Returns the simulated clock, ns. */
static inline uint64_t sim_now(const struct sim_loop *loop)
{
        return ((const struct sim_loop_clock *)(const void *)loop)->now;
}

/* Schedules ev (its fn set) at absolute time `when` >= now. A pending event
 * is moved. Returns 0, or -1 when the event set cannot grow (no memory):
 * the loop then records the failure, sim_run_until() fires nothing more
 * and sim_loop_failed() says so. Callers need not check each schedule;
 * whoever runs the loop checks sim_loop_failed() once, after running. */
int sim_schedule(struct sim_loop *loop, struct sim_event *ev, uint64_t when);
/* Takes the next sequence number, as sim_schedule() would, for an event
 * to be scheduled later with sim_schedule_seq(): it then fires where it
 * would have fired had it been scheduled now. For a timer lane
 * (sim/des/lane.h), whose one event stands for many timers in turn. */
uint64_t sim_take_seq(struct sim_loop *loop);
/* sim_schedule() with a sequence number taken earlier by sim_take_seq()
 * instead of a new one. Two pending events must never share one. Returns
 * 0 or -1, as sim_schedule(). */
int sim_schedule_seq(struct sim_loop *loop, struct sim_event *ev, uint64_t when, uint64_t seq);
/* Removes ev if pending; a no-op otherwise. */
void sim_cancel(struct sim_loop *loop, struct sim_event *ev);
static inline bool sim_pending(const struct sim_event *ev)
{
        return ev->slot != 0;
}
/* Prepares an event that is not pending, with its handler. */
static inline void sim_event_init(struct sim_event *ev, sim_event_fn fn)
{
        ev->time = 0;
        ev->seq = 0;
        ev->fn = fn;
        ev->slot = 0;
        ev->part = 0;
}
/* The struct of the given type that holds `ptr` as its member `member`: how
 * a handler gets from its struct sim_event to the object it belongs to. */
#define sim_container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* Fires events in order while the next one is at or before `until`
 * (>= now). When it returns because the next event is later than `until`
 * or none is left, the clock reads `until` -- except for until ==
 * UINT64_MAX (run to the end), where it keeps the time of the last event
 * fired. When it returns because a handler called sim_stop(), the clock
 * keeps that event's time and later events stay pending for the next call.
 * After a failed sim_schedule() it returns at once, the clock where the
 * failure left it. Returns the number of events fired by this call. */
uint64_t sim_run_until(struct sim_loop *loop, uint64_t until);
/* Makes the running sim_run_until() return after the current event; has no
 * effect outside a run. */
void sim_stop(struct sim_loop *loop);
/* True once a sim_schedule() failed for want of memory, or a handler said
 * it ran out (sim_loop_fail): the loop stopped there and fires nothing
 * more. */
bool sim_loop_failed(const struct sim_loop *loop);
/* For a handler that ran out of memory where it cannot return an error (a
 * model growing its records, the run growing its pool): the loop stops
 * after the current event as after a failed sim_schedule(), and whoever
 * runs it reports it. */
void sim_loop_fail(struct sim_loop *loop);

size_t sim_pending_count(const struct sim_loop *loop);
uint64_t sim_events_fired(const struct sim_loop *loop);
/* Time of the next pending event, or UINT64_MAX when none. */
uint64_t sim_next_time(const struct sim_loop *loop);
/* Up to SIM_LOOP_SORTED_MAX events the heap's array is kept sorted, the
 * next event last: firing one moves nothing, and a new event moves only
 * those that fire before it. Past it the array is a 4-ary heap, sorted
 * again when a pop leaves SIM_LOOP_SORTED_AGAIN events or fewer. For the
 * tests, which drive a set across both. */
#define SIM_LOOP_SORTED_MAX   32
#define SIM_LOOP_SORTED_AGAIN 12
/* Sets the number of events the heap holds before the loop moves its later
 * events into the calendar (default SIM_LOOP_TIER_AT); 0 keeps everything
 * in the heap. The firing order is the same whatever the setting: this is
 * for the tests, which force the calendar at small sizes, and the
 * benchmarks. The default is where the sorted form ends: the calendar's
 * hold costs the same at any size, and from a few dozen pending events it
 * is cheaper than the 4-ary heap's, which grows with the set
 * (docs/simulator.md, "The calendar from 32 events"). */
#define SIM_LOOP_TIER_AT SIM_LOOP_SORTED_MAX
void sim_loop_tier_at(struct sim_loop *loop, size_t n);

#endif

/*
 * sim/des/lane.h - timer lanes: timers armed with one delay, kept in the
 * order they were armed, with one event in the loop for all of them.
 *
 * A watchdog is armed for every stage with the same delay and almost
 * always cancelled before it fires. Armed at now + delay with a clock that
 * never goes back, such timers come due in the order they were armed, so a
 * lane keeps them in a doubly linked FIFO and puts only its head in the
 * event set: arming appends, cancelling unlinks (O(1); the loop is touched
 * only when the head goes), a fire takes the head and puts the next one in
 * its place.
 *
 * Each timer takes its sequence number from the loop when armed
 * (sim_take_seq), and the lane's event always carries its head's time and
 * sequence number, so every timer fires exactly where a plain event
 * scheduled at its arming would have: ties with other events included.
 *
 * Timers and lanes are the caller's (intrusive); the lane allocates
 * nothing.
 */
#ifndef SIM_DES_LANE_H
#define SIM_DES_LANE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/des/loop.h"

struct sim_lane;
struct sim_timer;

/* Called when t comes due, t already disarmed: it may arm t again, arm or
 * cancel other timers of any lane. */
typedef void (*sim_timer_fn)(struct sim_lane *lane, struct sim_timer *t);

struct sim_timer {
        uint64_t time;          /* deadline of the arming */
        uint64_t seq;           /* the loop's sequence number taken at arming */
        struct sim_timer *prev; /* toward the lane's head */
        struct sim_timer *next; /* toward its tail */
        struct sim_lane *lane;  /* the lane it is armed in; NULL when not armed */
};

struct sim_lane {
        struct sim_event ev; /* pending at the head's (time, seq) while any is armed */
        struct sim_loop *loop;
        uint64_t delay;         /* every timer is armed for now + delay */
        struct sim_timer *head; /* the next due, or NULL */
        struct sim_timer *tail; /* the last armed */
        uint64_t armed;         /* timers in it */
        sim_timer_fn fire;      /* the owner's handler */
        void *ctx;              /* for the owner */
};

/* Prepares an empty lane of `delay` ns on loop, fire called for each timer
 * that comes due. */
void sim_lane_init(struct sim_lane *lane, struct sim_loop *loop, uint64_t delay, sim_timer_fn fire,
                   void *ctx);
/* Makes lane empty of timers (each left not armed) and takes its event out
 * of the loop. */
void sim_lane_clear(struct sim_lane *lane);
/* Prepares a timer that is not armed. */
static inline void sim_timer_init(struct sim_timer *t)
{
        *t = (struct sim_timer){0};
}
static inline bool sim_timer_armed(const struct sim_timer *t)
{
        return t->lane != NULL;
}
/* Arms t, not armed, to fire at now + the lane's delay. Returns 0, or -1
 * when the loop could not take the lane's event (no memory; the loop
 * records it, see sim_schedule()). */
int sim_lane_arm(struct sim_lane *lane, struct sim_timer *t);
/* Disarms t if armed; a no-op otherwise. */
void sim_lane_cancel(struct sim_timer *t);

#endif

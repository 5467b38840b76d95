/*
 * sim/des/lane.c - timer lanes (sim/des/lane.h): a FIFO of timers whose
 * head stands in the event set.
 *
 * The lane's event is scheduled with sim_schedule_seq() at its head's
 * (time, seq), both taken at the head's arming; a later head never comes
 * before an earlier one (time non-decreasing in arming order, seq
 * increasing), so the event only ever moves later.
 */
#include "sim/des/lane.h"

#include <assert.h>

static void lane_fire(struct sim_loop *loop, struct sim_event *ev);

void sim_lane_init(struct sim_lane *lane, struct sim_loop *loop, uint64_t delay, sim_timer_fn fire,
                   void *ctx)
{
        *lane = (struct sim_lane){.loop = loop, .delay = delay, .fire = fire, .ctx = ctx};
        sim_event_init(&lane->ev, lane_fire);
}

/* Puts the lane's event at its head's place, or out of the loop when the
 * lane is empty. Returns 0 or -1 (see sim_schedule()). */
static int follow_head(struct sim_lane *lane)
{
        if (!lane->head) {
                sim_cancel(lane->loop, &lane->ev);
                return 0;
        }
        return sim_schedule_seq(lane->loop, &lane->ev, lane->head->time, lane->head->seq);
}

static void unlink_timer(struct sim_lane *lane, struct sim_timer *t)
{
        if (t->prev)
                t->prev->next = t->next;
        else
                lane->head = t->next;
        if (t->next)
                t->next->prev = t->prev;
        else
                lane->tail = t->prev;
        t->prev = t->next = NULL;
        t->lane = NULL;
        lane->armed--;
}

void sim_lane_clear(struct sim_lane *lane)
{
        while (lane->head)
                unlink_timer(lane, lane->head);
        sim_cancel(lane->loop, &lane->ev);
}

int sim_lane_arm(struct sim_lane *lane, struct sim_timer *t)
{
        assert(!t->lane && "arming an armed timer: cancel it first");
        t->time = sim_now(lane->loop) + lane->delay;
        t->seq = sim_take_seq(lane->loop);
        assert(!lane->tail || lane->tail->time <= t->time);
        t->lane = lane;
        t->next = NULL;
        t->prev = lane->tail;
        if (lane->tail)
                lane->tail->next = t;
        else
                lane->head = t;
        lane->tail = t;
        lane->armed++;
        return lane->head == t ? follow_head(lane) : 0;
}

void sim_lane_cancel(struct sim_timer *t)
{
        struct sim_lane *lane = t->lane;
        if (!lane)
                return;
        bool was_head = lane->head == t;
        unlink_timer(lane, t);
        if (was_head)
                (void)follow_head(lane); /* a failure stops the loop: it reports it */
}

/* The lane's event: its head is due. */
static void lane_fire(struct sim_loop *loop, struct sim_event *ev)
{
        struct sim_lane *lane = sim_container_of(ev, struct sim_lane, ev);
        struct sim_timer *t = lane->head;
        (void)loop;
        assert(t && t->time == ev->time && t->seq == ev->seq);
        unlink_timer(lane, t);
        /* The next head takes its place before the handler runs, so that
         * whatever the handler arms or cancels finds the lane in order. */
        if (lane->head)
                (void)follow_head(lane);
        lane->fire(lane, t);
}

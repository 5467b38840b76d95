/*
 * sim/des/loop.c - the discrete-event loop: a clock and a 4-ary implicit
 * min-heap of caller-owned events keyed on (time, seq).
 *
 * The heap is an array of (time, event pointer) entries; heap[0] is the
 * next event, and the children of i are 4i+1 .. 4i+4. Every time an event
 * moves, its slot (index + 1) is rewritten, so cancel and reschedule find
 * it in O(1) and repair the heap in O(log n). The time is copied into the
 * entry so that comparisons read the array alone: the event itself is
 * touched only to compare sequence numbers on a tie and to update its slot.
 * A 4-ary heap is half as deep as a binary one and its four 16-byte
 * children are 64 contiguous bytes, which is what matters at hundreds of
 * thousands of pending events. The array grows by doubling; nothing is allocated per
 * event. When it cannot grow, the loop records it and fires nothing more,
 * so that the failure is handled once, by whoever runs the loop.
 */
#include "sim/des/loop.h"

#include <assert.h>
#include <stdlib.h>

#define ARITY        4
#define INITIAL_SIZE 64

struct entry {
        uint64_t time;        /* == ev->time, kept here for the comparisons */
        struct sim_event *ev; /* the pending event */
};

struct sim_loop {
        uint64_t now;       /* the simulated clock, ns */
        uint64_t next_seq;  /* sequence number for the next schedule */
        uint64_t fired;     /* events fired since creation */
        struct entry *heap; /* pending events, a 4-ary min-heap */
        size_t count;       /* pending events */
        size_t size;        /* slots allocated in heap */
        bool stop;          /* set by sim_stop(), read by the run loop */
        bool failed;        /* the event set could not grow: nothing fires any more */
};

struct sim_loop *sim_loop_create(void)
{
        struct sim_loop *loop = calloc(1, sizeof(*loop));
        if (!loop)
                return NULL;
        loop->heap = malloc(INITIAL_SIZE * sizeof(*loop->heap));
        if (!loop->heap) {
                free(loop);
                return NULL;
        }
        loop->size = INITIAL_SIZE;
        return loop;
}

void sim_loop_destroy(struct sim_loop *loop)
{
        if (!loop)
                return;
        /* The events are the caller's; leave them marked not pending. */
        for (size_t i = 0; i < loop->count; i++)
                loop->heap[i].ev->slot = 0;
        free(loop->heap);
        free(loop);
}

uint64_t sim_now(const struct sim_loop *loop)
{
        return loop->now;
}

static bool before(struct entry a, struct entry b)
{
        return a.time < b.time || (a.time == b.time && a.ev->seq < b.ev->seq);
}

static void place(struct sim_loop *loop, struct entry x, size_t i)
{
        loop->heap[i] = x;
        x.ev->slot = (uint32_t)(i + 1);
}

/* Moves x, which belongs at index i or above it, up to its place. */
static void sift_up(struct sim_loop *loop, struct entry x, size_t i)
{
        while (i > 0) {
                size_t parent = (i - 1) / ARITY;
                if (!before(x, loop->heap[parent]))
                        break;
                place(loop, loop->heap[parent], i);
                i = parent;
        }
        place(loop, x, i);
}

/* Moves x, which belongs at index i or below it, down to its place. */
static void sift_down(struct sim_loop *loop, struct entry x, size_t i)
{
        for (;;) {
                size_t first = i * ARITY + 1;
                if (first >= loop->count)
                        break;
                size_t last = first + ARITY < loop->count ? first + ARITY : loop->count;
                size_t min = first;
                for (size_t c = first + 1; c < last; c++)
                        if (before(loop->heap[c], loop->heap[min]))
                                min = c;
                if (!before(loop->heap[min], x))
                        break;
                place(loop, loop->heap[min], i);
                i = min;
        }
        place(loop, x, i);
}

/* Puts x, whose key changed or which was just added at index i, in place. */
static void restore(struct sim_loop *loop, struct entry x, size_t i)
{
        if (i > 0 && before(x, loop->heap[(i - 1) / ARITY]))
                sift_up(loop, x, i);
        else
                sift_down(loop, x, i);
}

/* Takes the event at index i out of the heap. */
static void remove_at(struct sim_loop *loop, size_t i)
{
        struct sim_event *ev = loop->heap[i].ev;
        struct entry last = loop->heap[--loop->count];
        ev->slot = 0;
        if (last.ev != ev)
                restore(loop, last, i);
}

int sim_schedule(struct sim_loop *loop, struct sim_event *ev, uint64_t when)
{
        assert(when >= loop->now && "an event scheduled in the past");
        assert(ev->fn != NULL);
        if (ev->slot) {
                size_t i = ev->slot - 1;
                assert(i < loop->count && loop->heap[i].ev == ev);
                ev->time = when;
                ev->seq = loop->next_seq++;
                restore(loop, (struct entry){when, ev}, i);
                return 0;
        }
        if (loop->count == loop->size) {
                /* slot is 32 bits; 4G pending events is far beyond any run. */
                struct entry *heap = NULL;
                if (loop->size <= UINT32_MAX / 2)
                        heap = realloc(loop->heap, 2 * loop->size * sizeof(*heap));
                if (!heap) {
                        loop->failed = true;
                        return -1;
                }
                loop->heap = heap;
                loop->size *= 2;
        }
        ev->time = when;
        ev->seq = loop->next_seq++;
        sift_up(loop, (struct entry){when, ev}, loop->count++);
        return 0;
}

void sim_cancel(struct sim_loop *loop, struct sim_event *ev)
{
        if (!ev->slot)
                return;
        assert(ev->slot - 1 < loop->count && loop->heap[ev->slot - 1].ev == ev);
        remove_at(loop, ev->slot - 1);
}

uint64_t sim_run_until(struct sim_loop *loop, uint64_t until)
{
        assert(until >= loop->now && "running to a time in the past");
        uint64_t fired = 0;
        loop->stop = false;
        if (loop->failed)
                return 0;
        while (loop->count > 0 && loop->heap[0].time <= until) {
                struct sim_event *ev = loop->heap[0].ev;
                assert(ev->time >= loop->now);
                remove_at(loop, 0);
                loop->now = ev->time;
                loop->fired++;
                fired++;
                /* ev is not pending now: the handler may reuse or free it. */
                ev->fn(loop, ev);
                if (loop->stop || loop->failed) {
                        loop->stop = false;
                        return fired;
                }
        }
        if (until != UINT64_MAX)
                loop->now = until;
        return fired;
}

void sim_stop(struct sim_loop *loop)
{
        loop->stop = true;
}

void sim_loop_fail(struct sim_loop *loop)
{
        loop->failed = true;
}

bool sim_loop_failed(const struct sim_loop *loop)
{
        return loop->failed;
}

size_t sim_pending_count(const struct sim_loop *loop)
{
        return loop->count;
}

uint64_t sim_events_fired(const struct sim_loop *loop)
{
        return loop->fired;
}

uint64_t sim_next_time(const struct sim_loop *loop)
{
        return loop->count ? loop->heap[0].time : UINT64_MAX;
}

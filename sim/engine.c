/*
 * sim/engine.c - the discrete-event engine: a clock and a 4-ary implicit
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
 * event.
 */
#include "sim/engine.h"

#include <assert.h>
#include <stdlib.h>

#define ARITY        4
#define INITIAL_SIZE 64

struct entry {
        uint64_t time;        /* == ev->time, kept here for the comparisons */
        struct sim_event *ev; /* the pending event */
};

struct sim_engine {
        uint64_t now;       /* the simulated clock, ns */
        uint64_t next_seq;  /* sequence number for the next schedule */
        uint64_t fired;     /* events fired since creation */
        struct entry *heap; /* pending events, a 4-ary min-heap */
        size_t count;       /* pending events */
        size_t size;        /* slots allocated in heap */
        bool stop;          /* set by sim_stop(), read by the run loop */
};

struct sim_engine *sim_engine_create(void)
{
        struct sim_engine *eng = calloc(1, sizeof(*eng));
        if (!eng)
                return NULL;
        eng->heap = malloc(INITIAL_SIZE * sizeof(*eng->heap));
        if (!eng->heap) {
                free(eng);
                return NULL;
        }
        eng->size = INITIAL_SIZE;
        return eng;
}

void sim_engine_destroy(struct sim_engine *eng)
{
        if (!eng)
                return;
        /* The events are the caller's; leave them marked not pending. */
        for (size_t i = 0; i < eng->count; i++)
                eng->heap[i].ev->slot = 0;
        free(eng->heap);
        free(eng);
}

uint64_t sim_now(const struct sim_engine *eng)
{
        return eng->now;
}

static bool before(struct entry a, struct entry b)
{
        return a.time < b.time || (a.time == b.time && a.ev->seq < b.ev->seq);
}

static void place(struct sim_engine *eng, struct entry x, size_t i)
{
        eng->heap[i] = x;
        x.ev->slot = (uint32_t)(i + 1);
}

/* Moves x, which belongs at index i or above it, up to its place. */
static void sift_up(struct sim_engine *eng, struct entry x, size_t i)
{
        while (i > 0) {
                size_t parent = (i - 1) / ARITY;
                if (!before(x, eng->heap[parent]))
                        break;
                place(eng, eng->heap[parent], i);
                i = parent;
        }
        place(eng, x, i);
}

/* Moves x, which belongs at index i or below it, down to its place. */
static void sift_down(struct sim_engine *eng, struct entry x, size_t i)
{
        for (;;) {
                size_t first = i * ARITY + 1;
                if (first >= eng->count)
                        break;
                size_t last = first + ARITY < eng->count ? first + ARITY : eng->count;
                size_t min = first;
                for (size_t c = first + 1; c < last; c++)
                        if (before(eng->heap[c], eng->heap[min]))
                                min = c;
                if (!before(eng->heap[min], x))
                        break;
                place(eng, eng->heap[min], i);
                i = min;
        }
        place(eng, x, i);
}

/* Puts x, whose key changed or which was just added at index i, in place. */
static void restore(struct sim_engine *eng, struct entry x, size_t i)
{
        if (i > 0 && before(x, eng->heap[(i - 1) / ARITY]))
                sift_up(eng, x, i);
        else
                sift_down(eng, x, i);
}

/* Takes the event at index i out of the heap. */
static void remove_at(struct sim_engine *eng, size_t i)
{
        struct sim_event *ev = eng->heap[i].ev;
        struct entry last = eng->heap[--eng->count];
        ev->slot = 0;
        if (last.ev != ev)
                restore(eng, last, i);
}

int sim_schedule(struct sim_engine *eng, struct sim_event *ev, uint64_t when)
{
        assert(when >= eng->now && "an event scheduled in the past");
        assert(ev->fn != NULL);
        if (ev->slot) {
                size_t i = ev->slot - 1;
                assert(i < eng->count && eng->heap[i].ev == ev);
                ev->time = when;
                ev->seq = eng->next_seq++;
                restore(eng, (struct entry){when, ev}, i);
                return 0;
        }
        if (eng->count == eng->size) {
                /* slot is 32 bits; 4G pending events is far beyond any run. */
                if (eng->size > UINT32_MAX / 2)
                        return -1;
                struct entry *heap = realloc(eng->heap, 2 * eng->size * sizeof(*heap));
                if (!heap)
                        return -1;
                eng->heap = heap;
                eng->size *= 2;
        }
        ev->time = when;
        ev->seq = eng->next_seq++;
        sift_up(eng, (struct entry){when, ev}, eng->count++);
        return 0;
}

void sim_cancel(struct sim_engine *eng, struct sim_event *ev)
{
        if (!ev->slot)
                return;
        assert(ev->slot - 1 < eng->count && eng->heap[ev->slot - 1].ev == ev);
        remove_at(eng, ev->slot - 1);
}

uint64_t sim_run_until(struct sim_engine *eng, uint64_t until)
{
        assert(until >= eng->now && "running to a time in the past");
        uint64_t fired = 0;
        eng->stop = false;
        while (eng->count > 0 && eng->heap[0].time <= until) {
                struct sim_event *ev = eng->heap[0].ev;
                assert(ev->time >= eng->now);
                remove_at(eng, 0);
                eng->now = ev->time;
                eng->fired++;
                fired++;
                /* ev is not pending now: the handler may reuse or free it. */
                ev->fn(eng, ev);
                if (eng->stop) {
                        eng->stop = false;
                        return fired;
                }
        }
        if (until != UINT64_MAX)
                eng->now = until;
        return fired;
}

void sim_stop(struct sim_engine *eng)
{
        eng->stop = true;
}

size_t sim_pending_count(const struct sim_engine *eng)
{
        return eng->count;
}

uint64_t sim_events_fired(const struct sim_engine *eng)
{
        return eng->fired;
}

uint64_t sim_next_time(const struct sim_engine *eng)
{
        return eng->count ? eng->heap[0].time : UINT64_MAX;
}

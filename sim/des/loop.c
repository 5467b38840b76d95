/*
 * sim/des/loop.c - the discrete-event loop: a clock and an event set keyed
 * on (time, seq), a 4-ary heap in front of a calendar of time bins.
 *
 * The heap is an array of (time, event pointer) entries; heap[0] is the
 * next event, and the children of i are 4i+1 .. 4i+4. Every time an event
 * moves, its slot (index + 1) is rewritten, so cancel and reschedule find
 * it in O(1) and repair the heap in O(log n). The time is copied into the
 * entry so that comparisons read the array alone: the event itself is
 * touched only to compare sequence numbers on a tie and to update its slot.
 * A 4-ary heap is half as deep as a binary one and its four 16-byte
 * children are 64 contiguous bytes.
 *
 * While it holds SORTED_MAX events or fewer (a run of a few devices: a
 * dozen pending events), the same array is kept sorted instead, in
 * descending order: the next event is the last entry, so firing it moves
 * nothing, and a new event goes in behind those that fire after it, moving
 * only the ones that fire before it (usually a few: a new event is rarely
 * the last to fire). A heap costs a sift down for every event fired and a
 * sift up for every one scheduled, whatever the order. Past SORTED_MAX the
 * array is reversed (ascending is a valid heap) and works as a heap until
 * a pop leaves SORTED_AGAIN events or fewer, when it is heapsorted back.
 *
 * A heap's sift costs a level per factor of four and a cache miss per
 * level past the caches, while a calendar's hold costs the same at any
 * size, so past tier_at events (by default SORTED_MAX: the heap form is
 * then left for the near future and the tests) the loop keeps only the
 * near future apart: every event
 * before `base` is in the heap (or the run, below), every later one is in
 * the calendar, a window of equal-width bins starting at `lo` (arrays of
 * entries in the order appended, bin i holding [lo + i*width,
 * lo + (i+1)*width)), or in the far list beyond the window; the heap's
 * events go to the far list in (time, seq) order when the calendar
 * starts. When the near future runs dry the next non-empty bin is taken
 * and `base` moves to that bin's end; when the window is used up it is
 * rebuilt from the far list, its width chosen so that half the far events
 * fit in it, a few per bin. A window is also laid again before it is used
 * up when the set has more than doubled since it was laid (regrid: its
 * untaken bins go back to the far list), so that a calendar started at a
 * few dozen events does not crowd a growing set into a few dozen bins.
 *
 * The taken bin becomes the *run*: it is fired from its head, in place,
 * with no heap work at all. A bin of SORT_MAX events or fewer is
 * insertion-sorted in place first, which costs a comparison per event
 * when its events came in (time, seq) order, as they mostly do (a
 * sequence number is taken when an event is scheduled, and a bin of one
 * nanosecond holds a single time); a larger one becomes the run when it
 * is found in order and is pushed into the heap when not. The heap and
 * the run together hold every event before `base`, the next event is the
 * lesser of heap[0] and the run's head, and each orders by (time, seq):
 * the firing order is exactly the plain heap's, ties included. An event
 * in a bin or the far list is cancelled in O(1) by moving the array's
 * last entry into its place, one in the run by leaving a hole that the
 * head skips. The heap and the run are both empty only when the whole
 * set is.
 *
 * Arrays grow by doubling and keep their room, so nothing is allocated per
 * event once a run is under way. When one cannot grow, the loop records it
 * and fires nothing more, so that the failure is handled once, by whoever
 * runs the loop; every event stays in exactly one place.
 */
#include "sim/des/loop.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sim/des/pages.h"

#define ARITY            4
#define INITIAL_SIZE     64
#define PART_HEAP        0u         /* ev->part: in the heap */
#define PART_FAR         UINT32_MAX /* ev->part: in the far list */
#define PER_BIN          2          /* events per bin aimed at by a rebuild */
#define MAX_BINS         (1u << 22)
#define SORT_MAX         16 /* a bin up to this size is sorted into a run */
#define PREFETCH_AHEAD   16 /* run entries ahead of the head whose events are fetched */
#define REBUILD_AHEAD    8  /* far entries ahead whose events a rebuild fetches */
#define BIN_AHEAD_EVENTS 4  /* events of the next bin fetched when a bin is taken */
#define SORTED_MAX       SIM_LOOP_SORTED_MAX   /* the heap's array sorted up to this many */
#define SORTED_AGAIN     SIM_LOOP_SORTED_AGAIN /* ... and again when a heap shrinks to it */

struct entry {
        uint64_t time;        /* == ev->time, kept here for the comparisons */
        struct sim_event *ev; /* the pending event */
};

/* A bin is a quarter of a cache line, its events in an array of its own
 * (cache-line aligned: a bin of four events is one line): a push reads the
 * bin and writes the array's next entry, touching the event only to note
 * its place. Whether the events came in order is found when the bin is
 * taken, not tracked per push: a small bin is insertion-sorted then
 * anyway, which costs a comparison per event when it is in order. The far
 * list is a bin too. */
struct bin {
        uint32_t n;      /* events in it */
        uint32_t size;   /* room in e */
        struct entry *e; /* the events, in the order appended */
};

_Static_assert(sizeof(struct bin) == 16, "four bins to a cache line");
_Static_assert(ARITY == 4, "sift_down plays the children off in two pairs");

struct sim_loop {
        struct sim_loop_clock clock; /* first, for the inline sim_now() */
        uint64_t next_seq;           /* sequence number for the next schedule */
        uint64_t fired;              /* events fired since creation */
        struct entry *heap;          /* the near events, a 4-ary min-heap, or sorted */
        size_t count;                /* events in the heap */
        bool sorted;                 /* heap[] in descending (time, seq) order: the next last */
        size_t size;                 /* room in heap: at least every pending event */
        size_t later;                /* events in the run, the bins and the far list */
        size_t built;                /* events the window was laid over */
        size_t tier_at;              /* heap size that starts the calendar; 0: never */
        size_t spill_at;             /* tier_at, or SIZE_MAX while it cannot start */
        bool tiered;                 /* the calendar is in use: base is finite */
        uint64_t base;               /* heap events are before it, the others not */
        uint64_t lo;                 /* the window's start: bin 0's first ns */
        unsigned shift;              /* a bin is 2^shift ns wide */
        uint32_t cur;                /* the next bin to move into the heap */
        uint32_t nbins;              /* bins in the window */
        uint32_t bins_size;          /* bins allocated (they keep their room) */
        struct bin *bins;            /* the window */
        struct bin far;              /* the events past the window */
        struct bin *run;             /* the bin being fired from, sorted; NULL: none */
        uint32_t run_part;           /* its part (bin index + 1); 0: no run */
        uint32_t run_head;           /* its next entry: a live one while run_live > 0 */
        size_t run_live;             /* events in the run not yet fired nor cancelled */
        bool stop;                   /* set by sim_stop(), read by the run loop */
        bool failed;                 /* an array could not grow: nothing fires any more */
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
        loop->sorted = true;
        loop->tier_at = SIM_LOOP_TIER_AT;
        loop->spill_at = SIM_LOOP_TIER_AT;
        loop->base = UINT64_MAX;
        return loop;
}

static struct entry *bin_at(struct bin *b, uint32_t i)
{
        return &b->e[i];
}

/* Empties b, keeping its room. */
static void bin_clear(struct bin *b)
{
        b->n = 0;
}

/* Marks b's events from `from` on not pending, skipping the run's holes. */
static void unlink_all(struct bin *b, uint32_t from)
{
        for (uint32_t i = from; i < b->n; i++) {
                struct sim_event *ev = bin_at(b, i)->ev;
                if (ev) {
                        ev->slot = 0;
                        ev->part = PART_HEAP;
                }
        }
}

void sim_loop_destroy(struct sim_loop *loop)
{
        if (!loop)
                return;
        /* The events are the caller's; leave them marked not pending. */
        for (size_t i = 0; i < loop->count; i++)
                loop->heap[i].ev->slot = 0;
        for (uint32_t i = 0; i < loop->bins_size; i++) {
                /* The run's entries before its head have fired. */
                unlink_all(&loop->bins[i], &loop->bins[i] == loop->run ? loop->run_head : 0);
                free(loop->bins[i].e);
        }
        unlink_all(&loop->far, 0);
        free(loop->far.e);
        free(loop->bins);
        free(loop->heap);
        free(loop);
}

void sim_loop_tier_at(struct sim_loop *loop, size_t n)
{
        loop->tier_at = n;
        if (!loop->tiered)
                loop->spill_at = n ? n : SIZE_MAX;
}

/* ---- the heap ------------------------------------------------------------ */

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
        const struct entry *h = loop->heap;
        for (;;) {
                size_t first = i * ARITY + 1, min;
                if (first + ARITY <= loop->count) {
                        /* Four children: two pairs, then their winners. */
                        size_t a = before(h[first + 1], h[first]) ? first + 1 : first;
                        size_t b = before(h[first + 3], h[first + 2]) ? first + 3 : first + 2;
                        min = before(h[b], h[a]) ? b : a;
                } else if (first < loop->count) {
                        min = first;
                        for (size_t c = first + 1; c < loop->count; c++)
                                if (before(h[c], h[min]))
                                        min = c;
                } else {
                        break;
                }
                if (!before(h[min], x))
                        break;
                place(loop, loop->heap[min], i);
                i = min;
        }
        place(loop, x, i);
}

/* Puts x, whose key changed or which was just added at index i, in place
 * (the heap form). */
static void restore(struct sim_loop *loop, struct entry x, size_t i)
{
        if (i > 0 && before(x, loop->heap[(i - 1) / ARITY]))
                sift_up(loop, x, i);
        else
                sift_down(loop, x, i);
}

/* The sorted form: x goes in behind the events that fire after it, the
 * ones before it moving up one place. */
static void sorted_insert(struct sim_loop *loop, struct entry x)
{
        size_t i = loop->count++;
        while (i > 0 && before(loop->heap[i - 1], x)) {
                place(loop, loop->heap[i - 1], i);
                i--;
        }
        place(loop, x, i);
}

/* The sorted form: takes out the event at index i, the ones after it
 * (firing before it) moving down one place. */
static void sorted_remove(struct sim_loop *loop, size_t i)
{
        for (size_t j = i + 1; j < loop->count; j++)
                place(loop, loop->heap[j], j - 1);
        loop->count--;
}

/* Reverses the array: a descending one becomes ascending, a valid heap. */
static void reverse(struct sim_loop *loop)
{
        size_t n = loop->count;
        for (size_t i = 0; i < n / 2; i++) {
                struct entry x = loop->heap[i];
                loop->heap[i] = loop->heap[n - 1 - i];
                loop->heap[n - 1 - i] = x;
        }
        for (size_t i = 0; i < n; i++)
                loop->heap[i].ev->slot = (uint32_t)(i + 1);
}

/* Puts the heap's events in the sorted form: heapsort in place, each pop
 * putting the least event behind what is left, a descending array. */
static void make_sorted(struct sim_loop *loop)
{
        size_t n = loop->count;
        while (loop->count > 1) {
                struct entry top = loop->heap[0];
                struct entry last = loop->heap[--loop->count];
                sift_down(loop, last, 0);
                loop->heap[loop->count] = top;
        }
        loop->count = n;
        for (size_t i = 0; i < n; i++)
                loop->heap[i].ev->slot = (uint32_t)(i + 1);
        loop->sorted = true;
}

/* Adds x to the heap form; a sorted array past SORTED_MAX becomes a heap. */
static void push_into_heap(struct sim_loop *loop, struct entry x)
{
        if (loop->sorted) {
                reverse(loop);
                loop->sorted = false;
        }
        sift_up(loop, x, loop->count++);
}

/* Adds x, whose event's part is PART_HEAP already. */
static inline void heap_push(struct sim_loop *loop, struct entry x)
{
        if (loop->sorted && loop->count < SORTED_MAX)
                sorted_insert(loop, x);
        else
                push_into_heap(loop, x);
}

/* Moves x from the calendar into the heap. */
static void heap_take(struct sim_loop *loop, struct entry x)
{
        x.ev->part = PART_HEAP;
        heap_push(loop, x);
}

/* ---- the calendar -------------------------------------------------------- */

/* Returns an array of `size` entries (a multiple of four) holding the
 * first n of e, which it frees, or NULL (e kept) when out of memory. It is
 * cache-line aligned, so that a bin's first four events share one line
 * (malloc's 16-byte alignment would split them over two, three times in
 * four); an array of 2 MiB or more (the far list of a large set) is on
 * huge pages where the system has them (sim/des/pages.h). */
static struct entry *grow_entries(struct entry *e, uint32_t n, uint32_t size)
{
        struct entry *more = sim_pages_alloc((size_t)size * sizeof(*e));
        if (!more)
                return NULL;
        if (n)
                memcpy(more, e, (size_t)n * sizeof(*e));
        free(e);
        return more;
}

/* Appends x to b. Returns 0, or -1 when b cannot grow. */
static int bin_push(struct bin *b, uint32_t part, struct entry x)
{
        if (b->n == b->size) {
                uint32_t size = b->size ? 2 * b->size : 4;
                struct entry *e = NULL;
                if (b->size <= UINT32_MAX / 4)
                        e = grow_entries(b->e, b->n, size);
                if (!e)
                        return -1;
                b->e = e;
                b->size = size;
        }
        b->e[b->n++] = x;
        x.ev->part = part;
        x.ev->slot = b->n;
        return 0;
}

static void bin_remove(struct bin *b, uint32_t i)
{
        struct entry *e = bin_at(b, i);
        e->ev->slot = 0;
        e->ev->part = PART_HEAP; /* what a not pending event carries */
        if (i != --b->n) {
                *e = *bin_at(b, b->n);
                e->ev->slot = i + 1;
        }
}

static struct bin *bin_of(struct sim_loop *loop, uint32_t part)
{
        return part == PART_FAR ? &loop->far : &loop->bins[part - 1];
}

/* Puts x, at or after base, in its bin or the far list. Returns 0 or -1. */
static int calendar_push(struct sim_loop *loop, struct entry x)
{
        uint64_t i = (x.time - loop->lo) >> loop->shift;
        if (i < loop->nbins)
                return bin_push(&loop->bins[i], (uint32_t)i + 1, x);
        return bin_push(&loop->far, PART_FAR, x);
}

static unsigned bit_length(uint64_t x)
{
        return x ? 64u - (unsigned)__builtin_clzll(x) : 0;
}

/* Lays a new window over the far list, the bins being empty: from its
 * earliest event, as wide as the least power of two that holds half of it,
 * cut into bins of about PER_BIN events. Returns 0 or -1. */
static int rebuild(struct sim_loop *loop)
{
        struct bin *far = &loop->far;
        loop->built = far->n;
        uint64_t lo = UINT64_MAX;
        for (uint32_t i = 0; i < far->n; i++)
                if (bin_at(far, i)->time < lo)
                        lo = bin_at(far, i)->time;
        uint32_t band[65] = {0}; /* far events by bit length of time - lo */
        for (uint32_t i = 0; i < far->n; i++)
                band[bit_length(bin_at(far, i)->time - lo)]++;
        unsigned width_bits = 0; /* the window is 2^width_bits ns, at most 2^63 */
        for (uint32_t held = 0; width_bits < 63 && held < (far->n + 1) / 2; width_bits++)
                held += band[width_bits];
        unsigned bin_bits = bit_length(far->n / PER_BIN);
        if (bin_bits > width_bits)
                bin_bits = width_bits;
        uint32_t nbins = 1u << bin_bits;
        if (nbins > MAX_BINS)
                nbins = MAX_BINS;
        if (nbins > loop->bins_size) {
                /* Cache-line aligned: a bin never straddles two lines.
                 * At least a line: aligned_alloc takes whole lines. */
                size_t bytes = (nbins < 4 ? 4 : nbins) * sizeof(struct bin);
                struct bin *bins = aligned_alloc(64, bytes);
                if (!bins)
                        return -1;
                if (loop->bins_size)
                        memcpy(bins, loop->bins, loop->bins_size * sizeof(*bins));
                for (uint32_t i = loop->bins_size; i < nbins; i++)
                        bins[i] = (struct bin){0};
                free(loop->bins);
                loop->bins = bins;
                loop->bins_size = nbins;
        }
        loop->lo = lo;
        loop->shift = width_bits - bit_length(nbins - 1);
        loop->nbins = nbins;
        loop->cur = 0;
        loop->base = lo;
        /* Events inside the window go to their bins; the rest close up. */
        uint32_t kept = 0;
        for (uint32_t i = 0; i < far->n; i++) {
                struct entry x = *bin_at(far, i);
                uint64_t b = (x.time - lo) >> loop->shift;
                /* Each event is written (its new place) and was last
                 * touched long ago: fetch a few ahead. */
                if (i + REBUILD_AHEAD < far->n)
                        __builtin_prefetch(bin_at(far, i + REBUILD_AHEAD)->ev, 1);
                if (b < nbins) {
                        if (bin_push(&loop->bins[b], (uint32_t)b + 1, x) < 0) {
                                for (; i < far->n; i++) /* keep the rest */
                                        *bin_at(far, kept++) = *bin_at(far, i);
                                far->n = kept;
                                for (uint32_t j = 0; j < kept; j++)
                                        bin_at(far, j)->ev->slot = j + 1;
                                return -1;
                        }
                } else {
                        *bin_at(far, kept) = x;
                        x.ev->slot = ++kept;
                }
        }
        far->n = kept;
        return 0;
}

/* ---- the run ------------------------------------------------------------- */

/* Sorts b's entries by (time, seq) in place, by insertion (b is small),
 * and gives each event that moved its new slot. */
static void sort_bin(struct bin *b)
{
        for (uint32_t i = 1; i < b->n; i++) {
                struct entry x = *bin_at(b, i);
                uint32_t j = i;
                for (; j > 0 && before(x, *bin_at(b, j - 1)); j--) {
                        *bin_at(b, j) = *bin_at(b, j - 1);
                        bin_at(b, j)->ev->slot = j + 1;
                }
                if (j != i) {
                        *bin_at(b, j) = x;
                        x.ev->slot = j + 1;
                }
        }
}

/* True when b's entries are in (time, seq) order. */
static bool is_sorted(struct bin *b)
{
        for (uint32_t i = 1; i < b->n; i++)
                if (before(*bin_at(b, i), *bin_at(b, i - 1)))
                        return false;
        return true;
}

/* Moves the run's head past cancelled entries; ends the run when nothing
 * is left in it. */
static void run_advance(struct sim_loop *loop)
{
        if (loop->run_live == 0) {
                bin_clear(loop->run);
                loop->run = NULL;
                loop->run_part = 0;
                loop->run_head = 0;
                return;
        }
        while (!bin_at(loop->run, loop->run_head)->ev)
                loop->run_head++;
}

/* ---- refilling ----------------------------------------------------------- */

/* Moves the events of the window's bins not yet taken to the far list, so
 * that the next refill lays a new window over them all. Returns 0, or -1
 * when the far list cannot grow (every event still in one place). */
static int regrid(struct sim_loop *loop)
{
        for (; loop->cur < loop->nbins; loop->cur++) {
                struct bin *b = &loop->bins[loop->cur];
                for (uint32_t i = 0; i < b->n; i++) {
                        if (bin_push(&loop->far, PART_FAR, *bin_at(b, i)) < 0) {
                                /* Those not moved close up: a suffix of the
                                 * bin keeps its order. */
                                uint32_t kept = 0;
                                for (; i < b->n; i++) {
                                        struct entry x = *bin_at(b, i);
                                        *bin_at(b, kept++) = x;
                                        x.ev->slot = kept;
                                }
                                b->n = kept;
                                return -1;
                        }
                }
                bin_clear(b);
        }
        return 0;
}

/* Bins are taken in order, a few events each, and each was last touched
 * when its events were scheduled, a window's length ago: fetch the
 * entries of the bin after next, and the events of the next bin, whose
 * entries the previous take fetched. */
static inline void prefetch_bins(struct sim_loop *loop)
{
        if (loop->cur + 1 < loop->nbins)
                __builtin_prefetch(loop->bins[loop->cur + 1].e);
        if (loop->cur < loop->nbins) {
                struct bin *next = &loop->bins[loop->cur];
                for (uint32_t i = 0; i < next->n && i < BIN_AHEAD_EVENTS; i++)
                        __builtin_prefetch(bin_at(next, i)->ev, 1);
        }
}

/* Refills the empty near future (heap and run) from the calendar: the next
 * non-empty bin, after a rebuild if the window is used up. A bin already
 * in (time, seq) order, or small enough to sort, becomes the run, fired
 * from its head in place; any other goes into the heap. Leaves the
 * calendar unused once the far list alone is small. */
static void refill(struct sim_loop *loop)
{
        assert(loop->count == 0 && loop->run_live == 0);
        while (loop->count == 0 && loop->run_live == 0 && loop->later > 0 && !loop->failed) {
                if (loop->cur < loop->nbins && loop->later > 2 * loop->built &&
                    loop->later > loop->tier_at) {
                        /* The set more than doubled since the window was laid:
                         * its bins are crowded (a window laid over the first
                         * few dozen events of a set growing to a million
                         * would take them all). Lay a new one. Each event is
                         * moved once per doubling. */
                        if (regrid(loop) < 0) {
                                loop->failed = true;
                                continue;
                        }
                }
                if (loop->cur == loop->nbins) {
                        if (loop->far.n < loop->tier_at / 4) {
                                for (uint32_t i = 0; i < loop->far.n; i++)
                                        heap_take(loop, *bin_at(&loop->far, i));
                                loop->later -= loop->far.n;
                                loop->far.n = 0;
                                loop->nbins = loop->cur = 0;
                                loop->tiered = false;
                                loop->spill_at = loop->tier_at ? loop->tier_at : SIZE_MAX;
                                loop->base = UINT64_MAX;
                                return;
                        }
                        if (rebuild(loop) < 0)
                                loop->failed = true;
                        continue;
                }
                struct bin *b = &loop->bins[loop->cur++];
                loop->base = loop->lo + ((uint64_t)loop->cur << loop->shift);
                prefetch_bins(loop);
                if (b->n == 0)
                        continue;
                if (b->n <= SORT_MAX || is_sorted(b)) {
                        for (uint32_t i = 0; i < b->n && i < PREFETCH_AHEAD; i++)
                                __builtin_prefetch(bin_at(b, i)->ev, 1);
                        if (b->n <= SORT_MAX)
                                sort_bin(b);
                        loop->run = b;
                        loop->run_part = loop->cur;
                        loop->run_head = 0;
                        loop->run_live = b->n;
                        return;
                }
                /* The events fire soon: fetch them all before touching one. */
                for (uint32_t i = 0; i < b->n; i++)
                        __builtin_prefetch(bin_at(b, i)->ev, 1);
                for (uint32_t i = 0; i < b->n; i++)
                        heap_take(loop, *bin_at(b, i));
                loop->later -= b->n;
                bin_clear(b);
        }
}

/* Sorts the heap's array by (time, seq), ascending, which leaves it a
 * valid heap: the sorted form, reversed. */
static void heap_sort(struct sim_loop *loop)
{
        if (!loop->sorted)
                make_sorted(loop);
        reverse(loop);
        loop->sorted = false;
}

/* Moves every heap event to the far list and starts the calendar. */
static void spill(struct sim_loop *loop)
{
        /* In (time, seq) order, so that the bins they go to are in order
         * and fire as runs: sorted, the array is still a heap. */
        heap_sort(loop);
        for (size_t i = 0; i < loop->count; i++) {
                if (bin_push(&loop->far, PART_FAR, loop->heap[i]) < 0) {
                        /* Put the moved ones back: the heap is intact. */
                        for (uint32_t j = 0; j < loop->far.n; j++)
                                bin_at(&loop->far, j)->ev->slot = 0;
                        for (size_t j = 0; j < loop->count; j++) {
                                loop->heap[j].ev->part = PART_HEAP;
                                loop->heap[j].ev->slot = (uint32_t)(j + 1);
                        }
                        loop->far.n = 0;
                        loop->failed = true;
                        return;
                }
        }
        loop->later += loop->count;
        loop->count = 0;
        loop->sorted = true;
        loop->tiered = true;
        loop->spill_at = SIZE_MAX;
        loop->nbins = loop->cur = 0;
        refill(loop);
}

/* ---- the event set ------------------------------------------------------- */

/* Takes ev, pending, out of the event set. */
static void take_out(struct sim_loop *loop, struct sim_event *ev)
{
        if (__builtin_expect(ev->part != PART_HEAP, 0)) {
                if (ev->part == loop->run_part) {
                        /* Leave a hole: the run stays in order. */
                        struct entry *e = bin_at(loop->run, ev->slot - 1);
                        ev->slot = 0;
                        ev->part = PART_HEAP;
                        e->ev = NULL;
                        loop->run_live--;
                        loop->later--;
                        run_advance(loop);
                        if (loop->run_live == 0 && loop->count == 0 && loop->later > 0)
                                refill(loop);
                        return;
                }
                bin_remove(bin_of(loop, ev->part), ev->slot - 1);
                loop->later--;
                return;
        }
        size_t i = ev->slot - 1;
        assert(i < loop->count && loop->heap[i].ev == ev);
        if (loop->sorted) {
                sorted_remove(loop, i);
                ev->slot = 0;
        } else {
                struct entry last = loop->heap[--loop->count];
                ev->slot = 0;
                if (last.ev != ev) {
                        restore(loop, last, i);
                        return;
                }
        }
        if (loop->count == 0 && loop->run_live == 0 && loop->later > 0)
                refill(loop);
}

/* The heap's next event: its last entry in the sorted form, else heap[0]. */
static inline const struct entry *heap_next(const struct sim_loop *loop)
{
        return &loop->heap[loop->sorted ? loop->count - 1 : 0];
}

/* Takes heap[0] out of the heap form; sorts a heap shrunk to SORTED_AGAIN. */
static void pop_from_heap(struct sim_loop *loop)
{
        struct sim_event *ev = loop->heap[0].ev;
        struct entry last = loop->heap[--loop->count];
        ev->slot = 0;
        if (loop->count)
                sift_down(loop, last, 0);
        if (loop->count <= SORTED_AGAIN)
                make_sorted(loop);
        if (loop->count == 0 && loop->run_live == 0 && loop->later > 0)
                refill(loop);
}

/* Takes the heap's next event out of the event set: in the sorted form,
 * the last entry, with nothing to move. */
static inline void pop(struct sim_loop *loop)
{
        if (!loop->sorted) {
                pop_from_heap(loop);
                return;
        }
        loop->heap[--loop->count].ev->slot = 0;
        if (loop->count == 0 && loop->run_live == 0 && loop->later > 0)
                refill(loop);
}

/* Takes the next event of the run out of the event set. */
static void pop_run(struct sim_loop *loop)
{
        struct sim_event *ev = bin_at(loop->run, loop->run_head)->ev;
        if (loop->run_head + PREFETCH_AHEAD < loop->run->n) {
                /* Fetch an event that fires soon: a run is fired in order. */
                struct sim_event *soon = bin_at(loop->run, loop->run_head + PREFETCH_AHEAD)->ev;
                if (soon)
                        __builtin_prefetch(soon, 1);
        }
        ev->slot = 0;
        ev->part = PART_HEAP;
        loop->run_head++;
        loop->run_live--;
        loop->later--;
        run_advance(loop);
        if (loop->run_live == 0 && loop->count == 0 && loop->later > 0)
                refill(loop);
}

/* Adds ev, not pending, with its time and seq set. Returns 0 or -1. */
static int put_in(struct sim_loop *loop, struct sim_event *ev)
{
        struct entry x = {ev->time, ev};
        /* The restart's three tests in one branch, nearly never taken:
         * with the calendar running, whether x is past base is a toss-up,
         * and the choice of heap or calendar below already pays for it
         * (about one mispredict a request at 1000 devices); a branch of
         * its own here would pay again. */
        if (__builtin_expect((x.time >= loop->base) & (loop->count == 0) & (loop->run_live == 0),
                             0)) {
                /* The near future is empty only when the calendar is:
                 * start afresh. */
                assert(loop->later == 0);
                loop->tiered = false;
                loop->nbins = loop->cur = 0;
                loop->base = UINT64_MAX;
                loop->spill_at = loop->tier_at ? loop->tier_at : SIZE_MAX;
        }
        if (__builtin_expect(x.time < loop->base, 1)) {
                heap_push(loop, x);
                if (__builtin_expect(loop->count > loop->spill_at, 0))
                        spill(loop);
                return 0;
        }
        if (calendar_push(loop, x) < 0) {
                loop->failed = true;
                return -1;
        }
        loop->later++;
        return 0;
}

uint64_t sim_take_seq(struct sim_loop *loop)
{
        return loop->next_seq++;
}

int sim_schedule(struct sim_loop *loop, struct sim_event *ev, uint64_t when)
{
        return sim_schedule_seq(loop, ev, when, loop->next_seq++);
}

int sim_schedule_seq(struct sim_loop *loop, struct sim_event *ev, uint64_t when, uint64_t seq)
{
        assert(when >= loop->clock.now && "an event scheduled in the past");
        assert(ev->fn != NULL);
        assert(seq < loop->next_seq && "a sequence number not taken from the loop");
        if (ev->slot) {
                if (ev->part == PART_HEAP && when < loop->base) {
                        /* Stays in the heap: repair it in place. */
                        size_t i = ev->slot - 1;
                        assert(i < loop->count && loop->heap[i].ev == ev);
                        ev->time = when;
                        ev->seq = seq;
                        if (loop->sorted) {
                                sorted_remove(loop, i);
                                sorted_insert(loop, (struct entry){when, ev});
                        } else {
                                restore(loop, (struct entry){when, ev}, i);
                        }
                        return 0;
                }
                take_out(loop, ev);
        } else if (loop->count + loop->later == loop->size) {
                /* The heap has room for every pending event, so that a
                 * refill never needs memory. slot is 32 bits; 4G pending
                 * events is far beyond any run. */
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
        ev->seq = seq;
        return put_in(loop, ev);
}

void sim_cancel(struct sim_loop *loop, struct sim_event *ev)
{
        if (!ev->slot)
                return;
        take_out(loop, ev);
}

uint64_t sim_run_until(struct sim_loop *loop, uint64_t until)
{
        assert(until >= loop->clock.now && "running to a time in the past");
        uint64_t fired = 0;
        loop->stop = false;
        if (loop->failed)
                return 0;
        for (;;) {
                struct sim_event *ev;
                if (loop->run_live > 0) {
                        /* The next event is the run's head or the heap's. */
                        struct entry *r = bin_at(loop->run, loop->run_head);
                        if (loop->count == 0 || before(*r, *heap_next(loop))) {
                                if (r->time > until)
                                        break;
                                ev = r->ev;
                                pop_run(loop);
                        } else {
                                const struct entry *h = heap_next(loop);
                                if (h->time > until)
                                        break;
                                ev = h->ev;
                                pop(loop);
                        }
                } else {
                        if (loop->count == 0)
                                break;
                        const struct entry *h = heap_next(loop);
                        if (h->time > until)
                                break;
                        ev = h->ev;
                        pop(loop);
                }
                assert(ev->time >= loop->clock.now);
                loop->clock.now = ev->time;
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
                loop->clock.now = until;
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
        return loop->count + loop->later;
}

uint64_t sim_events_fired(const struct sim_loop *loop)
{
        return loop->fired;
}

uint64_t sim_next_time(const struct sim_loop *loop)
{
        uint64_t t = loop->count ? heap_next(loop)->time : UINT64_MAX;
        if (loop->run_live > 0 && bin_at(loop->run, loop->run_head)->time < t)
                t = bin_at(loop->run, loop->run_head)->time;
        return t;
}

/*
 * eligible.c - the eligible lists and their trees: for each operation, the
 * healthy devices that can do it, and among them those with queue room and
 * the least loaded, so that a placement need not look at every device (see
 * struct ac_eligible in core.h).
 *
 *   build    core_eligible: the lists rebuilt from the devices not gone
 *            after a change of health, O(devices x operations) then, never
 *            per stage
 *   update   core_eligible_update: after a device's queue room or load
 *            changed, one leaf per operation it can do and the path above
 *            it, stopping where a node does not change
 *   reading  ac_pick_candidate, ac_pick_rank, ac_pick_least_loaded: what a
 *            balancer asks, from the tree or, when the core handed it the
 *            array, from that
 */
#include <stdlib.h>

#include "core.h"

static inline bool has_room(const struct ac_device_view *v)
{
        return v->queued < v->queue_depth;
}

static inline uint64_t load_of(const struct ac_device_view *v)
{
        return (uint64_t)v->queued + v->in_flight;
}

static inline uint64_t min_u64(uint64_t a, uint64_t b)
{
        return a < b ? a : b;
}

/* ---- build -------------------------------------------------------------- */

/* Adds v to list l; false without memory. */
static bool list_add(struct ac_eligible *l, const struct ac_device_view *v)
{
        if (l->n == l->cap) {
                uint32_t cap = l->cap ? l->cap * 2 : 8;
                const struct ac_device_view **views = realloc(l->views, cap * sizeof(*views));
                if (!views)
                        return false;
                l->views = views;
                l->cap = cap;
        }
        l->views[l->n++] = v;
        return true;
}

/* Sizes l's tree to the power of two at or above its length and fills it
 * from the views. Returns false without memory. */
static bool tree_build(struct ac_eligible *l, bool loads, bool mins)
{
        uint32_t leaves = 1;
        while (leaves < l->n)
                leaves *= 2;
        if (leaves != l->leaves) {
                uint32_t *room = realloc(l->room, 2 * (size_t)leaves * sizeof(*room));
                if (room)
                        l->room = room;
                uint64_t *least = realloc(l->least, 2 * (size_t)leaves * sizeof(*least));
                if (least)
                        l->least = least;
                if (!room || !least) {
                        l->leaves = 0; /* sizes unknown: realloc again next time */
                        return false;
                }
                l->leaves = leaves;
        }
        for (uint32_t i = 0; i < leaves; i++) {
                const struct ac_device_view *v = i < l->n ? l->views[i] : NULL;
                bool room = v && has_room(v);
                l->room[leaves + i] = room;
                l->least[leaves + i] = room ? load_of(v) : UINT64_MAX;
        }
        for (uint32_t k = leaves - 1; k >= 1; k--) {
                l->room[k] = l->room[2 * k] + l->room[2 * k + 1];
                l->least[k] = min_u64(l->least[2 * k], l->least[2 * k + 1]);
        }
        l->loads = loads || mins;
        l->mins = mins;
        return true;
}

/* Rebuilds every list from the devices not gone, in registration order.
 * Returns false without memory (they stay stale: place gathers). */
static bool eligible_build(struct ac_engine *eng)
{
        for (uint32_t op = 0; op < eng->nops; op++)
                eng->hardware[op].n = eng->fallback[op].n = 0;
        bool ok = true;
        for (size_t i = 0; i < eng->nlive; i++) {
                struct ac_device *dev = eng->live[i];
                dev->listed = dev->view.health == AC_DEV_HEALTHY;
                if (!dev->listed)
                        continue;
                struct ac_eligible *lists = dev->view.fallback ? eng->fallback : eng->hardware;
                for (uint64_t caps = dev->view.capabilities; caps; caps &= caps - 1) {
                        uint32_t op = (uint32_t)__builtin_ctzll(caps);
                        dev->pos[op] = lists[op].n;
                        ok = ok && list_add(&lists[op], &dev->view);
                }
        }
        bool loads = eng->balancer->flags & AC_BALANCER_LOADS;
        bool mins = eng->balancer->flags & AC_BALANCER_LEAST;
        for (uint32_t op = 0; ok && op < eng->nops; op++)
                ok = tree_build(&eng->hardware[op], loads, mins) &&
                     tree_build(&eng->fallback[op], loads, mins);
        eng->eligible_stale = !ok;
        return ok;
}

const struct ac_eligible *core_eligible(struct ac_engine *eng, uint32_t op)
{
        if (eng->eligible_stale && !eligible_build(eng))
                return NULL;
        return eng->hardware[op].n ? &eng->hardware[op] : &eng->fallback[op];
}

void core_eligible_free(struct ac_engine *eng)
{
        for (uint32_t op = 0; op < AC_MAX_OPS; op++) {
                struct ac_eligible *lists[2] = {&eng->hardware[op], &eng->fallback[op]};
                for (int k = 0; k < 2; k++) {
                        free(lists[k]->views);
                        free(lists[k]->room);
                        free(lists[k]->least);
                }
        }
}

/* ---- update --------------------------------------------------------------- */

void core_eligible_update(struct ac_engine *eng, const struct ac_device *dev)
{
        struct ac_eligible *lists = dev->view.fallback ? eng->fallback : eng->hardware;
        bool room = has_room(&dev->view);
        uint64_t least = room ? load_of(&dev->view) : UINT64_MAX;
        for (uint64_t caps = dev->view.capabilities; caps; caps &= caps - 1) {
                uint32_t op = (uint32_t)__builtin_ctzll(caps);
                struct ac_eligible *l = &lists[op];
                uint32_t k = l->leaves + dev->pos[op];
                if (l->room[k] == room && (!l->loads || l->least[k] == least))
                        continue;
                bool room_moved = l->room[k] != room;
                l->room[k] = room;
                l->least[k] = least;
                /* Without mins (AC_BALANCER_LEAST) a load is read at its
                 * leaf alone, and only a change of room goes further. */
                if (!room_moved && !l->mins)
                        continue;
                /* Up to the first node that stays as it was: above it
                 * nothing changes either. Without mins, `least` above the
                 * leaves is never read and not kept. */
                for (k /= 2; k >= 1; k /= 2) {
                        uint32_t r = l->room[2 * k] + l->room[2 * k + 1];
                        uint64_t m =
                            l->mins ? min_u64(l->least[2 * k], l->least[2 * k + 1]) : l->least[k];
                        if (l->room[k] == r && l->least[k] == m)
                                break;
                        l->room[k] = r;
                        l->least[k] = m;
                }
        }
}

/* ---- reading ------------------------------------------------------------ */

/* The number of devices with room at positions below pos of l. */
static size_t room_before(const struct ac_eligible *l, uint32_t pos)
{
        if (pos >= l->leaves)
                return l->room[1];
        size_t count = 0;
        uint32_t k = 1;
        for (uint32_t half = l->leaves / 2; half; half /= 2) {
                k *= 2;
                if (pos & half) {
                        count += l->room[k];
                        k++;
                }
        }
        return count;
}

/* The leaf of l's tree that holds the candidate at position i (the i-th
 * with room): down from the root, left while the left subtree holds more
 * than i of them. */
static uint32_t leaf_of(const struct ac_eligible *l, size_t i)
{
        uint32_t k = 1;
        while (k < l->leaves) {
                k *= 2;
                if (i >= l->room[k]) {
                        i -= l->room[k];
                        k++;
                }
        }
        return k;
}

const struct ac_device_view *ac_pick_candidate(const struct ac_pick *p, size_t i)
{
        if (p->candidates)
                return p->candidates[i];
        const struct ac_eligible *l = p->index;
        return l->views[leaf_of(l, i) - l->leaves];
}

uint64_t ac_pick_load(const struct ac_pick *p, size_t i)
{
        const struct ac_eligible *l = p->index;
        if (!l || !l->loads)
                return load_of(ac_pick_candidate(p, i));
        if (p->candidates) /* every device of the list has room */
                return l->least[l->leaves + i];
        return l->least[leaf_of(l, i)];
}

/* The first position among n views (ascending index) at or after index. */
static size_t first_at(const struct ac_device_view *const *views, size_t n, uint32_t index)
{
        size_t lo = 0, hi = n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (views[mid]->index < index)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

size_t ac_pick_rank(const struct ac_pick *p, uint32_t index)
{
        if (p->candidates)
                return first_at(p->candidates, p->ncandidates, index);
        const struct ac_eligible *l = p->index;
        return room_before(l, (uint32_t)first_at(l->views, l->n, index));
}

size_t ac_pick_least_loaded(const struct ac_pick *p)
{
        const struct ac_eligible *l = p->index;
        if (l && l->mins) {
                /* Down from the root towards the least load, left first:
                 * the first in registration order among the least loaded. */
                uint32_t k = 1;
                while (k < l->leaves) {
                        k *= 2;
                        if (l->least[k] != l->least[k / 2])
                                k++;
                }
                return room_before(l, k - l->leaves);
        }
        size_t best = 0;
        uint64_t best_load = UINT64_MAX;
        for (size_t i = 0; i < p->ncandidates; i++) {
                uint64_t load = load_of(ac_pick_candidate(p, i));
                if (load < best_load) {
                        best = i;
                        best_load = load;
                }
        }
        return best;
}

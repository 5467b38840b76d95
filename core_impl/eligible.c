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
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define K AC_PICK_KEYS

/* Lists shorter than this keep no keys (AC_BALANCER_KEYS): a scan of a
 * few views costs less than the keys' upkeep at every change of a view
 * and a search of the tree (bench_core --devices shortest-expected-delay
 * at 10 devices: half the rate with keys). */
#define KEYED_MIN 64

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

/* dev's position in the list of op: its lowest operation's is kept in a
 * hot line of the device (pos_first), the others' in pos[]. */
static inline bool pos_first(const struct ac_device *dev, uint32_t op)
{
        return op == (uint32_t)__builtin_ctzll(dev->view.capabilities);
}

static inline uint32_t pos_of(const struct ac_device *dev, uint32_t op)
{
        return pos_first(dev, op) ? dev->pos_first : dev->pos[op];
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
/* Fills out with the keys of v at a leaf: the balancer's when v has
 * room, INFINITY otherwise (not a candidate). */
static void leaf_keys(const struct ac_engine *eng, const struct ac_device_view *v, double *out)
{
        if (v && has_room(v)) {
                eng->balancer->keys(v, out);
                return;
        }
        for (int j = 0; j < K; j++)
                out[j] = INFINITY;
}

/* Sets node k's keys to the least of its children's. Returns true when
 * they changed. */
static bool keys_merge(double *keys, uint32_t k)
{
        const double *a = &keys[2 * k * K], *b = &keys[(2 * k + 1) * K];
        double *m = &keys[k * K];
        bool changed = false;
        for (int j = 0; j < K; j++) {
                double x = a[j] < b[j] ? a[j] : b[j];
                changed |= m[j] != x;
                m[j] = x;
        }
        return changed;
}

static bool tree_build(const struct ac_engine *eng, struct ac_eligible *l, bool loads, bool mins,
                       bool keyed)
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
        /* One device is its own least loaded, and its load is read from
         * its view: a list of one keeps only its room. */
        l->loads = (loads || mins) && l->n > 1;
        l->mins = mins && l->n > 1;
        if (!keyed || l->n < KEYED_MIN) {
                free(l->keys);
                l->keys = NULL;
                return true;
        }
        double *keys = realloc(l->keys, 2 * (size_t)leaves * K * sizeof(*keys));
        if (!keys)
                return false;
        l->keys = keys;
        for (uint32_t i = 0; i < leaves; i++)
                leaf_keys(eng, i < l->n ? l->views[i] : NULL, &keys[(size_t)(leaves + i) * K]);
        for (uint32_t k = leaves - 1; k >= 1; k--)
                keys_merge(keys, k);
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
                        if (pos_first(dev, op))
                                dev->pos_first = lists[op].n;
                        else
                                dev->pos[op] = lists[op].n;
                        ok = ok && list_add(&lists[op], &dev->view);
                }
        }
        bool loads = eng->balancer->flags & AC_BALANCER_LOADS;
        bool mins = eng->balancer->flags & AC_BALANCER_LEAST;
        bool keyed = eng->balancer->flags & AC_BALANCER_KEYS;
        for (uint32_t op = 0; ok && op < eng->nops; op++)
                ok = tree_build(eng, &eng->hardware[op], loads, mins, keyed) &&
                     tree_build(eng, &eng->fallback[op], loads, mins, keyed);
        /* A device follows its load into the trees only when one of its
         * lists reads it; otherwise a change of its room alone is told. */
        for (size_t i = 0; ok && i < eng->nlive; i++) {
                struct ac_device *dev = eng->live[i];
                const struct ac_eligible *lists =
                    dev->view.fallback ? eng->fallback : eng->hardware;
                dev->follow = false;
                for (uint64_t caps = dev->view.capabilities; dev->listed && caps;
                     caps &= caps - 1) {
                        const struct ac_eligible *l = &lists[__builtin_ctzll(caps)];
                        dev->follow = dev->follow || l->loads || l->keys;
                }
        }
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
                        free(lists[k]->keys);
                }
        }
}

/* ---- update --------------------------------------------------------------- */

/* Keyed lists (AC_BALANCER_KEYS): dev's leaf takes its keys now, and the
 * path above it the least of them, up to the first node that stays as it
 * was. Returns nothing; room and loads are kept by the caller. */
static void keys_update(struct ac_eligible *l, uint32_t leaf, const double *keys)
{
        double *at = &l->keys[(size_t)leaf * K];
        if (memcmp(at, keys, K * sizeof(*keys)) == 0)
                return;
        memcpy(at, keys, K * sizeof(*keys));
        for (uint32_t k = leaf / 2; k >= 1 && keys_merge(l->keys, k); k /= 2)
                ;
}

void core_eligible_update(struct ac_engine *eng, const struct ac_device *dev, bool room_changed)
{
        struct ac_eligible *lists = dev->view.fallback ? eng->fallback : eng->hardware;
        bool room = has_room(&dev->view);
        uint64_t least = room ? load_of(&dev->view) : UINT64_MAX;
        double keys[K];
        bool keys_known = false;
        for (uint64_t caps = dev->view.capabilities; caps; caps &= caps - 1) {
                uint32_t op = (uint32_t)__builtin_ctzll(caps);
                struct ac_eligible *l = &lists[op];
                uint32_t k = l->leaves + pos_of(dev, op);
                if (l->keys) {
                        if (!keys_known)
                                leaf_keys(eng, &dev->view, keys);
                        keys_known = true;
                        keys_update(l, k, keys);
                }
                /* The leaf's room is read only when it may have moved: with
                 * 1000 devices it is one more line out of the caches. */
#ifdef ACSIM_CORE_CHECKS
                assert(room_changed || l->room[k] == room);
#endif
                bool room_moved = room_changed && l->room[k] != room;
                if (!room_moved && (!l->loads || l->least[k] == least))
                        continue;
                if (room_moved)
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
        if (p->ncandidates == 1)
                return 0;
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

const double *ac_pick_key_mins(const struct ac_pick *p)
{
        const struct ac_eligible *l = p->index;
        return l && l->keys ? &l->keys[1 * K] : NULL;
}

/* The search of ac_pick_least below node k of l: the best so far is the
 * candidate at leaf *best with value *best_value (*best 0: none yet).
 * Children are visited the one with the lower bound first; a subtree is
 * left out when its bound is above the best value, or equal to it and it
 * lies wholly after the best leaf (a tie there would lose). Leaves are
 * compared by (value, position), so the order of the visit does not
 * change the answer. */
struct least_search {
        const struct ac_eligible *l;
        double (*value)(const struct ac_device_view *v, const void *ctx);
        double (*bound)(const double *mins, const void *ctx);
        const void *ctx;
        uint32_t best;
        double best_value;
};

static bool worth(const struct least_search *s, uint32_t k, double bound)
{
        if (!s->best || bound < s->best_value)
                return true;
        if (bound > s->best_value)
                return false;
        /* Equal: only a subtree starting before the best leaf may hold an
         * earlier candidate of the same value. Its first leaf: */
        uint32_t first = k;
        while (first < s->l->leaves)
                first *= 2;
        return first < s->best;
}

static void search(struct least_search *s, uint32_t k)
{
        const struct ac_eligible *l = s->l;
        if (!l->room[k])
                return; /* no candidate below */
        if (k >= l->leaves) {
                double v = s->value(l->views[k - l->leaves], s->ctx);
                if (!s->best || v < s->best_value || (v == s->best_value && k < s->best)) {
                        s->best = k;
                        s->best_value = v;
                }
                return;
        }
        uint32_t a = 2 * k, b = 2 * k + 1;
        double ba = l->room[a] ? s->bound(&l->keys[(size_t)a * K], s->ctx) : INFINITY;
        double bb = l->room[b] ? s->bound(&l->keys[(size_t)b * K], s->ctx) : INFINITY;
        if (bb < ba) {
                uint32_t t = a;
                a = b;
                b = t;
                double tb = ba;
                ba = bb;
                bb = tb;
        }
        if (l->room[a] && worth(s, a, ba))
                search(s, a);
        if (l->room[b] && worth(s, b, bb))
                search(s, b);
}

size_t ac_pick_least(const struct ac_pick *p,
                     double (*value)(const struct ac_device_view *v, const void *ctx),
                     double (*bound)(const double *mins, const void *ctx), const void *ctx)
{
        const struct ac_eligible *l = p->index;
        if (l && l->keys && l->room[1]) {
                struct least_search s = {.l = l, .value = value, .bound = bound, .ctx = ctx};
                search(&s, 1);
                return room_before(l, s.best - l->leaves);
        }
        size_t best = 0;
        double best_value = 0;
        for (size_t i = 0; i < p->ncandidates; i++) {
                double v = value(ac_pick_candidate(p, i), ctx);
                if (i == 0 || v < best_value) {
                        best = i;
                        best_value = v;
                }
        }
        return best;
}

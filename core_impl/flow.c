/*
 * flow.c - per-flow completion order (the engine option flow_order).
 *
 * Each flow with requests in the engine keeps them in a singly linked list
 * in submission order, linked through the requests themselves. The oldest
 * request, the head, stands for its flow in a hash table of buckets
 * (chained through the heads, so it never fills up). A request whose final
 * status is known is
 * released to the done list only when it is its flow's head; otherwise it is
 * held. Releasing a head releases the held requests right behind it, in
 * order. Every request is added once and released once, and a request only
 * ever leaves at the head, so each costs O(1) amortised and no back links
 * are needed.
 *
 * The table follows the flows in it, not the queue bounds: it starts at
 * FLOW_BUCKETS_MIN buckets, doubles when there are more heads than
 * buckets and halves when there are fewer than an eighth, so it holds
 * between 1/16 and 1 head per bucket (past the minimum), and its memory
 * is proportional to the flows in the engine. When a larger table cannot
 * be allocated the chains just grow longer: adding never fails. The time a request is held (from
 * its final status to its release) is the head-of-line wait, summed per priority level.
 *
 * Scratch words of a request in a flow: [1] the next request of the flow;
 * for a head, [2] the next head in its bucket and [3] the flow's tail; for
 * a request just added behind others, [3] the tail before it (to undo).
 */
#include <stdlib.h>

#include "core.h"

#define FLOW_BUCKETS_MIN 64u
#define FLOW_BITS_MIN    6
#define FLOW_BITS_MAX    30

static inline struct ac_request *word_req(uint64_t w)
{
        return (struct ac_request *)(uintptr_t)w;
}

static inline uint64_t req_word(const struct ac_request *r)
{
        return (uint64_t)(uintptr_t)r;
}

#define FLOW_NEXT(r)   ((r)->core.scratch[1])
#define BUCKET_NEXT(r) ((r)->core.scratch[2])
#define FLOW_TAIL(r)   ((r)->core.scratch[3])

static inline size_t bucket(const struct ac_engine *eng, uint64_t flow)
{
        return (size_t)((flow * 0x9e3779b97f4a7c15ull) >> eng->flow_shift);
}

static inline uint32_t table_bits(const struct ac_engine *eng)
{
        return 64 - eng->flow_shift;
}

int core_flow_init(struct ac_engine *eng)
{
        eng->flows = calloc(FLOW_BUCKETS_MIN, sizeof(*eng->flows));
        if (!eng->flows)
                return AC_ENOMEM;
        eng->flow_shift = 64 - FLOW_BITS_MIN;
        eng->flow_heads = 0;
        return 0;
}

/* Moves every head to a table of 2^bits buckets; keeps the old one when
 * the new cannot be allocated (the chains are then longer, still right). */
static void table_resize(struct ac_engine *eng, uint32_t bits)
{
        size_t n = (size_t)1 << table_bits(eng);
        struct ac_request **to = calloc((size_t)1 << bits, sizeof(*to));
        if (!to)
                return;
        struct ac_request **from = eng->flows;
        eng->flows = to;
        eng->flow_shift = 64 - bits;
        for (size_t i = 0; i < n; i++)
                for (struct ac_request *h = from[i], *next; h; h = next) {
                        next = word_req(BUCKET_NEXT(h));
                        size_t b = bucket(eng, h->flow);
                        BUCKET_NEXT(h) = req_word(to[b]);
                        to[b] = h;
                }
        free(from);
}

/* Keeps between 1/16 and 1 head per bucket, once the heads have changed. */
static void table_fit(struct ac_engine *eng)
{
        uint32_t bits = table_bits(eng);
        size_t n = (size_t)1 << bits;
        if (eng->flow_heads > n && bits < FLOW_BITS_MAX)
                table_resize(eng, bits + 1);
        else if (eng->flow_heads < n / 8 && bits > FLOW_BITS_MIN)
                table_resize(eng, bits - 1);
}

/* Returns the head of flow's list, or NULL; *prev is the head before it in
 * the bucket's chain (NULL when first). */
static struct ac_request *head_find(const struct ac_engine *eng, uint64_t flow,
                                    struct ac_request **prev)
{
        struct ac_request *p = NULL, *h = eng->flows[bucket(eng, flow)];
        while (h && h->flow != flow) {
                p = h;
                h = word_req(BUCKET_NEXT(h));
        }
        *prev = p;
        return h;
}

/* Puts `by` where head h stood in its bucket's chain (by NULL: unlinks h). */
static void head_replace(struct ac_engine *eng, struct ac_request *prev, struct ac_request *h,
                         struct ac_request *by)
{
        struct ac_request *next = word_req(BUCKET_NEXT(h));
        if (by) {
                BUCKET_NEXT(by) = req_word(next);
                next = by;
        }
        if (prev)
                BUCKET_NEXT(prev) = req_word(next);
        else
                eng->flows[bucket(eng, h->flow)] = next;
        if (!by)
                eng->flow_heads--;
}

void core_flow_add(struct ac_engine *eng, struct ac_request *req)
{
        struct ac_request *prev;
        struct ac_request *h = head_find(eng, req->flow, &prev);
        FLOW_NEXT(req) = 0;
        if (!h) {
                req->core.flags |= AC_REQ_F_HEAD;
                FLOW_TAIL(req) = req_word(req);
                size_t b = bucket(eng, req->flow);
                BUCKET_NEXT(req) = req_word(eng->flows[b]);
                eng->flows[b] = req;
                eng->flow_heads++;
                table_fit(eng);
                return;
        }
        struct ac_request *tail = word_req(FLOW_TAIL(h));
        FLOW_NEXT(tail) = req_word(req);
        FLOW_TAIL(h) = req_word(req);
        FLOW_TAIL(req) = req_word(tail);
}

void core_flow_cancel(struct ac_engine *eng, struct ac_request *req)
{
        struct ac_request *prev;
        struct ac_request *h = head_find(eng, req->flow, &prev);
        if (h == req) {
                head_replace(eng, prev, h, NULL);
                table_fit(eng);
        } else {
                struct ac_request *before = word_req(FLOW_TAIL(req));
                FLOW_NEXT(before) = 0;
                FLOW_TAIL(h) = req_word(before);
        }
        req->core.flags &= ~(uint32_t)AC_REQ_F_HEAD;
}

void core_flow_done(struct ac_engine *eng, struct ac_request *req)
{
        if (!(req->core.flags & AC_REQ_F_HEAD)) {
                req->core.flags |= AC_REQ_F_HELD;
                eng->stats.held++;
                return;
        }
        uint64_t now = req->completed_ns;
        struct ac_request *prev;
        struct ac_request *h = head_find(eng, req->flow, &prev);
        struct ac_request *tail = word_req(FLOW_TAIL(h));
        struct ac_request *r = req;
        while (r && r->core.state == AC_REQ_DONE) {
                struct ac_request *next = word_req(FLOW_NEXT(r));
                if (r->core.flags & AC_REQ_F_HELD) {
                        struct ac_level_stats *ls = &eng->levels[r->priority];
                        ls->hol_ns += now - r->completed_ns;
                        ls->held++;
                        eng->stats.held--;
                }
                r->core.flags &= ~(uint32_t)(AC_REQ_F_HEAD | AC_REQ_F_HELD);
                core_release(eng, r);
                r = next;
        }
        if (r) {
                r->core.flags |= AC_REQ_F_HEAD;
                FLOW_TAIL(r) = req_word(tail);
        }
        head_replace(eng, prev, h, r);
        if (!r)
                table_fit(eng);
}

/*
 * flow.c - per-flow completion order (the engine option flow_order).
 *
 * Each flow with requests in the engine keeps them in a singly linked list
 * in submission order, linked through the requests themselves. The oldest
 * request, the head, stands for its flow in a hash table of buckets
 * allocated at create (chained through the heads, so it never fills up; it
 * is sized from the queue and backlog bounds, which bound how many flows are
 * usually in the engine at once). A request whose final status is known is
 * released to the done list only when it is its flow's head; otherwise it is
 * held. Releasing a head releases the held requests right behind it, in
 * order. Every request is added once and released once, and a request only
 * ever leaves at the head, so each costs O(1) amortised and no back links
 * are needed. The time a request is held (from its final status to its
 * release) is the head-of-line wait, summed per priority level.
 *
 * Scratch words of a request in a flow: [1] the next request of the flow;
 * for a head, [2] the next head in its bucket and [3] the flow's tail; for
 * a request just added behind others, [3] the tail before it (to undo).
 */
#include <stdlib.h>

#include "core.h"

#define FLOW_BUCKETS_MIN 64u
#define FLOW_BUCKETS_MAX (1u << 16)

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

int core_flow_init(struct ac_engine *eng)
{
        uint64_t want = (uint64_t)eng->cfg.queue_depth * 8 + eng->cfg.backlog;
        uint32_t n = FLOW_BUCKETS_MIN, bits = 6;
        while (n < want && n < FLOW_BUCKETS_MAX) {
                n <<= 1;
                bits++;
        }
        eng->flows = calloc(n, sizeof(*eng->flows));
        if (!eng->flows)
                return AC_ENOMEM;
        eng->flow_shift = 64 - bits;
        return 0;
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
}

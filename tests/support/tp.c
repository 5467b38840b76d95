/*
 * tp.c - the test platform (see tp.h). Timers sit in an unordered array and
 * the next one is found by a scan: tests arm few, and clarity wins.
 * A timer's opaque words: [0] armed, [1] when, [2] sequence, [3] index.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "support/tp.h"

enum { T_ARMED, T_WHEN, T_SEQ, T_INDEX };

static uint64_t tp_now(void *ctx)
{
        return ((struct tp *)ctx)->now;
}

static void tp_unlink(struct tp *tp, struct ac_timer *t)
{
        size_t i = (size_t)t->opaque[T_INDEX];
        cr_assert_lt(i, tp->narmed);
        cr_assert_eq(tp->armed[i], t);
        tp->armed[i] = tp->armed[--tp->narmed];
        tp->armed[i]->opaque[T_INDEX] = i;
        t->opaque[T_ARMED] = 0;
}

static void tp_arm(void *ctx, struct ac_timer *t, uint64_t when)
{
        struct tp *tp = ctx;
        /* Times are modulo 2^64 (ac/platform.h): compared as differences. */
        cr_assert_geq((int64_t)(when - tp->now), 0, "timer armed in the past");
        if (t->opaque[T_ARMED])
                tp_unlink(tp, t);
        if (tp->narmed == tp->caparmed) {
                tp->caparmed = tp->caparmed ? tp->caparmed * 2 : 16;
                tp->armed = realloc(tp->armed, tp->caparmed * sizeof(*tp->armed));
                cr_assert_not_null(tp->armed);
        }
        t->opaque[T_ARMED] = 1;
        t->opaque[T_WHEN] = when;
        t->opaque[T_SEQ] = tp->seq++;
        t->opaque[T_INDEX] = tp->narmed;
        tp->armed[tp->narmed++] = t;
}

static void tp_cancel(void *ctx, struct ac_timer *t)
{
        if (t->opaque[T_ARMED])
                tp_unlink(ctx, t);
}

static uint64_t tp_random(void *ctx)
{
        struct tp *tp = ctx;
        uint64_t z = (tp->rng += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
}

static void tp_lock(void *ctx)
{
        struct tp *tp = ctx;
        cr_assert(!tp->locked, "core took its lock twice");
        tp->locked = true;
        tp->lock_count++;
}

static void tp_unlock(void *ctx)
{
        struct tp *tp = ctx;
        cr_assert(tp->locked, "core released a lock it did not hold");
        tp->locked = false;
}

static const struct ac_platform_ops tp_ops = {
    .name = "test",
    .now_ns = tp_now,
    .timer_arm = tp_arm,
    .timer_cancel = tp_cancel,
    .random_u64 = tp_random,
};

static const struct ac_platform_ops tp_ops_locking = {
    .name = "test-locking",
    .now_ns = tp_now,
    .timer_arm = tp_arm,
    .timer_cancel = tp_cancel,
    .random_u64 = tp_random,
    .lock = tp_lock,
    .unlock = tp_unlock,
};

void tp_init(struct tp *tp, uint64_t seed, bool locking)
{
        *tp = (struct tp){.rng = seed, .locking = locking};
}

void tp_fini(struct tp *tp)
{
        free(tp->armed);
        tp->armed = NULL;
        tp->narmed = tp->caparmed = 0;
}

struct ac_platform tp_platform(struct tp *tp)
{
        return (struct ac_platform){.ops = tp->locking ? &tp_ops_locking : &tp_ops, .ctx = tp};
}

size_t tp_advance_to(struct tp *tp, uint64_t when)
{
        cr_assert_geq(when, tp->now, "the test clock went backwards");
        size_t fired = 0;
        for (;;) {
                struct ac_timer *next = NULL;
                for (size_t i = 0; i < tp->narmed; i++) {
                        struct ac_timer *t = tp->armed[i];
                        if ((int64_t)(t->opaque[T_WHEN] - when) > 0)
                                continue;
                        if (!next || (int64_t)(t->opaque[T_WHEN] - next->opaque[T_WHEN]) < 0 ||
                            (t->opaque[T_WHEN] == next->opaque[T_WHEN] &&
                             t->opaque[T_SEQ] < next->opaque[T_SEQ]))
                                next = t;
                }
                if (!next)
                        break;
                tp->now = next->opaque[T_WHEN];
                tp_unlink(tp, next);
                tp->fired++;
                fired++;
                next->fire(next);
        }
        tp->now = when;
        return fired;
}

size_t tp_armed(const struct tp *tp)
{
        return tp->narmed;
}

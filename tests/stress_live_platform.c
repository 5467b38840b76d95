/*
 * tests/stress_live_platform.c - the live platform's timers (live/platform.c)
 * on real threads: every armed timer fires exactly once, never before its
 * deadline, at the deadline of its last arming; a cancelled timer does not
 * fire; the clock never goes backwards. No test asserts how late a timer
 * fires: that is the machine's, measured by benchmarks.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "live/platform.h"
#include "tests/support/check.h"

#define NTIMERS 3000

struct stamp {
        struct ac_timer t;
        struct live_platform *p;
        uint64_t deadline;         /* of the last arming */
        _Atomic uint64_t fired_at; /* 0 until it fires */
        atomic_int fires;
};

static struct stamp stamps[NTIMERS];

static void on_fire(struct ac_timer *t)
{
        struct stamp *s = (struct stamp *)(void *)t;
        atomic_store(&s->fired_at, live_now_ns(s->p));
        atomic_fetch_add(&s->fires, 1);
}

static uint64_t draw(uint64_t *x)
{
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        return *x;
}

static void nap(long ns)
{
        struct timespec ts = {0, ns};
        nanosleep(&ts, NULL);
}

static void every_timer_fires_once_at_its_last_deadline(void)
{
        struct live_platform p;
        CHECK(live_platform_init(&p, 1) == 0, "init");
        struct ac_platform seam = live_platform_seam(&p);
        uint64_t x = 88172645463325252ULL, far = 3600ull * 1000000000u;
        uint64_t start = live_now_ns(&p);
        for (int i = 0; i < NTIMERS; i++) {
                struct stamp *s = &stamps[i];
                *s = (struct stamp){.t.fire = on_fire, .p = &p};
                /* a third far away (cancelled below), a seventh far away
                 * too (moved near below), the rest within 40 ms */
                s->deadline = i % 3 == 0 || i % 7 == 0 ? start + far + draw(&x) % 1000000
                                                       : start + 1000000 + draw(&x) % 40000000;
                seam.ops->timer_arm(seam.ctx, &s->t, s->deadline);
        }
        for (int i = 0; i < NTIMERS; i++) {
                struct stamp *s = &stamps[i];
                if (i % 3 == 0) {
                        seam.ops->timer_cancel(seam.ctx, &s->t);
                } else if (i % 7 == 0) { /* moved: only the last arming counts */
                        s->deadline = live_now_ns(&p) + 2000000 + draw(&x) % 20000000;
                        seam.ops->timer_arm(seam.ctx, &s->t, s->deadline);
                }
        }
        /* wait, boundedly, for the near ones */
        for (int waited = 0; waited < 20000; waited++) {
                int left = 0;
                for (int i = 0; i < NTIMERS; i++)
                        left += i % 3 != 0 && atomic_load(&stamps[i].fires) == 0;
                if (left == 0)
                        break;
                nap(1000000);
        }
        live_platform_fini(&p);
        for (int i = 0; i < NTIMERS; i++) {
                struct stamp *s = &stamps[i];
                if (i % 3 == 0) {
                        CHECK(atomic_load(&s->fires) == 0, "cancelled timer %d fired", i);
                        continue;
                }
                CHECK(atomic_load(&s->fires) == 1, "timer %d fired %d times", i,
                      atomic_load(&s->fires));
                CHECK(atomic_load(&s->fired_at) >= s->deadline,
                      "timer %d fired before its deadline", i);
        }
        CHECK(p.fired == (uint64_t)(NTIMERS - (NTIMERS + 2) / 3), "%llu fired",
              (unsigned long long)p.fired);
}

static void clock_and_draws(void)
{
        struct live_platform p, q;
        CHECK(live_platform_init(&p, 7) == 0, "init");
        CHECK(live_platform_init(&q, 7) == 0, "init");
        struct ac_platform a = live_platform_seam(&p), b = live_platform_seam(&q);
        uint64_t last = 0;
        for (int i = 0; i < 1000; i++) {
                uint64_t now = a.ops->now_ns(a.ctx);
                CHECK(now >= last, "the clock went backwards");
                last = now;
                /* the same seed, the same draws */
                CHECK(a.ops->random_u64(a.ctx) == b.ops->random_u64(b.ctx), "draw %d differs", i);
        }
        live_platform_fini(&p);
        live_platform_fini(&q);
}

int main(void)
{
        every_timer_fires_once_at_its_last_deadline();
        clock_and_draws();
        puts("stress_live_platform: 2 passed, 0 failed");
        return 0;
}

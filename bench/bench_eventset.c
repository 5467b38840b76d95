/*
 * bench_eventset.c - the classic hold model on the event engine.
 *
 * N events are scheduled at random times; then each hold fires the earliest
 * one, whose handler schedules it again at now + a random increment, so
 * the set stays at N events. Reported: nanoseconds per hold (median of 5
 * rounds) at N = 20, 48, 10^2, 10^3, 10^5 and 10^6 (20: the sorted form;
 * 48: just past it, where the engine runs its calendar and the heap alone
 * its 4-ary heap), for exponential and uniform increments
 * of mean 1 us, for the engine as it runs (its heap in front of the
 * calendar past SIM_LOOP_TIER_AT events) and with the calendar off (the
 * 4-ary heap alone, sim_loop_tier_at(loop, 0)), against a baseline measured
 * in the same run: the same hold loop on a plain binary heap of (time, seq)
 * values (no intrusive slots, no handler call), written inline below. Each
 * round measures every cell once, so that a burst of load from the rest of
 * the machine falls on all of them. Last, the engine at 10^6 over the heap
 * alone at 10^3, for each increment: the cost of a large set against a
 * small one (target: at most 2), the median of ratios each taken within
 * one round, also in CPU time (which leaves out the time a loaded machine
 * keeps the process waiting), and a one-line summary to paste. Increments
 * come from a precomputed table so the figures are the event set's, not the
 * random generator's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>

#include "bench/bench_util.h"
#include "sim/des/loop.h"
#include "sim/des/rng.h"

#define RUNS       5
#define TABLE_BITS 16
#define TABLE_MASK ((1u << TABLE_BITS) - 1)
#define HOLDS      1000000

static uint64_t incr[1u << TABLE_BITS]; /* increments, ns */
static size_t incr_pos;

static uint64_t next_incr(void)
{
        return incr[incr_pos++ & TABLE_MASK];
}

static double seconds(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of this thread: leaves out the time a loaded machine keeps it
 * waiting for a CPU. */
static double cpu_seconds(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double last_cpu_ns; /* CPU ns per hold of the last measurement */

/* ---- the engine ---------------------------------------------------------- */

static uint64_t holds_left;

static void hold(struct sim_loop *loop, struct sim_event *ev)
{
        sim_schedule(loop, ev, sim_now(loop) + next_incr());
        if (--holds_left == 0)
                sim_stop(loop);
}

static double run_hold_ns(size_t n, size_t tier_at)
{
        struct sim_loop *loop = sim_loop_create();
        struct sim_event *ev = calloc(n, sizeof(*ev));
        if (!loop || !ev)
                abort();
        sim_loop_tier_at(loop, tier_at);
        incr_pos = 0;
        for (size_t i = 0; i < n; i++) {
                sim_event_init(&ev[i], hold);
                sim_schedule(loop, &ev[i], next_incr());
        }
        holds_left = n < HOLDS ? n : HOLDS; /* warm up to a steady state */
        sim_run_until(loop, UINT64_MAX);
        holds_left = HOLDS;
        double t0 = seconds(), c0 = cpu_seconds();
        sim_run_until(loop, UINT64_MAX);
        double t1 = seconds();
        last_cpu_ns = (cpu_seconds() - c0) * 1e9 / HOLDS;
        if (sim_pending_count(loop) != n)
                abort();
        sim_loop_destroy(loop);
        free(ev);
        return (t1 - t0) * 1e9 / HOLDS;
}

static double engine_hold_ns(size_t n)
{
        return run_hold_ns(n, SIM_LOOP_TIER_AT);
}

static double heap_only_hold_ns(size_t n)
{
        return run_hold_ns(n, 0);
}

/* ---- the baseline: a binary heap of (time, seq) values -------------------- */

struct key {
        uint64_t time, seq;
};

struct heap {
        struct key *k;
        size_t n;
        uint64_t seq;
};

static int less(struct key a, struct key b)
{
        return a.time < b.time || (a.time == b.time && a.seq < b.seq);
}

static void heap_push(struct heap *h, uint64_t time)
{
        struct key x = {time, h->seq++};
        size_t i = h->n++;
        while (i > 0 && less(x, h->k[(i - 1) / 2])) {
                h->k[i] = h->k[(i - 1) / 2];
                i = (i - 1) / 2;
        }
        h->k[i] = x;
}

static struct key heap_pop(struct heap *h)
{
        struct key top = h->k[0], x = h->k[--h->n];
        size_t i = 0;
        for (;;) {
                size_t c = 2 * i + 1;
                if (c >= h->n)
                        break;
                if (c + 1 < h->n && less(h->k[c + 1], h->k[c]))
                        c++;
                if (!less(h->k[c], x))
                        break;
                h->k[i] = h->k[c];
                i = c;
        }
        h->k[i] = x;
        return top;
}

static volatile uint64_t sink; /* keeps the baseline's clock observable */

static double heap_hold_ns(size_t n)
{
        struct heap h = {malloc(n * sizeof(struct key)), 0, 0};
        if (!h.k)
                abort();
        incr_pos = 0;
        for (size_t i = 0; i < n; i++)
                heap_push(&h, next_incr());
        uint64_t now = 0;
        size_t warm = n < HOLDS ? n : HOLDS;
        for (size_t i = 0; i < warm; i++) {
                now = heap_pop(&h).time;
                heap_push(&h, now + next_incr());
        }
        double t0 = seconds(), c0 = cpu_seconds();
        for (size_t i = 0; i < HOLDS; i++) {
                now = heap_pop(&h).time;
                heap_push(&h, now + next_incr());
        }
        double t1 = seconds();
        last_cpu_ns = (cpu_seconds() - c0) * 1e9 / HOLDS;
        sink = now;
        free(h.k);
        return (t1 - t0) * 1e9 / HOLDS;
}

/* ---- the table ------------------------------------------------------------ */

#define NSIZES 6
#define SMALL  3 /* sizes[SMALL] = 10^3: the heap the target compares with */

int main(void)
{
        static const size_t sizes[NSIZES] = {20, 48, 100, 1000, 100000, 1000000};
        static const char *dists[] = {"exponential", "uniform"};
        static double (*const kinds[3])(size_t) = {engine_hold_ns, heap_only_hold_ns, heap_hold_ns};
        gsl_rng *r = sim_rng_stream(1, "bench/eventset");
        double load0 = bench_load_average();
        printf("hold model: ns per hold, median of %d rounds of %d holds (mean increment 1 us);\n"
               "each round measures every cell once, in turn\n",
               RUNS, HOLDS);
        printf("%-12s %9s %10s %10s %12s %7s\n", "increment", "pending", "engine", "4-ary only",
               "binary heap", "ratio");
        double target[2], lo[2], hi[2], cpu_target[2];
        for (int d = 0; d < 2; d++) {
                for (size_t i = 0; i <= TABLE_MASK; i++)
                        incr[i] = d == 0 ? (uint64_t)gsl_ran_exponential(r, 1000.0)
                                         : gsl_rng_uniform_int(r, 2001);
                double t[NSIZES][3][RUNS], ratio[RUNS], cpu_ratio[RUNS];
                for (int run = 0; run < RUNS; run++) {
                        double small_cpu = 0;
                        for (size_t s = 0; s < NSIZES; s++) {
                                for (int k = 0; k < 3; k++) {
                                        t[s][k][run] = kinds[k](sizes[s]);
                                        if (s == SMALL && k == 1)
                                                small_cpu = last_cpu_ns;
                                        if (s == NSIZES - 1 && k == 0)
                                                cpu_ratio[run] = last_cpu_ns / small_cpu;
                                }
                        }
                        /* the engine at 10^6 over the heap alone at 10^3,
                         * both of this round */
                        ratio[run] = t[NSIZES - 1][0][run] / t[SMALL][1][run];
                }
                lo[d] = hi[d] = ratio[0];
                for (int run = 1; run < RUNS; run++) {
                        lo[d] = ratio[run] < lo[d] ? ratio[run] : lo[d];
                        hi[d] = ratio[run] > hi[d] ? ratio[run] : hi[d];
                }
                target[d] = bench_median(ratio, RUNS);
                cpu_target[d] = bench_median(cpu_ratio, RUNS);
                for (size_t s = 0; s < NSIZES; s++) {
                        double e = bench_median(t[s][0], RUNS), h = bench_median(t[s][1], RUNS),
                               b = bench_median(t[s][2], RUNS);
                        printf("%-12s %9zu %10.1f %10.1f %12.1f %7.2f\n", dists[d], sizes[s], e, h,
                               b, e / b);
                }
                fflush(stdout);
        }
        for (int d = 0; d < 2; d++)
                printf("%s: engine at %zu over 4-ary heap at %zu: %.2f (rounds %.2f to %.2f; "
                       "target <= 2)%s\n",
                       dists[d], sizes[NSIZES - 1], sizes[SMALL], target[d], lo[d], hi[d],
                       target[d] <= 2 ? "" : "  ABOVE TARGET");
        for (int d = 0; d < 2; d++)
                printf("%s, per CPU second instead of wall: %.2f\n", dists[d], cpu_target[d]);
        printf("bench_eventset: engine@10^6 / heap@10^3 exponential %.2f, uniform %.2f "
               "(CPU time: %.2f, %.2f); medians of %d rounds; load average %.2f -> %.2f\n",
               target[0], target[1], cpu_target[0], cpu_target[1], RUNS, load0,
               bench_load_average());
        gsl_rng_free(r);
        return 0;
}

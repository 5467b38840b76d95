/*
 * bench_mm8.c - M/M/8 at utilisation 0.9 with the full core in the loop,
 * beside two bare M/M/8 loops in the same binary.
 *
 * Full core: sim_run() of a scenario with one device of 8 lanes (ring 64,
 * software queue 2^20), exponential service of mean 1 us, Poisson arrivals
 * at 7.2 M/s, so every request goes workload -> ac_submit -> balancer ->
 * queue -> ring -> device model -> completion -> callback -> histogram.
 * Bare loops: the same queue as a plain binary heap of event times and a
 * FIFO of arrival times, no core, no models, no metrics beyond the sum of
 * sojourn times; the baseline draws with GSL (taus2 streams,
 * gsl_ran_exponential, as the simulator did before its own sampler), the
 * second with the simulator's ziggurat (sim/des/exponential.h, what the
 * models draw with now), so the reader sees the core against both.
 *
 * Each measurement runs in a child process (fork) so that its peak RSS
 * (the child's getrusage, ru_maxrss) is its own. Reported: simulated
 * requests per wall second, events per second, peak RSS, medians of RUNS
 * runs (the three alternating); the ratios core / bare (medians of the
 * rounds' ratios), also per CPU second of each child (which leaves out
 * the time a loaded machine keeps it waiting); and the same full-core run
 * ten times longer with its
 * peak RSS growth, which must stay under 10%. The last line is the
 * figures on one line, with the load average, ready to paste.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>

#include "bench/bench_util.h"
#include "sim/des/exponential.h"
#include "sim/des/queueing.h"
#include "sim/des/rng.h"
#include "sim/run/run.h"
#include "sim/run/scenario.h"

#define RUNS       7
#define LONG_RUNS  3
#define LANES      8
#define SERVICE_NS 1000.0
#define RHO        0.9
#define ARRIVALS   (RHO * LANES * 1e9 / SERVICE_NS) /* per second */
#define BASE_NS    250000000ull                     /* 0.25 s: 1.8 M requests */
#define WARMUP_NS  10000000ull

struct figures {
        double requests_per_s;     /* simulated requests per wall second */
        double cpu_requests_per_s; /* the same per CPU second of the process */
        double events_per_s;       /* engine events (or heap pops) per wall second */
        double rss_mib;            /* peak RSS of the child */
        double mean_ns;            /* mean sojourn, a sanity check */
        int ok;
};

static double seconds(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of this process: on a machine shared with other jobs it leaves
 * out the time spent waiting for a CPU, which wall time does not. */
static double cpu_seconds(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the bare loop -------------------------------------------------------- */

struct bare_event {
        double time;
        int departure;
};

static struct bare_event heap[LANES + 2];
static size_t heap_n;

static void heap_push(struct bare_event e)
{
        size_t i = heap_n++;
        while (i > 0) {
                size_t p = (i - 1) / 2;
                if (heap[p].time <= e.time)
                        break;
                heap[i] = heap[p];
                i = p;
        }
        heap[i] = e;
}

static struct bare_event heap_pop(void)
{
        struct bare_event top = heap[0], last = heap[--heap_n];
        size_t i = 0;
        for (;;) {
                size_t c = 2 * i + 1;
                if (c >= heap_n)
                        break;
                if (c + 1 < heap_n && heap[c + 1].time < heap[c].time)
                        c++;
                if (last.time <= heap[c].time)
                        break;
                heap[i] = heap[c];
                i = c;
        }
        heap[i] = last;
        return top;
}

/* One exponential draw: GSL's inversion or the ziggurat; `zig` is a
 * constant in each caller, so each loop is compiled with its own. */
static inline __attribute__((always_inline)) double draw(gsl_rng *r, double mean, int zig)
{
        return zig ? mean * sim_exponential(r) : gsl_ran_exponential(r, mean);
}

static inline __attribute__((always_inline)) void bare_loop(uint64_t duration_ns, struct figures *f,
                                                            int zig)
{
        gsl_rng *arr = sim_rng_stream(1, "bare/arrivals");
        gsl_rng *svc = sim_rng_stream(1, "bare/service");
        size_t cap = 1u << 16, head = 0, tail = 0; /* FIFO of arrival times */
        double *fifo = malloc(cap * sizeof(*fifo));
        if (!arr || !svc || !fifo)
                abort();
        double gap = 1e9 / ARRIVALS, end = (double)duration_ns, sum = 0;
        uint64_t busy = 0, done = 0, pops = 0;
        heap_push((struct bare_event){draw(arr, gap, zig), 0});
        double t0 = seconds(), c0 = cpu_seconds();
        while (heap_n) {
                struct bare_event e = heap_pop();
                pops++;
                if (!e.departure) {
                        fifo[tail++ & (cap - 1)] = e.time;
                        if (busy < LANES) {
                                busy++;
                                heap_push(
                                    (struct bare_event){e.time + draw(svc, SERVICE_NS, zig), 1});
                        }
                        double next = e.time + draw(arr, gap, zig);
                        if (next < end)
                                heap_push((struct bare_event){next, 0});
                } else {
                        /* pairing the k-th departure with the k-th
                         * arrival gives the same sum of sojourns */
                        sum += e.time - fifo[head++ & (cap - 1)];
                        done++;
                        if (tail - head >= busy) {
                                heap_push(
                                    (struct bare_event){e.time + draw(svc, SERVICE_NS, zig), 1});
                        } else {
                                busy--;
                        }
                }
        }
        double wall = seconds() - t0, cpu = cpu_seconds() - c0;
        f->requests_per_s = (double)done / wall;
        f->cpu_requests_per_s = (double)done / cpu;
        f->events_per_s = (double)pops / wall;
        f->mean_ns = sum / (double)done;
        f->ok = 1;
        free(fifo);
        gsl_rng_free(arr);
        gsl_rng_free(svc);
}

static void bare(uint64_t duration_ns, struct figures *f)
{
        bare_loop(duration_ns, f, 0);
}

static void bare_zig(uint64_t duration_ns, struct figures *f)
{
        bare_loop(duration_ns, f, 1);
}

/* ---- the full core -------------------------------------------------------- */

static int mm8_scenario(struct scenario *s, uint64_t duration_ns)
{
        struct sim_error why = {""};
        if (scenario_init(s) < 0)
                return -1;
        scenario_set_text(&s->name, "bench-mm8");
        s->seed = 8;
        s->run.duration_ns = duration_ns;
        s->run.warmup_ns = WARMUP_NS;
        s->engine.queue_depth = 1u << 20;
        s->engine.backlog = 0;
        struct scenario_device *d = scenario_add_device(s, "card");
        d->model.lanes = LANES;
        d->model.ring = 64;
        struct device_op_config *op = scenario_device_add_op(d, "aes-gcm-enc");
        op->has_service = true;
        op->service = (struct dist){.kind = DIST_EXPONENTIAL, .a = SERVICE_NS};
        struct workload_class_config *c = scenario_add_class(s, "mm8");
        const char *chain[] = {"aes-gcm-enc"};
        scenario_class_set_chain(c, chain, 1);
        c->arrival.process = ARRIVAL_POISSON;
        c->arrival.rate = ARRIVALS;
        c->size = (struct dist){.kind = DIST_CONSTANT, .a = 64};
        if (scenario_prepare(s, &why) < 0) {
                fprintf(stderr, "bench_mm8: %s\n", why.msg);
                return -1;
        }
        return 0;
}

static void core(uint64_t duration_ns, struct figures *f)
{
        struct scenario s;
        struct sim_results r;
        struct sim_error err;
        if (mm8_scenario(&s, duration_ns) < 0)
                return;
        double t0 = seconds(), c0 = cpu_seconds();
        if (sim_run(&s, 0, &r, &err) < 0) {
                fprintf(stderr, "bench_mm8: %s\n", err.msg);
                scenario_free(&s);
                return;
        }
        double wall = seconds() - t0, cpu = cpu_seconds() - c0;
        f->requests_per_s = (double)r.all.completed / wall;
        f->cpu_requests_per_s = (double)r.all.completed / cpu;
        f->events_per_s = (double)r.events / wall;
        f->mean_ns = r.latency.mean;
        f->ok = 1;
        sim_results_free(&r);
        scenario_free(&s);
}

/* ---- measuring in a child ------------------------------------------------- */

struct mm8_job {
        void (*fn)(uint64_t, struct figures *);
        uint64_t duration_ns;
};

static void measure_job(void *ctx, void *out)
{
        const struct mm8_job *j = ctx;
        j->fn(j->duration_ns, out);
}

static struct figures measure(void (*fn)(uint64_t, struct figures *), uint64_t duration_ns)
{
        struct figures f = {0};
        struct mm8_job j = {fn, duration_ns};
        if (bench_in_child(measure_job, &j, &f, sizeof(f), &f.rss_mib) < 0)
                f.ok = 0;
        return f;
}

/* Medians of n measurements (n <= RUNS). */
static struct figures medians(const struct figures *f, int n)
{
        double rq[RUNS], ev[RUNS], rss[RUNS], mean[RUNS];
        struct figures m = {.ok = 1};
        for (int i = 0; i < n; i++) {
                if (!f[i].ok)
                        m.ok = 0;
                rq[i] = f[i].requests_per_s;
                ev[i] = f[i].events_per_s;
                rss[i] = f[i].rss_mib;
                mean[i] = f[i].mean_ns;
        }
        m.requests_per_s = bench_median(rq, (size_t)n);
        m.events_per_s = bench_median(ev, (size_t)n);
        m.rss_mib = bench_median(rss, (size_t)n);
        m.mean_ns = bench_median(mean, (size_t)n);
        return m;
}

/* Mean sojourn of M/M/c (Erlang C), for the sanity column. */
static double mmc_mean_ns(void)
{
        return queueing_mmc_mean(LANES, ARRIVALS * 1e-9, 1 / SERVICE_NS);
}

static void row(const char *name, const struct figures *f)
{
        printf("%-26s %10.2f %10.2f %10.1f %10.0f%s\n", name, f->requests_per_s / 1e6,
               f->events_per_s / 1e6, f->rss_mib, f->mean_ns, f->ok ? "" : "  (FAILED)");
}

int main(void)
{
        double load0 = bench_load_average();
        printf("M/M/8, rho %.1f, service 1 us, arrivals %.1f M/s; %.2f s simulated "
               "(medians of %d runs, %d of the 10x run)\n",
               RHO, ARRIVALS / 1e6, (double)BASE_NS * 1e-9, RUNS, LONG_RUNS);
        printf("%-26s %10s %10s %10s %10s\n", "", "Mreq/s", "Mevents/s", "RSS MiB", "mean ns");
        /* The bare loops and the core alternate, so that all see the same
         * load from whatever else the machine runs; each ratio is the
         * median of the rounds' ratios. */
        struct figures fb[RUNS], fz[RUNS], fc[RUNS], fl[RUNS];
        double ratios[RUNS], zratios[RUNS], zspeed[RUNS], cratios[RUNS], czratios[RUNS];
        for (int i = 0; i < RUNS; i++) {
                fb[i] = measure(bare, BASE_NS);
                fz[i] = measure(bare_zig, BASE_NS);
                fc[i] = measure(core, BASE_NS);
                ratios[i] = fc[i].requests_per_s / fb[i].requests_per_s;
                zratios[i] = fc[i].requests_per_s / fz[i].requests_per_s;
                zspeed[i] = fz[i].requests_per_s / fb[i].requests_per_s;
                cratios[i] = fc[i].cpu_requests_per_s / fb[i].cpu_requests_per_s;
                czratios[i] = fc[i].cpu_requests_per_s / fz[i].cpu_requests_per_s;
        }
        for (int i = 0; i < LONG_RUNS; i++)
                fl[i] = measure(core, 10 * BASE_NS);
        struct figures b = medians(fb, RUNS), z = medians(fz, RUNS), c = medians(fc, RUNS),
                       l = medians(fl, LONG_RUNS);
        row("bare heap + GSL draws", &b);
        row("bare heap + ziggurat", &z);
        row("full core", &c);
        row("full core, 10x longer", &l);
        printf("%-26s %10s %10s %10s %10.0f\n", "theory (Erlang C)", "", "", "", mmc_mean_ns());
        double ratio = bench_median(ratios, RUNS), zratio = bench_median(zratios, RUNS),
               speed = bench_median(zspeed, RUNS), cratio = bench_median(cratios, RUNS),
               czratio = bench_median(czratios, RUNS);
        double growth = (l.rss_mib - c.rss_mib) / c.rss_mib;
        printf("core / bare (GSL draws) requests per second: %.3f (target >= 0.5)%s\n", ratio,
               ratio >= 0.5 ? "" : "  BELOW TARGET");
        printf("core / bare (ziggurat) requests per second: %.3f\n", zratio);
        printf("bare ziggurat / bare GSL: %.3f\n", speed);
        printf("per CPU second instead of wall: core / bare (GSL) %.3f, core / bare (ziggurat) "
               "%.3f\n",
               cratio, czratio);
        printf("peak RSS growth, 10x longer run: %+.1f%% (%+.0f KiB; limit 10%%)%s\n", 100 * growth,
               1024 * (l.rss_mib - c.rss_mib), growth <= 0.10 ? "" : "  OVER LIMIT");
        printf("bench_mm8: core/bare(GSL) %.3f, core/bare(ziggurat) %.3f, "
               "bare ziggurat/GSL %.3f (CPU time: %.3f, %.3f); core %.2f Mreq/s; medians of %d "
               "rounds; load average %.2f -> %.2f\n",
               ratio, zratio, speed, cratio, czratio, c.requests_per_s / 1e6, RUNS, load0,
               bench_load_average());
        return b.ok && z.ok && c.ok && l.ok ? 0 : 1;
}

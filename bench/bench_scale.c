/*
 * bench_scale.c - the simulator at scale (issue 13): bench/scale.yaml,
 * 4096 devices and 10^5 flows with a burst that puts 10^6 requests in
 * flight at once, its wall time and peak RSS; the same scenario with a
 * tenth and a thousandth of the burst, to show that memory follows what
 * is held; and bench/scale-deep.yaml, queue.depth 10^6 over 100 devices
 * at rho 0.9, to show that a configured bound costs nothing.
 *
 * Each measurement runs in a child process (fork) so that its peak RSS
 * (the child's getrusage, ru_maxrss) is its own; the cases alternate
 * within each round so a change of the machine's load hits all of them.
 * Printed: the most requests outstanding at once (the run's own count),
 * the wall time of loading and of the run, the run's CPU time, the peak
 * RSS, events per CPU second, medians of RUNS rounds; the RSS ratio of the 10^6 and 10^5 runs
 * beside the ratio of what they held, and the bytes each extra request held cost.
 *
 * Usage: bench_scale [SOURCE_DIR] (default: the working directory, as
 * make bench runs it from the top of the tree).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench_util.h"
#include "sim/load/scenario_load.h"
#include "sim/run/run.h"

#define RUNS 3

struct figures {
        double load_s;          /* scenario_load: parse, check (names of 4096), prepare */
        double run_s;           /* sim_run: build, arrivals, drain, results */
        double run_cpu_s;       /* its CPU time (the process's): less hit by load */
        double rss_mib;         /* peak RSS of the child */
        uint64_t max_in_flight; /* most requests outstanding at once */
        uint64_t completed;
        uint64_t events;
        int ok;
};

struct scale_case {
        const char *label;
        const char *file; /* under the source directory */
        const char *set;  /* one --set, or NULL */
};

static const struct scale_case cases[] = {
    {"4096 devices, burst 1G/s (10^6)", "bench/scale.yaml", NULL},
    {"4096 devices, burst 100M/s (10^5)", "bench/scale.yaml", "workload.burst.arrival.rate=100M/s"},
    {"4096 devices, burst 1M/s (10^3)", "bench/scale.yaml", "workload.burst.arrival.rate=1M/s"},
    {"depth 10^6 x 100 devices, rho 0.9", "bench/scale-deep.yaml", NULL},
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static double clock_s(clockid_t which)
{
        struct timespec ts;
        clock_gettime(which, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double seconds(void)
{
        return clock_s(CLOCK_MONOTONIC);
}

/* In the child: load and run one case into *f. */
static void measure(const char *dir, const struct scale_case *c, struct figures *f)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, c->file);
        const char *sets[1] = {c->set};
        struct diag dg;
        struct scenario s;
        struct sim_results r;
        struct sim_error err = {""};
        diag_init(&dg);
        double t0 = seconds();
        if (scenario_load(path, sets, c->set ? 1 : 0, &dg, &s) < 0) {
                diag_print(&dg, stderr);
                diag_free(&dg);
                return;
        }
        double t1 = seconds(), c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        diag_free(&dg);
        if (sim_run(&s, 0, &r, &err) < 0) {
                fprintf(stderr, "bench_scale: %s: %s\n", path, err.msg);
                scenario_free(&s);
                return;
        }
        double t2 = seconds(), c2 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        f->load_s = t1 - t0;
        f->run_s = t2 - t1;
        f->run_cpu_s = c2 - c1;
        f->max_in_flight = r.max_in_flight;
        f->completed = r.all.completed;
        f->events = r.events;
        f->ok =
            r.all.submitted == r.all.completed + r.all.failed + r.all.rejected && !r.drain_capped;
        if (!f->ok)
                fprintf(stderr, "bench_scale: %s: not every request accounted for\n", path);
        sim_results_free(&r);
        scenario_free(&s);
}

struct scale_job {
        const char *dir;
        const struct scale_case *c;
};

static void measure_job(void *ctx, void *out)
{
        const struct scale_job *j = ctx;
        measure(j->dir, j->c, out);
}

/* Runs one case in a child process; returns its figures (ok 0 on failure). */
static struct figures in_child(const char *dir, const struct scale_case *c)
{
        struct figures f = {0};
        struct scale_job j = {dir, c};
        if (bench_in_child(measure_job, &j, &f, sizeof(f), &f.rss_mib) < 0)
                memset(&f, 0, sizeof(f));
        return f;
}

int main(int argc, char **argv)
{
        const char *dir = argc > 1 ? argv[1] : ".";
        static struct figures f[NCASES][RUNS];
        for (size_t round = 0; round < RUNS; round++)
                for (size_t i = 0; i < NCASES; i++) {
                        f[i][round] = in_child(dir, &cases[i]);
                        if (!f[i][round].ok) {
                                fprintf(stderr, "bench_scale: %s failed\n", cases[i].label);
                                return 1;
                        }
                }
        printf("scale: bench/scale.yaml (4096 devices, 10^5 flows, flow order) and "
               "bench/scale-deep.yaml; medians of %d rounds, each run in its own process\n",
               RUNS);
        printf("%-36s %10s %7s %7s %7s %8s %10s\n", "", "in flight", "load s", "run s", "cpu s",
               "RSS MiB", "Mevents/s");
        double rss[NCASES], held[NCASES];
        for (size_t i = 0; i < NCASES; i++) {
                double load[RUNS], run[RUNS], cpu[RUNS], mib[RUNS], eps[RUNS];
                for (size_t k = 0; k < RUNS; k++) {
                        load[k] = f[i][k].load_s;
                        run[k] = f[i][k].run_s;
                        cpu[k] = f[i][k].run_cpu_s;
                        mib[k] = f[i][k].rss_mib;
                        eps[k] = (double)f[i][k].events / f[i][k].run_cpu_s / 1e6;
                }
                /* the same scenario and seed: the same count every round */
                held[i] = (double)f[i][0].max_in_flight;
                rss[i] = bench_median(mib, RUNS);
                printf("%-36s %10.0f %7.3f %7.2f %7.2f %8.1f %10.2f\n", cases[i].label, held[i],
                       bench_median(load, RUNS), bench_median(run, RUNS), bench_median(cpu, RUNS),
                       rss[i], bench_median(eps, RUNS));
        }
        printf("peak RSS 10^6 / 10^5 in flight: %.2fx (requests held: %.2fx)\n", rss[0] / rss[1],
               held[0] / held[1]);
        printf("RSS per request held beyond the 10^3 run: %.0f bytes (10^6), %.0f bytes (10^5)\n",
               (rss[0] - rss[2]) * 1048576.0 / (held[0] - held[2]),
               (rss[1] - rss[2]) * 1048576.0 / (held[1] - held[2]));
        double la[3] = {0};
        FILE *lf = fopen("/proc/loadavg", "r");
        if (lf) {
                if (fscanf(lf, "%lf %lf %lf", &la[0], &la[1], &la[2]) != 3)
                        la[0] = la[1] = la[2] = 0;
                fclose(lf);
        }
        printf("load average: %.2f %.2f %.2f\n", la[0], la[1], la[2]);
        return 0;
}

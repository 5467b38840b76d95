/*
 * sim/cli/run.c - `acsim run`: load and check the scenario, run its
 * replications, print the summary table, write the result directory.
 *
 * Nothing is written until the scenario has loaded and every replication
 * has run; the directory then appears whole (sim/results/result_dir.h), with the
 * scenario file's bytes as they were loaded and the --set assignments
 * (sim/run/provenance.h). Exit
 * status: 2 for bad usage or input (nothing written), 1 when a run failed
 * (the drain hit its cap with requests unfinished, or the counts do not
 * add up; the results are written so the failure can be studied), else 0.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/load/diag.h"
#include "sim/run/replicate.h"
#include "sim/report/text.h"
#include "sim/results/result_dir.h"
#include "sim/run/scenario.h"
#include "sim/load/scenario_load.h"

struct run_args {
        const char *scenario;      /* the file */
        const char *output;        /* -o, or NULL for results/<name> */
        struct cli_overrides over; /* --seed, --set */
        bool has_replication;
        unsigned long long replication;
        unsigned long long jobs; /* -j: replications at once; 0: the online CPUs */
        bool quiet;
        bool trace;         /* --trace: as run.trace: true */
        char pathbuf[4096]; /* where a bare scenario name is resolved */
};

/* ---- the progress line ------------------------------------------------- */

#define PROGRESS_EVERY_S 0.25 /* at most four refreshes a second */

struct progress_line {
        double started;   /* wall clock at the first report */
        double last;      /* wall clock of the last refresh */
        size_t n;         /* replications */
        double *within;   /* n: how far each one is through its arrivals, 0 to 1 */
        uint64_t *events; /* n: events each one has fired */
        bool shown;       /* a line is on the terminal */
};

static double wall_now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The progress of every replication at once, however many run side by
 * side: runs done and running, the simulated time of the lowest running
 * one, the events per second over all of them and the time left. Called
 * by one thread at a time (replications_run_jobs). */
static void progress_report(void *ctx, size_t index, size_t n, uint64_t now_ns, uint64_t end_ns,
                            uint64_t events)
{
        struct progress_line *p = ctx;
        double now = wall_now();
        if (index >= p->n)
                return;
        p->within[index] =
            end_ns ? (double)(now_ns < end_ns ? now_ns : end_ns) / (double)end_ns : 1;
        p->events[index] = events;
        if (p->started == 0) {
                p->started = p->last = now;
                return;
        }
        if (now - p->last < PROGRESS_EVERY_S)
                return;
        p->last = now;
        double sum = 0;
        uint64_t fired = 0;
        size_t done = 0, running = 0, lowest = n;
        for (size_t i = 0; i < p->n; i++) {
                sum += p->within[i];
                fired += p->events[i];
                if (p->within[i] >= 1)
                        done++;
                else if (p->within[i] > 0 || p->events[i] > 0) {
                        running++;
                        lowest = lowest < i ? lowest : i;
                }
        }
        double frac = sum / (double)n;
        double elapsed = now - p->started;
        double rate = elapsed > 0 ? (double)fired / elapsed : 0;
        char t[32], end[32], ev[32], left[32];
        double shown_ns = lowest < n ? p->within[lowest] * (double)end_ns : (double)now_ns;
        report_text_time(t, sizeof(t), shown_ns);
        report_text_time(end, sizeof(end), (double)end_ns);
        report_text_rate(ev, sizeof(ev), rate, "");
        if (frac > 0.01)
                report_text_time(left, sizeof(left), 1e9 * elapsed * (1 - frac) / frac);
        else
                snprintf(left, sizeof(left), "?");
        char line[256];
        if (n > 1)
                snprintf(line, sizeof(line),
                         "runs %zu done, %zu running of %zu  sim %s of %s  %s events/s  %s left",
                         done, running, n, t, end, ev, left);
        else
                snprintf(line, sizeof(line), "sim %s of %s  %s events/s  %s left", t, end, ev,
                         left);
        fprintf(stderr, "\r%-79.79s", line);
        fflush(stderr);
        p->shown = true;
}

static void progress_clear(struct progress_line *p)
{
        if (p->shown)
                fprintf(stderr, "\r%79s\r", "");
        p->shown = false;
        free(p->within);
        free(p->events);
        p->within = NULL;
        p->events = NULL;
}

/* ---- arguments ------------------------------------------------------------ */

/* Takes --replication I: an index below 2^32 - 1. */
static int take_replication(const char *value, void *out)
{
        struct run_args *a = out;
        if (cli_parse_u64(value, &a->replication) < 0 || a->replication >= UINT32_MAX)
                return -1;
        a->has_replication = true;
        return 0;
}

/* Takes -j JOBS: 1 to 1024. */
static int take_jobs(const char *value, void *out)
{
        unsigned long long *jobs = out;
        return cli_parse_u64(value, jobs) < 0 || *jobs == 0 || *jobs > 1024 ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
        const struct cli_option options[] = {
            {"--jobs", "-j", .check = take_jobs, .out = &a->jobs,
             .expected = "-j: expected 1..1024", .glued = true},
            {"--output", "-o", .value = &a->output},
            {"--replication", .check = take_replication, .out = a,
             .expected = "--replication: expected an index"},
            {"--quiet", "-q", .flag = &a->quiet},
            {"--trace", .flag = &a->trace},
            {0},
        };
        const struct cli_operands scenario = {&a->scenario, 1, 1, "one scenario only",
                                              "which scenario? (acsim run SCENARIO.yaml)"};
        int status = cli_parse("run", options, &a->over, &scenario, argc, argv);
        if (status == CLI_OK)
                a->scenario = cli_scenario_path(a->scenario, a->pathbuf, sizeof(a->pathbuf));
        return status;
}

/* ---- the command ---------------------------------------------------------- */

/* run.precision: where each metric got to, and whether the run stopped
 * at its targets or at the cap. */
static void print_precision(const struct replications *r)
{
        const struct rep_precision *p = &r->precision;
        printf("precision: %s after %zu replication%s (cap %u)\n",
               p->reached ? "every target reached" : "NOT reached, stopped at the cap", r->n,
               r->n == 1 ? "" : "s", p->cap);
        for (size_t i = 0; i < p->ntargets; i++) {
                const struct scenario_precision_target *t = &p->targets[i];
                if (t->relative)
                        printf("  %s: 95%% half-width %.3g%% of the mean, target %.3g%%\n",
                               t->metric, 100 * p->achieved[i], 100 * t->half_width);
                else
                        printf("  %s: 95%% half-width %.6g, target %.6g\n", t->metric,
                               p->achieved[i], t->half_width);
        }
}

static int run_loaded(const struct run_args *a, struct scenario *sc)
{
        char outbuf[4096];
        struct sim_error e;
        const char *out = a->output;
        if (out == NULL) {
                snprintf(outbuf, sizeof(outbuf), "results/%s", sc->name ? sc->name : "scenario");
                out = outbuf;
        }
        if (result_dir_check(out, &e) < 0) {
                fprintf(stderr, "acsim run: %s\n", e.msg);
                return CLI_USAGE;
        }
        if (a->over.has_seed)
                sc->seed = a->over.seed;
        if (a->trace)
                sc->run.trace = true;
        uint32_t first = 0, n = sc->run.replications ? sc->run.replications : 1;
        if (a->has_replication) {
                first = (uint32_t)a->replication;
                n = 1;
                sc->run.nprecision = 0; /* that one replication alone */
        }
        double rows =
            sc->run.trace
                ? scenario_trace_rows(sc, sc->run.nprecision ? scenario_most_replications(sc) : n)
                : 0;
        if (rows > SCENARIO_MAX_TRACE_ROWS) {
                fprintf(stderr,
                        "acsim run: %s: --trace: expected at most 1e8 rows of trace.csv, about 6 "
                        "GB (the lesser of run.trace_limit and the arrivals of a replication, x "
                        "replications), got about %.3g\n",
                        a->scenario, rows);
                return CLI_USAGE;
        }

        struct progress_line line = {.n = n};
        struct rep_progress progress = {progress_report, &line};
        bool show = !a->quiet && isatty(STDERR_FILENO);
        if (show) {
                line.within = calloc(n, sizeof(*line.within));
                line.events = calloc(n, sizeof(*line.events));
                show = line.within && line.events;
        }
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        unsigned jobs = a->jobs ? (unsigned)a->jobs : cpus > 0 ? (unsigned)cpus : 1;
        struct replications r;
        enum sim_outcome o =
            replications_run_jobs(sc, first, n, jobs, show ? &progress : NULL, &r, &e);
        progress_clear(&line);
        if (o != SIM_OK) {
                fprintf(stderr, "acsim run: %s: %s\n", a->scenario, e.msg);
                return cli_exit_status(o);
        }
        if (r.precision.on && !a->quiet)
                print_precision(&r);
        if (provenance_fill(&r.origin, a->scenario, sc, a->over.sets, a->over.nsets, NULL, 0) < 0) {
                fprintf(stderr, "acsim run: out of memory\n");
                replications_free(&r);
                return CLI_FAILED;
        }
        return cli_finish_runs("run", out, &r, a->quiet);
}

static int run_main(int argc, char **argv)
{
        struct run_args a = {0};
        int status = parse_args(argc, argv, &a);
        if (status != CLI_OK)
                return status;
        struct diag dg;
        struct scenario sc;
        diag_init(&dg);
        if (scenario_load(a.scenario, a.over.sets, a.over.nsets, &dg, &sc) == 0) {
                diag_free(&dg);
                status = run_loaded(&a, &sc);
                scenario_free(&sc);
        } else {
                status = cli_load_failed("run", a.scenario, &dg);
        }
        free(a.over.sets);
        return status;
}

CLI_COMMAND(run, "run a scenario, print the summary, write the result directory",
            "Usage: acsim run SCENARIO.yaml [-o DIR] [--seed N] [--set KEY=VALUE]...\n"
            "                 [-j JOBS] [--replication I] [--trace] [--quiet]\n"
            "\n"
            "Runs the scenario's replications (run.replications), prints a summary\n"
            "table and writes DIR/summary.json with CSVs beside it and scenario.yaml,\n"
            "a copy of the scenario file as loaded (docs/results.md). The table and\n"
            "summary.json name the --set assignments: with the seed they reproduce\n"
            "the run from DIR/scenario.yaml.\n"
            "SCENARIO may also be a bare name from the scenario directory\n"
            "($ACSIM_SCENARIOS, else ./scenarios): 'acsim run default'.\n"
            "\n"
            "  -o, --output DIR   where to write (default results/<name>); an existing\n"
            "                     DIR is replaced only if it is a result directory\n"
            "  --seed N           the scenario seed (overrides `seed:`)\n"
            "  --set KEY=VALUE    override one scenario value by its key path, as in\n"
            "                     a sweep: --set run.duration=100ms\n"
            "                     --set engine.policy=round-robin (repeatable)\n"
            "  -j, --jobs JOBS    replications run at once, each on its own thread\n"
            "                     (default: the online CPUs); the results are the\n"
            "                     same bytes for every JOBS, wall times aside\n"
            "  --replication I    run only replication I (reproduces it alone)\n"
            "  -q, --quiet        print no table and no progress, only errors\n"
            "  --trace            write trace.csv, a row per request (as run.trace: true;\n"
            "                     at most run.trace_limit requests per replication)\n"
            "\n"
            "The first lines of the table give the seed that reproduces the run. A\n"
            "progress line goes to stderr when it is a terminal.\n"
            "\n"
            "Exit status: 0 success (requests may fail by design); 1 the run failed:\n"
            "the drain hit its cap with requests unfinished, or the counts do not add\n"
            "up (results are still written); 2 bad usage or bad input, nothing written.\n");

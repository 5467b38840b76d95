/*
 * sim/cli/sweep.c - `acsim sweep`: every point of a scenario's sweep as
 * an independent job on -j worker processes, then the sweep's manifest,
 * CSV and comparison table assembled from the points' summary.json files.
 *
 * Doors for running elsewhere: --list prints the points, --points runs a
 * subset (on one machine of many), --merge assembles what the points
 * wrote. Everything is checked (every point loaded) before anything runs;
 * bad input exits 2 with nothing written.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/load/scenario_load.h"
#include "sim/results/in_place.h"
#include "sim/sweep/sweep.h"
#include "sim/sweep/collect.h"
#include "sim/sweep/table.h"

struct sweep_args {
        const char *scenario;      /* the file */
        const char *output;        /* -o, or NULL for results/<name>-sweep */
        struct cli_overrides over; /* --seed, --set */
        unsigned long long jobs;   /* 0: the online CPUs */
        const char *points;        /* --points LIST, or NULL for all */
        const char *baseline;      /* --baseline NAME, or NULL for the first policy */
        bool merge;
        bool list;
        bool quiet;
        char pathbuf[4096]; /* where a bare scenario name is resolved */
};

/* Takes -j JOBS: 1 to 1024. */
static int take_jobs(const char *value, void *out)
{
        unsigned long long *jobs = out;
        return cli_parse_u64(value, jobs) < 0 || *jobs == 0 || *jobs > 1024 ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct sweep_args *a)
{
        const struct cli_option options[] = {
            {"--jobs", "-j", .check = take_jobs, .out = &a->jobs,
             .expected = "-j: expected 1..1024", .glued = true},
            {"--output", "-o", .value = &a->output},
            {"--points", .value = &a->points},
            {"--baseline", .value = &a->baseline},
            {"--merge", .flag = &a->merge},
            {"--list", .flag = &a->list},
            {"--quiet", "-q", .flag = &a->quiet},
            {0},
        };
        const struct cli_operands scenario = {&a->scenario, 1, 1, "one scenario only",
                                              "which scenario? (acsim sweep SCENARIO.yaml)"};
        int status = cli_parse("sweep", options, &a->over, &scenario, argc, argv);
        if (status == CLI_OK && a->merge && a->points) {
                free(a->over.sets);
                status = cli_usage_error("sweep", "--merge assembles every point; drop --points");
        }
        if (status == CLI_OK)
                a->scenario = cli_scenario_path(a->scenario, a->pathbuf, sizeof(a->pathbuf));
        return status;
}

/* ---- progress ------------------------------------------------------------------ */

static void point_done(void *ctx, size_t point, enum sim_outcome o, size_t finished, size_t total)
{
        const struct sweep_plan *p = ctx;
        fprintf(stderr, "[%zu/%zu] %s%s\n", finished, total, p->points[point].dir,
                o == SIM_OK       ? ""
                : o == SIM_FAILED ? "  FAILED"
                                  : "  ERROR");
}

static void point_failed(void *ctx, const struct sim_error *e)
{
        fprintf(stderr, "acsim sweep: %s\n", e->msg);
}

static void point_unloaded(void *ctx, const struct diag *dg)
{
        diag_print(dg, stderr);
}

/* ---- the sweep's own files ----------------------------------------------------- */

enum sweep_file { FILE_MANIFEST, FILE_CSV, FILE_TABLE, FILE_SCENARIO };

/* What one of the sweep's own files is written from. */
struct sweep_file_ctx {
        enum sweep_file which;
        const struct sweep_plan *p;
        const struct sweep_collection *c;
};

static int write_one(FILE *f, void *ctx)
{
        const struct sweep_file_ctx *w = ctx;
        const struct sweep_plan *p = w->p;
        if (w->which == FILE_CSV)
                return sweep_write_csv(f, p, w->c);
        if (w->which == FILE_SCENARIO) {
                size_t len = p->base.source_len;
                return p->base.source && fwrite(p->base.source, 1, len, f) == len ? 0 : -1;
        }
        if (w->which == FILE_TABLE) {
                sweep_table_print(f, p, w->c);
                return ferror(f) ? -1 : 0;
        }
        json_t *m = sweep_manifest(p, w->c);
        int rc = m ? json_dumpf(m, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : -1;
        json_decref(m);
        if (rc == 0 && fputc('\n', f) == EOF)
                rc = -1;
        return rc;
}

/* Writes OUT/name whole (sim/results/in_place.h). Returns 0 or -1 with a
 * message on stderr. */
static int write_file(const char *out, const char *name, enum sweep_file which,
                      const struct sweep_plan *p, const struct sweep_collection *c)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", out, name);
        struct sweep_file_ctx w = {which, p, c};
        struct sim_error e;
        if (in_place_file(path, write_one, &w, &e) < 0) {
                fprintf(stderr, "acsim sweep: %s\n", e.msg);
                return -1;
        }
        return 0;
}

static int assemble(const struct sweep_args *a, const struct sweep_plan *p, const char *out,
                    int status)
{
        struct sim_error e;
        struct sweep_collection c;
        if (sweep_collect(p, out, a->baseline, &c, &e) < 0) {
                fprintf(stderr, "acsim sweep: %s\n", e.msg);
                return a->merge ? CLI_USAGE : CLI_FAILED;
        }
        if (write_file(out, SWEEP_MANIFEST, FILE_MANIFEST, p, &c) ||
            write_file(out, SWEEP_CSV, FILE_CSV, p, &c) ||
            write_file(out, SWEEP_COMPARISON, FILE_TABLE, p, &c) ||
            (p->base.source && write_file(out, SWEEP_SCENARIO, FILE_SCENARIO, p, &c))) {
                sweep_collection_free(&c);
                return CLI_USAGE;
        }
        if (c.failure) {
                fprintf(stderr, "acsim sweep: FAILURE: a run failed at some point (marked '!')\n");
                status = CLI_FAILED;
        }
        if (!a->quiet) {
                sweep_table_print(stdout, p, &c);
                printf("results: %s/\n", out);
        }
        sweep_collection_free(&c);
        return status;
}

/* ---- the command ---------------------------------------------------------------- */

static int sweep_planned(const struct sweep_args *a, const struct sweep_plan *p)
{
        const struct scenario *s = &p->base;
        if (a->baseline) {
                if (p->policy_key == SWEEP_NO_KEY)
                        return cli_usage_error("sweep",
                                               "--baseline: the sweep does not vary %s, so "
                                               "there is nothing to pair",
                                               SWEEP_POLICY_KEY);
                if (sweep_value_index(p, p->policy_key, a->baseline) == SWEEP_NO_KEY)
                        return cli_usage_error("sweep", "--baseline %s: not in the %s list",
                                               a->baseline, SWEEP_POLICY_KEY);
        }
        if (a->list) {
                for (size_t q = 0; q < p->npoints; q++) {
                        char label[1024];
                        scenario_sweep_label(s, q, label, sizeof(label));
                        printf("%zu %s %s\n", q, p->points[q].dir, label);
                }
                return CLI_OK;
        }
        char outbuf[4096];
        struct sim_error e;
        const char *out = a->output;
        if (out == NULL) {
                snprintf(outbuf, sizeof(outbuf), "results/%s-sweep", s->name);
                out = outbuf;
        }
        if (sweep_dir_check(out, &e) < 0) {
                fprintf(stderr, "acsim sweep: %s\n", e.msg);
                return CLI_USAGE;
        }
        bool *chosen = NULL;
        if (a->points) {
                chosen = calloc(p->npoints, sizeof(*chosen));
                if (chosen == NULL)
                        return CLI_FAILED;
                if (sweep_parse_points(a->points, p->npoints, chosen, &e) < 0) {
                        free(chosen);
                        return cli_usage_error("sweep", "%s", e.msg);
                }
        }
        if (a->merge)
                return assemble(a, p, out, CLI_OK);

        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        unsigned jobs = a->jobs ? (unsigned)a->jobs : cpus > 0 ? (unsigned)cpus : 1;
        bool show = !a->quiet && isatty(STDERR_FILENO);
        struct sweep_hooks hooks = {show ? point_done : NULL, point_failed, point_unloaded,
                                    (void *)p};
        int status = cli_exit_status(sweep_run(p, out, chosen, jobs, &hooks));
        size_t nchosen = 0;
        for (size_t q = 0; chosen && q < p->npoints; q++)
                nchosen += chosen[q];
        free(chosen);
        if (status == CLI_USAGE)
                return status;
        if (a->points) {
                if (!a->quiet)
                        printf("%zu of %zu points written to %s/; when every point is there:\n"
                               "acsim sweep %s --merge -o %s (with the same --set and --seed)\n",
                               nchosen, p->npoints, out, a->scenario, out);
                return status;
        }
        return assemble(a, p, out, status);
}

static int sweep_main(int argc, char **argv)
{
        struct sweep_args a = {0};
        int status = parse_args(argc, argv, &a);
        if (status != CLI_OK)
                return status;
        struct diag dg;
        struct sweep_plan p;
        diag_init(&dg);
        if (sweep_plan_load(&p, a.scenario, a.over.sets, a.over.nsets, a.over.has_seed, a.over.seed,
                            &dg) != 0) {
                status = cli_load_failed("sweep", a.scenario, &dg);
        } else {
                diag_free(&dg);
                status = sweep_planned(&a, &p);
                sweep_plan_free(&p);
        }
        free(a.over.sets);
        return status;
}

CLI_COMMAND(sweep, "run every point of a scenario's sweep and compare the policies",
            "Usage: acsim sweep SCENARIO.yaml [-o DIR] [-j JOBS] [--seed N]\n"
            "                   [--set KEY=VALUE]... [--baseline POLICY]\n"
            "                   [--points LIST | --merge | --list] [--quiet]\n"
            "\n"
            "Runs every point of the cross product of the scenario's `sweep` lists,\n"
            "each as `acsim run` would (all of run.replications), in parallel, and\n"
            "writes DIR/pNNN-LABEL/ per point (a result directory), DIR/sweep.json\n"
            "(the points), DIR/sweep.csv (a row per point) and DIR/comparison.txt,\n"
            "the table it prints: per point each policy's mean and p99 latency and\n"
            "throughput with 95% confidence half-widths, and the paired difference\n"
            "from the baseline policy (docs/results.md, \"Sweeps\").\n"
            "\n"
            "Every point's replications run the seeds sim_rng_derive(seed, i), so\n"
            "every policy at a point sees the same requests, wherever it runs.\n"
            "\n"
            "  -o, --output DIR     where to write (default results/<name>-sweep); an\n"
            "                       existing DIR must hold nothing but a sweep's files\n"
            "  -j, --jobs JOBS      points run at once, each in its own process\n"
            "                       (default: the online CPUs)\n"
            "  --seed N             the scenario seed (overrides `seed:`)\n"
            "  --set KEY=VALUE      override one value at every point (repeatable)\n"
            "  --baseline POLICY    the policy the others are compared with (default\n"
            "                       the first of the engine.policy list)\n"
            "  --list               print the points: index, directory, assignments\n"
            "  --points LIST        run only these points (e.g. 3,5-7) and write their\n"
            "                       directories, for a cluster; nothing is assembled\n"
            "  --merge              run nothing: assemble sweep.json, sweep.csv and\n"
            "                       comparison.txt from the point directories in DIR\n"
            "  -q, --quiet          print no table and no progress, only errors\n"
            "\n"
            "A line per finished point goes to stderr when it is a terminal.\n"
            "\n"
            "Exit status: 0 success; 1 a point's run failed (as for acsim run; the\n"
            "results are written); 2 bad usage or bad input (every point is loaded\n"
            "and checked first: nothing is written), or --merge with points missing.\n");

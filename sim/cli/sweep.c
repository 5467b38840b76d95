/*
 * sim/cli/sweep.c - `acsim sweep`: every point of a scenario's sweep as
 * an independent job on -j worker processes, then the sweep's manifest,
 * CSV and comparison table assembled from the points' summary.json files.
 *
 * Doors for running elsewhere: --list prints the points, --points runs a
 * subset (on one machine of many), --emit writes them as GNU parallel jobs
 * or a Slurm array (sim/sweep/emit.h), --merge assembles what the points
 * wrote. A point already there with its key (sim/sweep/key.h) is reused
 * unless --rerun. Everything is checked (every point loaded) before
 * anything runs; bad input exits 2 with nothing written. A sweep stopped
 * by SIGINT, SIGTERM or SIGHUP stops its workers and dies of the signal.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/load/limits.h"
#include "sim/load/scenario_load.h"
#include "sim/results/in_place.h"
#include "sim/results/result_dir.h"
#include "sim/sweep/sweep.h"
#include "sim/sweep/collect.h"
#include "sim/sweep/emit.h"
#include "sim/sweep/key.h"
#include "sim/sweep/saved.h"
#include "sim/sweep/table.h"

struct sweep_args {
        const char *scenario;      /* the file */
        const char *output;        /* -o, or NULL for results/<name>-sweep */
        struct cli_overrides over; /* --seed, --set */
        unsigned long long jobs;   /* 0: the online CPUs */
        const char *points;        /* --points LIST, or NULL for all */
        const char *baseline;      /* --baseline NAME, or NULL for the first policy */
        const char *emit;          /* --emit parallel|slurm, or NULL */
        unsigned long long chunk;  /* --chunk: points per emitted job; 0: 1 */
        bool merge;
        bool list;
        bool resume; /* the default; the flag says so in scripts */
        bool rerun;
        bool quiet;
        char pathbuf[4096]; /* where a bare scenario name is resolved */
};

/* Takes -j JOBS: 1 to 1024. */
static int take_jobs(const char *value, void *out)
{
        unsigned long long *jobs = out;
        return cli_parse_u64(value, jobs) < 0 || *jobs == 0 || *jobs > 1024 ? -1 : 0;
}

/* Takes --chunk K: 1 to SCENARIO_MAX_POINTS. */
static int take_chunk(const char *value, void *out)
{
        unsigned long long *chunk = out;
        return cli_parse_u64(value, chunk) < 0 || *chunk == 0 || *chunk > SCENARIO_MAX_POINTS ? -1
                                                                                              : 0;
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
            {"--emit", .value = &a->emit},
            {"--chunk", .check = take_chunk, .out = &a->chunk,
             .expected = "--chunk: expected a number of points, 1 or more"},
            {"--resume", .flag = &a->resume},
            {"--rerun", .flag = &a->rerun},
            {"--quiet", "-q", .flag = &a->quiet},
            {0},
        };
        const struct cli_operands scenario = {&a->scenario, 1, 1, "one scenario only",
                                              "which scenario? (acsim sweep SCENARIO.yaml)"};
        int status = cli_parse("sweep", options, &a->over, &scenario, argc, argv);
        const char *clash = NULL;
        if (a->merge && a->points)
                clash = "--merge assembles every point; drop --points";
        else if (a->resume && a->rerun)
                clash = "--resume reuses the points already there, --rerun runs them again: "
                        "choose one";
        else if (a->emit && strcmp(a->emit, "parallel") != 0 && strcmp(a->emit, "slurm") != 0)
                clash = "--emit: expected parallel or slurm";
        else if (a->emit && (a->merge || a->points || a->list))
                clash = "--emit writes jobs for every point; drop --merge, --points and --list";
        else if (a->chunk && !a->emit)
                clash = "--chunk sizes the jobs of --emit";
        if (status == CLI_OK && clash) {
                free(a->over.sets);
                status = cli_usage_error("sweep", "%s", clash);
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

/* ---- points that must run again --------------------------------------------------- */

/* Writes the marked points as a list "3,5-7" into buf[cap] (cut short
 * with "..." when it does not fit). Returns how many are marked. */
static size_t point_list(const bool *marked, size_t n, char *buf, size_t cap)
{
        size_t count = 0, len = 0;
        buf[0] = '\0';
        for (size_t q = 0; q < n;) {
                if (!marked[q]) {
                        q++;
                        continue;
                }
                size_t lo = q;
                while (q < n && marked[q])
                        q++;
                count += q - lo;
                char part[64];
                int w = q - 1 > lo
                            ? snprintf(part, sizeof(part), "%s%zu-%zu", len ? "," : "", lo, q - 1)
                            : snprintf(part, sizeof(part), "%s%zu", len ? "," : "", lo);
                if (len + (size_t)w + 4 < cap) {
                        memcpy(buf + len, part, (size_t)w + 1);
                        len += (size_t)w;
                } else if (len + 4 < cap && strcmp(buf + len - (len >= 3 ? 3 : 0), "...") != 0) {
                        memcpy(buf + len, "...", 4);
                        len += 3;
                }
        }
        return count;
}

/* In a merge, once sweep_collect() has found every point and found it
 * this plan's by what summary.json tells (it names a missing point or one
 * from another file or seed more precisely): refuses points whose key is
 * not this plan's (another --set or build of acsim ran them, or they were
 * cut short before their key was written). Returns CLI_OK, or CLI_USAGE
 * with a message. */
static int merge_check(const struct sweep_plan *p, const char *out)
{
        bool *stale = calloc(p->npoints, sizeof(*stale));
        if (stale == NULL)
                return CLI_FAILED;
        for (size_t q = 0; q < p->npoints; q++) {
                char path[4096];
                int len =
                    snprintf(path, sizeof(path), "%s/%s/%s", out, p->points[q].dir, RESULT_SUMMARY);
                stale[q] = len < (int)sizeof(path) && access(path, F_OK) == 0 &&
                           !sweep_key_fresh(p, out, q);
        }
        char list[512];
        size_t n = point_list(stale, p->npoints, list, sizeof(list));
        free(stale);
        if (n == 0)
                return CLI_OK;
        return cli_usage_error("sweep",
                               "%s: %zu of %zu points are stale (another scenario, --set, seed "
                               "or build of acsim wrote them, or they were cut short); run them "
                               "with --points %s",
                               out, n, p->npoints, list);
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
        int keys = a->merge ? merge_check(p, out) : CLI_OK;
        if (keys != CLI_OK) {
                sweep_collection_free(&c);
                return keys;
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
        if (c.capped) {
                fprintf(stderr,
                        "acsim sweep: FAILURE: run.precision: %zu of %zu points stopped at the "
                        "cap (max_replications %u) before their targets: see %s\n",
                        c.capped, c.npoints, p->base.run.max_replications, SWEEP_COMPARISON);
                status = CLI_FAILED;
        }
        if (!a->quiet) {
                sweep_table_print(stdout, p, &c);
                printf("results: %s/\n", out);
        }
        sweep_collection_free(&c);
        return status;
}

/* ---- jobs for a cluster -------------------------------------------------------------- */

/* What a job list is written from. */
struct jobs_ctx {
        bool slurm; /* the batch script, else the GNU parallel list */
        const struct sweep_plan *p;
        const struct sweep_emit *em;
};

static int write_jobs(FILE *f, void *ctx)
{
        const struct jobs_ctx *w = ctx;
        return w->slurm ? sweep_emit_slurm(f, w->p, w->em) : sweep_emit_parallel(f, w->p, w->em);
}

/* Makes dir if it is not there. Returns 0 or -1 with a message. */
static int make_dir(const char *dir)
{
        if (mkdir(dir, 0777) == 0 || errno == EEXIST)
                return 0;
        fprintf(stderr, "acsim sweep: %s: %s\n", dir, strerror(errno));
        return -1;
}

/* --emit: writes OUT/cluster/parallel.jobs or slurm.sbatch and says how
 * to run it. */
static int emit(const struct sweep_args *a, const struct sweep_plan *p, const char *out)
{
        char self[PATH_MAX], cwd[PATH_MAX], dir[4096], path[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n <= 0 || getcwd(cwd, sizeof(cwd)) == NULL) {
                fprintf(stderr, "acsim sweep: --emit: cannot tell where acsim or . is: %s\n",
                        strerror(errno));
                return CLI_FAILED;
        }
        self[n] = '\0';
        struct sweep_emit em = {self, cwd, a->scenario, out, a->chunk ? (size_t)a->chunk : 1};
        bool slurm = strcmp(a->emit, "slurm") == 0;
        const char *file = slurm ? SWEEP_SLURM_SCRIPT : SWEEP_PARALLEL_JOBS;
        if (snprintf(dir, sizeof(dir), "%s/%s", out, SWEEP_CLUSTER) >= (int)sizeof(dir) - 16) {
                fprintf(stderr, "acsim sweep: %s: path too long\n", out);
                return CLI_USAGE;
        }
        if (make_dir(out) < 0 || make_dir(dir) < 0)
                return CLI_USAGE;
        snprintf(path, sizeof(path), "%.4000s/%s", dir, SWEEP_CLUSTER_LOGS);
        if (slurm && make_dir(path) < 0)
                return CLI_USAGE;
        snprintf(path, sizeof(path), "%.4000s/%s", dir, file);
        struct jobs_ctx w = {slurm, p, &em};
        struct sim_error e;
        if (in_place_file(path, write_jobs, &w, &e) < 0) {
                fprintf(stderr, "acsim sweep: %s\n", e.msg);
                return CLI_USAGE;
        }
        if (slurm && chmod(path, 0755) != 0) {
                fprintf(stderr, "acsim sweep: %s: %s\n", path, strerror(errno));
                return CLI_USAGE;
        }
        if (a->quiet)
                return CLI_OK;
        size_t jobs = sweep_emit_jobs(p, &em);
        printf("%s: %zu job%s for %zu point%s; run them on the machines that share %s/:\n", path,
               jobs, jobs == 1 ? "" : "s", p->npoints, p->npoints == 1 ? "" : "s", out);
        if (slurm)
                printf("  sbatch %s\n", path);
        else
                printf(
                    "  parallel --joblog %s/parallel.log --resume-failed [-S HOST1,HOST2] < %s\n",
                    dir, path);
        printf("then, with the same --set and --seed:\n  acsim sweep %s --merge -o %s\n",
               a->scenario, out);
        return CLI_OK;
}

/* ---- the command ---------------------------------------------------------------- */

/* run.precision decides in rounds, on the paired differences of a
 * group's points, how many replications each runs: the points cannot be
 * cut into independent jobs (--emit) or subsets (--points). Refused,
 * located at run.precision, exit status 2, nothing written. */
static int refuse_split(const struct sweep_args *a, const struct sweep_plan *p)
{
        /* written in the file, or given by --set (the last one wins) */
        char given[4096];
        const char *where = a->scenario;
        for (size_t i = 0; p->base.run.precision_line == 0 && i < a->over.nsets; i++)
                if (strncmp(a->over.sets[i], "run.precision", 13) == 0 &&
                    strchr("=.", a->over.sets[i][13]) != NULL) {
                        snprintf(given, sizeof(given), "--set %s", a->over.sets[i]);
                        where = given;
                }
        struct diag dg;
        diag_init(&dg);
        diag_add(&dg, where, p->base.run.precision_line, p->base.run.precision_col, "run.precision",
                 "%s cannot run a sweep to a precision: its points run in rounds until "
                 "their paired differences are within target (docs/cluster.md); run it "
                 "on one machine, or give it a fixed run.replications",
                 a->emit ? "--emit" : "--points");
        diag_print(&dg, stderr);
        diag_free(&dg);
        return CLI_USAGE;
}

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
        if (p->precise && (a->emit || a->points))
                return refuse_split(a, p);
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
        if (a->emit)
                return emit(a, p, out);
        if (a->merge)
                return assemble(a, p, out, CLI_OK);

        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        unsigned jobs = a->jobs ? (unsigned)a->jobs : cpus > 0 ? (unsigned)cpus : 1;
        bool show = !a->quiet && isatty(STDERR_FILENO);
        struct sweep_hooks hooks = {show ? point_done : NULL, point_failed, point_unloaded,
                                    (void *)p};
        size_t reused = 0, kept = 0, keeping = 0;
        for (size_t q = 0; p->precise && !a->rerun && q < p->npoints; q++) {
                size_t n = sweep_saved_count(p, out, q);
                kept += n;
                keeping += n > 0;
        }
        if (kept && !a->quiet)
                printf("resuming: %zu replications of %zu points kept by a stopped run\n", kept,
                       keeping);
        int status = cli_exit_status(sweep_run(p, out, chosen, jobs, !a->rerun, &reused, &hooks));
        size_t nchosen = 0;
        for (size_t q = 0; q < p->npoints; q++)
                nchosen += !chosen || chosen[q];
        free(chosen);
        int sig = sweep_interrupted();
        if (sig) {
                fprintf(stderr,
                        "acsim sweep: stopped by signal %d; the finished points are kept in %s/: "
                        "the same command resumes\n",
                        sig, out);
                fflush(NULL);
                signal(sig, SIG_DFL);
                raise(sig);
                return CLI_FAILED;
        }
        if (reused && !a->quiet)
                printf("reused %zu of %zu points (their keys match; --rerun runs them again)\n",
                       reused, nchosen);
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
                size_t b = a.baseline && p.policy_key != SWEEP_NO_KEY
                               ? sweep_value_index(&p, p.policy_key, a.baseline)
                               : SWEEP_NO_KEY;
                if (b != SWEEP_NO_KEY) /* a precise plan's rounds pair against it (its keys) */
                        sweep_plan_baseline(&p, b);
                status = sweep_planned(&a, &p);
                sweep_plan_free(&p);
        }
        free(a.over.sets);
        return status;
}

CLI_COMMAND(sweep, "run every point of a scenario's sweep and compare the policies",
            "Usage: acsim sweep SCENARIO.yaml [-o DIR] [-j JOBS] [--seed N]\n"
            "                   [--set KEY=VALUE]... [--baseline POLICY]\n"
            "                   [--resume | --rerun] [--quiet]\n"
            "                   [--points LIST | --merge | --list |\n"
            "                    --emit parallel|slurm [--chunk K]]\n"
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
            "With run.precision, the points that differ only in engine.policy run\n"
            "together in rounds until each policy's paired difference from the\n"
            "baseline is within the targets, or the cap (exit status 1); see\n"
            "docs/statistics.md, \"Sweeps to a precision\". Stopped in its rounds,\n"
            "it resumes from the replications saved in DIR/keys/. --emit and\n"
            "--points refuse such a sweep.\n"
            "\n"
            "Each point has a key, a hash of what its result depends on (the scenario\n"
            "file's bytes, the --set, its values, seed and replications, acsim's\n"
            "version and build), recorded in DIR/keys/ once its directory is in\n"
            "place. Run again into the same DIR, a sweep reuses the points whose key\n"
            "matches and runs the missing and stale ones; interrupted (SIGINT,\n"
            "SIGTERM, SIGHUP, or SIGKILL), it stops its workers, leaves no half\n"
            "point, and the same command resumes it.\n"
            "\n"
            "  -o, --output DIR     where to write (default results/<name>-sweep); an\n"
            "                       existing DIR must hold nothing but a sweep's files\n"
            "  -j, --jobs JOBS      points run at once, each in its own process\n"
            "                       (default: the online CPUs)\n"
            "  --seed N             the scenario seed (overrides `seed:`)\n"
            "  --set KEY=VALUE      override one value at every point (repeatable)\n"
            "  --baseline POLICY    the policy the others are compared with (default\n"
            "                       the first of the engine.policy list)\n"
            "  --resume             reuse the points already in DIR with their key (the\n"
            "                       default)\n"
            "  --rerun              run every point again, whatever DIR holds\n"
            "  --list               print the points: index, directory, assignments\n"
            "  --points LIST        run only these points (e.g. 3,5-7) and write their\n"
            "                       directories, for a cluster; nothing is assembled\n"
            "  --merge              run nothing: assemble sweep.json, sweep.csv and\n"
            "                       comparison.txt from the point directories in DIR\n"
            "  --emit parallel      write DIR/cluster/parallel.jobs, a job per point\n"
            "                       for GNU parallel (docs/cluster.md)\n"
            "  --emit slurm         write DIR/cluster/slurm.sbatch, a Slurm job array\n"
            "                       with a task per point, output in DIR/cluster/logs/\n"
            "  --chunk K            with --emit: K points per job or task (default 1)\n"
            "  -q, --quiet          print no table and no progress, only errors\n"
            "\n"
            "A line per finished point goes to stderr when it is a terminal.\n"
            "\n"
            "Exit status: 0 success; 1 a point's run failed (as for acsim run; the\n"
            "results are written); 2 bad usage or bad input (every point is loaded\n"
            "and checked first: nothing is written), or --merge with points missing\n"
            "or stale. Stopped by a signal, it dies of that signal.\n");

/*
 * sim/cli/live.c - `acsim live`: a scenario's workload against live
 * devices (worker threads doing real crypto) in real time, measured and
 * written as `acsim run` writes a simulation (docs/live.md).
 *
 * The scenario is loaded with the live platform's vocabulary, so a device
 * operation with no live implementation is an error located at its key,
 * exit 2, nothing written. Replications run one after another. The result
 * directory is the simulator's, with a "platform" object in summary.json
 * that says it ran live, on which CPU and with which OpenSSL.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "live/crypto.h"
#include "live/run.h"
#include "sim/cli/cli.h"
#include "sim/load/diag.h"
#include "sim/load/scenario_load.h"
#include "sim/report/text.h"
#include "sim/results/result_dir.h"
#include "sim/run/replicate.h"

struct live_args {
        const char *scenario;
        const char *output;
        struct cli_overrides over;
        bool quiet;
        bool pin;
        const char *arrivals; /* --arrivals FILE, or NULL */
        char pathbuf[4096];
};

static int parse_args(int argc, char **argv, struct live_args *a)
{
        const struct cli_option options[] = {
            {"--output", "-o", .value = &a->output},
            {"--quiet", "-q", .flag = &a->quiet},
            {"--pin", NULL, .flag = &a->pin},
            {"--arrivals", NULL, .value = &a->arrivals},
            {0},
        };
        const struct cli_operands scenario = {&a->scenario, 1, 1, "one scenario only",
                                              "which scenario? (acsim live SCENARIO.yaml)"};
        int status = cli_parse("live", options, &a->over, &scenario, argc, argv);
        if (status == CLI_OK)
                a->scenario = cli_scenario_path(a->scenario, a->pathbuf, sizeof(a->pathbuf));
        return status;
}

/* The progress line: real time, requests done, time left. */
struct live_line {
        size_t index, n;
        bool shown;
};

static void progress(void *ctx, uint64_t now_ns, uint64_t end_ns, uint64_t done)
{
        struct live_line *p = ctx;
        char t[32], end[32];
        report_text_time(t, sizeof(t), (double)now_ns);
        report_text_time(end, sizeof(end), (double)end_ns);
        fprintf(stderr, "\rlive run %zu/%zu  %s of %s  %llu requests done", p->index + 1, p->n, t,
                end, (unsigned long long)done);
        fflush(stderr);
        p->shown = true;
}

static int with_platform(struct provenance *p)
{
        struct live_facts f;
        live_facts_read(&f);
        p->platform = strdup("live");
        p->cpu = strdup(f.cpu);
        p->cpus = f.cpus;
        p->crypto = strdup(f.openssl);
        return p->platform && p->cpu && p->crypto ? 0 : -1;
}

/* The mean and coefficient of variation of n values from their sum and
 * sum of squares (0 and 0 for none). */
static void moments(uint64_t n, double sum, double sq, double *mean, double *cv)
{
        *mean = n ? sum / (double)n : 0.0;
        double var = n ? sq / (double)n - *mean * *mean : 0.0;
        *cv = *mean > 0.0 && var > 0.0 ? sqrt(var) / *mean : 0.0;
}

/* {"device", "stages", "stage_ns": {"mean", "cv"}, "gap_ns", "woken",
 * "wakeup_ns": {"mean", "cv"}}: what one device's lanes gave (docs/live.md,
 * "The service a run measured"); NULL when out of memory. */
static json_t *service_json(const struct live_service *v)
{
        const struct live_ledger *l = &v->ledger;
        double held, held_cv, wake, wake_cv;
        moments(l->stages, l->held_ns, l->held_sq, &held, &held_cv);
        moments(l->woken, l->wake_ns, l->wake_sq, &wake, &wake_cv);
        return json_pack("{s:s, s:I, s:{s:f, s:f}, s:f, s:I, s:{s:f, s:f}}", "device", v->name,
                         "stages", (json_int_t)l->stages, "stage_ns", "mean", held, "cv", held_cv,
                         "gap_ns", l->stages ? l->gap_ns / (double)l->stages : 0.0, "woken",
                         (json_int_t)l->woken, "wakeup_ns", "mean", wake, "cv", wake_cv);
}

/* summary.json's "live" object: {"path_ns": {"requests": N, SEGMENT:
 * {"mean", "p50", "p99", "max"}, ...}} in the order of the path; a JSON
 * text, or NULL when out of memory. */
static char *path_json(const struct live_path *path)
{
        json_t *live = json_object(), *ns = json_object();
        int rc = live && ns ? json_object_set_new(live, "path_ns", ns) : -1;
        if (rc == 0)
                rc |= json_object_set_new(ns, "requests",
                                          json_integer((json_int_t)path->seg[0].count));
        for (int i = 0; rc == 0 && i <= LIVE_SEGMENTS + 1; i++) {
                const struct hist *h = i < LIVE_SEGMENTS    ? &path->seg[i]
                                       : i == LIVE_SEGMENTS ? &path->woken
                                                            : &path->late;
                json_t *f = json_object();
                rc |= json_object_set_new(ns,
                                          i < LIVE_SEGMENTS    ? live_segment_names[i]
                                          : i == LIVE_SEGMENTS ? "driver_to_worker_woken"
                                                               : "arrival_to_submit",
                                          f);
                if (f == NULL)
                        break;
                rc |= json_object_set_new(f, "count", json_integer((json_int_t)h->count));
                rc |= json_object_set_new(f, "mean", json_real(hist_mean(h)));
                rc |=
                    json_object_set_new(f, "p50", json_integer((json_int_t)hist_quantile(h, 0.5)));
                rc |=
                    json_object_set_new(f, "p99", json_integer((json_int_t)hist_quantile(h, 0.99)));
                rc |= json_object_set_new(f, "max", json_integer((json_int_t)h->max));
        }
        rc |= json_object_set_new(live, "pinned", json_boolean(path->pinned));
        json_t *service = json_array();
        rc |= json_object_set_new(live, "service", service);
        for (size_t i = 0; rc == 0 && i < path->ndevices; i++)
                rc |= json_array_append_new(service, service_json(&path->service[i]));
        char *text = rc == 0 ? json_dumps(live, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
        json_decref(live);
        return text;
}

/* Prints where the requests spent their time, one segment a line. */
static void path_print(const struct live_path *path)
{
        printf("where the live path spent time (%llu requests; mean, p50, p99, max):\n",
               (unsigned long long)path->seg[0].count);
        for (int i = 0; i <= LIVE_SEGMENTS + 1; i++) {
                const struct hist *h = i < LIVE_SEGMENTS    ? &path->seg[i]
                                       : i == LIVE_SEGMENTS ? &path->woken
                                                            : &path->late;
                char t[4][32];
                report_text_time(t[0], sizeof(t[0]), hist_mean(h));
                report_text_time(t[1], sizeof(t[1]), (double)hist_quantile(h, 0.5));
                report_text_time(t[2], sizeof(t[2]), (double)hist_quantile(h, 0.99));
                report_text_time(t[3], sizeof(t[3]), (double)h->max);
                printf("  %-22s %10s %10s %10s %10s\n",
                       i < LIVE_SEGMENTS    ? live_segment_names[i]
                       : i == LIVE_SEGMENTS ? "  of which woken"
                                            : "arrival_to_submit",
                       t[0], t[1], t[2], t[3]);
        }
        printf("what each device's lanes gave (a stage held: mean, cv; gap; wake-up: mean, cv):\n");
        for (size_t i = 0; i < path->ndevices; i++) {
                const struct live_ledger *l = &path->service[i].ledger;
                double held, held_cv, wake, wake_cv;
                moments(l->stages, l->held_ns, l->held_sq, &held, &held_cv);
                moments(l->woken, l->wake_ns, l->wake_sq, &wake, &wake_cv);
                char t[3][32];
                report_text_time(t[0], sizeof(t[0]), held);
                report_text_time(t[1], sizeof(t[1]), l->stages ? l->gap_ns / (double)l->stages : 0);
                report_text_time(t[2], sizeof(t[2]), wake);
                printf("  %-22s %llu stages: held %s (cv %.2f), gap %s; %llu woken: %s (cv %.2f)\n",
                       path->service[i].name, (unsigned long long)l->stages, t[0], held_cv, t[1],
                       (unsigned long long)l->woken, t[2], wake_cv);
        }
}

static int live_runs(const struct live_args *a, struct scenario *sc, const char *out,
                     FILE *arrivals);

static int by_time(const void *x, const void *y)
{
        const struct live_arrival *a = x, *b = y;
        if (a->t_ns != b->t_ns)
                return a->t_ns < b->t_ns ? -1 : 1;
        return a->cls < b->cls ? -1 : a->cls > b->cls;
}

/* Writes the first run's submissions to f as the simulator's trace replay
 * reads them (time,size,class; docs/scenarios.md, "trace"), in time order.
 * Returns 0, or -1 when f could not be written. */
static int write_arrivals(FILE *f, struct live_path *path, const struct scenario *sc)
{
        qsort(path->arrivals, path->narrivals, sizeof(*path->arrivals), by_time);
        fprintf(f,
                "# the submissions of acsim live %s, replication 0: when (ns from the\n"
                "# run's start), how many bytes, which class\ntime,size,class\n",
                sc->name);
        for (size_t i = 0; i < path->narrivals; i++) {
                const struct live_arrival *v = &path->arrivals[i];
                fprintf(f, "%llu,%llu,%s\n", (unsigned long long)v->t_ns,
                        (unsigned long long)v->bytes, sc->classes[v->cls].name);
        }
        return ferror(f) ? -1 : 0;
}

static int live_loaded(const struct live_args *a, struct scenario *sc)
{
        char outbuf[4096];
        struct sim_error e;
        const char *out = a->output;
        if (out == NULL) {
                snprintf(outbuf, sizeof(outbuf), "results/%s-live", sc->name);
                out = outbuf;
        }
        if (result_dir_check(out, &e) < 0) {
                fprintf(stderr, "acsim live: %s\n", e.msg);
                return CLI_USAGE;
        }
        if (a->over.has_seed)
                sc->seed = a->over.seed;
        FILE *arrivals = NULL;
        if (a->arrivals != NULL && (arrivals = fopen(a->arrivals, "w")) == NULL) {
                fprintf(stderr, "acsim live: --arrivals %s: %s\n", a->arrivals, strerror(errno));
                return CLI_USAGE;
        }
        int status = live_runs(a, sc, out, arrivals);
        if (arrivals != NULL && fclose(arrivals) != 0 && status == CLI_OK) {
                fprintf(stderr, "acsim live: --arrivals %s: %s\n", a->arrivals, strerror(errno));
                status = CLI_FAILED;
        }
        return status;
}

static int live_runs(const struct live_args *a, struct scenario *sc, const char *out,
                     FILE *arrivals)
{
        struct sim_error e;
        uint32_t n = sc->run.replications ? sc->run.replications : 1;
        struct replications r = {0};
        r.runs = calloc(n, sizeof(*r.runs));
        if (r.runs == NULL) {
                fprintf(stderr, "acsim live: out of memory\n");
                return CLI_FAILED;
        }
        struct live_path *path = malloc(sizeof(*path));
        if (path == NULL) {
                free(r.runs);
                fprintf(stderr, "acsim live: out of memory\n");
                return CLI_FAILED;
        }
        live_path_init(path);
        path->record_arrivals = arrivals != NULL;
        struct live_line line = {.n = n};
        struct live_watch watch = {progress, &line};
        bool show = !a->quiet && isatty(STDERR_FILENO);
        enum sim_outcome o = SIM_OK;
        for (uint32_t i = 0; i < n && o == SIM_OK; i++) {
                line.index = i;
                o = live_run(sc, i, show ? &watch : NULL, a->pin, path, &r.runs[i], &e);
                if (o == SIM_OK)
                        r.n++;
        }
        if (line.shown)
                fprintf(stderr, "\r%72s\r", "");
        if (o != SIM_OK) {
                fprintf(stderr, "acsim live: %s: %s\n", a->scenario, e.msg);
                replications_free(&r);
                live_path_release(path);
                free(path);
                return cli_exit_status(o);
        }
        if (replications_summarize(&r) < 0 ||
            provenance_fill(&r.origin, a->scenario, sc, a->over.sets, a->over.nsets, NULL, 0) < 0 ||
            with_platform(&r.origin) < 0 || (r.origin.live = path_json(path)) == NULL) {
                fprintf(stderr, "acsim live: out of memory\n");
                replications_free(&r);
                live_path_release(path);
                free(path);
                return CLI_FAILED;
        }
        if (!a->quiet) {
                printf("live: %s, %u CPUs, %s\n", r.origin.cpu, r.origin.cpus, r.origin.crypto);
                path_print(path);
        }
        if (arrivals != NULL && (path->arrivals_failed || write_arrivals(arrivals, path, sc) < 0)) {
                fprintf(stderr, "acsim live: --arrivals %s: %s\n", a->arrivals,
                        path->arrivals_failed ? "out of memory" : "cannot write");
                replications_free(&r);
                live_path_release(path);
                free(path);
                return CLI_FAILED;
        }
        live_path_release(path);
        free(path);
        return cli_finish_runs("live", out, &r, a->quiet);
}

static int live_main(int argc, char **argv)
{
        struct live_args a = {0};
        int status = parse_args(argc, argv, &a);
        if (status != CLI_OK)
                return status;
        /* the names come from the table, so a new operation is listed too */
        char expected[1024];
        int len = snprintf(expected, sizeof(expected), "an operation with a live implementation (");
        for (size_t i = 0; i < live_nops && len > 0 && (size_t)len < sizeof(expected); i++)
                len += snprintf(expected + len, sizeof(expected) - (size_t)len, "%s%s",
                                i ? ", " : "", live_ops[i].name);
        if (len > 0 && (size_t)len < sizeof(expected))
                snprintf(expected + len, sizeof(expected) - (size_t)len, ")");
        struct scenario_vocabulary vocab = {.op_known = live_op_known, .expected = expected};
        struct diag dg;
        struct scenario sc;
        diag_init(&dg);
        if (scenario_load_for(a.scenario, a.over.sets, a.over.nsets, &vocab, &dg, &sc) == 0) {
                diag_free(&dg);
                status = live_loaded(&a, &sc);
                scenario_free(&sc);
        } else {
                status = cli_load_failed("live", a.scenario, &dg);
        }
        free(a.over.sets);
        return status;
}

CLI_COMMAND(live, "run a scenario in real time on real threads and crypto (OpenSSL)",
            "Usage: acsim live SCENARIO.yaml [-o DIR] [--seed N] [--set KEY=VALUE]...\n"
            "                  [--pin] [--arrivals FILE] [--quiet]\n"
            "\n"
            "Runs the scenario's workload in real time against live devices: each\n"
            "device of the scenario is `lanes` worker threads doing its operations\n"
            "with OpenSSL on real buffers, behind the same core the simulator runs;\n"
            "arrivals are paced on the monotonic clock and faults injected at their\n"
            "times. Writes the result directory `acsim run` would (default\n"
            "results/<name>-live), with the platform it ran on in summary.json\n"
            "(docs/live.md). Every device operation needs a live implementation.\n"
            "\n"
            "  -o, --output DIR   where to write\n"
            "  --seed N           the scenario seed (overrides `seed:`)\n"
            "  --set KEY=VALUE    override one scenario value (repeatable)\n"
            "  --pin              each device lane on a CPU of its own, the run's other\n"
            "                     threads on the first CPU (two CPUs or more)\n"
            "  --arrivals FILE    write the first run's submissions to FILE as a trace\n"
            "                     (time,size,class) that acsim run can replay\n"
            "  -q, --quiet        print no table and no progress, only errors\n"
            "\n"
            "Exit status: 0 success; 1 the run failed (the drain hit its cap, or the\n"
            "counts do not add up); 2 bad usage or bad input, nothing written.\n");

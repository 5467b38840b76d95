/*
 * sim/report/plot_run.c - the plots of a run directory, from its CSVs:
 *
 *   latency_cdf  latency_hist.csv: the CDF of each class, log x
 *   devices      timeseries.csv (replication 0): utilisation, software
 *                queue and stages in flight per device over time, with
 *                the fault windows of faults.csv shaded
 *   failover     timeseries.csv (replication 0): arrivals and completions
 *                per second, retries and failures per interval, around
 *                the first fault window (the whole run without one)
 *
 * Also the pieces the sweep's CDF reuses (plot_cdf_*). Layout: reading
 * summary.json's facts, the CDF, the fault windows, then each kind.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/plot.h"
#include "sim/results/read_csv.h"
#include "sim/results/read_summary.h"
#include "sim/report/plot_kind.h"
#include "sim/report/plot_run.h"

/* ---- summary.json -------------------------------------------------------- */

int plot_run_facts(const char *dir, struct plot_run_facts *f, struct sim_error *err)
{
        char path[PLOT_PATH_CAP];
        memset(f, 0, sizeof(*f));
        if (plot_path(path, dir, "summary.json", err) == NULL)
                return PLOT_EINPUT;
        struct result_summary s;
        if (read_summary(path, &s, err) < 0)
                return PLOT_EINPUT;
        snprintf(f->scenario, sizeof(f->scenario), "%s", s.scenario ? s.scenario : "?");
        snprintf(f->policy, sizeof(f->policy), "%s", s.policy ? s.policy : "?");
        f->replications = (double)s.replications;
        f->duration_ns = (double)s.r.runs[0].duration_ns;
        f->warmup_ns = (double)s.r.runs[0].warmup_ns;
        result_summary_free(&s);
        if (f->replications < 1)
                f->replications = 1;
        return 0;
}

static int load_csv(const char *dir, const char *name, struct read_csv_table *t,
                    struct sim_error *err)
{
        char path[PLOT_PATH_CAP];
        if (plot_path(path, dir, name, err) == NULL)
                return PLOT_EINPUT;
        return read_csv_file(path, t, err) < 0 ? PLOT_EINPUT : 0;
}

/* Returns the column named name, or -1 after an error naming file. */
static int need_col(const struct read_csv_table *t, const char *file, const char *name,
                    struct sim_error *err)
{
        int c = read_csv_col(t, name);
        if (c < 0)
                sim_fail(err, 0, "%s: no column '%s'", file, name);
        return c;
}

/* ---- the CDF --------------------------------------------------------------- */

int plot_cdf_open(const char *dir, struct plot_cdf *h, struct sim_error *err)
{
        if (load_csv(dir, "latency_hist.csv", &h->csv, err) < 0)
                return PLOT_EINPUT;
        h->cls = need_col(&h->csv, "latency_hist.csv", "class", err);
        h->low = need_col(&h->csv, "latency_hist.csv", "low_ns", err);
        h->high = need_col(&h->csv, "latency_hist.csv", "high_ns", err);
        h->cum = need_col(&h->csv, "latency_hist.csv", "cumulative", err);
        if (h->cls < 0 || h->low < 0 || h->high < 0 || h->cum < 0) {
                read_csv_free(&h->csv);
                return PLOT_EINPUT;
        }
        return 0;
}

double plot_cdf_quantile(const struct plot_cdf *h, const char *cls, double q)
{
        for (size_t r = 0; r < h->csv.nrows; r++)
                if (strcmp(read_csv_at(&h->csv, r, (size_t)h->cls), cls) == 0 &&
                    read_csv_num(&h->csv, r, (size_t)h->cum) >= q)
                        return read_csv_num(&h->csv, r, (size_t)h->high);
        return NAN;
}

size_t plot_cdf_write(FILE *dat, const struct plot_cdf *h, const char *cls, double unit_ns)
{
        size_t n = 0;
        for (size_t r = 0; r < h->csv.nrows; r++) {
                if (strcmp(read_csv_at(&h->csv, r, (size_t)h->cls), cls) != 0)
                        continue;
                double cum = read_csv_num(&h->csv, r, (size_t)h->cum);
                if (n++ == 0) /* the curve starts from 0 at the first bucket */
                        fprintf(dat, "%.10g 0\n",
                                read_csv_num(&h->csv, r, (size_t)h->low) / unit_ns);
                fprintf(dat, "%.10g %.10g\n", read_csv_num(&h->csv, r, (size_t)h->high) / unit_ns,
                        cum);
        }
        return n;
}

void plot_cdf_close(struct plot_cdf *h)
{
        read_csv_free(&h->csv);
}

static int cdf_prepare(struct plot_ctx *ctx, FILE *vars, struct sim_error *err)
{
        struct plot_run_facts f;
        struct plot_cdf h;
        int rc = plot_run_facts(ctx->dir, &f, err);
        if (rc < 0 || (rc = plot_cdf_open(ctx->dir, &h, err)) < 0)
                return rc;
        /* the classes in file order; "all" alone when there is one class */
        const char **names = calloc(h.csv.nrows + 1, sizeof(*names));
        size_t n = 0;
        for (size_t r = 0; names && r < h.csv.nrows; r++) {
                const char *c = read_csv_at(&h.csv, r, (size_t)h.cls);
                if (n == 0 || strcmp(names[n - 1], c) != 0)
                        names[n++] = c;
        }
        if (names == NULL || n == 0) {
                sim_fail(err, 0, "out of memory");
                if (names)
                        plot_note(ctx, "latency_cdf", "latency_hist.csv holds no latencies");
                free(names);
                plot_cdf_close(&h);
                return names ? 1 : PLOT_EDRAW;
        }
        if (n == 2)
                n = 1;
        struct plot_unit u = plot_time_unit(plot_cdf_quantile(&h, names[0], 0.5));
        FILE *dat = plot_data_open(ctx, "latency_cdf", err);
        if (dat == NULL)
                rc = PLOT_EDRAW;
        for (size_t i = 0; dat && i < n; i++) {
                fprintf(dat, "%s# class %s\n", i ? "\n\n" : "", names[i]);
                plot_cdf_write(dat, &h, names[i], u.scale);
        }
        if (dat)
                rc = plot_data_close(dat, ctx, "latency_cdf", err);

        char text[512];
        snprintf(text, sizeof(text), "Latency CDF: %s, policy %s", f.scenario, f.policy);
        plot_var_str(vars, "plot_title", text);
        if (f.replications > 1)
                snprintf(text, sizeof(text), "%.0f replications pooled", f.replications);
        else
                snprintf(text, sizeof(text), "one replication");
        plot_var_str(vars, "plot_subtitle", text);
        snprintf(text, sizeof(text), "latency, submit to final callback (%s)", u.name);
        plot_var_str(vars, "xlabel_text", text);
        plot_var_num(vars, "nseries", (double)n);
        plot_var_array(vars, "series", n);
        for (size_t i = 0; i < n; i++)
                plot_var_str_at(vars, "series", i + 1, names[i]);
        free(names);
        plot_cdf_close(&h);
        return rc;
}

/* ---- time series and faults --------------------------------------------- */

/* Replication 0's rows of timeseries.csv. */
struct series {
        struct read_csv_table csv;
        size_t nrows;   /* rows of replication 0: the first nrows */
        double tmax_ns; /* the last row's t_ns */
        int t;          /* column of t_ns */
};

static int series_open(const char *dir, struct series *s, struct sim_error *err)
{
        memset(s, 0, sizeof(*s));
        if (load_csv(dir, "timeseries.csv", &s->csv, err) < 0)
                return PLOT_EINPUT;
        int rep = need_col(&s->csv, "timeseries.csv", "replication", err);
        s->t = need_col(&s->csv, "timeseries.csv", "t_ns", err);
        if (rep < 0 || s->t < 0) {
                read_csv_free(&s->csv);
                return PLOT_EINPUT;
        }
        while (s->nrows < s->csv.nrows && read_csv_num(&s->csv, s->nrows, (size_t)rep) == 0)
                s->nrows++;
        if (s->nrows)
                s->tmax_ns = read_csv_num(&s->csv, s->nrows - 1, (size_t)s->t);
        return 0;
}

/* Sets the fault windows of replication 0 as gnuplot arrays (fault_start,
 * fault_end in unit, fault_text) and returns how many. first[0..1] is the
 * earliest window in ns. A window still open at the end runs to end_ns. */
static size_t fault_vars(const char *dir, FILE *vars, double unit, double end_ns, double first[2],
                         struct sim_error *err)
{
        struct read_csv_table t;
        size_t n = 0;
        first[0] = first[1] = NAN;
        if (load_csv(dir, "faults.csv", &t, err) < 0) {
                plot_var_num(vars, "nfaults", 0);
                return 0; /* no timeline: nothing to shade */
        }
        int rep = read_csv_col(&t, "replication"), dev = read_csv_col(&t, "device");
        int mode = read_csv_col(&t, "mode"), start = read_csv_col(&t, "start_ns");
        int stop = read_csv_col(&t, "end_ns");
        size_t cap = t.nrows;
        plot_var_array(vars, "fault_start", cap);
        plot_var_array(vars, "fault_end", cap);
        plot_var_array(vars, "fault_text", cap);
        double earliest = INFINITY;
        for (size_t r = 0;
             rep >= 0 && dev >= 0 && mode >= 0 && start >= 0 && stop >= 0 && r < t.nrows; r++) {
                if (read_csv_num(&t, r, (size_t)rep) != 0)
                        continue;
                double a = read_csv_num(&t, r, (size_t)start);
                double b = read_csv_num(&t, r, (size_t)stop);
                if (!isfinite(a))
                        continue;
                if (!isfinite(b) || b > end_ns)
                        b = end_ns;
                char text[256];
                snprintf(text, sizeof(text), "%s %s", read_csv_at(&t, r, (size_t)dev),
                         read_csv_at(&t, r, (size_t)mode));
                n++;
                plot_var_num_at(vars, "fault_start", n, a / unit);
                plot_var_num_at(vars, "fault_end", n, b / unit);
                plot_var_str_at(vars, "fault_text", n, text);
                if (a < earliest) {
                        earliest = a;
                        first[0] = a;
                        first[1] = b;
                }
        }
        plot_var_num(vars, "nfaults", (double)n);
        read_csv_free(&t);
        return n;
}

/* The common variables of the plots over time. */
static void time_vars(FILE *vars, const struct plot_run_facts *f, struct plot_unit u,
                      const char *what)
{
        char text[512];
        snprintf(text, sizeof(text), "%s: %s, policy %s", what, f->scenario, f->policy);
        plot_var_str(vars, "plot_title", text);
        if (f->replications > 1)
                snprintf(text, sizeof(text), "replication 0 of %.0f", f->replications);
        else
                snprintf(text, sizeof(text), "replication 0");
        plot_var_str(vars, "plot_subtitle", text);
        snprintf(text, sizeof(text), "simulated time (%s)", u.name);
        plot_var_str(vars, "xlabel_text", text);
        plot_var_num(vars, "warmup", f->warmup_ns / u.scale);
}

/* The length of the sampling interval, from the first rows. */
static double interval_ns(const struct series *s)
{
        if (s->nrows >= 2)
                return read_csv_num(&s->csv, 1, (size_t)s->t) -
                       read_csv_num(&s->csv, 0, (size_t)s->t);
        return s->nrows ? read_csv_num(&s->csv, 0, (size_t)s->t) : NAN;
}

static int devices_prepare(struct plot_ctx *ctx, FILE *vars, struct sim_error *err)
{
        struct plot_run_facts f;
        struct read_csv_table devs;
        struct series s;
        int rc = plot_run_facts(ctx->dir, &f, err);
        if (rc < 0 || (rc = load_csv(ctx->dir, "devices.csv", &devs, err)) < 0)
                return rc;
        if ((rc = series_open(ctx->dir, &s, err)) < 0) {
                read_csv_free(&devs);
                return rc;
        }
        int name = need_col(&devs, "devices.csv", "name", err);
        size_t n = name < 0 ? 0 : devs.nrows;
        int *cols = calloc(3 * n + 1, sizeof(*cols));
        if (name < 0 || cols == NULL) {
                rc = name < 0 ? PLOT_EINPUT : PLOT_EDRAW;
                goto out;
        }
        static const char *const suffix[] = {"_util", "_queue", "_in_flight"};
        for (size_t d = 0; d < n; d++)
                for (size_t j = 0; j < 3; j++) {
                        char col[300];
                        snprintf(col, sizeof(col), "%s%s", read_csv_at(&devs, d, (size_t)name),
                                 suffix[j]);
                        if ((cols[3 * d + j] = need_col(&s.csv, "timeseries.csv", col, err)) < 0) {
                                rc = PLOT_EINPUT;
                                goto out;
                        }
                }
        if (n == 0 || s.nrows == 0) {
                plot_note(ctx, "devices", "no %s", n ? "time series" : "devices");
                rc = 1;
                goto out;
        }
        struct plot_unit u = plot_time_unit(s.tmax_ns);
        FILE *dat = plot_data_open(ctx, "devices", err);
        if (dat == NULL) {
                rc = PLOT_EDRAW;
                goto out;
        }
        fprintf(dat, "# t(%s), then per device: util%%, queue, in flight\n", u.name);
        double stages_max = 0;
        for (size_t r = 0; r < s.nrows; r++) {
                for (size_t d = 0; d < n; d++)
                        for (size_t j = 1; j < 3; j++)
                                stages_max = fmax(stages_max,
                                                  read_csv_num(&s.csv, r, (size_t)cols[3 * d + j]));
                fprintf(dat, "%.10g", read_csv_num(&s.csv, r, (size_t)s.t) / u.scale);
                for (size_t d = 0; d < n; d++)
                        fprintf(dat, " %.6g %.6g %.6g",
                                100 * read_csv_num(&s.csv, r, (size_t)cols[3 * d]),
                                read_csv_num(&s.csv, r, (size_t)cols[3 * d + 1]),
                                read_csv_num(&s.csv, r, (size_t)cols[3 * d + 2]));
                fputc('\n', dat);
        }
        rc = plot_data_close(dat, ctx, "devices", err);

        time_vars(vars, &f, u, "Devices");
        plot_var_num(vars, "tmax", s.tmax_ns / u.scale);
        plot_var_num(vars, "stages_max", stages_max);
        plot_var_num(vars, "ndevices", (double)n);
        plot_var_array(vars, "device", n);
        for (size_t d = 0; d < n; d++)
                plot_var_str_at(vars, "device", d + 1, read_csv_at(&devs, d, (size_t)name));
        char text[128];
        struct plot_unit iu = plot_time_unit(interval_ns(&s));
        snprintf(text, sizeof(text), "means over %.3g %s intervals", interval_ns(&s) / iu.scale,
                 iu.name);
        plot_var_str(vars, "interval_text", text);
        double first[2];
        fault_vars(ctx->dir, vars, u.scale, s.tmax_ns, first, err);
out:
        free(cols);
        read_csv_free(&s.csv);
        read_csv_free(&devs);
        return rc;
}

static int failover_prepare(struct plot_ctx *ctx, FILE *vars, struct sim_error *err)
{
        struct plot_run_facts f;
        struct series s;
        int rc = plot_run_facts(ctx->dir, &f, err);
        if (rc < 0 || (rc = series_open(ctx->dir, &s, err)) < 0)
                return rc;
        static const char *const names[] = {"arrivals", "completed", "retried", "failed",
                                            "rejected"};
        int col[5];
        for (size_t j = 0; j < 5; j++)
                if ((col[j] = need_col(&s.csv, "timeseries.csv", names[j], err)) < 0) {
                        read_csv_free(&s.csv);
                        return PLOT_EINPUT;
                }
        if (s.nrows == 0) {
                plot_note(ctx, "failover", "no time series");
                read_csv_free(&s.csv);
                return 1;
        }
        struct plot_unit u = plot_time_unit(s.tmax_ns);
        double peak = 0, prev = 0;
        for (size_t r = 0; r < s.nrows; r++) {
                double t = read_csv_num(&s.csv, r, (size_t)s.t);
                double per_s = 1e9 / (t - prev);
                for (size_t j = 0; j < 2; j++)
                        if (read_csv_num(&s.csv, r, (size_t)col[j]) * per_s > peak)
                                peak = read_csv_num(&s.csv, r, (size_t)col[j]) * per_s;
                prev = t;
        }
        struct plot_unit p = plot_si_prefix(peak);
        FILE *dat = plot_data_open(ctx, "failover", err);
        if (dat == NULL) {
                read_csv_free(&s.csv);
                return PLOT_EDRAW;
        }
        fprintf(dat,
                "# t(%s) arrivals(%sreq/s) completed(%sreq/s) retried failed rejected "
                "(per interval)\n",
                u.name, p.name, p.name);
        prev = 0;
        for (size_t r = 0; r < s.nrows; r++) {
                double t = read_csv_num(&s.csv, r, (size_t)s.t);
                double per_s = 1e9 / (t - prev) / p.scale;
                fprintf(dat, "%.10g %.6g %.6g %.10g %.10g %.10g\n", t / u.scale,
                        read_csv_num(&s.csv, r, (size_t)col[0]) * per_s,
                        read_csv_num(&s.csv, r, (size_t)col[1]) * per_s,
                        read_csv_num(&s.csv, r, (size_t)col[2]),
                        read_csv_num(&s.csv, r, (size_t)col[3]),
                        read_csv_num(&s.csv, r, (size_t)col[4]));
                prev = t;
        }
        rc = plot_data_close(dat, ctx, "failover", err);

        time_vars(vars, &f, u, "Completions around a failover");
        char text[128];
        snprintf(text, sizeof(text), "requests per second (%sreq/s)", p.name);
        plot_var_str(vars, "ylabel_text", text);
        struct plot_unit iu = plot_time_unit(interval_ns(&s));
        snprintf(text, sizeof(text), "per %.3g %s interval", interval_ns(&s) / iu.scale, iu.name);
        plot_var_str(vars, "y2label_text", text);
        double first[2];
        size_t nf = fault_vars(ctx->dir, vars, u.scale, s.tmax_ns, first, err);
        /* around the first window: half its length, at least five intervals,
         * either side */
        double xmin = 0, xmax = s.tmax_ns;
        if (nf) {
                double margin = fmax((first[1] - first[0]) / 2, 5 * interval_ns(&s));
                xmin = fmax(0, first[0] - margin);
                xmax = fmin(s.tmax_ns, first[1] + margin);
        }
        plot_var_num(vars, "xmin", xmin / u.scale);
        plot_var_num(vars, "xmax", xmax / u.scale);
        read_csv_free(&s.csv);
        return rc;
}

static const struct plot_kind run_cdf = {
    .name = "latency_cdf",
    .title = "Latency CDF",
    .about = "The fraction of measured requests finished within a latency (log scale), "
             "overall and per class, pooled over the replications.",
    .width = 960,
    .height = 600,
    .prepare = cdf_prepare,
};

static const struct plot_kind run_devices = {
    .name = "devices",
    .title = "Devices over time",
    .about = "Per device: lane utilisation, stages waiting in the core's software queue and "
             "stages in flight, per sampling interval of replication 0; fault windows shaded "
             "red, the warm-up grey.",
    .width = 960,
    .height = 720,
    .prepare = devices_prepare,
};

static const struct plot_kind run_failover = {
    .name = "failover",
    .title = "Completions and retries around a failover",
    .about = "Arrivals and completions per second (left axis), retries and failures per "
             "interval (right axis) around the first fault window of replication 0.",
    .width = 960,
    .height = 600,
    .prepare = failover_prepare,
};

const struct plot_kind *const plot_run_kinds[] = {&run_cdf, &run_devices, &run_failover, NULL};

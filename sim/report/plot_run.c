/*
 * sim/report/plot_run.c - the plots of a run directory, from its CSVs:
 *
 *   latency_cdf  latency_hist.csv: the CDF of each class, log x
 *   latency_ccdf latency_hist.csv: the CCDF of each class, log x and y
 *   devices      timeseries.csv (one replication, --replication):
 *                utilisation, software queue and stages in flight per
 *                device over time, with the fault windows of faults.csv
 *                shaded; with run.warmup: auto, the cut applied as a
 *                line and each replication's own MSER-5 point as a mark
 *   failover     faults.csv, device_events.csv, timeseries_long.csv and
 *                timeseries.csv (one replication): a lane per injected
 *                window with the core's failed spells, detection and
 *                recovery; latency per interval; arrivals, completions,
 *                retries and failures; around every fault window (the
 *                whole run without one)
 *
 * Also the pieces the sweep's CDF reuses (plot_cdf_*). Layout: reading
 * summary.json's facts, the CDF, the fault windows, then each kind.
 */
#include <jansson.h>
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
        for (size_t i = 0; i < s.r.n; i++)
                if (i == 0 || (double)s.r.runs[i].latency.p999 > f->worst_p999_ns) {
                        f->worst = s.r.runs[i].replication;
                        f->worst_p999_ns = (double)s.r.runs[i].latency.p999;
                }
        result_summary_free(&s);
        if (f->replications < 1)
                f->replications = 1;
        return 0;
}

int plot_run_replication(const char *dir, unsigned rep, struct sim_error *err)
{
        struct plot_run_facts f;
        if (plot_run_facts(dir, &f, err) < 0)
                return PLOT_EINPUT;
        if ((double)rep < f.replications)
                return 0;
        sim_fail(err, 0, "%s: no replication %u: the run has %.0f (0 to %.0f)", dir, rep,
                 f.replications, f.replications - 1);
        return PLOT_EINPUT;
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
        h->count = read_csv_col(&h->csv, "count");
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

size_t plot_ccdf_write(FILE *dat, const struct plot_cdf *h, const char *cls, double unit_ns,
                       double *least)
{
        double total = 0, seen = 0;
        for (size_t r = 0; h->count >= 0 && r < h->csv.nrows; r++)
                if (strcmp(read_csv_at(&h->csv, r, (size_t)h->cls), cls) == 0)
                        total += read_csv_num(&h->csv, r, (size_t)h->count);
        size_t n = 0;
        *least = 1;
        for (size_t r = 0; r < h->csv.nrows; r++) {
                if (strcmp(read_csv_at(&h->csv, r, (size_t)h->cls), cls) != 0)
                        continue;
                double above;
                if (total > 0) {
                        seen += read_csv_num(&h->csv, r, (size_t)h->count);
                        above = (total - seen) / total;
                } else {
                        above = 1 - read_csv_num(&h->csv, r, (size_t)h->cum);
                }
                if (n++ == 0)
                        fprintf(dat, "%.10g 1\n",
                                read_csv_num(&h->csv, r, (size_t)h->low) / unit_ns);
                if (!(above > 1e-12))
                        break;
                fprintf(dat, "%.10g %.10g\n", read_csv_num(&h->csv, r, (size_t)h->high) / unit_ns,
                        above);
                *least = fmin(*least, above);
        }
        return n;
}

void plot_cdf_close(struct plot_cdf *h)
{
        read_csv_free(&h->csv);
}

/* The CDF (ccdf false) or the CCDF of each class: one curve per class,
 * "all" alone when there is one class. */
static int distribution_prepare(struct plot_ctx *ctx, FILE *vars, bool ccdf, struct sim_error *err)
{
        const char *kind = ccdf ? "latency_ccdf" : "latency_cdf";
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
                        plot_note(ctx, kind, "latency_hist.csv holds no latencies");
                free(names);
                plot_cdf_close(&h);
                return names ? 1 : PLOT_EDRAW;
        }
        if (n == 2)
                n = 1;
        struct plot_unit u = plot_time_unit(plot_cdf_quantile(&h, names[0], 0.5));
        FILE *dat = plot_data_open(ctx, kind, err);
        if (dat == NULL)
                rc = PLOT_EDRAW;
        double least = 1;
        for (size_t i = 0; dat && i < n; i++) {
                fprintf(dat, "%s# class %s\n", i ? "\n\n" : "", names[i]);
                double l;
                if (ccdf) {
                        plot_ccdf_write(dat, &h, names[i], u.scale, &l);
                        least = fmin(least, l);
                } else {
                        plot_cdf_write(dat, &h, names[i], u.scale);
                }
        }
        if (dat)
                rc = plot_data_close(dat, ctx, kind, err);

        char text[512];
        snprintf(text, sizeof(text), "Latency %s: %s, policy %s", ccdf ? "CCDF" : "CDF", f.scenario,
                 f.policy);
        plot_var_str(vars, "plot_title", text);
        if (f.replications > 1)
                snprintf(text, sizeof(text), "%.0f replications pooled", f.replications);
        else
                snprintf(text, sizeof(text), "one replication");
        plot_var_str(vars, "plot_subtitle", text);
        snprintf(text, sizeof(text), "latency, submit to final callback (%s)", u.name);
        plot_var_str(vars, "xlabel_text", text);
        /* down to the decade of the least share the counts reach */
        plot_var_num(vars, "ymin", pow(10, floor(log10(least))));
        plot_var_num(vars, "nseries", (double)n);
        plot_var_array(vars, "series", n);
        for (size_t i = 0; i < n; i++)
                plot_var_str_at(vars, "series", i + 1, names[i]);
        free(names);
        plot_cdf_close(&h);
        return rc;
}

static int cdf_prepare(struct plot_ctx *ctx, FILE *vars, struct sim_error *err)
{
        return distribution_prepare(ctx, vars, false, err);
}

static int ccdf_prepare(struct plot_ctx *ctx, FILE *vars, struct sim_error *err)
{
        return distribution_prepare(ctx, vars, true, err);
}

/* ---- time series and faults --------------------------------------------- */

/* The rows of one replication of timeseries.csv. */
struct series {
        struct read_csv_table csv;
        size_t first;   /* its first row in csv */
        size_t nrows;   /* its rows: csv rows first .. first + nrows - 1 */
        double tmax_ns; /* the last row's t_ns */
        int t;          /* column of t_ns */
        unsigned rep;   /* the replication */
};

/* The replication the plots over time draw (acsim plot --replication). */
static unsigned chosen(const struct plot_ctx *ctx)
{
        return ctx->opt ? ctx->opt->replication : 0;
}

static int series_open(const char *dir, unsigned rep, struct series *s, struct sim_error *err)
{
        memset(s, 0, sizeof(*s));
        s->rep = rep;
        if (load_csv(dir, "timeseries.csv", &s->csv, err) < 0)
                return PLOT_EINPUT;
        int col = need_col(&s->csv, "timeseries.csv", "replication", err);
        s->t = need_col(&s->csv, "timeseries.csv", "t_ns", err);
        if (col < 0 || s->t < 0) {
                read_csv_free(&s->csv);
                return PLOT_EINPUT;
        }
        while (s->first < s->csv.nrows && read_csv_num(&s->csv, s->first, (size_t)col) != rep)
                s->first++;
        while (s->first + s->nrows < s->csv.nrows &&
               read_csv_num(&s->csv, s->first + s->nrows, (size_t)col) == rep)
                s->nrows++;
        if (s->nrows)
                s->tmax_ns = read_csv_num(&s->csv, s->first + s->nrows - 1, (size_t)s->t);
        return 0;
}

/* Field c of the series' row r (counting from its first). */
static double series_num(const struct series *s, size_t r, int c)
{
        return read_csv_num(&s->csv, s->first + r, (size_t)c);
}

/* One fault window of the chosen replication, and what the core made of
 * it (faults.csv); NaN where never, or where an older faults.csv does not
 * say. */
struct window {
        double start, end;          /* ns; an open window ends at the series' end */
        double detected, recovered; /* ns */
        char device[128];
        char text[256]; /* "qat1 hang" */
};

/* Reads the chosen replication's fault windows, in file order (by
 * device, then start). Returns how many (*out malloc'd), 0 without
 * faults.csv, or -1 out of memory. */
static long windows_read(const char *dir, unsigned rep, double end_ns, struct window **out,
                         struct sim_error *err)
{
        struct read_csv_table t;
        *out = NULL;
        if (load_csv(dir, "faults.csv", &t, err) < 0)
                return 0; /* no timeline: nothing to mark */
        int col = read_csv_col(&t, "replication"), dev = read_csv_col(&t, "device");
        int mode = read_csv_col(&t, "mode"), start = read_csv_col(&t, "start_ns");
        int stop = read_csv_col(&t, "end_ns"), det = read_csv_col(&t, "detected_ns");
        int rec = read_csv_col(&t, "recovered_ns");
        struct window *w = calloc(t.nrows + 1, sizeof(*w));
        long n = 0;
        for (size_t r = 0;
             w && col >= 0 && dev >= 0 && mode >= 0 && start >= 0 && stop >= 0 && r < t.nrows;
             r++) {
                double a = read_csv_num(&t, r, (size_t)start);
                double b = read_csv_num(&t, r, (size_t)stop);
                if (read_csv_num(&t, r, (size_t)col) != rep || !isfinite(a))
                        continue;
                struct window *x = &w[n++];
                x->start = a;
                x->end = !isfinite(b) || b > end_ns ? end_ns : b;
                x->detected = det >= 0 ? read_csv_num(&t, r, (size_t)det) : NAN;
                x->recovered = rec >= 0 ? read_csv_num(&t, r, (size_t)rec) : NAN;
                snprintf(x->device, sizeof(x->device), "%s", read_csv_at(&t, r, (size_t)dev));
                snprintf(x->text, sizeof(x->text), "%s %s", x->device,
                         read_csv_at(&t, r, (size_t)mode));
        }
        read_csv_free(&t);
        if (w == NULL) {
                sim_fail(err, 0, "out of memory");
                return -1;
        }
        *out = w;
        return n;
}

/* Sets the windows as gnuplot arrays: fault_start, fault_end (in unit),
 * fault_text, and nfaults. */
static void window_vars(FILE *vars, const struct window *w, long n, double unit)
{
        plot_var_num(vars, "nfaults", (double)n);
        plot_var_array(vars, "fault_start", (size_t)n);
        plot_var_array(vars, "fault_end", (size_t)n);
        plot_var_array(vars, "fault_text", (size_t)n);
        for (long i = 0; i < n; i++) {
                plot_var_num_at(vars, "fault_start", (size_t)i + 1, w[i].start / unit);
                plot_var_num_at(vars, "fault_end", (size_t)i + 1, w[i].end / unit);
                plot_var_str_at(vars, "fault_text", (size_t)i + 1, w[i].text);
        }
}

/* The common variables of the plots over time. */
static void time_vars(FILE *vars, const struct plot_run_facts *f, unsigned rep, struct plot_unit u,
                      const char *what)
{
        char text[512];
        snprintf(text, sizeof(text), "%s: %s, policy %s", what, f->scenario, f->policy);
        plot_var_str(vars, "plot_title", text);
        if (f->replications > 1)
                snprintf(text, sizeof(text), "replication %u of %.0f (worst p99.9: %u)", rep,
                         f->replications, f->worst);
        else
                snprintf(text, sizeof(text), "replication %u", rep);
        plot_var_str(vars, "plot_subtitle", text);
        snprintf(text, sizeof(text), "simulated time (%s)", u.name);
        plot_var_str(vars, "xlabel_text", text);
        plot_var_num(vars, "warmup", f->warmup_ns / u.scale);
}

/* With run.warmup: auto (summary.json's "warmup", docs/statistics.md):
 * the cut applied to every replication as warmup_cut (warmup_settled 0
 * when MSER-5 found the series never settles), and each
 * replication's own MSER-5 point as own_cut[], own_rep[], nown (in unit);
 * warmup_auto 0 and no cut otherwise. Returns 0, or PLOT_EINPUT when
 * "warmup" is there but not as acsim writes it. */
static int warmup_vars(FILE *vars, const char *dir, double unit, struct sim_error *err)
{
        char path[PLOT_PATH_CAP];
        if (plot_path(path, dir, "summary.json", err) == NULL)
                return PLOT_EINPUT;
        json_error_t je;
        json_t *root = json_load_file(path, 0, &je);
        const json_t *w = json_object_get(root, "warmup");
        const json_t *cut = json_object_get(w, "warmup_ns");
        const json_t *own = json_object_get(w, "replications");
        size_t n = json_array_size(own);
        int rc = 0;
        if (w && (!json_is_integer(cut) || !json_is_array(own))) {
                sim_fail(err, 0,
                         "%s: \"warmup\": no integer \"warmup_ns\" or no array "
                         "\"replications\"",
                         path);
                rc = PLOT_EINPUT;
        }
        bool automatic = w && rc == 0;
        plot_var_num(vars, "warmup_auto", automatic ? 1 : 0);
        plot_var_num(vars, "warmup_settled",
                     automatic && json_is_true(json_object_get(w, "settled")));
        plot_var_num(vars, "warmup_cut", automatic ? (double)json_integer_value(cut) / unit : 0);
        plot_var_num(vars, "nown", automatic ? (double)n : 0);
        plot_var_array(vars, "own_cut", automatic ? n : 0);
        plot_var_array(vars, "own_rep", automatic ? n : 0);
        for (size_t i = 0; automatic && i < n; i++) {
                const json_t *e = json_array_get(own, i);
                plot_var_num_at(vars, "own_cut", i + 1,
                                (double)json_integer_value(json_object_get(e, "warmup_ns")) / unit);
                plot_var_num_at(vars, "own_rep", i + 1,
                                (double)json_integer_value(json_object_get(e, "replication")));
        }
        json_decref(root);
        return rc;
}

/* The length of the sampling interval, from the first rows. */
static double interval_ns(const struct series *s)
{
        if (s->nrows >= 2)
                return series_num(s, 1, s->t) - series_num(s, 0, s->t);
        return s->nrows ? series_num(s, 0, s->t) : NAN;
}

static int devices_prepare(struct plot_ctx *ctx, FILE *vars, struct sim_error *err)
{
        struct plot_run_facts f;
        struct read_csv_table devs;
        struct series s;
        int rc = plot_run_facts(ctx->dir, &f, err);
        if (rc < 0 || (rc = load_csv(ctx->dir, "devices.csv", &devs, err)) < 0)
                return rc;
        if ((rc = series_open(ctx->dir, chosen(ctx), &s, err)) < 0) {
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
                                stages_max = fmax(stages_max, series_num(&s, r, cols[3 * d + j]));
                fprintf(dat, "%.10g", series_num(&s, r, s.t) / u.scale);
                for (size_t d = 0; d < n; d++)
                        fprintf(dat, " %.6g %.6g %.6g", 100 * series_num(&s, r, cols[3 * d]),
                                series_num(&s, r, cols[3 * d + 1]),
                                series_num(&s, r, cols[3 * d + 2]));
                fputc('\n', dat);
        }
        rc = plot_data_close(dat, ctx, "devices", err);

        time_vars(vars, &f, s.rep, u, "Devices");
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
        struct window *w;
        long nw = windows_read(ctx->dir, s.rep, s.tmax_ns, &w, err);
        if (nw < 0)
                rc = PLOT_EDRAW;
        else
                window_vars(vars, w, nw, u.scale);
        free(w);
        if (rc >= 0 && warmup_vars(vars, ctx->dir, u.scale, err) < 0)
                rc = PLOT_EINPUT;
out:
        free(cols);
        read_csv_free(&s.csv);
        read_csv_free(&devs);
        return rc;
}

/* The core's failed spells of a device in the chosen replication, from
 * device_events.csv: FAILED to RECOVERED (or REMOVED, or the end). Writes
 * "lane from to" lines (in unit) for each and returns how many. */
static size_t spells_write(FILE *dat, const struct read_csv_table *ev, unsigned rep,
                           const char *device, double lane, double end_ns, double unit)
{
        int col = read_csv_col(ev, "replication"), t = read_csv_col(ev, "t_ns");
        int dev = read_csv_col(ev, "device"), what = read_csv_col(ev, "event");
        if (col < 0 || t < 0 || dev < 0 || what < 0)
                return 0;
        size_t n = 0;
        double since = NAN;
        for (size_t r = 0; r < ev->nrows; r++) {
                if (read_csv_num(ev, r, (size_t)col) != rep ||
                    strcmp(read_csv_at(ev, r, (size_t)dev), device) != 0)
                        continue;
                const char *e = read_csv_at(ev, r, (size_t)what);
                double at = read_csv_num(ev, r, (size_t)t);
                if (strcmp(e, "failed") == 0 && isnan(since)) {
                        since = at;
                } else if ((strcmp(e, "recovered") == 0 || strcmp(e, "removed") == 0) &&
                           !isnan(since)) {
                        fprintf(dat, "%.10g %.10g %.10g\n", lane, since / unit,
                                fmin(at, end_ns) / unit);
                        since = NAN;
                        n++;
                }
        }
        if (!isnan(since)) {
                fprintf(dat, "%.10g %.10g %.10g\n", lane, since / unit, end_ns / unit);
                n++;
        }
        return n;
}

/* A number for the data file; '?' (missing) when not finite. */
static void dat_num(FILE *dat, double x)
{
        if (isfinite(x))
                fprintf(dat, " %.10g", x);
        else
                fputs(" ?", dat);
}

/* The latency of each interval of the chosen replication ("all" in
 * timeseries_long.csv) into lat[nrows][4] (p50, p99, p99.9, max, ns);
 * NaN where the interval had no callback or the file does not say.
 * Returns the largest max seen. */
static double interval_latency(const char *dir, const struct series *s, double (*lat)[4],
                               struct sim_error *err)
{
        static const char *const metrics[] = {"latency_p50_ns", "latency_p99_ns", "latency_p999_ns",
                                              "latency_max_ns"};
        for (size_t r = 0; r < s->nrows; r++)
                for (size_t j = 0; j < 4; j++)
                        lat[r][j] = NAN;
        struct read_csv_table t;
        if (load_csv(dir, "timeseries_long.csv", &t, err) < 0)
                return NAN;
        int col = read_csv_col(&t, "replication"), tc = read_csv_col(&t, "t_ns");
        int kind = read_csv_col(&t, "kind"), metric = read_csv_col(&t, "metric");
        int value = read_csv_col(&t, "value");
        double top = NAN;
        size_t row = 0;
        for (size_t r = 0;
             col >= 0 && tc >= 0 && kind >= 0 && metric >= 0 && value >= 0 && r < t.nrows; r++) {
                if (read_csv_num(&t, r, (size_t)col) != s->rep ||
                    strcmp(read_csv_at(&t, r, (size_t)kind), "run") != 0)
                        continue;
                double at = read_csv_num(&t, r, (size_t)tc);
                /* rows come in time order: follow the series along */
                while (row < s->nrows && series_num(s, row, s->t) < at)
                        row++;
                if (row == s->nrows)
                        break;
                if (series_num(s, row, s->t) != at)
                        continue;
                for (size_t j = 0; j < 4; j++)
                        if (strcmp(read_csv_at(&t, r, (size_t)metric), metrics[j]) == 0) {
                                lat[row][j] = read_csv_num(&t, r, (size_t)value);
                                if (j == 3 && !(lat[row][j] <= top))
                                        top = lat[row][j];
                        }
        }
        read_csv_free(&t);
        return top;
}

static int failover_prepare(struct plot_ctx *ctx, FILE *vars, struct sim_error *err)
{
        struct plot_run_facts f;
        struct series s;
        int rc = plot_run_facts(ctx->dir, &f, err);
        if (rc < 0 || (rc = series_open(ctx->dir, chosen(ctx), &s, err)) < 0)
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
        double(*lat)[4] = calloc(s.nrows, sizeof(*lat));
        struct window *w = NULL;
        long nw = 0;
        struct read_csv_table ev = {0};
        bool have_ev = false;
        FILE *dat = NULL;
        if (lat == NULL || (nw = windows_read(ctx->dir, s.rep, s.tmax_ns, &w, err)) < 0) {
                rc = PLOT_EDRAW;
                goto out;
        }
        struct sim_error quiet;
        have_ev = load_csv(ctx->dir, "device_events.csv", &ev, &quiet) == 0;
        double top = interval_latency(ctx->dir, &s, lat, &quiet);
        struct plot_unit u = plot_time_unit(s.tmax_ns);
        struct plot_unit lu = plot_time_unit(isfinite(top) ? top / 10 : 1000);
        double peak = 0, prev = 0;
        for (size_t r = 0; r < s.nrows; r++) {
                double t = series_num(&s, r, s.t);
                double per_s = 1e9 / (t - prev);
                for (size_t j = 0; j < 2; j++)
                        peak = fmax(peak, series_num(&s, r, col[j]) * per_s);
                prev = t;
        }
        struct plot_unit p = plot_si_prefix(peak);
        if ((dat = plot_data_open(ctx, "failover", err)) == NULL) {
                rc = PLOT_EDRAW;
                goto out;
        }
        /* index 0: the intervals */
        fprintf(dat,
                "# t(%s) arrivals(%sreq/s) completed(%sreq/s) retried failed rejected "
                "(per interval) p50 p99 p99.9 max(%s)\n",
                u.name, p.name, p.name, lu.name);
        prev = 0;
        for (size_t r = 0; r < s.nrows; r++) {
                double t = series_num(&s, r, s.t);
                double per_s = 1e9 / (t - prev) / p.scale;
                fprintf(dat, "%.10g %.6g %.6g %.10g %.10g %.10g", t / u.scale,
                        series_num(&s, r, col[0]) * per_s, series_num(&s, r, col[1]) * per_s,
                        series_num(&s, r, col[2]), series_num(&s, r, col[3]),
                        series_num(&s, r, col[4]));
                for (size_t j = 0; j < 4; j++)
                        dat_num(dat, lat[r][j] / lu.scale);
                fputc('\n', dat);
                prev = t;
        }
        /* index 1: a lane per window: lane start end detected recovered */
        fprintf(dat, "\n\n# lane start end detected recovered (%s)\n", u.name);
        for (long i = 0; i < nw; i++) {
                fprintf(dat, "%ld", i + 1);
                dat_num(dat, w[i].start / u.scale);
                dat_num(dat, w[i].end / u.scale);
                dat_num(dat, w[i].detected / u.scale);
                dat_num(dat, w[i].recovered / u.scale);
                fputc('\n', dat);
        }
        /* and one out of sight (lane 0, before the run), so that no block
         * is empty of valid points whatever the windows lack */
        fputs("0 -1 -1 -1 -1\n", dat);
        /* index 2: the core's failed spells of each lane's device */
        fprintf(dat, "\n\n# lane failed-from failed-to (%s)\n", u.name);
        size_t nspells = 0;
        for (long i = 0; have_ev && i < nw; i++)
                nspells +=
                    spells_write(dat, &ev, s.rep, w[i].device, (double)(i + 1), s.tmax_ns, u.scale);
        fputs("0 -1 -1\n", dat);
        rc = plot_data_close(dat, ctx, "failover", err);

        time_vars(vars, &f, s.rep, u, "Failover");
        char text[128];
        snprintf(text, sizeof(text), "requests per second (%sreq/s)", p.name);
        plot_var_str(vars, "ylabel_text", text);
        struct plot_unit iu = plot_time_unit(interval_ns(&s));
        snprintf(text, sizeof(text), "per %.3g %s interval", interval_ns(&s) / iu.scale, iu.name);
        plot_var_str(vars, "y2label_text", text);
        snprintf(text, sizeof(text), "latency per %.3g %s interval (%s)",
                 interval_ns(&s) / iu.scale, iu.name, lu.name);
        plot_var_str(vars, "latency_text", text);
        plot_var_num(vars, "has_latency", isfinite(top) ? 1 : 0);
        plot_var_num(vars, "nspells", (double)nspells);
        window_vars(vars, w, nw, u.scale);
        /* around every window: half the span, at least five intervals,
         * either side */
        double xmin = 0, xmax = s.tmax_ns;
        if (nw) {
                double a = INFINITY, b = 0;
                for (long i = 0; i < nw; i++) {
                        a = fmin(a, w[i].start);
                        b = fmax(b, fmax(w[i].end, isfinite(w[i].recovered) ? w[i].recovered : 0));
                }
                double margin = fmax((b - a) / 2, 5 * interval_ns(&s));
                xmin = fmax(0, a - margin);
                xmax = fmin(s.tmax_ns, b + margin);
        }
        plot_var_num(vars, "xmin", xmin / u.scale);
        plot_var_num(vars, "xmax", xmax / u.scale);
out:
        if (have_ev)
                read_csv_free(&ev);
        free(w);
        free(lat);
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

static const struct plot_kind run_ccdf = {
    .name = "latency_ccdf",
    .title = "Latency CCDF",
    .about = "The fraction of measured requests slower than a latency, log x and log y down "
             "to the least fraction the counts reach: the tail, overall and per class, pooled "
             "over the replications.",
    .width = 960,
    .height = 600,
    .prepare = ccdf_prepare,
};

static const struct plot_kind run_devices = {
    .name = "devices",
    .title = "Devices over time",
    .about = "Per device: lane utilisation, stages waiting in the core's software queue and "
             "stages in flight, per sampling interval of one replication (acsim plot "
             "--replication); each fault window shaded in its own colour, "
             "the warm-up grey; with run.warmup: auto, the cut MSER-5 found as a line and "
             "each replication's own MSER-5 point marked.",
    .width = 960,
    .height = 720,
    .prepare = devices_prepare,
};

static const struct plot_kind run_failover = {
    .name = "failover",
    .title = "Failover: faults, detection, latency and throughput over time",
    .about = "Around the fault windows of one replication (acsim plot --replication): a lane "
             "per injected window with the core's failed spells of its device, detection and "
             "recovery marked; latency p50, p99, p99.9 and max per sampling interval (log "
             "scale); arrivals and completions per second, retries and failures per interval.",
    .width = 960,
    .height = 960,
    .prepare = failover_prepare,
};

const struct plot_kind *const plot_run_kinds[] = {&run_cdf, &run_ccdf, &run_devices, &run_failover,
                                                  NULL};

/*
 * sim/report/plot_sweep.c - the plots of a sweep directory:
 *
 *   latency_cdf      each point's latency_hist.csv (class "all"): one
 *                    curve per policy (per series) at the highest load
 *   latency_ccdf     the same as the share slower than a latency, log y
 *   latency_load     sweep.csv: p50, p99, p99.9 and max against offered
 *                    load
 *   throughput_load  sweep.csv and each point's summary.json: requests
 *                    per second carried and offered against offered load,
 *                    and the rejected and failed fractions
 *
 * The offered load is the first sweep key other than engine.policy whose
 * values all read as numbers (a rate such as 200k/s, a size, a duration,
 * a plain number). The points that agree on every other key form a
 * series, drawn as one line and named by those keys' values (the policy,
 * usually). Layout: reading sweep.json and sweep.csv, the load key and
 * the series, then the kinds.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/plot.h"
#include "sim/results/read_csv.h"
#include "sim/results/read_sweep.h"
#include "sim/report/plot_kind.h"
#include "sim/report/plot_run.h"
#include "sim/load/units.h"

#define LABEL_CAP 256

struct sweep_point {
        const char *dir;                     /* pNNN-label, inside the sweep directory */
        const char *label;                   /* as in sweep.json */
        const struct sweep_json_point *json; /* its entry of sweep.json */
        double x;                            /* the load, in base units (NaN without a load key) */
        size_t row;                          /* its row of sweep.csv, or SIZE_MAX */
        size_t series;                       /* index into series */
};

struct plot_sweep {
        struct sweep_json manifest; /* sweep.json */
        const char *scenario;       /* its scenario */
        struct read_csv_table csv;  /* sweep.csv */
        struct sweep_point *points; /* in sweep.json order */
        size_t npoints;
        const char *load_key;  /* NULL: no numeric key besides the policy */
        const char *load_unit; /* "/s", "B/s", "s" (from ns), "B", "" */
        double load_scale;     /* base units per axis unit */
        char load_label[LABEL_CAP];
        char (*series)[LABEL_CAP]; /* names of the series */
        size_t nseries;
};

/* ---- reading --------------------------------------------------------------- */

/* Parses a sweep value as a number in base units; *unit says which. */
static int load_value(const char *text, double *x, const char **unit)
{
        const char *expected;
        uint64_t u;
        if (units_event_rate(text, x, &expected) == 0)
                return *unit = "/s", 0;
        if (units_byte_rate(text, x, &expected) == 0)
                return *unit = "B/s", 0;
        if (units_duration(text, &u, &expected) == 0)
                return *x = (double)u, *unit = "s", 0;
        if (units_size(text, &u, &expected) == 0)
                return *x = (double)u, *unit = "B", 0;
        if (units_number(text, x, &expected) == 0)
                return *unit = "", 0;
        return -1;
}

static const char *value_of(const struct sweep_point *p, const char *key)
{
        const char *v = sweep_json_value(p->json, key);
        if (v && v[0] == '{') { /* a policy variant's legend is its name */
                static char name[LABEL_CAP];
                const char *n = strstr(v, "{name: ");
                n = n ? n : strstr(v, ", name: ");
                if (n) {
                        n = strchr(n, ':') + 2;
                        snprintf(name, sizeof(name), "%.*s", (int)strcspn(n, ",}"), n);
                        return name;
                }
        }
        return v ? v : "";
}

/* Picks the load key: every point's value of it reads as a number of one
 * kind of unit. */
static void find_load(struct plot_sweep *s)
{
        for (size_t i = 0; i < s->manifest.nkeys; i++) {
                const char *key = s->manifest.keys[i];
                if (key == NULL || strcmp(key, "engine.policy") == 0)
                        continue;
                const char *unit = NULL;
                size_t p;
                for (p = 0; p < s->npoints; p++) {
                        const char *u;
                        if (load_value(value_of(&s->points[p], key), &s->points[p].x, &u) < 0 ||
                            (unit && strcmp(unit, u) != 0))
                                break;
                        unit = u;
                }
                if (p == s->npoints && unit) {
                        s->load_key = key;
                        s->load_unit = unit;
                        return;
                }
        }
        for (size_t p = 0; p < s->npoints; p++)
                s->points[p].x = NAN;
}

/* The name of p's series: the values of the keys other than the load. */
static void series_name(const struct plot_sweep *s, const struct sweep_point *p, char *buf)
{
        char *const *keys = s->manifest.keys;
        size_t others = 0, len = 0;
        for (size_t i = 0; i < s->manifest.nkeys; i++) {
                const char *key = keys[i];
                if (key && (s->load_key == NULL || strcmp(key, s->load_key) != 0))
                        others++;
        }
        buf[0] = '\0';
        for (size_t i = 0; i < s->manifest.nkeys; i++) {
                const char *key = keys[i];
                if (key == NULL || (s->load_key && strcmp(key, s->load_key) == 0))
                        continue;
                const char *leaf = strrchr(key, '.');
                leaf = leaf ? leaf + 1 : key;
                /* the policy alone says itself; other keys say their name */
                int w = others == 1 && strcmp(key, "engine.policy") == 0
                            ? snprintf(buf + len, LABEL_CAP - len, "%s%s", len ? ", " : "",
                                       value_of(p, key))
                            : snprintf(buf + len, LABEL_CAP - len, "%s%s=%s", len ? ", " : "", leaf,
                                       value_of(p, key));
                if (w < 0 || (size_t)w >= LABEL_CAP - len)
                        break;
                len += (size_t)w;
        }
        if (len == 0)
                snprintf(buf, LABEL_CAP, "%s", p->label);
}

static int group_series(struct plot_sweep *s)
{
        s->series = calloc(s->npoints ? s->npoints : 1, sizeof(*s->series));
        if (s->series == NULL)
                return -1;
        for (size_t p = 0; p < s->npoints; p++) {
                char name[LABEL_CAP];
                series_name(s, &s->points[p], name);
                size_t k = 0;
                while (k < s->nseries && strcmp(s->series[k], name) != 0)
                        k++;
                if (k == s->nseries)
                        memcpy(s->series[s->nseries++], name, LABEL_CAP);
                s->points[p].series = k;
        }
        return 0;
}

int plot_sweep_open(struct plot_ctx *ctx, struct sim_error *err)
{
        char path[PLOT_PATH_CAP];
        struct plot_sweep *s = calloc(1, sizeof(*s));
        if (s == NULL || plot_path(path, ctx->dir, "sweep.json", err) == NULL) {
                free(s);
                return PLOT_EINPUT;
        }
        ctx->sweep = s;
        if (read_sweep_json(path, &s->manifest, err) < 0) {
                plot_sweep_close(ctx);
                return PLOT_EINPUT;
        }
        if (!s->manifest.has_points || !s->manifest.has_keys) {
                sim_fail(err, 0, "%s:0: no \"keys\" and \"points\" arrays", path);
                plot_sweep_close(ctx);
                return PLOT_EINPUT;
        }
        s->scenario = s->manifest.scenario;
        if (s->scenario == NULL)
                s->scenario = "?";
        if (plot_path(path, ctx->dir, "sweep.csv", err) == NULL ||
            read_csv_file(path, &s->csv, err) < 0) {
                plot_sweep_close(ctx);
                return PLOT_EINPUT;
        }
        s->npoints = s->manifest.npoints;
        s->points = calloc(s->npoints ? s->npoints : 1, sizeof(*s->points));
        int dircol = read_csv_col(&s->csv, "dir");
        if (s->points == NULL || dircol < 0) {
                sim_fail(err, 0, "%s: %s", path, s->points ? "no column 'dir'" : "out of memory");
                plot_sweep_close(ctx);
                return PLOT_EINPUT;
        }
        for (size_t p = 0; p < s->npoints; p++) {
                struct sweep_point *pt = &s->points[p];
                pt->json = &s->manifest.points[p];
                pt->dir = pt->json->dir;
                pt->label = pt->json->label;
                if (pt->dir == NULL || strchr(pt->dir, '/') || strcmp(pt->dir, "..") == 0) {
                        sim_fail(err, 0, "%s/sweep.json: point %zu has no usable \"dir\"", ctx->dir,
                                 p);
                        plot_sweep_close(ctx);
                        return PLOT_EINPUT;
                }
                if (pt->label == NULL)
                        pt->label = pt->dir;
                pt->row = SIZE_MAX;
                for (size_t r = 0; r < s->csv.nrows; r++)
                        if (strcmp(read_csv_at(&s->csv, r, (size_t)dircol), pt->dir) == 0)
                                pt->row = r;
        }
        find_load(s);
        if (group_series(s) < 0) {
                sim_fail(err, 0, "out of memory");
                plot_sweep_close(ctx);
                return PLOT_EDRAW;
        }
        return 0;
}

void plot_sweep_close(struct plot_ctx *ctx)
{
        struct plot_sweep *s = ctx->sweep;
        if (s == NULL)
                return;
        sweep_json_free(&s->manifest);
        read_csv_free(&s->csv);
        free(s->points);
        free(s->series);
        free(s);
        ctx->sweep = NULL;
}

/* ---- the load axis ----------------------------------------------------------- */

/* Sets the x axis variables and s->load_scale from the largest load. */
static void load_axis(struct plot_sweep *s, FILE *vars)
{
        double max = 0;
        for (size_t p = 0; p < s->npoints; p++)
                if (s->points[p].x > max)
                        max = s->points[p].x;
        char text[LABEL_CAP + 64];
        if (strcmp(s->load_unit, "s") == 0) {
                struct plot_unit u = plot_time_unit(max);
                s->load_scale = u.scale;
                snprintf(text, sizeof(text), "offered load: %s (%s)", s->load_key, u.name);
        } else {
                struct plot_unit u = plot_si_prefix(max);
                s->load_scale = u.scale;
                if (s->load_unit[0] || u.name[0])
                        snprintf(text, sizeof(text), "offered load: %s (%s%s)", s->load_key, u.name,
                                 s->load_unit);
                else
                        snprintf(text, sizeof(text), "offered load: %s", s->load_key);
        }
        plot_var_str(vars, "xlabel_text", text);
}

static void series_vars(const struct plot_sweep *s, FILE *vars)
{
        plot_var_num(vars, "nseries", (double)s->nseries);
        plot_var_array(vars, "series", s->nseries);
        for (size_t k = 0; k < s->nseries; k++)
                plot_var_str_at(vars, "series", k + 1, s->series[k]);
}

/* Fills order[] with series k's points sorted by load; returns how many. */
static size_t series_points(const struct plot_sweep *s, size_t k, size_t *order)
{
        size_t n = 0;
        for (size_t p = 0; p < s->npoints; p++) {
                if (s->points[p].series != k || s->points[p].row == SIZE_MAX)
                        continue;
                size_t i = n++;
                while (i > 0 && s->points[order[i - 1]].x > s->points[p].x) {
                        order[i] = order[i - 1];
                        i--;
                }
                order[i] = p;
        }
        return n;
}

static double figure(const struct plot_sweep *s, const struct sweep_point *p, const char *col)
{
        int c = read_csv_col(&s->csv, col);
        return c < 0 ? NAN : read_csv_num(&s->csv, p->row, (size_t)c);
}

/* A half-width, 0 when the sweep has none (one replication). */
static double half(double x)
{
        return isfinite(x) ? x : 0;
}

/* The offered load of point p in requests per second, as measured: its
 * measured requests (those submitted in the window from the end of the
 * warm-up to the end of arrivals) over the window, from sweep.csv and the
 * point's summary.json. NaN when either cannot be read. */
static double offered_per_s(const struct plot_ctx *ctx, const struct sweep_point *p)
{
        char dir[PLOT_PATH_CAP];
        struct plot_run_facts f;
        struct sim_error quiet;
        if (plot_path(dir, ctx->dir, p->dir, &quiet) == NULL ||
            plot_run_facts(dir, &f, &quiet) < 0 || !(f.duration_ns > f.warmup_ns))
                return NAN;
        return figure(ctx->sweep, p, "submitted") / ((f.duration_ns - f.warmup_ns) * 1e-9);
}

/* Writes a load plot: per series a block of "x y..." lines. */
static int load_prepare(struct plot_ctx *ctx, FILE *vars, const char *name, bool latency,
                        struct sim_error *err)
{
        struct plot_sweep *s = ctx->sweep;
        if (s->load_key == NULL) {
                plot_note(ctx, name,
                          "the sweep has no numeric key besides engine.policy to use as the "
                          "offered load");
                return 1;
        }
        load_axis(s, vars);
        series_vars(s, vars);
        size_t *order = calloc(s->npoints ? s->npoints : 1, sizeof(*order));
        if (order == NULL) {
                sim_fail(err, 0, "out of memory");
                return PLOT_EDRAW;
        }
        /* the figure's unit, from its largest value */
        double max = 0;
        for (size_t p = 0; p < s->npoints; p++)
                if (s->points[p].row != SIZE_MAX) {
                        double y =
                            figure(s, &s->points[p], latency ? "latency_p50_ns" : "requests_per_s");
                        if (y > max)
                                max = y;
                }
        struct plot_unit u = latency ? plot_time_unit(max) : plot_si_prefix(max);
        char text[256];
        if (latency)
                snprintf(text, sizeof(text), "latency, submit to final callback (%s)", u.name);
        else
                snprintf(text, sizeof(text), "completed requests per second (%sreq/s)", u.name);
        plot_var_str(vars, "ylabel_text", text);
        snprintf(text, sizeof(text), "%s: %s against offered load", s->scenario,
                 latency ? "latency p50, p99, p99.9 and max" : "throughput");
        plot_var_str(vars, "plot_title", text);
        double reps = (double)s->manifest.replications;
        if (reps > 1)
                snprintf(text, sizeof(text), "means of %.0f replications, bars 95%% confidence",
                         reps);
        else
                snprintf(text, sizeof(text), "one replication per point");
        plot_var_str(vars, "plot_subtitle", text);

        FILE *dat = plot_data_open(ctx, name, err);
        if (dat == NULL) {
                free(order);
                return PLOT_EDRAW;
        }
        fprintf(dat,
                latency ? "# load p50 p99 p99_ci95 p99.9 max, latency in %s\n"
                        : "# load requests_per_s requests_per_s_ci95 offered_per_s (in %sreq/s) "
                          "rejected_fraction failed_fraction\n",
                u.name);
        for (size_t k = 0; k < s->nseries; k++) {
                fprintf(dat, "%s# series %s\n", k ? "\n\n" : "", s->series[k]);
                size_t n = series_points(s, k, order);
                for (size_t i = 0; i < n; i++) {
                        const struct sweep_point *p = &s->points[order[i]];
                        fprintf(dat, "%.10g", p->x / s->load_scale);
                        if (latency) {
                                fprintf(dat, " %.10g %.10g %.10g %.10g %.10g\n",
                                        figure(s, p, "latency_p50_ns") / u.scale,
                                        figure(s, p, "latency_p99_ns") / u.scale,
                                        half(figure(s, p, "latency_p99_ci95")) / u.scale,
                                        figure(s, p, "latency_p999_ns") / u.scale,
                                        figure(s, p, "latency_max_ns") / u.scale);
                                continue;
                        }
                        double submitted = figure(s, p, "submitted");
                        fprintf(dat, " %.10g %.10g %.10g %.10g %.10g\n",
                                figure(s, p, "requests_per_s") / u.scale,
                                half(figure(s, p, "requests_per_s_ci95")) / u.scale,
                                offered_per_s(ctx, p) / u.scale,
                                submitted > 0 ? figure(s, p, "rejected") / submitted : NAN,
                                submitted > 0 ? figure(s, p, "failed") / submitted : NAN);
                }
                if (n == 0) /* gnuplot needs a point in every block */
                        fprintf(dat, "NaN NaN NaN NaN NaN NaN\n");
        }
        free(order);
        return plot_data_close(dat, ctx, name, err);
}

static int latency_load_prepare(struct plot_ctx *ctx, FILE *vars, struct sim_error *err)
{
        return load_prepare(ctx, vars, "latency_load", true, err);
}

static int throughput_load_prepare(struct plot_ctx *ctx, FILE *vars, struct sim_error *err)
{
        return load_prepare(ctx, vars, "throughput_load", false, err);
}

#define CDF_CURVES_MAX 12 /* beyond this a CDF plot is unreadable */

/* One CDF (or CCDF) per series, at its highest load (each point without a
 * load key). */
static int distribution_prepare(struct plot_ctx *ctx, FILE *vars, bool ccdf, struct sim_error *err)
{
        const char *kind = ccdf ? "latency_ccdf" : "latency_cdf";
        struct plot_sweep *s = ctx->sweep;
        size_t pick[CDF_CURVES_MAX], n = 0;
        for (size_t p = 0; p < s->npoints; p++) {
                size_t k = 0;
                if (s->load_key) {
                        while (k < n && s->points[pick[k]].series != s->points[p].series)
                                k++;
                        if (k < n) {
                                if (s->points[p].x > s->points[pick[k]].x)
                                        pick[k] = p;
                                continue;
                        }
                }
                if (n == CDF_CURVES_MAX) {
                        plot_note(ctx, kind, "only the first %d curves are drawn", CDF_CURVES_MAX);
                        break;
                }
                pick[n++] = p;
        }
        if (n == 0) {
                plot_note(ctx, kind, "the sweep has no points");
                return 1;
        }
        FILE *dat = NULL;
        struct plot_unit u = {"us", 1e3};
        plot_var_num(vars, "nseries", (double)n);
        plot_var_array(vars, "series", n);
        int rc = 0;
        double least = 1;
        for (size_t i = 0; rc == 0 && i < n; i++) {
                const struct sweep_point *p = &s->points[pick[i]];
                char dir[PLOT_PATH_CAP], name[2 * LABEL_CAP];
                struct plot_cdf h;
                if (plot_path(dir, ctx->dir, p->dir, err) == NULL ||
                    plot_cdf_open(dir, &h, err) < 0)
                        return PLOT_EINPUT;
                if (dat == NULL) {
                        u = plot_time_unit(plot_cdf_quantile(&h, "all", 0.5));
                        dat = plot_data_open(ctx, kind, err);
                        if (dat == NULL) {
                                plot_cdf_close(&h);
                                return PLOT_EDRAW;
                        }
                }
                fprintf(dat, "%s# point %s\n", i ? "\n\n" : "", p->dir);
                double l = 1;
                size_t lines = ccdf ? plot_ccdf_write(dat, &h, "all", u.scale, &l)
                                    : plot_cdf_write(dat, &h, "all", u.scale);
                least = fmin(least, l);
                if (lines == 0)
                        fprintf(dat, "NaN NaN\n");
                plot_cdf_close(&h);
                if (s->load_key)
                        snprintf(name, sizeof(name), "%s at %s", s->series[p->series],
                                 value_of(p, s->load_key));
                else
                        snprintf(name, sizeof(name), "%s", s->series[p->series]);
                plot_var_str_at(vars, "series", i + 1, name);
        }
        rc = plot_data_close(dat, ctx, kind, err);
        plot_var_num(vars, "ymin", pow(10, floor(log10(least))));
        char text[512];
        snprintf(text, sizeof(text), "Latency %s: %s%s", ccdf ? "CCDF" : "CDF", s->scenario,
                 s->load_key ? ", each series at its highest load" : ", every point");
        plot_var_str(vars, "plot_title", text);
        plot_var_str(vars, "plot_subtitle", "all classes, replications pooled");
        snprintf(text, sizeof(text), "latency, submit to final callback (%s)", u.name);
        plot_var_str(vars, "xlabel_text", text);
        return rc;
}

static int sweep_cdf_prepare(struct plot_ctx *ctx, FILE *vars, struct sim_error *err)
{
        return distribution_prepare(ctx, vars, false, err);
}

static int sweep_ccdf_prepare(struct plot_ctx *ctx, FILE *vars, struct sim_error *err)
{
        return distribution_prepare(ctx, vars, true, err);
}

static const struct plot_kind sweep_cdf = {
    .name = "latency_cdf",
    .title = "Latency CDF per policy",
    .about = "The fraction of requests finished within a latency (log scale), one curve per "
             "series (policy) at its highest offered load.",
    .width = 960,
    .height = 600,
    .prepare = sweep_cdf_prepare,
};

static const struct plot_kind sweep_ccdf = {
    .name = "latency_ccdf",
    .title = "Latency CCDF per policy",
    .about = "The fraction of requests slower than a latency, log x and log y down to the "
             "least fraction the counts reach, one curve per series (policy) at its highest "
             "offered load.",
    .width = 960,
    .height = 600,
    .prepare = sweep_ccdf_prepare,
};

static const struct plot_kind sweep_latency = {
    .name = "latency_load",
    .title = "Latency against offered load",
    .about = "p50 (dashed), p99 (solid, with 95% confidence bars), p99.9 (dash-dot) and max "
             "(dotted) latency per series (policy) against the offered load, log scale.",
    .width = 960,
    .height = 600,
    .prepare = latency_load_prepare,
};

static const struct plot_kind sweep_throughput = {
    .name = "throughput_load",
    .title = "Throughput against offered load",
    .about = "Completed requests per second per series (policy) against the offered load, "
             "beside the offered requests per second (what would be carried if nothing were "
             "lost); the rejected and failed fractions of the submitted requests on the "
             "right axis.",
    .width = 960,
    .height = 600,
    .prepare = throughput_load_prepare,
};

const struct plot_kind *const plot_sweep_kinds[] = {&sweep_cdf, &sweep_ccdf, &sweep_latency,
                                                    &sweep_throughput, NULL};

/*
 * sim/sweep/collect.c - reading a sweep's points back and pairing them
 * (sim/sweep/collect.h). Layout: JSON readers, one point's summary, the
 * pairing, then the manifest and the CSV.
 */
#include "sim/sweep/collect.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/run/provenance.h"
#include "sim/results/read_summary.h"
#include "sim/results/result_dir.h"
#include "sim/load/scenario_load.h"
#include "sim/load/units.h"
#include "sim/results/write_csv.h"
#include "sim/results/write_json.h"

/* ---- one point ----------------------------------------------------------------- */

/* A capped run has requests with no outcome: it is flagged apart. */
static bool adds_up(const struct sim_results *run)
{
        const struct sim_counts *c = &run->requests;
        return run->drain_capped || c->submitted == c->completed + c->failed + c->rejected;
}

/* A half-width as sweep.csv and the table take it: 0 when unknown. */
static struct rep_figure known(struct rep_figure f)
{
        if (isnan(f.ci95))
                f.ci95 = 0;
        return f;
}

static int read_point(const struct sweep_plan *p, const char *out, size_t point,
                      struct sweep_result *res, struct sim_error *err)
{
        const struct sweep_point *pt = &p->points[point];
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s/%s", out, pt->dir, RESULT_SUMMARY);
        struct result_summary s;
        if (read_summary(path, &s, err) < 0)
                return -1;
        int rc = -1;
        const struct replications *r = &s.r;
        const struct sim_results *first = &r->runs[0];
        if (!s.scenario || !s.policy || !s.has_replications || !s.has_seeds || !s.has_seed) {
                sim_fail(err, 0, "%s: not a summary.json acsim wrote", path);
                goto out;
        }
        /* run to a precision, a point has from its first batch to the cap */
        bool count_ok = p->precise ? s.replications >= pt->replications && s.replications <= pt->cap
                                   : s.replications == pt->replications;
        if (strcmp(s.scenario, p->base.name) != 0 || s.seed != p->base.seed ||
            strcmp(s.policy, pt->policy) != 0 || !count_ok || !s.has_duration ||
            first->duration_ns != pt->duration_ns || first->warmup_ns != pt->warmup_ns ||
            s.nseeds != s.replications) {
                sim_fail(err, 0,
                         "%s: from another run (its scenario, seed, policy, replications, "
                         "duration or warm-up are not this point's: %s, seed %" PRIu64
                         ", %s, %" PRIu32 " replications); rerun it with --points %zu and the "
                         "same --set and --seed",
                         path, p->base.name, p->base.seed, pt->policy, pt->replications, point);
                goto out;
        }
        uint64_t want = p->base.source ? provenance_hash(p->base.source, p->base.source_len) : 0;
        if (s.has_hash && p->base.source && r->origin.source_hash != want) {
                sim_fail(err, 0,
                         "%s: ran other contents of the scenario file (hash 0x%016" PRIx64
                         ", this one 0x%016" PRIx64 "); rerun it with --points %zu",
                         path, r->origin.source_hash, want, point);
                goto out;
        }
        res->n = (size_t)s.replications;
        res->policy = strdup(s.policy);
        res->seeds = calloc(res->n, sizeof(*res->seeds));
        bool nomem = false;
        for (int m = 0; m < SWEEP_METRICS; m++)
                nomem |= (res->per[m] = calloc(res->n, sizeof(double))) == NULL;
        const struct scenario_run *goal = &p->base.run; /* run.precision */
        for (size_t t = 0; t < goal->nprecision; t++)
                nomem |= (res->prec[t] = calloc(res->n, sizeof(double))) == NULL;
        if (!res->policy || !res->seeds || nomem) {
                sim_fail(err, 0, "out of memory");
                goto out;
        }
#define KNOWN_RATE(name, ...) res->name = known(r->name);
        SIM_THROUGHPUT_FIGURES(KNOWN_RATE)
#undef KNOWN_RATE
#define KNOWN(name, ...) res->latency.name = known(r->latency.name);
        SIM_LATENCY_FIGURES(KNOWN)
#undef KNOWN
        res->requests = r->requests;
        res->failure = r->drain_capped > 0;
        if (r->n != res->n) {
                sim_fail(err, 0, "%s: replication %zu: no seed or detail", path,
                         r->n == 1 ? (size_t)0 : r->n);
                goto out;
        }
        for (size_t i = 0; i < res->n; i++) {
                const struct sim_results *run = &r->runs[i];
                res->seeds[i] = run->replication_seed;
                res->per[SWEEP_LATENCY_MEAN][i] = run->latency.mean;
                res->per[SWEEP_LATENCY_P99][i] = (double)run->latency.p99;
                res->per[SWEEP_REQUESTS_PER_S][i] = run->requests_per_s;
                for (size_t t = 0; t < p->base.run.nprecision; t++)
                        res->prec[t][i] =
                            replications_run_figure(run, p->base.run.precision[t].figure);
                if (!adds_up(run))
                        res->failure = true;
        }
        double mean[SCENARIO_MAX_PRECISION], ci95[SCENARIO_MAX_PRECISION];
        for (size_t t = 0; t < goal->nprecision; t++) {
                const struct rep_figure *f = replications_figure(r, goal->precision[t].figure);
                mean[t] = f->mean;
                ci95[t] = f->ci95;
                res->diff_achieved[t] = NAN;
        }
        res->reached = replications_within(goal, res->n, mean, ci95, res->own_achieved);
        rc = 0;
out:
        result_summary_free(&s);
        return rc;
}

/* ---- pairing --------------------------------------------------------------------- */

struct sweep_diff sweep_pair(const double *x, const double *b, size_t n)
{
        struct sweep_diff d = {0, 0, NAN};
        double *dx = malloc((n ? n : 1) * sizeof(*dx));
        if (dx == NULL || n == 0) {
                free(dx);
                d.mean = NAN;
                return d;
        }
        double bsum = 0;
        for (size_t i = 0; i < n; i++) {
                dx[i] = x[i] - b[i];
                bsum += b[i];
        }
        d.mean = replications_ci95(dx, n, &d.ci95);
        double bmean = bsum / (double)n;
        if (bmean != 0)
                d.relative = 100.0 * d.mean / bmean;
        free(dx);
        return d;
}

bool sweep_pair_within(const struct scenario_run *run, double *const *x, double *const *b, size_t n,
                       double *diff, double *achieved)
{
        double bmean[SCENARIO_MAX_PRECISION], ci95[SCENARIO_MAX_PRECISION];
        for (size_t t = 0; t < run->nprecision; t++) {
                struct sweep_diff d = sweep_pair(x[t], b[t], n);
                double unused;
                bmean[t] = n ? replications_ci95(b[t], n, &unused) : NAN;
                diff[t] = d.mean;
                ci95[t] = d.ci95;
        }
        return replications_within(run, n, bmean, ci95, achieved);
}

/* Pairs every point with the baseline of its group over the replications
 * both ran (a point run to a precision may have fewer than its
 * baseline: the first ones, the same seeds). */
static int pair(const struct sweep_plan *p, struct sweep_collection *c, struct sim_error *err)
{
        for (size_t q = 0; q < c->npoints; q++) {
                struct sweep_result *x = &c->results[q];
                size_t bq = sweep_point_with(p, q, p->policy_key, c->baseline);
                const struct sweep_result *b = &c->results[bq];
                size_t n = x->n < b->n ? x->n : b->n;
                bool same = p->precise ? n > 0 : x->n == b->n;
                for (size_t i = 0; same && i < n; i++)
                        same = x->seeds[i] == b->seeds[i];
                if (!same) {
                        sim_fail(err, 0, "%s and %s ran different seeds: they cannot be paired",
                                 p->points[q].dir, p->points[bq].dir);
                        return -1;
                }
                x->paired = true;
                x->baseline = bq;
                for (int m = 0; m < SWEEP_METRICS; m++)
                        x->diff[m] = sweep_pair(x->per[m], b->per[m], n);
                if (p->precise && bq != q) {
                        double diff[SCENARIO_MAX_PRECISION];
                        x->reached = sweep_pair_within(&p->base.run, x->prec, b->prec, n, diff,
                                                       x->diff_achieved);
                }
        }
        /* a baseline with pairs: met when they all are (rounds.h) */
        for (size_t q = 0; p->precise && sweep_group_size(p) > 1 && q < c->npoints; q++) {
                struct sweep_result *b = &c->results[q];
                if (b->baseline != q)
                        continue;
                b->reached = true;
                for (size_t m = 0; m < sweep_group_size(p); m++) {
                        size_t x = sweep_group_member(p, q, m);
                        if (x != q)
                                b->reached &= c->results[x].reached;
                }
        }
        return 0;
}

/* ---- the collection ----------------------------------------------------------------- */

void sweep_collection_free(struct sweep_collection *c)
{
        for (size_t q = 0; c->results && q < c->npoints; q++) {
                struct sweep_result *r = &c->results[q];
                free(r->policy);
                free(r->seeds);
                for (int m = 0; m < SWEEP_METRICS; m++)
                        free(r->per[m]);
                for (size_t t = 0; t < SCENARIO_MAX_PRECISION; t++)
                        free(r->prec[t]);
        }
        free(c->results);
        memset(c, 0, sizeof(*c));
}

/* Writes the points that have no directory as a list "3,5-7" into buf. */
static void missing_list(const struct sweep_plan *p, const char *out, char *buf, size_t cap,
                         size_t *count)
{
        size_t len = 0;
        *count = 0;
        buf[0] = '\0';
        for (size_t q = 0; q < p->npoints;) {
                char path[4096];
                snprintf(path, sizeof(path), "%s/%s/%s", out, p->points[q].dir, RESULT_SUMMARY);
                FILE *f = fopen(path, "r");
                if (f) {
                        fclose(f);
                        q++;
                        continue;
                }
                size_t lo = q;
                for (q++; q < p->npoints; q++) {
                        snprintf(path, sizeof(path), "%s/%s/%s", out, p->points[q].dir,
                                 RESULT_SUMMARY);
                        if ((f = fopen(path, "r")) != NULL) {
                                fclose(f);
                                break;
                        }
                }
                *count += q - lo;
                int w = q - 1 > lo ? snprintf(buf + len, len < cap ? cap - len : 0, "%s%zu-%zu",
                                              len ? "," : "", lo, q - 1)
                                   : snprintf(buf + len, len < cap ? cap - len : 0, "%s%zu",
                                              len ? "," : "", lo);
                if (w > 0 && len + (size_t)w < cap)
                        len += (size_t)w;
        }
}

int sweep_collect(const struct sweep_plan *p, const char *out, const char *baseline,
                  struct sweep_collection *c, struct sim_error *err)
{
        memset(c, 0, sizeof(*c));
        c->npoints = p->npoints;
        c->baseline = SWEEP_NO_KEY;
        if (p->policy_key != SWEEP_NO_KEY) {
                c->baseline = baseline ? sweep_value_index(p, p->policy_key, baseline) : 0;
                if (c->baseline == SWEEP_NO_KEY) {
                        sim_fail(err, 0, "--baseline %s: not in the %s list", baseline,
                                 SWEEP_POLICY_KEY);
                        return -1;
                }
        }
        char missing[512];
        size_t nmissing;
        missing_list(p, out, missing, sizeof(missing), &nmissing);
        if (nmissing) {
                sim_fail(err, 0,
                         "%s: %zu of %zu points have no result directory; run them with "
                         "--points %s",
                         out, nmissing, p->npoints, missing);
                return -1;
        }
        c->results = calloc(p->npoints, sizeof(*c->results));
        if (c->results == NULL) {
                sim_fail(err, 0, "out of memory");
                return -1;
        }
        c->replications_min = SIZE_MAX;
        for (size_t q = 0; q < p->npoints; q++) {
                if (read_point(p, out, q, &c->results[q], err) < 0) {
                        sweep_collection_free(c);
                        return -1;
                }
                c->failure |= c->results[q].failure;
                if (c->results[q].n < c->replications_min)
                        c->replications_min = c->results[q].n;
        }
        if (p->policy_key != SWEEP_NO_KEY && pair(p, c, err) < 0) {
                sweep_collection_free(c);
                return -1;
        }
        c->precise = p->precise;
        for (size_t q = 0; p->precise && q < p->npoints; q++)
                c->capped += !c->results[q].reached;
        return 0;
}

/* ---- sweep.json ------------------------------------------------------------------------ */

/* A half-width for JSON: null when there is none. */
static json_t *json_half_width(double h)
{
        return isfinite(h) ? json_real(h) : json_null();
}

/* run.precision at point q: whether its rule was met, and each target's
 * half-width achieved, its own and its paired difference's (relative
 * ones as fractions, of the point's mean and of its baseline's). */
static json_t *point_precision(const struct sweep_plan *p, const struct sweep_collection *c,
                               size_t q)
{
        const struct sweep_result *r = &c->results[q];
        const struct scenario_run *run = &p->base.run;
        bool paired = c->baseline != SWEEP_NO_KEY && sweep_group_size(p) > 1 && r->baseline != q;
        json_t *o = json_object(), *ms = json_array();
        int rc = o ? 0 : -1;
        rc |= write_json_put(o, "reached", json_boolean(r->reached));
        rc |= write_json_put(o, "capped", json_boolean(!r->reached));
        rc |= write_json_put(o, "paired_with",
                             paired ? json_string(p->points[r->baseline].dir) : json_null());
        rc |= write_json_put(o, "metrics", ms);
        for (size_t t = 0; ms && t < run->nprecision; t++) {
                json_t *m = json_object();
                rc |= m ? json_array_append_new(ms, m) : -1;
                rc |= write_json_put(m, "metric", json_string(run->precision[t].metric));
                rc |= write_json_put(m, "achieved", json_half_width(r->own_achieved[t]));
                rc |= write_json_put(m, "difference_achieved",
                                     paired ? json_half_width(r->diff_achieved[t]) : json_null());
        }
        return rc ? json_decref(o), NULL : o;
}

/* run.precision of the sweep: the targets, the cap and the points that
 * stopped at it. */
static json_t *sweep_precision(const struct sweep_plan *p, const struct sweep_collection *c)
{
        const struct scenario_run *run = &p->base.run;
        json_t *o = json_object(), *ts = json_array();
        int rc = o ? 0 : -1;
        rc |= write_json_put(o, "on",
                             json_string(c->baseline != SWEEP_NO_KEY && sweep_group_size(p) > 1
                                             ? "paired differences"
                                             : "each point's own interval"));
        rc |= write_json_put(o, "max_replications", json_integer(run->max_replications));
        rc |= write_json_put(o, "reached", json_boolean(c->capped == 0));
        rc |= write_json_put(o, "capped_points", json_integer((json_int_t)c->capped));
        rc |= write_json_put(o, "targets", ts);
        for (size_t t = 0; ts && t < run->nprecision; t++) {
                json_t *m = json_object();
                rc |= m ? json_array_append_new(ts, m) : -1;
                rc |= write_json_put(m, "metric", json_string(run->precision[t].metric));
                rc |= write_json_put(m, "relative", json_boolean(run->precision[t].relative));
                rc |= write_json_put(m, "half_width", json_real(run->precision[t].half_width));
        }
        return rc ? json_decref(o), NULL : o;
}

json_t *sweep_manifest(const struct sweep_plan *p, const struct sweep_collection *c)
{
        const struct scenario *s = &p->base;
        json_t *o = write_json_head(s->name);
        if (o == NULL)
                return NULL;
        int rc = 0;
        rc |= write_json_put(o, "description",
                             s->description ? json_string(s->description) : json_null());
        json_t *sets = json_array();
        rc |= write_json_put(o, "sets", sets);
        for (size_t i = 0; sets && i < p->nsets; i++)
                rc |= json_array_append_new(sets, json_string(p->sets[i]));
        rc |= write_json_put(o, "scenario_file", json_string(p->path));
        if (s->source) {
                char hash[24];
                snprintf(hash, sizeof(hash), "0x%016" PRIx64,
                         provenance_hash(s->source, s->source_len));
                rc |= write_json_put(o, "scenario_hash", json_string(hash));
        } else {
                rc |= write_json_put(o, "scenario_hash", json_null());
        }
        rc |= write_json_put(o, "seed", write_json_u64(s->seed));
        rc |= write_json_put(o, "replications",
                             json_integer(s->run.replications ? s->run.replications : 1));
        json_t *keys = json_array();
        rc |= write_json_put(o, "keys", keys);
        for (size_t k = 0; keys && k < s->nsweep; k++)
                rc |= json_array_append_new(keys, json_string(s->sweep[k].key));
        const char *base = NULL;
        char base_buf[256]; /* a variant by its name, as in the tables */
        if (c && c->baseline != SWEEP_NO_KEY) {
                scenario_sweep_short(s, sweep_point_with(p, 0, p->policy_key, c->baseline),
                                     p->policy_key, base_buf, sizeof(base_buf));
                base = base_buf;
        }
        rc |= write_json_put(o, "baseline", base ? json_string(base) : json_null());
        if (c && c->precise)
                rc |= write_json_put(o, "precision", sweep_precision(p, c));
        json_t *points = json_array();
        rc |= write_json_put(o, "points", points);
        for (size_t q = 0; points && q < p->npoints; q++) {
                json_t *pt = json_object(), *values = json_object();
                rc |= pt ? json_array_append_new(points, pt) : -1;
                if (pt == NULL) {
                        json_decref(values);
                        break;
                }
                rc |= write_json_put(pt, "index", json_integer((json_int_t)q));
                rc |= write_json_put(pt, "dir", json_string(p->points[q].dir));
                rc |= write_json_put(pt, "label", json_string(p->points[q].label));
                rc |= write_json_put(pt, "policy", json_string(p->points[q].policy));
                size_t reps = c ? c->results[q].n : p->points[q].replications; /* as run */
                rc |= write_json_put(pt, "replications", json_integer((json_int_t)reps));
                if (c && c->precise)
                        rc |= write_json_put(pt, "precision", point_precision(p, c, q));
                rc |= write_json_put(pt, "values", values);
                for (size_t k = 0; values && k < s->nsweep; k++)
                        rc |= write_json_put(values, s->sweep[k].key,
                                             json_string(scenario_sweep_value(s, q, k)));
        }
        return rc ? json_decref(o), NULL : o;
}

/* ---- sweep.csv ------------------------------------------------------------------------- */

/* ",x" with %.10g, or "," alone when x is not a number or `none`. */
static void real(FILE *f, double x, bool none)
{
        if (none || !isfinite(x))
                fputc(',', f);
        else
                fprintf(f, ",%.10g", x);
}

/* The unit of a sweep key's values, when every value carries one: its
 * numeric column in sweep.csv is named KEY + suffix. */
enum key_unit { KEY_TEXT, KEY_PER_S, KEY_BYTES_PER_S, KEY_NS, KEY_BYTES, KEY_UNITS };

static const char *const key_suffix[KEY_UNITS] = {"", "_per_s", "_bytes_per_s", "_ns", "_bytes"};

/* Returns 0 and sets *x to text in the base unit u, or -1. */
static int in_unit(enum key_unit u, const char *text, double *x)
{
        const char *expected;
        uint64_t v = 0;
        switch (u) {
        case KEY_PER_S:
                return units_event_rate(text, x, &expected);
        case KEY_BYTES_PER_S:
                return units_byte_rate(text, x, &expected);
        case KEY_NS:
                if (units_duration(text, &v, &expected) < 0)
                        return -1;
                *x = (double)v;
                return 0;
        case KEY_BYTES:
                if (units_size(text, &v, &expected) < 0)
                        return -1;
                *x = (double)v;
                return 0;
        case KEY_TEXT:
        case KEY_UNITS:
                break;
        }
        return -1;
}

/* The unit all values of key k carry (a bare number carries none: its
 * text is already the number), or KEY_TEXT. */
static enum key_unit key_unit(const struct scenario *s, size_t k)
{
        const struct scenario_sweep *w = &s->sweep[k];
        for (int u = KEY_PER_S; u < KEY_UNITS; u++) {
                bool all = w->nvalues > 0;
                for (size_t v = 0; v < w->nvalues && all; v++) {
                        double x, bare;
                        const char *expected;
                        all = in_unit((enum key_unit)u, w->values[v], &x) == 0 &&
                              units_number(w->values[v], &bare, &expected) < 0;
                }
                if (all)
                        return (enum key_unit)u;
        }
        return KEY_TEXT;
}

int sweep_write_csv(FILE *f, const struct sweep_plan *p, const struct sweep_collection *c)
{
        const struct scenario *s = &p->base;
        bool paired = c->baseline != SWEEP_NO_KEY;
        fputs("point,dir", f);
        for (size_t k = 0; k < s->nsweep; k++) {
                fputc(',', f);
                write_csv_text(f, s->sweep[k].key);
                enum key_unit u = key_unit(s, k);
                if (u != KEY_TEXT) {
                        char name[512];
                        snprintf(name, sizeof(name), "%s%s", s->sweep[k].key, key_suffix[u]);
                        fputc(',', f);
                        write_csv_text(f, name);
                }
        }
        fputs(",policy,replications", f);
#define THROUGHPUT_COLUMNS(name, kind, label, shown, unit)                                         \
        if ((shown)&SIM_SHOW_SWEEP)                                                                \
                fputs("," #name, f);                                                               \
        if ((shown)&SIM_SHOW_SWEEP_CI95)                                                           \
                fputs("," #name "_ci95", f);
        SIM_THROUGHPUT_FIGURES(THROUGHPUT_COLUMNS)
#undef THROUGHPUT_COLUMNS
#define LATENCY_COLUMNS(name, kind, label, shown)                                                  \
        if ((shown)&SIM_SHOW_SWEEP)                                                                \
                fputs(",latency_" #name "_ns", f);                                                 \
        if ((shown)&SIM_SHOW_SWEEP_CI95)                                                           \
                fputs(",latency_" #name "_ci95", f);
        SIM_LATENCY_FIGURES(LATENCY_COLUMNS)
#undef LATENCY_COLUMNS
#define COUNT_COLUMNS(name, kind, label, shown)                                                    \
        if ((shown)&SIM_SHOW_SWEEP)                                                                \
                fputs("," #name, f);
        SIM_COUNT_FIGURES(COUNT_COLUMNS)
#undef COUNT_COLUMNS
        if (paired)
                fputs(",baseline,d_latency_mean_ns,d_latency_mean_ci95,d_latency_mean_pct,"
                      "d_latency_p99_ns,d_latency_p99_ci95,d_latency_p99_pct,d_requests_per_s,"
                      "d_requests_per_s_ci95,d_requests_per_s_pct",
                      f);
        if (c->precise) { /* run.precision: the rule met, then each target's half-widths */
                fputs(",precision_reached", f);
                for (size_t t = 0; t < s->run.nprecision; t++)
                        fprintf(f, ",%s_achieved,d_%s_achieved", s->run.precision[t].metric,
                                s->run.precision[t].metric);
        }
        fputc('\n', f);
        for (size_t q = 0; q < p->npoints; q++) {
                const struct sweep_result *r = &c->results[q];
                bool one = r->n < 2;
                fprintf(f, "%zu,", q);
                write_csv_text(f, p->points[q].dir);
                for (size_t k = 0; k < s->nsweep; k++) {
                        fputc(',', f);
                        write_csv_text(f, scenario_sweep_value(s, q, k));
                        enum key_unit u = key_unit(s, k);
                        double x = NAN;
                        if (u != KEY_TEXT && in_unit(u, scenario_sweep_value(s, q, k), &x) == 0)
                                real(f, x, false);
                        else if (u != KEY_TEXT)
                                fputc(',', f);
                }
                fputc(',', f);
                write_csv_text(f, r->policy);
                fprintf(f, ",%zu", r->n);
#define THROUGHPUT_CELLS(name, kind, label, shown, unit)                                           \
        if ((shown)&SIM_SHOW_SWEEP)                                                                \
                real(f, r->name.mean, false);                                                      \
        if ((shown)&SIM_SHOW_SWEEP_CI95)                                                           \
                real(f, r->name.ci95, one);
                SIM_THROUGHPUT_FIGURES(THROUGHPUT_CELLS)
#undef THROUGHPUT_CELLS
#define LATENCY_CELLS(name, kind, label, shown)                                                    \
        if ((shown)&SIM_SHOW_SWEEP)                                                                \
                real(f, r->latency.name.mean, false);                                              \
        if ((shown)&SIM_SHOW_SWEEP_CI95)                                                           \
                real(f, r->latency.name.ci95, one);
                SIM_LATENCY_FIGURES(LATENCY_CELLS)
#undef LATENCY_CELLS
#define COUNT_CELLS(name, kind, label, shown)                                                      \
        if ((shown)&SIM_SHOW_SWEEP)                                                                \
                real(f, r->requests.name.mean, false);
                SIM_COUNT_FIGURES(COUNT_CELLS)
#undef COUNT_CELLS
                if (paired) {
                        fputc(',', f);
                        char base[256]; /* a variant by its name, as in the tables */
                        scenario_sweep_short(s, sweep_point_with(p, 0, p->policy_key, c->baseline),
                                             p->policy_key, base, sizeof(base));
                        write_csv_text(f, base);
                        for (int m = 0; m < SWEEP_METRICS; m++) {
                                real(f, r->diff[m].mean, false);
                                real(f, r->diff[m].ci95, one);
                                real(f, r->diff[m].relative, false);
                        }
                }
                bool pair = paired && sweep_group_size(p) > 1 && r->baseline != q;
                if (c->precise) {
                        fputs(r->reached ? ",true" : ",false", f);
                        for (size_t t = 0; t < s->run.nprecision; t++) {
                                real(f, r->own_achieved[t], false);
                                real(f, r->diff_achieved[t], !pair);
                        }
                }
                fputc('\n', f);
        }
        return ferror(f) ? -1 : 0;
}

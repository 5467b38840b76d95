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
#include "sim/results/result_dir.h"
#include "sim/load/scenario_load.h"
#include "sim/results/write_csv.h"
#include "sim/results/write_json.h"

/* ---- JSON readers -------------------------------------------------------------- */

/* Returns the value at a dotted path under o, or NULL. */
static json_t *at(json_t *o, const char *path)
{
        char key[64];
        while (o && *path) {
                size_t n = strcspn(path, ".");
                if (n >= sizeof(key))
                        return NULL;
                memcpy(key, path, n);
                key[n] = '\0';
                o = json_object_get(o, key);
                path += n + (path[n] == '.');
        }
        return o;
}

/* Returns the number at path, or NaN when there is none. */
static double num(json_t *o, const char *path)
{
        json_t *v = at(o, path);
        return json_is_number(v) ? json_number_value(v) : NAN;
}

static struct rep_figure figure(json_t *o, const char *path, const char *ci_path)
{
        struct rep_figure f = {num(o, path), 0};
        if (ci_path) {
                double ci = num(o, ci_path);
                f.ci95 = isnan(ci) ? 0 : ci;
        }
        return f;
}

/* Reads a seed written as an integer or, above 2^63 - 1, a decimal string. */
static int read_u64(json_t *v, uint64_t *out)
{
        if (json_is_integer(v) && json_integer_value(v) >= 0) {
                *out = (uint64_t)json_integer_value(v);
                return 0;
        }
        if (json_is_string(v)) {
                char *end;
                *out = strtoull(json_string_value(v), &end, 10);
                return *end == '\0' ? 0 : -1;
        }
        return -1;
}

/* ---- one point ----------------------------------------------------------------- */

static bool adds_up(json_t *o)
{
        if (num(o, "drain_capped") > 0)
                return true; /* capped runs have requests with no outcome; flagged apart */
        double s = num(o, "requests.submitted"), c = num(o, "requests.completed");
        double f = num(o, "requests.failed"), r = num(o, "requests.rejected");
        return s == c + f + r;
}

static int read_point(const struct sweep_plan *p, const char *out, size_t point,
                      struct sweep_result *res, char *err, size_t errlen)
{
        const struct sweep_point *pt = &p->points[point];
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s/%s", out, pt->dir, RESULT_SUMMARY);
        json_error_t jerr;
        json_t *o = json_load_file(path, 0, &jerr);
        if (o == NULL) {
                snprintf(err, errlen, "%s: %s", path, jerr.text);
                return -1;
        }
        int rc = -1;
        uint64_t seed = 0;
        const char *scenario = json_string_value(json_object_get(o, "scenario"));
        const char *policy = json_string_value(json_object_get(o, "policy"));
        json_t *n = json_object_get(o, "replications");
        json_t *seeds = json_object_get(o, "replication_seeds");
        if (!scenario || !policy || !json_is_integer(n) || !json_is_array(seeds) ||
            read_u64(json_object_get(o, "seed"), &seed) < 0) {
                snprintf(err, errlen, "%s: not a summary.json acsim wrote", path);
                goto out;
        }
        if (strcmp(scenario, p->base.name) != 0 || seed != p->base.seed ||
            strcmp(policy, pt->policy) != 0 ||
            (uint64_t)json_integer_value(n) != pt->replications ||
            num(o, "duration_ns") != (double)pt->duration_ns ||
            num(o, "warmup_ns") != (double)pt->warmup_ns ||
            json_array_size(seeds) != pt->replications) {
                snprintf(err, errlen,
                         "%s: from another run (its scenario, seed, policy, replications, "
                         "duration or warm-up are not this point's: %s, seed %" PRIu64
                         ", %s, %" PRIu32 " replications); rerun it with --points %zu and the "
                         "same --set and --seed",
                         path, p->base.name, p->base.seed, pt->policy, pt->replications, point);
                goto out;
        }
        const char *hash = json_string_value(json_object_get(o, "scenario_hash"));
        char want[24] = "";
        if (p->base.source)
                snprintf(want, sizeof(want), "0x%016" PRIx64,
                         provenance_hash(p->base.source, p->base.source_len));
        if (hash && want[0] && strcmp(hash, want) != 0) {
                snprintf(err, errlen,
                         "%s: ran other contents of the scenario file (hash %s, this one %s); "
                         "rerun it with --points %zu",
                         path, hash, want, point);
                goto out;
        }
        res->n = pt->replications;
        res->policy = strdup(policy);
        res->seeds = calloc(res->n, sizeof(*res->seeds));
        for (int m = 0; m < 3; m++)
                res->per[m] = calloc(res->n, sizeof(double));
        if (!res->policy || !res->seeds || !res->per[0] || !res->per[1] || !res->per[2]) {
                snprintf(err, errlen, "out of memory");
                goto out;
        }
        res->requests_per_s =
            figure(o, "throughput.requests_per_s", "ci95.throughput.requests_per_s");
        res->bytes_per_s = figure(o, "throughput.bytes_per_s", "ci95.throughput.bytes_per_s");
        res->lat_mean = figure(o, "latency_ns.mean", "ci95.latency_ns.mean");
        res->lat_p50 = figure(o, "latency_ns.p50", "ci95.latency_ns.p50");
        res->lat_p90 = figure(o, "latency_ns.p90", "ci95.latency_ns.p90");
        res->lat_p99 = figure(o, "latency_ns.p99", "ci95.latency_ns.p99");
        res->lat_p999 = figure(o, "latency_ns.p999", "ci95.latency_ns.p999");
        res->lat_max = figure(o, "latency_ns.max", "ci95.latency_ns.max");
        res->submitted = num(o, "requests.submitted");
        res->completed = num(o, "requests.completed");
        res->failed = num(o, "requests.failed");
        res->rejected = num(o, "requests.rejected");
        res->retried = num(o, "requests.retried");
        res->migrated = num(o, "requests.migrated");
        res->failure = num(o, "drain_capped") > 0;

        json_t *detail = json_object_get(o, "replications_detail");
        for (size_t i = 0; i < res->n; i++) {
                const char *s =
                    json_string_value(json_object_get(json_array_get(seeds, i), "seed"));
                json_t *d = res->n == 1 ? o : json_array_get(detail, i);
                if (s == NULL || d == NULL || (res->seeds[i] = strdup(s)) == NULL) {
                        snprintf(err, errlen, "%s: replication %zu: no seed or detail", path, i);
                        goto out;
                }
                res->per[SWEEP_LATENCY_MEAN][i] = num(d, "latency_ns.mean");
                res->per[SWEEP_LATENCY_P99][i] = num(d, "latency_ns.p99");
                res->per[SWEEP_REQUESTS_PER_S][i] = num(d, "throughput.requests_per_s");
                if (!adds_up(d))
                        res->failure = true;
        }
        rc = 0;
out:
        json_decref(o);
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

static int pair(const struct sweep_plan *p, struct sweep_collection *c, char *err, size_t errlen)
{
        for (size_t q = 0; q < c->npoints; q++) {
                struct sweep_result *x = &c->results[q];
                size_t bq = sweep_point_with(p, q, p->policy_key, c->baseline);
                const struct sweep_result *b = &c->results[bq];
                bool same = x->n == b->n;
                for (size_t i = 0; same && i < x->n; i++)
                        same = strcmp(x->seeds[i], b->seeds[i]) == 0;
                if (!same) {
                        snprintf(err, errlen,
                                 "%s and %s ran different seeds: they cannot be paired",
                                 p->points[q].dir, p->points[bq].dir);
                        return -1;
                }
                x->paired = true;
                x->baseline = bq;
                for (int m = 0; m < SWEEP_METRICS; m++)
                        x->diff[m] = sweep_pair(x->per[m], b->per[m], x->n);
        }
        return 0;
}

/* ---- the collection ----------------------------------------------------------------- */

void sweep_collection_free(struct sweep_collection *c)
{
        for (size_t q = 0; c->results && q < c->npoints; q++) {
                struct sweep_result *r = &c->results[q];
                free(r->policy);
                for (size_t i = 0; r->seeds && i < r->n; i++)
                        free(r->seeds[i]);
                free(r->seeds);
                for (int m = 0; m < 3; m++)
                        free(r->per[m]);
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
                  struct sweep_collection *c, char *err, size_t errlen)
{
        memset(c, 0, sizeof(*c));
        c->npoints = p->npoints;
        c->baseline = SWEEP_NO_KEY;
        if (p->policy_key != SWEEP_NO_KEY) {
                c->baseline = baseline ? sweep_value_index(p, p->policy_key, baseline) : 0;
                if (c->baseline == SWEEP_NO_KEY) {
                        snprintf(err, errlen, "--baseline %s: not in the %s list", baseline,
                                 SWEEP_POLICY_KEY);
                        return -1;
                }
        }
        char missing[512];
        size_t nmissing;
        missing_list(p, out, missing, sizeof(missing), &nmissing);
        if (nmissing) {
                snprintf(err, errlen,
                         "%s: %zu of %zu points have no result directory; run them with "
                         "--points %s",
                         out, nmissing, p->npoints, missing);
                return -1;
        }
        c->results = calloc(p->npoints, sizeof(*c->results));
        if (c->results == NULL) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        c->replications_min = SIZE_MAX;
        for (size_t q = 0; q < p->npoints; q++) {
                if (read_point(p, out, q, &c->results[q], err, errlen) < 0) {
                        sweep_collection_free(c);
                        return -1;
                }
                c->failure |= c->results[q].failure;
                if (c->results[q].n < c->replications_min)
                        c->replications_min = c->results[q].n;
        }
        if (p->policy_key != SWEEP_NO_KEY && pair(p, c, err, errlen) < 0) {
                sweep_collection_free(c);
                return -1;
        }
        return 0;
}

/* ---- sweep.json ------------------------------------------------------------------------ */

static int put(json_t *o, const char *key, json_t *v)
{
        return v ? json_object_set_new(o, key, v) : -1;
}

json_t *sweep_manifest(const struct sweep_plan *p, const struct sweep_collection *c)
{
        const struct scenario *s = &p->base;
        json_t *o = json_object();
        if (o == NULL)
                return NULL;
        int rc = 0;
        rc |= put(o, "acsim_version", json_string(ACSIM_VERSION));
        rc |= put(o, "scenario", json_string(s->name));
        rc |= put(o, "description", s->description ? json_string(s->description) : json_null());
        json_t *sets = json_array();
        rc |= put(o, "sets", sets);
        for (size_t i = 0; sets && i < p->nsets; i++)
                rc |= json_array_append_new(sets, json_string(p->sets[i]));
        rc |= put(o, "scenario_file", json_string(p->path));
        if (s->source) {
                char hash[24];
                snprintf(hash, sizeof(hash), "0x%016" PRIx64,
                         provenance_hash(s->source, s->source_len));
                rc |= put(o, "scenario_hash", json_string(hash));
        } else {
                rc |= put(o, "scenario_hash", json_null());
        }
        rc |= put(o, "seed", write_json_u64(s->seed));
        rc |= put(o, "replications", json_integer(s->run.replications ? s->run.replications : 1));
        json_t *keys = json_array();
        rc |= put(o, "keys", keys);
        for (size_t k = 0; keys && k < s->nsweep; k++)
                rc |= json_array_append_new(keys, json_string(s->sweep[k].key));
        const char *base = NULL;
        if (c && c->baseline != SWEEP_NO_KEY)
                base = s->sweep[p->policy_key].values[c->baseline];
        rc |= put(o, "baseline", base ? json_string(base) : json_null());
        json_t *points = json_array();
        rc |= put(o, "points", points);
        for (size_t q = 0; points && q < p->npoints; q++) {
                json_t *pt = json_object(), *values = json_object();
                rc |= pt ? json_array_append_new(points, pt) : -1;
                if (pt == NULL) {
                        json_decref(values);
                        break;
                }
                rc |= put(pt, "index", json_integer((json_int_t)q));
                rc |= put(pt, "dir", json_string(p->points[q].dir));
                rc |= put(pt, "label", json_string(p->points[q].label));
                rc |= put(pt, "policy", json_string(p->points[q].policy));
                rc |= put(pt, "replications", json_integer(p->points[q].replications));
                rc |= put(pt, "values", values);
                for (size_t k = 0; values && k < s->nsweep; k++)
                        rc |= put(values, s->sweep[k].key,
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

int sweep_write_csv(FILE *f, const struct sweep_plan *p, const struct sweep_collection *c)
{
        const struct scenario *s = &p->base;
        bool paired = c->baseline != SWEEP_NO_KEY;
        fputs("point,dir", f);
        for (size_t k = 0; k < s->nsweep; k++) {
                fputc(',', f);
                write_csv_text(f, s->sweep[k].key);
        }
        fputs(",policy,replications,requests_per_s,requests_per_s_ci95,bytes_per_s,"
              "latency_mean_ns,latency_mean_ci95,latency_p50_ns,latency_p90_ns,latency_p99_ns,"
              "latency_p99_ci95,latency_p999_ns,latency_max_ns,submitted,completed,failed,"
              "rejected,retried,migrated",
              f);
        if (paired)
                fputs(",baseline,d_latency_mean_ns,d_latency_mean_ci95,d_latency_mean_pct,"
                      "d_latency_p99_ns,d_latency_p99_ci95,d_latency_p99_pct,d_requests_per_s,"
                      "d_requests_per_s_ci95,d_requests_per_s_pct",
                      f);
        fputc('\n', f);
        for (size_t q = 0; q < p->npoints; q++) {
                const struct sweep_result *r = &c->results[q];
                bool one = r->n < 2;
                fprintf(f, "%zu,", q);
                write_csv_text(f, p->points[q].dir);
                for (size_t k = 0; k < s->nsweep; k++) {
                        fputc(',', f);
                        write_csv_text(f, scenario_sweep_value(s, q, k));
                }
                fputc(',', f);
                write_csv_text(f, r->policy);
                fprintf(f, ",%zu", r->n);
                real(f, r->requests_per_s.mean, false);
                real(f, r->requests_per_s.ci95, one);
                real(f, r->bytes_per_s.mean, false);
                real(f, r->lat_mean.mean, false);
                real(f, r->lat_mean.ci95, one);
                real(f, r->lat_p50.mean, false);
                real(f, r->lat_p90.mean, false);
                real(f, r->lat_p99.mean, false);
                real(f, r->lat_p99.ci95, one);
                real(f, r->lat_p999.mean, false);
                real(f, r->lat_max.mean, false);
                real(f, r->submitted, false);
                real(f, r->completed, false);
                real(f, r->failed, false);
                real(f, r->rejected, false);
                real(f, r->retried, false);
                real(f, r->migrated, false);
                if (paired) {
                        fputc(',', f);
                        write_csv_text(f, s->sweep[p->policy_key].values[c->baseline]);
                        for (int m = 0; m < SWEEP_METRICS; m++) {
                                real(f, r->diff[m].mean, false);
                                real(f, r->diff[m].ci95, one);
                                real(f, r->diff[m].relative, false);
                        }
                }
                fputc('\n', f);
        }
        return ferror(f) ? -1 : 0;
}

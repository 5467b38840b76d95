/*
 * sim/results/read_summary.c - summary.json back into struct replications
 * (sim/results/read_summary.h). Layout: reading values, one summary body
 * into a run (the top level or a detail), the origin, the top level's
 * figures over the recomputed summary, then read_summary().
 */
#include "sim/results/read_summary.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/results/read_json.h"

/* ---- values ---------------------------------------------------------------- */

/* A number, or NaN when absent or null; a string is a seed above 2^63 - 1. */
static double num(const json_t *o, const char *key)
{
        const json_t *v = json_object_get(o, key);
        if (json_is_string(v))
                return (double)strtoull(json_string_value(v), NULL, 0);
        return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A whole number (a count, a seed, a "0x..." hash), 0 when absent. */
static uint64_t u64(const json_t *o, const char *key)
{
        const json_t *v = json_object_get(o, key);
        if (json_is_string(v))
                return strtoull(json_string_value(v), NULL, 0);
        double x = json_is_number(v) ? json_number_value(v) : 0;
        return x > 0 ? (uint64_t)llround(x) : 0;
}

/* A copy of a string of the JSON, "?" when absent; NULL when out of memory. */
static char *text(const json_t *o, const char *key)
{
        const char *s = json_string_value(json_object_get(o, key));
        return strdup(s ? s : "?");
}

/* A copy of a string of the JSON, or NULL when absent. Returns 0 or -1
 * when out of memory. */
static int maybe_text(const json_t *o, const char *key, char **out)
{
        const char *s = json_string_value(json_object_get(o, key));
        *out = s ? strdup(s) : NULL;
        return s && *out == NULL ? -1 : 0;
}

/* Each kind of figure of sim/run/figures.h, read into its C type. */
#define READ_COUNT       u64
#define READ_MEAN        num
#define READ_TIME_AVG    num
#define READ_RATIO       num
#define READ_MAX         u64
#define READ_QUANTILE(q) u64

/* ---- one body into a run ------------------------------------------------------- */

static void counts(const json_t *o, struct sim_counts *c)
{
#define READ_FIGURE(name, kind, ...) c->name = READ_##kind(o, #name);
        SIM_COUNT_FIGURES(READ_FIGURE)
#undef READ_FIGURE
}

static void latency(const json_t *o, struct sim_latency *l)
{
#define READ_FIGURE(name, kind, ...) l->name = READ_##kind(o, #name);
        SIM_LATENCY_FIGURES(READ_FIGURE)
#undef READ_FIGURE
}

/* Fills run from one summary body (the top level or a detail). Returns 0
 * or -1 when out of memory. */
static int body(const json_t *o, struct sim_results *run)
{
        run->duration_ns = u64(o, "duration_ns");
        run->warmup_ns = u64(o, "warmup_ns");
        run->sim_time_ns = u64(o, "sim_time_ns");
        run->events = u64(o, "events");
        run->wall_time_s = num(o, "wall_time_s");
        counts(json_object_get(o, "requests"), &run->requests);
        latency(json_object_get(o, "latency_ns"), &run->latency);
        hist_init(&run->hist);
        const json_t *t = json_object_get(o, "throughput");
#define READ_FIGURE(name, kind, ...) run->name = READ_##kind(t, #name);
        SIM_THROUGHPUT_FIGURES(READ_FIGURE)
#undef READ_FIGURE
        run->mean_in_system = num(o, "mean_in_system");
        run->drain_capped = u64(o, "drain_capped") > 0;
        run->unfinished = u64(o, "unfinished");

        const json_t *a = json_object_get(o, "classes");
        size_t n = json_array_size(a);
        run->classes = n ? calloc(n, sizeof(*run->classes)) : NULL;
        if (n && run->classes == NULL)
                return -1;
        run->nclasses = n;
        for (size_t k = 0; k < n; k++) {
                const json_t *c = json_array_get(a, k);
                struct sim_class_result *cr = &run->classes[k];
                if ((cr->name = text(c, "name")) == NULL)
                        return -1;
                counts(json_object_get(c, "requests"), &cr->requests);
                latency(json_object_get(c, "latency_ns"), &cr->latency);
                hist_init(&cr->hist);
                t = json_object_get(c, "throughput");
#define READ_FIGURE(name, kind, ...) cr->name = READ_##kind(t, #name);
                SIM_THROUGHPUT_FIGURES(READ_FIGURE)
#undef READ_FIGURE
        }

        a = json_object_get(o, "devices");
        n = json_array_size(a);
        run->devices = n ? calloc(n, sizeof(*run->devices)) : NULL;
        if (n && run->devices == NULL)
                return -1;
        run->ndevices = n;
        for (size_t k = 0; k < n; k++) {
                const json_t *d = json_array_get(a, k);
                struct sim_device_result *dr = &run->devices[k];
                if ((dr->name = text(d, "name")) == NULL)
                        return -1;
                dr->lanes = (uint32_t)u64(d, "lanes");
                dr->ring = (uint32_t)u64(d, "ring");
#define READ_FIGURE(name, kind, ...) dr->name = READ_##kind(d, #name);
                SIM_DEVICE_FIGURES(READ_FIGURE)
#undef READ_FIGURE
        }
        run->nfaults = (size_t)u64(o, "faults");
        run->faults = run->nfaults ? calloc(run->nfaults, sizeof(*run->faults)) : NULL;
        return run->nfaults && run->faults == NULL ? -1 : 0;
}

/* ---- the origin ------------------------------------------------------------------ */

/* The description, sets, scenario file and hash of the summary (the
 * file's bytes stay in scenario.yaml). Returns 0 or -1 when out of
 * memory. */
static int origin(const json_t *root, struct provenance *p)
{
        int rc = maybe_text(root, "description", &p->description) |
                 maybe_text(root, "scenario_file", &p->scenario_file);
        const json_t *sets = json_object_get(root, "sets");
        size_t n = json_array_size(sets);
        p->sets = n ? calloc(n, sizeof(*p->sets)) : NULL;
        if (n && p->sets == NULL)
                return -1;
        for (size_t i = 0; i < n; i++) {
                const char *s = json_string_value(json_array_get(sets, i));
                if (s == NULL)
                        continue;
                if ((p->sets[p->nsets] = strdup(s)) == NULL)
                        return -1;
                p->nsets++;
        }
        p->source_hash = u64(root, "scenario_hash");
        const json_t *pl = json_object_get(root, "platform");
        if (json_is_object(pl)) { /* a live run's */
                rc |= maybe_text(pl, "kind", &p->platform) | maybe_text(pl, "cpu", &p->cpu) |
                      maybe_text(pl, "crypto", &p->crypto);
                p->cpus = (unsigned)json_integer_value(json_object_get(pl, "cpus"));
        }
        return rc;
}

/* ---- the top level's figures ------------------------------------------------------ */

/* The figure at key of o as written (NaN when absent) over the
 * recomputed *f; the half-width too when ci (the matching "ci95" object)
 * has it, else the recomputed one stays. */
static void figure(struct rep_figure *f, const json_t *o, const json_t *ci, const char *key)
{
        f->mean = num(o, key);
        if (json_object_get(ci, key))
                f->ci95 = num(ci, key);
}

static void top_counts(struct rep_counts *c, const json_t *o)
{
#define TOP_FIGURE(name, ...) figure(&c->name, o, NULL, #name);
        SIM_COUNT_FIGURES(TOP_FIGURE)
#undef TOP_FIGURE
}

/* The latency of the run or of a class (o), with the half-widths of its
 * "ci95". */
static void top_latency(struct rep_latency *l, const json_t *o)
{
        const json_t *lo = json_object_get(o, "latency_ns");
        const json_t *lci = json_object_get(json_object_get(o, "ci95"), "latency_ns");
        const json_t *lin = json_object_get(json_object_get(o, "ci95"), "latency_interval_ns");
#define TOP_FIGURE(name, ...) figure(&l->name, lo, lci, #name);
        SIM_LATENCY_FIGURES(TOP_FIGURE)
#undef TOP_FIGURE
        /* the quantiles' intervals [lo, hi] (sim/run/quantiles.h); without
         * them (an older file), the figure alone */
#define TOP_INTERVAL(name, ...)                                                                    \
        {                                                                                          \
                const json_t *a = json_object_get(lin, #name);                                     \
                l->name.lo =                                                                       \
                    json_is_array(a) ? json_number_value(json_array_get(a, 0)) : l->name.mean;     \
                l->name.hi =                                                                       \
                    json_is_array(a) ? json_number_value(json_array_get(a, 1)) : l->name.mean;     \
        }
        SIM_LATENCY_FIGURES(TOP_INTERVAL)
#undef TOP_INTERVAL
}

/* The throughput of the run or of a class (o) into x, likewise. */
#define TOP_THROUGHPUT(name, ...) figure(&x->name, t, tci, #name);

static void top_run_throughput(struct replications *x, const json_t *o)
{
        const json_t *t = json_object_get(o, "throughput");
        const json_t *tci = json_object_get(json_object_get(o, "ci95"), "throughput");
        SIM_THROUGHPUT_FIGURES(TOP_THROUGHPUT)
}

static void top_class_throughput(struct rep_class *x, const json_t *o)
{
        const json_t *t = json_object_get(o, "throughput");
        const json_t *tci = json_object_get(json_object_get(o, "ci95"), "throughput");
        SIM_THROUGHPUT_FIGURES(TOP_THROUGHPUT)
}

static void top_level(struct replications *r, const json_t *root)
{
        figure(&r->sim_time_ns, root, NULL, "sim_time_ns");
        figure(&r->events, root, NULL, "events");
        figure(&r->wall_time_s, root, NULL, "wall_time_s");
        figure(&r->mean_in_system, root, NULL, "mean_in_system");
        top_counts(&r->requests, json_object_get(root, "requests"));
        top_latency(&r->latency, root);
        top_run_throughput(r, root);
        if (json_object_get(root, "drain_capped"))
                r->drain_capped = (size_t)u64(root, "drain_capped");
        if (json_object_get(root, "unfinished"))
                r->unfinished = u64(root, "unfinished");
        const json_t *a = json_object_get(root, "classes");
        for (size_t k = 0; k < r->nclasses; k++) {
                const json_t *c = json_array_get(a, k);
                struct rep_class *rc = &r->classes[k];
                top_counts(&rc->requests, json_object_get(c, "requests"));
                top_latency(&rc->latency, c);
                top_class_throughput(rc, c);
        }
        a = json_object_get(root, "devices");
        for (size_t k = 0; k < r->ndevices; k++) {
                const json_t *d = json_array_get(a, k);
                const json_t *ci = json_object_get(d, "ci95");
                struct rep_device *rd = &r->devices[k];
#define TOP_FIGURE(name, ...) figure(&rd->name, d, ci, #name);
                SIM_DEVICE_FIGURES(TOP_FIGURE)
#undef TOP_FIGURE
        }
}

/* ---- the reader --------------------------------------------------------------------- */

/* The facts of the top level that are not figures. Returns 0 or -1 when
 * out of memory. */
static int facts(const json_t *root, struct result_summary *s)
{
        const json_t *v = json_object_get(root, "seed");
        s->has_seed = (json_is_integer(v) && json_integer_value(v) >= 0) || json_is_string(v);
        if (json_is_string(v)) {
                char *end;
                s->seed = strtoull(json_string_value(v), &end, 10);
                s->has_seed = *end == '\0';
        } else if (s->has_seed) {
                s->seed = (uint64_t)json_integer_value(v);
        }
        v = json_object_get(root, "replications");
        s->has_replications = json_is_integer(v);
        s->replications = u64(root, "replications");
        v = json_object_get(root, "replication_seeds");
        s->has_seeds = json_is_array(v);
        s->nseeds = json_array_size(v);
        s->has_fingerprints = s->nseeds > 0;
        for (size_t i = 0; i < s->nseeds; i++)
                s->has_fingerprints &=
                    json_is_string(json_object_get(json_array_get(v, i), "fingerprint"));
        s->has_figures = json_is_object(json_object_get(root, "latency_ns")) &&
                         json_is_object(json_object_get(root, "requests"));
        s->has_hash = json_is_string(json_object_get(root, "scenario_hash"));
        s->has_sets = json_is_array(json_object_get(root, "sets"));
        s->has_duration = json_is_number(json_object_get(root, "duration_ns")) &&
                          json_is_number(json_object_get(root, "warmup_ns"));
        s->has_faults = json_is_number(json_object_get(root, "faults"));
        s->faults = u64(root, "faults");
        return maybe_text(root, "acsim_version", &s->acsim_version) |
               maybe_text(root, "scenario", &s->scenario) | maybe_text(root, "policy", &s->policy);
}

int read_summary(const char *path, struct result_summary *out, struct sim_error *e)
{
        memset(out, 0, sizeof(*out));
        json_t *root = read_json_object(path, e);
        if (root == NULL)
                return -1;
        struct replications *r = &out->r;
        const json_t *detail = json_object_get(root, "replications_detail");
        const json_t *seeds = json_object_get(root, "replication_seeds");
        size_t n = json_array_size(detail) ? json_array_size(detail) : 1;
        int rc = facts(root, out);
        r->runs = rc == 0 ? calloc(n, sizeof(*r->runs)) : NULL;
        rc = r->runs ? 0 : -1;
        for (size_t i = 0; rc == 0 && i < n; i++) {
                const json_t *o = json_array_size(detail) ? json_array_get(detail, i) : root;
                struct sim_results *run = &r->runs[i];
                r->n++;
                run->scenario = text(root, "scenario");
                run->policy = text(root, "policy");
                if (run->scenario == NULL || run->policy == NULL) {
                        rc = -1;
                        break;
                }
                run->seed = out->seed;
                const json_t *s = json_array_get(seeds, i);
                run->replication = (uint32_t)u64(s, "replication");
                run->replication_seed = u64(s, "seed");
                run->fingerprint = u64(s, "fingerprint");
                run->order_hash = u64(o, "order_hash");
                rc = body(o, run);
        }
        if (rc == 0)
                rc = origin(root, &r->origin);
        if (rc < 0) {
                sim_fail(e, -1, "%s: out of memory", path);
                goto fail;
        }
        size_t nclasses = json_array_size(json_object_get(root, "classes"));
        size_t ndevices = json_array_size(json_object_get(root, "devices"));
        for (size_t i = 0; i < r->n; i++) {
                if (r->runs[i].nclasses != nclasses || r->runs[i].ndevices != ndevices) {
                        sim_fail(e, -1,
                                 "%s: replication %zu has other classes or devices than the "
                                 "whole run",
                                 path, i);
                        goto fail;
                }
        }
        if (replications_summarize(r) < 0) {
                sim_fail(e, -1, "%s: out of memory", path);
                goto fail;
        }
        top_level(r, root);
        json_decref(root);
        return 0;
fail:
        json_decref(root);
        result_summary_free(out);
        return -1;
}

void result_summary_free(struct result_summary *s)
{
        replications_free(&s->r);
        free(s->acsim_version);
        free(s->scenario);
        free(s->policy);
        memset(s, 0, sizeof(*s));
}

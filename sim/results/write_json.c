/*
 * sim/results/write_json.c - summary.json. The body of a summary (times, requests,
 * latency, throughput, classes, devices) is written by one function for
 * the top level and for each replication in "replications_detail"; with
 * one replication counts are integers, with more they are means (reals).
 * The top level then adds "ci95" and the details when n > 1.
 */
#include "sim/results/write_json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))

/* Each put_* returns 0, or -1 when jansson could not take the value (out
 * of memory); a failed put leaves the object usable, the caller gives up. */
int write_json_put(json_t *o, const char *key, json_t *v)
{
        return v ? json_object_set_new(o, key, v) : -1;
}

json_t *write_json_head(const char *scenario)
{
        json_t *o = json_object();
        if (o == NULL)
                return NULL;
        if (write_json_put(o, "acsim_version", json_string(ACSIM_VERSION)) |
            write_json_put(o, "scenario", json_string(scenario))) {
                json_decref(o);
                return NULL;
        }
        return o;
}

static json_t *real(double x)
{
        return isfinite(x) ? json_real(x) : json_null();
}

json_t *write_json_u64(uint64_t x)
{
        if (x <= (uint64_t)INT64_MAX)
                return json_integer((json_int_t)x);
        char buf[24];
        snprintf(buf, sizeof(buf), "%" PRIu64, x);
        return json_string(buf);
}

static json_t *hex(uint64_t x)
{
        char buf[24];
        snprintf(buf, sizeof(buf), "0x%016" PRIx64, x);
        return json_string(buf);
}

/* A count: exact with one replication, the mean with more. */
static json_t *count(const struct replications *r, const struct rep_figure *f)
{
        if (r->n == 1 && f->mean >= 0 && f->mean < 9007199254740992.0)
                return json_integer((json_int_t)f->mean);
        return real(f->mean);
}

/* A figure of sim/run/figures.h: a real, or a count. */
static json_t *figure(const struct replications *r, bool is_real, const struct rep_figure *f)
{
        return is_real ? real(f->mean) : count(r, f);
}

static json_t *counts(const struct replications *r, const struct rep_counts *c)
{
        json_t *o = json_object();
        if (o == NULL)
                return NULL;
        int rc = 0;
#define PUT_COUNT(name, kind, ...)                                                                 \
        rc |= write_json_put(o, #name, figure(r, SIM_FIG_REAL(kind), &c->name));
        SIM_COUNT_FIGURES(PUT_COUNT)
#undef PUT_COUNT
        return rc ? json_decref(o), NULL : o;
}

static json_t *latency(const struct replications *r, const struct rep_latency *l)
{
        json_t *o = json_object();
        if (o == NULL)
                return NULL;
        int rc = 0;
#define PUT_LATENCY(name, kind, ...)                                                               \
        rc |= write_json_put(o, #name, figure(r, SIM_FIG_REAL(kind), &l->name));
        SIM_LATENCY_FIGURES(PUT_LATENCY)
#undef PUT_LATENCY
        return rc ? json_decref(o), NULL : o;
}

/* The throughput figures of src (a struct replications or a struct
 * rep_class), as an array for throughput(). */
#define THROUGHPUT_FIGURE(name, ...) &src->name,
#define THROUGHPUT_NAME(name, ...)   #name,

/* The throughput figures f (in the order of SIM_THROUGHPUT_FIGURES), or
 * their half-widths. */
static json_t *throughput(const struct rep_figure *const *f, bool half)
{
        static const char *const names[] = {SIM_THROUGHPUT_FIGURES(THROUGHPUT_NAME)};
        json_t *o = json_object();
        if (o == NULL)
                return NULL;
        int rc = 0;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                rc |= write_json_put(o, names[i], real(half ? f[i]->ci95 : f[i]->mean));
        return rc ? json_decref(o), NULL : o;
}

/* The half-widths of a latency summary. */
static json_t *latency_ci95(const struct rep_latency *l)
{
        json_t *o = json_object();
        if (o == NULL)
                return NULL;
        int rc = 0;
#define PUT_CI95(name, kind, label, shown)                                                         \
        if ((shown)&SIM_SHOW_CI95)                                                                 \
                rc |= write_json_put(o, #name, real(l->name.ci95));
        SIM_LATENCY_FIGURES(PUT_CI95)
#undef PUT_CI95
        return rc ? json_decref(o), NULL : o;
}

/* The 95% intervals [lo, hi] of the latency quantiles and the maximum
 * (sim/run/quantiles.h). */
#define INTERVAL_OF_COUNT       0
#define INTERVAL_OF_MEAN        0
#define INTERVAL_OF_MAX         1
#define INTERVAL_OF_QUANTILE(q) 1

static json_t *latency_interval(const struct rep_latency *l)
{
        json_t *o = json_object();
        if (o == NULL)
                return NULL;
        int rc = 0;
#define PUT_INTERVAL(name, kind, ...)                                                              \
        if (INTERVAL_OF_##kind) {                                                                  \
                json_t *a = json_array();                                                          \
                rc |= write_json_put(o, #name, a);                                                 \
                rc |= a ? json_array_append_new(a, real(l->name.lo)) : -1;                         \
                rc |= a ? json_array_append_new(a, real(l->name.hi)) : -1;                         \
        }
        SIM_LATENCY_FIGURES(PUT_INTERVAL)
#undef PUT_INTERVAL
        return rc ? json_decref(o), NULL : o;
}

static json_t *ci95_of(const struct rep_latency *l, const struct rep_figure *const *tp)
{
        json_t *o = json_object();
        if (o == NULL)
                return NULL;
        int rc = 0;
        rc |= write_json_put(o, "latency_ns", latency_ci95(l));
        rc |= write_json_put(o, "latency_interval_ns", latency_interval(l));
        rc |= write_json_put(o, "throughput", throughput(tp, true));
        return rc ? json_decref(o), NULL : o;
}

static json_t *class_entry(const struct replications *r, const struct rep_class *c)
{
        json_t *o = json_object();
        if (o == NULL)
                return NULL;
        int rc = 0;
        rc |= write_json_put(o, "name", json_string(c->name));
        rc |= write_json_put(o, "requests", counts(r, &c->requests));
        rc |= write_json_put(o, "latency_ns", latency(r, &c->latency));
        const struct rep_class *src = c;
        const struct rep_figure *tp[] = {SIM_THROUGHPUT_FIGURES(THROUGHPUT_FIGURE)};
        rc |= write_json_put(o, "throughput", throughput(tp, false));
        if (r->n > 1)
                rc |= write_json_put(o, "ci95", ci95_of(&c->latency, tp));
        return rc ? json_decref(o), NULL : o;
}

static json_t *device_entry(const struct replications *r, const struct rep_device *d)
{
        json_t *o = json_object();
        if (o == NULL)
                return NULL;
        int rc = 0;
        rc |= write_json_put(o, "name", json_string(d->name));
        rc |= write_json_put(o, "lanes", json_integer(d->lanes));
        rc |= write_json_put(o, "ring", json_integer(d->ring));
        if (d->attach_ns > 0)
                rc |= write_json_put(o, "attach_ns", write_json_u64(d->attach_ns));
#define PUT_DEVICE(name, kind, ...)                                                                \
        rc |= write_json_put(o, #name, figure(r, SIM_FIG_REAL(kind), &d->name));
        SIM_DEVICE_FIGURES(PUT_DEVICE)
#undef PUT_DEVICE
        if (r->n > 1) {
                json_t *h = json_object();
                rc |= write_json_put(o, "ci95", h);
#define PUT_DEVICE_CI95(name, kind, ...)                                                           \
        if (h && SIM_FIG_REAL(kind))                                                               \
                rc |= write_json_put(h, #name, real(d->name.ci95));
                SIM_DEVICE_FIGURES(PUT_DEVICE_CI95)
#undef PUT_DEVICE_CI95
        }
        return rc ? json_decref(o), NULL : o;
}

/* The figures every summary has, from sim_time_ns to the drain. */
static int put_body(json_t *o, const struct replications *r)
{
        const struct sim_results *first = &r->runs[0];
        int rc = 0;
        rc |= write_json_put(o, "sim_time_ns", count(r, &r->sim_time_ns));
        rc |= write_json_put(o, "duration_ns", write_json_u64(first->duration_ns));
        rc |= write_json_put(o, "warmup_ns", write_json_u64(first->warmup_ns));
        rc |= write_json_put(o, "wall_time_s", real(r->wall_time_s.mean));
        rc |= write_json_put(o, "events", count(r, &r->events));
        rc |= write_json_put(o, "requests", counts(r, &r->requests));
        rc |= write_json_put(o, "latency_ns", latency(r, &r->latency));
        const struct replications *src = r;
        const struct rep_figure *tp[] = {SIM_THROUGHPUT_FIGURES(THROUGHPUT_FIGURE)};
        rc |= write_json_put(o, "throughput", throughput(tp, false));
        rc |= write_json_put(o, "mean_in_system", real(r->mean_in_system.mean));

        json_t *a = json_array();
        rc |= write_json_put(o, "classes", a);
        for (size_t k = 0; a && k < r->nclasses; k++) {
                json_t *c = class_entry(r, &r->classes[k]);
                rc |= c ? json_array_append_new(a, c) : -1;
        }
        a = json_array();
        rc |= write_json_put(o, "devices", a);
        for (size_t k = 0; a && k < r->ndevices; k++) {
                json_t *d = device_entry(r, &r->devices[k]);
                rc |= d ? json_array_append_new(a, d) : -1;
        }
        size_t nfaults = 0;
        for (size_t i = 0; i < r->n; i++)
                nfaults += r->runs[i].nfaults;
        rc |= write_json_put(o, "faults", json_integer((json_int_t)nfaults));
        rc |= write_json_put(o, "drain_capped", json_integer((json_int_t)r->drain_capped));
        rc |= write_json_put(o, "unfinished", write_json_u64(r->unfinished));
        if (first->trace) {
                uint64_t rows = 0;
                bool truncated = false;
                for (size_t i = 0; i < r->n; i++) {
                        rows += r->runs[i].trace_rows;
                        truncated = truncated || r->runs[i].trace_truncated;
                }
                json_t *t = json_object();
                rc |= write_json_put(o, "trace", t);
                if (t) {
                        rc |= write_json_put(t, "rows", write_json_u64(rows));
                        rc |= write_json_put(t, "limit", write_json_u64(first->trace_limit));
                        rc |= write_json_put(t, "truncated", json_boolean(truncated));
                }
        }
        return rc;
}

/* One replication's own summary, for "replications_detail". */
static json_t *detail(const struct sim_results *run)
{
        struct replications one = {.n = 1, .runs = (struct sim_results *)run};
        json_t *o = json_object();
        if (o == NULL || replications_summarize(&one) < 0) {
                json_decref(o);
                return NULL;
        }
        int rc = 0;
        rc |= write_json_put(o, "replication", json_integer((json_int_t)run->replication));
        rc |= write_json_put(o, "seed", hex(run->replication_seed));
        rc |= write_json_put(o, "order_hash", hex(run->order_hash));
        rc |= put_body(o, &one);
        free(one.classes);
        free(one.devices);
        return rc ? json_decref(o), NULL : o;
}

static json_t *text_or_null(const char *s)
{
        return s ? json_string(s) : json_null();
}

/* What made the results: description, sets, scenario_file, scenario_hash. */
static int put_origin(json_t *o, const struct provenance *p)
{
        int rc = 0;
        rc |= write_json_put(o, "description", text_or_null(p->description));
        json_t *sets = json_array();
        rc |= write_json_put(o, "sets", sets);
        for (size_t i = 0; sets && i < p->nsets; i++)
                rc |= json_array_append_new(sets, json_string(p->sets[i]));
        rc |= write_json_put(o, "scenario_file", text_or_null(p->scenario_file));
        rc |= write_json_put(o, "scenario_hash", p->source ? hex(p->source_hash) : json_null());
        if (p->platform) { /* a run on real hardware says where */
                json_t *pl = json_object();
                rc |= write_json_put(o, "platform", pl);
                if (pl) {
                        rc |= write_json_put(pl, "kind", json_string(p->platform));
                        rc |= write_json_put(pl, "cpu", text_or_null(p->cpu));
                        rc |= write_json_put(pl, "cpus", json_integer((json_int_t)p->cpus));
                        rc |= write_json_put(pl, "crypto", text_or_null(p->crypto));
                }
        }
        if (p->live) /* acsim live: where its requests spent their time */
                rc |= write_json_put(o, "live", json_loads(p->live, 0, NULL));
        return rc;
}

/* One figure's batch-means interval. */
static json_t *batch_figure(const struct batch_means *b)
{
        json_t *f = json_object();
        int rc = f ? 0 : -1;
        rc |= write_json_put(f, "mean", json_real(b->mean));
        rc |= write_json_put(f, "ci95", json_real(b->ci95));
        rc |= write_json_put(f, "batches", write_json_u64(b->batches));
        rc |= write_json_put(f, "batch_rows", write_json_u64(b->batch_size));
        rc |= write_json_put(f, "lag1", json_real(b->lag1));
        rc |= write_json_put(f, "independent", json_boolean(b->independent));
        return rc ? json_decref(f), NULL : f;
}

/* run.method: batch-means: the intervals of the one long run. */
static int put_batch_means(json_t *o, const struct rep_batch_means *b)
{
        json_t *a = json_object();
        int rc = write_json_put(o, "batch_means", a);
        if (a == NULL)
                return -1;
        rc |= write_json_put(a, "rows", write_json_u64(b->rows));
        rc |= write_json_put(a, "mean_in_system", batch_figure(&b->in_system));
        rc |= write_json_put(a, "requests_per_s", batch_figure(&b->throughput));
        return rc;
}

/* run.precision: each target and the half-width achieved, relative ones
 * as fractions of the mean. */
static int put_precision(json_t *o, const struct replications *r)
{
        const struct rep_precision *p = &r->precision;
        json_t *a = json_object();
        int rc = write_json_put(o, "precision", a);
        if (a == NULL)
                return -1;
        rc |= write_json_put(a, "reached", json_boolean(p->reached));
        rc |= write_json_put(a, "replications", write_json_u64(r->n));
        rc |= write_json_put(a, "max_replications", write_json_u64(p->cap));
        json_t *ts = json_array();
        rc |= write_json_put(a, "metrics", ts);
        for (size_t i = 0; ts && i < p->ntargets; i++) {
                const struct scenario_precision_target *t = &p->targets[i];
                json_t *e = json_object();
                rc |= e ? json_array_append_new(ts, e) : -1;
                if (e == NULL)
                        continue;
                rc |= write_json_put(e, "metric", json_string(t->metric));
                rc |= write_json_put(e, "relative", json_boolean(t->relative));
                rc |= write_json_put(e, "half_width", json_real(t->half_width));
                rc |= write_json_put(e, "achieved", json_real(p->achieved[i]));
                rc |= write_json_put(e, "mean", json_real(replications_figure(r, t->figure)->mean));
                if (p->baseline) { /* a sweep's point, judged on its paired difference */
                        rc |= write_json_put(e, "difference", real(p->diff_mean[i]));
                        rc |= write_json_put(e, "difference_achieved", real(p->diff_achieved[i]));
                }
        }
        if (p->baseline)
                rc |= write_json_put(a, "baseline", json_string(p->baseline));
        return rc;
}

/* run.warmup: auto: what MSER-5 found (docs/statistics.md). */
static int put_warmup(json_t *o, const struct replications *r)
{
        const struct rep_warmup *w = &r->warmup;
        json_t *a = json_object();
        int rc = write_json_put(o, "warmup", a);
        if (a == NULL)
                return -1;
        rc |= write_json_put(a, "method", json_string("mser-5"));
        rc |= write_json_put(a, "series", json_string("mean_in_system"));
        rc |= write_json_put(a, "settled", json_boolean(w->settled));
        rc |= write_json_put(a, "warmup_ns", write_json_u64(w->warmup_ns));
        rc |= write_json_put(a, "rows", write_json_u64(w->rows));
        rc |= write_json_put(a, "truncated_rows", write_json_u64(w->truncate_rows));
        rc |= write_json_put(a, "interval_ns", write_json_u64(w->interval_ns));
        json_t *own = json_array();
        rc |= write_json_put(a, "replications", own);
        for (size_t i = 0; own && i < r->n; i++) {
                json_t *e = json_object();
                rc |= e ? json_array_append_new(own, e) : -1;
                if (e) {
                        rc |= write_json_put(e, "replication",
                                             json_integer((json_int_t)r->runs[i].replication));
                        rc |= write_json_put(e, "warmup_ns", write_json_u64(w->own_ns[i]));
                        rc |= write_json_put(e, "settled", json_boolean(w->own_settled[i]));
                }
        }
        return rc;
}

json_t *write_json_summary(const struct replications *r)
{
        if (r->n == 0)
                return NULL;
        const struct sim_results *first = &r->runs[0];
        json_t *o = write_json_head(first->scenario);
        if (o == NULL)
                return NULL;
        int rc = 0;
        rc |= put_origin(o, &r->origin);
        rc |= write_json_put(o, "policy", json_string(first->policy));
        rc |= write_json_put(o, "seed", write_json_u64(first->seed));
        rc |= write_json_put(o, "replications", json_integer((json_int_t)r->n));
        json_t *seeds = json_array();
        rc |= write_json_put(o, "replication_seeds", seeds);
        for (size_t i = 0; seeds && i < r->n; i++) {
                json_t *s = json_object();
                rc |= s ? json_array_append_new(seeds, s) : -1;
                if (s) {
                        rc |=
                            write_json_put(s, "replication", json_integer(r->runs[i].replication));
                        rc |= write_json_put(s, "seed", hex(r->runs[i].replication_seed));
                        rc |= write_json_put(s, "fingerprint", hex(r->runs[i].fingerprint));
                }
        }
        if (r->warmup.automatic)
                rc |= put_warmup(o, r);
        if (r->batches.on)
                rc |= put_batch_means(o, &r->batches);
        if (r->precision.on)
                rc |= put_precision(o, r);
        if (r->n == 1)
                rc |= write_json_put(o, "order_hash", hex(first->order_hash));
        rc |= put_body(o, r);
        if (r->n > 1) {
                const struct replications *src = r;
                const struct rep_figure *tp[] = {SIM_THROUGHPUT_FIGURES(THROUGHPUT_FIGURE)};
                rc |= write_json_put(o, "ci95", ci95_of(&r->latency, tp));
                json_t *a = json_array();
                rc |= write_json_put(o, "replications_detail", a);
                for (size_t i = 0; a && i < r->n; i++) {
                        json_t *d = detail(&r->runs[i]);
                        rc |= d ? json_array_append_new(a, d) : -1;
                }
        }
        return rc ? json_decref(o), NULL : o;
}

int write_json_file(const char *path, const struct replications *r)
{
        json_t *o = write_json_summary(r);
        if (o == NULL) {
                errno = ENOMEM;
                return -1;
        }
        FILE *f = fopen(path, "w");
        if (f == NULL) {
                json_decref(o);
                return -1;
        }
        errno = 0;
        int rc = json_dumpf(o, f, DUMP_FLAGS);
        json_decref(o);
        if (rc == 0 && fputc('\n', f) == EOF)
                rc = -1;
        if (fclose(f) != 0)
                rc = -1;
        if (rc != 0 && errno == 0)
                errno = EIO;
        return rc ? -1 : 0;
}

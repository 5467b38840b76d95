/*
 * sim/report/markdown_summary.c - summary.json back into struct replications
 * (sim/report/markdown_summary.h): each replication's object into a struct
 * sim_results, what made them into the origin, then
 * replications_summarize().
 */
#include "sim/report/markdown_summary.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double num(const json_t *o, const char *key)
{
        const json_t *v = json_object_get(o, key);
        if (json_is_string(v)) /* a seed above 2^63 - 1 */
                return (double)strtoull(json_string_value(v), NULL, 0);
        return json_is_number(v) ? json_number_value(v) : NAN;
}

static uint64_t u64(const json_t *o, const char *key)
{
        const json_t *v = json_object_get(o, key);
        if (json_is_string(v))
                return strtoull(json_string_value(v), NULL, 0);
        double x = json_is_number(v) ? json_number_value(v) : 0;
        return x > 0 ? (uint64_t)llround(x) : 0;
}

static char *text(const json_t *o, const char *key)
{
        const char *s = json_string_value(json_object_get(o, key));
        return strdup(s ? s : "?");
}

static void counts(const json_t *o, struct sim_counts *c)
{
        c->submitted = u64(o, "submitted");
        c->completed = u64(o, "completed");
        c->failed = u64(o, "failed");
        c->rejected = u64(o, "rejected");
        c->backlogged = u64(o, "backlogged");
        c->retried = u64(o, "retried");
        c->migrated = u64(o, "migrated");
}

static void latency(const json_t *o, struct sim_latency *l)
{
        l->count = u64(o, "count");
        l->mean = num(o, "mean");
        l->p50 = u64(o, "p50");
        l->p90 = u64(o, "p90");
        l->p99 = u64(o, "p99");
        l->p999 = u64(o, "p999");
        l->max = u64(o, "max");
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
        run->requests_per_s = num(t, "requests_per_s");
        run->bytes_per_s = num(t, "bytes_per_s");
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
                cr->requests_per_s = num(t, "requests_per_s");
                cr->bytes_per_s = num(t, "bytes_per_s");
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
                dr->utilization = num(d, "utilization");
                dr->mean_queue = num(d, "mean_queue");
                dr->mean_in_flight = num(d, "mean_in_flight");
                dr->completed = u64(d, "completed");
                dr->errors = u64(d, "errors");
                dr->failures = u64(d, "failures");
                dr->timeouts = u64(d, "timeouts");
                dr->late = u64(d, "late");
                dr->migrated_out = u64(d, "migrated_out");
                dr->dropped = u64(d, "dropped");
        }
        run->nfaults = (size_t)u64(o, "faults");
        run->faults = run->nfaults ? calloc(run->nfaults, sizeof(*run->faults)) : NULL;
        return run->nfaults && run->faults == NULL ? -1 : 0;
}

/* A string of the JSON copied, or NULL when absent or null. Returns 0 or
 * -1 when out of memory. */
static int maybe_text(const json_t *o, const char *key, char **out)
{
        const char *s = json_string_value(json_object_get(o, key));
        *out = s ? strdup(s) : NULL;
        return s && *out == NULL ? -1 : 0;
}

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
        return rc;
}

int report_md_summary_read(const char *path, struct replications *out, char *err, size_t errlen)
{
        memset(out, 0, sizeof(*out));
        json_error_t jerr;
        json_t *root = json_load_file(path, 0, &jerr);
        if (root == NULL || !json_is_object(root)) {
                snprintf(err, errlen, "%s:%d: %s", path, jerr.line,
                         root ? "not a JSON object" : jerr.text);
                json_decref(root);
                return -1;
        }
        size_t n = (size_t)u64(root, "replications");
        const json_t *detail = json_object_get(root, "replications_detail");
        const json_t *seeds = json_object_get(root, "replication_seeds");
        if (n == 0 || (n > 1 && json_array_size(detail) != n)) {
                snprintf(err, errlen, "%s: no replications (or not one detail each)", path);
                json_decref(root);
                return -1;
        }
        out->runs = calloc(n, sizeof(*out->runs));
        int rc = out->runs ? 0 : -1;
        for (size_t i = 0; rc == 0 && i < n; i++) {
                const json_t *o = n > 1 ? json_array_get(detail, i) : root;
                struct sim_results *run = &out->runs[i];
                out->n++;
                run->scenario = text(root, "scenario");
                run->policy = text(root, "policy");
                if (run->scenario == NULL || run->policy == NULL) {
                        rc = -1;
                        break;
                }
                run->seed = u64(root, "seed");
                const json_t *s = json_array_get(seeds, i);
                run->replication = (uint32_t)u64(s, "replication");
                run->replication_seed = u64(s, "seed");
                run->order_hash = u64(o, "order_hash");
                rc = body(o, run);
        }
        if (rc == 0)
                rc = origin(root, &out->origin);
        json_decref(root);
        if (rc == 0)
                rc = replications_summarize(out) < 0 ? -1 : 0;
        if (rc < 0) {
                snprintf(err, errlen, "%s: out of memory", path);
                replications_free(out);
        }
        return rc;
}

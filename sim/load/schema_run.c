/*
 * sim/load/schema_run.c - the `run:` section: how long, warm-up,
 * replications, sample interval, drain, trace (docs/scenarios.md, "run").
 * The warm-up is a duration or `auto` (MSER-5, docs/statistics.md).
 */
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/run/replicate.h"

#include "sim/load/loader.h"

/* One target's half-width: "1%" (of the mean) or a number in the
 * metric's unit. Returns 0 or -1 (error recorded). */
static int read_half_width(struct doc_node *p, struct scenario_precision_target *t)
{
        const char *text = NULL;
        if (doc_string(p, "half_width", DOC_REQUIRED, &text) != 0)
                return -1;
        char *end;
        double v = strtod(text, &end);
        t->relative = *end == '%' && end[1] == '\0';
        if (end == text || !(v > 0) || !isfinite(v) || (*end && !t->relative)) {
                doc_error(doc_get(p, "half_width", DOC_REQUIRED),
                          "a positive half-width, as a percentage of the mean (1%%) or in the "
                          "metric's unit");
                return -1;
        }
        t->half_width = t->relative ? v / 100 : v;
        return 0;
}

/* One target, {metric, half_width}, from the map p into r's next place. */
static void read_target(struct doc_node *p, struct scenario_run *r)
{
        const char *metric = NULL;
        if (doc_string(p, "metric", DOC_REQUIRED, &metric) != 0)
                return;
        struct scenario_precision_target *t = &r->precision[r->nprecision];
        t->figure = replications_figure_index(metric);
        if (t->figure < 0 || strlen(metric) >= sizeof(t->metric)) {
                doc_error(doc_get(p, "metric", DOC_REQUIRED), "one of %s",
                          replications_figure_names());
                return;
        }
        if (read_half_width(p, t) == 0) {
                snprintf(t->metric, sizeof(t->metric), "%s", metric);
                r->nprecision++;
        }
}

/* run.precision: {metric, half_width, max_replications}, or several
 * metrics as {metrics: [{metric, half_width}, ...], max_replications}. */
static void load_precision(struct doc_node *run, struct scenario_run *r)
{
        struct doc_node *p = doc_get_map(run, "precision", DOC_OPTIONAL);
        if (p == NULL)
                return;
        struct doc_node *seq = doc_get_seq(p, "metrics", DOC_OPTIONAL);
        if (seq == NULL) {
                read_target(p, r);
        } else if (doc_len(seq) == 0 || doc_len(seq) > SCENARIO_MAX_PRECISION) {
                doc_error(seq, "1 to %d metrics", SCENARIO_MAX_PRECISION);
        } else {
                for (size_t i = 0; i < doc_len(seq); i++) {
                        struct doc_node *m = doc_get_map(doc_at(seq, i), NULL, DOC_REQUIRED);
                        if (m == NULL)
                                continue;
                        read_target(m, r);
                        doc_check_keys(m);
                }
        }
        r->precision_line = doc_line(p); /* where a sweep's refusal of --emit points */
        r->precision_col = doc_col(p);
        uint32_t cap = 100;
        load_read_u32(p, "max_replications", DOC_OPTIONAL, 2, SCENARIO_MAX_REPLICAS, &cap);
        r->max_replications = cap;
        if (r->warmup_auto || r->batch_means)
                doc_error(doc_get(run, "precision", DOC_OPTIONAL),
                          "run.precision without run.warmup: auto and run.method: batch-means "
                          "(not combined yet)");
        doc_check_keys(p);
}

void load_run(struct loader *l, struct doc_node *root)
{
        struct scenario_run *r = &l->s->run;
        struct doc_node *run = doc_get_map(root, "run", DOC_OPTIONAL);
        load_read_duration(run, "duration", DOC_OPTIONAL, 1, &r->duration_ns);
        const char *warmup = doc_text(doc_get(run, "warmup", DOC_OPTIONAL));
        if (warmup && strcmp(warmup, "auto") == 0)
                r->warmup_auto = true; /* warmup_ns stays 0 until MSER-5 finds it */
        else if (load_read_duration(run, "warmup", DOC_OPTIONAL, 0, &r->warmup_ns) == 0 &&
                 r->warmup_ns >= r->duration_ns)
                doc_error(doc_get(run, "warmup", DOC_OPTIONAL),
                          "a warm-up shorter than run.duration (%s)",
                          doc_text(doc_get(run, "duration", DOC_OPTIONAL))
                              ? doc_text(doc_get(run, "duration", DOC_OPTIONAL))
                              : "1s, the default");
        load_read_u32(run, "replications", DOC_OPTIONAL, 1, SCENARIO_MAX_REPLICAS,
                      &r->replications);
        if (load_read_duration(run, "sample", DOC_OPTIONAL, 1, &r->sample_ns) == 0 &&
            r->sample_ns > r->duration_ns)
                doc_error(doc_get(run, "sample", DOC_OPTIONAL),
                          "a sample interval no longer than run.duration");
        const char *method = doc_text(doc_get(run, "method", DOC_OPTIONAL));
        if (method && strcmp(method, "batch-means") == 0) {
                r->batch_means = true;
                if (r->replications > 1)
                        doc_error(doc_get(run, "replications", DOC_OPTIONAL),
                                  "one replication with run.method: batch-means");
                if (r->sample_ns == 0) /* rows enough for 40 batches of 10 and more */
                        r->sample_ns = r->duration_ns / 1000 ? r->duration_ns / 1000 : 1;
                else if (r->duration_ns / r->sample_ns < 400)
                        doc_error(doc_get(run, "sample", DOC_OPTIONAL),
                                  "a sample interval of at most run.duration / 400 with "
                                  "run.method: batch-means (40 batches of 10 rows)");
        } else if (method && strcmp(method, "replications") != 0) {
                doc_error(doc_get(run, "method", DOC_OPTIONAL), "replications or batch-means");
        }
        load_precision(run, r);
        /* MSER-5 needs MSER_BATCH * MSER_MIN_BATCHES rows of the series */
        if (r->warmup_auto && r->sample_ns && r->duration_ns / r->sample_ns < 50)
                doc_error(doc_get(run, "sample", DOC_OPTIONAL),
                          "a sample interval of at most run.duration / 50 with run.warmup: auto "
                          "(MSER-5 needs 50 rows of the time series)");
        load_read_duration(run, "drain", DOC_OPTIONAL, 1, &r->drain_cap_ns);
        doc_bool(run, "trace", DOC_OPTIONAL, &r->trace);
        doc_whole(run, "trace_limit", DOC_OPTIONAL, 1, SCENARIO_MAX_TRACE_LIMIT, &r->trace_limit);
        if (doc_size(run, "memory", DOC_OPTIONAL, &r->memory) == 0 &&
            (r->memory < SCENARIO_MIN_MEMORY || r->memory > SCENARIO_MAX_MEMORY))
                doc_error(doc_get(run, "memory", DOC_OPTIONAL),
                          "a size from 1KiB to 1TiB (the requests held at once)");
        doc_check_keys(run);
}

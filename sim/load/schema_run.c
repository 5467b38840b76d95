/*
 * sim/load/schema_run.c - the `run:` section: how long, warm-up,
 * replications, sample interval, drain, trace (docs/scenarios.md, "run").
 * The warm-up is a duration or `auto` (MSER-5, docs/statistics.md).
 */
#include <stdint.h>
#include <string.h>

#include "sim/load/loader.h"

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
        /* MSER-5 needs MSER_BATCH * MSER_MIN_BATCHES rows of the series */
        if (r->warmup_auto && r->sample_ns && r->duration_ns / r->sample_ns < 50)
                doc_error(doc_get(run, "sample", DOC_OPTIONAL),
                          "a sample interval of at most run.duration / 50 with run.warmup: auto "
                          "(MSER-5 needs 50 rows of the time series)");
        load_read_duration(run, "drain", DOC_OPTIONAL, 1, &r->drain_cap_ns);
        doc_bool(run, "trace", DOC_OPTIONAL, &r->trace);
        doc_whole(run, "trace_limit", DOC_OPTIONAL, 1, SCENARIO_MAX_TRACE_LIMIT, &r->trace_limit);
        doc_check_keys(run);
}

/*
 * sim/run/results.c - the in-memory results of a replication (sim/run/results.h).
 */
#include "sim/run/results.h"

#include <stdlib.h>
#include <string.h>

/* Each kind of latency figure, from the histogram h. */
#define FROM_HIST_COUNT       h->count
#define FROM_HIST_MEAN        hist_mean(h)
#define FROM_HIST_QUANTILE(q) hist_quantile(h, q)
#define FROM_HIST_MAX         (h->count ? h->max : 0)

void sim_latency_from_hist(struct sim_latency *out, const struct hist *h)
{
#define FROM_HIST(name, kind, ...) out->name = FROM_HIST_##kind;
        SIM_LATENCY_FIGURES(FROM_HIST)
#undef FROM_HIST
}

void sim_results_free(struct sim_results *r)
{
        free(r->scenario);
        free(r->policy);
        for (size_t i = 0; i < r->nclasses; i++)
                free(r->classes[i].name);
        free(r->classes);
        for (size_t i = 0; i < r->ndevices; i++)
                free(r->devices[i].name);
        free(r->devices);
        free(r->series.rows);
        free(r->series.devices);
        free(r->series.latency);
        free(r->faults);
        free(r->device_events);
        if (r->trace)
                fclose(r->trace);
        memset(r, 0, sizeof(*r));
}

void sim_device_result_counts(struct sim_device_result *dr, const struct ac_device_stats *now,
                              const struct ac_device_stats *at_warmup)
{
        dr->completed = now->completed - at_warmup->completed;
        dr->errors = now->errors - at_warmup->errors;
        dr->failures = now->failures - at_warmup->failures;
        dr->timeouts = now->timeouts - at_warmup->timeouts;
        dr->late = now->late - at_warmup->late;
        dr->migrated_out = now->migrated_out - at_warmup->migrated_out;
}

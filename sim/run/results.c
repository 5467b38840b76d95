/*
 * sim/run/results.c - the in-memory results of a replication (sim/run/results.h).
 */
#include "sim/run/results.h"

#include <stdlib.h>
#include <string.h>

void sim_latency_from_hist(struct sim_latency *out, const struct hist *h)
{
        *out = (struct sim_latency){
            .count = h->count,
            .mean = hist_mean(h),
            .p50 = hist_quantile(h, 0.50),
            .p90 = hist_quantile(h, 0.90),
            .p99 = hist_quantile(h, 0.99),
            .p999 = hist_quantile(h, 0.999),
            .max = h->count ? h->max : 0,
        };
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
        free(r->faults);
        if (r->trace)
                fclose(r->trace);
        memset(r, 0, sizeof(*r));
}

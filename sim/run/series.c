/*
 * sim/run/series.c - the time series' sizing rule and the latency of one
 * interval (sim/run/series.h).
 */
#include "sim/run/series.h"

#include <math.h>
#include <string.h>

#include "sim/run/results.h"

uint64_t sim_series_rows(uint64_t duration_ns, uint64_t sample_ns, uint64_t *interval_ns)
{
        uint64_t interval = sample_ns ? sample_ns : duration_ns / SIM_SERIES_DEFAULT;
        if (interval == 0)
                interval = 1;
        /* duration_ns < 2^63 (the loader's bound on a run's end): no wrap */
        if ((duration_ns + interval - 1) / interval > SIM_SERIES_MAX_ROWS)
                interval = (duration_ns + SIM_SERIES_MAX_ROWS - 1) / SIM_SERIES_MAX_ROWS;
        *interval_ns = interval;
        return (duration_ns + interval - 1) / interval;
}

size_t sim_series_row_bytes(size_t ndevices, size_t nclasses)
{
        return sizeof(struct sim_series_row) + sizeof(struct sim_series_device) * ndevices +
               sizeof(struct sim_series_latency) * (nclasses + 1);
}

/* The rank of the q-quantile among count values, as hist_quantile()
 * takes it: ceil(q * count), at least 1 and at most count. */
static uint64_t rank_of(double q, uint64_t count)
{
        double r = ceil(q * (double)count);
        return r < 1 ? 1 : r > (double)count ? count : (uint64_t)r;
}

/* The middle of bucket i, clamped to [min, max] as hist_quantile() does. */
static uint64_t middle(const struct hist *h, size_t i)
{
        uint64_t low = hist_bucket_low(i), high = hist_bucket_high(i);
        uint64_t mid = low + (high - low) / 2;
        return mid < h->min ? h->min : mid > h->max ? h->max : mid;
}

void sim_series_cut_latency(struct hist *h, struct sim_series_latency *out)
{
        memset(out, 0, sizeof(*out));
        if (h->count == 0)
                return;
        static const double q[] = {0.50, 0.99, 0.999};
        uint64_t *at[] = {&out->p50_ns, &out->p99_ns, &out->p999_ns};
        uint64_t rank[3];
        for (size_t j = 0; j < 3; j++)
                rank[j] = rank_of(q[j], h->count);
        size_t first = hist_bucket_index(h->min), last = hist_bucket_index(h->max);
        uint64_t seen = 0;
        size_t j = 0;
        for (size_t i = first; i <= last; i++) {
                seen += h->bucket[i];
                while (j < 3 && seen >= rank[j])
                        *at[j++] = middle(h, i);
        }
        out->count = h->count;
        out->max_ns = h->max;
        /* empty the buckets used, and the totals, as hist_init() would */
        memset(&h->bucket[first], 0, (last - first + 1) * sizeof(h->bucket[0]));
        h->count = 0;
        h->min = UINT64_MAX;
        h->max = 0;
        h->sum = 0;
}

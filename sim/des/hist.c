/*
 * sim/des/hist.c - the log-bucketed latency histogram: bucket bounds, merge,
 * mean, quantiles and iteration. Insertion is inline in hist.h.
 *
 * Bucket i < 2 * HIST_SUB_COUNT holds the value i alone. Above, bucket i
 * has shift s = i / HIST_SUB_COUNT - 1 and mantissa m = i % HIST_SUB_COUNT
 * + HIST_SUB_COUNT, and holds [m << s, ((m + 1) << s) - 1].
 */
#include "sim/des/hist.h"

#include <math.h>
#include <string.h>

void hist_init(struct hist *h)
{
        memset(h, 0, sizeof(*h));
        h->min = UINT64_MAX;
}

uint64_t hist_bucket_low(size_t i)
{
        if (i < 2 * HIST_SUB_COUNT)
                return i;
        unsigned shift = (unsigned)(i / HIST_SUB_COUNT) - 1;
        uint64_t mantissa = i % HIST_SUB_COUNT + HIST_SUB_COUNT;
        return mantissa << shift;
}

uint64_t hist_bucket_high(size_t i)
{
        if (i < 2 * HIST_SUB_COUNT)
                return i;
        unsigned shift = (unsigned)(i / HIST_SUB_COUNT) - 1;
        /* low + width - 1; for the last bucket this is UINT64_MAX. */
        return hist_bucket_low(i) + ((UINT64_C(1) << shift) - 1);
}

void hist_merge(struct hist *dst, const struct hist *src)
{
        for (size_t i = 0; i < HIST_BUCKETS; i++)
                dst->bucket[i] += src->bucket[i];
        dst->count += src->count;
        dst->sum += src->sum;
        if (src->min < dst->min)
                dst->min = src->min;
        if (src->max > dst->max)
                dst->max = src->max;
}

double hist_mean(const struct hist *h)
{
        return h->count ? (double)((long double)h->sum / (long double)h->count) : 0.0;
}

uint64_t hist_quantile(const struct hist *h, double q)
{
        if (h->count == 0)
                return 0;
        if (q <= 0)
                return h->min;
        if (q >= 1)
                return h->max;
        double r = ceil(q * (double)h->count);
        uint64_t rank = r < 1 ? 1 : r > (double)h->count ? h->count : (uint64_t)r;
        uint64_t seen = 0;
        for (size_t i = 0; i < HIST_BUCKETS; i++) {
                seen += h->bucket[i];
                if (seen < rank)
                        continue;
                uint64_t low = hist_bucket_low(i), high = hist_bucket_high(i);
                uint64_t mid = low + (high - low) / 2;
                /* The exact value lies in [min, max] too; never report outside. */
                return mid < h->min ? h->min : mid > h->max ? h->max : mid;
        }
        return h->max; /* not reached: the buckets sum to count */
}

bool hist_next(const struct hist *h, size_t *pos, struct hist_bucket *b)
{
        for (size_t i = *pos; i < HIST_BUCKETS; i++) {
                if (!h->bucket[i])
                        continue;
                b->low = hist_bucket_low(i);
                b->high = hist_bucket_high(i);
                b->count = h->bucket[i];
                *pos = i + 1;
                return true;
        }
        *pos = HIST_BUCKETS;
        return false;
}

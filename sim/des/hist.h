/*
 * sim/des/hist.h - a streaming latency histogram over uint64_t nanoseconds,
 * log-bucketed in the HDR style: fixed memory, O(1) insert.
 *
 * Values below 2^(HIST_SUB_BITS + 1) = 256 have a bucket each. Above, every
 * power of two [2^e, 2^(e+1)) is split into 2^HIST_SUB_BITS = 128 equal
 * buckets, so a bucket is at most 1/128 of the values it holds wide. The
 * bucket of a value is computed from its exponent and its top mantissa
 * bits, no search.
 *
 * Error bound: hist_quantile() returns the middle of the bucket that holds
 * the exact nearest-rank quantile of the recorded values (clamped to the
 * recorded min and max), so it is within HIST_REL_ERROR = 2^-8 (0.39%) of
 * the exact value, relative -- well inside the 1% that reports state for
 * p50..p99.9. Count, min and max are exact; the mean is exact to long
 * double precision.
 *
 * The struct is plain data (about 58 KiB) so it can be embedded, copied
 * and merged; hist_init() is its only set-up.
 */
#ifndef SIM_DES_HIST_H
#define SIM_DES_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BITS  7
#define HIST_SUB_COUNT (1u << HIST_SUB_BITS)                       /* buckets per power of two */
#define HIST_BUCKETS   ((64 - HIST_SUB_BITS + 1) * HIST_SUB_COUNT) /* 7424 */
#define HIST_REL_ERROR (1.0 / (2 * HIST_SUB_COUNT))                /* bound on quantiles */

/* The sum of the values: an exact integer, where long double summed exactly
 * only below 2^64 and cost an x87 add per value on the hot path; the mean
 * divides it as a long double, so it is the same to the bit below 2^64. */
__extension__ typedef unsigned __int128 hist_sum;

struct hist {
        uint64_t count;                /* values recorded */
        uint64_t min;                  /* least value; UINT64_MAX when empty */
        uint64_t max;                  /* greatest value; 0 when empty */
        hist_sum sum;                  /* sum of the values, for the mean */
        uint64_t bucket[HIST_BUCKETS]; /* counts, indexed by hist_bucket_index() */
};

/* One non-empty bucket, as hist_next() reports it. */
struct hist_bucket {
        uint64_t low;   /* least value the bucket holds */
        uint64_t high;  /* greatest value the bucket holds */
        uint64_t count; /* values recorded in it */
};

/* Empties h (also the way to reset it, e.g. at the end of warm-up). */
void hist_init(struct hist *h);

/* Returns the index of the bucket that holds v. */
static inline size_t hist_bucket_index(uint64_t v)
{
        if (v < 2 * HIST_SUB_COUNT)
                return (size_t)v;
        unsigned shift = 63u - (unsigned)__builtin_clzll(v) - HIST_SUB_BITS;
        return (size_t)shift * HIST_SUB_COUNT + (size_t)(v >> shift);
}

/* Records one value. O(1). */
static inline void hist_add(struct hist *h, uint64_t v)
{
        h->bucket[hist_bucket_index(v)]++;
        h->count++;
        h->sum += v;
        if (v < h->min)
                h->min = v;
        if (v > h->max)
                h->max = v;
}

/* Returns the least value that bucket i holds. */
uint64_t hist_bucket_low(size_t i);
/* Returns the greatest value that bucket i holds. */
uint64_t hist_bucket_high(size_t i);

/* Adds everything recorded in src to dst. */
void hist_merge(struct hist *dst, const struct hist *src);

/* Returns the mean of the values, or 0 when empty. */
double hist_mean(const struct hist *h);

/* Returns the q-quantile (0 <= q <= 1) by nearest rank -- the value of
 * rank ceil(q * count) (at least 1) in sorted order -- within
 * HIST_REL_ERROR; q = 0 gives the min and q = 1 the max exactly. Returns 0
 * when empty. O(HIST_BUCKETS). */
uint64_t hist_quantile(const struct hist *h, double q);

/* Iterates over the non-empty buckets in increasing order: start with
 * *pos = 0; each call fills *b with the next one and returns true, or
 * returns false when none is left. */
bool hist_next(const struct hist *h, size_t *pos, struct hist_bucket *b);

#endif

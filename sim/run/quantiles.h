/*
 * sim/run/quantiles.h - the one quantile convention of acsim
 * (docs/results.md, "Quantiles over replications"): a latency quantile
 * over several replications is the quantile of their pooled histogram,
 * the same distribution the CDF and the histogram plots draw; its 95%
 * interval comes from a bootstrap over the replications (resampled whole,
 * their histograms pooled again), widened by the bucket error.
 *
 * Why not the mean of the replications' quantiles with a Student t
 * half-width: one outlier replication pulls that mean far from every
 * replication's own figure, and replications whose quantile falls in the
 * same bucket give a half-width of 0, which claims a precision the
 * histogram does not have.
 */
#ifndef SIM_RUN_QUANTILES_H
#define SIM_RUN_QUANTILES_H

#include <stddef.h>

#include "sim/des/hist.h"
#include "sim/run/replicate.h"

#define REP_BOOTSTRAP_RESAMPLES 2000 /* resamples of the replications */
#define REP_BOOTSTRAP_SEED      1    /* fixed: the same runs give the same interval */

/* Sets the quantile figures (QUANTILE and MAX kinds of
 * SIM_LATENCY_FIGURES) of *out from the histograms h[0 .. n - 1] of n
 * replications: mean = the pooled figure (rounded as one run's would be),
 * lo and hi = the interval's bounds, ci95 = the larger distance from the
 * figure to a bound (what readers that hold a half-width use). With
 * n < 2, lo = hi = the figure and ci95 = 0. Returns 0 or AC_ENOMEM (then
 * *out keeps the figures it had). */
int rep_quantiles(const struct hist *const *h, size_t n, struct rep_latency *out);

#endif

/*
 * sim/des/mser.h - where the warm-up of a series ends: MSER-5 (White,
 * 1997; the marginal standard error rule on batches of five).
 *
 * The series x[0 .. n - 1] (one observation per interval of a run, from
 * its start) is cut into m = n / 5 batches of five, the last n mod 5
 * observations left out, and each batch replaced by its mean Z[j]. For
 * every d the rule weighs what dropping the first d batches buys against
 * what it costs:
 *
 *   MSER(d) = sum_{j >= d} (Z[j] - mean(Z[d..]))^2 / (m - d)^2,
 *
 * the squared standard error of the mean of what is kept, without the
 * autocorrelation correction. The truncation point is the d <= m / 2 that
 * minimises it. When MSER keeps falling past the half (its minimum over
 * every d that leaves at least MSER_MIN_BATCHES batches lies beyond m / 2)
 * the series has not settled within the run -- it drifts to the end, as
 * an overloaded queue does -- and no steady-state figure should be read
 * from it. Fewer than MSER_MIN_BATCHES batches say nothing either way.
 */
#ifndef SIM_DES_MSER_H
#define SIM_DES_MSER_H

#include <stdbool.h>
#include <stddef.h>

#define MSER_BATCH       5  /* observations per batch */
#define MSER_MIN_BATCHES 10 /* fewer: too short to judge */

struct mser_result {
        size_t truncate; /* observations to drop from the front (a multiple of MSER_BATCH) */
        bool settled;    /* the minimum lies in the first half, with enough batches */
        double mean;     /* of the batches kept */
        double mser;     /* MSER at the truncation point */
};

/* Finds the truncation point of x[0 .. n - 1] by MSER-5 and fills *out.
 * Returns 0, or -1 when there are fewer than MSER_MIN_BATCHES batches
 * (*out then says not settled, truncate 0, mean of all of x). */
int mser5(const double *x, size_t n, struct mser_result *out);

#endif

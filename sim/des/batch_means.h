/*
 * sim/des/batch_means.h - a confidence interval from one long run: the
 * method of batch means, with its batch-size rule and the lag-1 check.
 *
 * The observations x[0 .. n - 1] (rows of a time series after the
 * warm-up, each the mean over one interval) are grouped into b batches of
 * k = n / b consecutive observations (the last n mod b left out), and the
 * b batch means treated as independent: their mean, and the Student t
 * half-width with b - 1 degrees of freedom. That holds only when batches
 * are long against the series' memory, which the lag-1 autocorrelation of
 * the batch means shows. The rule: start with BATCH_MEANS_START batches;
 * while the lag-1 autocorrelation exceeds 2 / sqrt(b) (what independent
 * means exceed one time in forty) and halving keeps at least
 * BATCH_MEANS_MIN batches, halve b (batches twice as long). If the last b
 * still fails the check the interval is given but flagged: too narrow,
 * run longer.
 */
#ifndef SIM_DES_BATCH_MEANS_H
#define SIM_DES_BATCH_MEANS_H

#include <stdbool.h>
#include <stddef.h>

#define BATCH_MEANS_START 40 /* batches tried first */
#define BATCH_MEANS_MIN   10 /* fewest batches */

struct batch_means {
        size_t batches;    /* b */
        size_t batch_size; /* k observations each */
        double mean;       /* of the batch means */
        double ci95;       /* t(0.975, b - 1) * sd / sqrt(b) */
        double lag1;       /* lag-1 autocorrelation of the batch means */
        bool independent;  /* lag1 <= 2 / sqrt(b) */
};

/* Computes the batch-means interval of x[0 .. n - 1] into *out. Returns 0,
 * or -1 when n < BATCH_MEANS_MIN (too few observations for any batch). */
int batch_means(const double *x, size_t n, struct batch_means *out);

#endif

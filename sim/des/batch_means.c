/*
 * sim/des/batch_means.c - batch means (sim/des/batch_means.h): the means
 * of b batches, their lag-1 autocorrelation, the halving rule, and the
 * Student t interval from GSL.
 */
#include "sim/des/batch_means.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

/* The means of b batches of k = n / b observations into z[0 .. b - 1]. */
static void batch(const double *x, size_t n, size_t b, double *z)
{
        size_t k = n / b;
        for (size_t j = 0; j < b; j++) {
                double s = 0;
                for (size_t i = 0; i < k; i++)
                        s += x[j * k + i];
                z[j] = s / (double)k;
        }
}

int batch_means(const double *x, size_t n, struct batch_means *out)
{
        *out = (struct batch_means){0};
        if (n < BATCH_MEANS_MIN)
                return -1;
        size_t b = n < BATCH_MEANS_START ? n : BATCH_MEANS_START;
        double *z = malloc(b * sizeof(*z));
        if (z == NULL)
                abort(); /* forty doubles */
        for (;;) {
                batch(x, n, b, z);
                double mean = gsl_stats_mean(z, 1, b);
                double var = gsl_stats_variance_m(z, 1, b, mean);
                out->batches = b;
                out->batch_size = n / b;
                out->mean = mean;
                out->ci95 = gsl_cdf_tdist_Pinv(0.975, (double)(b - 1)) * sqrt(var / (double)b);
                /* a constant series has no correlation to speak of */
                out->lag1 = var > 0 ? gsl_stats_lag1_autocorrelation_m(z, 1, b, mean) : 0;
                out->independent = out->lag1 <= 2 / sqrt((double)b);
                if (out->independent || b / 2 < BATCH_MEANS_MIN)
                        break;
                b /= 2;
        }
        free(z);
        return 0;
}

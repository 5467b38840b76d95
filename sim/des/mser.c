/*
 * sim/des/mser.c - MSER-5 (sim/des/mser.h): the batch means, then one pass
 * from the end of the series to its start that keeps the mean and the sum
 * of squared deviations of the batches kept (Welford's update, so no sum
 * of squares loses the small differences of a long series), and the
 * minimum of MSER over the first half.
 */
#include "sim/des/mser.h"

#include <math.h>
#include <stdlib.h>

int mser5(const double *x, size_t n, struct mser_result *out)
{
        size_t m = n / MSER_BATCH;
        *out = (struct mser_result){0};
        if (m < MSER_MIN_BATCHES) {
                double sum = 0;
                for (size_t i = 0; i < n; i++)
                        sum += x[i];
                out->mean = n ? sum / (double)n : 0;
                return -1;
        }
        double *z = malloc(m * sizeof(*z));
        double *stat = malloc(m * sizeof(*stat));
        double *mean = malloc(m * sizeof(*mean));
        if (z == NULL || stat == NULL || mean == NULL) {
                free(z);
                free(stat);
                free(mean);
                abort(); /* a few words per row of a series: not worth a code */
        }
        for (size_t j = 0; j < m; j++) {
                double s = 0;
                for (size_t k = 0; k < MSER_BATCH; k++)
                        s += x[j * MSER_BATCH + k];
                z[j] = s / MSER_BATCH;
        }
        /* from the end: the batches z[d .. m - 1], k of them */
        double mu = 0, m2 = 0;
        for (size_t d = m; d-- > 0;) {
                double k = (double)(m - d);
                double delta = z[d] - mu;
                mu += delta / k;
                m2 += delta * (z[d] - mu);
                mean[d] = mu;
                stat[d] = m2 / (k * k);
        }
        /* the truncation point: the minimum over the first half. Settled
         * when the minimum over everything but the last MSER_MIN_BATCHES
         * batches (whose MSER falls towards 0 with the few left) is there
         * too: a drift to the end keeps lowering MSER past the half. */
        size_t best = 0, anywhere = 0;
        for (size_t d = 1; d + MSER_MIN_BATCHES <= m; d++) {
                if (d <= m / 2 && stat[d] < stat[best])
                        best = d;
                if (stat[d] < stat[anywhere])
                        anywhere = d;
        }
        out->truncate = best * MSER_BATCH;
        out->settled = anywhere <= m / 2;
        out->mean = mean[best];
        out->mser = stat[best];
        free(z);
        free(stat);
        free(mean);
        return 0;
}

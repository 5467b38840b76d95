/*
 * bench/bench_util.h - what every benchmark under bench/ reports with:
 * the median of its runs and the machine's load average beside it.
 * Header-only, so each benchmark stays one file.
 */
#ifndef ACSIM_BENCH_UTIL_H
#define ACSIM_BENCH_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

static inline int bench_cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

/* The median of v[0..n) (n > 0); sorts v in place. */
static inline double bench_median(double *v, size_t n)
{
        qsort(v, n, sizeof(*v), bench_cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The 1-minute load average, or -1. */
static inline double bench_load_average(void)
{
        double load = -1;
        FILE *f = fopen("/proc/loadavg", "r");
        if (f) {
                if (fscanf(f, "%lf", &load) != 1)
                        load = -1;
                fclose(f);
        }
        return load;
}

#endif

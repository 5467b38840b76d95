/*
 * sim/run/series.c - the time series' sizing rule (sim/run/series.h).
 */
#include "sim/run/series.h"

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

/*
 * sim/load/sweep_points.c - the points of a sweep: the cross product of its
 * lists, numbered with the first key varying slowest, and each point's
 * values and label (sim/load/scenario_load.h).
 */
#include <stdio.h>

#include "sim/load/loader.h"
#include "sim/load/scenario_load.h"

size_t scenario_sweep_points(const struct scenario *s)
{
        size_t n = 1;
        for (size_t i = 0; i < s->nsweep; i++)
                n *= s->sweep[i].nvalues;
        return n;
}

/* The index into key's list at point: the last key varies fastest. */
size_t load_point_index(const struct scenario *s, size_t point, size_t key)
{
        for (size_t i = s->nsweep; i-- > key + 1;)
                point /= s->sweep[i].nvalues;
        return point % s->sweep[key].nvalues;
}

const char *scenario_sweep_value(const struct scenario *s, size_t point, size_t key)
{
        if (key >= s->nsweep || point >= scenario_sweep_points(s))
                return NULL;
        return s->sweep[key].values[load_point_index(s, point, key)];
}

int scenario_sweep_label(const struct scenario *s, size_t point, char *buf, size_t cap)
{
        size_t len = 0;
        if (cap > 0)
                buf[0] = '\0';
        for (size_t i = 0; i < s->nsweep; i++) {
                const char *v = scenario_sweep_value(s, point, i);
                int w = snprintf(len < cap ? buf + len : NULL, len < cap ? cap - len : 0, "%s%s=%s",
                                 i ? " " : "", s->sweep[i].key, v ? v : "?");
                if (w > 0)
                        len += (size_t)w;
        }
        return (int)len;
}

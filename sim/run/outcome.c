/*
 * sim/run/outcome.c - formatting the reason of a failure (sim/run/outcome.h).
 */
#include <stdio.h>

#include "sim/run/outcome.h"

int sim_vfail(struct sim_error *e, int rc, const char *fmt, va_list ap)
{
        if (e != NULL)
                vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        return rc;
}

int sim_fail(struct sim_error *e, int rc, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        sim_vfail(e, rc, fmt, ap);
        va_end(ap);
        return rc;
}
